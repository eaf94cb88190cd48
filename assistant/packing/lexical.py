"""Lexical relevance: code-aware terms and BM25 over file contents and path parts.

Pure functions over values. Identifiers are split the way people search for them:
``get_user_name`` and ``getUserName`` both give ``get``, ``user``, ``name`` and the whole
identifier, so a task that says "user name" finds either. Paths count as a separate, boosted
field: a file named after what the task talks about is usually the file to change.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import chain, filterfalse, repeat
from operator import mul
from typing import TypeVar

_K = TypeVar("_K")

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARTS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")

STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "not",
        "no",
        "do",
        "does",
        "can",
        "should",
        "would",
        "could",
        "self",
        "cls",
        "def",
        "class",
        "return",
        "import",
        "none",
        "true",
        "false",
        "null",
        "nil",
        "var",
        "let",
        "const",
        "func",
        "function",
        "fn",
        "pub",
        "use",
        "new",
        "end",
        "else",
        "elif",
        "try",
        "except",
        "finally",
        "raise",
        "pass",
        "lambda",
        "yield",
        "async",
        "await",
        "public",
        "private",
        "protected",
        "static",
        "void",
        "int",
        "str",
        "bool",
        "string",
        "object",
    }
)


def _split(ident: str) -> tuple[str, ...]:
    if ident.isascii() and ident.islower() and ident.replace("_", "").isalpha():
        parts = [part for part in ident.split("_") if part]  # snake_case: the chunks are parts
    else:  # "_" is no part and stops no lookahead: the parts of the chunks, in one call
        parts = " ".join(_PARTS.findall(ident)).lower().split()
    terms = [p for p in parts if len(p) > 1 and p not in STOPWORDS]
    whole = ident.lower().strip("_")
    if len(parts) > 1 and whole not in STOPWORDS:
        terms.append(whole)
    return tuple(terms)


@lru_cache(maxsize=262_144)
def split_identifier(ident: str) -> tuple[str, ...]:
    """``"getHTTPResponse_code"`` -> ``("get", "http", "response", "code", "gethttpresponse_code")``."""
    return _split(ident)


_PLAIN: set[str] = set()  # identifiers that are their own only term ("user"), seen so far
_PLAIN_MAX = 1 << 18  # bounds the set against hostile input (a miss only costs a split)
_SPLITS: dict[str, tuple[str, ...]] = {}  # the other identifiers' terms, as bounded


_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_WORDS = bytes(byte if byte in _WORD_BYTES else 32 for byte in range(256))  # the rest: " "
_DIGITS = "0123456789"


def terms_of(text: str) -> Counter[str]:
    """Term frequencies of a text (identifiers counted once per occurrence, then split).

    The words (runs of ``[A-Za-z0-9_]``, every other character a space: ``bytes.translate``
    and ``str.split``, faster than a regex) are counted; most are identifiers that are their
    own only term and stay as counted. The others (``get_user``, ``self``, ``2``, ``0x1f``:
    a word that starts with digits is the identifier after them, as :data:`_IDENT` finds it)
    are taken out and split, all in C loops: filtered, popped, looked up (a dict memo) and
    their terms counted back in with the word's count."""
    words = text.encode("ascii", "replace").translate(_WORDS).decode("ascii").split()
    out = Counter(words)
    split = list(filterfalse(_PLAIN.__contains__, out))
    if split:  # all taken out first: a term may be the name of another
        counts = list(map(out.pop, split))
        found = list(map(_SPLITS.get, split))  # a dict is cheaper to ask than the lru memo
        if None in found:
            for at, terms in enumerate(found):
                if terms is None:
                    word = split[at]
                    ident = word.lstrip(_DIGITS) if word[0] in _DIGITS else word
                    found[at] = terms = _split(ident) if ident else ()
                    if terms == (word,):
                        if len(_PLAIN) < _PLAIN_MAX:
                            _PLAIN.add(word)
                    elif len(_SPLITS) < _PLAIN_MAX:
                        _SPLITS[word] = terms
        out.update(chain.from_iterable(map(mul, found, counts)))
    return out


def path_terms(path: str) -> Counter[str]:
    """Terms of a path's parts: ``django/db/models/query.py`` -> django, db, models, query."""
    out: Counter[str] = Counter()
    for part in path.replace("\\", "/").split("/"):
        stem = part.rsplit(".", 1)[0] if "." in part else part
        for term in split_identifier(stem) or ((stem.lower(),) if len(stem) > 1 else ()):
            out[term] += 1
    return out


def query_terms(task: str) -> list[str]:
    """The distinct terms of a task, in order of first appearance."""
    seen: dict[str, None] = {}
    for ident in _IDENT.findall(task):
        for term in split_identifier(ident):
            seen.setdefault(term, None)
    return list(seen)


