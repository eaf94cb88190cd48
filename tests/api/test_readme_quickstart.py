"""The README's quick start: two commands that work on a fresh machine as written, the
second of which is what CI runs (issue 13: on a stock Debian or Ubuntu Python a system-wide
``pip install`` stops with ``externally-managed-environment``, so each command makes and
uses its own virtual environment)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_the_quick_start_is_two_commands_each_in_a_virtual_environment() -> None:
    commands = _quick_start()
    assert len(commands) == 2, commands
    pack, tests = commands
    assert "tome pack ." in pack and "pytest" in tests and "'.[test]'" in tests
    for command in commands:
        assert command.startswith("python3 -m venv .venv && "), command
        # every pip, tome and pytest runs from the environment, never the system's (PEP 668)
        assert not re.search(r"(^|&& )(pip|python3 -m pip|tome|pytest) ", command), command


def test_ci_runs_the_second_command_verbatim() -> None:
    _, tests = _quick_start()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci, f"{tests!r} is not a line of .ci/run"
    # and lints with the same environment's tools
    assert all(line.startswith(".venv/bin/") for line in ci if "ruff" in line or "mypy" in line)


def test_the_environment_is_ignored_by_git_so_tome_pack_skips_it() -> None:
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()
