"""Exact patches must apply exactly: real release diffs through ``tome apply --json``.

    python3 bench/release_diffs.py              # every case below, forwards and reversed
    python3 bench/release_diffs.py --case attrs # the cases whose name contains "attrs"
    python3 bench/release_diffs.py --show       # also every hunk that was not placed exactly

For each case (a repository and two release tags): clone the local mirror, check out the
first tag, write ``git diff FROM TO`` (exactly as a user would: rename detection on, no
``--binary``), run ``tome apply --json --allow-config-edits`` on it in the checkout, and
compare every file of the result with the second tag byte for byte. Then the same
reversed (``git diff TO FROM`` applied to ``TO``). Such a patch is made from the very tree
it is applied to, so every hunk must be placed where its ``@@ -N`` says, with no tolerance.

Figures per case: hunks in the diff, placed exactly (no tolerance) at their stated line,
tolerated (placed, with a tolerance named), failed, misplaced (placed elsewhere than the
stated line), and files whose bytes differ from the target tag. Binary files (``Binary
files differ``, no content in the diff) cannot be applied from such a diff: they are
counted apart and left out of the byte comparison. Targets: tolerated 0, failed 0,
misplaced 0, differing files 0; the exit status is non-zero when one is missed.

Nothing is fetched at run time: the repositories come from the mirrors in ``/work/.mirror``
(``fetch`` them as ``github:owner/name``; a missing one is reported with that command and
its cases are skipped).
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, where a sibling module may shadow
# the standard library (bench/select.py shadows ``select``): use the repository root instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402

from assistant.cli import main  # noqa: E402

MIRRORS = Path(os.environ.get("TOME_MIRRORS", "/work/.mirror"))

CASES: tuple[tuple[str, str, str], ...] = (
    ("python-attrs/attrs", "25.1.0", "26.1.0"),
    ("python-attrs/attrs", "24.2.0", "25.1.0"),
    ("python-attrs/attrs", "25.3.0", "25.4.0"),
    ("python-attrs/attrs", "24.1.0", "26.1.0"),
    ("more-itertools/more-itertools", "v10.5.0", "v10.7.0"),
    ("more-itertools/more-itertools", "v10.8.0", "v11.1.0"),
    ("more-itertools/more-itertools", "v10.5.0", "v11.1.0"),
    ("pypa/packaging", "25.0", "26.0"),
    ("pypa/packaging", "26.0", "26.3"),
    ("pytest-dev/pluggy", "1.3.0", "1.5.0"),
    ("pytest-dev/pluggy", "1.5.0", "1.6.0"),
)
_HEADER = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@", re.M)
_BINARY = re.compile(rb"^Binary files (?:a/)?(.+?) and (?:b/)?(.+?) differ$", re.M)


@dataclass
class Figures:
    hunks: int = 0
    exact: int = 0
    tolerated: int = 0
    failed: int = 0
    misplaced: int = 0
    differ: int = 0
    binary: int = 0
    seconds: float = 0.0
    git_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def add(self, other: Figures) -> None:
        for name in ("hunks", "exact", "tolerated", "failed", "misplaced", "differ", "binary"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.git_seconds += other.git_seconds

    @property
    def ok(self) -> bool:
        return not (self.tolerated or self.failed or self.misplaced or self.differ)


def git(cwd: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True).stdout


def mirror(repo: str) -> Path | None:
    path = MIRRORS / repo.replace("/", "+") / "repo"
    return path if path.is_dir() else None


def blobs(root: Path, tag: str) -> dict[str, bytes]:
    """Every file of ``tag`` (submodules and symlinks left out) and its bytes."""
    listing = git(root, "ls-tree", "-r", "-z", tag).split(b"\0")
    entries = [e.split(b"\t", 1) for e in listing if e]
    wanted = [(meta.split()[2].decode(), path.decode("utf-8", "surrogateescape"))
              for meta, path in entries if meta.split()[0] in (b"100644", b"100755")]  # fmt: skip
    feed = "".join(f"{sha}\n" for sha, _ in wanted).encode()
    out = subprocess.run(["git", "cat-file", "--batch"], cwd=root, input=feed,
                         capture_output=True, check=True).stdout  # fmt: skip
    files: dict[str, bytes] = {}
    pos = 0
    for _sha, path in wanted:
        end = out.index(b"\n", pos)
        size = int(out[pos:end].split()[2])
        files[path] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return files


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and not {".git", ".tome"} & set(p.relative_to(root).parts)
    }


def stated_starts(patch: bytes) -> list[list[int]]:
    """Each file's hunks' stated old starts, file by file in the diff's order (a new file's
    ``-0,0`` reads as line 1; a file with no ``@@``, a rename or an empty file, has none)."""
    blocks = re.split(rb"^diff --git ", patch, flags=re.M)[1:]
    return [[max(int(m.group(1)), 1) for m in _HEADER.finditer(b)] for b in blocks]


def run_case(source: Path, old: str, new: str) -> Figures:
    figures = Figures()
    with tempfile.TemporaryDirectory(prefix="tome-release-") as tmp:
        work = Path(tmp) / "repo"
        git(Path(tmp), "clone", "-q", "--shared", "--no-checkout", str(source), str(work))
        git(work, "-c", "advice.detachedHead=false", "checkout", "-q", old)
        patch = git(work, "diff", old, new)
        binary = {m.group(2).decode() for m in _BINARY.finditer(patch)}
        figures.binary = len(binary)
        target = Path(tmp) / "edit.patch"
        target.write_bytes(patch)
        began = time.perf_counter()
        git(work, "apply", "--check", str(target))  # the peer, on the same diff and tree
        figures.git_seconds = time.perf_counter() - began
        out = io.StringIO()
        began = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            main(["apply", "--json", "--allow-config-edits", str(target), "-C", str(work)])
        figures.seconds = time.perf_counter() - began
        report = json.loads(out.getvalue())
        per_file = stated_starts(patch)
        if len(per_file) != len(report["files"]):
            figures.notes.append(f"{len(per_file)} files in the diff, {len(report['files'])} "
                                 "reported")  # fmt: skip
        reported = [(f["path"], h, stated)
                    for f, starts in zip(report["files"], per_file, strict=False)
                    for h, stated in zip(f["hunks"], starts or [1] * len(f["hunks"]),
                                         strict=False)]  # fmt: skip
        # a file with no ``@@`` (an empty new file) is one hunk adding nothing in the report
        figures.hunks = len(reported)
        for path, h, stated in reported:
            if h["state"] == "failed":
                figures.failed += 1
                figures.notes.append(f"failed {path} hunk {h['index']}: {h.get('error', '')}")
            elif h["start"] != stated:
                figures.misplaced += 1
                figures.notes.append(f"misplaced {path} hunk {h['index']}: at {h['start']}, "
                                     f"stated {stated}")  # fmt: skip
            elif h["tolerated"]:
                figures.tolerated += 1
                figures.notes.append(f"tolerated {path} hunk {h['index']} at {h['start']}: "
                                     + "; ".join(h["tolerated"]))  # fmt: skip
            else:
                figures.exact += 1
        want = {p: b for p, b in blobs(work, new).items() if p not in binary}
        got = {p: b for p, b in tree(work).items() if p not in binary}
        for path in sorted(set(want) | set(got)):
            if want.get(path) != got.get(path):
                figures.differ += 1
                state = "missing" if path not in got else "extra" if path not in want else "bytes"
                figures.notes.append(f"differs from {new}: {path} ({state})")
        if report.get("error") and not figures.notes:
            figures.notes.append(f"error: {report['error']}")
    return figures


def main_bench(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--case", default="", help="only cases whose repository contains this")
    ap.add_argument("--show", action="store_true", help="list every hunk not placed exactly")
    args = ap.parse_args(argv)
    total = Figures()
    missing: set[str] = set()
    row = "{:<46} {:>6} {:>6} {:>5} {:>5} {:>5} {:>6} {:>4} {:>6} {:>6}"
    print(row.format("case", "hunks", "exact", "tol", "fail", "misp", "differ", "bin", "s",
                     "git s"))  # fmt: skip
    for repo, old, new in CASES:
        if args.case not in repo:
            continue
        source = mirror(repo)
        if source is None:
            missing.add(repo)
            continue
        for a, b in ((old, new), (new, old)):
            fig = run_case(source, a, b)
            total.add(fig)
            name = f"{repo.split('/')[1]} {a}..{b}"
            print(row.format(name, fig.hunks, fig.exact, fig.tolerated, fig.failed,
                             fig.misplaced, fig.differ, fig.binary, f"{fig.seconds:.2f}",
                             f"{fig.git_seconds:.2f}"))  # fmt: skip
            if args.show or not fig.ok:
                for note in fig.notes[:40]:
                    print(f"    {note}")
    print(row.format("total", total.hunks, total.exact, total.tolerated, total.failed,
                     total.misplaced, total.differ, total.binary, f"{total.seconds:.2f}",
                     f"{total.git_seconds:.2f}"))  # fmt: skip
    if total.hunks:
        print(f"exact {total.exact / total.hunks:.2%} of {total.hunks} hunks; targets: "
              "tolerated 0, failed 0, misplaced 0, differing files 0")  # fmt: skip
        print(f"tome apply (parse, plan, write, journal) / git apply --check: "
              f"{total.seconds / max(total.git_seconds, 1e-9):.1f}x")  # fmt: skip
    for repo in sorted(missing):
        print(f"skipped {repo}: no mirror at {MIRRORS}; get it with the fetch tool "
              f"(github:{repo}) or: git clone --mirror https://github.com/{repo} "
              f"{MIRRORS / repo.replace('/', '+') / 'repo'}")  # fmt: skip
    return 0 if total.ok and not missing else 1


if __name__ == "__main__":
    sys.exit(main_bench())
