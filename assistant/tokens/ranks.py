"""A built encoding: its identity, its tiktoken object made on first use, and the cache of
converted ranks.

Converting a source file into ranks costs a few hundred milliseconds, so the converted
ranks are kept in ``cache_dir()/encodings``, keyed by the sha256 of the source file.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import marshal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..cache import VERSIONS, write_file
from ..paths import cache_dir

if TYPE_CHECKING:
    import tiktoken  # imported when an encoding is first built: warm packs never need it

VERSION = VERSIONS["tokens"]  # bump it in cache.VERSIONS when a count can change

Ranks: TypeAlias = dict[bytes, int]


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


class Loaded:
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


Parts: TypeAlias = tuple[str, Ranks, dict[str, int]]
_MAGIC = b"tome-bpe\x01" + bytes([marshal.version])


def build_encoding(name: str, parts: Parts) -> tiktoken.Encoding:
    pat_str, ranks, specials = parts
    import tiktoken

    return tiktoken.Encoding(name, pat_str=pat_str, mergeable_ranks=ranks, special_tokens=specials)


def converted(name: str, digest: str, convert: Callable[[], Parts]) -> Parts:
    """The converted parts for the source with sha256 ``digest``: from the cache or fresh.

    Stored with marshal (ten times faster to load than the JSON or .tiktoken text) behind
    a header that names the marshal version and a checksum, so a file written by another
    Python or damaged on disk is rebuilt instead of trusted.
    """
    path = cache_dir() / "encodings" / f"{name}-{digest[:16]}-v{VERSION}.bpe"
    cached = read(path)
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


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


_SHIPPED = "tome-ranks/1"


def dump_shipped(parts: Parts, source_digest: str) -> bytes:
    """``parts`` as a portable, compact file (no marshal: any Python reads it).

    A JSON header line (format, the sha256 of the source it was converted from, the pattern,
    the special tokens, the first rank and a checksum of the body), then the zlib-compressed
    body: one length byte per token in rank order, then the tokens' bytes.
    """
    import json
    import zlib

    pat_str, ranks, specials = parts
    tokens = sorted(ranks, key=ranks.__getitem__)
    first = ranks[tokens[0]]
    if [ranks[t] - first for t in tokens] != list(range(len(tokens))) or max(
        map(len, tokens)
    ) > 255:
        raise ValueError("ranks must be contiguous and tokens at most 255 bytes")
    body = bytes(len(t) for t in tokens) + b"".join(tokens)
    header = {
        "format": _SHIPPED,
        "source_sha256": source_digest,
        "pattern": pat_str,
        "specials": specials,
        "first_rank": first,
        "count": len(tokens),
        "body_sha256": hashlib.sha256(body).hexdigest(),
    }
    return json.dumps(header, sort_keys=True).encode() + b"\n" + zlib.compress(body, 9)


def load_shipped(data: bytes, source_digest: str) -> Parts | None:
    """The parts of a file written by :func:`dump_shipped` for the source with sha256
    ``source_digest``; None when it was made from another source or is damaged."""
    import json
    import zlib

    head, _, packed = data.partition(b"\n")
    try:
        header = json.loads(head)
        if header.get("format") != _SHIPPED or header.get("source_sha256") != source_digest:
            return None
        body = zlib.decompress(packed)
        if hashlib.sha256(body).hexdigest() != header["body_sha256"]:
            return None
        count, first = int(header["count"]), int(header["first_rank"])
        ends = list(itertools.accumulate(body[:count], initial=count))
        if ends[-1] != len(body):
            return None
        ranks = {body[ends[i] : ends[i + 1]]: first + i for i in range(count)}
        return (
            str(header["pattern"]),
            ranks,
            {str(k): int(v) for k, v in header["specials"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError, zlib.error):
        return None
