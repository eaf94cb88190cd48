"""Repair rounds in the TUI: the Stream screen marks each round with a separator and its
line, the round's text below it; the Review screen says what each round did."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from fakeopenai import FakeOpenAI, Reply
from greetkit import rename
from textual.widgets import OptionList
from tuikit import quick_assistant, screen_text

from assistant.rounds import Round
from assistant.session import Assistant, Event, TextDelta
from tui.app import make_app
from tui.screens.review import ReviewScreen
from tui.screens.stream import StreamScreen

pytestmark = pytest.mark.anyio
SIZE = (120, 40)
APP = 'def greet(name):\n    return "hi " + name\n\n\ndef main():\n    print(greet("world"))\n'
FIRST = (
    rename(lead="I rename greet.\n\n")
    + """
app.py
```python
<<<<<<< SEARCH
    print(greet("planet"))
=======
    print(welcome("world"))
>>>>>>> REPLACE
```
"""
)
SECOND = """The call, as the file has it.

app.py
```python
<<<<<<< SEARCH
    print(greet("world"))
=======
    print(welcome("world"))
>>>>>>> REPLACE
```
"""


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    with quick_assistant(make_repo({"app.py": APP, "README.md": "# demo\n"}), fake_openai) as a:
        yield a


async def test_stream_shows_a_separator_and_the_rounds_text(assistant: Assistant) -> None:
    line = Round(2, "placement", 3, 0, 118_000, 121_000)

    def source(cancel: threading.Event) -> Iterator[Event]:
        yield TextDelta("first answer")
        yield line
        yield TextDelta("second answer")

    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        screen = StreamScreen(source, title="rename")
        app.push_screen(screen)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        said = "round 2: 3 hunks did not place; asking again (cache: 118,000 of 121,000"
        assert said in text
        assert text.index("first answer") < text.index(said) < text.index("second answer")
        edits = screen.query_one("#edits", OptionList)
        assert "── round 2 ──" in str(edits.get_option_at_index(0).prompt)
        assert "round 2" in str(screen.query_one("#stream-stats").render())


async def test_review_says_what_each_round_did(
    assistant: Assistant, fake_openai: FakeOpenAI
) -> None:
    fake_openai.push(Reply(text=FIRST), Reply(text=SECOND))
    app = make_app(assistant.root, assistant=assistant)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*"rename greet")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        text = screen_text(app)
        assert (
            "round 1: 1 hunk did not place · round 2: 1 fixed · round 2 taken: every hunk placed"
            in text
        )
        assert [h.failure for h in app.screen.state.files[0].hunks] == [None, None]
    assert len(fake_openai.requests) == 2
