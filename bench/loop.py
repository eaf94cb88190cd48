"""Closing the loop on Django: from the last answer byte to check results, by stage.

    python3 bench/loop.py [--repeats N] [--repo PATH]

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

Then the second figure, the prompt prefix a repair round shares with the request before
it: a real repository (``--repo PATH``; default more-itertools from /work/.mirror, cloned to
a temp folder; else Django from bench/.work) is packed whole and asked a task against the
fake OpenAI server on 127.0.0.1 (tests/fakeopenai.py, its prefix cache on). The scripted
first answer edits the repository's largest Python file with two hunks: one places, one
does not (a misremembered name); the second answer places it. The figure is the prefix of
the second request identical to the first, in bytes, as a share of the pack (target: 100%,
a round never re-packs), with the round's ``stable_prefix_tokens`` and the server's cache
hits. Exit status 1 when it is under 100% or the loop did not place the hunk.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from _django import django_tree
from fakeopenai import Received, Reply, serve

from assistant.commands import Command
from assistant.model import Backend, Client, ClientOptions, Prices
from assistant.session import Assistant
from assistant.verify import Verifier

FILES = 50
STAGES = ("snapshot", "checkout", "apply", "commands")
MIRROR = Path("/work/.mirror/more-itertools+more-itertools/repo")
DJANGO = Path(__file__).resolve().parent / ".work" / "django-5.1.4"
WINDOW = 1_000_000


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
    parser.add_argument("--repo", help="the repository of the rounds figure (a git repository)")
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

    print()
    return _rounds(args.repo)


def _repository(explicit: str | None, tmp: Path) -> Path:
    if explicit:
        return Path(explicit)
    if MIRROR.exists():
        dest = tmp / "repo"
        subprocess.run(["git", "clone", "--quiet", str(MIRROR), str(dest)], check=True)
        return dest
    if (DJANGO / ".git").exists():
        return DJANGO
    raise SystemExit("no repository: pass --repo PATH (a git repository)")


def _largest_python(root: Path) -> Path:
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "*.py"], check=True,
                            capture_output=True, text=True).stdout.split()  # fmt: skip
    return max((root / p for p in listed), key=lambda p: (p.stat().st_size, str(p)))


def _answers(root: Path, path: Path) -> tuple[str, str]:
    """Two answers on ``path``'s first two top-level functions: the first places one hunk
    and misnames the second; the second places that one."""
    rel = path.relative_to(root).as_posix()
    defs = [m.group(0) for m in re.finditer(r"^def \w+\(.*$", path.read_text(), re.M)][:2]
    if len(defs) < 2:
        raise SystemExit(f"{rel} has fewer than two top-level functions")

    def block(search: str, replace: str) -> str:
        return f"{rel}\n```python\n<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n```\n"

    first = block(defs[0], f"# checked by the round bench\n{defs[0]}")
    wrong = defs[1].replace("def ", "def misremembered_", 1)
    failing = block(wrong, f"# checked by the round bench\n{defs[1]}")
    second = block(defs[1], f"# checked by the round bench\n{defs[1]}")
    return "Two notes.\n\n" + first + "\n" + failing, "The second, as the file has it.\n\n" + second


def _shared_bytes(a: Received, b: Received) -> int:
    """Bytes of message content the later request ``b`` repeats from ``a``, from the start."""
    x = "".join(m["content"] for m in a.messages).encode()
    y = "".join(m["content"] for m in b.messages).encode()
    n = 0
    limit = min(len(x), len(y))
    step = 1 << 16
    while n < limit and x[n : n + step] == y[n : n + step]:
        n = min(n + step, limit)
    while n < limit and x[n] == y[n]:
        n += 1
    return n


def _rounds(repo: str | None) -> int:
    """The prefix figure of the repair rounds (see the module)."""
    with tempfile.TemporaryDirectory() as tmp, serve() as fake:
        root = _repository(repo, Path(tmp))
        first, second = _answers(root, _largest_python(root))
        fake.prefix_cache = True
        fake.push(Reply(text=first), Reply(text=second))
        backend = Backend(
            name="bench", base_url=fake.base_url, model="fake-model", window=WINDOW,
            max_output=8_000, encoding="cl100k_base", api_key_env="BENCH_KEY",
            key_required=False, prices=Prices(cache_hit=0.028, cache_miss=0.14, output=0.28),
            continuation="message",
        )  # fmt: skip
        with Client(backend, options=ClientOptions(max_continuations=0)) as client:
            started = time.perf_counter()
            result = Assistant.open(root, client=client).ask("add a note", max_rounds=2)
            seconds = time.perf_counter() - started
        one, two = fake.requests[:2]
        pack_bytes = len(one.messages[1]["content"].encode())
        system_bytes = len(one.messages[0]["content"].encode())
        shared = _shared_bytes(one, two)
        of_pack = max(0, min(shared - system_bytes, pack_bytes)) / pack_bytes * 100
        r1, r2 = result.rounds[:2]
        hits = r2.usage.cache_hit_tokens if r2.usage else 0
        where = root if repo else (MIRROR if MIRROR.exists() else DJANGO)
    files = len(result.manifest.entries)
    print(f"repair rounds over {where} ({files:,} files packed)")
    print(f"  pack: {pack_bytes:,} bytes; round 2 repeats {shared:,} bytes of round 1's "
          f"prompt from the start: {of_pack:.2f}% of the pack (target 100%)")  # fmt: skip
    print(f"  round 2: stable_prefix_tokens {r2.stable_prefix_tokens:,} of "
          f"{r2.prompt_tokens:,} prompt tokens (round 1's prompt: {r1.prompt_tokens:,}); "
          f"the server's cache hits {hits:,}")  # fmt: skip
    print(f"  loop: stopped '{result.stopped}', round {result.round} taken, {seconds:.2f} s")
    return 0 if of_pack >= 100.0 and result.stopped == "placed" else 1


if __name__ == "__main__":
    raise SystemExit(main())
