"""Old history databases open and are upgraded in place; a newer one is refused untouched.

``tests/fixtures/history/v1.db`` was written by tome's code of schema 1 (before the
migrations; ``make_v1.py`` beside it says how), with real sessions: a send-back with a
reason and its answer, a failed request, a cancelled one with a restricted pack, an
undone apply, a partial undo (two applies, the first committed), a commit and an apply.
``v1.json`` is what that tome read back from the file: every session must read the same
after the upgrade, field by field.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from assistant import store as store_module
from assistant.errors import AssistantError, ConfigError
from assistant.history import History
from assistant.store import MIGRATIONS, SCHEMA_VERSION, Store, edits_from_json

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "history"
EXPECTED = json.loads((FIXTURES / "v1.json").read_text())
STATUS = {  # the status each session has now (schema 1 said "undone" for 6, "applied" for 7)
    1: "answered", 2: "answered", 3: "failed", 4: "cancelled", 5: "undone",
    6: "partly undone", 7: "committed", 8: "applied",
}  # fmt: skip
TABLES = ("sessions", "manifests", "answers", "usage", "changesets", "decisions", "applies",
          "undos")  # fmt: skip


def _plain(value: Any) -> Any:
    """``value`` as JSON would give it back (tuples become lists)."""
    return json.loads(json.dumps(value))


def _same(got: Any, want: Any, where: str) -> None:
    """Every field ``want`` (schema 1's reading) has is equal in ``got``; a field ``got``
    has beyond those must hold its default (added after schema 1)."""
    if isinstance(want, dict):
        assert isinstance(got, dict), where
        for key, value in want.items():
            _same(got.get(key), value, f"{where}.{key}")
        return
    if isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), where
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{i}]")
        return
    assert got == want, where


def _new_fields_are_defaults(got: Any, want: Any, where: str) -> None:
    """Fields of a loaded edit that schema 1 did not write (``got`` has, ``want`` lacks)
    hold their empty defaults: an edit read from an old row is the edit it was."""
    if isinstance(want, dict):
        for key, value in got.items():
            if key in want:
                _new_fields_are_defaults(value, want[key], f"{where}.{key}")
            else:
                assert value in (None, False, "", (), [], 0), f"{where}.{key} = {value!r}"
    elif isinstance(want, list):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _new_fields_are_defaults(g, w, f"{where}[{i}]")


@pytest.fixture
def old_db(tmp_path: Path) -> Path:
    path = tmp_path / "history.db"
    shutil.copyfile(FIXTURES / "v1.db", path)
    return path


def _counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_the_fixture_is_a_schema_1_database() -> None:
    with sqlite3.connect(FIXTURES / "v1.db") as con:
        assert con.execute("PRAGMA user_version").fetchone() == (1,)
        columns = {r[1] for r in con.execute("PRAGMA table_info(sessions)")}
    assert "declined" not in columns and SCHEMA_VERSION > 1


def test_a_schema_1_database_is_upgraded_in_place_and_every_session_survives(
    old_db: Path, tmp_path: Path
) -> None:
    before = _counts(old_db)
    history = History(tmp_path, store=Store(old_db))

    listing = history.sessions(limit=100)

    with sqlite3.connect(old_db) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert _counts(old_db) == before  # nothing dropped, nothing duplicated
    assert [s.session_id for s in listing] == [s["session_id"] for s in EXPECTED["history"]]
    for got, want in zip(listing, EXPECTED["history"], strict=True):
        _same(_plain(dataclasses.asdict(got)), {**want, "status": STATUS[got.session_id]},
              f"summary {got.session_id}")  # fmt: skip
    for want in EXPECTED["sessions"]:
        sid = want["session_id"]
        r = history.load(sid)
        got = {
            **{k: getattr(r, k) for k in want if hasattr(r, k) and k != "manifest"},
            "manifest": dataclasses.asdict(r.manifest),
            "usage": None if r.usage is None else dataclasses.asdict(r.usage),
            "files": [[f.path, f.action, f.move_to, [f.hunk_diff(h.index) for h in f.hunks]]
                      for f in r.changeset],
            "states": {f"{f.path}#{h.index}": str(h.state) for f in r.changeset for h in f.hunks},
        }  # fmt: skip
        rows = history.store.load(sid)
        assert rows is not None
        edits = edits_from_json(rows.changeset["edits"]) if rows.changeset else []
        got["edits"] = [dataclasses.asdict(e) for e in edits]
        _new_fields_are_defaults(_plain(got["edits"]), want["edits"], f"edits of {sid}")
        got["decisions"] = [dataclasses.asdict(d) for d in rows.decisions]
        got["applies"] = [dataclasses.asdict(a) for a in rows.applies]
        assert all(a.hunks is None for a in rows.applies)  # schema 1 did not know them
        _same(_plain(got), want, f"session {sid}")
    # the per-apply states of the partial undo, which schema 1 summed up as "undone"
    partial = history.summary(6)
    assert partial is not None
    assert [a.state for a in partial.applies] == ["committed", "undone"]


def test_the_upgraded_database_takes_new_sessions(old_db: Path, tmp_path: Path) -> None:
    store = Store(old_db)
    store.decline(2)  # a column schema 1 did not have
    [(row, _)] = [x for x in store.listing(limit=100) if x[0]["id"] == 2]
    assert row["declined"] is not None
    assert History(tmp_path, store=store).summary(2).status == "declined"  # type: ignore[union-attr]


def test_a_database_from_a_newer_tome_is_refused_and_left_as_it_is(old_db: Path) -> None:
    with sqlite3.connect(old_db) as con:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    digest = hashlib.sha256(old_db.read_bytes()).hexdigest()
    with pytest.raises(ConfigError, match=f"newer tome .*schema {SCHEMA_VERSION + 1}.*upgrade"):
        Store(old_db).listing()
    assert hashlib.sha256(old_db.read_bytes()).hexdigest() == digest
    assert not Path(f"{old_db}-wal").exists()


def test_an_upgrade_that_fails_midway_leaves_the_old_schema(
    old_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = (*MIGRATIONS, "CREATE TABLE later (a INTEGER); THIS IS NOT SQL")
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(broken))
    with pytest.raises(AssistantError, match="history database"):
        Store(old_db).listing()
    with sqlite3.connect(old_db) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (1,)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        columns = {r[1] for r in con.execute("PRAGMA table_info(sessions)")}
    assert "later" not in tables and "declined" not in columns  # step 2 rolled back too
    monkeypatch.undo()
    assert len(Store(old_db).listing(limit=100)) == 8  # and the real steps still apply


def test_a_new_database_runs_every_step(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.db")
    assert store.listing() == []
    with sqlite3.connect(store.path) as con:
        assert con.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
        applies = {r[1] for r in con.execute("PRAGMA table_info(applies)")}
    assert {"hunks", "commit_sha", "journal"} <= applies


SEMICOLONS = """
-- a step that says what it does; in a comment, with a ; in it
CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL DEFAULT 'a; b');  -- x; y
/* a block comment; still one */
INSERT INTO notes (text) VALUES ('one; two');
INSERT INTO notes (text) VALUES ('it''s; quoted') ;
CREATE TRIGGER notes_touch AFTER INSERT ON notes BEGIN
    UPDATE notes SET text = NEW.text || ';' WHERE id = NEW.id AND NEW.text = 'end';
