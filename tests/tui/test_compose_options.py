"""Compose's send options (f2): verify and repair rounds (issue 14), git context (issue 16).

Against the real fake server (tests/fakeopenai.py) and real git repositories: verify runs
real pytest (or a typed command) in the scratch worktree, never in the user's tree; a
project's own test command waits for ``tome trust``; the git sections reach the request;
a bad or hostile ``since`` ref is said in the TUI's terms and nothing is sent.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from textual.widgets import Input
from tuikit import quick_assistant, screen_text, until
from verifykit import INDENT, PACKAGE

from assistant.scratch import scratch_path
from assistant.session import Assistant
from assistant.verify import Verifier
from tui.app import TomeApp, make_app
from tui.screens.compose import ComposeScreen
from tui.screens.options import OptionsScreen, SendOptions
from tui.screens.review import ReviewScreen

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
BREAK = """textkit/indent.py
```python
<<<<<<< SEARCH
            return line.strip()
=======
            return True
>>>>>>> REPLACE
```
"""
DOC = """The docstring only, then.

textkit/indent.py
```python
<<<<<<< SEARCH
    \"\"\"Adds 'prefix' to the beginning of selected lines in 'text'.\"\"\"
=======
    \"\"\"Add 'prefix' to the start of the selected lines of 'text'.\"\"\"
>>>>>>> REPLACE
```
"""
NEW_DOC = "Add 'prefix' to the start of the selected lines of 'text'."
WHOLE = (  # after a checks round, a whole file replaces the edits of it the checks blamed
    "The docstring only, then.\n\ntextkit/indent.py\n```python\n"
    + INDENT.replace("Adds 'prefix' to the beginning of selected lines in 'text'.", NEW_DOC)
    + "```\n"
)
DETECTED = "test: python3 -m pytest -q (detected: pyproject.toml [tool.pytest.ini_options])"


@pytest.fixture
def package(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """A small real package with its pytest tests (verifykit), and an assistant on it."""
    with quick_assistant(make_repo(PACKAGE), fake_openai) as a:
        yield a


async def _settle(app: TomeApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def _options(app: TomeApp, pilot, *, verify: bool = False, **typed: str) -> None:  # type: ignore[no-untyped-def]
    """Open the options with f2, tick verify (it has the focus), type into the boxes named
    (``test_cmd="..."``: the box ``#test-cmd`` emptied, then typed), use them (ctrl+s)."""
    await pilot.press("f2")
    await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the options dialog")
    if verify:
        await pilot.press("space")
    for name, text in typed.items():
        box = app.screen.query_one(f"#{name.replace('_', '-')}", Input)
        box.focus()
        box.clear()
        await pilot.press(*text)
    await pilot.press("ctrl+s")
    await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "back in Compose")


def _toasts(app: TomeApp) -> str:
    """Every toast shown so far, title and message, one a line."""
    return "\n".join(f"{n.title}: {n.message}" for n in app._notifications)


def _preview(app: TomeApp) -> str:
    """What the dialog says a check would run (the text, unwrapped)."""
    return str(app.screen.query_one("#checks-preview").render())


async def _send(app: TomeApp, pilot, task: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*task)
    await pilot.press("ctrl+s")
    await _settle(app, pilot)


async def test_f2_shows_what_verify_would_run_before_anything_is_sent(
    package: Assistant, fake_openai: FakeOpenAI
) -> None:
    app = make_app(package.root, assistant=package)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        assert "options (f2) rounds 2 · verify off" in screen_text(app)  # the config's 2
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the options dialog")
        assert "verify is off" in _preview(app)
        await pilot.press("space")  # verify, which has the focus
        await until(pilot, lambda: _preview(app) == DETECTED, "the detected command")
        await pilot.press("escape")  # cancelled: nothing changes
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "back in Compose")
        assert "verify off" in screen_text(app)
        await _options(app, pilot, verify=True, test_cmd="make check")
        assert "verify test" in screen_text(app)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the options dialog")
        assert _preview(app) == "test: make check (typed in the options)"
    assert fake_openai.requests == []


async def test_verify_runs_pytest_in_a_scratch_worktree_and_a_round_repairs_it(
    package: Assistant, fake_openai: FakeOpenAI
) -> None:
    """Round 1 breaks a test (real pytest, in the scratch), round 2 goes back with the
    failure and passes; the Review says so per round; the user's tree is untouched."""
    fake_openai.push(Reply(text=BREAK), Reply(text=WHOLE))
    app = make_app(package.root, assistant=package)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await _options(app, pilot, verify=True)
        await _send(app, pilot, "simplify indent")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review", 60)
        text = screen_text(app)
        assert (
            "round 1: checks failed (1) · round 2: checks passed · round 2 taken: "
            "the checks passed" in " ".join(text.split())
        )
        [file] = app.screen.state.files
        assert file.plan.texts() == {"textkit/indent.py": INDENT.replace(
            "Adds 'prefix' to the beginning of selected lines in 'text'.", NEW_DOC)}  # fmt: skip
    assert len(fake_openai.requests) == 2
    followup = fake_openai.requests[1].messages[-1]["content"]
    assert "test_indent_default" in followup  # the failing test's output went back
    assert (package.root / "textkit/indent.py").read_text() == INDENT  # the user's tree
    assert (scratch_path(package.root) / ".git").exists()  # the checks' worktree


