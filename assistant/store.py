"""Session history: one SQLite database per repository, at ``<root>/.tome/history.db``.

What is kept, per session: the request (task, backend, model, the pack's paths and budget),
the pack manifest (path, blob sha, tier, tokens of every file), the raw answer, usage and
cost, the parsed edits with the packed text of every file they touch (so a session can be
reviewed again without the repository's history), the hunks split in review (in order, so
loading splits them again and the decisions' numbers mean the same pieces), per-hunk
decisions (with the reason a hunk was rejected), a decline (the user said no to applying the answer), applies (the
worktree journal, the paths and hunks written, the commit if any) and undos. No status is
stored beyond how the answer ended: what became of a session is derived from these events
(:mod:`assistant.history.status`).

Durability: the database runs in WAL mode and every public method is one transaction, so a
crash (or a kill) leaves either all of a step or none of it. A session whose process died
while the answer streamed stays ``streaming``; nothing half-written is ever read back.

Growth is bounded by :meth:`Store.prune` (``tome history --prune``); :meth:`Store.size` is
printed by ``tome history`` so growth is never silent.

**Schema and migrations.** :data:`MIGRATIONS` is the list of schema steps, the first one
creating today's tables from nothing; ``PRAGMA user_version`` says how many ran. Opening a
database runs the missing steps in one transaction (a crash leaves the old schema), so a
file written by an older tome is upgraded in place; a file from a newer tome is refused,
never migrated down. A step, once released, is never edited: append a new one.

This module is the SQLite edge: it stores and returns named rows (``dict`` by column name,
:class:`SessionRows`) and knows nothing of models or diffs beyond their serialised form
(:func:`edits_to_json` / :func:`edits_from_json`). :mod:`assistant.history` maps rows to
results and back, in one place.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import fsio, repo
from .edits import FileEdit, Hunk
from .errors import ConfigError, HistoryError

__all__ = [
    "DB_NAME",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ApplyRow",
    "Decision",
    "Pruned",
    "Row",
    "SessionRows",
    "Store",
    "edits_from_json",
    "edits_to_json",
]

DB_NAME = "history.db"

Row = dict[str, Any]
"""One row by column name."""

_V1 = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    task TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    status TEXT NOT NULL,           -- streaming, answered, truncated, cancelled, failed
    error TEXT,
    encoding TEXT NOT NULL,
    budget INTEGER,
    tokens INTEGER NOT NULL,        -- tokens of the pack
    paths TEXT,                     -- JSON list: the pack was restricted to these, or NULL
    edit_format TEXT NOT NULL
);
CREATE INDEX sessions_created ON sessions(created);
CREATE TABLE manifests (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    blob_sha TEXT NOT NULL,
    tier TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    PRIMARY KEY (session_id, path)
) WITHOUT ROWID;
CREATE TABLE answers (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    text TEXT NOT NULL,
    finish_reason TEXT,
    truncated INTEGER NOT NULL,
    continuations INTEGER NOT NULL,
    retries INTEGER NOT NULL
);
CREATE TABLE usage (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cache_hit_tokens INTEGER NOT NULL,
    cache_miss_tokens INTEGER NOT NULL,
    estimated INTEGER NOT NULL,
    cost REAL
);
CREATE TABLE changesets (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    edits TEXT NOT NULL,            -- JSON: the parsed edits, in answer order
    sources TEXT NOT NULL,          -- JSON: what the edits were located in (texts, bases)
    problems TEXT NOT NULL          -- JSON list of what could not be read or was refused
);
CREATE TABLE decisions (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    hunk INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT,
    decided REAL NOT NULL,
    PRIMARY KEY (session_id, path, hunk)
) WITHOUT ROWID;
CREATE TABLE applies (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    journal TEXT NOT NULL,
    paths TEXT NOT NULL,            -- JSON list of the paths written, created or deleted
    merged TEXT NOT NULL,           -- JSON list of the paths merged three ways
    commit_sha TEXT,
    created REAL NOT NULL
);
CREATE INDEX applies_journal ON applies(journal);
CREATE TABLE undos (
    id INTEGER PRIMARY KEY,
    session_id INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    apply_id INTEGER REFERENCES applies(id) ON DELETE SET NULL,
    journal TEXT NOT NULL,
    paths TEXT NOT NULL,
    created REAL NOT NULL
);
"""

