"""A fast outline of Python source, for skeletons: logical lines and their indentation;
and the names a Python file defines and calls, for ranking (:func:`names`).

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

import keyword
import re
from dataclasses import dataclass

_SPECIAL = re.compile(rb"[#'\"\\]")
_DEF = re.compile(rb"(?:async[ \t]+)?def\b")
_STRING_REST = {  # from just after the opening quote(s) through the closing one
    b'"""': re.compile(rb'(?:[^"\\]|\\.|"(?!""))*"""'),
    b"'''": re.compile(rb"(?:[^'\\]|\\.|'(?!''))*'''"),
    b'"': re.compile(rb'(?:[^"\\]|\\.)*"'),
    b"'": re.compile(rb"(?:[^'\\]|\\.)*'"),
}
# bracket counting in two C calls: openers become "(", closers ")", everything else goes
_BRACKETS = bytes.maketrans(b"([{)]}", b"((()))")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"([{)]}")
_QUOTES = frozenset(b"\"'")
_STRING_PREFIXES = frozenset(b"rRuU")
MARKER = "...  # ⋯ {count} elided"


@dataclass(frozen=True, slots=True)
class Outline:
    """Logical lines in order: first and last physical row, indentation, what they are."""

    starts: list[int]
    ends: list[int]
    widths: list[int]  # indentation width, tabs to multiples of 8
    is_block_def: list[bool]  # a ``def`` whose body follows on later lines
    is_docstring: list[bool]  # starts with a string literal (a docstring if first in a body)


class _Unreadable(Exception):
    """The source is not something the scan fully understands."""


def outline(lines: list[bytes]) -> Outline | None:
    """The logical lines of UTF-8 source split on ``b"\\n"``; None when it cannot be read."""
    try:
        return _outline(lines)
    except _Unreadable:
        return None


def _outline(lines: list[bytes]) -> Outline:
    starts: list[int] = []
    ends: list[int] = []
    widths: list[int] = []
    is_block_def: list[bool] = []
    is_docstring: list[bool] = []
    search = _SPECIAL.search
    in_string: bytes | None = None  # the closing delimiter of a string left open
    depth = 0
    continued = False
    start_row = 0
    opening = b""
    for row, line in enumerate(lines):
        pos = 0
        if in_string is not None:
            match = _STRING_REST[in_string].match(line)
            if match is None:
                if len(in_string) == 1 and not line.rstrip(b"\r").endswith(b"\\"):
                    raise _Unreadable
                continue
            pos = match.end()
            in_string = None
        elif depth == 0 and not continued:
            opening = line.lstrip()
            if not opening or opening[0] == 35:  # blank or "#": not a logical line
                continue
            start_row = row
        continued = False
        code_end = len(line)  # where this line's code stops (a comment or the end)
        while True:
            match = search(line, pos)
            end = code_end if match is None else match.start()
            if end > pos:
                brackets = line[pos:end].translate(_BRACKETS, _NOT_BRACKETS)
                if brackets:
                    depth += 2 * brackets.count(b"(") - len(brackets)
            if match is None:
                break
            char = match.group()
            at = match.start()
            if char == b"#":
                code_end = at
                break
            if char == b"\\":
                if line[at + 1 :].strip():
                    raise _Unreadable  # a backslash outside a string must end the line
                continued = True
                break
            delimiter = char * 3 if line.startswith(char * 3, at) else char
            closed = _STRING_REST[delimiter].match(line, at + len(delimiter))
            if closed is None:
                if len(delimiter) == 1 and not line.rstrip(b"\r").endswith(b"\\"):
                    raise _Unreadable
                in_string = delimiter
                break
            pos = closed.end()
        if depth < 0:
            raise _Unreadable
        if in_string is None and depth == 0 and not continued:
            first = lines[start_row]
            indent = len(first) - len(opening)
            starts.append(start_row)
            ends.append(row)
            widths.append(
                _width(first[:indent])
                if b"\t" in first[:indent] or b"\f" in first[:indent]
                else indent
            )
            is_block_def.append(
                line[:code_end].rstrip().endswith(b":") and _DEF.match(opening) is not None
            )
            is_docstring.append(
                opening[0] in _QUOTES
                or (opening[0] in _STRING_PREFIXES and opening[1:2] in (b"'", b'"'))
            )
    if in_string is not None or depth or continued:
        raise _Unreadable
    return Outline(starts, ends, widths, is_block_def, is_docstring)


def _width(indent: bytes) -> int:
    return len(indent.rpartition(b"\f")[2].expandtabs(8))


def _trailing_comments(lines: list[bytes], last: int, bound: int | None, width: int) -> int:
    """Extend a body's last row over the comment lines indented under it that follow it."""
    stop = len(lines) if bound is None else bound
    for row in range(last + 1, stop):
        line = lines[row]
        stripped = line.lstrip()
        if not stripped:
            continue
        if stripped[0] != 35 or _width(line[: len(line) - len(stripped)]) <= width:
            break
        last = row
    return last


def skeleton(text: str) -> tuple[str, int] | None:
    """The skeleton text and the number of elided lines, or None when the scan gives up."""
    raw = text.encode("utf-8", "surrogatepass").split(b"\n")
    found = outline(raw)
    if found is None:
        return None
    lines = text.split("\n")  # the same rows: b"\n" occurs in UTF-8 only as "\n"
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
            raw, ends[stop - 1], starts[stop] if stop < count else None, width
        )
        rows = row1 - row0 + 1
        opening = raw[row0]
        indent = lines[row0][: len(opening) - len(opening.lstrip())]  # ASCII, so same length
        marker = indent + MARKER.format(count=f"{rows} line" if rows == 1 else f"{rows} lines")
        if rows == 1 or sum(map(len, lines[row0 : row1 + 1])) + rows - 1 <= len(marker):
            k += 1  # a one-line body is kept; not worth a marker; nested bodies are shorter still
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


