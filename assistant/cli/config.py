"""``tome config``: where tome reads its settings from and keeps its state, one line each.

The user config file (:func:`assistant.paths.config_dir`, moved by ``TOME_HOME``) is where
your own backends and endpoints go; the project file (``.tome.toml``, or ``[tool.tome]`` in
``pyproject.toml``, at the repository root only) comes with the repository. Whether each
file exists is said, so "where do I put my settings" has a one-command answer. Reads
nothing but the project file's name and bytes (no backend, no key, no network).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import PROJECT_FILE, USER_FILE, find_project_config
from ..display import safe_name
from ..paths import cache_dir, config_dir, state_dir
from ..repo import find_root
from ._common import add_root, root_of


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_root(parser, help="a folder of the project whose config to show (default: .)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def locations(start: Path) -> dict[str, str | None]:
    """Each place tome reads or writes, by name (``project_config`` None: there is none)."""
    root = find_root(start)
    found = find_project_config(root)
    return {
        "user_config": str(config_dir() / USER_FILE),
        "project_config": None if found is None else str(found.path),
        "repository": str(root),
        "history": str(root / ".tome" / "history.db"),
        "cache": str(cache_dir()),
        "state": str(state_dir()),
    }


def _shown(path: str | None, missing: str) -> str:
    if path is None:
        return missing
    return safe_name(path) + ("" if Path(path).exists() else "  (not created yet)")


def run(args: argparse.Namespace) -> int:
    found = locations(root_of(args) or Path("."))
    if args.json:
        print(json.dumps(found, indent=2))
        return 0
    repository = found["repository"] or ""
    none = f"none ({PROJECT_FILE} or [tool.tome] in pyproject.toml at {safe_name(repository)})"
    lines = (
        ("user config", _shown(found["user_config"], "")),
        ("project config", _shown(found["project_config"], none)),
        ("history", _shown(found["history"], "")),
        ("cache", _shown(found["cache"], "")),
        ("state", _shown(found["state"], "")),
    )
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        sys.stdout.write(f"{name.ljust(width)}  {value}\n")
    sys.stdout.write(
        "TOME_HOME moves the user config, cache and state; see 'Backends' in the README\n"
    )
    return 0
