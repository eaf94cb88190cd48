"""Rank a repository's files by relevance to a task: lexical first, then a linear model of
signals.

The lexical score leads: **BM25** over code-aware terms of each file's contents
(:mod:`.lexical`), with the path's parts as a boosted field. Each other signal adds its
weight times its value times the best lexical score (:func:`combine`), every one computed
from the lexical scores alone (:func:`features`), so the weights of :class:`Weights` are one
linear model, fitted on the fit half of real commits (``bench/fit_ranking.py``) and measured
on the held-out half (``bench/ranking.py``):

* **defs**, **def_terms**: a file that defines an identifier the task names, or whose
  definition names share the task's terms (tree-sitter tags; Python's names read from the
  text by :func:`~assistant.code.pyscan.names`, the same names without a parse);
* **graph**, **graph_in**: the files the top files use, and the files that use what they
  define (the reference graph, both directions);
* **cochange**, **recent**, **churn**: the repository's own history (:mod:`.history`):
  files that changed with the top files (fitted to 0: **near** does it better),
  files changed lately, and often;
  **near**: co-change again, seeded by the lexical and subject scores together;
* **precedent**, **kinds**: the past commits whose subjects are most like the task and the
  files they changed, and every file of the kinds of file they changed (CI, build and
  dependency files, tests, docs...) by how often it changed (:mod:`.precedent`); kinds is
  measured and left at 0 (the fit split gains little, the held-out commits nothing);
* **pair**, **mention**: the test of a top source file and the other way round, and files
  whose path, module or stem the task names (:mod:`.pairing`);
* **subjects**: BM25 of the task against the subjects of the past commits that touched each
  file (:func:`~.history.subject_scores`): requests are worded like commit subjects;
* **wording**, **variant**: other forms of the task's words ("parsing" for ``parser.py``)
  in the path and in the contents, and **scope**: the files under the part a subject names
  first (``printer: fix x``) (:mod:`.wording`); variant is measured and left at 0;
* **similar**: the files of the past commits whose messages read most like the task
  (:func:`~.history.similar_scores`; a look-alike request was done there before);
* **feedback**: BM25 of the words that weigh most in the top files (pseudo-relevance
  feedback, :func:`~.lexical.feedback_terms`); **flat**: BM25 with a weak length
  normalisation (b = 0.25: a long file full of matches is not pushed below a short one);
  **headline**: BM25 of the task's first line alone (a commit subject names the thing);
* **expand**: BM25 of the top files' definition names (query expansion); **size**: longer
  files among the matches; **code**: code over docs and configuration; **notes**:
  changelogs and release notes, a weight below 0 (a request rarely needs them read).

Names are needed only for the files a query touches, so they are read lazily (at most
``max_tagged`` a query): Python's from the text (cheaper than a cache lookup), the other
languages' tags parsed and cached by blob sha; the lexical index of a whole tree is kept as
one file per packed folder, so a warm ranking reads it in milliseconds. A ranking writes
what it caches in one transaction (:meth:`~assistant.cache.Cache.deferred`).
"""

from __future__ import annotations

import hashlib
import marshal
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..cache import VERSIONS, Cache, namespace, write_file
from ..code import CodeIndex, FileTags, language_for
from ..code.pyscan import Names
from ..code.pyscan import names as read_names
from ..code.tags import may_define
from ..workspace import SourceFile, tree_digest
from .history import (
    History,
    body_scores,
    cochange_scores,
    log_scale,
    read_history,
    similar_scores,
    subject_scores,
)
from .lexical import (
    FEEDBACK_DOCS,
    Index,
    bm25,
    build_index,
    feedback_terms,
    over_best,
    query_terms,
    split_identifier,
    terms_of,
)
from .pairing import mentions as _mentions
from .pairing import pairs as _pairs
from .precedent import kinds, precedent, similar_commits
from .priority import SOURCE, TESTS, category
from .wording import scope as _scope
from .wording import wording as _wording

