"""A session's answer whose diff headers name two files (``--- app.py.orig`` / ``+++ app.py``,
as ``diff -u`` writes): the session reads both names, edits the one that exists, and a
reloaded session plans it the same way."""

from __future__ import annotations

from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, REPO, AssistantFactory

ANSWER = """Here is the change:

--- app.py.orig\t2024-05-01 09:00:00.000000000 +0200
+++ app.py\t2024-05-01 09:05:00.000000000 +0200
@@ -1,2 +1,2 @@
 def greet(name):
-    return "hi " + name
+    return "hello " + name
"""


def test_the_existing_side_is_edited_and_nothing_is_renamed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=ANSWER))
    assistant = make_assistant(root)
    result = assistant.ask("say hello")
    (plan,) = result.changeset
    assert plan.path == "app.py" and not plan.failures and not plan.move_to
    result.changeset.accept("app.py")
    assistant.apply(result)
    assert (root / "app.py").read_text() == APP.replace('"hi "', '"hello "')
    assert not (root / "app.py.orig").exists()
    reopened = assistant.load(result.session_id)  # the store kept the other name
    (again,) = reopened.changeset
    assert again.path == "app.py" and not again.failures
