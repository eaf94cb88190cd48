"""A session's status comes from its applies, undos and commits, per apply; a declined
apply and a send-back that fails before it is sent are recorded."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, FAST, RENAME, REPO, UTIL, AssistantFactory, backend_for

from assistant.cli import main
from assistant.errors import ConfigError, ContextLengthError
from assistant.history import STATUSES, session_status
from assistant.session import Assistant, hunk_key
from assistant.store import ApplyRow

NEW_APP = APP.replace("greet", "welcome")
pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _row(n: int, *, commit: str | None = None, undone: bool = False) -> ApplyRow:
    return ApplyRow(n, 1, f"j{n}", ("a.py",), (), commit, float(n), undone)


@pytest.mark.parametrize(
    ("applies", "declined", "status"),
    [
        ([], False, "answered"),
        ([], True, "declined"),
        ([_row(1)], True, "applied"),  # declined at the prompt, applied later in review
        ([_row(1, commit="c")], False, "committed"),
        ([_row(1, commit="c"), _row(2)], False, "applied"),
        ([_row(1, undone=True)], False, "undone"),
        ([_row(1, commit="c", undone=True)], False, "undone"),  # the commit stays in git
        ([_row(1, commit="c"), _row(2, undone=True)], False, "partly undone"),
        ([_row(1), _row(2, undone=True)], False, "partly undone"),
        ([_row(1, undone=True), _row(2, undone=True)], False, "undone"),
    ],
)
def test_session_status_is_derived_per_apply(
    applies: list[ApplyRow], declined: bool, status: str
) -> None:
    assert session_status("answered", applies, declined=declined) == status
    assert status in STATUSES


def test_a_failed_or_cancelled_answer_keeps_its_status() -> None:
    for answer in ("failed", "cancelled", "truncated", "streaming"):
        assert session_status(answer, [], declined=True) == answer


def test_a_partial_undo_is_partly_undone_and_keeps_the_other_apply(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename in two steps")
    result.changeset.accept("app.py")
    first = assistant.apply(result, commit=True)
    result.changeset.accept("util.py")
    assistant.apply(result)

    assistant.undo(result.session_id)  # the second apply only

    assert (root / "app.py").read_text() == NEW_APP and (root / "util.py").read_text() == UTIL
    [summary] = assistant.history()
    assert summary.status == "partly undone"
    assert [(a.state, a.paths, a.commit) for a in summary.applies] == [
        ("committed", ("app.py",), first.commit),
        ("undone", ("util.py",), None),
    ]
    again = assistant.load(result.session_id)  # the first apply's hunks are still applied
    states = {(f.path, h.index): str(h.state) for f in again.changeset for h in f.hunks}
    assert states == {("app.py", 1): "applied", ("app.py", 2): "applied",
                      ("util.py", 1): "accepted"}  # fmt: skip

    assistant.undo(result.session_id)  # and now the first
    assert assistant.history()[0].status == "undone"
    assert (root / "app.py").read_text() == APP


def test_a_declined_apply_shows_declined(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    assert main(["ask", "rename greet", "--apply", "-C", str(root), "--base-url",
                 fake_openai.base_url, "--model", "m"]) == 1  # fmt: skip
    capsys.readouterr()
    assert main(["history", "--json", "-C", str(root)]) == 0
    [session] = json.loads(capsys.readouterr().out)["sessions"]
    assert session["status"] == "declined" and session["applies"] == []
    assert main(["history", "-C", str(root)]) == 0
    assert " declined " in capsys.readouterr().out.splitlines()[1]  # [0]: the header


def test_a_send_back_refused_before_sending_is_recorded_as_failed(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    probe = make_assistant(root)
    plan = probe.plan("rename")
    # a window that holds the first request, not the answer and the feedback on top of it
    assistant = make_assistant(root, window=plan.prompt_tokens + plan.max_output + 20)
    first = assistant.ask("rename")
    assert len(fake_openai.requests) == 1

    with pytest.raises(ContextLengthError):
        list(assistant.resend(first, {hunk_key("util.py", 1): "floats, not ints"}))

    assert len(fake_openai.requests) == 1  # nothing was sent
    child, parent = assistant.history()
    assert (child.parent_id, child.status) == (first.session_id, "failed")
    assert child.error is not None and "window" in child.error
    assert parent.status == "answered"
    assert assistant.load(child.session_id).manifest.sha("app.py") is not None


def test_undoing_an_apply_recorded_before_schema_2_resets_only_its_files(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename in two steps")
    result.changeset.accept("app.py")
    assistant.apply(result)
    result.changeset.accept("util.py")
    assistant.apply(result)
    with sqlite3.connect(assistant.store.path) as con:  # as an upgraded schema-1 row reads
        con.execute("UPDATE applies SET hunks = NULL")

    assistant.undo(result.session_id)

    states = {(f.path, h.index): str(h.state)
              for f in assistant.load(result.session_id).changeset for h in f.hunks}  # fmt: skip
    assert states == {("app.py", 1): "applied", ("app.py", 2): "applied",
                      ("util.py", 1): "accepted"}  # fmt: skip


def test_a_send_back_without_a_key_is_recorded_as_failed(
    make_repo, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(REPO)
    backend = backend_for(fake_openai, key_required=True, api_key_env="TOME_TEST_KEY")
    assistant = Assistant.open(root, backend=backend, client=None)
    assistant.options = FAST
    monkeypatch.setenv("TOME_TEST_KEY", "sk-test")
    fake_openai.push(Reply(text=RENAME))
    first = assistant.ask("rename")
    monkeypatch.delenv("TOME_TEST_KEY")

    with pytest.raises(ConfigError, match="TOME_TEST_KEY"):
        list(assistant.resend(first, {hunk_key("util.py", 1): "floats, not ints"}))

    assert len(fake_openai.requests) == 1
    child, parent = assistant.history()
    assert (child.parent_id, child.status, child.tokens) == (first.session_id, "failed", 0)
    assert child.error is not None and "TOME_TEST_KEY" in child.error
    assert parent.status == "answered"
