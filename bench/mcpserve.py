"""``tome mcp`` on the Django 5.1.4 tree: startup, and what the protocol adds to a call.

    python3 bench/mcpserve.py

Measured in the same run, each the median of 5 (the tome cache warm, as after a first use):

- startup: the official SDK's stdio client spawns ``python3 -m assistant mcp`` and waits for
  ``initialize`` and ``tools/list``; peers: ``python3 -c "import mcp.server.mcpserver"`` (the
  floor: the SDK's own import, about a second of pydantic models for each protocol version,
  which any server built on the SDK pays), ``python3 -m assistant --help`` (the CLI's own
  start, which must not pay it) and ``python3 -c pass`` (an interpreter);
- ``pack`` (Django, ``budget`` 200,000, written to ``.tome/pack.xml`` as it is past the
  inline limit) over MCP against ``tome pack --budget 200k --json`` as a subprocess (the CLI
  doing the same work) and against :func:`assistant.pack` in this process (the floor);
- ``rank_files`` (limit 20) over MCP against :func:`assistant.rank_files` in this process;
- the worst case for the wire: a pack returned inline just under the limit (20,000 tokens),
  of this repository (the header and tree of Django alone take 87,000 tokens).

PASS lines: startup within 1.3x of the SDK's import; ``tome --help`` under 0.25x of it (the
other commands never import the SDK); a pack over MCP within 1.25x of the same pack by the
CLI.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import anyio
from _django import django_tree
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

TOP = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(TOP)}
RUNS = 5
TASK = "make the migration autodetector handle renamed many-to-many fields"


def _median(job: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _process(*args: str) -> float:
    return _median(lambda: subprocess.run(
        [sys.executable, *args], env=ENV, check=True, capture_output=True
    ))  # fmt: skip


def _over_mcp(calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One server: the startup, then each call RUNS times (median seconds, last reply)."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=ENV)
    found: dict[str, Any] = {}

    async def main() -> None:
        start = time.perf_counter()
        with open(os.devnull, "w") as quiet:
            async with (
                stdio_client(params, errlog=quiet) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                await session.list_tools()
                found["startup"] = time.perf_counter() - start
                for name, args in calls:
                    times = []
                    for _ in range(RUNS):
                        t0 = time.perf_counter()
                        reply = await session.call_tool(name, args)
                        times.append(time.perf_counter() - t0)
                    assert not reply.is_error, reply.content
                    found[name] = statistics.median(times)
                    found[f"{name}_bytes"] = sum(len(getattr(c, "text", "")) for c in reply.content)

    anyio.run(main)
    return found


def _startup() -> float:
    """Spawn to ``tools/list``, the median of RUNS servers (no calls)."""
    return statistics.median(_over_mcp([])["startup"] for _ in range(RUNS))


def main() -> int:
    from assistant import pack, rank_files

    root = django_tree()
    pack(root, budget=200_000)  # the cache warm, as after a first use
    floor = _process("-c", "pass")
    cli_help = _process("-m", "assistant", "--help")
    sdk = _process("-c", "import mcp.server.mcpserver")
    startup = _startup()
    cli_pack = _process("-m", "assistant", "pack", str(root), "--budget", "200k", "--json",
                        "--no-cache")  # fmt: skip
    cli_pack_warm = _process("-m", "assistant", "pack", str(root), "--budget", "200k", "--json")
    lib_pack = _median(lambda: pack(root, budget=200_000))
    lib_rank = _median(lambda: rank_files(root, TASK, limit=20))
    mcp = _over_mcp([
        ("pack", {"root": str(root), "budget": 200_000}),
        ("rank_files", {"root": str(root), "task": TASK, "limit": 20}),
    ])  # fmt: skip
    inline = _over_mcp(
        [("pack", {"root": str(TOP), "budget": 19_500})]
    )  # Django's tree alone is 87k
    print(
        f"startup     python -c pass {floor * 1000:5.0f} ms   tome --help {cli_help * 1000:5.0f} ms"
        f"   import of the SDK {sdk * 1000:5.0f} ms   tome mcp to tools/list "
        f"{startup * 1000:5.0f} ms ({startup / sdk:.2f}x the SDK's import)"
    )
    print(
        f"pack 200k   library {lib_pack * 1000:7.0f} ms   tome pack (warm) "
        f"{cli_pack_warm * 1000:7.0f} ms   (no cache {cli_pack * 1000:7.0f} ms)   over MCP "
        f"{mcp['pack'] * 1000:7.0f} ms ({mcp['pack'] / cli_pack_warm:.2f}x the CLI, "
        f"{mcp['pack'] / lib_pack:.2f}x the library)"
    )
    print(
        f"rank_files  library {lib_rank * 1000:7.0f} ms   over MCP {mcp['rank_files'] * 1000:7.0f}"
        f" ms ({mcp['rank_files'] / lib_rank:.2f}x)"
    )
    print(
        f"worst wire  pack inline at the limit: {inline['pack_bytes'] / 1e6:.2f} MB in "
        f"{inline['pack'] * 1000:.0f} ms"
    )
    checks = [
        ("startup within 1.3x of the SDK's own import", startup <= 1.3 * sdk),
        ("tome --help under 0.25x of the SDK's import", cli_help <= 0.25 * sdk),
        ("pack over MCP within 1.25x of tome pack", mcp["pack"] <= 1.25 * cli_pack_warm),
    ]
    for name, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    print(json.dumps({"startup_s": startup, "help_s": cli_help, "sdk_import_s": sdk, "pack_mcp_s": mcp["pack"],
                      "pack_cli_s": cli_pack_warm, "pack_lib_s": lib_pack}))  # fmt: skip
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
