"""Counting ahead: texts counted on other cores while the caller is still reading them.

tiktoken releases the GIL while it encodes, so a thread pool encodes on the other cores
while the reader goes on in Python. How often the GIL changes hands matters here (an
encoding thread needs it for a moment after each text); that is a process-wide setting,
so the entry points set it (``assistant.cli``), never this module.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .counting import DEFAULT_THREADS, TokenCounter
from .resolve import resolve

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

Text = str | Callable[[], str]
"""A text, or what gives it when called: a text that the cache counted is never made."""

_AHEAD_BATCH = 256  # texts per cache lookup while counting ahead
_AHEAD_TASK = 16  # texts per thread-pool task while counting ahead


def _count_many(texts: list[str], encoding: str) -> list[int]:
    """Token counts of ``texts``, encoded in one call where that is exact.

    The texts are joined by a special token and encoded with it allowed: tiktoken encodes
    the text between two special tokens on its own, exactly as ``encode_ordinary`` would
    encode that text alone, so the ids between two joints are one text's tokens. One call
    per group instead of one per text matters for threads that count while the caller runs
    Python: each call's end needs the GIL, and waiting for it cost them half their time on
    Django. A text that holds the joining token is counted alone; if the joints found are
    not the joints made, every text is counted alone.
    """
    loaded = resolve(encoding)
    enc = loaded.encoding
    joiner = loaded.joiner if len(texts) > 1 else None
    if joiner is None:
        return [len(enc.encode_ordinary(text)) for text in texts]
    special, special_id = joiner
    counts = [0] * len(texts)
    joined: list[int] = []
    for i, text in enumerate(texts):
        if special in text:
            counts[i] = len(enc.encode_ordinary(text))
        else:
            joined.append(i)
    if not joined:
        return counts
    ids = enc.encode(
        special.join(texts[i] for i in joined), allowed_special={special}, disallowed_special=()
    )
    if ids.count(special_id) != len(joined) - 1:  # a joint went unseen: count one by one
        return [len(enc.encode_ordinary(text)) for text in texts]
    start = 0
    for i in joined[:-1]:
        end = ids.index(special_id, start)
        counts[i] = end - start
        start = end + 1
    counts[joined[-1]] = len(ids) - start
    return counts


class CountAhead:
    """Count texts while they are still being read: a streaming front to a TokenCounter.

    ``add(sha, text)`` as each file is read (``text`` may be a callable that gives it, called
    only for a text the cache has no count for): every :data:`_AHEAD_BATCH` texts, the cache is
    asked once and the misses go to a thread pool (tiktoken releases the GIL, so encoding
    runs on the other cores while the reader goes on). ``counts(items)`` waits for the rest
    and stores the new counts. A cold pack then costs about max(read, encode) instead of
    their sum; a warm one never builds the encoding.
    """

    def __init__(
        self,
        counter: TokenCounter,
        *,
        num_threads: int | None = None,
        known: Mapping[str, int] | None = None,
    ) -> None:
        """``known``: counts by sha the caller already has (for ``counter``'s encoding):
        those texts are neither looked up in the cache nor counted."""
        self.counter = counter
        self.threads = num_threads or min(DEFAULT_THREADS, os.cpu_count() or 2)
        # encoding is CPU-bound: at most one task per core runs, less the cores the caller
        # keeps for itself (see sharing_a_core())
        self._cores = threading.Condition()
        self._busy = 0
        self._reserved = 0
        self._pending: dict[str, Text] = {}
        self._sent: set[str] = set()
        self._known: dict[str, int] = dict(known) if known else {}
        self._running: list[tuple[list[str], Future[list[int]]]] = []
        self._pool: ThreadPoolExecutor | None = None

    def add(self, sha: str, text: Text) -> None:
        if sha in self._known or sha in self._sent:
            return
        self._sent.add(sha)
        self._pending[sha] = text
        if len(self._pending) >= _AHEAD_BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self._pending = self._pending, {}
        found = self.counter.cache.get_many(self.counter.namespace, list(batch))
        misses: list[tuple[str, str]] = []
        for sha, text in batch.items():
            value = found.get(sha)
            if isinstance(value, int):
                self._known[sha] = value
            else:
                misses.append((sha, text if isinstance(text, str) else text()))
        if not misses:
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads)
        # a few texts per task: one future per text costs more in lock traffic than it saves
        for start in range(0, len(misses), _AHEAD_TASK):
            group = misses[start : start + _AHEAD_TASK]
            future = self._pool.submit(self._count_group, [t for _, t in group])
            self._running.append(([sha for sha, _ in group], future))

    def _count_group(self, texts: list[str]) -> list[int]:
        with self._cores:
            while self._busy >= self.threads - self._reserved:
                self._cores.wait()
            self._busy += 1
        try:
            return _count_many(texts, self.counter.encoding)
        finally:
            with self._cores:
                self._busy -= 1
                self._cores.notify()

    @contextmanager
    def sharing_a_core(self) -> Iterator[None]:
        """Leave one core to the caller while it does CPU work of its own (ranking).

        Python work holds the GIL and tiktoken's does not: with every core encoding, the
        caller's thread gets a sliver of one, and both finish late. The caller does not wait
        for a core to come free (a semaphore would let the encoding threads, which take a
        slot again the moment they give one back, keep it from the caller for a second or
        more): the task running on that core finishes its few texts, and no other starts.
        """
        if self.threads < 2:
            yield
            return
        with self._cores:
            self._reserved += 1
        try:
            yield
        finally:
            with self._cores:
                self._reserved -= 1
                self._cores.notify_all()

    def counts(
        self,
        items: Sequence[tuple[str, Text]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[int]:
        """Counts of ``(sha, text)`` pairs in order; texts never added are counted now
        (``text`` may be a callable, as for :meth:`add`)."""
        for sha, text in items:
            self.add(sha, text)
        self._flush()
        fresh: dict[str, int] = {}
        try:
            total = sum(len(shas) for shas, _ in self._running)
            for shas, future in self._running:
                fresh.update(zip(shas, future.result(), strict=True))
                if progress:
                    progress(len(fresh), total)
        finally:
            self.close()
        self.counter.cache.put_many(self.counter.namespace, fresh)
        self._known.update(fresh)
        return [self._known[sha] for sha, _ in items]

    def close(self) -> None:
        """Stop counting ahead: drop queued work.

        ``counts()`` closes; call this when abandoning the counts (an error while reading).
        """
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._running = []
