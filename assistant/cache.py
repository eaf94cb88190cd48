"""A persistent key-value cache keyed by content (git blob sha), shared by every stage.

One SQLite file in :func:`assistant.paths.cache_dir`. Each stage uses its own namespace
(``"tokens/o200k_base"``, ``"secrets/1"``, ``"skeleton/python/1"`` ...); keys are usually
blob shas, so a cached value is valid for as long as the content exists anywhere.

Safe under concurrent runs: WAL journal, a busy timeout, and ``INSERT OR REPLACE`` in one
transaction per batch. The cache is an accelerator, never a source of truth: if the file
cannot be opened or written (read-only disk, corruption, a lock held too long) every call
degrades to a miss and one warning is emitted.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

from . import fsio
from .paths import cache_dir

Value: TypeAlias = int | float | str | bytes

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    ns    TEXT NOT NULL,
    key   TEXT NOT NULL,
    value BLOB,
    PRIMARY KEY (ns, key)
) WITHOUT ROWID
"""
_CHUNK = 500  # stays under SQLite's bound-parameter limit

VERSIONS: dict[str, str] = {
    "tokens": "1",  # tokens/<encoding id>/1: a file's token count (tokens.ranks)
    "secrets": "2",  # secrets/2: a file's secret verdict (secrets)
    "tags": "1",  # tags/1: definitions and references (code.index)
    "skeleton": "2",  # skeleton/2: a file's skeleton (code.index, packing.skeletons)
    "terms": "1",  # terms/1: a file's lexical terms (packing.rank)
    "ranking": "3",  # ranking/3: a whole ranking by tree, history, task and weights (packing.rank)
    "tiers": "2",  # tiers/2: a budgeted pack's tier per file (packing.reuse)
    "priority": "1",  # priority/1: a tree's file order for a budget without a task
    "tally": "1",  # tally/1: a pack's framing tokens by its parts (packing.tally)
    "history": "2",  # history/2: the files of a HEAD's last commits, names exact (packing.history)
    "paths": "1",  # paths/1: the path rules' verdicts on one listing of a tree (workspace)
}
"""Every kind of cached value, with its version: bump one when what is stored under it, or
how it is computed, changes; the old entries then stop being read. The one table."""


def namespace(kind: str, *qualifiers: str) -> str:
    """The namespace of ``kind`` (a key of :data:`VERSIONS`): ``kind/qualifiers.../version``."""
    return "/".join((kind, *qualifiers, VERSIONS[kind]))


class Cache:
    """Content-keyed cache. ``Cache(None)`` is a disabled cache that always misses."""

    def __init__(self, path: Path | str | None = None, *, enabled: bool = True) -> None:
        self.path: Path | None = Path(path) if path is not None else (cache_dir() / "cache.sqlite3")
        if not enabled:
            self.path = None
        self._conn: sqlite3.Connection | None = None
        self._broken = False
        self._pending: dict[str, dict[str, Value]] | None = None  # puts held by deferred()

    @classmethod
    def disabled(cls) -> Cache:
        return cls(enabled=False)

    def __repr__(self) -> str:
        return f"Cache({str(self.path)!r})"

    def _connect(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._broken or self.path is None:
            return self._conn
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:  # a cache that cannot open is only slower
            self._fail(exc)
            return None
        self._conn = conn
        return conn

    def _fail(self, exc: Exception) -> None:
        self._broken = True
        warnings.warn(
            f"tome cache at {self.path} is unusable ({exc}); continuing without it",
            RuntimeWarning,
            stacklevel=3,
        )

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, Value]:
        """Return the cached values for the keys that are present."""
        conn = self._connect()
        if conn is None:
            return {}
        wanted: Sequence[str] = keys if isinstance(keys, Sequence) else list(keys)
        found: dict[str, Value] = {}
        try:
            for start in range(0, len(wanted), _CHUNK):
                chunk = wanted[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows = conn.execute(
                    f"SELECT key, value FROM entries WHERE ns = ? AND key IN ({marks})",
                    (ns, *chunk),
                )
                found.update(rows)
        except sqlite3.Error as exc:
            self._fail(exc)
            return {}
        held = self._pending.get(ns) if self._pending is not None else None
        if held:
            found.update((key, held[key]) for key in wanted if key in held)
        return found

    def get(self, ns: str, key: str) -> Value | None:
        return self.get_many(ns, [key]).get(key)

    def put_many(self, ns: str, items: Mapping[str, Value]) -> None:
        """Store values; one transaction, last writer wins (values are content-derived).
        Inside :meth:`deferred`, held until the block ends."""
        if not items:
            return
        if self._pending is not None:
            self._pending.setdefault(ns, {}).update(items)
            return
        self._write([(ns, key, value) for key, value in items.items()])

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """Hold every put of the block (reads see them) and write them all at its end in one
        transaction: a cold ranking stores the tags of a hundred files in as many small
        batches, and each transaction costs a commit. Nested blocks write with the outer one."""
        if self._pending is not None or self.path is None or self._broken:
            yield
            return
        self._pending = {}
        try:
            yield
        finally:
            held, self._pending = self._pending, None
            self._write([(ns, k, v) for ns, items in held.items() for k, v in items.items()])

    def _write(self, rows: list[tuple[str, str, Value]]) -> None:
        if not rows:
            return
        conn = self._connect()
        if conn is None:
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                "INSERT OR REPLACE INTO entries (ns, key, value) VALUES (?, ?, ?)", rows
            )
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
            self._fail(exc)

    def put(self, ns: str, key: str, value: Value) -> None:
        self.put_many(ns, {key: value})

    def folder_file(self, kind: str, folder: Path, suffix: str) -> Path | None:
        """Where to keep one file of ``kind`` for ``folder``, beside the database: for what is
        too big for a row and replaced whole (one per folder, so bounded). None when
        the cache is disabled."""
        if self.path is None:
            return None
        key = hashlib.sha1(str(folder).encode("utf-8", "surrogatepass")).hexdigest()[:20]
        return self.path.parent / kind / f"{key}{suffix}"

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def write_file(path: Path, data: bytes) -> None:
    """Write a cache file whole, via a temp file and a rename (a reader sees the old file or
    the new one); one that cannot be written is only slower, so errors are ignored. The
    cache folder is the user's, so no confinement; the temp file is still created without
    following links (:func:`assistant.fsio.atomic_write`)."""
    with contextlib.suppress(OSError, fsio.FileSystemError):
        fsio.atomic_write(path, data)