async def test_a_typed_command_runs_in_the_scratch_with_the_edit_not_in_the_tree(
    package: Assistant, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    where = tmp_path / "where"
    fake_openai.push(Reply(text=BREAK))
    app = make_app(package.root, assistant=package)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        command = f"grep -q 'return True' textkit/indent.py && pwd > {where}"
        await _options(app, pilot, verify=True, test_cmd=command, rounds="0")
        assert "rounds off · verify test" in screen_text(app)
        await _send(app, pilot, "simplify indent")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review", 60)
        said = " ".join(screen_text(app).split())
        assert "round 1: checks passed · round 1 taken: the checks passed" in said
    ran_in = Path(where.read_text().strip())  # the command saw the edit, in the scratch
    assert ran_in.resolve() == scratch_path(package.root).resolve() != package.root.resolve()
    assert (package.root / "textkit/indent.py").read_text() == INDENT
    assert len(fake_openai.requests) == 1  # rounds 0: one request


async def test_rounds_off_sends_one_request_and_says_the_checks_failed(
    package: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=BREAK), Reply(text=DOC))
    app = make_app(package.root, assistant=package)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await _options(app, pilot, verify=True, rounds="0")
        await _send(app, pilot, "simplify indent")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review", 60)
        said = " ".join(screen_text(app).split())
        assert "round 1: checks failed (1) · round 1 taken: repair rounds are off" in said
    assert len(fake_openai.requests) == 1


async def test_a_projects_own_test_command_waits_for_tome_trust(
    make_repo, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """The repository's ``.tome.toml`` names a command (untrusted): it does not run, the
    TUI says why in its own terms (no CLI flag), and the detected pytest runs instead."""
    marker = tmp_path / "pwned"
    root = make_repo({**PACKAGE, ".tome.toml": f'test_cmd = "touch {marker}"\n'})
    fake_openai.push(Reply(text=DOC))
    with quick_assistant(root, fake_openai) as a:
        app = make_app(root, assistant=a)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            await pilot.press("f2")
            await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the dialog")
            await pilot.press("space")
            await until(pilot, lambda: "tome trust" in _preview(app), "the refusal")
            detected, refused = _preview(app).split("\n")
            assert detected == DETECTED
            assert refused.startswith("not run: ") and "sets test_cmd = " in refused
            assert "--test-cmd" not in refused and "'tome trust'" in refused
            await pilot.press("ctrl+s")
            await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "Compose")
            assert "verify test, 1 left out" in screen_text(app)
            await _send(app, pilot, "tidy the docstring")
            await until(pilot, lambda: isinstance(app.screen, ReviewScreen), "the review", 60)
            said = " ".join(screen_text(app).split())
            assert "round 1: checks passed" in said
    assert not marker.exists()
    assert len(fake_openai.requests) == 1