@dataclass
class Index:
    """An inverted index for BM25.

    Postings are packed per term (``array("I")`` of document id, frequency pairs) so a
    saved index loads fast and a query decodes only its own terms.
    """

    paths: list[str]
    lengths: list[int]
    postings: dict[str, bytes] = field(default_factory=dict)
    path_postings: dict[str, bytes] = field(default_factory=dict)

    @property
    def avg_length(self) -> float:
        return (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def posting(self, term: str) -> dict[int, int]:
        return _unpack(self.postings.get(term))

    def path_posting(self, term: str) -> dict[int, int]:
        return _unpack(self.path_postings.get(term))


def _pack(pairs: list[int]) -> bytes:
    return array("I", pairs).tobytes()


def _unpack(data: bytes | None) -> dict[int, int]:
    if not data:
        return {}
    flat = array("I")
    flat.frombytes(data)
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def build_index(docs: Iterable[tuple[str, Mapping[str, int]]], *, with_paths: bool = True) -> Index:
    """Build an index from ``(path, term frequencies)`` pairs (and the terms of each path
    as its own field, unless not ``with_paths``)."""
    paths: list[str] = []
    lengths: list[int] = []
    postings: defaultdict[str, array[int]] = defaultdict(partial(array, "I"))
    path_postings: dict[str, list[int]] = {}
    posting_of = postings.__getitem__
    for doc, (path, tf) in enumerate(docs):
        paths.append(path)
        lengths.append(sum(tf.values()))
        # (doc, n) onto each term's packed array, in C: the ids to all, then the counts
        arrays = list(map(posting_of, tf))
        deque(map(array.append, arrays, repeat(doc)), maxlen=0)
        deque(map(array.append, arrays, tf.values()), maxlen=0)
        for term, n in path_terms(path).items() if with_paths else ():
            path_postings.setdefault(term, []).extend((doc, n))
    return Index(
        paths,
        lengths,
        {t: packed.tobytes() for t, packed in postings.items()},
        {t: _pack(p) for t, p in path_postings.items()},
    )


def over_best(scores: Mapping[_K, float]) -> dict[_K, float]:
    """``scores`` each over the best of them, in (0, 1]; nothing when none is above 0."""
    best = max(scores.values(), default=0.0)
    return {key: v / best for key, v in scores.items()} if best > 0 else {}


def bm25(
    index: Index,
    terms: Sequence[str],
    *,
    k1: float = 1.2,
    b: float = 0.75,
    path_weight: float = 2.0,
) -> dict[int, float]:
    """BM25 scores (document id -> score) for the query terms, plus a weighted path field."""
    n_docs = len(index.paths)
    if not n_docs:
        return {}
    avg = index.avg_length or 1.0
    scores: dict[int, float] = {}
    for term in terms:
        posting = index.posting(term)
        in_path = index.path_posting(term) if path_weight else {}
        df = len(posting.keys() | in_path.keys())
        if not df:
            continue
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for doc, tf in posting.items():
            norm = tf * (k1 + 1) / (tf + k1 * (1 - b + b * index.lengths[doc] / avg))
            scores[doc] = scores.get(doc, 0.0) + idf * norm
        for doc in in_path:
            scores[doc] = scores.get(doc, 0.0) + idf * path_weight
    return scores


FEEDBACK_DOCS = 3  # the top documents whose words expand a query
FEEDBACK_TERMS = 12  # at most this many words added
_FEEDBACK_CHARS = 60_000  # of each top document read for them (a huge file costs no more)


def feedback_terms(
    index: Index, texts: Sequence[tuple[str, float]], terms: Sequence[str]
) -> list[str]:
    """Pseudo-relevance feedback (RM3-like): the words that weigh most in the top documents'
    texts (``(text, weight)`` pairs), their share of each text times its weight times their
    idf, not already in the query; a word in fewer than 2 documents (it finds no other) or in
    more than a tenth of them (it says nothing) is left out. Best first."""
    n_docs = len(index.paths)
    asked = set(terms)
    weight: dict[str, float] = {}
    for text, w in texts:
        tf = terms_of(text[:_FEEDBACK_CHARS])
        total = sum(tf.values()) or 1
        for term, n in tf.items():
            if len(term) > 2 and term not in asked and not term.isdigit():
                weight[term] = weight.get(term, 0.0) + w * n / total
    scored: list[tuple[float, str]] = []
    for term, v in sorted(weight.items(), key=lambda x: (-x[1], x[0]))[: 20 * FEEDBACK_TERMS]:
        df = len(index.postings.get(term, b"")) // 8  # (doc, count) pairs of 4-byte ints
        if 2 <= df <= max(2, n_docs // 10):
            scored.append((v * math.log(1 + (n_docs - df + 0.5) / (df + 0.5)), term))
    scored.sort(key=lambda x: (-x[0], x[1]))
    return [term for _, term in scored[:FEEDBACK_TERMS]]
