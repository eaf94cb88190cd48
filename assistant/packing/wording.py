"""The request's words in other forms: "parsing" finds ``parser.py``, "markers" ``marker``.

A request is written in prose ("fix parsing of quoted markers"), code in names
(``parser.py``, ``Marker``); BM25 matches only the exact term. :func:`variants` gives the
other forms of a word that share its stem (a light suffix stemmer, no dictionary), and
:func:`wording` scores the files whose path parts or identifiers hold such a form and not
the word itself (the exact match is BM25's already): two signals, ``wording`` (the path,
a file-name part counting twice a folder's) and ``variant`` (the contents, BM25 of the
forms). Pure functions over the index and the task's terms: the forms are looked up, never
generated from the index, so the cost is a few dozen posting reads a query.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from .lexical import Index, bm25, over_best, split_identifier

__all__ = ["scope", "stem", "variants", "wording"]

_SUFFIXES = (
    "ations", "ation", "ings", "ing", "ions", "ion", "ers", "er", "ies", "ied", "ed", "es",
    "ly", "s",
)  # fmt: skip
_FORMS = ("", "e", "s", "es", "ed", "ing", "er", "ers", "ion", "ions", "ation", "or", "ors")
_MAX_TERM = 40  # longer terms are names, not words with forms
_MAX_TERMS = 30  # a long request gives its first words' forms only
_SCOPE = re.compile(r"\s*([\w.\-/]{1,40}(?:,\s?[\w.\-/]{1,40}){0,3})(?:\([\w.\-/, ]{1,40}\))?!?:\s")


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """A light stem: ``parsing``, ``parser``, ``parsed``, ``parse`` -> ``pars``."""
    w = word.lower()
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiousl":
        w = w[:-1]  # mapping -> mapp -> map
    return w


@lru_cache(maxsize=65_536)
def variants(word: str) -> tuple[str, ...]:
    """Other forms of ``word`` with the same stem (not ``word`` itself)."""
    if len(word) > _MAX_TERM or len(word) < 3 or not word.isalpha():
        return ()
    base = stem(word)
    bases = {base}
    if base[-2] in "aeiou" and base[-1] not in "aeiouwxy" and base[-3] not in "aeiou":
        bases.add(base + base[-1])  # map -> mapping, mapped
    if base.endswith("y"):
        bases.add(base[:-1] + "i")
    forms = {b + f for b in bases for f in _FORMS}
    return tuple(sorted(f for f in forms if f != word and stem(f) == base))


def wording(index: Index, terms: Sequence[str]) -> tuple[dict[int, float], dict[int, float]]:
    """``(path, contents)``: the files whose path parts hold another form of a task term
    (idf-weighted, a file-name part twice a folder's, over the best), and BM25 of the other
    forms over the contents (over the best)."""
    wanted = {t: None for t in terms if t.isalpha()}
    forms: dict[str, None] = {}
    for term in list(wanted)[:_MAX_TERMS]:
        for form in variants(term):
            if form not in wanted:
                forms.setdefault(form, None)
    n_docs = len(index.paths) or 1
    path: dict[int, float] = {}
    for form in forms:
        posting = index.path_posting(form)
        if not posting or len(posting) > n_docs // 2 + 1:
            continue
        idf = math.log(1 + (n_docs - len(posting) + 0.5) / (len(posting) + 0.5))
        for doc in posting:
            name = index.paths[doc].rsplit("/", 1)[-1].rsplit(".", 1)[0]
            in_name = form in split_identifier(name) or form == name.lower()
            path[doc] = path.get(doc, 0.0) + idf * (1.0 if in_name else 0.5)
    contents = bm25(index, list(forms), path_weight=0.0)
    return over_best(path), over_best(contents)


def scope(paths: Sequence[str], task: str) -> dict[int, float]:
    """The files under the part a request's subject names first (``grep: add x``,
    ``fix(printer): y``, ``ignore/types, globset: z``): a path part that is the scope word or
    another form of it, 1.0 shared by the matching folders' sizes (log), 0.0 without one."""
    found = _SCOPE.match(task[:200])
    if not found:
        return {}
    head = task[: found.end()]
    inner = re.search(r"\(([^)]*)\)", head)
    words = re.split(r"[\s,/]+", inner.group(1) if inner else found.group(1))
    wanted = {stem(w.lower()) for w in words if 2 < len(w) <= _MAX_TERM}
    wanted -= {stem(w) for w in ("fix", "feat", "chore", "refactor", "perf", "style", "note")}
    if not wanted or len(wanted) > 4:
        return {}
    out: dict[int, float] = {}
    for doc, path in enumerate(paths):
        parts = path.lower().split("/")
        names = [p.rsplit(".", 1)[0] if "." in p[1:] else p for p in parts]
        hit = sum(1 for w in wanted if any(stem(n.strip("_-")) == w or n == w for n in names))
        if hit:
            out[doc] = hit / len(wanted)
    if len(out) > len(paths) // 2 + 1:
        return {}  # a scope most files answer to says nothing
    weight = 1 / (1 + math.log1p(len(out)) / 4)
    return {d: v * weight for d, v in out.items()}
