"""Imports flow one way: ``tui`` imports ``assistant``, never the reverse.

Walks every module of ``assistant/`` with ``ast`` (imports inside functions and under
``TYPE_CHECKING`` count too) and fails on any import of ``tui``. The ``tome`` command opens
the terminal UI through the ``tome.ui`` entry point (``assistant.cli._ui``), not an import.
"""

from __future__ import annotations

import ast
from pathlib import Path

import assistant

PACKAGE = Path(assistant.__file__).parent


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
    assert arrows_into_tui(PACKAGE) == []


def test_the_terminal_ui_is_found_as_a_plug_in(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.cli import _ui

    monkeypatch.setattr(_ui, "not_terminals", lambda: [])  # as in a terminal
    ui = _ui.terminal_ui()
    assert ui.__name__ == "tui.app"  # type: ignore[attr-defined]
    assert callable(ui.run) and callable(ui.run_review)


def test_the_walk_sees_an_import_of_tui_anywhere(tmp_path: Path) -> None:
    pkg = tmp_path / "assistant"
    pkg.mkdir()
    (pkg / "a.py").write_text("def f():\n    from tui.app import run\n    return run\n")
    (pkg / "b.py").write_text("import tui\nimport tuition\n")
    assert arrows_into_tui(pkg) == [
        "assistant/a.py:2 imports tui.app",
        "assistant/b.py:1 imports tui",
    ]


def test_without_the_plug_in_the_command_says_how_to_get_it(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from assistant.cli import _ui
    from assistant.errors import ConfigError

    monkeypatch.setattr(_ui, "installed_uis", lambda: ())  # an install without tui
    monkeypatch.setattr(_ui, "not_terminals", lambda: [])  # as in a terminal
    with pytest.raises(ConfigError, match="terminal UI is not installed"):
        _ui.terminal_ui()
