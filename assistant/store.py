"""Session history: one SQLite database per repository, at ``<root>/.tome/history.db``.

What is kept, per session: the request (task, backend, model, the pack's paths and budget),
the pack manifest (path, blob sha, tier, tokens of every file), the raw answer, usage and
cost, the parsed edits with the packed text of every file they touch (so a session can be
reviewed again without the repository's history), per-hunk decisions (with the reason a
hunk was rejected), applies (the worktree journal and the paths written, the commit if any)
and undos.

Durability: the database runs in WAL mode and every public method is one transaction, so a
crash (or a kill) leaves either all of a step or none of it. A session whose process died
while the answer streamed stays ``streaming``; nothing half-written is ever read back.

Growth is bounded by :meth:`Store.prune` (``tome history --prune``); :meth:`Store.size` is
printed by ``tome history`` so growth is never silent.

This module is the SQLite edge: it stores plain values and knows nothing of models or
diffs beyond their serialised form (:func:`edits_to_json` / :func:`edits_from_json`).
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
from .errors import AssistantError, ConfigError

__all__ = [
    "DB_NAME",
    "SCHEMA_VERSION",
    "ApplyRow",
    "Decision",
    "SessionSummary",
    "Store",
    "StoredSession",
    "edits_from_json",
    "edits_to_json",
]

DB_NAME = "history.db"
SCHEMA_VERSION = 1

_SCHEMA = """
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


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    """What the user decided for one hunk (``state`` is a ``HunkState`` value)."""

    path: str
    hunk: int
    state: str
    reason: str | None = None