# --- names: what ranking reads of a Python file ---------------------------------------------
#
# Ranking needs only the names a file defines and the names it calls, not their places; the
# tags query gives them from a parse (5 ms a file of Django). A text reader gives nearly
# the same names at a fraction of the cost, the way the query defines them: classes and
# functions at any depth, identifiers assigned by a module-level statement; references are
# calls (``f(``, ``x.f(``) and a class's base classes. Strings and comments are cut out
# first, so their text defines and calls nothing (but the fields of an f-string, which are
# code). The regexes are linear: a string or bracket left
# open costs one scan to the end, not one per position.

_CUT = re.compile(  # a string's prefix (r, b, f) stays: a lone letter defines nothing
    r"""\#[^\n]*
      | \"\"\"(?:[^"\\]++|\\.|"(?!""))*+(?:\"\"\"|\Z)
      | '''(?:[^'\\]++|\\.|'(?!''))*+(?:'''|\Z)
      | "(?:[^"\\\n]++|\\.)*+(?:"|$)
      | '(?:[^'\\\n]++|\\.)*+(?:'|$)""",
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)
# Each regex starts at a fixed character, so the scan jumps between its occurrences:
_DEFINED = re.compile(r"(?:def|class)[ \t]+([^\W\d]\w*)")  # a word boundary checked after
_BASES = re.compile(r"[ \t]*\(([^()]*)\)")  # right after a class's name
_DOTTED = re.compile(r"\s*(?:[^\W\d]\w*\s*\.\s*)*([^\W\d]\w*)\s*")
_ASSIGNED = re.compile(r"\n([^\W\d]\w*)[ \t\f]*(?::|=(?!=))")  # on "\n" + the code
# on the code reversed: "(" after a name, unless ``def`` or ``class`` is before it
_CALLED = re.compile(r"\([ \t]*(\w*[^\W\d])(?:[ \t]+(fed|ssalc)(?!\w))?")
_KEYWORDS = frozenset(keyword.kwlist)
_FIELD = re.compile(r"\{([^{}]*)\}")  # an f-string's field


@dataclass(frozen=True, slots=True)
class Names:
    """The names a file defines and the names it references (calls, base classes)."""

    defs: frozenset[str]
    refs: frozenset[str]


def names(text: str) -> Names:
    """What the Python tags query would name in ``text``, read without a parse (see above)."""
    code = _CUT.sub(_blank, text)
    defs = set(_module_assignments(code))
    refs = {name[::-1] for name, defined in _CALLED.findall(code[::-1]) if not defined}
    for match in _DEFINED.finditer(code):
        at = match.start()
        if at and (code[at - 1].isalnum() or code[at - 1] == "_"):
            continue  # "undef x": not the keyword
        defs.add(match.group(1))
        if code.startswith("c", at):  # class C(Base, mod.Mixin, metaclass=M): the bases
            bases = _BASES.match(code, match.end())
            for base in bases.group(1).split(",") if bases else ():
                whole = _DOTTED.fullmatch(base)
                if whole is not None:
                    refs.add(whole.group(1))
    return Names(frozenset(defs - _KEYWORDS), frozenset(refs - _KEYWORDS))


def _blank(match: re.Match[str]) -> str:
    """A cut string or comment: its newlines stay (lines keep their places), the text goes;
    an f-string's fields stay too (on its first line), since the calls in them are calls."""
    cut = match.group()
    lines = "\n" * cut.count("\n")
    start = match.start()
    if "{" in cut and "f" in match.string[max(start - 2, 0) : start].lower() and cut[0] != "#":
        fields = " ".join(_FIELD.findall(cut.replace("{{", "").replace("}}", "")))
        return f" {_CUT.sub(' ', fields).replace(chr(10), ' ')} {lines}"  # their strings cut
    return lines or " "


def _module_assignments(code: str) -> list[str]:
    """Names assigned (or annotated) by a statement of the module itself: at the start of a
    line that no bracket or backslash continues."""
    found: list[str] = []
    depth = 0
    last = 0
    lines = "\n" + code
    for match in _ASSIGNED.finditer(lines):
        at = match.start()
        part = lines[last:at]
        depth += part.count("(") + part.count("[") + part.count("{")
        depth -= part.count(")") + part.count("]") + part.count("}")
        last = at
        if depth > 0 or lines[max(at - 2, 0) : at].rstrip("\r").endswith("\\"):
            continue
        found.append(match.group(1))
    return found
