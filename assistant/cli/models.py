"""``tome models``: the configured backends, their windows, prices, and whether a key is set.

Never prints a key: only the name of its variable and whether it is set.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import USER_FILE, load_settings
from ..display import safe_name
from ..model import Backend, available_backends
from ..paths import config_dir
from ._common import add_root, root_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser, help="a folder of the project whose config to read (default: .)")
    parser.add_argument("--json", action="store_true", help="one JSON object per backend")


def _key_state(backend: Backend) -> str:
    if not backend.api_key_env:
        return "not needed"
    if backend.has_key():
        return f"${backend.api_key_env} set"
    return f"${backend.api_key_env} missing" + ("" if backend.key_required else " (optional)")


def _price(value: float) -> str:
    return f"{value:.4g}"


def _row(backend: Backend, default: str) -> dict[str, object]:
    prices = backend.prices
    return {
        "name": backend.name,
        "default": backend.name == default,
        "model": backend.model or None,
        "base_url": backend.base_url,
        "window": backend.window,
        "max_output": backend.max_output,
        "encoding": backend.encoding,
        "prices": None
        if prices is None
        else {
            "cache_hit": prices.cache_hit,
            "cache_miss": prices.cache_miss,
            "output": prices.output,
        },
        "key": _key_state(backend),
    }


def run(args: argparse.Namespace) -> int:
    settings = load_settings(project=root_of(args) or Path("."))
    backends = list(available_backends(settings).values())
    rows = [_row(b, settings.backend) for b in backends]
    out = sys.stdout
    if args.json:
        for row in rows:
            out.write(json.dumps(row) + "\n")
        return 0
    header = ("", "backend", "model", "window", "max out", "$/M hit/miss/out", "key")
    table = [header]
    for row, backend in zip(rows, backends, strict=True):
        prices = backend.prices
        table.append(
            (
                "*" if row["default"] else "",
                safe_name(backend.name),  # names may come from the repository's config
                safe_name(backend.model or "(--model)"),
                f"{backend.window:,}",
                f"{backend.max_output:,}",
                "unknown"
                if prices is None
                else "/".join(
                    _price(p) for p in (prices.cache_hit, prices.cache_miss, prices.output)
                ),
                str(row["key"]),
            )
        )
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip())
        out.write("\n")
    out.write(
        "* default backend; prices in US$ per million tokens (override under [backends.NAME])\n"
    )
    out.write(f"user config: {safe_name(str(config_dir() / USER_FILE))} ('tome config': all)\n")
    return 0