_VERSION = VERSIONS["ranking"]
_NOTE_NAMES = frozenset(
    {"changelog", "changes", "history", "news", "release-notes", "release_notes",
     "releasenotes", "whatsnew"}
)  # fmt: skip
_NOTE_DIRS = frozenset({"changelog.d", "changes", "newsfragments", "news", "changelog"})
_NOTE_SUFFIXES = frozenset({"", ".md", ".rst", ".txt", ".adoc", ".markdown"})
_FRAGMENT_KINDS = frozenset({
    "feature", "features", "bugfix", "bugfixes", "bug", "fix", "doc", "docs", "removal",
    "misc", "breaking", "deprecation", "trivial", "change", "changed", "added", "fixed",
    "removed", "security", "improvement", "vendor", "packaging", "contrib", "internal",
})  # fmt: skip


def is_notes(path: str) -> bool:
    """A changelog or release-notes *document*: ``CHANGELOG.md``, ``HISTORY``,
    ``docs/whatsnew.rst``, or a news fragment (``changelog.d/123.bugfix.rst``,
    ``newsfragments/45.feature``); never code, even under a ``news/`` or ``changes/``
    folder (``news/models.py``)."""
    pure = PurePosixPath(path.lower())
    suffix = pure.suffix if len(pure.suffix) < len(pure.name) else ""  # ".gitignore": a name
    if suffix not in _NOTE_SUFFIXES and suffix[1:] not in _FRAGMENT_KINDS:
        return False
    stem = pure.name[: len(pure.name) - len(suffix)] if suffix in _NOTE_SUFFIXES else ""
    if stem in _NOTE_NAMES:
        return True
    return any(part in _NOTE_DIRS for part in pure.parts[:-1])


