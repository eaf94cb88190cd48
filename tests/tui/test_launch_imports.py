"""What ``tome review PATCH`` loads before its first screen: not the overlays a key opens
(help, the reason box, the hunk fixer and its TextArea, leave, explain), not the answer's
prose splitter, not the secret scanner; the lexer is picked without compiling pygments'
800 file-name patterns; the UI plug-in is found without scanning every package's metadata.
The launch itself is timed by ``python3 bench/tui.py launch``."""

from __future__ import annotations

import os
import subprocess
import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest
from pygments.lexers import get_all_lexers

from tui.highlight import _matches, lexer_for

TOP = Path(__file__).resolve().parents[2]
LATER = (
    "tui.screens.help", "tui.screens.fix_hunk", "tui.screens.reason", "tui.screens.leave",
    "tui.screens.explain", "tui.prose", "assistant.secrets", "textual.widgets._text_area",
)  # fmt: skip


def test_the_first_screen_loads_without_the_overlays() -> None:
    code = "import sys, tui.app; print(' '.join(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(TOP)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=True)  # fmt: skip
    loaded = set(done.stdout.split())
    assert "tui.screens.review" in loaded and "tui.highlight" in loaded
    assert sorted(loaded & set(LATER)) == []


def test_the_pattern_shortcut_matches_as_fnmatch_does() -> None:
    patterns = {p for _, _, found, _ in get_all_lexers(plugins=False) for p in found}
    names = ["a.py", "Makefile", "CMakeLists.txt", "a.PY", "x.pyi", ".bashrc", "Dockerfile",
             "q.h", "BUILD.bazel", "README", "a.tar.gz", "abc", "x.rs", "go.mod"]  # fmt: skip
    names += [p.replace("*", "zz").replace("?", "q") for p in patterns]
    assert len(patterns) > 500
    wrong = [(n, p) for n in names for p in patterns if _matches(n, p) != fnmatchcase(n, p)]
    assert wrong == []


@pytest.mark.parametrize(
    ("path", "name"),
    [("pkg/a.py", "Python"), ("Makefile", "Makefile"), ("x/y.rs", "Rust"), ("a.c", "C")],
)
def test_lexers_are_still_picked_by_name(path: str, name: str) -> None:
    lexer = lexer_for(path)
    assert lexer is not None and lexer.name == name


def test_the_plug_in_is_found_in_tomes_own_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.cli import _ui

    def scan(**_: object) -> None:
        raise AssertionError("every package's metadata was scanned")

    monkeypatch.setattr(_ui, "entry_points", scan)
    (found,) = _ui.installed_uis()
    assert found.value == "tui.app"
