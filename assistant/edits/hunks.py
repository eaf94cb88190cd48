"""The values an edit is made of: hunks and file edits, whatever format they came in.

Every format a model emits (unified diff, SEARCH/REPLACE, ``*** Begin Patch``, whole files)
parses into the same two types, so matching and review never care where an edit came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

Op = Literal[" ", "-", "+"]
"""A hunk line's role: context kept as is, a line removed, a line added."""

Action = Literal["update", "create", "delete", "replace"]
"""``update`` applies hunks; ``create`` writes a new file; ``delete`` removes one;
``replace`` swaps a whole file's text (a whole-file block)."""

Syntax = Literal["udiff", "search-replace", "patch", "whole"]
"""The format an edit was written in."""

ELISION = "..."
"""A context line reading ``...`` (nothing else) stands for unchanged lines the model left out.

Allowed in unified diffs, ``*** Begin Patch`` hunks and SEARCH/REPLACE blocks (where it must
appear in both SEARCH and REPLACE, so it is context). It is only read as an elision when the
hunk does not match the file literally, so a real ``...`` line (a Python stub body) still works.
Whole-file blocks never elide: one that does is refused.
"""


@dataclass(frozen=True)
class Hunk:
    """One contiguous change: lines to find (context and removed) and what replaces them.

    ``lines`` keeps each line's role, so a loosely matched hunk writes the file's own context
    lines back, never the model's copy of them. Text carries no line endings.
    """

    lines: tuple[tuple[Op, str], ...]
    old_start: int | None = None
    """1-based line number from a ``@@ -l,c`` header: a hint to order the search, never trusted."""
    anchors: tuple[str, ...] = ()
    """Scope lines (``@@ def foo():``) that precede the hunk in the file, if the model gave any."""
    at_eof: bool = False
    """The hunk ends at the end of the file (``*** End of File``, or a no-newline marker)."""
    old_no_newline: bool = False
    """The file's last line has no final newline before the edit: ``\\ No newline at end of
    file`` after the hunk's last removed or context line."""
    new_no_newline: bool = False
    """The file's last line has no final newline after the edit: the marker after the hunk's
    last added or context line. Either marker puts the hunk at the end of the file, and then
    the new side decides the final newline; without one, the file's own is kept."""
    problem: str = ""
    """Why the hunk cannot be applied as the parser read it (it could not tell where the hunk
    ends, say); such a hunk fails whole rather than being applied in part."""
    diffed: bool = False
    """The ``-``/``+`` roles are the engine's own diff of a SEARCH/REPLACE pair (one of the
    equally good diffs where a line moved), not roles the model wrote."""
    new_start: int | None = None
    """1-based line number of the ``+l`` side of a ``@@ -l,c +l,c`` header, as written."""
    counts: tuple[int, int] | None = None
    """The header's (old, new) line counts, as written (None unless both are given)."""

    # ``lines`` never changes (frozen, a tuple of tuples): each side is built once, on first
    # use (the plan reads them a few times per hunk, 20,000 hunks in one answer)
    @cached_property
    def before(self) -> tuple[str, ...]:
        """The lines the hunk expects in the file (context and removed)."""
        return tuple(text for op, text in self.lines if op != "+")

    @cached_property
    def after(self) -> tuple[str, ...]:
        """The lines the hunk leaves in their place (context and added)."""
        return tuple(text for op, text in self.lines if op != "-")

    @property
    def added(self) -> int:
        return sum(1 for op, _ in self.lines if op == "+")

    @property
    def removed(self) -> int:
        return sum(1 for op, _ in self.lines if op == "-")


@dataclass(frozen=True)
class FileEdit:
    """The edit of one file, as one contiguous piece of the model's answer.

    A path can appear in several ``FileEdit`` values (one per SEARCH/REPLACE block, say);
    applying and reviewing combine them in order.
    """

    path: str
    action: Action
    syntax: Syntax
    hunks: tuple[Hunk, ...] = ()
    content: str | None = None
    """The whole new text for ``create`` and ``replace`` (``\\n`` line endings)."""
    move_to: str | None = None
    """The new path when the edit renames the file: only with explicit evidence
    (``rename from``/``rename to``, ``diff --git`` with ``similarity index``, ``*** Move to:``)."""
    line: int = 0
    """1-based line of the answer where this edit starts (for messages)."""
    other_path: str | None = None
    """The other name when a diff's two headers name different files and nothing says it is a
    rename (``--- before.java`` / ``+++ after.java``): the edit is of whichever of ``path``
    and ``other_path`` exists, as ``patch`` picks (see ``apply.plan_edits``)."""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path the edit may read or write: its path, the rename target, the other name."""
        found = (self.path, self.move_to, self.other_path)
        return tuple(dict.fromkeys(p for p in found if p))

    @property
    def ordered(self) -> bool:
        """Whether the hunks are in file order (diffs and patches are; SEARCH blocks are not)."""
        return self.syntax in ("udiff", "patch")
