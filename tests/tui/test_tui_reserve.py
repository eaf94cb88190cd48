"""The output reserve and the prompt are counted once: the TUI's Compose meter, the CLI's
estimate and the request the server receives agree to the token (and the cost to the
cent), and a request that does not fit is explained in the TUI's own terms.

Against the real fake server (tests/fakeopenai.py), which counts each received prompt with
the backend's tokenizer and a chat template's cost (4 tokens a message, 3 before the reply)
and reports it as its usage. The repository holds real code: modules of CPython's stdlib.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant import load_settings, tokens
from assistant.cli import main
from assistant.model import resolve_backend
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.compose import ComposeScreen
from tui.screens.stream import StreamScreen
from tui.widgets.budget_meter import BudgetMeter, describe

SIZE = (120, 40)
BACKEND = "deepseek-v4-flash"  # window 1,048,576, max_output 393,216, priced
TASK = "add type hints to the public functions of wrap.py"
RESERVE = 32_768 + 32_768  # the answer's 32K, and 32K for DeepSeek's default reasoning
ESTIMATE = re.compile(
    r"prompt ([\d,]+) tokens \(\+ up to ([\d,]+) out(?:, reasoning \(\w+\) included)?\): "
    r"est\. \$([\d.]+) uncached / "
    r"\$([\d.]+) if the prefix is cached"
)


def _stdlib(name: str) -> str:
    return (Path(textwrap.__file__).parent / name).read_text(encoding="utf-8")


def _served_prompt(messages: list[dict[str, Any]]) -> int:
    """The server's count: the texts in DeepSeek V4's encoding plus the template's framing."""
    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    return sum(tokens.count(t, "deepseek-v4") for t in texts) + 4 * len(messages) + 3


def _numbers(*texts: str) -> tuple[int, ...]:
    return tuple(int(t.replace(",", "")) for t in texts)


@pytest.fixture
def served(fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch) -> FakeOpenAI:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")
    fake_openai.count_prompt = _served_prompt
    fake_openai.default = Reply(text="Nothing to change.\n")
    return fake_openai