END;
INSERT INTO notes (text) VALUES ('end')
"""


def test_a_step_with_semicolons_in_comments_strings_and_a_trigger_runs_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Statements are split where SQLite ends them (``sqlite3.complete_statement``), not at
    every ``;``: one in a comment, a string or a trigger's body stays in its statement."""
    steps = (*MIGRATIONS, SEMICOLONS)
    monkeypatch.setattr(store_module, "MIGRATIONS", steps)
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", len(steps))
    assert Store(tmp_path / "new.db").listing() == []
    with sqlite3.connect(tmp_path / "new.db") as con:
        assert con.execute("PRAGMA user_version").fetchone() == (len(steps),)
        texts = [r[0] for r in con.execute("SELECT text FROM notes ORDER BY id")]
        default = con.execute("SELECT dflt_value FROM pragma_table_info('notes') "
                              "WHERE name = 'text'").fetchone()  # fmt: skip
    con.close()
    assert texts == ["one; two", "it's; quoted", "end;"]
    assert default == ("'a; b'",)


def test_the_statements_of_a_step_are_split_where_sqlite_ends_them() -> None:
    got = store_module._statements("CREATE TABLE t (a TEXT DEFAULT ';'); -- c;\nSELECT 1")
    assert [s.strip() for s in got] == ["CREATE TABLE t (a TEXT DEFAULT ';');", "-- c;\nSELECT 1"]
    assert store_module._statements("SELECT 1;\n\n") == ["SELECT 1;"]
