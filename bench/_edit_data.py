"""The real changes ``bench/edits.py`` measures on, from three sources.

- ``commits``: real commits of public repositories (Python, Go, Rust, Java, JavaScript, C),
  vendored in ``bench/data/edit_commits.json.xz`` by ``bench/build_edit_data.py``, each with
  its repository, commit sha and licence, the files before and after, and ``git diff``'s text.
- ``sdists``: per-file diffs between two released sdists of the same package on PyPI, fetched
  with pip into ``bench/.work/`` on the first run (as ``bench/_django.py`` does) and diffed
  with ``git diff --no-index``; skipped, with a message, when pip cannot reach an index.
- ``answers``: ``bench/answers/<case>/``: a model answer written by hand in a style real
  models write, its base files (``before/``), and the intended result (``after/``) or the
  reason it must be refused (``case.json``); the files are kept in ``files.json``, not as
  source files, so that linters, formatters and scanners of this repository leave them be.
"""

from __future__ import annotations

import json
import lzma
import os
import random
import shutil
import subprocess
import sys
import tarfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from bench.build_edit_data import _repeated

HERE = Path(__file__).resolve().parent
DATA = HERE / "data" / "edit_commits.json.xz"
ANSWERS = HERE / "answers"
WORK = HERE / ".work"

# (package, old, new, licence): small pure-Python packages with permissive licences.
SDISTS = (
    ("attrs", "23.1.0", "23.2.0", "MIT"),
    ("packaging", "23.2", "24.0", "Apache-2.0 OR BSD-2-Clause"),
    ("more-itertools", "10.1.0", "10.2.0", "MIT"),
    ("six", "1.15.0", "1.16.0", "MIT"),
    ("idna", "3.6", "3.7", "BSD-3-Clause"),
    ("packaging", "24.0", "24.1", "Apache-2.0 OR BSD-2-Clause"),
    ("more-itertools", "10.2.0", "10.3.0", "MIT"),
)
SDIST_EXTS = {".py", ".pyi", ".rst", ".md", ".txt", ".toml", ".cfg", ".ini", ".yml", ".yaml"}
SDIST_MAX_BYTES = 60_000
SDIST_MAX_CHANGED = 80
SDIST_PER_PACKAGE = 20


@dataclass(frozen=True)
class FileChange:
    path: str
    before: str
    after: str
    diff: str  # exactly as ``git diff`` wrote it
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Case:
    source: str  # commits | sdists | answers
    id: str  # what ``--case`` matches
    where: str  # repo@sha or package old..new, for a reader to find it
    license: str
    lang: str
    files: tuple[FileChange, ...] = ()
    # answers only
    answer: str = ""
    classes: tuple[str, ...] = ()
    style: str = ""
    fmt: str = ""
    before: dict[str, str] = field(default_factory=dict)
    intended: dict[str, str | None] | None = None  # None: must be refused
    reason: str = ""

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t for f in self.files for t in f.tags)


def commit_cases() -> list[Case]:
    payload = json.loads(lzma.decompress(DATA.read_bytes()))
    out = []
    for c in payload["cases"]:
        files = tuple(
            FileChange(p, f["before"], f["after"], f["diff"], frozenset(f["tags"]))
            for p, f in sorted(c["files"].items())
        )
        short = c["repo"].split("/")[1]
        out.append(Case("commits", f"{short}@{c['commit'][:10]}", f"{c['repo']}@{c['commit']}",
                        c["license"], c["lang"], files))  # fmt: skip
    return out


# -- sdists ----------------------------------------------------------------------------------


def _pip_download(name: str, version: str, dest: Path) -> Path | None:
    stem = name.replace("-", "[-_]")
    for pattern in (f"{stem}-{version}.tar.gz",):
        found = sorted(dest.glob(pattern))
        if found:
            return found[0]
    dest.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
         f"{name}=={version}", "-d", str(dest)],
        capture_output=True, check=False,
    )  # fmt: skip
    found = sorted(dest.glob(f"{stem}-{version}.tar.gz"))
    return found[0] if done.returncode == 0 and found else None


def _extract(archive: Path, dest: Path) -> Path:
    if not dest.is_dir():
        tmp = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        tmp.rename(dest)
    (inner,) = list(dest.iterdir())
    return inner