@pytest.fixture
def root(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({"wrap.py": _stdlib("textwrap.py"), "colors.py": _stdlib("colorsys.py")})


@pytest.mark.anyio
async def test_meter_cli_estimate_and_request_agree_to_the_token(
    served: FakeOpenAI, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the CLI: its estimate line, then the request it sent
    code = main(["ask", TASK, "-C", str(root), "--backend", BACKEND, "--base-url", served.base_url])
    err = capsys.readouterr().err
    assert code == 0, err
    found = ESTIMATE.search(err)
    assert found is not None, err
    cli_prompt, cli_reserve = _numbers(found[1], found[2])
    [cli_request] = served.requests
    assert cli_request.body["max_tokens"] == cli_reserve == RESERVE  # not the 393,216 maximum
    assert _served_prompt(cli_request.messages) == cli_prompt
    assert f"usage: {cli_prompt:,} in" in err  # what the server counted and reported

    # the TUI: the same repository, task and backend; the meter, then the request
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    assistant = Assistant.open(root, backend=backend, settings=settings)
    app = make_app(root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        assert isinstance(compose, ComposeScreen)
        await pilot.press(*TASK)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StreamScreen)
        budget = compose.query_one(BudgetMeter).budget
        assert budget is not None
        shown = describe(budget)
    assert (budget.tokens, budget.output) == (cli_prompt, cli_reserve)
    assert budget.planned  # the figures are the plan's, not an estimate
    assert f"{cli_prompt:,} + {cli_reserve:,} of 1,048,576 tokens" in shown
    assert f"cost[/] ${found[3]}" in shown and f"prefix cached[/] ${found[4]}" in shown
    tui_request = served.requests[1]
    assert tui_request.body["max_tokens"] == cli_reserve
    assert _served_prompt(tui_request.messages) == cli_prompt
    assert tui_request.messages == cli_request.messages  # the same prompt, byte for byte


@pytest.mark.anyio
async def test_before_a_plan_the_meter_estimates_with_the_same_reserve_and_overhead(
    served: FakeOpenAI, root: Path
) -> None:
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    assistant = Assistant.open(root, backend=backend, settings=settings)
    app = make_app(root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        budget = app.screen.query_one(BudgetMeter).budget
        assert budget is not None and budget.output == RESERVE  # the reserve sent, not 393,216
        files = sum(tokens.count(_stdlib(n), "deepseek-v4") for n in ("textwrap.py", "colorsys.py"))
        assert budget.tokens == files + assistant.prompt_overhead
        assert assistant.reserve == RESERVE and not budget.planned
        assert "~" in describe(budget)  # said to be an estimate
        await pilot.press(*TASK, "ctrl+r")  # recount with a task: the request is planned
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        planned = app.screen.query_one(BudgetMeter).budget
        assert planned is not None and planned.planned and planned.output == RESERVE
        assert planned.tokens == assistant.plan(TASK).prompt_tokens
    assert served.requests == []  # planning sends nothing


@pytest.mark.anyio
async def test_a_pack_that_cannot_fit_says_what_to_do_in_tui_terms(
    served: FakeOpenAI, root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a window too small for the system message, the pack's header and the output reserve
    (root / ".tome.toml").write_text(f"[backends.{BACKEND}]\nwindow = 1500\n")
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    assert backend.window == 1_500
    assistant = Assistant.open(root, backend=backend, settings=settings)
    app = make_app(root, assistant=assistant)
    said: list[str] = []
    notify = app.notify

    def record(message: str, **options: Any) -> None:
        said.append(str(message))
        notify(message, **options)

    monkeypatch.setattr(app, "notify", record)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"rename wrap", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ComposeScreen)  # nothing was sent
    assert served.requests == []
    [message] = [m for m in said if "window" in m or "budget" in m]
    assert "exclude files in the Compose tree" in message and "ctrl+n" in message
    assert "--" not in message  # no command-line option inside the TUI


@pytest.mark.anyio
async def test_a_refused_context_length_says_what_to_do_in_tui_terms(
    served: FakeOpenAI, root: Path
) -> None:
    served.push(Reply(status=400, error="This model's maximum context length is 131072 tokens"))
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    assistant = Assistant.open(root, backend=backend, settings=settings)
    app = make_app(root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"rename wrap", "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StreamScreen) and screen.failed is not None
        failed = screen.failed
    assert "maximum context length" in failed and "exclude files in the Compose tree" in failed
    assert "--" not in failed


def test_the_cli_still_names_its_options_for_a_request_that_cannot_fit(
    served: FakeOpenAI, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (root / ".tome.toml").write_text(f"[backends.{BACKEND}]\nwindow = 1500\n")
    argv = ["ask", "x", "-C", str(root), "--backend", BACKEND, "--base-url", served.base_url]
    assert main(argv) == 2  # a PackError: a usage error (tome ask's exit codes)
    err = capsys.readouterr().err
    assert "does not even hold the pack's header" in err
    assert "raise --budget or narrow the pack with --include/--exclude" in err
    assert served.requests == []


def _with_history(root: Path) -> None:
    """Tag the first commit v1, commit a change after it, leave another uncommitted."""
    import subprocess

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    git("tag", "v1")
    wrap = root / "wrap.py"
    wrap.write_text(wrap.read_text().replace("Text wrapping and filling.", "Wrap and fill text."))
    git("commit", "-qam", "wrap: a shorter docstring")
    colors = root / "colors.py"
    colors.write_text(colors.read_text().replace("Conversion functions", "Conversions"))


@pytest.mark.anyio
async def test_with_git_context_the_meter_cli_and_request_agree_to_the_token(
    served: FakeOpenAI, root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``tome ask --git-diff --since v1 --log 2`` and Compose with the same options (f2):
    the same prompt, byte for byte, and the meter shows its tokens; before the plan, the
    estimate counts the git sections (their tokens in the pack) on top of the files."""
    from textual.widgets import Checkbox, Input

    from assistant import PackOptions, pack
    from assistant.packing import GitOptions
    from tui.screens.options import OptionsScreen

    _with_history(root)
    git = ["--git-diff", "--since", "v1", "--log", "2"]
    argv = ["ask", TASK, "-C", str(root), "--backend", BACKEND, "--base-url", served.base_url]
    assert main([*argv, *git]) == 0
    found = ESTIMATE.search(capsys.readouterr().err)
    assert found is not None
    cli_prompt = _numbers(found[1])[0]
    [cli_request] = served.requests
    assert _served_prompt(cli_request.messages) == cli_prompt
    user = cli_request.messages[1]["content"]
    assert "Conversion functions" in user  # only in the uncommitted diff: the file has changed
    assert "wrap: a shorter docstring" in user  # the log

    settings = load_settings(project=root)
    backend = resolve_backend(settings, name=BACKEND, base_url=served.base_url)
    assistant = Assistant.open(root, backend=backend, settings=settings)
    app = make_app(root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        compose = app.screen
        plain = compose.query_one(BudgetMeter).budget
        assert plain is not None
        await pilot.press("f2")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OptionsScreen)
        dialog.query_one("#git-diff", Checkbox).value = True
        dialog.query_one("#since", Input).value = "v1"
        dialog.query_one("#log", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        estimate = compose.query_one(BudgetMeter).budget
        assert estimate is not None and not estimate.planned
        options = PackOptions(git=GitOptions(diff=True, since="v1", log=2))
        git_tokens = pack(root, encoding="deepseek-v4", options=options).git_tokens
        assert git_tokens > 50 and estimate.tokens == plain.tokens + git_tokens
        await pilot.press(*TASK, "ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, StreamScreen)
        budget = compose.query_one(BudgetMeter).budget
    assert budget is not None and budget.planned and budget.tokens == cli_prompt
    tui_request = served.requests[1]
    assert _served_prompt(tui_request.messages) == cli_prompt
    assert tui_request.messages == cli_request.messages  # the same prompt, byte for byte