_V2 = """
ALTER TABLE sessions ADD COLUMN declined REAL;  -- when the user declined to apply the answer
ALTER TABLE applies ADD COLUMN hunks TEXT;      -- JSON [[path, index], ...] this apply wrote
CREATE INDEX undos_apply ON undos(apply_id);
"""

_V3 = """
ALTER TABLE changesets ADD COLUMN splits TEXT;  -- JSON [[path, hunk, lines, pieces], ...]
"""

_V4 = """
ALTER TABLE sessions ADD COLUMN message TEXT;   -- a follow-up's own user message (NULL: first)
"""

_V5 = """
ALTER TABLE usage ADD COLUMN reasoning_tokens INTEGER NOT NULL DEFAULT 0;  -- of completion
"""

_V6 = """
ALTER TABLE answers ADD COLUMN reasoning TEXT NOT NULL DEFAULT '';  -- shown apart, not sent back
"""

_V7 = """
ALTER TABLE sessions ADD COLUMN batch TEXT;       -- tome batch: the batch this task is of
ALTER TABLE sessions ADD COLUMN batch_task TEXT;  -- its task id in that batch
CREATE INDEX sessions_batch ON sessions(batch, batch_task);
CREATE TABLE batches (
    id TEXT PRIMARY KEY,      -- the batch id (tome/<id>/<task> branches)
    created REAL NOT NULL,
    via TEXT NOT NULL,        -- direct, openai-batch, jsonl
    backend TEXT NOT NULL,
    remote TEXT,              -- the provider's batch id (openai-batch)
    tasks TEXT NOT NULL       -- JSON [{id, task, paths, repo}, ...] as validated
);
"""

_V8 = """
CREATE TABLE rounds (
    session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    request_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,  -- round 1's
    number INTEGER NOT NULL,        -- 1: the first answer, then the repair rounds
    reason TEXT NOT NULL,           -- first, placement, checks
    failed INTEGER,                 -- hunks that do not place after it (NULL: it failed)
    fixed INTEGER,
    checks TEXT,                    -- passed, failed (NULL: not run)
    check_failures INTEGER,
    prompt_tokens INTEGER NOT NULL,
    stable_prefix_tokens INTEGER NOT NULL,
    report TEXT,                    -- JSON CheckReport of its changeset (NULL: not run)
    stopped TEXT,                   -- why the loop stopped (every round of it, at the end)
    taken INTEGER NOT NULL DEFAULT 0  -- 1: the round whose changeset the loop gave
);
CREATE INDEX rounds_request ON rounds(request_id);
"""

MIGRATIONS: tuple[str, ...] = (_V1, _V2, _V3, _V4, _V5, _V6, _V7, _V8)
"""``MIGRATIONS[n]`` takes a database of schema ``n`` to ``n + 1`` (schema 0: a new file).
Statements end at a ``;`` that ends them for SQLite (not one in a comment, a string or a
trigger's body). Append, never edit: released steps ran on users' files."""

