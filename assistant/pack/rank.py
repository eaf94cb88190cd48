"""Rank a repository's files by relevance to a task: lexical first, the symbol graph second.

Three signals, measured on real code (``bench/select.py``):

1. **BM25** over code-aware terms of each file's contents (:mod:`.lexical`), with the
   path's parts as a boosted field: lexical relevance leads.
2. **Definitions**: files whose tree-sitter definitions are named by the task's terms
   (``get_or_create``, ``QuerySet``) or whose definition names share the task's terms.
3. **The reference graph**: a file that defines what the best-scoring files use is
   pulled up a little (one step of propagation from the top of the lexical ranking).

The expensive per-file parts (term frequencies, definition names) are cached by blob sha;
the assembled index of a whole tree is kept as one file per tree in the cache directory so
a warm ranking of the same tree reads it back in milliseconds.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cache import Cache
from ..code import CodeIndex
from ..workspace import SourceFile
from .lexical import Index, bm25, build_index, query_terms, split_identifier, terms_of

_VERSION = "1"
_TERMS_NS = f"terms/{_VERSION}"


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts (tuned on the benchmark; see ``bench/select.py``)."""

    path: float = 2.0  # BM25 weight of a term found in the path
    defs: float = 0.6  # share of the best score for a file defining a task identifier
    def_terms: float = 0.25  # BM25-like weight of task terms in a file's definition names
    graph: float = 0.15  # share of a top file's score passed to the files it uses
    graph_top: int = 20  # how many top files pass score along


LEXICAL_ONLY = Weights(path=0.0, defs=0.0, def_terms=0.0, graph=0.0)


@dataclass
class TreeIndex:
    """Everything ranking needs about one tree, assembled once and cached as a whole."""

    lexical: Index
    defs: list[tuple[str, ...]]  # definition names per document
    uses: list[tuple[int, ...]]  # per document: the documents defining what it mentions


def rank(
    files: Sequence[SourceFile],
    task: str,
    *,
    root: Path | None = None,
    cache: Cache | None = None,
    weights: Weights = Weights(),
) -> list[tuple[str, float]]:
    """Every file's path with its relevance to ``task``, best first (ties by path)."""
    tree = tree_index(files, root=root, cache=cache)
    scores = score(tree, task, weights=weights)
    paths = tree.lexical.paths
    ranked = sorted(range(len(paths)), key=lambda d: (-scores.get(d, 0.0), paths[d]))
    return [(paths[d], scores.get(d, 0.0)) for d in ranked]


def score(tree: TreeIndex, task: str, *, weights: Weights = Weights()) -> dict[int, float]:
    """Scores per document id (only documents with a positive score)."""
    index = tree.lexical
    terms = query_terms(task)
    scores = bm25(index, terms, path_weight=weights.path)
    if not scores:
        return scores
    best = max(scores.values())

    if weights.defs or weights.def_terms:
        idents = _task_identifiers(task)
        wanted = set(terms)
        for doc, names in enumerate(tree.defs):
            if not names:
                continue
            exact = sum(1 for n in names if n in idents)
            overlap = sum(1 for n in names for t in split_identifier(n) if t in wanted)
            bonus = weights.defs * best * min(exact, 1) + weights.def_terms * best * (
                overlap / (overlap + 5)
            )
            if bonus:
                scores[doc] = scores.get(doc, 0.0) + bonus

    if weights.graph:
        top = sorted(scores, key=lambda d: -scores[d])[: weights.graph_top]
        passed: Counter[int] = Counter()
        for doc in top:
            used = tree.uses[doc]
            if not used:
                continue
            share = weights.graph * scores[doc] / len(used)
            for target in used:
                if target != doc:
                    passed[target] += share
        for doc, extra in passed.items():
            scores[doc] = scores.get(doc, 0.0) + extra
    return scores


def _task_identifiers(task: str) -> set[str]:
    """Words of the task that look like code: snake_case, CamelCase, dotted or called."""
    out: set[str] = set()
    for word in task.replace("(", " ").replace(")", " ").replace("`", " ").split():
        for part in word.strip(".,;:'\"").split("."):
            if part and (("_" in part) or (part[:1].isupper() and any(c.islower() for c in part[1:]) and any(c.isupper() for c in part[1:])) or part[:1].isupper()):
                out.add(part)
    return out


