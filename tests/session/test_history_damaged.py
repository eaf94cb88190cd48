"""A damaged history database is a HistoryError that says what to do, at the history edge.

Two kinds of damage: a file SQLite cannot read at all, and rows SQLite reads fine that hold
what tome never wrote (a hand edit, a torn copy). Either way the CLI and the TUI get one
``assistant.errors`` class, never a ``sqlite3`` error or a bare ``ValueError``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import RENAME, REPO, AssistantFactory

from assistant.errors import HistoryError
from assistant.history import History
from assistant.store import Store


@pytest.fixture
def answered(make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI) -> Path:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    make_assistant(root).ask("rename greet")
    return root


def test_a_file_that_is_not_a_database_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="move it away"):
        Store(path).listing()


def test_rows_tome_never_wrote_are_a_history_error(answered: Path) -> None:
    history = History(answered)
    [summary] = history.sessions()
    assert history.load(summary.session_id).changeset is not None  # readable as written
    with sqlite3.connect(history.store.path) as con:
        con.execute("UPDATE decisions SET state = 'half-applied'")
        con.execute("UPDATE changesets SET sources = '{not json'")
    con.close()
    with pytest.raises(HistoryError, match=f"session {summary.session_id} .* cannot be read"):
        history.load(summary.session_id)
    with pytest.raises(HistoryError, match="move it away"):
        history.load(summary.session_id)


def test_the_cli_says_so_in_one_line(answered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from assistant.cli import main

    store = History(answered).store
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE changesets SET edits = '[{\"path\"'")
    con.close()
    assert main(["history", "-C", str(answered), "--json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: error: ") and "cannot be read" in err
    assert "Traceback" not in err
