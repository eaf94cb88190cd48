"""Benchmark ranking on real requests: commits of public repositories.

    python3 bench/ranking.py [--split held|fit|all] [--ablate] [--limit N]

Each case of ``bench/data/rank_commits.json.xz`` (made by ``bench/build_rank_data.py``) is a
real commit: the query is its message, the target the files it modified, the pool its
parent's tree, the history the commits before it (read from the mirror, as a user's
repository is read). The mirrors are bare clones under ``$TOME_MIRRORS`` (default
``/work/.mirror``), ``owner+name/repo``, as the search tool's ``fetch github:owner/name``
makes them; a missing one is named, with that command, and its cases are left out.

For ``rank_files`` (the shipped weights), plain BM25 and BM25 with the path field, measured in
the same run on the same cases: recall@1/5/10 (the share of a commit's files among the first
k) and recall within 20k/50k tokens (among the best files that fit together), averaged over
commits; and a paired bootstrap 95% interval of rank_files' recall@5 minus each peer's.
``--ablate`` adds the shipped model without each signal, and BM25+path with each alone.
``--django`` times a cold ``rank_files`` of the Django tree instead (each query in a fresh
process, empty cache, < 2 s; medians).
The held-out split is the one to report; the fit split is what ``bench/fit_ranking.py`` fits.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import lzma
import os
import pickle
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.cache import Cache
from assistant.code import CodeIndex
from assistant.packing.history import read_history
from assistant.packing.rank import (
    LEXICAL_ONLY,
    PLAIN_BM25,
    SIGNALS,
    Weights,
    combine,
    features,
    lexical_index,
)
from assistant.tokens import TokenCounter
from assistant.workspace import SourceFile

DATA = Path(__file__).resolve().parent / "data" / "rank_commits.json.xz"
WORK = Path(__file__).resolve().parent / ".work"
MIRRORS = Path(os.environ.get("TOME_MIRRORS", "/work/.mirror"))
MAX_BYTES = 1_048_576  # as discover's default max_file_bytes
KS = (1, 5, 10)
BUDGETS = (20_000, 50_000)


def load_cases(split: str) -> list[dict]:
    data = json.loads(lzma.decompress(DATA.read_bytes()))
    return [c for c in data["cases"] if split == "all" or c["split"] == split]


class Blobs:
    """``git cat-file --batch`` over one process, texts kept by blob sha."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self.texts: dict[str, str | None] = {}

    def text(self, sha: str) -> str | None:
        if sha in self.texts:
            return self.texts[sha]
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{sha}\n".encode())
        self.proc.stdin.flush()
        head = self.proc.stdout.readline().split()
        data = b"\0"  # missing: read as binary, left out
        if len(head) >= 3:
            data = self.proc.stdout.read(int(head[2]))
            self.proc.stdout.read(1)
        text: str | None = None
        if b"\0" not in data:
            with contextlib.suppress(UnicodeDecodeError):
                text = data.decode("utf-8").removeprefix("\ufeff")
        self.texts[sha] = text
        return text

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def pool(blobs: Blobs, rev: str) -> list[SourceFile]:
    """The text files of a tree, as discover would give them (symlinks and big files out)."""
    out = subprocess.run(
        ["git", "-C", str(blobs.repo), "ls-tree", "-r", "-l", "-z", rev],
        capture_output=True,
        check=True,
    ).stdout
    files: list[SourceFile] = []
    for entry in out.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, sha, size = meta.split()
        if kind != b"blob" or mode == b"120000" or not size.isdigit() or int(size) > MAX_BYTES:
            continue  # not a file, a symlink, too big, or missing from the snapshot
        text = blobs.text(sha.decode())
        if text is not None:
            files.append(SourceFile(name.decode("utf-8", "replace"), text, int(size), sha.decode()))
    files.sort(key=lambda f: f.path)
    return files


@dataclass
class Case:
    repo: str
    sha: str
    query: str
    targets: list[str]  # the commit's files that are in the pool
    paths: list[str]
    tokens: list[int]
    found: dict[str, dict[str, dict[int, float]]]  # features by lexical variant ("path", "plain")
    seconds: float  # rank_files' features, cold for the query
    kind: str = "commit"  # "commit" (the message) or "issue" (the body of a fixing commit)


def mirror_of(repo: str) -> Path:
    return MIRRORS / repo.replace("/", "+") / "repo"


def features_file(split: str, limit: int | None) -> Path:
    """Where one run's features are kept: by the data and the code that computes them."""
    digest = hashlib.sha1(DATA.read_bytes())
    for module in sorted((Path(__file__).resolve().parent.parent / "assistant").rglob("*.py")):
        digest.update(module.read_bytes())
    return WORK / f"features-{split}-{limit}-{digest.hexdigest()[:16]}.pickle"


