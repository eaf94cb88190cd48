"""Past commits like the request as ranking signals: the files they changed, and the kinds
of file they changed.

A request is often worded like an earlier commit of the same repository ("bump the minimum
Python", "ci: test on 3.13", "fix the docs build"), and that commit changed the files this
one will: :func:`similar_commits` finds the past commits whose subjects are most like the
task (BM25 over one subject a document, unlike :func:`~.history.subject_scores`, which pools
all the subjects of a file), and

* :func:`precedent`: credits the files they changed, each commit by its similarity over the
  square root of its size (a commit of two files says more about each than one of forty);
* :func:`kinds`: credits every file of the *kinds* they changed (CI workflows, build and
  dependency files, dotfiles, tests, docs, source, as :func:`kind_of` names them) by the
  share of those commits' changes of that kind, times how often the file itself changed
  among the files of its kind. It lifts the configuration files a request rarely names
  (``.gitignore``, ``tox.ini``, ``pyproject.toml``, a CI workflow score 0 on words) when
  the requests like it changed such files, learned from the repository's own history, with
  no list of request words per kind.

The history is untrusted (:mod:`.history` bounds it: commits, files a commit, subject
length); everything here is a pure function of it and the task's terms, bounded by it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import PurePosixPath

from .history import History
from .history import similar_commits as history_similar
from .lexical import over_best
from .priority import DOCS, OTHER_CODE, README, SOURCE, TESTS, category

__all__ = ["kind_of", "kinds", "precedent", "similar_commits"]

SIMILAR = 20  # how many past commits a request is compared with

_CI_FILES = frozenset(
    {".travis.yml", "azure-pipelines.yml", "appveyor.yml", ".gitlab-ci.yml", ".cirrus.yml"}
)
_CI_DIRS = frozenset({".circleci", ".buildkite", ".azure-pipelines"})
_BUILD_FILES = frozenset({
    "setup.py", "setup.cfg", "pyproject.toml", "tox.ini", "noxfile.py", "manifest.in",
    "cargo.toml", "cargo.lock", "go.mod", "go.sum", "package.json", "package-lock.json",
    "yarn.lock", "makefile", "cmakelists.txt", "meson.build", "build.gradle", "pom.xml",
    "build.gradle.kts", "settings.gradle", "gemfile", "rakefile", "justfile", "dockerfile",
})  # fmt: skip
_NAMES = {README: "readme", SOURCE: "source", OTHER_CODE: "other code", TESTS: "tests",
          DOCS: "docs"}  # fmt: skip


@lru_cache(maxsize=1 << 15)  # bounded; the same names come back query after query
def kind_of(path: str) -> str:
    """``ci``, ``build`` (build, packaging and dependency files), ``dot`` (other dotfiles
    and dot-folders), or the file's :func:`~.priority.category`: ``readme``, ``source``,
    ``other code``, ``tests``, ``docs``, ``rest``."""
    pure = PurePosixPath(path)
    name = pure.name.lower()
    folders = [part.lower() for part in pure.parts[:-1]]
    workflow = ".github" in folders and "workflows" in folders
    if workflow or name in _CI_FILES or any(part in _CI_DIRS for part in folders):
        return "ci"
    if name in _BUILD_FILES or name.startswith("requirements") or "requirements" in folders:
        return "build"
    if name.startswith(".") or any(part.startswith(".") for part in folders):
        return "dot"
    return _NAMES.get(category(path), "rest")


def similar_commits(
    history: History, terms: Sequence[str], k: int = SIMILAR
) -> list[tuple[int, float]]:
    """The ``k`` past commits whose subjects (not bodies) are most like ``terms``, each with
    its BM25 score over the best one's: in (0, 1], best first
    (:func:`~.history.similar_commits`)."""
    return history_similar(history, terms, top=k, bodies=False)


def precedent(
    history: History, similar: Sequence[tuple[int, float]], by_path: Mapping[str, int]
) -> dict[int, float]:
    """The documents the similar commits changed, each commit's similarity shared by the
    square root of its size, over the best: in (0, 1]."""
    out: dict[int, float] = {}
    for i, sim in similar:
        files = history.commits[i]
        for path in files:
            doc = by_path.get(path)
            if doc is not None:
                out[doc] = out.get(doc, 0.0) + sim / math.sqrt(len(files))
    return over_best(out)


def kinds(
    history: History, similar: Sequence[tuple[int, float]], paths: Sequence[str]
) -> dict[int, float]:
    """Every document of a kind the similar commits changed: the (similarity-weighted)
    share of their changes of its kind, times ``log1p`` of how often it changed over that
    of the most changed file of its kind. A file that never changed gets nothing."""
    share: dict[str, float] = {}
    total = 0.0
    for i, sim in similar:
        files = history.commits[i]
        for kind, n in Counter(kind_of(p) for p in files).items():
            share[kind] = share.get(kind, 0.0) + sim * n / len(files)
        total += sim
    if not total:
        return {}
    changed = {doc: history.changes(p) for doc, p in enumerate(paths)}
    of_kind = {doc: kind_of(paths[doc]) for doc, n in changed.items() if n}
    most: dict[str, int] = {}
    for doc, kind in of_kind.items():
        most[kind] = max(most.get(kind, 0), changed[doc])
    return {
        doc: share[kind] / total * math.log1p(changed[doc]) / math.log1p(most[kind])
        for doc, kind in of_kind.items()
        if share.get(kind)
    }
