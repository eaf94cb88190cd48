"""Read edits out of a model's answer, in every format models emit, as the answer streams.

Formats are detected line by line and may be mixed in one answer, between prose and code
fences:

- unified diffs, with or without ``diff --git`` and ``---``/``+++`` lines (the path then comes
  from a path line before the hunks), with any ``@@`` header: right or wrong line numbers and
  counts, or a bare ``@@ ... @@``. A hunk ends where its lines end; the counts only decide
  whether a bare line (a context line that lost its leading space) is still part of it (see
  ``EditParser._bare_line``). ``\\ No newline at end of file`` is kept in the hunk
  (``Hunk.old_no_newline``/``new_no_newline``). Two headers naming different files are a
  rename only with ``rename from``/``rename to`` or ``similarity index``; otherwise the edit
  keeps both names (``FileEdit.other_path``) and the plan picks the one that exists.
- SEARCH/REPLACE blocks (``<<<<<<< SEARCH`` / ``=======`` / ``>>>>>>> REPLACE``), the path
  on a line before the block, before or inside the fence, possibly in backticks or bold.
- ``*** Begin Patch`` ... ``*** End Patch`` with ``*** Update File:``, ``*** Add File:``,
  ``*** Delete File:``, ``*** Move to:``, ``@@ anchor`` lines and ``*** End of File``.
- whole-file blocks: a line holding only a path, then a fenced block with the full file.

A path with spaces or brackets is read where the answer clearly names a file (see
:func:`path_from_line`), and the plan uses it only for a file that exists. A block that
looks like an edit but has no usable path (a SEARCH block or ``@@`` hunk with no path line,
a fence after a line naming a file that is no readable path) is a :class:`ParseProblem`:
never skipped while the rest is applied, never given to the file named before it.

:class:`EditParser` is fed chunks of any size and returns each :class:`FileEdit` as soon as
it is complete; the result never depends on how the text was cut. :func:`parse_edits` is
the same over a whole text.

Line endings: the answer's ``\\r`` before a line's ``\\n`` is dropped from every line the
edit locates by, but kept in a created file's text (``FileEdit.content``), so a new file
whose lines end in CRLF is written with CRLF.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from .diff import opcodes
from .failures import EditParseError, ParseProblem
from .hunks import Action, FileEdit, Hunk, Op, Syntax

# Every marker is recognised with string methods or with a regex that cannot backtrack
# (no two adjacent quantifiers that can match the same character): a model's answer is
# untrusted, and ``\s*(X)?\s*$`` on a marker followed by 50,000 spaces is quadratic.
_HUNK_HEAD = re.compile(r"-(\d+)(?:,(\d+))?")
_HUNK_NEW = re.compile(r"\+\d+(?:,(\d+))?")
_HUNK_NEW_START = re.compile(r"@@+\s*-\d+(?:,\d+)?\s+\+(\d+)")
# a timestamp (or an svn label) after a header's path and one space; each alternative starts
# with a fixed character, so the search is linear
_STAMP = re.compile(
    r" (?:\d{4}-\d\d-\d\d[ T]\d|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z][a-z] "
    r"|\((?:original|modified|revision \d+|working copy|nonexistent|new|deleted)\))"
)
_PATCH_KINDS = {"Update": "update", "Add": "create", "Delete": "delete"}
_EXT_HEADERS = (
    "index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index",
    "dissimilarity index", "rename from ", "rename to ", "copy from ", "copy to ",
)  # fmt: skip
# ``$`` for Java's nested classes (``$Gson$Types.java``)
_PATH = re.compile(
    r"^(?:[\w@+\-.$]+/)*[\w@+\-.$]*[\w@+\-$]\.[A-Za-z][\w\-]*$|^(?:[\w@+\-.$]+/)+[\w@+\-.$]+$"
)
_HEADING = re.compile(r"^#{1,6}\s+")
_BULLET = re.compile(r"^[-*]\s+")
_ROOT = re.compile(r"^(?:[A-Za-z]:)?/+")  # a drive or leading slashes, read past
_PATH_PREFIX = re.compile(r"^(?:file(?:name)?|path)\s*:\s*", re.IGNORECASE)
_DIFF_LANGS = {"diff", "patch", "udiff"}
_HUNK_OPS = ("+", "-", " ", "\\")
_MARKS = frozenset("`~d*<=>")  # the first character of every marker that is not indented


def _fence(line: str) -> tuple[str, str] | None:
    """``(marker, info)`` for a fence opening line (up to 3 spaces, 3+ backticks or tildes,
    an info string without backticks), else None."""
    rest = line.lstrip()
    if len(line) - len(rest) > 3 or not rest.startswith(("```", "~~~")):
        return None
    mark = rest[0]
    run = len(rest) - len(rest.lstrip(mark))
    info = rest[run:]
    if "`" in info:
        return None
    return rest[:run], info.strip()


def _marker(line: str, char: str, low: int, high: int) -> str | None:
    """The words after a run of ``low``..``high`` ``char`` that opens ``line``, else None."""
    s = line.rstrip()
    body = s.lstrip(char)
    if not low <= len(s) - len(body) <= high:
        return None
    return body.strip()


def _sr_start(line: str) -> bool:
    return _marker(line, "<", 5, 9) == "SEARCH"


def _sr_divider(line: str) -> bool:
    return _marker(line, "=", 7, 7) == ""


def _sr_end(line: str) -> bool:
    return _marker(line, ">", 5, 9) in ("", "REPLACE", "UPDATED")


def _diff_git(line: str) -> tuple[str, str] | None:
    """The two paths of a ``diff --git a/x b/y`` line (prefixes and quotes kept off)."""
    if not line.startswith("diff --git") or not line[10:11].isspace():
        return None
    rest = line[10:].strip()
    if rest.startswith('"'):
        end = rest.find('"', 1)
        if end < 0:
            return None
        old, new = rest[1:end], rest[end + 1 :].strip()
    else:
        # the old and new paths are usually the same: split where the halves agree
        cut = _split_paths(rest)
        if cut is None:
            return None
        old, new = rest[:cut].rstrip(), rest[cut:].lstrip()
    if new.startswith('"') and new.endswith('"') and len(new) >= 2:
        new = new[1:-1]
    old = old.removeprefix("a/")
    new = new.removeprefix("b/")
    return (old, new) if old and new else None


def _split_paths(rest: str) -> int | None:
    """Where ``a/x b/y`` splits: before `` b/`` if there is one, else at the first blank."""
    at = rest.find(" b/")
    if at > 0:
        return at + 1
    parts = rest.split(None, 1)
    if len(parts) < 2:
        return None
    return len(rest) - len(parts[1])


def _number(digits: str | None, default: int | None) -> int | None:
    """A header's number; None past 12 digits (no hunk is that long, and ``int`` of a 5,000
    digit string raises)."""
    if digits is None:
        return default
    return int(digits) if len(digits) <= 12 else None


def _hunk_head(line: str) -> tuple[int | None, tuple[int, int] | None, str]:
    """The old start line, the (old, new) line counts and the anchor text of a
    ``@@ -l,c +l,c @@ anchor`` line (counts None unless both sides are given)."""
    rest = line.lstrip("@").strip()
    start = None
    counts = None
    if m := _HUNK_HEAD.match(rest):
        start = _number(m.group(1), None)
        rest = rest[m.end() :].lstrip()
        if n := _HUNK_NEW.match(rest):
            old, new = _number(m.group(2), 1), _number(n.group(1), 1)
            counts = (old, new) if old is not None and new is not None else None
            rest = rest[n.end() :].lstrip()
        if rest.startswith("@@"):
            rest = rest.lstrip("@").lstrip()
    return start, counts, rest.strip()


def _new_start(line: str) -> int | None:
    """The ``+l`` start of a ``@@ -l,c +l,c @@`` line, or None."""
    m = _HUNK_NEW_START.match(line)
    return int(m.group(1)) if m else None


def _patch_file(line: str) -> tuple[Action, str] | None:
    if not line.startswith("*** "):
        return None
    kind, _, rest = line[4:].partition(" File:")
    action = _PATCH_KINDS.get(kind)
    path = rest.strip()
    return (action, path) if action and path else None  # type: ignore[return-value]


def _patch_move(line: str) -> str | None:
    if not line.startswith("*** Move to:"):
        return None
    return line[len("*** Move to:") :].strip() or None


def path_from_line(line: str) -> str | None:
    """The path a line names when it holds nothing but a (decorated) path, else None.

    Accepts ``src/a.py``, ``` `src/a.py` ```, ``**src/a.py**``, ``### src/a.py``,
    ``File: src/a.py``, ``src/a.py:`` and list items holding one of those. A name with
    spaces or brackets (``GSON 2.0 NOTES.txt``, ``app/[id]/page.tsx``) is read in backticks,
    after ``File:``/``Path:``, or when it starts with a directory without spaces
    (``gson/GSON 2.0 NOTES.txt``); otherwise it is prose as often as a name (``Usage in
    app.py``). Such a name may still be a command or prose, so the plan uses it only for a
    file that exists (:func:`loose_path`).
    """
    s = line.strip()
    if not s or len(s) > 300:
        return None
    named = False  # in backticks or after File:/Path:, where spaces can be part of a name
    for _ in range(4):
        before = s
        s = _HEADING.sub("", s)
        s = _BULLET.sub("", s)
        if prefix := _PATH_PREFIX.match(s):
            s, named = s[prefix.end() :], True
        s = s.rstrip(":").strip()
        for mark in ("**", "__", "`", "*", "'", '"'):
            if len(s) > 2 * len(mark) and s.startswith(mark) and s.endswith(mark):
                s = s[len(mark) : -len(mark)].strip()
                named = named or mark == "`"
        if s == before:
            break
    if s.startswith("./"):
        s = s[2:]
    if s.startswith("-"):
        return None
    # absolute and '..' paths are read too, so that confinement refuses them by name
    bare = _ROOT.sub("", s.replace("\\", "/"))
    if _PATH.match(bare) or ((named or _dir_first(bare)) and _loose_match(bare)):
        return s
    return None


def unreadable_name(line: str) -> str | None:
    """The text of a line that names a file in backticks or after ``File:`` (it has a ``/``
    or ends in an extension) but is no path :func:`path_from_line` reads (``docs/what's
    new.md``): a block after it has no usable path, and must not go to an earlier file."""
    s = re.sub(r"^(?:#{1,6}|[-*])\s+", "", line.strip())
    prefixed = _PATH_PREFIX.match(s)
    s = s[prefixed.end() :] if prefixed else s
    s = s.rstrip(":").strip()
    if len(s) > 2 and s[0] == s[-1] == "`" and "`" not in s[1:-1]:
        s = s[1:-1].strip()
    elif not prefixed:
        return None
    if not s or len(s) > 300 or path_from_line(line) is not None:
        return None
    stem, dot, ext = s.rpartition("/")[2].rpartition(".")
    return s if "/" in s or (stem and dot and _EXT.fullmatch(ext)) else None


def _dir_first(bare: str) -> bool:
    """A name that starts with a directory without spaces (``gson/GSON 2.0 NOTES.txt``): a
    path even undecorated, where ``Usage in src/app.py`` is a sentence."""
    first, slash, _rest = bare.partition("/")
    return bool(slash and first) and " " not in first


_LOOSE = str.maketrans({c: "_" for c in " ()[]{}"})


_EXT = re.compile(r"[A-Za-z][\w\-]*")


def _loose_match(bare: str) -> bool:
    """Whether ``bare`` is a file's path once spaces and brackets count as name characters:
    single spaces inside a part, never at its ends (``a /b.txt`` is not a name), no word
    that is an option (``-m``), and a plain extension (``obj.method()`` is code)."""
    parts = bare.split("/")
    if "`" in bare or "  " in bare or any(p != p.strip() for p in parts) or " -" in bare:
        return False
    stem, dot, ext = parts[-1].rpartition(".")
    if not (stem and dot and _EXT.fullmatch(ext)):
        return False
    return _PATH.match(bare.translate(_LOOSE)) is not None


def loose_path(path: str) -> bool:
    """Whether ``path`` is a name :func:`path_from_line` reads only in backticks or after
    ``File:`` (it holds a space or a bracket): the plan refuses a whole file or a
    SEARCH/REPLACE block for such a name when no file has it, since the backticks may
    hold a command (``python manage.py``) rather than a file to create."""
    bare = _ROOT.sub("", path.replace("\\", "/"))
    return _PATH.match(bare) is None


def _unquote(path: str) -> str:
    """The path of a ``---``/``+++`` header: what follows a tab, or a timestamp after a space
    (``a.c 2024-01-01 10:00:00 +0100``, ``a.c (original)``), is cut off; quotes dropped."""
    path = path.split("\t", 1)[0].strip()
    if len(path) >= 2 and path[0] == path[-1] == '"':
        return path[1:-1]
    if stamp := _STAMP.search(path):
        path = path[: stamp.start()].rstrip()
    return path


def _strip_prefix(old: str, new: str) -> tuple[str, str]:
    def strip(p: str, prefix: str) -> str:
        return p[len(prefix) :] if p.startswith(prefix) else p

    if old == "/dev/null" or new == "/dev/null":
        return strip(old, "a/"), strip(new, "b/")
    if old.startswith("a/") and new.startswith("b/"):
        return old[2:], new[2:]
    return old, new


def search_replace_ops(search: Iterable[str], replace: Iterable[str]) -> tuple[tuple[Op, str], ...]:
    """Hunk lines for a SEARCH/REPLACE pair: equal lines are context, the rest removed/added."""
    a, b = list(search), list(replace)
    ops: list[tuple[Op, str]] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            ops.extend((" ", x) for x in a[i1:i2])
        else:
            ops.extend(("-", x) for x in a[i1:i2])
            ops.extend(("+", x) for x in b[j1:j2])
    return tuple(ops)


class _Section:
    """A file being read from a unified diff or a ``*** Begin Patch`` block."""

    def __init__(self, path: str, action: Action, syntax: str, line: int) -> None:
        self.path = path
        self.action: Action = action
        self.syntax = syntax
        self.line = line
        self.move_to: str | None = None
        self.other: str | None = None  # the other header's path, when it names another file
        self.rename: tuple[str | None, str | None] | None = None  # evidence of a rename
        self.copy = False
        self.modes = False  # a mode change: a diff with no hunks that says something
        self.hunks: list[Hunk] = []
        self.ops: list[tuple[Op, str]] = []
        self.anchors: list[str] = []
        self.old_start: int | None = None
        self.new_start: int | None = None
        self.counts: tuple[int, int] | None = None
        self.left: list[int] | None = None  # old and new lines the @@ counts still expect
        self.at_eof = False
        self.no_newline = [False, False]  # the marker seen on the old, new side
        self.problem = ""
        self.blanks = 0
        self.created: list[str] = []  # a new file's lines, each with its own ending
        self.created_no_newline = False

    def start_hunk(
        self,
        old_start: int | None,
        counts: tuple[int, int] | None,
        anchor: str,
        new_start: int | None = None,
    ) -> None:
        self.close_hunk()
        self.old_start = old_start
        self.new_start, self.counts = new_start, counts
        self.left = list(counts) if counts is not None else None
        if anchor:
            self.anchors.append(anchor)

    def add(self, op: Op, text: str) -> None:
        if self.blanks:
            blanks, self.blanks = self.blanks, 0
            for _ in range(blanks):
                self.add(" ", "")
        eol = "\n"
        if text.endswith("\r"):
            text, eol = text[:-1], "\r\n"
        self.ops.append((op, text))
        if self.left is not None:
            self.left[0] -= op != "+"
            self.left[1] -= op != "-"
        if op != "-" and self.action == "create":
            self.created.append(text + eol)

    def add_context_run(self, run: Sequence[tuple[int, str]]) -> int | None:
        """``add(" ", …)`` for each numbered line of a bare run, in one loop: a line with a
        leading space loses it, a blank line without one waits in ``blanks`` (as it does
        line by line). Returns the number of the run's last non-blank line, if any."""
        ops, blanks, last = self.ops, self.blanks, None
        created = self.created if self.action == "create" else None
        added = 0
        for n, line in run:
            if line.strip():
                last = n
            elif line[:1] != " ":
                blanks += 1
                continue
            if blanks:
                ops.extend([(" ", "")] * blanks)
                if created is not None:
                    created.extend(["\n"] * blanks)
                added, blanks = added + blanks, 0
            text = line[1:] if line[:1] == " " else line
            eol = "\n"
            if text[-1:] == "\r":
                text, eol = text[:-1], "\r\n"
            ops.append((" ", text))
            if created is not None:
                created.append(text + eol)
            added += 1
        self.blanks = blanks
        if self.left is not None:
            self.left[0] -= added
            self.left[1] -= added
        return last

    def context_due(self) -> bool | None:
        """Whether the counts expect another context line (None: no counts, or they were
        already wrong: more lines were given than they say)."""
        if self.left is None or min(self.left) < 0:
            return None
        return min(self.left) > 0

    def mark_no_newline(self) -> None:
        """``\\ No newline at end of file`` after the last line read: on the old side after
        ``-``, on the new side after ``+``, on both after context."""
        if self.blanks:  # blank lines before the marker are the file's last lines
            self.add(" ", "")
        if not self.ops:
            return
        op = self.ops[-1][0]
        if op != "+":
            self.no_newline[0] = True
        if op != "-":
            self.no_newline[1] = True
            self.created_no_newline = True

    def close_hunk(self) -> None:
        # blank context lines that lost their space: kept when the counts say exactly that
        # many lines are still due on both sides (else they separate hunks)
        left = self.left
        if self.blanks and self.ops and self.context_due() and left and left[0] == left[1]:
            keep, self.blanks = min(left[0], self.blanks), 0
            if keep == left[0]:
                for _ in range(keep):
                    self.add(" ", "")
        self.blanks = 0
        if self.ops:
            old_nl, new_nl = self.no_newline
            at_eof = self.at_eof or old_nl or new_nl
            hunk = Hunk(tuple(self.ops), self.old_start, tuple(self.anchors), at_eof, old_nl,
                        new_nl, self.problem, new_start=self.new_start,
                        counts=self.counts)  # fmt: skip
            self.hunks.append(hunk)
            self.anchors = []
            self.at_eof = False
        self.ops = []
        self.old_start = None
        self.new_start = self.counts = None
        self.left = None
        self.no_newline = [False, False]
        self.problem = ""

    def names(self) -> tuple[str, str | None, str | None]:
        """The path, the rename target and the other header name, from what the diff said."""
        path, move_to, other = self.path, self.move_to, self.other
        if self.action == "update" and self.rename is not None:
            path = self.rename[0] or path
            move_to = self.rename[1] or other or move_to
        if move_to == path:
            move_to = None
        if move_to or self.action != "update" or other == path:
            other = None
        return path, move_to, other

    def finish(self) -> FileEdit:
        self.close_hunk()
        content = None
        hunks = tuple(self.hunks)
        if self.action == "create":
            created = self.created
            if created and self.created_no_newline:
                created[-1] = created[-1].removesuffix("\n").removesuffix("\r")
            content = "".join(created)
            hunks = ()
        elif self.action == "delete":
            hunks = ()
        syntax: Syntax = "patch" if self.syntax == "patch" else "udiff"
        path, move_to, other = self.names()
        return FileEdit(path, self.action, syntax, hunks, content, move_to, self.line, other)