SCHEMA_VERSION = len(MIGRATIONS)


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What the user decided for one hunk (``state`` is a ``HunkState`` value)."""

    path: str
    hunk: int
    state: str
    reason: str | None = None


@dataclass(frozen=True)
class Pruned:
    """What :meth:`Store.prune` deleted: requests, and sessions (their rounds included)."""

    sessions: int
    requests: int


@dataclass(frozen=True)
class ApplyRow:
    """One apply of a session, with whether an undo reverted it."""

    id: int
    session_id: int
    journal: str
    paths: tuple[str, ...]
    merged: tuple[str, ...]
    commit: str | None
    created: float
    undone: bool
    hunks: tuple[tuple[str, int], ...] | None = None
    """The hunks this apply wrote (None: recorded before schema 2, only ``paths`` known)."""


@dataclass(frozen=True)
class SessionRows:
    """Everything kept about one session, as rows by column name (see the schema)."""

    session: Row
    manifest: tuple[Row, ...]
    """By path."""
    answer: Row | None
    usage: Row | None
    changeset: Row | None
    decisions: tuple[Decision, ...]
    applies: tuple[ApplyRow, ...]
    rounds: tuple[Row, ...] = ()
    """Every round of the repair loop this session is a round of, oldest first, each with
    its session's usage (``usage_*`` columns) and status (empty: not a loop's)."""


# -- serialising edits ----------------------------------------------------------------------


def _hunk_to_json(h: Hunk) -> dict[str, Any]:
    return {
        "lines": ["".join(pair) for pair in h.lines],  # the op char, then the text
        "old_start": h.old_start,
        "anchors": list(h.anchors),
        "at_eof": h.at_eof,
        "old_no_newline": h.old_no_newline,
        "new_no_newline": h.new_no_newline,
        "problem": h.problem,
        "diffed": h.diffed,
        "new_start": h.new_start,
        "counts": list(h.counts) if h.counts is not None else None,
    }


def _hunk_from_json(d: Mapping[str, Any]) -> Hunk:
    lines = tuple((str(x[0]), str(x[1:])) for x in d["lines"])
    return Hunk(
        lines,  # type: ignore[arg-type]
        d.get("old_start"),
        tuple(d.get("anchors", ())),
        bool(d.get("at_eof")),
        bool(d.get("old_no_newline")),  # rows written before these fields: False, ""
        bool(d.get("new_no_newline")),
        str(d.get("problem", "")),
        diffed=bool(d.get("diffed")),
        new_start=d.get("new_start"),
        counts=(int(d["counts"][0]), int(d["counts"][1])) if d.get("counts") else None,
    )


def edits_to_json(edits: Sequence[FileEdit]) -> str:
    """The edits as JSON text (lossless: :func:`edits_from_json` gives equal values back)."""
    return json.dumps([
        {"path": e.path, "action": e.action, "syntax": e.syntax,
         "hunks": [_hunk_to_json(h) for h in e.hunks], "content": e.content,
         "move_to": e.move_to, "line": e.line, "other_path": e.other_path}
        for e in edits
    ])  # fmt: skip


def edits_from_json(text: str) -> list[FileEdit]:
    return [
        FileEdit(
            path=d["path"],
            action=d["action"],
            syntax=d["syntax"],
            hunks=tuple(_hunk_from_json(h) for h in d["hunks"]),
            content=d["content"],
            move_to=d["move_to"],
            line=int(d["line"]),
            other_path=d.get("other_path"),  # absent from rows written before it existed
        )
        for d in json.loads(text)
    ]


# -- the store ------------------------------------------------------------------------------


_SIDE_FILES = ("", "-journal", "-wal", "-shm")  # every name SQLite opens for a database


class Store:
    """The history database. Each method opens its own connection: safe from any thread
    (the TUI streams in a worker thread) and from several processes at once.

    A repository is untrusted, and ``.tome`` can arrive with it: in a folder named
    ``.tome`` the folder must pass :func:`assistant.fsio.state_dir` (a real folder, not
    tracked, 0700), and before every connection the database and its side files
    (``-journal``, ``-wal``, ``-shm``) must be plain files or absent: a symlink (or a hard
    link) there is refused, never turned into SQLite. SQLite is handed the path of the
    folder tome opened without following links, so a folder swapped meanwhile is not used.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        # <root>/.tome/<db>: the state folder of the repository at root, checked as such
        self._root = self.path.parent.parent if self.path.parent.name == fsio.STATE_DIR else None
        self._ready = False

    @classmethod
    def for_root(cls, root: str | Path) -> Store:
        """The store of the repository at ``root``: ``<root>/.tome/history.db``."""
        return cls(Path(root) / fsio.STATE_DIR / DB_NAME)

    # -- connection and schema --

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """One transaction: committed on success, rolled back on any exception."""
        if not self._ready:
            self._create()
        with self._connection() as con:
            con.row_factory = sqlite3.Row  # rows are read by column name, never by position
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A connection, closed afterwards. ``sqlite3`` errors become
        :class:`~assistant.errors.HistoryError` here, the one seam."""
        con = self._connect()
        try:
            yield con
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        """A connection to the checked database file (see the class docstring)."""
        try:
            with fsio.open_parent(self.path, root=self._root, dir_mode=0o700) as folder:
                for suffix in _SIDE_FILES:
                    _check_plain(self.path.name + suffix, folder, self.path.parent)
                try:
                    return sqlite3.connect(
                        _via_fd(folder, self.path), timeout=30.0, isolation_level=None
                    )
                except sqlite3.Error as exc:
                    raise self._error(exc) from exc
        except OSError as exc:
            raise HistoryError(
                f"cannot open the history database {self.path}: {exc.strerror or exc}; "
                "check that its folder is yours and writable"
            ) from exc

    def _create(self) -> None:
        if self._root is not None:
            fsio.state_dir(self._root)  # refuses a linked, non-folder or tracked .tome
            repo.exclude_state_dir(self._root)
        with self._connection() as con:
            con.execute("BEGIN IMMEDIATE")  # two processes opening it at once: one waits
            version = int(con.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                con.execute("ROLLBACK")  # a newer tome's file: read nothing more, change nothing
            else:
                _migrate(con, version)  # all steps or none: a failed one leaves the old schema
                con.execute("COMMIT")
                con.execute("PRAGMA journal_mode = WAL")
        if version > SCHEMA_VERSION:
            raise ConfigError(
                f"{self.path} was written by a newer tome (history schema {version}; this "
                f"tome reads schemas up to {SCHEMA_VERSION}): upgrade tome to use it. The file "
                "is left as it is; move it away to start a new history with this tome"
            )
        self._ready = True

    def _error(self, exc: sqlite3.Error) -> HistoryError:
        return HistoryError(
            f"history database {self.path}: {exc}; if it is damaged, move it away "
            "(tome starts a new one) or run 'tome history --prune'"
        )

    # -- writing --

    def begin(self, *, manifest: Iterable[Mapping[str, Any]] = (), **session: Any) -> int:
        """Record a request (``session``: its columns) and its pack manifest (rows of
        path, blob_sha, tier, tokens) before anything is sent; the session id."""
        row = {"created": time.time(), **session, "status": "streaming"}
        if row.get("created") is None:
            row["created"] = time.time()
        with self._db() as con:
            session_id = _insert(con, "sessions", row)
            for entry in manifest:
                _insert(con, "manifests", {**entry, "session_id": session_id})
        return session_id

    def finish(
        self,
        session_id: int,
        *,
        status: str,
        answer: Mapping[str, Any],
        usage: Mapping[str, Any] | None,
        changeset: Mapping[str, Any],
    ) -> None:
        """Record the answer, its usage and its parsed edits (rows by column): all, or none."""
        with self._db() as con:
            _insert(con, "answers", {**answer, "session_id": session_id})
            if usage is not None:
                _insert(con, "usage", {**usage, "session_id": session_id})
            _insert(con, "changesets", {**changeset, "session_id": session_id})
            con.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, session_id))

    def fail(self, session_id: int, *, status: str, error: str | None = None) -> None:
        """Mark a session that ended without an answer (``failed`` or ``cancelled``)."""
        with self._db() as con:
            con.execute(
                "UPDATE sessions SET status = ?, error = ? WHERE id = ?",
                (status, error, session_id),
            )

    def decline(self, session_id: int) -> None:
        """Record that the user declined to apply the session's answer."""
        with self._db() as con:
            con.execute("UPDATE sessions SET declined = ? WHERE id = ?", (time.time(), session_id))

    def decide(self, session_id: int, decisions: Iterable[Decision]) -> None:
        """Record the latest decision of each hunk (a reason is kept until replaced)."""
        now = time.time()
        with self._db() as con:
            con.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (session_id, path, hunk) DO UPDATE SET state = excluded.state, "
                "reason = COALESCE(excluded.reason, decisions.reason), decided = excluded.decided",
                ((session_id, d.path, d.hunk, d.state, d.reason, now) for d in decisions),
            )

    def record_apply(
        self,
        session_id: int,
        *,
        journal: str,
        paths: Sequence[str],
        merged: Sequence[str],
        hunks: Sequence[tuple[str, int]] | None = None,
        decisions: Iterable[Decision] = (),
    ) -> int:
        """Record an apply (the hunks it wrote, and the decisions) in one transaction; the
        apply id."""
        now = time.time()
        with self._db() as con:
            apply_id = _insert(con, "applies", {
                "session_id": session_id, "journal": journal, "paths": json.dumps(list(paths)),
                "merged": json.dumps(list(merged)), "created": now,
                "hunks": None if hunks is None else json.dumps([list(h) for h in hunks]),
            })  # fmt: skip
            _upsert_states(con, session_id, decisions, now)
            return apply_id

    def record_split(
        self, session_id: int, path: str, hunk: int, *, lines: bool, pieces: int
    ) -> None:
        """Record that hunk ``hunk`` of ``path`` was split into ``pieces`` hunks (``lines``:
        one a changed line), after the splits recorded before; and renumber what names the
        hunks after it, as the split did: the decisions (each piece takes the hunk's) and
        the hunks each apply wrote. One transaction: the log and the numbers agree."""
        shift = pieces - 1
        where = (session_id, path)
        with self._db() as con:
            row = con.execute(
                "SELECT splits FROM changesets WHERE session_id = ?", (session_id,)
            ).fetchone()
            if row is None:
                raise HistoryError(f"session {session_id} has no recorded answer to split")
            log = [*json.loads(row["splits"] or "[]"), [path, hunk, lines, pieces]]
            con.execute(
                "UPDATE changesets SET splits = ? WHERE session_id = ?",
                (json.dumps(log), session_id),
            )
            decided = con.execute(
                "SELECT hunk, state, reason, decided FROM decisions "
                "WHERE session_id = ? AND path = ?",
                where,
            ).fetchall()
            con.execute("DELETE FROM decisions WHERE session_id = ? AND path = ?", where)
            con.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (session_id, path, i, d["state"], d["reason"], d["decided"])
                    for d in decided
                    for i in _renumbered(d["hunk"], hunk, shift)
                ),
            )
            for a in con.execute(
                "SELECT id, hunks FROM applies WHERE session_id = ? AND hunks IS NOT NULL",
                (session_id,),
            ).fetchall():
                named = [
                    [p, j]
                    for p, i in json.loads(a["hunks"])
                    for j in (_renumbered(i, hunk, shift) if p == path else (i,))
                ]
                con.execute(
                    "UPDATE applies SET hunks = ? WHERE id = ?", (json.dumps(named), a["id"])
                )

    def record_commit(self, apply_id: int, sha: str) -> None:
        with self._db() as con:
            con.execute("UPDATE applies SET commit_sha = ? WHERE id = ?", (sha, apply_id))

    def record_undo(
        self, *, journal: str, paths: Sequence[str], decisions: Iterable[Decision] = ()
    ) -> int | None:
        """Record that the apply with ``journal`` was undone; its session id (None: the apply
        was not made by a session, e.g. ``tome apply``)."""
        now = time.time()
        with self._db() as con:
            row = con.execute(
                "SELECT id, session_id FROM applies WHERE journal = ?", (journal,)
            ).fetchone()
            if row is None or row["session_id"] is None:
                return None
            session_id = int(row["session_id"])
            _insert(con, "undos", {
                "session_id": session_id, "apply_id": row["id"], "journal": journal,
                "paths": json.dumps(list(paths)), "created": now,
            })  # fmt: skip
            _upsert_states(con, session_id, decisions, now)
            return session_id

    def record_round(self, session_id: int, row: Mapping[str, Any]) -> None:
        """Record (or complete) the ``rounds`` row of ``session_id``: columns by name."""
        names = [n for n in row if n != "session_id"]
        update = ", ".join(f"{n} = excluded.{n}" for n in names)
        with self._db() as con:
            _insert(con, "rounds", {**row, "session_id": session_id},
                    conflict=f"ON CONFLICT (session_id) DO UPDATE SET {update}")  # fmt: skip

    def end_rounds(self, request_id: int, *, stopped: str, taken: int) -> None:
        """Record why the loop of ``request_id`` stopped and which session it gave."""
        with self._db() as con:
            con.execute(
                "UPDATE rounds SET stopped = ?, taken = (session_id = ?) WHERE request_id = ?",
                (stopped, taken, request_id),
            )

    def latest_child(self, parent_id: int) -> int | None:
        """The newest session whose parent is ``parent_id`` (None: there is none)."""
        with self._db() as con:
            row = con.execute(
                "SELECT MAX(id) AS id FROM sessions WHERE parent_id = ?", (parent_id,)
            ).fetchone()
        return None if row["id"] is None else int(row["id"])

    # -- reading --

    _LISTING = (
        "SELECT s.*, c.edits AS edits, u.cost AS cost FROM sessions s "
        "LEFT JOIN changesets c ON c.session_id = s.id "
        "LEFT JOIN usage u ON u.session_id = s.id "
    )

    def listing(self, *, limit: int = 50) -> list[tuple[Row, tuple[ApplyRow, ...]]]:
        """The newest ``limit`` sessions, newest first: each session's row (with its
        ``edits`` and ``cost``) and its applies."""
        with self._db() as con:
            rows = [dict(r) for r in con.execute(
                self._LISTING + "ORDER BY s.id DESC LIMIT ?", (limit,)
            )]  # fmt: skip
            applies = self._applies(
                con,
                "WHERE a.session_id IN (SELECT id FROM sessions ORDER BY id DESC LIMIT ?)",
                (limit,),
            )
        by_session: dict[int, list[ApplyRow]] = {}
        for a in applies:
            by_session.setdefault(a.session_id, []).append(a)
        return [(r, tuple(by_session.get(r["id"], ()))) for r in rows]

    _ROUNDS = (
        "SELECT r.*, s.status AS status, s.created AS created, "
        + ", ".join(f"u.{c} AS usage_{c}" for c in (
            "prompt_tokens", "completion_tokens", "cache_hit_tokens", "cache_miss_tokens",
            "estimated", "reasoning_tokens", "cost"))
        + ", c.edits AS edits FROM rounds r JOIN sessions s ON s.id = r.session_id "
        "LEFT JOIN usage u ON u.session_id = r.session_id "
        "LEFT JOIN changesets c ON c.session_id = r.session_id "
    )  # fmt: skip
    _A_REQUEST = "NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session_id = s.id AND r.number > 1)"

    def requests(
        self, *, limit: int = 50
    ) -> list[tuple[Row, tuple[ApplyRow, ...], tuple[Row, ...]]]:
        """The newest ``limit`` requests, newest first: sessions that are not a later round
        of a repair loop, each with its applies and its loop's rounds (``rounds`` rows with
        their session's usage, status and ``applies``, oldest first; empty: no loop)."""
        with self._db() as con:
            rows = [dict(r) for r in con.execute(
                self._LISTING + f"WHERE {self._A_REQUEST} ORDER BY s.id DESC LIMIT ?", (limit,)
            )]  # fmt: skip
            newest = (
                f"SELECT s.id FROM sessions s WHERE {self._A_REQUEST} ORDER BY s.id DESC LIMIT ?"
            )
            rounds = [dict(r) for r in con.execute(
                self._ROUNDS + f"WHERE r.request_id IN ({newest}) ORDER BY r.number", (limit,)
            )]  # fmt: skip
            applies = self._applies(
                con, f"WHERE a.session_id IN ({newest}) OR a.session_id IN (SELECT session_id "
                f"FROM rounds WHERE request_id IN ({newest}))", (limit, limit),
            )  # fmt: skip
        by_session: dict[int, list[ApplyRow]] = {}
        for a in applies:
            by_session.setdefault(a.session_id, []).append(a)
        by_request: dict[int, list[Row]] = {}
        for r in rounds:
            r["applies"] = tuple(by_session.get(r["session_id"], ()))
            by_request.setdefault(r["request_id"], []).append(r)
        return [(r, tuple(by_session.get(r["id"], ())), tuple(by_request.get(r["id"], ())))
                for r in rows]  # fmt: skip

    def load(self, session_id: int) -> SessionRows | None:
        """Everything about one session, or None if there is no such session."""
        with self._db() as con:
            session = con.execute(self._LISTING + "WHERE s.id = ?", (session_id,)).fetchone()
            if session is None:
                return None
            where = (session_id,)

            def one(table: str) -> Row | None:
                found = con.execute(f"SELECT * FROM {table} WHERE session_id = ?", where)
                row = found.fetchone()
                return None if row is None else dict(row)

            manifest = con.execute(
                "SELECT * FROM manifests WHERE session_id = ? ORDER BY path", where
            ).fetchall()
            decisions = con.execute(
                "SELECT path, hunk, state, reason FROM decisions WHERE session_id = ? "
                "ORDER BY path, hunk",
                where,
            ).fetchall()
            return SessionRows(
                session=dict(session),
                manifest=tuple(dict(m) for m in manifest),
                answer=one("answers"),
                usage=one("usage"),
                changeset=one("changesets"),
                decisions=tuple(Decision(**d) for d in decisions),
                applies=tuple(self._applies(con, "WHERE a.session_id = ?", where)),
                rounds=self._loop(con, session_id),
            )

    def _loop(self, con: sqlite3.Connection, session_id: int) -> tuple[Row, ...]:
        """The rounds of the loop ``session_id`` is a round of (empty: none recorded)."""
        found = con.execute(
            self._ROUNDS + "WHERE r.request_id = (SELECT request_id FROM rounds "
            "WHERE session_id = ?) ORDER BY r.number",
            (session_id,),
        )
        return tuple(dict(r) for r in found)

    @staticmethod
    def _applies(con: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[ApplyRow]:
        rows = con.execute(
            "SELECT a.*, EXISTS (SELECT 1 FROM undos d WHERE d.apply_id = a.id) AS undone "
            f"FROM applies a {where} ORDER BY a.id",
            tuple(params),
        ).fetchall()
        return [
            ApplyRow(
                id=r["id"],
                session_id=r["session_id"],
                journal=r["journal"],
                paths=tuple(json.loads(r["paths"])),
                merged=tuple(json.loads(r["merged"])),
                commit=r["commit_sha"],
                created=r["created"],
                undone=bool(r["undone"]),
                hunks=None
                if r["hunks"] is None
                else tuple((str(p), int(i)) for p, i in json.loads(r["hunks"])),
            )
            for r in rows
        ]

    def apply_for_journal(self, journal: str) -> ApplyRow | None:
        """The session apply that wrote ``journal`` (None: not a session's apply)."""
        with self._db() as con:
            rows = self._applies(con, "WHERE a.journal = ?", (journal,))
        return rows[0] if rows else None

    # -- size --

    def size(self) -> int:
        """Bytes on disk: the database and its write-ahead log."""
        total = 0
        for suffix in ("", "-wal"):
            with contextlib.suppress(FileNotFoundError):
                total += Path(f"{self.path}{suffix}").stat().st_size
        return total

    def count(self) -> int:
        with self._db() as con:
            return int(con.execute("SELECT COUNT(*) AS n FROM sessions").fetchone()["n"])

    def prune(self, *, keep: int | None = None, older_than: float | None = None) -> Pruned:
        """Delete requests beyond the newest ``keep`` and/or older than ``older_than``
        seconds, with everything recorded about them; then give the space back. A request
        is what :meth:`requests` lists: its repair rounds go with it (its age is its first
        round's), so a round is never left without its request. What was deleted."""
        if keep is None and older_than is None:
            raise ValueError("prune needs keep or older_than")
        with self._db() as con:
            requests: set[int] = set()
            if keep is not None:
                requests.update(r["id"] for r in con.execute(
                    f"SELECT s.id FROM sessions s WHERE {self._A_REQUEST} "
                    "ORDER BY s.id DESC LIMIT -1 OFFSET ?", (max(0, keep),),
                ))  # fmt: skip
            if older_than is not None:
                requests.update(r["id"] for r in con.execute(
                    f"SELECT s.id FROM sessions s WHERE {self._A_REQUEST} AND s.created < ?",
                    (time.time() - older_than,),
                ))  # fmt: skip
            ids = set(requests)
            for request in requests:
                ids.update(r["session_id"] for r in con.execute(
                    "SELECT session_id FROM rounds WHERE request_id = ?", (request,)
                ))  # fmt: skip
            con.executemany("DELETE FROM sessions WHERE id = ?", ((i,) for i in ids))
        if ids:
            with self._connection() as con2:  # outside a transaction: VACUUM needs that
                con2.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                con2.execute("VACUUM")
                con2.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return Pruned(sessions=len(ids), requests=len(requests))

    # -- batches (tome batch: schema 7) --

    def tag_batch(self, session_id: int, batch: str, task: str) -> None:
        """Mark a session as task ``task`` of batch ``batch``."""
        with self._db() as con:
            con.execute(
                "UPDATE sessions SET batch = ?, batch_task = ? WHERE id = ?",
                (batch, task, session_id),
            )

    def mark(self, session_id: int, status: str) -> None:
        """Set the stored status of a session that has no answer yet (``queued``)."""
        with self._db() as con:
            con.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, session_id))

    def save_batch(
        self, batch: str, *, via: str, backend: str, tasks: str, remote: str | None = None
    ) -> None:
        """Record a batch (``tasks``: its validated tasks as JSON); a second save of the same
        id keeps the first record and sets ``remote`` when given."""
        with self._db() as con:
            con.execute(
                "INSERT INTO batches (id, created, via, backend, remote, tasks) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
                "remote = COALESCE(excluded.remote, batches.remote), via = excluded.via",
                (batch, time.time(), via, backend, remote, tasks),
            )

    def batch(self, batch: str) -> Row | None:
        """The record of batch ``batch`` (by its id or its provider's id), or None."""
        with self._db() as con:
            row = con.execute(
                "SELECT * FROM batches WHERE id = ? OR remote = ?", (batch, batch)
            ).fetchone()
        return None if row is None else dict(row)

    def batch_sessions(self, batch: str) -> list[Row]:
        """The sessions of batch ``batch`` (id, task id, status, usage), oldest first."""
        with self._db() as con:
            return [dict(r) for r in con.execute(
                "SELECT s.id, s.batch_task, s.status, s.error, u.prompt_tokens, "
                "u.completion_tokens, u.cache_hit_tokens, u.cost FROM sessions s "
                "LEFT JOIN usage u ON u.session_id = s.id WHERE s.batch = ? ORDER BY s.id",
                (batch,),
            )]  # fmt: skip


