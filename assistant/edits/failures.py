"""What went wrong with an edit, as data: failing hunks, refused paths, parse problems.

The classes here subclass the tree in ``assistant.errors`` and add the data a user (or a
model asked to retry) needs: the file, the hunk, the closest region and its similarity.
``describe()`` is for people; ``for_model()`` is the text to send back to the model.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ..errors import ApplyConflict, MatchError, ParseError

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

    def describe(self) -> str:
        """A report for a person: what failed, where, and the nearest text in the file."""
        out = [f"{self.where}: {self.detail}"]
        if self.closest is not None:
            c = self.closest
            out.append(f"  closest region: lines {c.start}-{c.end} (similarity {c.similarity:.2f})")
            out.append(c.render(indent="    "))
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
                f" (similarity {c.similarity:.2f}):\n```\n" + "\n".join(c.lines) + "\n```"
            )
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

    def __init__(self, path: str, reason: str, *, ours: str = "", theirs: str = "") -> None:
        self.path = path
        self.reason = reason
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
