"""Closing the loop on Django: from the last answer byte to check results, by stage.

    python3 bench/loop.py [--repeats N]

A 50-file change to Django 5.1.4 (bench/_django.py; cloned into a temp git repository, so
the shared one is never touched) is checked as ``tome ask --verify`` checks it
(:class:`assistant.verify.Verifier`): the current tree snapshotted into git objects, the
scratch checkout reset to it, the 50 texts written there, then the commands, which exist
offline: ``python3 -m compileall -q`` and ``ruff check --select E9,F63,F7,F82`` of the
changed files. Every edit is valid, so no baseline runs (a passing check needs none).

Cases:

- **empty cache**: no scratch yet (a fresh ``TOME_HOME``): the first check creates it and
  checks out all 6,900 files;
- **warm**: the scratch is reused and reset (only the files that differ are rewritten); a
  different 50-file change each time, best and median of REPEATS;
- **dirty tree**: as warm, with 20 files of the user's tree modified and 5 untracked, so
  the snapshot hashes them;
- for comparison, what a ``git worktree add --detach`` of the same tree costs (the
  checkout the scratch avoids repeating), and the disk the scratch takes (its ``.git``
  holds only the snapshot's new objects: the history is shared through alternates).

Then the prefix figure of the repair rounds (``bench/_loop_rounds.py``, helper "rounds"),
when that file is there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _django import django_tree

from assistant.commands import Command
from assistant.verify import Verifier

FILES = 50
STAGES = ("snapshot", "checkout", "apply", "commands")


def _git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _clone(into: Path) -> Path:
    target = into / "django"
    _git("clone", "-q", str(django_tree()), str(target), cwd=into)
    return target


def _pick(root: Path, start: int) -> list[str]:
    """FILES Python files of django/, spread over the tree, starting at ``start``."""
    names = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "django").rglob("*.py")
        if p.stat().st_size > 2_000
    )
    step = len(names) // FILES
    return [names[(start + i * step) % len(names)] for i in range(FILES)]


def _change(root: Path, paths: list[str], tag: str) -> dict[str, str | None]:
    """A real-looking edit per file: a module-level helper appended."""
    return {
        path: (root / path).read_text(encoding="utf-8")
        + f"\n\ndef _tome_bench_{tag}():\n    return {len(path)}\n"
        for path in paths
    }


def _commands(paths: list[str]) -> list[Command]:
    return [
        Command.fixed("test", ("python3", "-m", "compileall", "-q", *paths), "bench"),
        Command.fixed(
            "lint",
            ("ruff", "check", "--no-cache", "--isolated", "--select", "E9,F63,F7,F82",
             "--output-format", "concise", *paths),
            "bench",
        ),
    ]  # fmt: skip


def _check(root: Path, start: int, tag: str) -> tuple[float, dict[str, float]]:
    paths = _pick(root, start)
    texts = _change(root, paths, tag)
    verifier = Verifier(root, _commands(paths))
    started = time.monotonic()
    report = verifier.check(texts)
    total = time.monotonic() - started
    if not report.passed:
        raise SystemExit(
            f"bench: the check failed: {report.for_model(budget=2000, encoding='cl100k_base')}"
        )
    return total, verifier.timings


def _row(label: str, total: float, timings: dict[str, float]) -> str:
    parts = "  ".join(f"{s} {timings[s]:6.2f}" for s in STAGES)
    return f"{label:<22} total {total:6.2f} s   {parts}"


def _size(path: Path) -> int:
    done = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True, check=True)
    return int(done.stdout.split()[0]) * 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tome-bench-loop-") as tmp:
        base = Path(tmp)
        os.environ["TOME_HOME"] = str(base / "home")
        root = _clone(base)
        files = len(_git("ls-files", cwd=root).splitlines())
        print(f"Django {files:,} files; a {FILES}-file change; seconds from the answer to results")

        from assistant.scratch import scratch_path

        scratch = scratch_path(root)
        cold, added = [], []
        for i in range(2):  # interleaved with the full checkout it stands against: a busy
            shutil.rmtree(base / "home", ignore_errors=True)  # machine skews one-off figures
            cold.append(_check(root, 0, f"cold{i}"))
            started = time.monotonic()
            _git("worktree", "add", "-q", "--detach", str(base / "wt"), cwd=root)
            added.append(time.monotonic() - started)
            _git("worktree", "remove", "--force", str(base / "wt"), cwd=root)
        print(_row("empty cache (best)", *min(cold, key=lambda r: r[0])))

        warm = [_check(root, 1 + i, f"w{i}") for i in range(args.repeats)]
        best = min(warm, key=lambda r: r[0])
        print(_row("warm (best)", *best))
        print(f"{'warm (median)':<22} total {statistics.median(r[0] for r in warm):6.2f} s")

        for i, path in enumerate(_pick(root, 7)[:20]):
            with (root / path).open("a", encoding="utf-8") as fh:
                fh.write(f"\n# local change {i}\n")
        for i in range(5):
            (root / f"django/_tome_untracked_{i}.py").write_text(f"X = {i}\n")
        dirty = [_check(root, 11 + i, f"d{i}") for i in range(args.repeats)]
        print(_row("dirty tree (best)", *min(dirty, key=lambda r: r[0])))

        print(
            f"scratch: work tree {_size(scratch) / 1e6:,.0f} MB, of it .git "
            f"{_size(scratch / '.git') / 1e6:,.1f} MB (history shared); the user's .git "
            f"{_size(root / '.git') / 1e6:,.0f} MB"
        )
        print(f"for comparison: git worktree add --detach (a full checkout) {min(added):.2f} s")
        shutil.rmtree(scratch, ignore_errors=True)

    rounds = Path(__file__).resolve().parent / "_loop_rounds.py"
    if rounds.exists():  # the prefix shared between repair rounds (helper "rounds")
        import _loop_rounds

        print()
        return int(_loop_rounds.main() or 0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
