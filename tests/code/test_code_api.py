"""The public surface of assistant.code."""

from __future__ import annotations

import subprocess
import sys
import types

import assistant.code as code


def test_all_lists_exactly_the_public_names_sorted() -> None:
    public = sorted(
        name
        for name, value in vars(code).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"
    )
    assert code.__all__ == public
    # the functions win over their modules of the same name
    assert callable(code.tags)
    assert callable(code.skeleton)


def test_importing_loads_no_grammar() -> None:
    probe = (
        "import sys, assistant.code; print(any(m.startswith('tree_sitter_') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