class EditParser:
    """An incremental parser: ``feed()`` chunks, get back each edit as soon as it is whole.

    >>> p = EditParser()
    >>> edits = p.feed(first_chunk) + p.feed(second_chunk) + p.close()

    ``problems`` lists what could not be read (a block without a path, an answer cut off in
    the middle of a block); they do not stop the parser.
    """

    def __init__(self) -> None:
        self._buf: list[str] = []  # the unfinished last line, in pieces (joined once)
        # where _whole_or_fence stopped for more lines: line, k, seen, first, path, marker
        self._scan: tuple[int, int, int, str | None, str, str] | None = None
        self._q: deque[tuple[int, str]] = deque()
        self._lineno = 0
        self._closed = False
        self._out: list[FileEdit] = []
        self.problems: list[ParseProblem] = []
        self._refused = False
        self._state = "text"
        self._fence: str | None = None
        self._path: str | None = None
        self._path_line = -1
        self._unread: tuple[int, str] | None = None  # a line naming a file, not readable
        self._last_nonblank = -1
        self._section: _Section | None = None
        self._bare: tuple[int, int, str, int] | None = None  # a bare run: lines, verdict, last
        self._scan_bare: tuple[int, int, int] | None = None  # where that look-ahead stopped
        self._sr_path = ""
        self._sr_line = 0
        self._search: list[str] = []
        self._replace: list[str] = []
        self._whole: list[str] = []
        self._whole_path = ""
        self._whole_line = 0

    # -- feeding -------------------------------------------------------------------------

    def feed(self, chunk: str) -> list[FileEdit]:
        """Add text; return the edits completed by it (possibly none)."""
        if self._closed:
            raise ValueError("feed() after close()")
        if "\n" not in chunk:  # a long line fed in small chunks stays linear
            if chunk:
                self._buf.append(chunk)
            return []
        self._buf.append(chunk)
        text = "".join(self._buf)
        complete = text.split("\n")
        rest = complete.pop()
        self._buf = [rest] if rest else []
        self._queue(text, complete)
        self._drain(final=False)
        return self._take()

    def _queue(self, text: str, lines: list[str]) -> None:
        """Queue complete lines, numbered. The one place the answer's text is checked: a
        NUL byte refuses the answer from that line on (an edit would turn a text file
        binary), as a problem with its line."""
        first = self._lineno + 1
        if "\x00" in text and not self._refused:
            k = next(i for i, line in enumerate(lines) if "\x00" in line)
            self._refused = True
            column = lines[k].index("\x00") + 1
            self._problem(first + k, f"a NUL byte (column {column}): an edit must be text; "
                                     "nothing from here on is used")  # fmt: skip
        # a line's "\r" stays: markers are read stripped, and the section, SEARCH/REPLACE and
        # whole-file readers drop it from what they locate by (a created file keeps it)
        self._lineno += len(lines)
        self._q.extend(zip(range(first, self._lineno + 1), lines, strict=True))

    def close(self) -> list[FileEdit]:
        """Flush the rest of the text; return the last edits. Records cut-off blocks."""
        if not self._closed:
            self._closed = True
            if self._buf:
                last = "".join(self._buf)
                self._queue(last, [last])
                self._buf = []
            self._drain(final=True)
            self._end_of_text()
        return self._take()

    def _take(self) -> list[FileEdit]:
        out, self._out = self._out, []
        return [] if self._refused else out

    def _peek(self, k: int) -> str | None:
        return self._q[k][1] if k < len(self._q) else None

    def _ahead(self, k: int) -> Iterator[str]:
        """The queued lines from the ``k``-th on, for a look-ahead. Indexing a deque walks
        to the index from the nearer end, so reading a million queued lines by index is
        quadratic (1 MB of blank lines after a fence took 7 s); this walks from the nearer
        end once (a resumed look-ahead reads only the lines queued since it stopped)."""
        q = self._q
        if k <= len(q) - k:
            return (line for _n, line in islice(q, k, None))
        return reversed([line for _n, line in islice(reversed(q), len(q) - k)])

    def _drain(self, *, final: bool) -> None:
        while self._q:
            if not self._step(final):
                return

    def _problem(self, line: int, message: str) -> None:
        self.problems.append(ParseProblem(line, message))

    # -- the state machine ---------------------------------------------------------------

    def _step(self, final: bool) -> bool:
        """Handle the line at the head of the queue. False: more lines are needed first."""
        state = self._state
        if state == "text":
            return self._text(final)
        if state in ("diff", "hunk"):
            return self._diff(final)
        if state == "patch":
            self._patch()
            return True
        if state in ("search", "replace"):
            self._search_replace()
            return True
        if state == "whole":
            self._whole_block()
            return True
        raise AssertionError(state)  # pragma: no cover

    def _pop(self) -> tuple[int, str]:
        n, line = self._q.popleft()
        if line.strip():
            self._last_nonblank = n
        return n, line

    def _is_fence_close(self, line: str) -> bool:
        if self._fence is None:
            return False
        s = line.strip()
        return len(s) >= len(self._fence) and set(s) == {self._fence[0]}

    def _text(self, final: bool) -> bool:
        n, line = self._q[0]
        if self._scan is not None and self._scan[0] == n:  # a fence's look-ahead resumes
            return self._whole_or_fence(final, n, self._scan[5], self._scan[4])
        if self._is_fence_close(line):
            self._fence = None
            self._pop()
            return True
        fence = _fence(line) if self._fence is None else None
        if fence:
            return self._open_fence(final, n, fence[0], fence[1])
        if _sr_start(line):
            self._pop()
            if self._path is None:
                self._problem(n, "a SEARCH block with no file path before it")
            self._sr_path, self._sr_line = self._path or "", n
            self._search, self._replace = [], []
            self._state = "search"
            return True
        if line.strip() == "*** Begin Patch":
            self._pop()
            self._state = "patch"
            self._section = None
            return True
        if paths := _diff_git(line):
            self._pop()
            old, new = _strip_prefix(*paths)
            self._section = _Section(old, "update", "udiff", n)
            if old != new:
                self._section.other = new  # a rename only if the extended headers say so
            self._state = "diff"
            return True
        if line.startswith("--- "):
            nxt = self._peek(1)
            if nxt is None and not final:
                return False
            if nxt is not None and nxt.startswith("+++ "):
                self._pop()
                self._pop()
                self._file_header(n, line[4:], nxt[4:], None)
                self._state = "diff"
                return True
        if line.startswith("@@"):
            if self._path is None:
                self._pop()
                self._problem(n, "a diff hunk with no file path before it")
                return True
            self._section = _Section(self._path, "update", "udiff", n)
            self._state = "diff"
            return True
        self._pop()
        if path := path_from_line(line):
            self._path, self._path_line = path, n
        elif name := unreadable_name(line):
            # a block after it is not the previous file's: no path, so it is a problem
            self._path, self._unread = None, (n, name)
        return True

    def _open_fence(self, final: bool, n: int, marker: str, info: str) -> bool:
        path = None
        words = info.replace(":", " ").split()
        if words and words[0].lower() not in _DIFF_LANGS:
            for word in reversed(words):
                if (path := path_from_line(word)) and ("/" in word or "." in word):
                    break
                path = None
        if path is None and self._path_line == self._last_nonblank and self._path_line > 0:
            path = self._path
        diff_fence = bool(words) and words[0].lower() in _DIFF_LANGS
        if (
            path is None
            and not diff_fence
            and self._unread
            and self._unread[0] == self._last_nonblank
        ):
            self._problem(n, f"the block after line {self._unread[0]} was not used: "
                             f"{self._unread[1]!r} looks like a file name but cannot be read "
                             "as a path; put the file's path alone on the line before the "
                             "block")  # fmt: skip
        if path is None or diff_fence:
            self._pop()
            self._fence = marker
            return True
        return self._whole_or_fence(final, n, marker, path)

    def _whole_or_fence(self, final: bool, n: int, marker: str, path: str) -> bool:
        """A fence right after a path: a whole file, unless it holds edit markers. The look
        ahead resumes where it stopped when it needed more lines (blank runs stay linear)."""
        k, seen, first = 1, 0, None
        if self._scan is not None and self._scan[0] == n:
            _n, k, seen, first, _path, _marker = self._scan
        self._scan = None
        for line in self._ahead(k):
            k += 1
            s = line.strip()
            if not s:
                continue
            if seen == 0:
                first = s
                if (
                    _sr_start(s)
                    or s.startswith(("diff --git", "--- ", "@@", "*** Begin Patch"))
                    or s == marker
                ):
                    break
                if path_from_line(s) is None:
                    first = None
                    break
                seen = 1
                continue
            if not _sr_start(s):
                first = None
            break
        else:
            if not final:
                self._scan = (n, k, seen, first, path, marker)
                return False
        self._pop()
        self._fence = marker
        if first is None:
            self._state = "whole"
            self._whole, self._whole_path, self._whole_line = [], path, n
        return True

    def _file_header(self, n: int, minus: str, plus: str, section: _Section | None) -> None:
        old, new = _strip_prefix(_unquote(minus), _unquote(plus))
        sec = section or _Section(new, "update", "udiff", n)
        if old == "/dev/null":
            sec.path, sec.action, sec.move_to, sec.other = new, "create", None, None
        elif new == "/dev/null":
            sec.path, sec.action, sec.move_to, sec.other = old, "delete", None, None
        else:
            sec.path, sec.other = old, (new if new != old else None)
        self._section = sec

    def _end_section(self) -> None:
        sec, self._section = self._section, None
        if sec is None:
            return
        edit = sec.finish()
        if sec.copy:
            self._problem(sec.line, f"a copy of {edit.path} ('copy from'/'copy to') cannot be "
                                    "applied; send the new file as a whole")  # fmt: skip
        elif edit.action != "update" or edit.hunks or edit.move_to:
            self._out.append(edit)
        elif not sec.modes:  # a mode change alone is not applied, as before
            what = "no hunks (no @@ lines)" if sec.syntax == "udiff" else "no changed lines"
            self._problem(sec.line, f"the edit of {edit.path} has {what}, so it changes "
                                    "nothing; send the lines to change")  # fmt: skip

    def _diff(self, final: bool) -> bool:
        sec = self._section
        assert sec is not None
        n, line = self._q[0]
        if line.startswith("@@"):
            self._pop()
            start, counts, anchor = _hunk_head(line)
            anchor = "" if set(anchor) <= {"@", ".", " "} else anchor
            sec.start_hunk(start, counts, anchor, _new_start(line))
            self._state = "hunk"
            self._bare = None
            return True
        if self._state == "diff":
            if line.startswith(_EXT_HEADERS):
                self._pop()
                if line.startswith("new file mode"):
                    sec.action = "create"
                elif line.startswith("deleted file mode"):
                    sec.action = "delete"
                elif line.startswith(("rename from ", "rename to ")):
                    old, new = sec.rename or (None, None)
                    name = line.split(" ", 2)[2].strip()
                    sec.rename = (name, new) if line.startswith("rename from") else (old, name)
                elif line.startswith("similarity index"):
                    sec.rename = sec.rename or (None, None)
                elif line.startswith("copy "):
                    sec.copy = True
                elif line.startswith(("old mode", "new mode")):
                    sec.modes = True
                return True
            if line.startswith("--- "):
                nxt = self._peek(1)
                if nxt is None and not final:
                    return False
                if nxt is not None and nxt.startswith("+++ ") and not sec.hunks:
                    self._pop()
                    self._pop()
                    self._file_header(n, line[4:], nxt[4:], sec)
                    return True
            if line.startswith("Binary files"):
                self._pop()
                self._problem(n, f"binary diff for {sec.path} cannot be applied")
                self._section = None
                self._state = "text"
                return True
            self._end_section()
            self._state = "text"
            return True
        # inside a hunk
        if line[:1] in ("+", " ") and self._hunk_run(sec):
            return True
        if self._is_fence_close(line) or line.startswith(("diff --git", "*** ")):
            self._end_section()
            self._state = "text"
            return True
        if line.startswith("--- "):
            nxt = self._peek(1)
            after = self._peek(2)
            if (nxt is None or (nxt.startswith("+++ ") and after is None)) and not final:
                return False
            if nxt is not None and nxt.startswith("+++ "):
                header = (after or "").startswith("@@") or line[4:].startswith(("a/", "/dev/null"))
                if header:
                    self._end_section()
                    self._state = "text"
                    return True
        if line[:1] in (" ", "-", "+"):
            self._pop()
            sec.add(line[0], line[1:])  # type: ignore[arg-type]
            return True
        if line.startswith("\\"):
            self._pop()
            sec.mark_no_newline()
            return True
        if not line.strip():
            self._pop()
            sec.blanks += 1
            return True
        return self._bare_line(final, sec)

    def _bare_line(self, final: bool, sec: _Section) -> bool:
        """A line inside a hunk with no ``+``/``-``/space: a context line that lost its space,
        or prose. What follows the run of bare (and blank) lines decides:

        - a hunk line: the hunk goes on, so the line is context; unless the ``@@`` counts
          say the hunk was complete (then it is prose and ends the diff), or that it cannot
          be context while lines are still due (then the hunk fails whole, ``Hunk.problem``,
          rather than be applied in part);
        - the next ``@@`` of the same diff: context when the counts say context is still
          due, else prose between hunks, left out (a context line left out of a hunk's end
          only narrows where it can go; prose read as context would fail it); but a path
          line right before the ``@@`` names the next file, as outside a diff;
        - anything else (a header, a fence, prose, the end): the diff ends before the line,
          unless the counts say exactly these lines (and the blank ones before them) are due
          on both sides: then they are the hunk's last context lines.

        The look-ahead resumes where it stopped, and a run of bare lines is scanned once, so
        the parser stays linear."""
        n, line = self._q[0]
        verdict = self._goes_on(final)
        if verdict is None:
            return False
        due = sec.context_due()
        if verdict == "hunk" and due is False:
            if sec.left == [0, 0]:
                verdict = "end"  # the counts say the hunk is complete: trust them
            elif not sec.problem:
                sec.problem = (f"line {n} ({line.strip()[:60]!r}) has no leading space or "
                               "+/-, and the @@ counts say it is not a context line, yet "
                               "hunk lines follow it; cannot tell where the hunk ends")  # fmt: skip
        if verdict == "end" and due and self._bare is not None and sec.left is not None:
            needed = sec.blanks + self._bare[3] - n + 1
            if sec.left[0] == sec.left[1] == needed:
                verdict = "hunk"
        if verdict == "end":
            self._end_section()
            self._state = "text"
            return True
        self._pop()
        if verdict == "hunk" or due:
            sec.add(" ", line)
        if verdict == "hunk" and due is None and self._bare is not None:
            self._take_run(sec, self._bare[1])
        return True

    def _take_run(self, sec: _Section, end: int) -> None:
        """The rest of a bare run already read as context, in one call (a hunk of 500k bare
        lines took 0.5 s in per-line ``add`` calls alone): each line as ``_diff`` would
        take it, without its checks."""
        q, run = self._q, []
        while q and q[0][0] <= end:
            run.append(q.popleft())
        last = sec.add_context_run(run)
        if last is not None:
            self._last_nonblank = last

    def _goes_on(self, final: bool) -> str | None:
        """What follows the bare line at the head of the queue, past blank and other bare
        lines: ``hunk`` (a hunk line), ``next`` (a ``@@`` line) or ``end`` (None: not known
        until more lines come)."""
        head = self._q[0][0]
        if self._bare is not None and self._bare[0] <= head <= self._bare[1]:
            return self._bare[2]
        k, last = 1, head
        if self._scan_bare is not None and self._scan_bare[0] == head:
            _head, k, last = self._scan_bare
        self._scan_bare = None
        verdict: str | None
        for nxt in self._ahead(k):
            c = nxt[:1]
            if not (c in _HUNK_OPS or (c == "@" and nxt[1:2] == "@")
                    or (c in _MARKS and self._is_marker(nxt))):  # fmt: skip
                if nxt.strip():  # a bare line (or a blank one)
                    last = head + k
                k += 1
                continue
            if not nxt.strip():
                k += 1
                continue
            if nxt.startswith("@@"):
                # a path line right before it starts another file's hunks, as in ``_text``
                named = last > head and path_from_line(self._q[last - head][1]) is not None
                verdict = "end" if named or path_from_line(self._q[0][1]) else "next"
                break
            goes_on = self._hunk_line(k, final)
            if goes_on is None:
                self._scan_bare = (head, k, last)
                return None
            verdict = "hunk" if goes_on else "end"
            break
        else:
            if not final:
                self._scan_bare = (head, k, last)
                return None
            verdict = "end"
        self._bare = (head, head + k - 1, verdict, last)
        return verdict

    def _is_marker(self, line: str) -> bool:
        """A line that ends a run of bare lines: a fence, a diff or patch header, a block."""
        return (
            self._is_fence_close(line)
            or _fence(line) is not None
            or line.startswith(("diff --git", "*** "))
            or _sr_start(line)
            or _sr_divider(line)
            or _sr_end(line)
        )

    def _hunk_line(self, k: int, final: bool) -> bool | None:
        """Whether the queued line ``k`` (not bare) goes on with the hunk."""
        line = self._q[k][1]
        # only what ends a hunk in ``_diff`` (an indented fence is a context line)
        if line[:1] not in _HUNK_OPS or self._is_fence_close(line):
            return False
        if line.startswith("--- "):
            nxt = self._peek(k + 1)
            if nxt is None and not final:
                return None
            return not (nxt or "").startswith("+++ ")
        return True

    def _patch(self) -> None:
        n, line = self._pop()
        sec = self._section
        s = line.strip()
        if s == "*** End Patch" or self._is_fence_close(line):
            self._end_section()
            self._state = "text"
            if s != "*** End Patch":
                self._fence = None
            return
        if found := _patch_file(line):
            self._end_section()
            self._section = _Section(found[1], found[0], "patch", n)
            return
        if sec is None:
            if s and s != "*** Begin Patch":
                self._problem(n, "text inside *** Begin Patch before any *** ... File: line")
            return
        if move := _patch_move(line):
            sec.move_to = move
            return
        if s == "*** End of File":
            if sec.blanks:  # blank lines right before it are the file's last lines
                sec.add(" ", "")
            sec.at_eof = True
            sec.close_hunk()
            return
        if line.startswith("\\ "):  # \ No newline at end of file, as in unified diffs
            sec.mark_no_newline()
            return
        if sec.action == "create":
            sec.add("+", line[1:] if line.startswith("+") else line)
            return
        if line.startswith("@@"):
            anchor = line[2:].strip().strip("@").strip()
            if sec.ops:
                sec.close_hunk()
            if anchor:
                sec.anchors.append(anchor)
            return
        if line[:1] in ("-", "+"):
            sec.add(line[0], line[1:])  # type: ignore[arg-type]
        elif line.startswith(" "):
            sec.add(" ", line[1:])
        elif not s:
            sec.blanks += 1
        else:  # a context line whose leading space the model forgot
            sec.add(" ", line)

    def _hunk_run(self, sec: _Section) -> bool:
        """Take a run of added and context lines in one loop (no marker can start one)."""
        q = self._q
        mark = self._fence[0] if self._fence else None
        taken = False
        while len(q) > 1:
            n, line = q[0]
            if line[:1] not in ("+", " ") or (mark is not None and mark in line):
                break
            q.popleft()
            if not line.isspace():
                self._last_nonblank = n
            sec.add(line[0], line[1:])  # type: ignore[arg-type]
            taken = True
        return taken

    def _search_replace(self) -> None:
        q = self._q
        body = self._search if self._state == "search" else self._replace
        while len(q) > 1 and q[0][1][:1] not in ("<", "=", ">"):  # plain lines, one loop
            n, line = q.popleft()
            if line and not line.isspace():
                self._last_nonblank = n
            body.append(line)
        n, line = self._pop()
        if self._state == "search":
            if _sr_end(line):
                self._state = "text"
                self._problem(n, "a SEARCH block with no ======= line before its end")
                return
            if _sr_divider(line):
                self._state = "replace"
            else:
                self._search.append(line)
            return
        if _sr_end(line):
            self._state = "text"
            if self._sr_path:
                search = [x.removesuffix("\r") for x in self._search]
                replace = [x.removesuffix("\r") for x in self._replace]
                ops = search_replace_ops(search, replace)
                hunk = Hunk(ops, diffed=True)
                edit = FileEdit(self._sr_path, "update", "search-replace", (hunk,), None, None,
                                self._sr_line)  # fmt: skip
                self._out.append(edit)
            return
        self._replace.append(line)

    def _whole_block(self) -> None:
        q, body = self._q, self._whole
        mark = self._fence[0] if self._fence else "`"
        taken, last = 0, self._last_nonblank
        for n, line in islice(q, len(q) - 1):  # the file's lines, in one loop
            if mark in line:
                break
            body.append(line)
            if line and not line.isspace():
                last = n
            taken += 1
        for _ in range(taken):
            q.popleft()
        self._last_nonblank = last
        _n, line = self._pop()
        if self._is_fence_close(line):
            self._fence = None
            self._state = "text"
            # each line keeps the answer's "\r": a new file is written as the answer wrote it
            content = "\n".join(self._whole) + "\n" if self._whole else ""
            edit = FileEdit(self._whole_path, "replace", "whole", (), content, None,
                            self._whole_line)  # fmt: skip
            self._out.append(edit)
            return
        self._whole.append(line)

    def _end_of_text(self) -> None:
        if self._state in ("diff", "hunk"):
            self._end_section()
        elif self._state == "patch":
            self._end_section()
            self._problem(self._lineno, "*** Begin Patch without *** End Patch (answer cut off?)")
        elif self._state in ("search", "replace"):
            self._problem(self._sr_line, "SEARCH/REPLACE block not finished (answer cut off?)")
        elif self._state == "whole":
            self._problem(self._whole_line, f"the block for {self._whole_path} is not closed")
        self._state = "text"


def decode_patch(data: bytes, source: str) -> str:
    """A patch file's bytes as text: strict UTF-8 (a BOM dropped), never U+FFFD.

    Raises :class:`EditParseError` naming ``source``, the line and the byte offset of the
    first byte that is not UTF-8. NUL bytes are refused by the parser itself.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (f"{source} is not UTF-8 text: byte {exc.start} (0x{data[exc.start]:02x}) "
                   "cannot be decoded; save the patch as UTF-8")  # fmt: skip
        raise EditParseError([ParseProblem(line, message)]) from None


def parse_edits(text: str, *, strict: bool = True) -> list[FileEdit]:
    """Every edit in ``text``, in order. Same result as feeding :class:`EditParser` by chunks.

    With ``strict`` (the default) a problem (a block cut off, a block with no path) raises
    :class:`EditParseError`; otherwise problems are dropped and what was read is returned.
    """
    parser = EditParser()
    edits = parser.feed(text) + parser.close()
    if strict and parser.problems:
        raise EditParseError(parser.problems)
    return edits
