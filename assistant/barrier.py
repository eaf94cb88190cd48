"""The durability barrier: the fsyncs of many writes grouped at one point, run in parallel.

:func:`assistant.fsio.atomic_write` with ``durable=barrier`` hands the barrier duplicates
of the file's descriptor and of its folder's (each folder once) instead of fsyncing them
itself; :meth:`Barrier.sync` fsyncs them all at once, from a pool of threads. A file system
commits concurrent fsyncs together (ext4: 200 files in ~30 ms, against ~1 s one after the
other), so an apply of many files costs about one fsync, not two per file.

Until :meth:`Barrier.sync` returns, a crash may leave a renamed file empty: a barrier is
only for writes that a journal rolls back until then (:mod:`assistant.worktree` marks an
apply done only after its barrier, and names journal blobs in a manifest only after theirs).
Past :data:`Barrier.MAX_HELD` descriptors the held ones are synced early, so a large apply
holds a bounded number open; leaving the ``with`` block closes what is still held.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["Barrier"]


class Barrier:
    """fsyncs deferred to :meth:`sync` (see the module)."""

    MAX_HELD = 256
    THREADS = 16

    def __init__(self) -> None:
        self._held: list[tuple[int, str]] = []
        self._dirs: set[tuple[int, int]] = set()

    def __enter__(self) -> Barrier:
        return self

    def __exit__(self, *exc: object) -> None:
        held, self._held = self._held, []
        self._dirs.clear()
        for fd, _ in held:
            os.close(fd)

    def hold(self, fd: int, shown: str | Path, *, folder: bool = False) -> None:
        """Keep a duplicate of ``fd`` to fsync at :meth:`sync` (a folder only once)."""
        if folder:
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) in self._dirs:
                return
            self._dirs.add((st.st_dev, st.st_ino))
        self._held.append((os.dup(fd), str(shown)))
        if len(self._held) >= self.MAX_HELD:
            self.sync()

    def sync(self) -> None:
        """fsync everything held, in parallel, and close it: a failure is a
        :class:`~assistant.errors.FileSystemError` naming the file or folder."""
        held, self._held = self._held, []
        self._dirs.clear()
        if not held:
            return
        try:
            from concurrent.futures import ThreadPoolExecutor  # here: a pack never syncs

            with ThreadPoolExecutor(min(self.THREADS, len(held))) as pool:
                failures = list(pool.map(_fsync, held))
        finally:
            for fd, _ in held:
                os.close(fd)
        for (_, shown), exc in zip(held, failures, strict=True):
            if exc is not None:
                from .fsio import _os_failure  # its advice (no space, read-only, permissions)

                raise _os_failure(shown, exc, "save it to disk")


def _fsync(item: tuple[int, str]) -> OSError | None:
    try:
        os.fsync(item[0])
    except OSError as exc:
        return exc
    return None
