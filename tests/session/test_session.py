"""Assistant end to end: real repositories, the real fake OpenAI server, the real store."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import git
import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, FAST, RENAME, REPO, UTIL, AssistantFactory

from assistant.edits import HunkState, instructions
from assistant.errors import ApplyConflict, AssistantError, EditError
from assistant.session import (
    SYSTEM,
    FileEdited,
    Finished,
    TextDelta,
    hunk_key,
    revert,
)
from assistant.workspace import blob_sha

NEW_APP = APP.replace("greet", "welcome")
NEW_UTIL = UTIL.replace("def add(a, b):", "def add(a: int, b: int) -> int:")


def _db(root: Path) -> sqlite3.Connection:
    return sqlite3.connect(root / ".tome" / "history.db")


def test_ask_packs_the_repo_sends_the_task_last_and_records_everything(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME, prompt_tokens=900, cached_tokens=512))
    assistant = make_assistant(root)

    result = assistant.ask("rename greet to welcome")

    # nothing written before apply
    assert (root / "app.py").read_text() == APP
    assert result.answer == RENAME and not result.truncated
    assert [f.path for f in result.changeset] == ["app.py", "util.py"]
    assert [len(f.hunks) for f in result.changeset] == [2, 1]
    assert result.changeset.result() == {}  # nothing accepted yet
    assert result.usage is not None and result.usage.cache_hit_tokens == 512
    assert result.cost == pytest.approx(
        (512 * 0.028 + 388 * 0.14 + result.usage.completion_tokens * 0.28) / 1e6
    )
    # what the server received: system text + edit instructions, then the pack, task last
    [got] = fake_openai.requests
    system, user = got.messages
    assert system["role"] == "system"
    assert system["content"] == f"{SYSTEM}\n\n{instructions('search-replace')}"
    body = user["content"]
    assert body.rstrip().endswith("<task>\nrename greet to welcome\n</task>")
    assert body.index("def greet(name):") < body.index("<task>")
    assert body.index("util.py") < body.index("<task>")
    # the manifest names the blob shas git has for the files
    repo = git.Repo(root)
    shas = {e.path: e.blob_sha for e in result.manifest.entries}
    assert shas["app.py"] == repo.head.commit.tree["app.py"].hexsha
    assert {e.tier for e in result.manifest.entries} == {"full"}
    # the store
    with _db(root) as con:
        assert con.execute("SELECT task, backend, model, status FROM sessions").fetchall() == [
            ("rename greet to welcome", "test", "fake-model", "answered")
        ]
        assert con.execute(
            "SELECT path, blob_sha FROM manifests WHERE path = 'app.py'"
        ).fetchall() == [("app.py", shas["app.py"])]
        assert con.execute("SELECT text FROM answers").fetchone()[0] == RENAME
        assert con.execute("SELECT cache_hit_tokens FROM usage").fetchone()[0] == 512
    assert ".tome/" in (root / ".git" / "info" / "exclude").read_text().splitlines()
    assert repo.git.status("--porcelain") == ""  # .tome/ never shows up in git


def test_two_tasks_share_the_prompt_prefix_up_to_the_task(
    make_repo, make_assistant: AssistantFactory
) -> None:
    root = make_repo(REPO)
    assistant = make_assistant(root)
    a = assistant.plan("rename greet")
    b = assistant.plan("document add")
    assert a.messages[0] == b.messages[0]
    ua, ub = a.messages[1]["content"], b.messages[1]["content"]
    cut = ua.index("<task>")
    assert ua[:cut] == ub[:cut]
    assert a.estimate is not None and a.estimate.cold > a.estimate.warm
    assert a.fits and a.prompt_tokens > a.pack.tokens


def test_paths_restrict_the_pack(make_repo, make_assistant: AssistantFactory) -> None:
    root = make_repo(REPO)
    plan = make_assistant(root).plan("add types", paths=["util.py"])
    assert [f.path for f in plan.pack.files] == ["util.py"]
    assert plan.paths == ("util.py",)


def test_stream_yields_each_edit_as_soon_as_it_is_parsed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME, chunk_chars=5))
    events = list(make_assistant(root).stream("rename"))
    kinds = [type(e) for e in events]
    assert kinds[-1] is Finished and kinds.count(Finished) == 1
    edited = [i for i, e in enumerate(events) if isinstance(e, FileEdited)]
    deltas = [i for i, e in enumerate(events) if isinstance(e, TextDelta)]
    assert len(edited) == 3
    assert edited[0] < deltas[-1]  # the first edit arrived while the answer still streamed
    assert "".join(e.text for e in events if isinstance(e, TextDelta)) == RENAME
    first = events[edited[0]]
    assert isinstance(first, FileEdited) and first.edit.path == "app.py"


def test_apply_writes_accepted_hunks_only_and_undo_restores_bytes(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    crlf = b"x = 1\r\ny = 2\r\n"
    root = make_repo({**REPO, "data.txt": crlf})
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename")
    cs = result.changeset
    cs.accept("app.py", 1)
    cs.reject("app.py", 2)
    cs.accept("util.py")

    record = assistant.apply(result)

    assert (root / "app.py").read_text() == APP.replace("def greet", "def welcome")
    assert (root / "util.py").read_text() == NEW_UTIL
    assert set(record.paths) == {"app.py", "util.py"} and record.commit is None
    assert cs["app.py"].hunk(1).state == HunkState.APPLIED
    assert cs["app.py"].hunk(2).state == HunkState.REJECTED
    with _db(root) as con:
        decisions = con.execute("SELECT path, hunk, state FROM decisions ORDER BY 1, 2").fetchall()
        assert decisions == [("app.py", 1, "applied"), ("app.py", 2, "rejected"),
                             ("util.py", 1, "applied")]  # fmt: skip
        assert con.execute("SELECT journal FROM applies").fetchone()[0] == record.journal
    assert assistant.history()[0].status == "applied"

    undone = assistant.undo(result.session_id)
    assert undone.session_id == result.session_id and set(undone.restored) == {"app.py", "util.py"}
    assert (root / "app.py").read_bytes() == APP.encode()
    assert (root / "util.py").read_bytes() == UTIL.encode()
    assert (root / "data.txt").read_bytes() == crlf
    assert assistant.history()[0].status == "undone"
    with _db(root) as con:
        assert con.execute("SELECT session_id, journal FROM undos").fetchall() == [
            (result.session_id, record.journal)
        ]
    reopened = assistant.load(result.session_id)
    assert reopened.changeset["app.py"].hunk(1).state == HunkState.ACCEPTED  # back to review
    with pytest.raises(AssistantError, match="no apply to undo"):
        assistant.undo(result.session_id)


def test_commit_takes_only_the_applied_paths_and_leaves_the_index_alone(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo({**REPO, "notes.txt": "old\n"})
    repo = git.Repo(root)
    before = repo.head.commit
    repo.create_head("other")
    (root / "notes.txt").write_text("staged by the user\n")
    repo.index.add(["notes.txt"])
    (root / "README.md").write_text("# demo, unstaged edit\n")
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename greet to welcome\n\nand type add")
    result.changeset.accept_all()

    record = assistant.apply(result, commit=True)

    head = repo.head.commit
    assert record.commit == head.hexsha and head.parents == (before,)
    assert head.message.splitlines()[0] == "tome: rename greet to welcome"
    assert "and type add" in head.message
    assert sorted(head.stats.files) == ["app.py", "util.py"]
    assert head.tree["app.py"].data_stream.read().decode() == NEW_APP
    assert repo.heads.other.commit == before  # other refs untouched
    # the unrelated staged file is still staged and not committed; the unstaged edit stays
    assert head.tree["notes.txt"].data_stream.read() == b"old\n"
    staged = {d.a_path for d in repo.index.diff("HEAD")}
    assert staged == {"notes.txt"}
    assert {d.a_path for d in repo.index.diff(None)} == {"README.md"}
    with _db(root) as con:
        assert con.execute("SELECT commit_sha FROM applies").fetchone()[0] == head.hexsha


def test_a_truncated_answer_is_never_applied_unless_forced(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    cut = RENAME[: RENAME.index("util.py")]
    fake_openai.push(Reply(text=cut, finish_reason="length"))
    assistant = make_assistant(root, options=FAST.__class__(max_continuations=0))
    result = assistant.ask("rename")
    assert result.truncated and result.finish_reason == "length"
    result.changeset.accept_all()
    with pytest.raises(EditError, match="cut off"):
        assistant.apply(result)
    assert (root / "app.py").read_text() == APP
    assert assistant.history()[0].status == "truncated"
    assistant.apply(result, force=True)
    assert (root / "app.py").read_text() == NEW_APP


def test_a_file_changed_since_the_pack_is_merged_or_refused(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME), Reply(text=RENAME))
    assistant = make_assistant(root)
    # changed while the answer streams: the edits are located in the packed version
    events = assistant.stream("rename")
    for event in events:
        if isinstance(event, TextDelta):
            (root / "app.py").write_text(APP.replace("\n\n\n", "\n\n# helpers\n\n"))
            break
    result = next(e for e in events if isinstance(e, Finished)).result
    assert result.originals["app.py"] == APP and not result.stale
    result.changeset.accept_all()
    record = assistant.apply(result)
    assert "app.py" in record.merged
    assert (root / "app.py").read_text() == NEW_APP.replace("\n\n\n", "\n\n# helpers\n\n")

    # a change that overlaps the edit cannot merge: refused, nothing written, marked conflict
    assistant.undo()
    git.Repo(root).git.checkout("--", "app.py")
    second = assistant.ask("rename")
    (root / "app.py").write_text(APP.replace('"hi "', '"hello "'))
    second.changeset.accept_all()
    with pytest.raises(ApplyConflict, match="does not merge cleanly"):
        assistant.apply(second)
    assert (root / "app.py").read_text() == APP.replace('"hi "', '"hello "')
    assert (root / "util.py").read_text() == UTIL  # all or nothing
    assert second.changeset["app.py"].hunk(1).state == HunkState.CONFLICT
    assert assistant.load(second.session_id).changeset["app.py"].hunk(1).state == "conflict"


def test_refused_paths_are_reported_and_the_rest_is_usable(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    evil = "../evil.py\n```python\n<<<<<<< SEARCH\n=======\nboom\n>>>>>>> REPLACE\n```\n"
    fake_openai.push(Reply(text=evil + "\n" + RENAME))
    result = make_assistant(root).ask("rename")
    assert any("'..'" in p for p in result.problems)
    assert [f.path for f in result.changeset] == ["app.py", "util.py"]


def test_cancel_stops_the_stream_and_the_result_cannot_be_applied(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME, chunk_chars=4))
    cancel = threading.Event()
    assistant = make_assistant(root)
    seen = 0
    result = None
    for event in assistant.stream("rename", cancel=cancel):
        if isinstance(event, TextDelta):
            seen += 1
            cancel.set()
        elif isinstance(event, Finished):
            result = event.result
    assert seen == 1 and result is not None
    assert result.cancelled and result.truncated and result.usage is None
    assert result.answer == RENAME[:4]
    assert assistant.history()[0].status == "cancelled"
    with pytest.raises(EditError, match="cancelled"):
        assistant.apply(result)


def test_closing_the_stream_records_the_session_as_cancelled(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME, chunk_chars=4))
    assistant = make_assistant(root)
    events = assistant.stream("rename")
    next(e for e in events if isinstance(e, TextDelta))
    events.close()  # type: ignore[attr-defined]
    [summary] = assistant.history()
    assert summary.status == "cancelled"


def test_load_reopens_a_session_as_it_was_left(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename")
    result.changeset.accept("app.py", 2)
    result.changeset.reject("util.py", 1)
    assistant.save(result)

    again = make_assistant(root).load(result.session_id)
    assert again.answer == RENAME and again.task == "rename"
    assert again.manifest == result.manifest
    assert again.usage == result.usage and again.cost == result.cost
    states = {(f.path, h.index): h.state for f in again.changeset for h in f.hunks}
    assert states == {("app.py", 1): "pending", ("app.py", 2): "accepted",
                      ("util.py", 1): "rejected"}  # fmt: skip
    assert again.changeset.result() == result.changeset.result()
    with pytest.raises(AssistantError, match="no session 99"):
        assistant.load(99)


def test_resend_quotes_the_rejected_hunk_and_the_reason(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fix = "util.py\n```python\n<<<<<<< SEARCH\ndef add(a, b):\n=======\ndef add(a: float, b: float) -> float:\n>>>>>>> REPLACE\n```\n"  # fmt: skip
    fake_openai.push(Reply(text=RENAME), Reply(text=fix))
    assistant = make_assistant(root)
    first = assistant.ask("rename")
    first.changeset.accept("app.py")

    events = list(assistant.resend(first, {hunk_key("util.py", 1): "floats, not ints"}))

    second = events[-1].result  # type: ignore[union-attr]
    assert second.parent_id == first.session_id and second.session_id != first.session_id
    assert first.changeset["util.py"].hunk(1).state == HunkState.REJECTED
    _, got = fake_openai.requests
    _system, user, answer, followup = got.messages
    assert answer == {"role": "assistant", "content": RENAME}
    assert followup["role"] == "user"
    assert "### util.py (change 1)" in followup["content"]
    assert "-def add(a, b):" in followup["content"]
    assert "+def add(a: int, b: int) -> int:" in followup["content"]
    assert "Reason: floats, not ints" in followup["content"]
    assert user["content"] == fake_openai.requests[0].messages[1]["content"]  # same prefix
    assert [f.path for f in second.changeset] == ["util.py"]
    with _db(root) as con:
        assert con.execute(
            "SELECT reason FROM decisions WHERE session_id = ? AND path = 'util.py'",
            (first.session_id,),
        ).fetchone() == ("floats, not ints",)
    with pytest.raises(EditError, match="names no file"):
        assistant.resend(first, {"nope.py#1": "x"}).__next__()


def test_undo_of_an_older_session_waits_for_the_newer_one(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    only_util = RENAME[RENAME.index("util.py") :]
    only_app = RENAME[: RENAME.index("util.py")]
    fake_openai.push(Reply(text=only_app), Reply(text=only_util))
    assistant = make_assistant(root)
    first, second = assistant.ask("a"), assistant.ask("b")
    for r in (first, second):
        r.changeset.accept_all()
        assistant.apply(r)
    with pytest.raises(AssistantError, match=f"session {second.session_id} applied after it"):
        assistant.undo(first.session_id)
    assert revert(root, second.session_id) is not None
    assert revert(root, first.session_id) is not None
    assert (root / "app.py").read_text() == APP and (root / "util.py").read_text() == UTIL
    assert revert(root) is None


def test_history_lists_newest_first(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME), Reply(text="no edits needed"))
    assistant = make_assistant(root)
    assistant.ask("first")
    assistant.ask("second")
    newest, oldest = assistant.history()
    assert (newest.task, newest.files, oldest.task, oldest.files) == ("second", 0, "first", 2)
    assert newest.tokens > 0 and newest.cost is not None
    assert [s.task for s in assistant.history(limit=1)] == ["second"]


def test_a_failed_request_is_recorded_as_failed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(status=404, error="no such model"))
    assistant = make_assistant(root)
    with pytest.raises(AssistantError, match="no such model"):
        assistant.ask("rename")
    [summary] = assistant.history()
    assert summary.status == "failed"
    assert blob_sha(APP.encode()) == assistant.load(summary.session_id).manifest.sha("app.py")
