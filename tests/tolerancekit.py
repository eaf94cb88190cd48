"""A real file and a real ``git diff`` of it, where one hunk places only by a tolerance.

``textwrap.py`` is CPython's, unchanged; ``change.diff`` is what ``git diff`` printed after
two one-line edits to it (in ``shorten`` and in ``indent``). The repository the tests apply
it to holds ``DRIFTED``: the same file with trailing whitespace on two context lines of the
second hunk (as an editor leaves it), so hunk 1 matches exactly and hunk 2 only with
trailing whitespace ignored. A module of its own, shared by the CLI and the TUI tests.
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent / "fixtures" / "tolerated"
TEXTWRAP = (HERE / "textwrap.py").read_text(encoding="utf-8")
PATCH = (HERE / "change.diff").read_text(encoding="utf-8")

_DRIFT = ("    def prefixed_lines():\n", "        for line in text.splitlines(True):\n")
DRIFTED = TEXTWRAP
for _line in _DRIFT:
    assert DRIFTED.count(_line) == 1
    DRIFTED = DRIFTED.replace(_line, _line[:-1] + "  \n")

EXPECTED = DRIFTED.replace(
    "    return w.fill(' '.join(text.strip().split()))\n",
    '    return w.fill(" ".join(text.split()))\n',
).replace(
    "            yield (prefix + line if predicate(line) else line)\n",
    "            yield prefix + line if predicate(line) else line\n",
)
"""The drifted file with both edits: the file's own context lines (whitespace and all) kept."""

STARTS = tuple(int(n) for n in re.findall(r"^@@ -(\d+)", PATCH, re.MULTILINE))
"""Where each hunk's region starts (its ``@@ -N`` line): the hunks place where git put them."""
