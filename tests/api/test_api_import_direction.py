"""Imports flow one way: ``tui`` imports ``assistant``, never the reverse.

Walks every module of ``assistant/`` with ``ast`` (imports inside functions and under
``TYPE_CHECKING`` count too) and fails on any import of ``tui``. The one exception is where
the ``tome`` command launches the terminal UI (``tome``, ``tome review``, ``ask --review``):
the console script lives in ``assistant.cli``; those launch points are listed here, so a new
one fails until it is argued for.
"""

from __future__ import annotations

import ast
from pathlib import Path

import assistant

PACKAGE = Path(assistant.__file__).parent
LAUNCHES = {"assistant/cli/__init__.py", "assistant/cli/review.py", "assistant/cli/ask.py"}


def imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def arrows_into_tui(package: Path, allowed: frozenset[str] = frozenset()) -> list[str]:
    bad = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package.parent).as_posix() in allowed:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for line, name in imported_modules(tree):
            if name == "tui" or name.startswith("tui."):
                bad.append(f"{path.relative_to(package.parent)}:{line} imports {name}")
    return bad


def test_assistant_never_imports_tui() -> None:
    assert arrows_into_tui(PACKAGE, frozenset(LAUNCHES)) == []
    assert len(arrows_into_tui(PACKAGE)) == 3  # the launch points, one import each


def test_the_walk_sees_an_import_of_tui_anywhere(tmp_path: Path) -> None:
    pkg = tmp_path / "assistant"
    pkg.mkdir()
    (pkg / "a.py").write_text("def f():\n    from tui.app import run\n    return run\n")
    (pkg / "b.py").write_text("import tui\nimport tuition\n")
    assert arrows_into_tui(pkg) == [
        "assistant/a.py:2 imports tui.app",
        "assistant/b.py:1 imports tui",
    ]
