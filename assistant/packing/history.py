"""The repository's own history as ranking signals: co-change, churn and recency.

A commit message names what a change is about; the files that change with the ones it names
are often the rest of the change (the test beside the module, the registry beside the
class). :func:`read_history` reads which files the last commits touched, once per HEAD, from
``git log`` of the pack root; :class:`History` answers the questions ranking asks.

The history is repository content, so it is untrusted and bounded: at most
:data:`MAX_COMMITS` commits and :data:`MAX_BYTES` of ``git log`` output, read within
:data:`TIMEOUT` seconds (git is killed past either); a commit that touched more than
:data:`MAX_FILES_PER_COMMIT` files (a reformat, a vendored import) says nothing about which
files belong together and is left out; names are read NUL-separated, so no name can forge a
record. No repository, no git, or any failure: no history, and ranking goes on without it.
"""

from __future__ import annotations

import marshal
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import Cache, namespace

MAX_COMMITS = 1000
MAX_BYTES = 8 * 1024 * 1024
MAX_FILES_PER_COMMIT = 40
TIMEOUT = 5.0
_NS = namespace("history")


@dataclass
class History:
    """The files of the last commits, newest first (each commit as a tuple of paths)."""

    commits: list[tuple[str, ...]]
    key: str = ""  # what it was read from (HEAD, root, bounds): part of a ranking's cache key
    _touched: dict[str, list[int]] = field(default_factory=dict, repr=False)

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


def parse_log(data: bytes) -> list[tuple[str, ...]]:
    """Commits from ``git log -z --name-only --format=%x01``: a record per commit, names
    NUL-separated (a truncated last record is dropped)."""
    out: list[tuple[str, ...]] = []
    records = data.split(b"\x01")
    if records and not data.endswith(b"\0"):
        records = records[:-1]  # cut off mid-record by the byte cap
    for record in records[1:]:
        names = [n.lstrip(b"\n") for n in record.split(b"\0")]
        paths = tuple(
            dict.fromkeys(n.decode("utf-8", "replace") for n in names if n and n != b"\n")
        )
        if paths and len(paths) <= MAX_FILES_PER_COMMIT:
            out.append(paths)
    return out


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
        key = f"{sha}/{root.resolve()}/{relative}/{MAX_COMMITS}/{MAX_FILES_PER_COMMIT}"
        hit = cache.get(_NS, key)
        if isinstance(hit, bytes):
            return History([tuple(c) for c in marshal.loads(hit)], key=key)
        data = _bounded_log(root, sha, relative)
    except (GitError, OSError, ValueError):
        return None
    commits = parse_log(data)
    cache.put(_NS, key, marshal.dumps([list(c) for c in commits]))
    return History(commits, key=key)


def _bounded_log(root: Path, sha: str, relative: bool) -> bytes:
    from .. import repo

    args = ["log", "-z", "--no-merges", "--no-renames", "--name-only"]
    args += ["--relative"] if relative else []
    args += ["--format=%x01", f"-n{MAX_COMMITS}", sha, "--"]
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
