"""The repository's own history as ranking signals: co-change, churn, recency and the
subjects of past commits.

A commit message names what a change is about; the files that change with the ones it names
are often the rest of the change (the test beside the module, the registry beside the
class). :func:`read_history` reads which files the last commits touched, once per HEAD, from
``git log`` of the pack root; :class:`History` answers the questions ranking asks.

The history is repository content, so it is untrusted and bounded: at most
:data:`MAX_COMMITS` commits and :data:`MAX_BYTES` of ``git log`` output, read within
:data:`TIMEOUT` seconds (git is killed past either); a commit that touched more than
:data:`MAX_FILES_PER_COMMIT` files (a reformat, a vendored import) says nothing about which
files belong together and is left out; names are read NUL-separated, so no name can forge a
record, and records are marked with a random mark of each read, so no message can forge one
either. A commit's subject is kept (at most :data:`MAX_SUBJECT` characters, control
characters blanked), and the start of its body (at most :data:`MAX_BODY` characters): the
messages of the commits that touched a file say, in the words people use for requests, what
that file is about (:func:`subject_scores`, :func:`body_scores`), and the past commits
whose messages read like a request name the files it will touch (:func:`similar_scores`).
No repository, no git, or any failure: no history, and ranking goes on without it.
"""

from __future__ import annotations

import marshal
import math
import re
import secrets
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import Cache, namespace
from .lexical import Index, bm25, build_index, over_best, terms_of

MAX_COMMITS = 1000
MAX_BYTES = 8 * 1024 * 1024
MAX_FILES_PER_COMMIT = 40
MAX_SUBJECT = 200
MAX_BODY = 400
TIMEOUT = 5.0
_NS = namespace("history")


@dataclass
class History:
    """The files of the last commits, newest first (each commit as a tuple of paths)."""

    commits: list[tuple[str, ...]]
    key: str = ""  # what it was read from (HEAD, root, bounds): part of a ranking's cache key
    subjects: list[str] = field(default_factory=list)  # each commit's subject ("" unknown)
    bodies: list[str] = field(default_factory=list)  # the start of each commit's body
    _touched: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _subject_index: Index | None = field(default=None, repr=False)
    _body_index: Index | None = field(default=None, repr=False)
    _commit_indexes: dict[bool, Index] = field(default_factory=dict, repr=False)  # by bodies

    def __post_init__(self) -> None:
        for i, paths in enumerate(self.commits):
            for path in paths:
                self._touched.setdefault(path, []).append(i)

    def changes(self, path: str) -> int:
        """How many of the commits touched ``path``."""
        return len(self._touched.get(path, ()))

    def churn(
        self, paths: Iterable[str], *, half_life: float = 100, within: int = MAX_COMMITS
    ) -> dict[str, float]:
        """Each path's recency-weighted change count, ``sum(0.5 ** (age / half_life))`` over
        the last ``within`` commits that touched it (age in commits): a file changed often
        and lately is where the next change tends to be."""
        out: dict[str, float] = {}
        for path in paths:
            seen = self._touched.get(path)
            if seen and seen[0] < within:
                out[path] = sum(0.5 ** (age / half_life) for age in seen if age < within)
        return out

    def cochanged(self, path: str, limit: int = 30) -> dict[str, float]:
        """The files that changed together with ``path``, each with the share of
        ``path``'s commits that touched it too (shrunk for a file seen in few commits)."""
        seen = self._touched.get(path, ())
        if not seen:
            return {}
        counts: dict[str, int] = {}
        for i in seen[:limit]:
            for other in self.commits[i]:
                if other != path:
                    counts[other] = counts.get(other, 0) + 1
        n = min(len(seen), limit)
        return {other: c / (n + 1) for other, c in counts.items()}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TRAILERS = re.compile(
    rb"^([\w-]+-by|cc|change-id|(fix|close|resolve)[sd]?|refs?):.*$", re.I | re.M
)