def _migrate(con: sqlite3.Connection, version: int) -> None:
    """Run the steps after ``version`` inside the caller's transaction (DDL is transactional
    in SQLite), then record the new version."""
    for step in MIGRATIONS[version:]:
        for statement in _statements(step):  # executescript would commit midway
            con.execute(statement)
    if version != SCHEMA_VERSION:
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _statements(step: str) -> list[str]:
    """The SQL statements of a migration step, split where SQLite ends them
    (:func:`sqlite3.complete_statement`): a ``;`` in a comment, a string or a trigger's body
    stays in its statement. Text after the last ``;`` is a statement of its own."""
    found: list[str] = []
    pending = ""
    pieces = step.split(";")
    for i, piece in enumerate(pieces):
        pending += piece if i == len(pieces) - 1 else piece + ";"
        if pending.strip() and sqlite3.complete_statement(pending):
            found.append(pending)
            pending = ""
    if pending.strip():
        found.append(pending)
    return found


def _insert(
    con: sqlite3.Connection, table: str, row: Mapping[str, Any], *, conflict: str = ""
) -> int:
    """``INSERT`` one row by column name (``conflict``: an ``ON CONFLICT`` clause of this
    module's); its rowid. Names come from this package's code, never from input (checked:
    identifiers only)."""
    names = list(row)
    if not all(n.isidentifier() for n in (table, *names)):
        raise ValueError(f"not a column name: {names!r}")
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
    return int(con.execute(f"{sql} {conflict}", dict(row)).lastrowid or 0)


