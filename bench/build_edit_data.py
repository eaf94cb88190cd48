"""Build ``bench/data/edit_commits.json.xz``: real commits of public repositories, for
``bench/edits.py``.

    python3 bench/build_edit_data.py [MIRROR_ROOT]     # default /work/.mirror

The mirrors (bare clones named ``owner+name/repo``, as the ``fetch`` tool makes them) are not
on the user's machine, so what the benchmark needs is vendored as one compressed file: per
case the repository, the commit sha, the licence, and per file its text before and after and
the diff exactly as ``git diff`` wrote it. Rebuilding from the same mirrors gives the same file
(the selection is seeded and walks each history from the pinned head below).

Which commits: not merges; files that exist on both sides (modified, not added, deleted or
renamed), UTF-8 text, at most 60 kB, not vendored or generated; at most 60 changed lines per
file and 3 files per commit. Ordinary commits are sampled; the rare shapes are looked for on
purpose over the whole history and kept: files without a final newline, commits that add or
remove the final newline or delete trailing blank lines, CRLF files, and hunks whose lines
occur more than once in the file (the line number is what places them).
"""

from __future__ import annotations

import json
import lzma
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "edit_commits.json.xz"
SEED = 20261202

# repo: (licence, pinned head). Permissive licences only, checked in each repository's root.
REPOS = {
    "python-attrs/attrs": ("MIT", "c1dc5dcba16ed827aa6dcad896b41a3afedb4e32"),
    "pypa/packaging": ("Apache-2.0 OR BSD-2-Clause", "053c884615f2e83d80705251b447769ec2599653"),
    "more-itertools/more-itertools": ("MIT", "2fe1b2eeb9d75f994113fe3ac76d14b6bcd6fb10"),
    "spf13/cobra": ("Apache-2.0", "adbc8813901bba65827259daa8e22ff94ec1f30e"),
    "BurntSushi/ripgrep": ("MIT OR Unlicense", "3fce3b5bb0236da2df6d99672afb8a719642eca7"),
    "google/gson": ("Apache-2.0", "9835b6f90192f79cdf5300c528fc6212455fb6c1"),
    "sindresorhus/got": ("MIT", "d00d845a0b435365ec73ea5a1fca6e17ee677184"),
    "DaveGamble/cJSON": ("MIT", "a29814f285cc531c00223743ad3c55cd38c0dc56"),
}
LANGS = {
    ".py": "Python", ".go": "Go", ".rs": "Rust", ".java": "Java", ".js": "JavaScript",
    ".ts": "TypeScript", ".c": "C", ".h": "C", ".md": "Markdown", ".rst": "reST",
    ".toml": "TOML", ".yml": "YAML", ".yaml": "YAML", ".txt": "text", ".cmake": "CMake",
}  # fmt: skip
VENDORED = re.compile(r"(^|/)(vendor|third_party|node_modules|dist|build|fuzzing/inputs)/")
MAX_BYTES = 60_000
MAX_CHANGED = 60
MAX_FILES = 3
ORDINARY = 22  # sampled per repository
CAPS = {"eol-change": 10, "no-eol": 8, "trailing-blank": 8, "crlf": 8, "repeated": 8}


def git(repo: Path, *args: str) -> str:
    # bytes, decoded here: text mode would turn a CRLF file's "\r\n" into "\n"
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


@dataclass
class Change:
    path: str
    before: str
    after: str
    diff: str = ""
    tags: set[str] = field(default_factory=set)


def _changes(repo: Path, head: str) -> list[tuple[str, str, list[str]]]:
    """(commit, parent, [paths]) of every non-merge commit with eligible modified files."""
    out = []
    log = git(repo, "log", "--no-merges", "--no-renames", "--diff-filter=M", "--numstat",
              "--format=@%H %P", head)  # fmt: skip
    commit = parent = ""
    paths: list[str] = []
    ok = True

    def flush() -> None:
        if commit and parent and paths and ok and len(paths) <= MAX_FILES:
            out.append((commit, parent, list(paths)))

    for line in log.splitlines():
        if line.startswith("@"):
            flush()
            parts = line[1:].split()
            commit, parent = parts[0], (parts[1] if len(parts) == 2 else "")
            paths, ok = [], True
        elif line.strip():
            added, removed, path = line.split("\t", 2)
            if added == "-":  # binary
                continue
            ext = Path(path).suffix.lower()
            if ext not in LANGS or VENDORED.search(path):
                continue
            if int(added) + int(removed) > MAX_CHANGED:
                ok = False
            paths.append(path)
    flush()
    return out