_TERMS_NS = namespace("terms")
_RANKING_NS = namespace("ranking")  # a whole ranking, by tree digest, task and weights


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each signal counts, as a share of the best lexical score.

    Fitted on the fit half of real commits (``bench/fit_ranking.py --selection``: no step
    that costs ``bench/selection.py`` recall@5; the held-out half is what
    ``bench/ranking.py`` reports); ``path`` and the bounds were tuned on
    ``bench/selection.py``."""

    path: float = 0.5  # BM25 weight of a term found in the path
    defs: float = 2.0  # a file defining an identifier the task names
    def_terms: float = 0.3  # definition names sharing task terms
    graph: float = 1.0  # the files the top files use
    graph_in: float = 0.5  # the files that use what the top files define
    cochange: float = 0.0  # files that changed with the top files (git history)
    churn: float = 0.3  # files changed often and lately (git history)
    pair: float = 0.1  # the test of a top source file, the source of a top test
    mention: float = 1.5  # files whose path or module the task names
    expand: float = 0.2  # BM25 of the top files' definition names (query expansion)
    recent: float = 0.75  # files changed in the last few commits (git history)
    size: float = 0.0  # among the lexical matches, the longer files (log of length)
    code: float = 0.05  # source and test files over docs, data and configuration
    subjects: float = 1.5  # BM25 of the task against each file's past commit subjects
    wording: float = 0.75  # other forms of the task's words in the path
    variant: float = 0.0  # other forms of the task's words in the contents
    scope: float = 1.5  # files under the part the subject names first ("grep: add x")
    near: float = 0.3  # files that changed with the top files by lexical and subject scores
    notes: float = -2.0  # changelogs and release notes (fitted negative: rarely the file to read)
    bodies: float = 0.0  # BM25 of the task against the bodies of each file's past commits
    similar: float = 0.5  # the files of the past commits whose messages read like the task
    feedback: float = 0.05  # BM25 of the words that weigh most in the top files (RM3-like)
    flat: float = 1.0  # BM25 with a weak length normalisation (b = 0.25): long files kept
    headline: float = 0.75  # BM25 of the task's first line alone (a subject names the thing)
    precedent: float = 0.0  # files changed by the past commits most like the task (as similar)
    kinds: float = 0.0  # files of the kinds those commits changed (CI, build, docs...)
    candidates: int = 50  # lexical candidates whose definitions are read
    max_tagged: int = 200  # files whose definitions one query may read (bounds a cold query)
    graph_top: int = 10  # how many top files pass score along
    max_definers: int = 3  # a name defined in more files than this says nothing

    @property
    def uses_history(self) -> bool:
        return any(getattr(self, name) for name in _HISTORY_SIGNALS)


_HISTORY_SIGNALS = (  # the signals read from the repository's history
    *("cochange", "churn", "recent", "subjects", "near", "bodies", "precedent"),
    *("kinds", "similar"),
)
SIGNALS = (
    *("defs", "def_terms", "graph", "graph_in", "cochange", "churn", "pair", "mention"),
    *("expand", "recent", "size", "code", "subjects", "wording", "variant", "scope"),
    *("near", "notes", "bodies", "similar", "feedback", "flat"),
    *("headline", "precedent", "kinds"),  # .precedent: precedent, kinds
)
LEXICAL_ONLY = Weights(  # BM25 with the path field, no other signal
    defs=0.0, def_terms=0.0, graph=0.0, graph_in=0.0, cochange=0.0, churn=0.0, pair=0.0,
    mention=0.0, expand=0.0, recent=0.0, size=0.0, code=0.0, subjects=0.0, wording=0.0,
    variant=0.0, scope=0.0, near=0.0, notes=0.0, bodies=0.0, similar=0.0, feedback=0.0,
    flat=0.0, headline=0.0, precedent=0.0, kinds=0.0,
)  # fmt: skip
PLAIN_BM25 = replace(LEXICAL_ONLY, path=0.0)


def rank(
    files: Sequence[SourceFile],
    task: str,
    *,
    root: Path | None = None,
    cache: Cache | None = None,
    weights: Weights = Weights(),
    history: History | None = None,
) -> list[tuple[str, float]]:
    """Every file's path with its relevance to ``task``, best first (ties by path).

    ``history`` is the repository's (:func:`~.history.read_history`); without one it is read
    from ``root`` when the weights use it."""
    cache = cache if cache is not None else Cache.disabled()
    if history is None and root is not None and weights.uses_history:
        history = read_history(root, cache=cache)
    tree = tree_digest(files)
    held = history.key if history is not None else ""
    key = hashlib.sha1(f"{_VERSION}\0{tree}\0{held}\0{task}\0{weights!r}".encode()).hexdigest()
    hit = cache.get(_RANKING_NS, key)
    if isinstance(hit, bytes):
        order, values = marshal.loads(hit)
        return [(files[d].path, v) for d, v in zip(order, values, strict=True)]
    with cache.deferred():  # every term and tag a cold ranking stores, in one transaction
        index = lexical_index(files, root=root, cache=cache, tree=tree)
        code = CodeIndex(cache)
        scores = score(index, files, task, code=code, weights=weights, history=history)
        paths = index.paths
        ranked = sorted(range(len(paths)), key=lambda d: (-scores.get(d, 0.0), paths[d]))
        cache.put(_RANKING_NS, key, marshal.dumps((ranked, [scores.get(d, 0.0) for d in ranked])))
    return [(paths[d], scores.get(d, 0.0)) for d in ranked]


def score(
    index: Index,
    files: Sequence[SourceFile],
    task: str,
    *,
    code: CodeIndex,
    weights: Weights = Weights(),
    history: History | None = None,
) -> dict[int, float]:
    """Scores per document id (``files[i]`` is document ``i``; only positive scores)."""
    found = features(index, files, task, code=code, weights=weights, history=history)
    return combine(found, weights)


def combine(found: Mapping[str, Mapping[int, float]], weights: Weights) -> dict[int, float]:
    """The lexical score plus each signal's weight times its value, times the best lexical
    score (so a weight is a share of it)."""
    lex = found.get("lex", {})
    best = max(lex.values(), default=0.0)
    if not best:
        return {}
    scores = {doc: v * best for doc, v in lex.items()}
    for name in SIGNALS:
        w = getattr(weights, name)
        if w:
            for doc, v in found.get(name, {}).items():
                scores[doc] = scores.get(doc, 0.0) + w * v * best
    return {doc: v for doc, v in scores.items() if v > 0}


def features(
    index: Index,
    files: Sequence[SourceFile],
    task: str,
    *,
    code: CodeIndex,
    weights: Weights = Weights(),
    history: History | None = None,
    every: bool = False,
) -> dict[str, dict[int, float]]:
    """Each signal's value per document: ``lex`` (BM25 over the best, in (0, 1]) and the
    signals of :data:`SIGNALS` with a weight (all of them with ``every``, for fitting).
    Every signal is computed from the lexical scores alone, so a weighted sum of them is
    the whole model."""
    terms = query_terms(task)
    raw = bm25(index, terms, path_weight=weights.path)
    out: dict[str, dict[int, float]] = {}
    mention = _mentions(index.paths, task) if every or weights.mention else {}
    if mention:
        out["mention"] = mention
    if not raw:
        return out
    best = max(raw.values())
    lex = {doc: v / best for doc, v in raw.items()}
    out["lex"] = lex
    wants = {n: every or bool(getattr(weights, n)) for n in SIGNALS}
    top = _top(lex, weights.graph_top)
    out.update(_tag_features(index, files, task, terms, raw, lex, top, code, weights, wants))
    if wants["pair"]:
        out["pair"] = _pairs(index.paths, {doc: lex[doc] for doc in top})

    if wants["size"]:
        longest = math.log1p(max(index.lengths[d] for d in lex))
        out["size"] = {d: math.log1p(index.lengths[d]) / longest for d in lex} if longest else {}

    if wants["code"]:
        code_kinds = (SOURCE, TESTS)
        out["code"] = {d: 1.0 for d, p in enumerate(index.paths) if category(p) in code_kinds}

    if wants["wording"] or wants["variant"]:
        out["wording"], out["variant"] = _wording(index, terms)
    if wants["scope"]:
        out["scope"] = _scope(index.paths, task)
    if wants["notes"]:
        out["notes"] = {d: 1.0 for d in lex if is_notes(index.paths[d])}
    if wants["feedback"]:
        out["feedback"] = over_best(
            bm25(
                index,
                feedback_terms(
                    index, [(files[d].text, lex[d]) for d in top[:FEEDBACK_DOCS]], terms
                ),
                path_weight=0.0,
            )
        )
    if wants["headline"]:
        first = query_terms(task.lstrip()[:1000].split("\n", 1)[0])
        out["headline"] = over_best(bm25(index, first, path_weight=weights.path))
    if wants["flat"]:
        out["flat"] = over_best(bm25(index, terms, b=0.25, path_weight=weights.path))

    if history is not None:
        out.update(_history_features(index, history, terms, lex, top, wants))
    return out


def _tag_features(
    index: Index,
    files: Sequence[SourceFile],
    task: str,
    terms: list[str],
    raw: Mapping[int, float],
    lex: Mapping[int, float],
    top: list[int],
    code: CodeIndex,
    weights: Weights,
    wants: Mapping[str, bool],
) -> dict[str, dict[int, float]]:
    """The signals read from tree-sitter tags: definitions, the graph, query expansion."""
    out: dict[str, dict[int, float]] = {}
    tags = _Tags(code, files, raw, weights.max_tagged)

    if wants["def_terms"]:
        wanted = set(terms)
        found: dict[int, float] = {}
        for doc in _top(lex, weights.candidates):
            names = tags.defs(doc)
            overlap = sum(1 for n in names for t in split_identifier(n) if t in wanted)
            if overlap:
                found[doc] = overlap / (overlap + 3)
        out["def_terms"] = found

    if wants["defs"]:
        found = {}
        for ident in sorted(_task_identifiers(task)):
            definers = tags.definers(index, ident, weights.max_definers)
            for doc in definers:
                found[doc] = found.get(doc, 0.0) + 1 / len(definers)
        out["defs"] = found

    if wants["graph"]:
        found = {}
        for doc in top:
            used: set[int] = set()
            for name in sorted(tags.refs(doc)):  # sorted: the tag budget is spent in a fixed order
                used.update(tags.definers(index, name, weights.max_definers))
            used.discard(doc)
            for target in used:
                found[target] = found.get(target, 0.0) + lex[doc] / len(used)
        out["graph"] = found

    if wants["graph_in"]:
        found = {}
        for doc in top[:5]:
            users = tags.users(index, doc)
            for user in users:
                found[user] = found.get(user, 0.0) + lex[doc] / len(users)
        out["graph_in"] = found

    if wants["expand"]:
        extra: dict[str, None] = {}
        seen = set(terms)
        for doc in top[:3]:
            for name in sorted(tags.defs(doc)):
                for term in split_identifier(name):
                    if term not in seen and len(term) > 2:
                        extra.setdefault(term, None)
        expanded = bm25(index, list(extra)[:40], path_weight=0.0)
        most = max(expanded.values(), default=0.0)
        out["expand"] = {doc: v / most for doc, v in expanded.items()} if most else {}

    return out


def _history_features(
    index: Index,
    history: History,
    terms: list[str],
    lex: Mapping[int, float],
    top: list[int],
    wants: Mapping[str, bool],
) -> dict[str, dict[int, float]]:
    """The signals read from the repository's history: co-change, churn, recency, subjects."""
    out: dict[str, dict[int, float]] = {}
    by_path = {path: doc for doc, path in enumerate(index.paths)}
    if wants["subjects"] or wants["near"]:
        said = subject_scores(history, terms)
        out["subjects"] = {by_path[p]: v for p, v in said.items() if p in by_path}
    if wants["bodies"]:
        said = body_scores(history, terms)
        out["bodies"] = {by_path[p]: v for p, v in said.items() if p in by_path}
    if wants["similar"]:
        said = similar_scores(history, terms)
        out["similar"] = {by_path[p]: v for p, v in said.items() if p in by_path}
    if wants["cochange"]:
        seeds = {index.paths[doc]: lex[doc] for doc in top}
        near = cochange_scores(history, seeds)
        out["cochange"] = {by_path[p]: v for p, v in near.items() if p in by_path}
    if wants["near"]:  # co-change seeded by the lexical and subject scores together
        by_subject = out.get("subjects", {})
        first = {d: lex.get(d, 0.0) + by_subject.get(d, 0.0) for d in lex.keys() | by_subject}
        seeds = {index.paths[doc]: first[doc] / 2 for doc in _top(first, 5)}
        near = cochange_scores(history, seeds)
        most = max(near.values(), default=0.0)
        out["near"] = {by_path[p]: v / most for p, v in near.items() if p in by_path and most}
    if wants["precedent"] or wants["kinds"]:
        similar = similar_commits(history, terms)
        if wants["precedent"]:
            out["precedent"] = precedent(history, similar, by_path)
        if wants["kinds"]:
            out["kinds"] = kinds(history, similar, index.paths)
    if wants["churn"]:
        churn = log_scale(history.churn(index.paths))
        out["churn"] = {by_path[p]: v for p, v in churn.items()}
    if wants["recent"]:
        recent = history.churn(index.paths, half_life=5, within=50)
        most = max(recent.values(), default=0.0)
        out["recent"] = {by_path[p]: v / most for p, v in recent.items()} if most else {}
    return out