@dataclass(frozen=True)
class ApplyRow:
    id: int
    session_id: int
    journal: str
    paths: tuple[str, ...]
    merged: tuple[str, ...]
    commit: str | None
    created: float
    undone: bool


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``tome history``."""

    session_id: int
    task: str
    backend: str
    model: str
    created: float
    """Seconds since the epoch."""
    status: str
    """streaming, answered, truncated, cancelled or failed; ``applied``/``undone`` once the
    latest apply of the session was written or reverted."""
    files: int
    """Files the answer edits."""
    tokens: int
    """Tokens of the pack."""
    cost: float | None
    parent_id: int | None = None


@dataclass(frozen=True)
class StoredSession:
    """Everything kept about one session, as plain values."""

    summary: SessionSummary
    manifest: tuple[tuple[str, str, str, int], ...]
    """(path, blob sha, tier, tokens) per packed file, by path."""
    encoding: str
    budget: int | None
    pack_tokens: int
    paths: tuple[str, ...] | None
    edit_format: str
    answer: str
    finish_reason: str | None
    truncated: bool
    continuations: int
    retries: int
    usage: dict[str, int | bool] | None
    cost: float | None
    edits: tuple[FileEdit, ...]
    sources: dict[str, Any]
    problems: tuple[str, ...]
    decisions: tuple[Decision, ...]
    applies: tuple[ApplyRow, ...]
    error: str | None


# -- serialising edits ----------------------------------------------------------------------


def _hunk_to_json(h: Hunk) -> dict[str, Any]:
    return {
        "lines": ["".join(pair) for pair in h.lines],  # the op char, then the text
        "old_start": h.old_start,
        "anchors": list(h.anchors),
        "at_eof": h.at_eof,
    }


def _hunk_from_json(d: Mapping[str, Any]) -> Hunk:
    lines = tuple((str(x[0]), str(x[1:])) for x in d["lines"])
    return Hunk(lines, d.get("old_start"), tuple(d.get("anchors", ())), bool(d.get("at_eof")))  # type: ignore[arg-type]


def edits_to_json(edits: Sequence[FileEdit]) -> str:
    """The edits as JSON text (lossless: :func:`edits_from_json` gives equal values back)."""
    return json.dumps([
        {"path": e.path, "action": e.action, "syntax": e.syntax,
         "hunks": [_hunk_to_json(h) for h in e.hunks], "content": e.content,
         "move_to": e.move_to, "line": e.line}
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
        """One transaction: committed on success, rolled back on any exception.

        ``sqlite3`` errors become :class:`AssistantError` here, the one seam.
        """
        if not self._ready:
            self._create()
        con = self._connect()
        try:
            con.execute("PRAGMA foreign_keys = ON")
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
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
            raise AssistantError(f"history database {self.path}: {exc.strerror or exc}") from exc

    def _create(self) -> None:
        if self._root is not None:
            fsio.state_dir(self._root)  # refuses a linked, non-folder or tracked .tome
            repo.exclude_state_dir(self._root)
        con = self._connect()
        try:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("BEGIN IMMEDIATE")  # two processes creating it at once: one waits
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                for statement in _SCHEMA.split(";"):  # executescript would commit midway
                    if statement.strip():
                        con.execute(statement)
                con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        finally:
            con.close()
        if version not in (0, SCHEMA_VERSION):
            raise ConfigError(
                f"{self.path} has history schema {version}, this tome knows "
                f"{SCHEMA_VERSION}; upgrade tome, or move the file away to start afresh"
            )
        self._ready = True

    def _error(self, exc: sqlite3.Error) -> AssistantError:
        return AssistantError(
            f"history database {self.path}: {exc}; if it is damaged, move it away "
            "(tome starts a new one) or run 'tome history --prune'"
        )

    # -- writing --

    def begin(
        self,
        *,
        task: str,
        backend: str,
        model: str,
        encoding: str,
        budget: int | None,
        tokens: int,
        paths: Sequence[str] | None,
        edit_format: str,
        manifest: Iterable[tuple[str, str, str, int]],
        parent_id: int | None = None,
        created: float | None = None,
    ) -> int:
        """Record a request and its pack manifest before anything is sent; the session id."""
        with self._db() as con:
            cur = con.execute(
                "INSERT INTO sessions (parent_id, task, backend, model, created, status, "
                "encoding, budget, tokens, paths, edit_format) "
                "VALUES (?, ?, ?, ?, ?, 'streaming', ?, ?, ?, ?, ?)",
                (parent_id, task, backend, model, time.time() if created is None else created,
                 encoding, budget, tokens, None if paths is None else json.dumps(list(paths)),
                 edit_format),
            )  # fmt: skip
            session_id = int(cur.lastrowid or 0)
            con.executemany(
                "INSERT INTO manifests (session_id, path, blob_sha, tier, tokens) "
                "VALUES (?, ?, ?, ?, ?)",
                ((session_id, *entry) for entry in manifest),
            )
        return session_id

    def finish(
        self,
        session_id: int,
        *,
        status: str,
        answer: str,
        finish_reason: str | None,
        truncated: bool,
        continuations: int,
        retries: int,
        usage: Mapping[str, int | bool] | None,
        cost: float | None,
        edits: Sequence[FileEdit],
        sources: Mapping[str, Any],
        problems: Sequence[str],
    ) -> None:
        """Record the answer, its usage and its parsed edits: all of them, or none.

        ``sources`` is any JSON-able mapping: the session keeps there the text each edited
        file had when the model saw it, so the changeset can be rebuilt without the disk.
        """
        with self._db() as con:
            con.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (session_id, answer, finish_reason, int(truncated), continuations, retries),
            )
            if usage is not None:
                con.execute(
                    "INSERT INTO usage VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (session_id, usage["prompt_tokens"], usage["completion_tokens"],
                     usage["cache_hit_tokens"], usage["cache_miss_tokens"],
                     int(bool(usage["estimated"])), cost),
                )  # fmt: skip
            con.execute(
                "INSERT INTO changesets VALUES (?, ?, ?, ?)",
                (session_id, edits_to_json(edits), json.dumps(dict(sources)),
                 json.dumps(list(problems))),
            )  # fmt: skip
            con.execute("UPDATE sessions SET status = ? WHERE id = ?", (status, session_id))

    def fail(self, session_id: int, *, status: str, error: str | None = None) -> None:
        """Mark a session that ended without an answer (``failed`` or ``cancelled``)."""
        with self._db() as con:
            con.execute(
                "UPDATE sessions SET status = ?, error = ? WHERE id = ?",
                (status, error, session_id),
            )

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
        decisions: Iterable[Decision] = (),
    ) -> int:
        """Record an apply (and the decisions it wrote) in one transaction; the apply id."""
        now = time.time()
        with self._db() as con:
            cur = con.execute(
                "INSERT INTO applies (session_id, journal, paths, merged, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, journal, json.dumps(list(paths)), json.dumps(list(merged)), now),
            )
            con.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (session_id, path, hunk) DO UPDATE SET state = excluded.state, "
                "decided = excluded.decided",
                ((session_id, d.path, d.hunk, d.state, d.reason, now) for d in decisions),
            )
            return int(cur.lastrowid or 0)

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
            apply_id, session_id = (row[0], row[1]) if row else (None, None)
            if session_id is None:
                return None
            con.execute(
                "INSERT INTO undos (session_id, apply_id, journal, paths, created) "
                "VALUES (?, ?, ?, ?, ?)",
                (session_id, apply_id, journal, json.dumps(list(paths)), now),
            )
            con.executemany(
                "INSERT INTO decisions VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (session_id, path, hunk) DO UPDATE SET state = excluded.state, "
                "decided = excluded.decided",
                ((session_id, d.path, d.hunk, d.state, d.reason, now) for d in decisions),
            )
            return int(session_id)

    # -- reading --

    _SUMMARY = (
        "SELECT s.id, s.task, s.backend, s.model, s.created, s.status, "
        "NULL, c.edits, s.tokens, u.cost, s.parent_id, "
        "(SELECT a.id FROM applies a WHERE a.session_id = s.id ORDER BY a.id DESC LIMIT 1), "
        "(SELECT COUNT(*) FROM undos d WHERE d.apply_id = "
        "   (SELECT a.id FROM applies a WHERE a.session_id = s.id ORDER BY a.id DESC LIMIT 1)) "
        "FROM sessions s LEFT JOIN changesets c ON c.session_id = s.id "
        "LEFT JOIN usage u ON u.session_id = s.id "
    )

    @staticmethod
    def _summary(row: Sequence[Any]) -> SessionSummary:
        edits = json.loads(row[7]) if row[7] else []
        files = len({e["path"] for e in edits})
        status = row[5]
        if row[11] is not None:
            status = "undone" if row[12] else "applied"
        return SessionSummary(
            session_id=row[0], task=row[1], backend=row[2], model=row[3], created=row[4],
            status=status, files=files, tokens=row[8], cost=row[9], parent_id=row[10],
        )  # fmt: skip

    def sessions(self, *, limit: int = 50) -> list[SessionSummary]:
        """The newest ``limit`` sessions, newest first."""
        with self._db() as con:
            rows = con.execute(self._SUMMARY + "ORDER BY s.id DESC LIMIT ?", (limit,)).fetchall()
        return [self._summary(r) for r in rows]

    def load(self, session_id: int) -> StoredSession | None:
        """Everything about one session, or None if there is no such session."""
        with self._db() as con:
            row = con.execute(self._SUMMARY + "WHERE s.id = ?", (session_id,)).fetchone()
            if row is None:
                return None
            meta = con.execute(
                "SELECT encoding, budget, tokens, paths, edit_format, error FROM sessions "
                "WHERE id = ?",
                (session_id,),
            ).fetchone()
            manifest = con.execute(
                "SELECT path, blob_sha, tier, tokens FROM manifests WHERE session_id = ? "
                "ORDER BY path",
                (session_id,),
            ).fetchall()
            answer = con.execute(
                "SELECT text, finish_reason, truncated, continuations, retries FROM answers "
                "WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            usage = con.execute(
                "SELECT prompt_tokens, completion_tokens, cache_hit_tokens, cache_miss_tokens, "
                "estimated, cost FROM usage WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            change = con.execute(
                "SELECT edits, sources, problems FROM changesets WHERE session_id = ?",
                (session_id,),
            ).fetchone()
            decisions = con.execute(
                "SELECT path, hunk, state, reason FROM decisions WHERE session_id = ? "
                "ORDER BY path, hunk",
                (session_id,),
            ).fetchall()
            applies = self._applies(con, "WHERE a.session_id = ?", (session_id,))
        usage_d: dict[str, int | bool] | None = None
        if usage is not None:
            keys = ("prompt_tokens", "completion_tokens", "cache_hit_tokens",
                    "cache_miss_tokens")  # fmt: skip
            usage_d = {k: int(v) for k, v in zip(keys, usage[:4], strict=True)}
            usage_d["estimated"] = bool(usage[4])
        return StoredSession(
            summary=self._summary(row),
            manifest=tuple((str(p), str(s), str(t), int(n)) for p, s, t, n in manifest),
            encoding=meta[0],
            budget=meta[1],
            pack_tokens=meta[2],
            paths=None if meta[3] is None else tuple(json.loads(meta[3])),
            edit_format=meta[4],
            answer=answer[0] if answer else "",
            finish_reason=answer[1] if answer else None,
            truncated=bool(answer[2]) if answer else True,
            continuations=answer[3] if answer else 0,
            retries=answer[4] if answer else 0,
            usage=usage_d,
            cost=usage[5] if usage else None,
            edits=tuple(edits_from_json(change[0])) if change else (),
            sources=json.loads(change[1]) if change else {},
            problems=tuple(json.loads(change[2])) if change else (),
            decisions=tuple(Decision(p, h, s, r) for p, h, s, r in decisions),
            applies=tuple(applies),
            error=meta[5],
        )

    @staticmethod
    def _applies(con: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[ApplyRow]:
        rows = con.execute(
            "SELECT a.id, a.session_id, a.journal, a.paths, a.merged, a.commit_sha, a.created, "
            "EXISTS (SELECT 1 FROM undos d WHERE d.apply_id = a.id) "
            f"FROM applies a {where} ORDER BY a.id",
            tuple(params),
        ).fetchall()
        return [
            ApplyRow(
                r[0],
                r[1],
                r[2],
                tuple(json.loads(r[3])),
                tuple(json.loads(r[4])),
                r[5],
                r[6],
                bool(r[7]),
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
            return int(con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0])

    def prune(self, *, keep: int | None = None, older_than: float | None = None) -> int:
        """Delete sessions beyond the newest ``keep`` and/or older than ``older_than`` seconds
        (with everything recorded about them); then give the space back. The number deleted.
        """
        if keep is None and older_than is None:
            raise ValueError("prune needs keep or older_than")
        with self._db() as con:
            ids: set[int] = set()
            if keep is not None:
                ids.update(r[0] for r in con.execute(
                    "SELECT id FROM sessions ORDER BY id DESC LIMIT -1 OFFSET ?", (max(0, keep),)
                ))  # fmt: skip
            if older_than is not None:
                cutoff = time.time() - older_than
                ids.update(
                    r[0] for r in con.execute("SELECT id FROM sessions WHERE created < ?",
                                              (cutoff,))
                )  # fmt: skip
            con.executemany("DELETE FROM sessions WHERE id = ?", ((i,) for i in ids))
        if ids:
            con2 = self._connect()
            try:
                con2.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                con2.execute("VACUUM")
                con2.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                con2.close()
        return len(ids)


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
