"""The history store: transactions survive crashes, the schema is versioned, edits round-trip."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sessiondata import RENAME

from assistant.edits import parse_edits
from assistant.errors import AssistantError, ConfigError
from assistant.store import Decision, Store, edits_from_json, edits_to_json

MANIFEST = [("a.py", "0" * 40, "full", 10), ("b.py", "1" * 40, "skeleton", 20)]


def _begin(store: Store, task: str = "t", created: float | None = None) -> int:
    return store.begin(task=task, backend="b", model="m", encoding="cl100k_base", budget=None,
                       tokens=30, paths=None, edit_format="search-replace", manifest=MANIFEST,
                       created=created)  # fmt: skip


def _finish(store: Store, sid: int, **changes: object) -> None:
    args: dict[str, object] = dict(
        status="answered", answer=RENAME, finish_reason="stop", truncated=False,
        continuations=0, retries=0, cost=0.5, edits=parse_edits(RENAME),
        usage={"prompt_tokens": 9, "completion_tokens": 3, "cache_hit_tokens": 4,
               "cache_miss_tokens": 5, "estimated": False},
        sources={"texts": {}}, problems=[],
    )  # fmt: skip
    args.update(changes)
    store.finish(sid, **args)  # type: ignore[arg-type]


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
    assert loaded.manifest == tuple(sorted(MANIFEST))
    assert loaded.answer == RENAME and loaded.cost == 0.5 and loaded.usage["cache_hit_tokens"] == 4  # type: ignore[index]
    assert loaded.decisions == (Decision("app.py", 1, "accepted", "no"),)
    assert loaded.summary.files == 2 and loaded.summary.status == "answered"
    assert store.load(sid + 1) is None


def test_an_exception_mid_transaction_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(tmp_path / "h.db")
    sid = _begin(store)

    def boom(_: object) -> str:
        raise RuntimeError("crash while serialising")

    monkeypatch.setattr("assistant.store.edits_to_json", boom)
    with pytest.raises(RuntimeError):
        _finish(store, sid)  # answers and usage were inserted before the failure
    with sqlite3.connect(store.path) as con:
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
        assert con.execute("SELECT COUNT(*) FROM usage").fetchone() == (0,)
        assert con.execute("SELECT status FROM sessions").fetchone() == ("streaming",)
    monkeypatch.undo()
    _finish(store, sid)  # and it can be finished afterwards
    assert store.sessions()[0].status == "answered"


def test_a_process_killed_mid_write_leaves_a_consistent_database(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    sid = _begin(store)
    script = textwrap.dedent(f"""
        import os
        from assistant.store import Store
        store = Store({str(store.path)!r})
        with store._db() as con:
            con.execute("INSERT INTO answers VALUES ({sid}, 'half', 'stop', 0, 0, 0)")
            con.execute("UPDATE sessions SET status = 'answered'")
            os._exit(9)  # killed before the commit
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 9, done.stderr
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone() == (0,)
    assert store.sessions()[0].status == "streaming"
    _finish(store, sid)  # the lock died with the process
    assert store.load(sid).answer == RENAME  # type: ignore[union-attr]


def test_the_schema_is_versioned(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    _begin(store)
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (1,)
        assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        con.execute("PRAGMA user_version = 99")
    with pytest.raises(ConfigError, match="schema 99"):
        Store(store.path).sessions()


def test_a_damaged_database_is_an_assistant_error(tmp_path: Path) -> None:
    path = tmp_path / "h.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(AssistantError, match="move it away"):
        Store(path).sessions()


def test_prune_cascades_and_gives_the_space_back(tmp_path: Path) -> None:
    store = Store(tmp_path / "h.db")
    ids = [_begin(store, f"task {i}", created=1000.0 + i) for i in range(30)]
    for sid in ids:
        _finish(store, sid, answer=RENAME * 50)
    big = store.size()
    assert store.prune(older_than=1e6) == 30  # created in 1970
    assert store.count() == 0 and store.size() < big / 4
    with sqlite3.connect(store.path) as con:
        for table in ("manifests", "answers", "usage", "changesets"):
            assert con.execute(f"SELECT COUNT(*) FROM {table}").fetchone() == (0,)
    with pytest.raises(ValueError):
        store.prune()