def _top(scores: Mapping[int, float], n: int) -> list[int]:
    return sorted(scores, key=lambda d: -scores[d])[:n]


class _Tags:
    """Names defined and referenced by documents, read on demand: Python's by the text
    reader :func:`~assistant.code.pyscan.names` (the tags query's names without a parse),
    the other languages' tags through the cached :class:`CodeIndex`."""

    def __init__(
        self,
        code: CodeIndex,
        files: Sequence[SourceFile],
        scores: Mapping[int, float],
        limit: int,
    ) -> None:
        self.code = code
        self.files = files
        self.scores = scores  # lexical scores: the order in which to spend the limit
        self.left = limit
        self.known: dict[int, Names | None] = {}
        self._definers: dict[str, list[int]] = {}

    def load(self, docs: Sequence[int]) -> None:
        todo = [d for d in dict.fromkeys(docs) if d not in self.known]
        if len(todo) > self.left:
            todo.sort(key=lambda d: -self.scores.get(d, 0.0))
            for d in todo[self.left :]:
                self.known[d] = None  # over the limit: read as having no definitions
            todo = todo[: self.left]
        self.left -= len(todo)
        parse: list[int] = []
        for d in todo:
            if language_for(self.files[d].path) == "python":
                self.known[d] = read_names(self.files[d].text)
            else:
                parse.append(d)
        if not parse:
            return
        items = [(self.files[d].path, self.files[d].content_key, self.files[d].text) for d in parse]
        found = self.code.tags_many(items)
        for d in parse:
            tags = found.get(self.files[d].path)
            self.known[d] = None if tags is None else _names_of(tags)

    def may_define(self, doc: int, name: str) -> bool:
        """False when ``doc`` certainly does not define ``name`` (known, or a text test)."""
        if doc in self.known:
            names = self.known[doc]
            return names is not None and name in names.defs
        return may_define(language_for(self.files[doc].path), self.files[doc].text, name)

    def defs(self, doc: int) -> frozenset[str]:
        self.load([doc])
        names = self.known[doc]
        return names.defs if names else frozenset()

    def refs(self, doc: int) -> set[str]:
        self.load([doc])
        names = self.known[doc]
        return {name for name in names.refs if len(name) > 3} if names else set()

    def users(self, index: Index, doc: int, limit: int = 20) -> list[int]:
        """Documents that reference a distinctive name ``doc`` defines (at most ``limit``)."""
        found: set[int] = set()
        for name in sorted(n for n in self.defs(doc) if len(n) > 3)[:20]:
            mention = index.posting(name.lower().strip("_"))
            if not mention or len(mention) > limit:
                continue  # a name everyone mentions says nothing
            self.load(sorted(mention))
            for other in sorted(mention):
                names = self.known.get(other)
                if other != doc and names and name in names.refs:
                    found.add(other)
        return sorted(found)

    def definers(self, index: Index, name: str, limit: int) -> list[int]:
        """Documents that define ``name`` (none if more than ``limit`` do)."""
        if name in self._definers:
            return self._definers[name]
        # A definer mentions the name: look only among the documents whose terms hold it.
        term = name.lower().strip("_")
        mention = index.posting(term)
        found: list[int] = []
        if mention and len(mention) <= 50 * limit:
            # Parse only the files that may define it: the tag budget goes where it tells.
            for doc in sorted(mention):
                if self.may_define(doc, name) and name in self.defs(doc):
                    found.append(doc)
                    if len(found) > limit:
                        break  # defined in too many files: says nothing, read no more
        self._definers[name] = found if len(found) <= limit else []
        return self._definers[name]


