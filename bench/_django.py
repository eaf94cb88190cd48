"""The Django 5.1.4 source as a git repository, shared by the benchmarks.

The sdist is downloaded with pip (a package registry, as the benchmarks allow) into
``bench/.work/`` once, extracted, and committed to a git repository there. Later runs
reuse it. ``TOME_BENCH_DJANGO`` points at an sdist file to skip the download.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

VERSION = "5.1.4"
WORK = Path(__file__).resolve().parent / ".work"


def _sdist() -> Path:
    if explicit := os.environ.get("TOME_BENCH_DJANGO"):
        return Path(explicit)
    dest = WORK / "dl"
    found = sorted(dest.glob(f"[Dd]jango-{VERSION}.tar.gz"))
    if found:
        return found[0]
    dest.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--no-binary",
            ":all:",
            f"django=={VERSION}",
            "-d",
            str(dest),
        ],
        check=True,
    )
    return sorted(dest.glob(f"[Dd]jango-{VERSION}.tar.gz"))[0]


def django_tree() -> Path:
    """Return the root of a git repository holding the Django source (built once)."""
    root = WORK / f"django-{VERSION}"
    if (root / ".git").is_dir():
        return root
    archive = _sdist()
    tmp = WORK / "extract"
    if tmp.exists():
        subprocess.run(["rm", "-rf", str(tmp)], check=True)
    tmp.mkdir(parents=True)
    with tarfile.open(archive) as tar:
        tar.extractall(tmp, filter="data")
    (inner,) = list(tmp.iterdir())
    inner.rename(root)
    tmp.rmdir()
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@localhost",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@localhost",
    }
    for cmd in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", f"Django {VERSION}"],
    ):
        subprocess.run(cmd, cwd=root, check=True, env=env)
    return root


if __name__ == "__main__":
    print(django_tree())