async def test_nothing_to_check_is_said_with_the_tuis_own_control(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    root = make_repo({"notes.txt": "plain text, no tests\n"})
    with quick_assistant(root, fake_openai) as a:
        app = make_app(root, assistant=a)
        async with app.run_test(size=SIZE) as pilot:
            await _settle(app, pilot)
            await pilot.press("f2")
            await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the dialog")
            await pilot.press("space")
            want = "type a test or lint command in the options (f2)"
            await until(pilot, lambda: want in _preview(app), "the note")
            assert _preview(app).startswith("not run: no test or lint command configured")
            assert "--test-cmd" not in _preview(app)


# -- git context ----------------------------------------------------------------------------


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture
def history(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    """A repository with three commits (the first tagged v1) and an uncommitted change."""
    root = make_repo({"app.py": "def greet():\n    return 'hi'\n", "README.md": "# demo\n"})
    _git(root, "tag", "v1")
    (root / "app.py").write_text("def greet():\n    return 'hello'\n")
    _git(root, "commit", "-qam", "say hello, not hi")
    (root / "README.md").write_text("# demo\n\nA greeting.\n")
    _git(root, "commit", "-qam", "describe the demo")
    (root / "app.py").write_text("def greet():\n    return 'hello there'\n")  # uncommitted
    with quick_assistant(root, fake_openai) as a:
        yield a


async def test_git_options_reach_the_request_and_the_meter_counts_them(
    history: Assistant, fake_openai: FakeOpenAI
) -> None:
    from tui.widgets.budget_meter import BudgetMeter

    fake_openai.push(Reply(text="Nothing to change.\n"))
    app = make_app(history.root, assistant=history)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        compose = app.screen
        before = compose.query_one(BudgetMeter).budget
        assert before is not None
        await _options(app, pilot, since="v1", log="2")
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the dialog")
        app.screen.query_one("#git-diff").focus()
        await pilot.press("space", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "Compose")
        await _settle(app, pilot)
        assert "git diff, since v1, log 2" in screen_text(app)
        estimate = compose.query_one(BudgetMeter).budget
        assert estimate is not None and not estimate.planned
        assert estimate.tokens > before.tokens + 40  # the git sections are counted
        await _send(app, pilot, "explain the greeting")
        planned = compose.query_one(BudgetMeter).budget
    [request] = fake_openai.requests
    user = request.messages[1]["content"]
    assert "return 'hello there'" in user  # the uncommitted diff
    assert "say hello, not hi" in user and "describe the demo" in user  # the log
    expected = history.plan(
        "explain the greeting", git=SendOptions(diff=True, since="v1", log=2).git()
    )
    assert request.messages == list(expected.messages)  # what the CLI would send
    assert planned is not None and planned.planned
    assert planned.tokens == expected.prompt_tokens


async def test_a_bad_since_ref_is_said_in_the_tuis_terms_and_nothing_is_sent(
    history: Assistant, fake_openai: FakeOpenAI
) -> None:
    app = make_app(history.root, assistant=history)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await _options(app, pilot, since="no-such-branch")
        await _settle(app, pilot)
        said = _toasts(app)  # the count of the pack says it first
        assert "git context: since 'no-such-branch': no such branch, tag or commit" in said
        assert "change or clear since in the options (f2)" in said
        await _send(app, pilot, "explain the greeting")
        said = _toasts(app).splitlines()[-1]  # and the send, which is refused
        assert said.startswith("cannot send this: since 'no-such-branch': no such branch")
        assert said.endswith("in the options (f2)") and "--since" not in _toasts(app)
        assert isinstance(app.screen, ComposeScreen)
    assert fake_openai.requests == []


async def test_a_hostile_since_cannot_become_a_git_option(
    history: Assistant, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    """``--output=FILE`` typed as the ref: refused in the dialog (it stays open, saying
    why); set past the dialog, the packer refuses it: no file written, nothing sent."""
    target = tmp_path / "x"
    hostile = f"--output={target}"
    app = make_app(history.root, assistant=history)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        await pilot.press("f2")
        await until(pilot, lambda: isinstance(app.screen, OptionsScreen), "the dialog")
        app.screen.query_one("#since", Input).focus()
        await pilot.press(*hostile, "enter")
        await pilot.pause()
        assert isinstance(app.screen, OptionsScreen)  # not taken
        said = " ".join(screen_text(app).split())
        assert "is not a branch, tag or commit" in said and "start with '-'" in said
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ComposeScreen), "Compose")
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        compose._options_chosen(SendOptions(since=hostile))  # as if the dialog let it by
        await _settle(app, pilot)
        await _send(app, pilot, "explain the greeting")
        said = _toasts(app).splitlines()[-1]
        assert said.startswith("cannot send this: since needs a branch, tag or commit")
        assert said.endswith("change or clear since in the options (f2)")
    assert not target.exists()
    assert fake_openai.requests == []


async def test_the_stream_marks_the_checks_as_they_run_and_end(package: Assistant) -> None:
    """Real checks (a passing and a failing command, in the scratch) through the Stream
    screen's checker: the edits list marks each run and its verdict, in order."""
    import threading

    from textual.widgets import OptionList

    from assistant.commands import Command
    from assistant.session import Event, TextDelta
    from tui.screens.stream import StreamScreen

    passing = Verifier(package.root, [Command("test", "true", None, "t")], timeout=30)
    failing = Verifier(package.root, [Command("lint", "false", None, "t")], timeout=30,
                       baseline=False)  # fmt: skip

    def source(cancel: threading.Event) -> Iterator[Event]:
        yield TextDelta("first answer")
        assert screen.showing(passing).check({}).passed  # type: ignore[union-attr]
        assert not screen.showing(failing).check({}).passed  # type: ignore[union-attr]
        yield TextDelta(" and more")

    screen = StreamScreen(source, title="checks")
    app = make_app(package.root, assistant=package)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        app.push_screen(screen)
        await _settle(app, pilot)
        edits = screen.query_one("#edits", OptionList)
        shown = [str(edits.get_option_at_index(i).prompt) for i in range(edits.option_count)]
        assert shown == ["── checks: test ──", "   checks passed",
                         "── checks: lint ──", "   checks 1 new failure"]  # fmt: skip
        assert screen.showing(None) is None  # verify off: no checker
