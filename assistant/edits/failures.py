"""What went wrong with an edit, as data: failing hunks, refused paths, parse problems.

The classes here subclass the tree in ``assistant.errors`` and add the data a user (or a
model asked to retry) needs: the file, the hunk, the closest region and its similarity.
``describe()`` is for people; ``for_model()`` is the text to send back to the model.

A region that is almost the hunk (``sort_key`` where the file has ``sort_keys``) is useless
as a similarity alone, so both texts also say where it first differs (:class:`Difference`:
the line pair, the differing words, carets under them), and a similarity is never shown
as ``1.00`` unless the region is the hunk's lines exactly (:func:`shown_similarity` floors).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import ApplyConflict, MatchError, ParseError
from .diff import LineMatcher

FailureKind = Literal[
    "no-match", "ambiguous", "overlap", "missing-file", "exists", "mixed", "elided", "no-context",
    "malformed", "no-change", "two-files",
]  # fmt: skip
"""``malformed``: the parser could not tell where the hunk ends; ``no-change``: only context
lines; ``two-files``: a diff's headers name two files and neither or both can be the one."""


@dataclass(frozen=True)
class Region:
    """A stretch of a file: 1-based inclusive line range, its text, and how alike it is."""

    start: int
    end: int
    similarity: float
    lines: tuple[str, ...]

    def render(self, *, indent: str = "  ") -> str:
        width = len(str(self.end))
        return "\n".join(
            f"{indent}{n:>{width}} | {text}" for n, text in enumerate(self.lines, self.start)
        )


def shown_similarity(value: float, *, identical: bool = False) -> str:
    """``0.99`` for 0.9968: floored to two places, so only an identical region reads 1.00."""
    if value >= 1 and identical:
        return "1.00"
    return f"{min(math.floor(value * 100 + 1e-9), 99) / 100:.2f}"


CLIP = 72
"""Characters of a long line shown around where it differs."""
_WORDISH = re.compile(r"\w")


@dataclass(frozen=True)
class Difference:
    """Where a closest region first differs from the lines the hunk expected.

    ``hunk_line`` is 1-based among the hunk's expected lines and ``file_line`` 1-based in
    the file; one of them is None when that side has a line the other lacks there.
    ``wrote`` and ``found`` are the differing stretch of each line, widened to whole words
    (``sort_key`` / ``sort_keys``), starting at column ``column`` (0-based, tabs expanded).
    """

    hunk_line: int | None
    file_line: int | None
    expected: str
    found: str
    column: int = 0
    wrote: str = ""
    has: str = ""

    def render(self, *, indent: str = "  ") -> list[str]:
        """The line pair with carets under what differs in the file's line."""
        if self.hunk_line is None:
            head = f"first difference: line {self.file_line} is not in the hunk"
            return [f"{indent}{head}:", f"{indent}  file: {_clip(self.found, 0)}"]
        if self.file_line is None:
            head = f"first difference: hunk line {self.hunk_line} is not in the file"
            return [f"{indent}{head}:", f"{indent}  hunk: {_clip(self.expected, 0)}"]
        start = _window(self.column, self.expected, self.found)
        carets = " " * (self.column - start) + "^" * max(1, len(self.has))
        return [
            f"{indent}first difference: line {self.file_line}, column {self.column + 1}:",
            f"{indent}  hunk: {_clip(self.expected, start)}",
            f"{indent}  file: {_clip(self.found, start)}",
            f"{indent}        {carets}",
        ]

    def for_model(self) -> str:
        if self.hunk_line is None:
            return (f"The file has a line there that your lines lack (line {self.file_line}):"
                    f"\n```\n{self.found}\n```")  # fmt: skip
        if self.file_line is None:
            return (f"Line {self.hunk_line} of your lines is not in the file there:"
                    f"\n```\n{self.expected}\n```")  # fmt: skip
        return (
            f"The first difference is on line {self.file_line} of the file (line "
            f"{self.hunk_line} of your lines): you wrote `{self.wrote}` where the file has "
            f"`{self.has}`. The file's line is:\n```\n{self.found}\n```"
        )


