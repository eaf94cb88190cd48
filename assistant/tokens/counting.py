"""Counting tokens: one text, many texts on threads, and counts remembered by blob sha."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..cache import Cache, namespace
from .resolve import encoding_info, resolve

DEFAULT_THREADS = 8  # tiktoken's own default for the batch calls


def count(text: str, encoding: str) -> int:
    """Number of tokens in ``text``; the text of special tokens counts as ordinary text."""
    return len(resolve(encoding).encoding.encode_ordinary(text))


def count_batch(
    texts: Sequence[str],
    encoding: str,
    *,
    num_threads: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[int]:
    """Token counts of many texts, encoded on ``num_threads`` threads (default 8).

    The work is tiktoken's ``encode_ordinary_batch`` (a thread pool mapping
    ``encode_ordinary``, which releases the GIL) with two changes for large trees: the
    longest texts start first, so no thread is left with one big file at the end, and each
    token list is dropped as soon as it is counted (the batch call returns them all: about
    350 MB of Python ints for Django's 9.7 M tokens). ``progress(done, total)`` is called
    as texts are counted (every 64 texts and at the end).
    """
    encode = resolve(encoding).encoding.encode_ordinary
    if len(texts) < 2:
        return [len(encode(text)) for text in texts]
    longest_first = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    counts = [0] * len(texts)
    from concurrent.futures import ThreadPoolExecutor  # here: warm packs never count

    with ThreadPoolExecutor(num_threads or DEFAULT_THREADS) as pool:
        found = pool.map(lambda i: len(encode(texts[i])), longest_first)
        for done, (index, n) in enumerate(zip(longest_first, found, strict=True), 1):
            counts[index] = n
            if progress and (done % 64 == 0 or done == len(texts)):
                progress(done, len(texts))
    return counts


class TokenCounter:
    """Counts of texts keyed by their blob sha, remembered in a :class:`Cache`.

    The namespace is ``tokens/<encoding id>/<VERSION>``: the id names the encoding that
    really counted (after any fallback) and the file it came from, so a count is never
    reused for a different encoding.
    """

    def __init__(self, encoding: str, *, cache: Cache | None = None) -> None:
        self.info = encoding_info(encoding)
        self.encoding = encoding
        self.cache = cache if cache is not None else Cache()
        self.namespace = namespace("tokens", self.info.id)

    def __repr__(self) -> str:
        return f"TokenCounter({self.encoding!r}, cache={self.cache!r})"

    def counts(
        self,
        items: Sequence[tuple[str, str]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[int]:
        """Token counts of ``(blob_sha, text)`` pairs, in order.

        Hits come from the cache; the misses are counted in one :func:`count_batch` call
        (each distinct sha once, ``progress`` passed on) and stored with one ``put_many``.
        """
        shas = [sha for sha, _ in items]
        found = self.cache.get_many(self.namespace, list(dict.fromkeys(shas)))
        known = {sha: value for sha, value in found.items() if isinstance(value, int)}
        missing = {sha: text for sha, text in items if sha not in known}
        if missing:
            fresh = dict(
                zip(
                    missing,
                    count_batch(list(missing.values()), self.encoding, progress=progress),
                    strict=True,
                )
            )
            self.cache.put_many(self.namespace, fresh)
            known.update(fresh)
        return [known[sha] for sha in shas]