def _names_of(tags: FileTags) -> Names:
    return Names(frozenset(s.name for s in tags.defs), frozenset(s.name for s in tags.refs))


def _task_identifiers(task: str) -> set[str]:
    """Words of the task that look like code: snake_case, CamelCase, or dotted names."""
    out: set[str] = set()
    for word in task.replace("(", " ").replace(")", " ").replace("`", " ").split():
        for part in word.strip(".,;:'\"").split("."):
            if len(part) > 2 and ("_" in part.strip("_") or _is_camel(part)):
                out.add(part)
    return out


def _is_camel(word: str) -> bool:
    return (
        word[:1].isalpha() and any(c.isupper() for c in word[1:]) and any(c.islower() for c in word)
    )


# --- the index of a tree, cached ------------------------------------------------------------


def _index_file(cache: Cache, root: Path | None) -> Path | None:
    """One file per packed folder, replaced whenever its tree changes: bounded by design."""
    return cache.folder_file("rank", root, ".idx") if root is not None else None


def lexical_index(
    files: Sequence[SourceFile],
    *,
    root: Path | None = None,
    cache: Cache | None = None,
    tree: str | None = None,
) -> Index:
    """The lexical index of these files: from the per-root file, else built (and saved).

    ``tree`` is :func:`~assistant.workspace.tree_digest` of ``files`` when already known.
    """
    cache = cache if cache is not None else Cache.disabled()
    digest = f"{_VERSION}/{tree or tree_digest(files)}"
    where = _index_file(cache, root)
    if where is not None:
        loaded = _load(where, digest)
        if loaded is not None:
            return loaded
    tfs = _term_frequencies(files, cache)
    index = build_index(zip((f.path for f in files), tfs, strict=True))
    if where is not None:
        _save(where, digest, index)
    return index


