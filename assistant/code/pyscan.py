"""A fast outline of Python source, for skeletons: logical lines and their indentation.

Python's block structure is fully decided by its logical lines: a physical line starts a new
logical line unless it continues a bracket, a triple-quoted string or a backslash line, and a
function body is every following logical line indented deeper than its ``def``. Finding the
logical lines needs only strings, comments, brackets and backslashes, which a few C-speed
string operations per line can track; a full parse (tree-sitter or ``ast``) of Django runs at
about 4-5 MB/s on one core, this at several times that.

The scan gives up (returns None) on anything it does not fully understand: an unclosed
string or bracket, a stray backslash, unbalanced closers. The caller then falls back to the
tree-sitter skeleton, and it re-parses every skeleton made here with tree-sitter anyway.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPECIAL = re.compile(r"[#'\"\\]")
_DEF = re.compile(r"(?:async[ \t]+)?def\b")
_DOCSTRING = re.compile(r"[rRuU]?['\"]")
_STRING_REST = {  # from just after the opening quote(s) through the closing one
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""'),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*'''"),
    '"': re.compile(r'(?:[^"\\]|\\.)*"'),
    "'": re.compile(r"(?:[^'\\]|\\.)*'"),
}
MARKER = "...  # ⋯ {count} elided"


@dataclass(frozen=True, slots=True)
class Outline:
    """Logical lines in order: first and last physical row, indentation, what they are."""

    starts: list[int]
    ends: list[int]
    widths: list[int]  # indentation width, tabs to multiples of 8
    indents: list[str]  # the indentation as written
    is_block_def: list[bool]  # a ``def`` whose body follows on later lines
    is_docstring: list[bool]  # starts with a string literal (a docstring if first in a body)


class _Unreadable(Exception):
    """The source is not something the scan fully understands."""


def outline(lines: list[str]) -> Outline | None:
    """The logical lines of a Python file split on ``\\n``; None when it cannot be read."""
    try:
        return _outline(lines)
    except _Unreadable:
        return None


def _outline(lines: list[str]) -> Outline:
    starts: list[int] = []
    ends: list[int] = []
    widths: list[int] = []
    indents: list[str] = []
    is_block_def: list[bool] = []
    is_docstring: list[bool] = []
    in_string: str | None = None  # the closing delimiter of a string left open
    depth = 0
    continued = False
    start_row = 0
    opening = ""
    last = ""  # the last code character of the current logical line
    for row, line in enumerate(lines):
        pos = 0
        if in_string is not None:
            match = _STRING_REST[in_string].match(line)
            if match is None:
                if len(in_string) == 1 and not line.rstrip("\r").endswith("\\"):
                    raise _Unreadable
                continue
            pos = match.end()
            in_string = None
            last = "'"
        elif depth == 0 and not continued:
            stripped = line.lstrip()
            if not stripped or stripped[0] == "#":
                continue  # blank and comment-only lines are not logical lines
            start_row = row
            opening = stripped
            last = ""
        continued = False
        while True:
            match = _SPECIAL.search(line, pos)
            end = len(line) if match is None else match.start()
            if end > pos:
                segment = line[pos:end]
                depth += (
                    segment.count("(")
                    + segment.count("[")
                    + segment.count("{")
                    - segment.count(")")
                    - segment.count("]")
                    - segment.count("}")
                )
                tail = segment.rstrip()
                if tail:
                    last = tail[-1]
            if match is None:
                break
            char = match.group()
            if char == "#":
                break
            at = match.start()
            if char == "\\":
                if line[at + 1 :].strip():
                    raise _Unreadable  # a backslash outside a string must end the line
                continued = True
                break
            delimiter = char * 3 if line.startswith(char * 3, at) else char
            closed = _STRING_REST[delimiter].match(line, at + len(delimiter))
            last = char
            if closed is None:
                if len(delimiter) == 1 and not line.rstrip("\r").endswith("\\"):
                    raise _Unreadable
                in_string = delimiter
                break
            pos = closed.end()
        if depth < 0:
            raise _Unreadable
        if in_string is None and depth == 0 and not continued:
            indent = lines[start_row][: len(lines[start_row]) - len(opening)]
            starts.append(start_row)
            ends.append(row)
            indents.append(indent)
            widths.append(_width(indent))
            is_block_def.append(last == ":" and _DEF.match(opening) is not None)
            is_docstring.append(_DOCSTRING.match(opening) is not None)
    if in_string is not None or depth or continued:
        raise _Unreadable
    return Outline(starts, ends, widths, indents, is_block_def, is_docstring)


def _width(indent: str) -> int:
    if "\t" not in indent and "\f" not in indent:
        return len(indent)
    return len(indent.rpartition("\f")[2].expandtabs(8))


def _trailing_comments(lines: list[str], last: int, bound: int | None, width: int) -> int:
    """Extend a body's last row over the comment lines indented under it that follow it."""
    stop = len(lines) if bound is None else bound
    for row in range(last + 1, stop):
        stripped = lines[row].lstrip()
        if not stripped:
            continue
        if stripped[0] != "#" or _width(lines[row][: len(lines[row]) - len(stripped)]) <= width:
            break
        last = row
    return last


def skeleton(text: str) -> tuple[str, int] | None:
    """The skeleton text and the number of elided lines, or None when the scan gives up."""
    lines = text.split("\n")
    found = outline(lines)
    if found is None:
        return None
    starts, ends, widths = found.starts, found.ends, found.widths
    count = len(starts)
    out: list[str] = []
    position = 0
    elided = 0
    k = 0
    while k < count:
        if not found.is_block_def[k]:
            k += 1
            continue
        width = widths[k]
        stop = k + 1
        while stop < count and widths[stop] > width:
            stop += 1
        first = k + 1
        if first < stop and found.is_docstring[first]:
            first += 1
        if first >= stop:
            k += 1
            continue
        row0 = starts[first]
        row1 = _trailing_comments(
            lines, ends[stop - 1], starts[stop] if stop < count else None, width
        )
        rows = row1 - row0 + 1
        marker = found.indents[first] + MARKER.format(
            count=f"{rows} line" if rows == 1 else f"{rows} lines"
        )
        if sum(map(len, lines[row0 : row1 + 1])) + rows - 1 <= len(marker):
            k += 1  # not worth a marker; nested bodies are shorter still
            continue
        out.extend(lines[position:row0])
        out.append(marker)
        position = row1 + 1
        elided += rows
        k = stop
    if not elided:
        return text, 0
    out.extend(lines[position:])
    return "\n".join(out), elided