def collect(split: str, *, limit: int | None = None, quiet: bool = False) -> list[Case]:
    """Every case's features (all signals, both lexical variants) and token counts, kept in
    ``bench/.work`` for the next run of the same code on the same data (fit, misses)."""
    WORK.mkdir(exist_ok=True)
    kept = features_file(split, limit)
    if kept.exists():
        with contextlib.suppress(Exception):
            return pickle.loads(kept.read_bytes())  # our own file, written below
    out = _collect(split, limit=limit, quiet=quiet)
    for old in WORK.glob(f"features-{split}-{limit}-*.pickle"):
        old.unlink()
    kept.write_bytes(pickle.dumps(out))
    return out


def _collect(split: str, *, limit: int | None = None, quiet: bool = False) -> list[Case]:
    cases = load_cases(split)
    by_repo: dict[str, list[dict]] = {}
    for c in cases:
        by_repo.setdefault(c["repo"], []).append(c)
    WORK.mkdir(exist_ok=True)
    cache = Cache(WORK / "ranking-cache.sqlite3")
    code = CodeIndex(cache)
    counter = TokenCounter("deepseek-v4", cache=cache)
    out: list[Case] = []
    for repo, items in sorted(by_repo.items()):
        where = mirror_of(repo)
        if not where.is_dir():
            print(f"missing mirror {where}: fetch github:{repo} (its cases are left out)")
            continue
        blobs = Blobs(where)
        for c in items[:limit]:
            files = pool(blobs, c["parent"])
            paths = [f.path for f in files]
            targets = [t for t in c["targets"] if t in set(paths)]
            if not targets:
                continue
            history = read_history(where, c["parent"], cache=cache, relative=False)
            index = lexical_index(files, cache=cache)
            found = {}
            started = time.process_time()
            for name, base in (("path", Weights()), ("plain", PLAIN_BM25)):
                found[name] = features(
                    index, files, c["message"], code=code, weights=base, history=history,
                    every=name == "path",
                )  # fmt: skip
                if name == "path":
                    took = time.process_time() - started
            tokens = counter.counts([(f.blob_sha, f.text) for f in files])
            out.append(Case(repo, c["sha"], c["message"], targets, paths, tokens, found, took,
                            c.get("kind", "commit")))  # fmt: skip
        blobs.close()
        if not quiet:
            print(f"  {repo}: {len(items[:limit])} cases", file=sys.stderr)
    return out


def ranking(case: Case, weights: Weights) -> list[str]:
    found = case.found["plain" if weights.path == 0 else "path"]
    scores = combine(found, weights)
    order = sorted(range(len(case.paths)), key=lambda d: (-scores.get(d, 0.0), case.paths[d]))
    return [case.paths[d] for d in order]


def metrics(case: Case, ranked: list[str]) -> dict[str, float]:
    wanted = set(case.targets)
    out = {f"@{k}": len(wanted & set(ranked[:k])) / len(wanted) for k in KS}
    tokens = dict(zip(case.paths, case.tokens, strict=True))
    for budget in BUDGETS:
        used, got = 0, 0
        for path in ranked:
            used += tokens[path]
            if used > budget:
                break
            got += path in wanted
        out[f"{budget // 1000}k"] = got / len(wanted)
    return out


def evaluate(cases: list[Case], weights: Weights) -> list[dict[str, float]]:
    return [metrics(c, ranking(c, weights)) for c in cases]


def mean(rows: list[dict[str, float]], key: str) -> float:
    return sum(r[key] for r in rows) / len(rows) if rows else 0.0


def bootstrap(a: list[float], b: list[float], n: int = 2000, seed: int = 7) -> tuple[float, float]:
    """Paired bootstrap 95% interval of mean(a) - mean(b), resampling commits."""
    rng = random.Random(seed)
    diffs = [x - y for x, y in zip(a, b, strict=True)]
    means = sorted(sum(rng.choice(diffs) for _ in diffs) / len(diffs) for _ in range(n))
    return means[int(0.025 * n)], means[int(0.975 * n) - 1]


def variants(ablate: bool, shipped: Weights) -> Iterator[tuple[str, Weights]]:
    yield "rank_files", shipped
    yield "plain BM25", PLAIN_BM25
    yield "BM25+path", LEXICAL_ONLY
    if ablate:
        for name in SIGNALS:
            if getattr(shipped, name):
                yield f"  without {name}", replace(shipped, **{name: 0.0})
        for name in SIGNALS:
            w = getattr(shipped, name) or (-0.5 if name == "notes" else 0.3)
            yield f"  BM25+path +{name} only", replace(LEXICAL_ONLY, **{name: w})


DJANGO_QUERIES = [
    "QuerySet.bulk_create ignores update_fields when the database has no upsert",
    "Fix a crash in the migration autodetector when a ForeignKey is renamed",
    "The admin changelist should escape the search term in the page title",
]


