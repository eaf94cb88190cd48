"""Review's Checks view (``C``): per round the commands that ran on its changeset, pass or
fail, exit status, seconds, the baseline, and each command's output, trimmed as sent to the
model or (``o``) whole; a session loaded from the history has them too (tui.screens.checks,
the ``rounds`` table of history schema 8)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from textual.widgets import Log, OptionList
from tuikit import quick_assistant, screen_text
from verifykit import BROKEN, INDENT, PACKAGE

from assistant.checks import CheckReport, CheckRun
from assistant.commands import Command
from assistant.history import RoundInfo
from assistant.session import Finished
from assistant.verify import Verifier
from tui.app import make_app
from tui.screens.checks import ChecksScreen
from tui.screens.review import ReviewScreen
from tui.state import ReviewState

pytestmark = [
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning"),
]
PYTEST = "python3 -m pytest -q -p no:cacheprovider"
BREAK = f"""textkit/indent.py
```python
{BROKEN}```
"""
FIXED = "# indent, as CPython's textwrap has it\n" + INDENT
FIX = f"textkit/indent.py\n```python\n{FIXED}```\n"


def _loop(root: Path, fake: FakeOpenAI) -> int:
    """A real loop: round 1 breaks a test, round 2 fixes it, real pytest in the scratch
    worktree; the session of round 1."""
    fake.push(Reply(text=BREAK), Reply(text=FIX))
    with quick_assistant(root, fake) as assistant:
        verifier = Verifier(root, [Command("test", PYTEST, None, "--test-cmd")])
        plan = assistant.plan("simplify indent")
        [done] = [e for e in assistant.send(plan, checker=verifier) if isinstance(e, Finished)]
        assert [r.checks for r in done.result.rounds] == ["failed", "passed"]
        return done.result.rounds[0].session_id


async def test_checks_of_each_round_and_each_output_from_a_stored_session(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(PACKAGE)
    first = _loop(root, fake_openai)
    with quick_assistant(root, fake_openai) as assistant:
        result = assistant.load(first + 1)  # the taken round, from the history
        app = make_app(root, review=ReviewState.for_result(assistant, result), assistant=assistant)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)
            text = screen_text(app)
            assert "checks failed (1)" in text and "C: the checks" in text
            await pilot.press("C")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ChecksScreen)
            listed = [str(o.prompt) for o in screen.query_one(OptionList).options]
            assert listed[0] == "round 1 · checks failed (1)"
            assert listed[1].startswith("  ✗ test · exit 1 · ")
            assert listed[1].endswith(f" · 1 failure · {PYTEST}")
            assert "before the edit (baseline): 0 failures" in listed[2]
            assert listed[3].startswith("    ✓ test · exit 0 · ")
            assert listed[4] == "round 2 · checks passed · taken"
            log = screen.query_one(Log)
            trimmed = "\n".join(log.lines)
            assert "FAILED tests/test_indent.py::test_indent_default" in trimmed
            assert not trimmed.startswith(".F")  # the failing part only
            assert str(log.border_title) == "round 1 · test · as sent to the model · o: whole"
            await pilot.press("o")  # the whole output
            whole = "\n".join(log.lines)
            assert whole.startswith(".F") and "FAILED tests/test_indent.py" in whole
            await pilot.press("j")  # to the baseline's run: it passed on the untouched tree
            assert "baseline" in str(log.border_title) and "1 failed" not in "\n".join(log.lines)
            await pilot.press("j")  # round 2's run, skipping the heading
            assert str(log.border_title).startswith("round 2 · test")
            assert "2 passed" in "\n".join(log.lines)
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)


async def test_a_review_without_checks_has_no_checks_view(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(PACKAGE)
    fake_openai.push(Reply(text=FIX))
    with quick_assistant(root, fake_openai) as assistant:
        [done] = [e for e in assistant.stream("tidy") if isinstance(e, Finished)]
        app = make_app(
            root, review=ReviewState.for_result(assistant, done.result), assistant=assistant
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert "C: the checks" not in screen_text(app)
            await pilot.press("C")
            await pilot.pause()
            assert isinstance(app.screen, ReviewScreen)


HOSTILE = "\x1b]0;owned\x07[bold red]not markup[/] \x1b[2J"


def _shown(make_repo, fake: FakeOpenAI) -> tuple[Path, ReviewState]:  # type: ignore[no-untyped-def]
    """A review of a result with two rounds of fixed check reports (fixed seconds and
    outputs: a snapshot)."""
    root = make_repo(PACKAGE)
    fake.push(Reply(text=FIX))
    with quick_assistant(root, fake) as assistant:
        [done] = [e for e in assistant.stream("tidy") if isinstance(e, Finished)]
        state = ReviewState.for_result(assistant, done.result)
    result = done.result
    failing = CheckRun(
        "test",
        PYTEST,
        1,
        "FAILED tests/test_indent.py::test_indent_default\n"
        + HOSTILE
        + "\n1 failed, 1 passed in 0.12s\n",
        0.8,
        1,
        ".F" + " " * 60 + "[100%]\nFAILED ...\n1 failed, 1 passed in 0.12s\n",
    )
    lint = CheckRun("lint", "ruff check", 0, "All checks passed!\n", 0.1)
    base = CheckRun("test", PYTEST, 0, "2 passed in 0.10s\n", 0.7)
    one = CheckReport((failing, lint), baseline_failures=0, baseline=(base,))
    two = CheckReport((CheckRun("test", PYTEST, 0, "2 passed in 0.11s\n", 0.7), lint))
    result.rounds = (
        RoundInfo(1, result.session_id, "first", 0, 0, "failed", 1, 900, 0, None, None, one),
        RoundInfo(2, result.session_id, "checks", 0, 0, "passed", 0, 1100, 900, None, None, two),
    )  # fmt: skip
    result.round, result.stopped = 2, "passed"
    return root, state


async def test_command_output_is_shown_escaped_never_as_markup(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    root, state = _shown(make_repo, fake_openai)
    app = make_app(root, review=state)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("C")
        await pilot.pause()
        shown = "\n".join(app.screen.query_one(Log).lines)
        assert "[bold red]not markup[/]" in shown and "\x1b" not in shown
        assert "\\x1b]0;owned" in shown


def test_checks_screen_snapshot(snap_compare, make_repo, fake_openai: FakeOpenAI) -> None:  # type: ignore[no-untyped-def]
    root, state = _shown(make_repo, fake_openai)
    app = make_app(root, review=state)
    assert snap_compare(app, press=["C"], terminal_size=(80, 24))


def test_checks_screen_whole_output_snapshot(
    snap_compare, make_repo, fake_openai: FakeOpenAI
) -> None:  # type: ignore[no-untyped-def]
    root, state = _shown(make_repo, fake_openai)
    app = make_app(root, review=state)
    assert snap_compare(app, press=["C", "o"], terminal_size=(160, 48))