def parse_log(data: bytes, mark: bytes = b"\x01") -> list[tuple[str, str, tuple[str, ...]]]:
    """Commits from ``git log -z --name-only --format=<mark>%s%x02%b``: a record per commit
    (each starts with ``mark``), the subject, the body, then the names, NUL-separated (a
    truncated last record is dropped). A name is read exactly, as the workspace reads it
    (UTF-8, other bytes kept by ``surrogateescape``). Each commit is ``(subject, body, paths)``, the
    subject bounded to :data:`MAX_SUBJECT` characters and the body to :data:`MAX_BODY`."""
    out: list[tuple[str, str, tuple[str, ...]]] = []
    records = data.split(mark)
    if records and not data.endswith(b"\0"):
        records = records[:-1]  # cut off mid-record by the byte cap
    for record in records[1:]:
        head, _, rest = record.partition(b"\0")
        names = rest.removeprefix(b"\n").split(b"\0")  # one line break after the message
        paths = tuple(dict.fromkeys(n.decode("utf-8", "surrogateescape") for n in names if n))
        if paths and len(paths) <= MAX_FILES_PER_COMMIT:
            subject, _, body = head.partition(b"\x02")
            body = _TRAILERS.sub(b"", body[: 16 * MAX_BODY])  # Signed-off-by: ... says nothing
            out.append((_clean(subject, MAX_SUBJECT), _clean(body, MAX_BODY), paths))
    return out


def _clean(text: bytes, limit: int) -> str:
    """At most ``limit`` characters of ``text``, control characters blanked."""
    return _CONTROL.sub(" ", text[: 4 * limit].decode("utf-8", "replace"))[:limit].strip()


def read_history(
    root: Path, rev: str = "HEAD", *, cache: Cache | None = None, relative: bool = True
) -> History | None:
    """The history of the files under ``root`` up to ``rev`` (None without one).

    Paths are relative to ``root`` (``--relative``), as the workspace names files; a bare
    repository (the benchmarks' mirrors) is read with ``relative=False``."""
    from .. import repo
    from ..errors import GitError

    cache = cache if cache is not None else Cache.disabled()
    try:
        head = repo.run(["rev-parse", "--verify", "-q", f"{rev}^{{commit}}"], root, timeout=TIMEOUT)
        if head.returncode:
            return None
        sha = head.stdout.decode().strip()
        key = f"{_NS}/{sha}/{root.resolve()}/{relative}/{MAX_COMMITS}/{MAX_FILES_PER_COMMIT}"
        key += f"/{MAX_SUBJECT}/{MAX_BODY}"
        hit = cache.get(_NS, key)
        if isinstance(hit, bytes):
            subjects, bodies, commits = marshal.loads(hit)
            return History([tuple(c) for c in commits], key=key, subjects=subjects, bodies=bodies)
        mark = b"\x01" + secrets.token_hex(8).encode()  # no message can forge a record
        data = _bounded_log(root, sha, relative, mark)
    except (GitError, OSError, ValueError, TypeError):
        return None
    parsed = parse_log(data, mark)
    subjects = [subject for subject, _, _ in parsed]
    bodies = [body for _, body, _ in parsed]
    commits = [paths for _, _, paths in parsed]
    cache.put(_NS, key, marshal.dumps((subjects, bodies, [list(c) for c in commits])))
    return History(commits, key=key, subjects=subjects, bodies=bodies)


