"""The history store: transactions survive crashes, the schema is versioned, edits round-trip."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sessiondata import RENAME

from assistant import store as store_module
from assistant.edits import parse_edits
from assistant.errors import AssistantError, ConfigError
from assistant.store import SCHEMA_VERSION, Decision, Pruned, Store, edits_from_json, edits_to_json

MANIFEST = [
    {"path": "a.py", "blob_sha": "0" * 40, "tier": "full", "tokens": 10},
    {"path": "b.py", "blob_sha": "1" * 40, "tier": "skeleton", "tokens": 20},
]


def _begin(store: Store, task: str = "t", created: float | None = None) -> int:
    return store.begin(task=task, backend="b", model="m", encoding="cl100k_base", budget=None,
                       tokens=30, paths=None, edit_format="search-replace", manifest=MANIFEST,
                       created=created)  # fmt: skip


def _finish(store: Store, sid: int, answer: str = RENAME) -> None:
    store.finish(
        sid, status="answered",
        answer={"text": answer, "finish_reason": "stop", "truncated": False,
                "continuations": 0, "retries": 0},
        usage={"prompt_tokens": 9, "completion_tokens": 3, "cache_hit_tokens": 4,
               "cache_miss_tokens": 5, "estimated": False, "cost": 0.5},
        changeset={"edits": edits_to_json(parse_edits(RENAME)), "sources": '{"texts": {}}',
                   "problems": "[]"},
    )  # fmt: skip


def _status(store: Store) -> str:
    [(row, _applies)] = store.listing()
    return str(row["status"])


def _fails_on(table: str):  # type: ignore[no-untyped-def]
    real = store_module._insert

    def insert(con: sqlite3.Connection, name: str, row: dict[str, object]) -> int:
        if name == table:
            raise RuntimeError("crash while writing")
        return real(con, name, row)

    return insert


def test_edits_round_trip_through_json() -> None:
    edits = parse_edits(RENAME)
    assert edits_from_json(edits_to_json(edits)) == edits


def test_a_session_round_trips(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    sid = _begin(store)
    _finish(store, sid)
    store.decide(sid, [Decision("app.py", 1, "rejected", "no")])
    store.decide(sid, [Decision("app.py", 1, "accepted")])  # the reason is kept
    loaded = store.load(sid)
    assert loaded is not None
    assert [{k: m[k] for k in MANIFEST[0]} for m in loaded.manifest] == MANIFEST
    assert loaded.answer is not None and loaded.answer["text"] == RENAME
    assert loaded.usage is not None and loaded.usage["cost"] == 0.5
    assert loaded.usage["cache_hit_tokens"] == 4
    assert loaded.decisions == (Decision("app.py", 1, "accepted", "no"),)
    assert loaded.session["status"] == "answered" and loaded.session["task"] == "t"
    assert store.load(sid + 1) is None


def test_an_exception_mid_transaction_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "h.db")
    sid = _begin(store)

    monkeypatch.setattr("assistant.store._insert", _fails_on("changesets"))
    with pytest.raises(RuntimeError):
        _finish(store, sid)  # answers and usage were inserted before the failure
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
        assert con.execute("SELECT COUNT(*) FROM usage").fetchone() == (0,)
        assert con.execute("SELECT status FROM sessions").fetchone() == ("streaming",)
    monkeypatch.undo()
    _finish(store, sid)  # and it can be finished afterwards
    assert _status(store) == "answered"


def test_a_process_killed_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    sid = _begin(store)
    script = textwrap.dedent(f"""
        import os
        from assistant.store import Store
        store = Store({str(store.path)!r})
        with store._db() as con:
            con.execute("INSERT INTO answers VALUES ({sid}, 'half', 'stop', 0, 0, 0, '')")
            con.execute("UPDATE sessions SET status = 'answered'")
            os._exit(9)  # killed before the commit
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 9, done.stderr
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
    assert _status(store) == "streaming"
    _finish(store, sid)  # the lock died with the process
    assert store.load(sid).answer["text"] == RENAME  # type: ignore[union-attr,index]


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    _begin(store)
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="schema 99"):
        Store(store.path).listing()


def test_a_damaged_database_is_an_assistant_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(AssistantError, match="move it away"):
        Store(path).listing()


def test_prune_cascades_and_gives_the_space_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    ids = [_begin(store, f"task {i}", created=1000.0 + i) for i in range(30)]
    for sid in ids:
        _finish(store, sid, answer=RENAME * 50)
    big = store.size()
    assert store.prune(older_than=1e6) == Pruned(sessions=30, requests=30)  # made in 1970
    assert store.count() == 0 and store.size() < big / 4
    with sqlite3.connect(store.path) as con:
        for table in ("manifests", "answers", "usage", "changesets"):
            assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
    with pytest.raises(ValueError):
        store.prune()