def _uses(defs: Sequence[tuple[str, ...]], tfs: Sequence[Mapping[str, int]]) -> list[tuple[int, ...]]:
    """Per document, the documents that define a distinctive name it mentions.

    A name is distinctive when it is longer than three characters and defined in at most
    three files (``get`` or ``save`` say nothing about which file is meant).
    """
    definers: dict[str, list[int]] = {}
    for doc, names in enumerate(defs):
        for name in names:
            if len(name) > 3:
                definers.setdefault(name.lower(), []).append(doc)
    distinctive = {name: tuple(docs) for name, docs in definers.items() if len(docs) <= 3}
    uses: list[tuple[int, ...]] = []
    for doc, tf in enumerate(tfs):
        found: set[int] = set()
        for term in distinctive.keys() & tf.keys():
            found.update(distinctive[term])
        found.discard(doc)
        uses.append(tuple(sorted(found)))
    return uses


# --- the index of a tree, cached ------------------------------------------------------------


def _digest(files: Sequence[SourceFile]) -> str:
    h = hashlib.sha1(f"rank/{_VERSION}".encode())
    for f in files:
        h.update(f"{f.path}\0{f.blob_sha}\0".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _index_file(cache: Cache, root: Path | None) -> Path | None:
    """One file per packed folder, replaced whenever its tree changes: bounded by design."""
    if cache.path is None or root is None:
        return None
    key = hashlib.sha1(str(root).encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return cache.path.parent / "rank" / f"{key}.idx"


def tree_index(
    files: Sequence[SourceFile], *, root: Path | None = None, cache: Cache | None = None
) -> TreeIndex:
    """The ranking index of these files: from the per-root file, else built (and saved)."""
    cache = cache if cache is not None else Cache.disabled()
    digest = _digest(files)
    where = _index_file(cache, root)
    if where is not None:
        loaded = _load(where, digest)
        if loaded is not None:
            return loaded
    tfs = _term_frequencies(files, cache)
    tags = CodeIndex(cache).tags_many((f.path, f.blob_sha, f.text) for f in files)
    defs = [
        tuple(sorted({s.name for s in t.defs})) if (t := tags.get(f.path)) is not None else ()
        for f in files
    ]
    lexical = build_index(zip((f.path for f in files), tfs, strict=True))
    tree = TreeIndex(lexical, defs, _uses(defs, tfs))
    if where is not None:
        _save(where, digest, tree)
    return tree


def _term_frequencies(files: Sequence[SourceFile], cache: Cache) -> list[dict[str, int]]:
    found = cache.get_many(_TERMS_NS, list(dict.fromkeys(f.blob_sha for f in files)))
    fresh: dict[str, bytes] = {}
    out: list[dict[str, int]] = []
    for f in files:
        blob = found.get(f.blob_sha) or fresh.get(f.blob_sha)
        if isinstance(blob, bytes):
            out.append(marshal.loads(blob))
            continue
        tf = dict(terms_of(f.text))
        fresh[f.blob_sha] = marshal.dumps(tf)
        out.append(tf)
    cache.put_many(_TERMS_NS, fresh)
    return out


def _save(where: Path, digest: str, tree: TreeIndex) -> None:
    index = tree.lexical
    payload = marshal.dumps(
        (digest, index.paths, index.lengths, index.postings, index.path_postings, tree.defs, tree.uses)
    )
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        tmp = where.with_name(f".{where.name}.{os.getpid()}.tmp")
        tmp.write_bytes(payload)
        os.replace(tmp, where)
    except OSError:
        pass  # the index is an accelerator; the next run rebuilds it


def _load(where: Path, digest: str) -> TreeIndex | None:
    try:
        data = marshal.loads(where.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) != 7 or data[0] != digest:
        return None
    _, paths, lengths, postings, path_postings, defs, uses = data
    return TreeIndex(Index(paths, lengths, postings, path_postings), defs, uses)