def _bounded_log(root: Path, sha: str, relative: bool, mark: bytes) -> bytes:
    from .. import repo

    args = ["log", "-z", "--no-merges", "--no-renames", "--name-only"]
    args += ["--relative"] if relative else []
    args += [f"--format=%x01{mark[1:].decode()}%s%x02%b", f"-n{MAX_COMMITS}", sha, "--"]
    proc = repo.start(args, root)
    timer = threading.Timer(TIMEOUT, proc.kill)  # a stalled or endless git is stopped
    timer.start()
    chunks: list[bytes] = []
    size = 0
    try:
        assert proc.stdout is not None
        while size < MAX_BYTES:
            chunk = proc.stdout.read(min(65536, MAX_BYTES - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        timer.cancel()
        proc.kill()
        proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return b"".join(chunks)


def cochange_scores(
    history: History, seeds: Mapping[str, float], *, limit: int = 30
) -> dict[str, float]:
    """Files that changed with the seed files, each credited with the seeds' weights times
    how often they changed together."""
    out: dict[str, float] = {}
    for seed, weight in seeds.items():
        for other, share in history.cochanged(seed, limit).items():
            out[other] = out.get(other, 0.0) + weight * share
    return out


def log_scale(values: Mapping[str, float]) -> dict[str, float]:
    """``log1p`` of each value over ``log1p`` of the largest: in (0, 1]."""
    if not values:
        return {}
    top = math.log1p(max(values.values()))
    return {k: math.log1p(v) / top for k, v in values.items() if v > 0} if top else {}


def subject_scores(history: History, terms: Sequence[str]) -> dict[str, float]:
    """BM25 of the task's terms against each file's past commit subjects (the subjects of
    the commits that touched it, as one text), over the best: in (0, 1]."""
    index = history._subject_index
    if index is None:
        index = history._subject_index = _message_index(history, history.subjects)
    return _over_best(index, terms)


def body_scores(history: History, terms: Sequence[str]) -> dict[str, float]:
    """BM25 of the task's terms against the bodies of the past commits that touched each
    file (each bounded to :data:`MAX_BODY` characters), over the best: in (0, 1]."""
    index = history._body_index
    if index is None:
        index = history._body_index = _message_index(history, history.bodies)
    return _over_best(index, terms)


SIMILAR_COMMITS = 10  # the past commits whose files a request's look-alikes vote for


def similar_commits(
    history: History, terms: Sequence[str], *, top: int = SIMILAR_COMMITS, bodies: bool = True
) -> list[tuple[int, float]]:
    """The ``top`` past commits (index in ``history.commits``) whose messages (the subject,
    and the body too with ``bodies``) read most like ``terms``: BM25 over one message a
    document, each with its score over the best one's, in (0, 1], best first."""
    index = history._commit_indexes.get(bodies)
    if index is None:
        index = history._commit_indexes[bodies] = _commit_message_index(history, bodies)
    raw = bm25(index, terms, path_weight=0.0)
    best = sorted(raw, key=lambda d: (-raw[d], d))[:top]
    if not best or raw[best[0]] <= 0:
        return []
    return [(int(index.paths[doc]), raw[doc] / raw[best[0]]) for doc in best]


def similar_scores(
    history: History, terms: Sequence[str], *, top: int = SIMILAR_COMMITS
) -> dict[str, float]:
    """The files of the past commits whose messages (subject and body) read most like the
    task (:func:`similar_commits`), each commit crediting its files with its score over the
    best, shared by the square root of how many files it touched; over the best: in (0, 1].
    A look-alike request was done before in these files, where :func:`subject_scores` pools
    every subject a file ever had."""
    out: dict[str, float] = {}
    for i, similarity in similar_commits(history, terms, top=top):
        paths = history.commits[i]
        share = similarity / math.sqrt(len(paths))
        for path in paths:
            out[path] = out.get(path, 0.0) + share
    return over_best(out)


def _commit_message_index(history: History, bodies: bool = True) -> Index:
    """One document per commit (named by its position), its subject (and body) as terms."""
    docs: list[tuple[str, Counter[str]]] = []
    for i in range(len(history.commits)):
        subject = history.subjects[i] if i < len(history.subjects) else ""
        body = history.bodies[i] if bodies and i < len(history.bodies) else ""
        tf = terms_of(f"{subject}\n{body}" if body else subject)
        if tf:
            docs.append((str(i), tf))
    return build_index(docs, with_paths=False)


def _over_best(index: Index, terms: Sequence[str]) -> dict[str, float]:
    """BM25 of ``terms`` over the best, by document name (a path)."""
    raw = over_best(bm25(index, terms, path_weight=0.0))
    return {index.paths[doc]: v for doc, v in raw.items()}


def _message_index(history: History, messages: Sequence[str]) -> Index:
    terms = [terms_of(s) for s in messages]
    docs: list[tuple[str, Counter[str]]] = []
    for path, seen in sorted(history._touched.items()):
        tf: Counter[str] = Counter()
        for i in seen:
            if i < len(terms):
                tf.update(terms[i])
        if tf:
            docs.append((path, tf))
    return build_index(docs, with_paths=False)
