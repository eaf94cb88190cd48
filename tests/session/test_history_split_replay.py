"""A hunk split in review is split again when the session is loaded, before the decisions
are put back. Where a recorded split no longer gives its pieces (the hunk had been edited by
hand first: edits are not recorded), that file's decisions are left undecided rather than
put on other lines; the other files keep theirs."""

from __future__ import annotations

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, REPO, AssistantFactory

from assistant.edits import HunkState
from assistant.session import Assistant, Result

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

WHOLE = APP.rstrip("\n")
BOTH = WHOLE.replace("def greet(name):", "def welcome(name):").replace(
    'print(greet("world"))', 'print(hello("world"))'
)
ANSWER = (
    f"app.py\n<<<<<<< SEARCH\n{WHOLE}\n=======\n{BOTH}\n>>>>>>> REPLACE\n\n"
    "util.py\n<<<<<<< SEARCH\ndef add(a, b):\n=======\ndef add(a: int, b: int) -> int:\n"
    ">>>>>>> REPLACE\n"
)


def _split_and_decided(
    make_repo, make_assistant: AssistantFactory, fake: FakeOpenAI
) -> tuple[Assistant, Result]:
    """app.py's one hunk split in two: the first rejected, the second accepted; util.py's
    hunk accepted; recorded."""
    assistant = make_assistant(make_repo(REPO))
    fake.push(Reply(text=ANSWER))
    result = assistant.ask("rename twice, type add")
    assert assistant.sessions.split(result, "app.py", 1) == 2
    result.changeset["app.py"].reject(1)
    result.changeset["app.py"].accept(2)
    result.changeset["util.py"].accept(1)
    assistant.save(result)
    return assistant, result


def test_a_split_is_replayed_and_each_piece_keeps_its_decision(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    assistant, result = _split_and_decided(make_repo, make_assistant, fake_openai)
    again = assistant.load(result.session_id).changeset
    assert [h.state for h in again["app.py"].hunks] == [HunkState.REJECTED, HunkState.ACCEPTED]
    assert [h.new_lines for h in again["app.py"].hunks] == [
        h.new_lines for h in result.changeset["app.py"].hunks
    ]
    assert again["util.py"].hunks[0].state == HunkState.ACCEPTED


def test_a_split_that_no_longer_replays_leaves_that_file_undecided(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    assistant, result = _split_and_decided(make_repo, make_assistant, fake_openai)
    with assistant.store._db() as con:  # as if the hunk had been edited before its split
        con.execute(
            "UPDATE changesets SET splits = ? WHERE session_id = ?",
            ('[["app.py", 1, false, 3]]', result.session_id),
        )
    again = assistant.load(result.session_id).changeset
    assert {h.state for h in again["app.py"].hunks} == {HunkState.PENDING}
    assert again["util.py"].hunks[0].state == HunkState.ACCEPTED