def _read_text(path: Path) -> str | None:
    data = path.read_bytes()
    if len(data) > SDIST_MAX_BYTES or b"\0" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _no_index_diff(root: Path, rel: str) -> str:
    """``git diff --no-index`` of ``old/rel`` against ``new/rel``, with git's own headers."""
    done = subprocess.run(
        ["git", "diff", "--no-index", "--no-color", "--no-ext-diff", "-U3", "--no-prefix",
         f"old/{rel}", f"new/{rel}"],
        cwd=root, capture_output=True, check=False,
    )  # fmt: skip
    text = done.stdout.decode("utf-8")
    head, sep, rest = text.partition("\n@@")
    lines = head.split("\n")
    fixed = []
    for line in lines:
        if line.startswith("diff --git "):
            line = f"diff --git a/{rel} b/{rel}"
        elif line.startswith("--- "):
            line = f"--- a/{rel}"
        elif line.startswith("+++ "):
            line = f"+++ b/{rel}"
        fixed.append(line)
    return "\n".join(fixed) + sep + rest


def _changed_lines(diff: str) -> int:
    return sum(1 for x in diff.split("\n") if x[:1] in "+-" and not x.startswith(("+++ ", "--- ")))


def _sdist_pair(name: str, old: str, new: str, licence: str) -> list[dict] | None:
    dl = WORK / "sdists"
    a, b = _pip_download(name, old, dl), _pip_download(name, new, dl)
    if a is None or b is None:
        return None
    root = WORK / "sdist-diff" / f"{name}-{old}-{new}"
    if not (root / "old").exists():
        root.mkdir(parents=True, exist_ok=True)
        for side, archive in (("old", a), ("new", b)):
            inner = _extract(archive, WORK / "sdist-x" / archive.name)
            shutil.copytree(inner, root / side, dirs_exist_ok=True)
    cases = []
    for path in sorted((root / "old").rglob("*")):
        rel = path.relative_to(root / "old").as_posix()
        other = root / "new" / rel
        if (
            not path.is_file() or not other.is_file() or path.suffix not in SDIST_EXTS
            or "egg-info" in rel or rel == "PKG-INFO"
        ):  # fmt: skip
            continue
        before, after = _read_text(path), _read_text(other)
        if before is None or after is None or before == after:
            continue
        diff = _no_index_diff(root, rel)
        if not diff or _changed_lines(diff) > SDIST_MAX_CHANGED:
            continue
        cases.append({"path": rel, "before": before, "after": after, "diff": diff})
    rng = random.Random(f"{name}{old}{new}")
    rng.shuffle(cases)
    return sorted(cases[:SDIST_PER_PACKAGE], key=lambda c: c["path"])


def sdist_cases(*, quiet: bool = False) -> list[Case]:
    key = repr((SDISTS, SDIST_EXTS, SDIST_MAX_BYTES, SDIST_MAX_CHANGED, SDIST_PER_PACKAGE))
    cache = WORK / f"sdist_cases-{zlib.crc32(key.encode()):08x}.json"
    if cache.is_file():
        payload = json.loads(cache.read_text(encoding="utf-8"))
    else:
        payload = {}
        for name, old, new, licence in SDISTS:
            got = _sdist_pair(name, old, new, licence)
            if got is None:
                if not quiet:
                    print(f"  sdists: pip could not fetch {name} {old}/{new}: source skipped")
                return []
            payload[f"{name} {old}..{new}"] = {"license": licence, "files": got}
        cache.write_text(json.dumps(payload), encoding="utf-8")
    out = []
    for where, entry in payload.items():
        for f in entry["files"]:
            tags = set()
            if not f["before"].endswith("\n") or not f["after"].endswith("\n"):
                tags.add("no-eol")
            if "\r\n" in f["before"]:
                tags.add("crlf")
            if _repeated(f["before"], f["diff"]):
                tags.add("repeated")
            change = FileChange(f["path"], f["before"], f["after"], f["diff"], frozenset(tags))
            ext = os.path.splitext(f["path"])[1]
            cid = f"{where.split()[0]}-{where.split('..')[1]}:{f['path']}"
            lang = "Python" if ext in (".py", ".pyi") else ext[1:]
            out.append(Case("sdists", cid, where, entry["license"], lang, (change,)))
    return out


# -- hand-written answers ---------------------------------------------------------------------


def answer_cases() -> list[Case]:
    out = []
    for case_dir in sorted(p for p in ANSWERS.iterdir() if p.is_dir()):
        meta = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
        stored = json.loads((case_dir / "files.json").read_text(encoding="utf-8"))
        before = stored["before"]
        intended: dict[str, str | None] | None = None
        if meta["expect"] == "exact":
            intended = dict(stored["after"])
            for path in meta.get("deleted", []):
                intended[path] = None
        answer = (case_dir / "answer.txt").read_bytes().decode("utf-8")
        out.append(Case(
            "answers", case_dir.name, meta["base"], meta["license"], meta.get("lang", ""),
            answer=answer, classes=tuple(meta["classes"]), style=meta["style"], fmt=meta["format"],
            before=before, intended=intended, reason=meta.get("reason", ""),
        ))  # fmt: skip
    return out