def django_cold(rounds: int = 2) -> None:
    """Cold ranking of the Django tree: each query in a fresh process (no memo of an earlier
    ranking) with an empty cache, ``rounds`` times; the medians of wall and CPU. Target < 2 s."""
    import statistics

    walls: list[float] = []
    cpus: list[float] = []
    for _round in range(rounds):
        for number in range(len(DJANGO_QUERIES)):
            out = subprocess.run(
                [sys.executable, __file__, "--django-query", str(number)],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            found = json.loads(out.splitlines()[-1])
            walls.append(found["wall"])
            cpus.append(found["cpu"])
            print(f"cold ranking of Django ({found['files']:,} files, empty cache, fresh process): "
                  f"{found['wall']:.2f} s wall, {found['cpu']:.2f} s CPU (BM25+path alone in the "
                  f"same process {found['lex']:.2f} s CPU), top: {found['top']}")  # fmt: skip
    print(f"median of {len(walls)}: {statistics.median(walls):.2f} s wall, "
          f"{statistics.median(cpus):.2f} s CPU (target < 2 s)")  # fmt: skip


def django_query(number: int) -> None:
    """One cold ranking of the Django tree (read first, not timed), as a JSON line."""
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _django import django_tree

    from assistant.packing.rank import rank
    from assistant.workspace import discover

    root = django_tree()
    files = discover(root, cache=Cache.disabled()).files  # read once: the ranking is timed
    query = DJANGO_QUERIES[number]
    with tempfile.TemporaryDirectory() as tmp:
        cache = Cache(Path(tmp) / "cache.sqlite3")
        wall, cpu = time.perf_counter(), time.process_time()
        ranked = rank(files, query, root=root, cache=cache)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        cache.close()
    lex = time.process_time()
    rank(files, query, root=None, cache=Cache.disabled(), weights=LEXICAL_ONLY)
    lex = time.process_time() - lex
    print(json.dumps({"files": len(ranked), "wall": wall, "cpu": cpu, "lex": lex,
                      "top": ranked[0][0]}))  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--django", action="store_true", help="only the cold Django timing")
    parser.add_argument("--django-query", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--split", default="held", choices=("held", "fit", "all"))
    parser.add_argument("--ablate", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="cases per repository")
    parser.add_argument("--set", nargs="*", default=[], metavar="SIGNAL=W",
                        help="rank_files with these weights instead of the shipped ones")  # fmt: skip
    args = parser.parse_args()
    shipped = replace(Weights(), **{k: float(v) for k, v in (s.split("=") for s in args.set)})
    if args.django_query is not None:
        django_query(args.django_query)
        return 0
    if args.django:
        django_cold()
        return 0
    started = time.perf_counter()
    cases = collect(args.split, limit=args.limit)
    if not cases:
        print("no cases: fetch the mirrors named above")
        return 1
    n_repos = len({c.repo for c in cases})
    print(f"{len(cases)} commits of {n_repos} repositories ({args.split} split), "
          f"{sum(len(c.targets) for c in cases) / len(cases):.1f} target files per commit")  # fmt: skip
    keys = [f"@{k}" for k in KS] + [f"{b // 1000}k" for b in BUDGETS]
    print(
        f"{'':34}" + "".join(f"{('recall' + k) if k[0] == '@' else ('in ' + k):>11}" for k in keys)
    )
    rows: dict[str, list[dict[str, float]]] = {}
    for name, weights in variants(args.ablate, shipped):
        rows[name] = evaluate(cases, weights)
        print(f"{name:34}" + "".join(f"{mean(rows[name], k):11.3f}" for k in keys))
    ours = [r["@5"] for r in rows["rank_files"]]
    for peer in ("plain BM25", "BM25+path"):
        low, high = bootstrap(ours, [r["@5"] for r in rows[peer]])
        diff = mean(rows["rank_files"], "@5") - mean(rows[peer], "@5")
        print(
            f"recall@5 rank_files - {peer}: {diff:+.3f}  (paired bootstrap 95% [{low:+.3f}, {high:+.3f}])"
        )
    for kind in sorted({c.kind for c in cases}):
        mine = [r for c, r in zip(cases, rows["rank_files"], strict=True) if c.kind == kind]
        peer = [r for c, r in zip(cases, rows["BM25+path"], strict=True) if c.kind == kind]
        print(f"{kind} cases ({len(mine)}): rank_files recall@5 {mean(mine, '@5'):.3f}, "
              f"BM25+path {mean(peer, '@5'):.3f}")  # fmt: skip
    per_repo: dict[str, list[float]] = {}
    for c, r in zip(cases, rows["rank_files"], strict=True):
        per_repo.setdefault(c.repo, []).append(r["@5"])
    print("rank_files recall@5 by repository: " + ", ".join(
        f"{k.split('/')[1]} {sum(v) / len(v):.2f}" for k, v in sorted(per_repo.items())))  # fmt: skip
    cpu = sorted(c.seconds for c in cases)
    print(f"features per query (CPU, warm term cache): median {1000 * cpu[len(cpu) // 2]:.0f} ms, "
          f"max {1000 * cpu[-1]:.0f} ms; whole run {time.perf_counter() - started:.0f} s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
