"""The project's usual check commands, recognised from its files (``--verify``).

The files are the repository's, so untrusted, and what they say is never run as a string:
detection only picks from a fixed table of commands tome knows (``python3 -m pytest -q``,
``ruff check``, ``cargo test``, ``go vet ./...``). Two entries run a *name* the repository
defines, through the tool that owns it: ``npm test`` / ``npm run lint`` (a ``package.json``
script) and ``make test`` / ``make lint`` (a Makefile target). Those, like pytest running
the project's ``conftest.py``, execute the repository's code, which is the point of a
check; so nothing detected ever runs without the user asking on this very invocation
(``tome ask --verify``, or the ``detect=True`` a caller passes for that choice). A
project's ``test_cmd``/``lint_cmd`` strings are another matter: they run only from a
trusted config (:mod:`assistant.config`).

One test and one lint command at most, the first that fits, in this order: Python
(``pyproject.toml`` ``[tool.pytest.ini_options]``/``[tool.ruff]``, ``setup.cfg``
``[tool:pytest]``/``[flake8]``, ``tox.ini`` ``[pytest]``/``[flake8]``, ``pytest.ini``,
``ruff.toml``, ``.flake8``), Rust (``Cargo.toml``), Go (``go.mod``), Node (``package.json``
scripts), then a Makefile's targets.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .commands import Command
from .errors import NotRegularFile
from .fsio import read_regular

__all__ = ["FILES", "detect", "detect_from"]

FILES = (
    "pyproject.toml", "setup.cfg", "tox.ini", "pytest.ini", "ruff.toml", ".ruff.toml",
    ".flake8", "Cargo.toml", "go.mod", "package.json", "Makefile", "makefile", "GNUmakefile",
)  # fmt: skip
"""The files detection reads, at the repository root only."""
_LIMIT = 1 << 20
_NPM_DEFAULT = 'echo "Error: no test specified" && exit 1'
_PYTEST = ("python3", "-m", "pytest", "-q")
_RUFF = ("ruff", "check", "--output-format", "concise")
_FLAKE8 = ("python3", "-m", "flake8")


def detect(root: Path) -> list[Command]:
    """The commands detected from ``root``'s files (regular files only, no symlinks)."""
    files: dict[str, bytes] = {}
    for name in FILES:
        try:
            files[name] = read_regular(root / name, limit=_LIMIT, follow_symlinks=False)
        except (OSError, NotRegularFile):  # absent, a link, too large: no evidence of a tool
            continue
    return detect_from(files)


def detect_from(files: Mapping[str, bytes]) -> list[Command]:
    """The commands the files (``{name at the root: bytes}``) point to (pure)."""
    tests: list[Command] = []
    lints: list[Command] = []
    _python(files, tests, lints)
    if "Cargo.toml" in files:
        tests.append(Command.fixed("test", ("cargo", "test"), "detected: Cargo.toml"))
        lints.append(Command.fixed(
            "lint", ("cargo", "clippy", "--all-targets", "--", "-D", "warnings"),
            "detected: Cargo.toml",
        ))  # fmt: skip
    if "go.mod" in files:
        tests.append(Command.fixed("test", ("go", "test", "./..."), "detected: go.mod"))
        lints.append(Command.fixed("lint", ("go", "vet", "./..."), "detected: go.mod"))
    scripts = _npm_scripts(files.get("package.json"))
    if "test" in scripts and scripts["test"].strip() != _NPM_DEFAULT:
        tests.append(Command.fixed("test", ("npm", "test"), "detected: package.json scripts.test"))
    if "lint" in scripts:
        lints.append(
            Command.fixed("lint", ("npm", "run", "lint"), "detected: package.json scripts.lint")
        )
    for name in ("GNUmakefile", "makefile", "Makefile"):  # make's own order
        if name in files:
            targets = _make_targets(files[name])
            if "test" in targets:
                tests.append(Command.fixed("test", ("make", "test"), f"detected: {name} test"))
            if "lint" in targets:
                lints.append(Command.fixed("lint", ("make", "lint"), f"detected: {name} lint"))
            break
    return tests[:1] + lints[:1]


def _python(files: Mapping[str, bytes], tests: list[Command], lints: list[Command]) -> None:
    pyproject = _toml(files.get("pyproject.toml"))
    tool = pyproject.get("tool", {}) if isinstance(pyproject.get("tool"), dict) else {}
    setup = _ini(files.get("setup.cfg"))
    tox = _ini(files.get("tox.ini"))
    pytest_from = (
        ("pyproject.toml [tool.pytest.ini_options]" if "pytest" in tool else None)
        or ("pytest.ini" if "pytest.ini" in files else None)
        or ("setup.cfg [tool:pytest]" if "tool:pytest" in setup else None)
        or ("tox.ini [pytest]" if {"pytest", "tool:pytest"} & tox else None)
    )
    if pytest_from:
        tests.append(Command.fixed("test", _PYTEST, f"detected: {pytest_from}"))
    ruff_from = ("pyproject.toml [tool.ruff]" if "ruff" in tool else None) or next(
        (n for n in ("ruff.toml", ".ruff.toml") if n in files), None
    )
    if ruff_from:
        lints.append(Command.fixed("lint", _RUFF, f"detected: {ruff_from}"))
    flake8_from = (
        ("setup.cfg [flake8]" if "flake8" in setup else None)
        or ("tox.ini [flake8]" if "flake8" in tox else None)
        or (".flake8" if ".flake8" in files else None)
    )
    if flake8_from:
        lints.append(Command.fixed("lint", _FLAKE8, f"detected: {flake8_from}"))


def _toml(data: bytes | None) -> dict[str, Any]:
    if data is None:
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return {}


def _ini(data: bytes | None) -> set[str]:
    """The section names of an ini file (empty when it does not parse)."""
    if data is None:
        return set()
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    try:
        parser.read_string(data.decode("utf-8", "replace"))
    except configparser.Error:
        return set(re.findall(r"^\[([^\]\n]+)\]", data.decode("utf-8", "replace"), re.M))
    return set(parser.sections())


def _npm_scripts(data: bytes | None) -> dict[str, str]:
    if data is None:
        return {}
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError):
        return {}
    scripts = doc.get("scripts") if isinstance(doc, dict) else None
    if not isinstance(scripts, dict):
        return {}
    return {k: v for k, v in scripts.items() if isinstance(k, str) and isinstance(v, str)}


_TARGET = re.compile(rb"^([A-Za-z0-9_.-]+(?:[ \t]+[A-Za-z0-9_.-]+)*)[ \t]*::?(?![=])", re.M)


def _make_targets(data: bytes) -> set[str]:
    """The explicit targets a Makefile names (``test:``, ``test lint:``), not variables."""
    return {name.decode() for group in _TARGET.findall(data) for name in group.split()}
