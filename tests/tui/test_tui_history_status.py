"""The TUI's History screen shows the status derived per apply: a session with a committed
apply and an undone one is ``partly undone``, a session whose every apply was undone is
``undone``, one never applied is ``answered``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, backend_for
from textual.widgets import DataTable

from assistant.model import Client
from assistant.session import Assistant
from tui.app import make_app
from tui.screens.history import HistoryScreen

pytestmark = pytest.mark.anyio
REPO = {"app.py": 'def greet(name):\n    return "hi " + name\n', "util.py": "def add(a, b):\n"}
RENAME = """app.py
```python
<<<<<<< SEARCH
def greet(name):
=======
def welcome(name):
>>>>>>> REPLACE
```

util.py
```python
<<<<<<< SEARCH
def add(a, b):
=======
def add(a: int, b: int) -> int:
>>>>>>> REPLACE
```
"""


@pytest.fixture
def assistant(make_repo, fake_openai: FakeOpenAI) -> Iterator[Assistant]:  # type: ignore[no-untyped-def]
    root: Path = make_repo(REPO)
    client = Client(backend_for(fake_openai, encoding="cl100k_base"), options=FAST,
                    sleep=lambda _: None)  # fmt: skip
    yield Assistant.open(root, client=client)
    client.close()


async def test_history_shows_partly_undone(assistant: Assistant, fake_openai: FakeOpenAI) -> None:
    fake_openai.push(Reply(text=RENAME), Reply(text=RENAME), Reply(text=RENAME))
    kept = assistant.ask("rename in two steps")
    kept.changeset.accept("app.py")
    assistant.apply(kept, commit=True)
    kept.changeset.accept("util.py")
    assistant.apply(kept)
    assistant.undo(kept.session_id)
    # app.py is renamed now: util.py only (its failed app.py hunk is not sent back)
    gone = assistant.ask("rename and take it back", max_rounds=0)
    gone.changeset.accept("util.py")
    assistant.apply(gone)
    assistant.undo(gone.session_id)
    assistant.ask("only look", max_rounds=0)
    app = make_app(assistant.root, assistant=assistant, screen="history")
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        table = app.screen.query_one(DataTable)
        status = [str(table.get_row_at(i)[2]) for i in range(table.row_count)]
    assert status == ["answered", "undone", "partly undone"]