class Blobs:
    """``git cat-file --batch`` over one process: thousands of blobs without a fork each."""

    def __init__(self, repo: Path) -> None:
        self.proc = subprocess.Popen(
            ["git", "-C", str(repo), "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )  # fmt: skip

    def read(self, rev: str, path: str) -> bytes | None:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{rev}:{path}\n".encode())
        self.proc.stdin.flush()
        head = self.proc.stdout.readline().split()
        if len(head) < 3 or head[1] != b"blob":
            return None
        size = int(head[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        return data

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def _text(data: bytes | None) -> str | None:
    if data is None or len(data) > MAX_BYTES or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _trailing_blank(text: str) -> int:
    """How many blank lines end the text (after its last non-blank line)."""
    body = text.rstrip("\r\n")
    return text[len(body) :].count("\n") - (1 if body and text != body else 0)


def _hunk_befores(diff: str) -> list[list[str]]:
    hunks: list[list[str]] = []
    for line in diff.split("\n"):
        if line.startswith("@@"):
            hunks.append([])
        elif hunks and line[:1] in (" ", "-") and not line.startswith("--- "):
            hunks[-1].append(line[1:].rstrip("\r"))
    return hunks


def _repeated(before: str, diff: str) -> bool:
    lines = [x.rstrip("\r") for x in before.split("\n")]
    for seg in _hunk_befores(diff):
        n = len(seg)
        if n and sum(1 for i in range(len(lines) - n + 1) if lines[i : i + n] == seg) > 1:
            return True
    return False


def _tags(c: Change) -> set[str]:
    tags = set()
    if not c.before.endswith("\n") or not c.after.endswith("\n"):
        tags.add("no-eol")
    if c.before.endswith("\n") != c.after.endswith("\n"):
        tags.add("eol-change")
    if _trailing_blank(c.after) < _trailing_blank(c.before):
        tags.add("trailing-blank")
    if "\r\n" in c.before:
        tags.add("crlf")
    return tags


def build_repo(root: Path, name: str, licence: str, head: str, rng: random.Random) -> list[dict]:
    repo = root / name.replace("/", "+") / "repo"
    commits = _changes(repo, head)
    blobs = Blobs(repo)
    found: list[tuple[str, str, list[Change]]] = []
    for commit, parent, paths in commits:
        changes = []
        for path in paths:
            before = _text(blobs.read(parent, path))
            after = _text(blobs.read(commit, path))
            if before is None or after is None or before == after:
                changes = []
                break
            c = Change(path, before, after)
            c.tags = _tags(c)
            changes.append(c)
        if changes:
            found.append((commit, parent, changes))
    blobs.close()
    picked: dict[str, tuple[str, str, list[Change]]] = {}
    counts = dict.fromkeys(CAPS, 0)
    # rare shapes first, over the whole history; "repeated" needs the diff, so it is checked
    # on a seeded sample rather than on every commit
    order = list(found)
    rng.shuffle(order)
    for commit, parent, changes in order:
        for tag in ("eol-change", "trailing-blank", "crlf", "no-eol"):
            if counts[tag] < CAPS[tag] and any(tag in c.tags for c in changes):
                picked.setdefault(commit, (commit, parent, changes))
                counts[tag] += 1
                break
    for commit, parent, changes in order[:400]:
        if counts["repeated"] >= CAPS["repeated"] or commit in picked:
            continue
        for c in changes:
            c.diff = _diff(repo, parent, commit, c.path)
        if any(_repeated(c.before, c.diff) for c in changes):
            for c in changes:
                c.tags.add("repeated")
            picked[commit] = (commit, parent, changes)
            counts["repeated"] += 1
    ordinary = [x for x in order if x[0] not in picked][:ORDINARY]
    for x in ordinary:
        picked[x[0]] = x
    cases = []
    for commit, parent, changes in sorted(picked.values(), key=lambda x: x[0]):
        files = {}
        for c in changes:
            c.diff = c.diff or _diff(repo, parent, commit, c.path)
            if c.diff and _repeated(c.before, c.diff):
                c.tags.add("repeated")
            files[c.path] = {"before": c.before, "after": c.after, "diff": c.diff,
                             "tags": sorted(c.tags)}  # fmt: skip
        cases.append({
            "source": "commit", "repo": name, "commit": commit, "parent": parent,
            "license": licence, "lang": LANGS[Path(changes[0].path).suffix.lower()],
            "files": files,
        })  # fmt: skip
    print(f"{name:<32} {len(commits):>5} commits scanned, {len(cases):>3} kept {counts}")
    return cases


def _diff(repo: Path, parent: str, commit: str, path: str) -> str:
    return git(repo, "diff", "--no-color", "--no-renames", "--no-ext-diff", "-U3",
               parent, commit, "--", path)  # fmt: skip


def main() -> int:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror")
    rng = random.Random(SEED)
    cases = []
    for name, (licence, head) in REPOS.items():
        cases += build_repo(root, name, licence, head, rng)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"version": 1, "cases": cases}, sort_keys=True).encode()
    OUT.write_bytes(lzma.compress(payload, preset=9 | lzma.PRESET_EXTREME))
    tags: dict[str, int] = {}
    for case in cases:
        for f in case["files"].values():
            for t in f["tags"]:
                tags[t] = tags.get(t, 0) + 1
    print(f"{len(cases)} cases, files tagged {tags}; {OUT} {OUT.stat().st_size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
