"""Tags and skeletons for many files at once, cached by content.

Results live in the shared :class:`assistant.cache.Cache` under ``tags/<VERSION>`` and
``skeleton/<VERSION>``, keyed by ``<language>:<blob sha>``: the same content read as the same
language always gives the same result, whatever its path. Bump :data:`VERSION` whenever
the queries, the skeleton rules or the serialised form change.

Serialised forms, chosen to load fast:

- tags: compact JSON ``{"d": [[name, kind, line_start, line_end], ...], "r": [...]}``,
  rows that ``Symbol._make`` turns back into symbols without running Python code;
- skeletons: ``"<elided_lines>\\n<text>"``.

Files without a grammar are not cached: their tags are None and their skeleton is the
head of the file, both cheaper to compute than to look up.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TypeVar

from assistant.cache import VERSIONS, Cache, Value, namespace

from .registry import language_for
from .skeleton import HEAD_LINES, Skeleton, head, skeleton_for_language
from .tags import FileTags, Symbol, tags_for_language

VERSION = VERSIONS["skeleton"]
TAGS_NAMESPACE = namespace("tags")
SKELETON_NAMESPACE = namespace("skeleton")

Item = tuple[str, str, str]  # (repository path, blob sha, text)
T = TypeVar("T")
R = TypeVar("R")


class CodeIndex:
    """Tags and skeletons of many files, computed once per content and language."""

    def __init__(self, cache: Cache) -> None:
        self.cache = cache

    def tags_many(self, items: Iterable[Item]) -> dict[str, FileTags | None]:
        """Tags per path (None for a path without a grammar), from the cache when known."""
        return _cached(
            self.cache,
            items,
            TAGS_NAMESPACE,
            compute=tags_for_language,
            encode=encode_tags,
            decode=lambda encoded, _language: decode_tags(encoded),
            without_grammar=lambda _text: None,
        )

    def skeletons_many(
        self, items: Iterable[Item], *, head_lines: int = HEAD_LINES
    ) -> dict[str, Skeleton]:
        """Skeleton per path, from the cache when known; the file's head without a grammar."""
        return _cached(
            self.cache,
            items,
            SKELETON_NAMESPACE,
            compute=skeleton_for_language,
            encode=encode_skeleton,
            decode=decode_skeleton,
            without_grammar=lambda text: head(text, head_lines=head_lines),
        )


def _cached(
    cache: Cache,
    items: Iterable[Item],
    namespace: str,
    *,
    compute: Callable[[str, str], T],
    encode: Callable[[T], str],
    decode: Callable[[str, str], T],
    without_grammar: Callable[[str], R],
) -> dict[str, T | R]:
    """Look every file with a grammar up by ``<language>:<sha>``; compute and store misses."""
    result: dict[str, T | R] = {}
    pending: list[tuple[str, str, str, str]] = []  # (path, language, key, text)
    for path, blob_sha, text in items:
        language = language_for(path)
        if language is None:
            result[path] = without_grammar(text)
        else:
            pending.append((path, language, f"{language}:{blob_sha}", text))
    found = cache.get_many(namespace, list({key for _p, _l, key, _t in pending}))
    fresh: dict[str, Value] = {}
    for path, language, key, text in pending:
        cached = found.get(key)
        if isinstance(cached, str):
            result[path] = decode(cached, language)
            continue
        value = compute(language, text)
        result[path] = value
        found[key] = fresh[key] = encode(value)
    cache.put_many(namespace, fresh)
    return result


def encode_tags(file_tags: FileTags) -> str:
    return json.dumps(
        {"d": file_tags.defs, "r": file_tags.refs},
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_tags(encoded: str) -> FileTags:
    data = json.loads(encoded)
    return FileTags(
        defs=tuple(map(Symbol._make, data["d"])), refs=tuple(map(Symbol._make, data["r"]))
    )


def encode_skeleton(made: Skeleton) -> str:
    return f"{made.elided_lines}\n{made.text}"


def decode_skeleton(encoded: str, language: str) -> Skeleton:
    elided, _, text = encoded.partition("\n")
    return Skeleton(text, int(elided), language)
