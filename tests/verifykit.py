"""Shared values for the verify tests: a small real package, its tests, and a fingerprint of
everything of the user's that a check must leave as it was.

The package is CPython's ``textwrap.indent`` (PSF licence) with two of CPython's own tests
for it (``Lib/test/test_textwrap.py``, ``IndentTestCase``), written as pytest functions.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

INDENT = '''\
def indent(text, prefix, predicate=None):
    """Adds 'prefix' to the beginning of selected lines in 'text'."""
    if predicate is None:
        def predicate(line):
            return line.strip()

    def prefixed_lines():
        for line in text.splitlines(True):
            yield (prefix + line if predicate(line) else line)
    return ''.join(prefixed_lines())
'''

TESTS = """\
from textkit import indent

CASES = (
    "Hi.\\nThis is a test.\\nTesting.",
    "Hi.\\r\\nThis is a test.\\r\\nTesting.\\r\\n",
    "\\nHi.\\rThis is a test.\\n\\r\\nTesting.\\r\\n\\n",
)


def test_indent_nomargin_default():
    for text in CASES:
        assert indent(text, "") == text


def test_indent_default():
    prefix = "  "
    expected = (
        "  Hi.\\n  This is a test.\\n  Testing.",
        "  Hi.\\r\\n  This is a test.\\r\\n  Testing.\\r\\n",
        "\\n  Hi.\\r  This is a test.\\n\\r\\n  Testing.\\r\\n\\n",
    )
    for text, want in zip(CASES, expected):
        assert indent(text, prefix) == want
"""

PYPROJECT = '[tool.pytest.ini_options]\npythonpath = ["."]\ntestpaths = ["tests"]\n'
PACKAGE = {
    "pyproject.toml": PYPROJECT,
    "textkit/__init__.py": "from textkit.indent import indent\n\n__all__ = ['indent']\n",
    "textkit/indent.py": INDENT,
    "tests/test_indent.py": TESTS,
}

BROKEN = INDENT.replace("return line.strip()", "return True")
"""An edit that breaks ``test_indent_default`` (blank lines get the prefix too)."""


def fingerprint(root: Path) -> dict[str, str]:
    """Every file under ``root`` (``.git`` included: index, HEAD, refs, objects, worktrees)
    by path: its mode and the sha256 of its bytes (a link: its target), plus what git says
    of HEAD, branches, stash and worktrees (read with commands that write nothing)."""
    seen: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        for name in [*files, *dirs]:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            st = path.lstat()
            if path.is_symlink():
                seen[rel] = f"link {os.readlink(path)}"
            elif path.is_file():
                seen[rel] = f"{st.st_mode:o} {hashlib.sha256(path.read_bytes()).hexdigest()}"
            else:
                seen[rel] = f"{st.st_mode:o} dir"
    for args in (
        ["rev-parse", "HEAD"],
        ["for-each-ref"],
        ["stash", "list"],
        ["worktree", "list", "--porcelain"],
    ):
        done = subprocess.run(
            ["git", "--no-optional-locks", *args], cwd=root, capture_output=True, check=False
        )
        seen[f"$ git {' '.join(args)}"] = done.stdout.decode()
    return seen