def _renumbered(index: int, split: int, shift: int) -> range:
    """What hunk ``index`` is called once hunk ``split`` became ``shift + 1`` pieces: itself
    before it, every piece for the split hunk, ``index + shift`` after it."""
    if index < split:
        return range(index, index + 1)
    if index == split:
        return range(index, index + shift + 1)
    return range(index + shift, index + shift + 1)


def _upsert_states(
    con: sqlite3.Connection, session_id: int, decisions: Iterable[Decision], now: float
) -> None:
    con.executemany(
        "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (session_id, path, hunk) DO UPDATE SET state = excluded.state, "
        "decided = excluded.decided",
        ((session_id, d.path, d.hunk, d.state, d.reason, now) for d in decisions),
    )


def _check_plain(name: str, folder: int, shown: Path) -> None:
    """Refuse ``name`` in ``folder`` unless it is absent or a plain file of its own."""
    try:
        st = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(st.st_mode):
        reason = "is a symbolic link"
    elif not stat.S_ISREG(st.st_mode):
        reason = "is not a plain file"
    elif st.st_nlink > 1:
        reason = "is a hard link to another file"
    else:
        return
    raise fsio.UnsafePath(
        shown / name,
        f"{reason}; tome keeps its history only in a plain file there and will not write "
        "through it. Remove it if you did not put it there",
    )


def _via_fd(folder: int, path: Path) -> str:
    """``path`` as seen through the open folder (Linux ``/proc``), else as given."""
    proc = f"/proc/self/fd/{folder}"
    return f"{proc}/{path.name}" if os.path.isdir(proc) else str(path)
