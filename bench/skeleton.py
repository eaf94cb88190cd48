"""Skeleton and tags throughput on the Django source, cold and warm.

Run: ``python3 bench/skeleton.py``

Every file of the Django 5.1.4 tree that has a grammar (Python and JavaScript there) is read
into memory first; then, in this one process (one core: nothing here runs in parallel):

- the floor: a plain tree-sitter parse of every file, the cost of any full-parse approach;
- skeletons cold (a fresh, empty cache directory through ``TOME_CACHE_DIR``) and warm (the
  same files again through a new ``Cache`` on that directory);
- tags cold and warm, the same way.

Targets: skeletons at least 5 MB of source per second cold, warm at least 10x faster.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.cache import Cache
from assistant.code import CodeIndex, language_for
from assistant.code.registry import parser
from assistant.code.tags import encode
from bench._django import django_tree

COLD_FLOOR_MB_S = 5.0
WARM_RATIO_FLOOR = 10.0

Item = tuple[str, str, str]


def load_items(root: Path) -> list[Item]:
    """(path, blob sha, text) for every tracked file with a grammar."""
    listing = subprocess.run(
        ["git", "ls-files", "-s", "-z"], cwd=root, capture_output=True, check=True
    ).stdout.decode("utf-8", "surrogateescape")
    items: list[Item] = []
    for entry in filter(None, listing.split("\0")):
        meta, _, path = entry.partition("\t")
        if language_for(path) is None:
            continue
        sha = meta.split()[1]
        text = (root / path).read_bytes().decode("utf-8", "surrogateescape")
        items.append((path, sha, text))
    return items


def timed(run: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) for one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    root = django_tree()
    items = load_items(root)
    megabytes = sum(len(encode(text)) for _p, _s, text in items) / 1e6
    languages = sorted({language_for(path) or "" for path, _s, _t in items})
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores: wall times are "
        "shared with everything else running, CPU times are this process's one core"
    )
    print(
        f"Django {root.name}: {len(items)} files with a grammar ({', '.join(languages)}), "
        f"{megabytes:.1f} MB"
    )
    for language in languages:  # load grammars outside the timings
        parser(language)

    def parse_all() -> None:
        for path, _sha, text in items:
            parser(language_for(path) or "").parse(encode(text))

    floor_wall, floor_cpu = timed(parse_all)

    with tempfile.TemporaryDirectory(prefix="tome-bench-") as cache_dir:
        os.environ["TOME_CACHE_DIR"] = cache_dir
        cold_index = CodeIndex(Cache())
        sk_cold = timed(lambda: cold_index.skeletons_many(items))
        sk_warm = timed(lambda: CodeIndex(Cache()).skeletons_many(items))
        tg_cold = timed(lambda: cold_index.tags_many(items))
        tg_warm = timed(lambda: CodeIndex(Cache()).tags_many(items))
        skeletons = CodeIndex(Cache()).skeletons_many(items)
        cold_index.cache.close()

    kept = sum(len(encode(s.text)) for s in skeletons.values()) / 1e6
    elided = sum(s.elided_lines for s in skeletons.values())

    def rate(seconds: float) -> float:
        return megabytes / seconds

    print(
        f"tree-sitter parse only (floor)  {rate(floor_wall):7.1f} MB/s wall, "
        f"{rate(floor_cpu):7.1f} MB/s CPU"
    )
    print(
        f"skeletons cold                  {rate(sk_cold[0]):7.1f} MB/s wall, "
        f"{rate(sk_cold[1]):7.1f} MB/s CPU  ({rate(sk_cold[0]) / rate(floor_wall):.2f}x "
        "the parse floor)"
    )
    print(
        f"skeletons warm                  {rate(sk_warm[0]):7.1f} MB/s wall, "
        f"{rate(sk_warm[1]):7.1f} MB/s CPU"
    )
    print(
        f"tags cold                       {rate(tg_cold[0]):7.1f} MB/s wall, "
        f"{rate(tg_cold[1]):7.1f} MB/s CPU"
    )
    print(
        f"tags warm                       {rate(tg_warm[0]):7.1f} MB/s wall, "
        f"{rate(tg_warm[1]):7.1f} MB/s CPU"
    )
    print(
        f"skeletons keep {kept:.1f} MB of {megabytes:.1f} MB ({kept / megabytes:.0%}), "
        f"{elided:,} lines elided"
    )
    sk_ratio = sk_cold[0] / sk_warm[0]
    tg_ratio = tg_cold[0] / tg_warm[0]  # wall: the cache's own I/O counts
    print(f"warm/cold speed-up: skeletons {sk_ratio:.1f}x, tags {tg_ratio:.1f}x")

    checks = [
        (
            f"skeletons cold >= {COLD_FLOOR_MB_S:g} MB/s on one core (CPU time)",
            rate(sk_cold[1]) >= COLD_FLOOR_MB_S,
        ),
        (f"skeletons warm >= {WARM_RATIO_FLOOR:g}x faster than cold", sk_ratio >= WARM_RATIO_FLOOR),
        (f"tags warm >= {WARM_RATIO_FLOOR:g}x faster than cold", tg_ratio >= WARM_RATIO_FLOOR),
    ]
    for label, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {label}")
    return 0 if all(ok for _label, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
