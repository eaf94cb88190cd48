"""tome batch: concurrency, the shared prefix, pack time and memory, against a fixed latency.

    python3 bench/batch.py [--latency SECONDS]

The repository is more-itertools (a real one: its mirror from the ``fetch`` tool, cloned
into ``bench/.work/``; ``TOME_BENCH_BATCH_REPO`` names another git repository) and the
tasks are its real commit messages. The backend is the fake OpenAI server
(tests/fakeopenai.py, a real HTTP server on 127.0.0.1, run in a process of its own) with a
fixed latency per request. Figures, each printed as a ratio against its floor:

1. 32 tasks at ``--concurrency 8``: wall time of the requests against 4 latencies (the
   ideal: 32 / 8 rounds). Target: within 1.3x.
2. The same with the server the limit (it serves 4 at once): against the server's own
   throughput (32 / 4 latencies). Target: within 1.1x.
3. Shared prefix: from the server's request log, the bytes before the first task-specific
   byte are identical across all 32 requests (and the system messages too); the pack is made
   once: the batch's pack time against 32 per-task packs (``Assistant.plan``, what 32
   ``tome ask`` would pay).
4. Memory: peak RSS of a batch of 32 and of 128 tasks, each in a fresh process. Target:
   within 1.2x.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "tests"))
sys.path.insert(0, str(HERE.parents[0]))

MIRROR = Path("/work/.mirror/more-itertools+more-itertools/repo")
WORK = HERE / ".work"
LATENCY = 1.0
TARGET_CONCURRENT = 1.3
TARGET_SERVER = 1.1
TARGET_RSS = 1.2


def repository() -> Path:
    """A git repository to pack: more-itertools, cloned from its mirror once."""
    if explicit := os.environ.get("TOME_BENCH_BATCH_REPO"):
        return Path(explicit)
    root = WORK / "more-itertools"
    if not (root / ".git").is_dir():
        if not MIRROR.is_dir():
            sys.exit(f"no mirror at {MIRROR}: fetch github:more-itertools/more-itertools first, "
                     "or set TOME_BENCH_BATCH_REPO")  # fmt: skip
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", str(MIRROR), str(root)], check=True)
    return root


def commit_tasks(root: Path, n: int) -> list[dict[str, str]]:
    """``n`` tasks from the repository's own commit messages (subject lines, distinct)."""
    log = subprocess.run(["git", "log", "--format=%s", "-n", str(n * 4)], cwd=root,
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    subjects = list(dict.fromkeys(s.strip() for s in log.splitlines() if s.strip()))
    if len(subjects) < n:
        subjects += [f"{s} (again {k})" for k, s in enumerate(subjects * n)][: n - len(subjects)]
    return [{"id": f"c{i:03d}", "task": s} for i, s in enumerate(subjects[:n])]


def _server(latency: float, limit: int | None) -> tuple[subprocess.Popen[str], str]:
    """The fake server in a process of its own (its request log must not weigh on our RSS)."""
    code = (
        "import sys, threading, json; sys.path.insert(0, sys.argv[1]);"
        "from fakeopenai import serve, Reply\n"
        "with serve(default=Reply(text='ok, nothing to change.')) as f:\n"
        "    f.latency = float(sys.argv[2]); f.max_concurrent = json.loads(sys.argv[3])\n"
        "    print(f.base_url, flush=True)\n"
        "    for line in sys.stdin:\n"
        "        if line.strip() == 'log':\n"
        "            print(json.dumps([r.messages for r in f.requests]), flush=True)\n"
        "        elif line.strip() == 'served':\n"
        "            print(json.dumps(f.batches.served), flush=True)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(HERE.parents[0] / "tests"), str(latency), json.dumps(limit)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def _ask(proc: subprocess.Popen[str], what: str) -> object:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(what + "\n")
    proc.stdin.flush()
    return json.loads(proc.stdout.readline())


def _batch(root: Path, url: str, tasks: list[dict[str, str]]):  # type: ignore[no-untyped-def]
    from assistant.batch import Batch, parse_tasks
    from assistant.config import load_settings
    from assistant.model import resolve_backend
    from assistant.session import Assistant

    os.environ.setdefault("DEEPSEEK_API_KEY", "bench")
    settings = load_settings(project=root)
    backend = resolve_backend(settings, name="deepseek-v4-flash", base_url=url, model="fake-model")
    checked = parse_tasks("\n".join(json.dumps(t) for t in tasks), base=root)
    opener = lambda f: Assistant.open(f, backend=backend, settings=settings)  # noqa: E731
    name = f"bench{len(tasks)}-{os.getpid()}-{time.monotonic_ns()}"  # a new batch: no resume
    return Batch.open(name, checked, root, opener), opener


def timed_run(root: Path, state: Path, n: int, concurrency: int, latency: float,
              limit: int | None) -> tuple[float, float, list[list[dict[str, str]]]]:  # fmt: skip
    """(request seconds, pack seconds, the messages the server got) of one batch."""
    os.environ["TOME_HOME"] = str(state)
    proc, url = _server(latency, limit)
    try:
        batch, _ = _batch(root, url, commit_tasks(root, n))
        batch.pack()  # timed apart: figure 3
        started = time.perf_counter()
        outcomes = batch.run_direct(concurrency=concurrency, cancel=threading.Event())
        seconds = time.perf_counter() - started
        assert [o.status for o in outcomes] == ["answered"] * n, [o.error for o in outcomes]
        log = _ask(proc, "log")
    finally:
        proc.terminate()
        proc.wait()
    assert isinstance(log, list)
    return seconds, batch.pack_seconds, log


def shared_prefix(log: list[list[dict[str, str]]]) -> tuple[bool, int, int]:
    """(identical, bytes before the first task-specific byte, smallest such offset)."""
    systems = {m[0]["content"] for m in log}
    users = [m[1]["content"] for m in log]
    starts = [u.index("<task>") for u in users]
    identical = len(systems) == 1 and len({u[: u.index("<task>")] for u in users}) == 1
    return identical, len(users[0][: starts[0]].encode()), min(starts) if starts else 0


def per_task_packs(root: Path, tasks: list[dict[str, str]]) -> float:
    """Seconds 32 separate plans take (a pack each, ranked for its task: 32 tome ask)."""
    from assistant.config import load_settings
    from assistant.model import resolve_backend
    from assistant.session import Assistant

    settings = load_settings(project=root)
    backend = resolve_backend(settings, name="deepseek-v4-flash", base_url="http://127.0.0.1:9/v1",
                              model="fake-model")  # fmt: skip
    a = Assistant.open(root, backend=backend, settings=settings)
    started = time.perf_counter()
    for t in tasks:
        a.plan(t["task"])
    return time.perf_counter() - started


def child(n: int, url: str, root: Path) -> None:
    """Run a batch of ``n`` tasks; print the peak RSS in KiB."""
    batch, _ = _batch(root, url, commit_tasks(root, n))
    outcomes = batch.run_direct(concurrency=8, cancel=threading.Event())
    assert all(o.status == "answered" for o in outcomes)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_rss(root: Path, n: int, home: Path) -> int:
    proc, url = _server(0.02, None)
    try:
        env = {**os.environ, "TOME_HOME": str(home / f"rss{n}"), "DEEPSEEK_API_KEY": "bench"}
        out = subprocess.run([sys.executable, __file__, "--child", str(n), url, str(root)],
                             capture_output=True, text=True, env=env, check=True)  # fmt: skip
    finally:
        proc.terminate()
        proc.wait()
    return int(out.stdout.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=LATENCY)
    parser.add_argument("--child", nargs=3, metavar=("N", "URL", "ROOT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), args.child[1], Path(args.child[2]))
        return 0
    root = repository()
    home = Path(tempfile.mkdtemp(prefix="tome-bench-batch-"))
    L = args.latency
    failed = 0

    seconds, pack_s, log = timed_run(root, home / "a", 32, 8, L, None)
    ratio = seconds / (4 * L)
    failed += ratio > TARGET_CONCURRENT
    print(f"1. 32 tasks, --concurrency 8, latency {L:.2f} s: {seconds:.2f} s = {ratio:.2f}x "
          f"of 4 latencies (target <= {TARGET_CONCURRENT})")  # fmt: skip

    s2, _, _ = timed_run(root, home / "b", 32, 8, L, 4)
    ratio2 = s2 / (32 / 4 * L)
    failed += ratio2 > TARGET_SERVER
    print(f"2. server serves 4 at once: {s2:.2f} s = {ratio2:.2f}x of its throughput "
          f"(32/4 latencies = {32 / 4 * L:.2f} s; target <= {TARGET_SERVER})")  # fmt: skip

    identical, prefix_bytes, _ = shared_prefix(log)
    failed += not identical
    separate = per_task_packs(root, commit_tasks(root, 32))
    print(f"3. shared prefix: {'identical' if identical else 'DIFFERENT'} across "
          f"{len(log)} requests, {prefix_bytes:,} bytes before the first task byte; "
          f"packed once in {pack_s:.2f} s vs {separate:.2f} s for 32 per-task packs "
          f"({separate / max(pack_s, 1e-9):.1f}x)")  # fmt: skip

    small, large = peak_rss(root, 32, home), peak_rss(root, 128, home)
    ratio4 = large / small
    failed += ratio4 > TARGET_RSS
    print(f"4. peak RSS: 32 tasks {small / 1024:.0f} MiB, 128 tasks {large / 1024:.0f} MiB = "
          f"{ratio4:.2f}x (target <= {TARGET_RSS})")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
