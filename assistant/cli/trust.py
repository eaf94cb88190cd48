"""``tome trust [PATH]``: accept a repository's config file, so its key settings apply.

A project's ``.tome.toml`` (or ``[tool.tome]`` in ``pyproject.toml``) comes with the
repository; settings in it that decide where the API key goes are refused until the user
trusts that exact content (:mod:`assistant.trust`). ``PATH`` is the file, or a folder whose
repository root holds it (default: the current folder). What the file says about the key is
printed first, so the user knows what they accept. ``--list`` shows every trusted file (and
whether it changed since); ``--forget [PATH]`` drops one.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .. import trust
from ..config import (
    ProjectConfig,
    command_settings,
    find_project_config,
    key_settings,
    parse_toml,
    read_config_bytes,
)
from ..errors import ConfigError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path", nargs="?", default=".", metavar="PATH",
        help="the config file, or a folder in its repository (default: .)",
    )  # fmt: skip
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list the trusted files")
    what.add_argument("--forget", action="store_true", help="stop trusting PATH")


def _config_at(path: Path) -> ProjectConfig:
    if path.is_dir():
        found = find_project_config(path)
        if found is None:
            raise ConfigError(
                f"no .tome.toml or [tool.tome] in pyproject.toml at the repository root of "
                f"{path}; nothing to trust"
            )
        return found
    data = read_config_bytes(path, follow_symlinks=False)
    table = parse_toml(path, data)
    if path.name == "pyproject.toml":
        tool = table.get("tool", {})
        table = tool.get("tome", {}) if isinstance(tool, dict) else {}
    return ProjectConfig(path.resolve(), data, table if isinstance(table, dict) else {})


def run(args: argparse.Namespace) -> int:
    if args.list:
        return _list()
    path = Path(args.path)
    if args.forget:
        target = _config_at(path).path if path.is_dir() else path
        if trust.forget(target):
            print(f"tome: no longer trusted: {os.path.realpath(target)}")
            return 0
        print(f"tome: {target} was not trusted", file=sys.stderr)
        return 1
    found = _config_at(path)
    risky = key_settings(found.table)
    record = trust.trust(found.path, found.data)
    print(f"tome: trusting {record.path} (sha256 {record.sha256[:16]}…)")
    if risky:
        print("  its settings that decide where your API key is sent:")
        for where, value in risky:
            print(f"    {where} = {value!r}")
    else:
        print("  it holds no settings that move your API key")
    for where, value in sorted(command_settings(found.table).items()):
        print(f"  a command tome will run with --verify: {where} = {value!r}")
    print("  a change to the file needs 'tome trust' again; 'tome trust --forget' undoes this")
    return 0


def _list() -> int:
    records = trust.trusted()
    if not records:
        print("tome: no trusted files")
        return 0
    for r in records:
        try:
            now = trust.digest(read_config_bytes(Path(r.path), follow_symlinks=False))
            state = "" if now == r.sha256 else "  (changed since: not trusted)"
        except ConfigError:
            state = "  (missing)"
        print(f"{r.path}  sha256 {r.sha256[:16]}…  {r.trusted_at}{state}")
    return 0
