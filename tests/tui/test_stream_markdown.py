"""The Stream screen renders the answer as inert Markdown and says how the answer ended.

Against the fake OpenAI server on 127.0.0.1: an answer without edits stays on the Stream
screen, so what its title, status line and footer say is on screen to assert on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import backend_for
from tuikit import screen_text, until

from assistant.errors import BackendUnavailable
from assistant.model import Client, ClientOptions, RetryPolicy, Timeouts
from assistant.session import Assistant, TextDelta
from tui.app import TomeApp
from tui.screens.stream import StreamScreen

pytestmark = pytest.mark.anyio
SIZE = (100, 30)
FAST = ClientOptions(
    retry=RetryPolicy(max_retries=0, base=0.001, cap=1.0),
    timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
    max_continuations=0,
)
PROSE = """# Why the parser is slow

The tokenizer is rebuilt on **every call**; caching it in `load()` fixes it.

- first point
- second point
"""
HOSTILE = (
    "Read [the key](file:///etc/passwd) or [this](http://127.0.0.1:9/steal) or "
    "<http://127.0.0.1:9/auto>, &#27;[2J and \x1b]8;;file:///etc/shadow\x1b\\here\x1b]8;;\x1b\\ "
    "then \x1b[31mred\x1b[0m and \x9b2J.\n"
)


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    root = make_repo({"app.py": "print('hi')\n"})
    backend = backend_for(fake_openai, encoding="cl100k_base", continuation="message")
    client = Client(backend, options=FAST, sleep=lambda _: None)
    yield Assistant.open(root, client=client)
    client.close()


def _stream(assistant: Assistant, task: str = "explain") -> TomeApp:
    def source(cancel: threading.Event) -> Iterator[Any]:
        return assistant.stream(task, cancel=cancel)

    return TomeApp(assistant.root, lambda app: StreamScreen(source, title=task),
                   assistant=assistant)  # fmt: skip


async def _settle(app: TomeApp, pilot: Any) -> None:
    await app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause()


def _segments(app: TomeApp) -> list[Any]:
    return [seg for strip in app.screen._compositor.render_strips() for seg in strip]


async def test_prose_is_rendered_as_markdown_and_complete(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=PROSE, chunk_chars=5))
    app = _stream(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StreamScreen)
        text = screen_text(app)
        assert "Why the parser is slow" in text and "# Why" not in text  # a heading
        assert "every call" in text and "**every" not in text  # bold, not asterisks
        assert "• first point" in text or "first point" in text.replace("•", "")
        title = text.splitlines()[0]
        assert "answer complete" in title and "Asking" not in title
        assert "answer complete" in text.splitlines()[-2]  # the status line above the footer
        assert "Back" in text.splitlines()[-1] and "Cancel" not in text.splitlines()[-1]


async def test_while_streaming_the_title_says_so(assistant: Assistant) -> None:
    """The source sends one delta and then stalls until cancelled (a model thinking): the
    first text shows at once, not when the next delta comes, and the screen says it is
    streaming. Each condition is waited for (``until``), never read one pause later."""
    started = threading.Event()

    def source(cancel: threading.Event) -> Iterator[Any]:
        yield TextDelta("thinking about it\n")
        started.set()
        cancel.wait(60)  # the test's bound; cancelled at its end

    app = TomeApp(assistant.root, lambda app: StreamScreen(source, title="slow"))
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, started.is_set, "the first delta")

        def drawn() -> bool:  # under load the first frame can come after the delta
            lines = screen_text(app).splitlines()
            return (
                len(lines) > 2
                and "thinking about it" in "\n".join(lines)
                and "streaming" in lines[0]
                and "Cancel" in lines[-1]
            )

        await until(pilot, drawn, "the first text, the streaming title and the footer")
        lines = screen_text(app).splitlines()
        assert "streaming" in lines[0] and "complete" not in lines[0]
        assert "Cancel" in lines[-1]
        assert not app.screen.done  # type: ignore[attr-defined]
        app.screen.cancel.set()  # type: ignore[attr-defined]


async def test_a_cut_off_answer_says_so(assistant: Assistant, fake_openai: FakeOpenAI) -> None:
    fake_openai.push(Reply(text="The first half of an explanation", finish_reason="length"))
    app = _stream(assistant)
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        lines = screen_text(app).splitlines()
        assert "answer cut off" in lines[0]
        assert "answer cut off (finish_reason=length)" in lines[-2]


async def test_a_failed_answer_says_so(assistant: Assistant) -> None:
    def source(cancel: threading.Event) -> Iterator[Any]:
        yield TextDelta("partial ")
        raise BackendUnavailable("the server closed the connection")

    app = TomeApp(assistant.root, lambda app: StreamScreen(source, title="doomed"))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        lines = screen_text(app).splitlines()
        assert "answer failed" in lines[0]
        assert "answer failed:" in lines[-2] and "closed the connection" in lines[-2]
        assert "Back" in lines[-1]


async def test_hostile_prose_renders_inert(
    assistant: Assistant, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_openai.push(Reply(text=HOSTILE, chunk_chars=3))
    app = _stream(assistant)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        segments = _segments(app)
        shown = "".join(seg.text for seg in segments)
        assert "\x1b" not in shown and "\x9b" not in shown
        assert "\\x1b]8;;file:///etc/shadow" in shown  # shown as text, escaped
        assert "\\x9b2J" in shown
        assert "&#27;" in shown  # an entity stays as written, never decodes to ESC
        # links stay text: no segment carries a link (OSC 8 in a real terminal)
        assert not [seg for seg in segments if seg.style is not None and seg.style.link]
        assert "[the key](file:///etc/passwd)" in shown.replace("\n", "")
        rows = app.screen.query_one("#answer").region.height
        assert rows >= 2
        for y in range(rows):  # click over every answer row, links included: nothing opens
            for x in range(0, 60, 4):
                await pilot.click("#answer", offset=(x, y))
        assert isinstance(app.screen, StreamScreen)
        await pilot.pause()
    assert opened == []
    assert len(fake_openai.requests) == 1  # nothing fetched the links


async def test_a_huge_answer_goes_plain_and_keeps_every_line(assistant: Assistant) -> None:
    """2 MB of prose in one burst: past MARKDOWN_LIMIT the answer is a plain log (a widget
    per Markdown block would freeze the app for tens of seconds), with nothing lost."""
    from textual.widgets import Log

    from tui.screens.stream import MARKDOWN_LIMIT

    para = "Prose about the change with `code` and **bold** words. " * 6 + "\n\n"

    def source(cancel: threading.Event) -> Iterator[Any]:
        for i in range(3000):
            yield TextDelta(f"## Part {i}\n\n" + para * 2)
        yield TextDelta("THE END\n")

    app = TomeApp(assistant.root, lambda app: StreamScreen(source, title="big"))
    async with app.run_test(size=SIZE) as pilot:
        await _settle(app, pilot)
        screen = app.screen
        assert screen.chars > 10 * MARKDOWN_LIMIT  # type: ignore[attr-defined]
        plain = screen.query_one("#answer-plain", Log)
        assert plain.display and not screen.query_one("#answer-scroll").display
        assert plain.lines[0] == "## Part 0" and plain.lines[-2] == "THE END"
        assert sum(line.startswith("## Part ") for line in plain.lines) == 3000
