"""The prompt prefix a repair round shares with the request before it, over a real repository.

    python3 bench/_loop_rounds.py [--repo PATH]

A real repository (default: more-itertools from /work/.mirror, cloned to a temp folder; else
Django 5.1.4 from bench/.work) is packed whole and asked a task against the fake OpenAI
server on 127.0.0.1 (tests/fakeopenai.py, its prefix cache on). The scripted first answer
edits the repository's largest Python file with two hunks: one places, one does not (a
misremembered name); the second answer places it. The figure is the prefix of the second
request identical to the first, in bytes, as a share of the pack (target: 100%, a round
never re-packs), with the round's ``stable_prefix_tokens`` against its prompt and the cache
hits the server reported. The part meant for bench/loop.py is :func:`main`.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fakeopenai import Received, Reply, serve

from assistant.model import Backend, Client, ClientOptions, Prices
from assistant.session import Assistant

MIRROR = Path("/work/.mirror/more-itertools+more-itertools/repo")
DJANGO = Path(__file__).resolve().parent / ".work" / "django-5.1.4"
WINDOW = 1_000_000


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", help="a git repository to pack (default: more-itertools)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, serve() as fake:
        root = _repository(args.repo, Path(tmp))
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
        figures = {
            "repository": str(root if args.repo else (MIRROR if MIRROR.exists() else DJANGO)),
            "files": len(result.manifest.entries),
            "pack_bytes": pack_bytes,
            "shared_prefix_bytes": shared,
            "shared_of_pack_percent": round(of_pack, 2),
            "round2_stable_prefix_tokens": r2.stable_prefix_tokens,
            "round2_prompt_tokens": r2.prompt_tokens,
            "round1_prompt_tokens": r1.prompt_tokens,
            "round2_cache_hit_tokens": hits,
            "stopped": result.stopped,
            "round": result.round,
            "seconds": round(seconds, 2),
        }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(f"repair rounds over {figures['repository']} ({figures['files']:,} files packed)")
        print(f"  pack: {pack_bytes:,} bytes; round 2 repeats {shared:,} bytes of round 1's "
              f"prompt from the start: {of_pack:.2f}% of the pack (target 100%)")  # fmt: skip
        print(f"  round 2: stable_prefix_tokens {r2.stable_prefix_tokens:,} of "
              f"{r2.prompt_tokens:,} prompt tokens (round 1's prompt: {r1.prompt_tokens:,}); "
              f"the server's cache hits {hits:,}")  # fmt: skip
        print(f"  loop: stopped '{result.stopped}', round {result.round} taken, {seconds:.2f} s")
    return 0 if of_pack >= 100.0 and result.stopped == "placed" else 1


if __name__ == "__main__":
    sys.exit(main())