def _window(column: int, *lines: str) -> int:
    """Where to start showing ``lines`` so that ``column`` is in view (one start for all,
    so the lines stay aligned)."""
    longest = max(len(x) for x in lines)
    return 0 if longest <= CLIP else max(0, min(column - CLIP // 3, longest - CLIP))


def _clip(line: str, start: int) -> str:
    """``CLIP`` characters of ``line`` from ``start``, with ``...`` where it is cut."""
    text = line[start : start + CLIP]
    if start:
        text = "..." + text[3:]
    if start + CLIP < len(line):
        text = text[:-3] + "..."
    return text


def first_difference(
    expected: Sequence[str], region: Sequence[str], start: int
) -> Difference | None:
    """The first line where ``region`` (the file's lines from 1-based ``start``) differs
    from ``expected``, aligned line by line (trailing whitespace ignored, as the closest
    region was chosen); None when they are the same."""
    a = [x.rstrip().expandtabs(4) for x in expected]
    b = [x.rstrip().expandtabs(4) for x in region]
    for tag, i1, i2, j1, j2 in LineMatcher(a, b).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2:
            return Difference(None, start + j1, "", b[j1])
        if j1 == j2:
            return Difference(i1 + 1, None, a[i1], "")
        x, y = a[i1], b[j1]
        col, wrote, has = _words_apart(x, y)
        return Difference(i1 + 1, start + j1, x, y, col, wrote, has)
    return None


def _words_apart(x: str, y: str) -> tuple[int, str, str]:
    """(column, x's part, y's part) where two lines differ, widened to whole words."""
    p = 0
    while p < min(len(x), len(y)) and x[p] == y[p]:
        p += 1
    s = 0
    while s < min(len(x), len(y)) - p and x[len(x) - 1 - s] == y[len(y) - 1 - s]:
        s += 1
    while p and _WORDISH.match(x[p - 1]):
        p -= 1
    end_x, end_y = len(x) - s, len(y) - s
    while end_x < len(x) and _WORDISH.match(x[end_x]):
        end_x, end_y = end_x + 1, end_y + 1
    return p, x[p:end_x], y[p:end_y]


@dataclass(frozen=True)
class HunkFailure:
    """One hunk (or file operation) that cannot be applied, and why."""

    path: str
    hunk: int
    """1-based index of the hunk among the file's hunks (0 for a whole-file operation)."""
    hunks: int
    kind: FailureKind
    detail: str
    expected: tuple[str, ...] = ()
    closest: Region | None = None
    candidates: tuple[int, ...] = ()
    """1-based first lines of the equal candidates, for ``ambiguous`` (and ``overlap``)."""
    places: tuple[str, ...] = ()
    """For each candidate, the line above it that says where it is (its def or block), or
    empty: what tells the places apart, for a person or a model resending the edit."""

    @property
    def where(self) -> str:
        return f"{self.path}, hunk {self.hunk} of {self.hunks}" if self.hunk else self.path

    @property
    def difference(self) -> Difference | None:
        """Where the closest region first differs from the expected lines (None: no region,
        or nothing expected)."""
        if self.closest is None or not self.expected:
            return None
        return first_difference(self.expected, self.closest.lines, self.closest.start)

    def _similarity(self) -> str:
        c = self.closest
        assert c is not None
        return shown_similarity(c.similarity, identical=tuple(self.expected) == c.lines)

    def describe(self) -> str:
        """A report for a person: what failed, where, and the nearest text in the file."""
        out = [f"{self.where}: {self.detail}"]
        if self.closest is not None:
            c = self.closest
            out.append(
                f"  closest region: lines {c.start}-{c.end} (similarity {self._similarity()})"
            )
            out.append(c.render(indent="    "))
            if (diff := self.difference) is not None:
                out.extend(diff.render())
        for line, place in self._places():
            out.append(f"  line {line}: {place}" if place else f"  line {line}")
        if self.expected and self.kind in ("no-match", "ambiguous"):
            out.append("  the hunk expected:")
            out.extend(f"    {line}" for line in self.expected)
        return "\n".join(out)

    def _places(self) -> list[tuple[int, str]]:
        """(line, where) of the first candidates, when there is more than one."""
        if len(self.candidates) < 2:
            return []
        places = self.places or ("",) * len(self.candidates)
        return list(zip(self.candidates, places, strict=False))[:8]

    def for_model(self) -> str:
        """The same failure as an instruction a model can act on."""
        head = f"The edit of {self.where} could not be applied: {self.detail}."
        parts = [head]
        if self.expected and self.kind in ("no-match", "ambiguous"):
            parts.append("You expected these lines:\n```\n" + "\n".join(self.expected) + "\n```")
        if self.closest is not None:
            c = self.closest
            parts.append(
                f"The closest lines in the file are {c.start}-{c.end}"
                f" (similarity {self._similarity()}):\n```\n" + "\n".join(c.lines) + "\n```"
            )
            if (diff := self.difference) is not None:
                parts.append(diff.for_model())
        shown = [f"line {n}" + (f", in {p}" if p else "") for n, p in self._places()]
        if shown and self.kind in ("ambiguous", "overlap"):
            parts.append("The same lines are at: " + "; ".join(shown) + ".")
        if self.kind == "ambiguous":
            parts.append("Add surrounding lines to the edit so that it matches exactly one place.")
        elif self.kind == "no-match":
            parts.append("Resend this edit with the lines copied exactly from the current file.")
        return "\n\n".join(parts)


def _summary(failures: Sequence[HunkFailure]) -> str:
    n = len(failures)
    head = f"{n} hunk{'s' if n != 1 else ''} cannot be applied (nothing was changed):"
    return "\n".join([head, *(f.describe() for f in failures)])


class HunkMatchError(MatchError):
    """Every hunk that failed, collected before raising so the user sees them all.

    ``path``, ``hunk`` and ``closest`` are the first failure's, for quick use.
    """

    def __init__(self, failures: Sequence[HunkFailure]) -> None:
        self.failures = tuple(failures)
        first = self.failures[0]
        self.path = first.path
        self.hunk = first.hunk
        self.closest = first.closest
        super().__init__(_summary(self.failures))

    def for_model(self) -> str:
        return "\n\n---\n\n".join(f.for_model() for f in self.failures)


class PathRefused(ApplyConflict):
    """A path from the model points outside the repository or into git's own files."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"refused path {path!r}: {reason}")


class FileConflict(ApplyConflict):
    """A file changed on disk since it was packed and the change does not merge cleanly."""

    def __init__(
        self, path: str, reason: str, *, ours: str = "", theirs: str = "", forcible: bool = False
    ) -> None:
        self.path = path
        self.reason = reason
        self.forcible = forcible
        """True when the step can be forced (an undo over files changed since the apply):
        each front end says how, in its own terms."""
        self.ours = ours
        """The file as it is on disk now."""
        self.theirs = theirs
        """The file as the edit would leave it, computed against the packed version."""
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class ParseProblem:
    line: int
    message: str


class EditParseError(ParseError):
    """The answer holds edits that cannot be read (cut off, no path, nothing at all)."""

    def __init__(self, problems: Sequence[ParseProblem]) -> None:
        self.problems = tuple(problems)
        lines = [f"line {p.line}: {p.message}" if p.line else p.message for p in self.problems]
        super().__init__("cannot read the edit:\n" + "\n".join(f"  {x}" for x in lines))


_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_RESERVED = (".git", ".tome")

# Code points HFS+ ignores when it compares names, so ``.g\u200cit`` opens ``.git`` on a Mac
# (git's utf8.c ``next_hfs_char``: U+200C-200F, U+202A-202E, U+206A-206F, U+FEFF).
_HFS_IGNORED = frozenset(
    [*range(0x200C, 0x2010), *range(0x202A, 0x202F), *range(0x206A, 0x2070), 0xFEFF]
)


def reserved_alias(part: str) -> str | None:
    """The reserved folder (``.git``, ``.tome``) that the name ``part`` opens on some file
    system, or None.

    A port of git's ``is_hfs_dotgit`` (utf8.c) and ``is_ntfs_dotgit`` /
    ``is_ntfs_dot_generic`` (path.c; git is GPL-2.0, this is a re-implementation of the
    rule, not its code), applied on every platform as ``core.protectHFS`` and
    ``core.protectNTFS`` do: case is ignored; HFS+ ignorable code points are dropped;
    NTFS drops trailing dots and spaces and reads ``name:stream`` (``.git::$INDEX_ALLOCATION``)
    as ``name``; 8.3 short names ``GIT~1`` (and ``TOME~1``) name the long one.
    """
    name = "".join(c for c in part if ord(c) not in _HFS_IGNORED).lower()
    head = name.split(":", 1)[0].rstrip(". ")
    for reserved in _RESERVED:
        if head == reserved:
            return reserved
        short = reserved[1:][:6]
        if len(head) == len(short) + 2 and head.startswith(short + "~") and head[-1] in "1234":
            return reserved
    return None


def check_path(path: str) -> str:
    """Normalise a path from a model and refuse anything that could leave the repository.

    Returns the clean relative POSIX path. Refuses absolute paths, ``..``, and git's or
    tome's own directories. Symlinks are checked by the worktree edge, which sees the disk.
    """
    raw = path.strip()
    if not raw:
        raise PathRefused(path, "empty path")
    if "\x00" in raw:
        raise PathRefused(path, "contains a NUL byte")
    p = raw.replace("\\", "/")
    if p.startswith("/") or p.startswith("~") or _DRIVE.match(raw):
        raise PathRefused(path, "absolute paths are not allowed; use a path relative to the root")
    parts = [x for x in p.split("/") if x not in ("", ".")]
    if not parts:
        raise PathRefused(path, "names the repository root, not a file")
    if ".." in parts:
        raise PathRefused(path, "'..' would leave the repository")
    for part in parts:
        reserved = reserved_alias(part)
        if reserved is not None:
            shown = "" if part.lower() == reserved else f" (another name for {reserved}/)"
            raise PathRefused(path, f"{part}/{shown} belongs to git or tome, not to the project")
    return posixpath.join(*parts)