def _term_frequencies(files: Sequence[SourceFile], cache: Cache) -> list[dict[str, int]]:
    found = cache.get_many(_TERMS_NS, list(dict.fromkeys(f.content_key for f in files)))
    fresh: dict[str, bytes] = {}
    out: list[dict[str, int]] = []
    for f in files:
        blob = found.get(f.content_key) or fresh.get(f.content_key)
        if isinstance(blob, bytes):
            out.append(marshal.loads(blob))
            continue
        tf = dict(terms_of(f.text))
        fresh[f.content_key] = marshal.dumps(tf)
        out.append(tf)
    cache.put_many(_TERMS_NS, fresh)
    return out


def _save(where: Path, digest: str, index: Index) -> None:
    payload = marshal.dumps(
        (digest, index.paths, index.lengths, index.postings, index.path_postings)
    )
    write_file(where, payload)  # an accelerator: unwritten, the next run rebuilds it


def _load(where: Path, digest: str) -> Index | None:
    try:
        data = marshal.loads(where.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) != 5 or data[0] != digest:
        return None
    _, paths, lengths, postings, path_postings = data
    return Index(paths, lengths, postings, path_postings)


def neighbours(
    files: Sequence[SourceFile],
    top: Sequence[str],
    *,
    root: Path | None = None,
    cache: Cache | None = None,
    weights: Weights = Weights(),
) -> dict[str, str]:
    """The files the ``top`` files use (define a distinctive name they reference) or are
    used by, each mapped to the best top file it neighbours (a top file only to one ranked
    above it). Bounded like a ranking: at most ``weights.max_tagged`` files are parsed."""
    cache = cache if cache is not None else Cache.disabled()
    with cache.deferred():  # the tags it stores, in one transaction
        return _neighbours(files, top, root=root, cache=cache, weights=weights)


def _neighbours(
    files: Sequence[SourceFile], top: Sequence[str], *, root: Path | None, cache: Cache,
    weights: Weights,
) -> dict[str, str]:  # fmt: skip
    index = lexical_index(files, root=root, cache=cache)
    by_path = {path: doc for doc, path in enumerate(index.paths)}
    seeds = [by_path[p] for p in top if p in by_path]
    tags = _Tags(CodeIndex(cache), files, {d: float(len(seeds) - i) for i, d in enumerate(seeds)},
                 weights.max_tagged)  # fmt: skip
    place = {doc: i for i, doc in enumerate(seeds)}
    out: dict[str, str] = {}
    for doc in seeds:
        near: list[int] = []
        for name in sorted(tags.refs(doc)):
            near.extend(tags.definers(index, name, weights.max_definers))
        near.extend(tags.users(index, doc))
        for other in near:  # a neighbour of a file ranked above it
            if place.get(other, len(seeds)) > place[doc]:
                out.setdefault(index.paths[other], index.paths[doc])
    return out
