"""Read edits out of a model's answer, in every format models emit, as the answer streams.

Formats are detected line by line and may be mixed in one answer, between prose and code
fences:

- unified diffs, with or without ``diff --git`` and ``---``/``+++`` lines (the path then comes
  from a path line before the hunks), with any ``@@`` header: right or wrong line numbers and
  counts, or a bare ``@@ ... @@``. Counts are never trusted: a hunk ends where its lines end.
- SEARCH/REPLACE blocks (``<<<<<<< SEARCH`` / ``=======`` / ``>>>>>>> REPLACE``), the path
  on a line before the block, before or inside the fence, possibly in backticks or bold.
- ``*** Begin Patch`` ... ``*** End Patch`` with ``*** Update File:``, ``*** Add File:``,
  ``*** Delete File:``, ``*** Move to:``, ``@@ anchor`` lines and ``*** End of File``.
- whole-file blocks: a line holding only a path, then a fenced block with the full file.

:class:`EditParser` is fed chunks of any size and returns each :class:`FileEdit` as soon as
it is complete; the result never depends on how the text was cut. :func:`parse_edits` is
the same over a whole text.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable

from .diff import LineMatcher
from .failures import EditParseError, ParseProblem
from .hunks import Action, FileEdit, Hunk, Op, Syntax

# Every marker is recognised with string methods or with a regex that cannot backtrack
# (no two adjacent quantifiers that can match the same character): a model's answer is
# untrusted, and ``\s*(X)?\s*$`` on a marker followed by 50,000 spaces is quadratic.
_HUNK_HEAD = re.compile(r"-(\d+)(?:,\d+)?")
_HUNK_NEW = re.compile(r"\+\d+(?:,\d+)?")
_PATCH_KINDS = {"Update": "update", "Add": "create", "Delete": "delete"}
_EXT_HEADERS = (
    "index ", "new file mode", "deleted file mode", "old mode", "new mode", "similarity index",
    "dissimilarity index", "rename from ", "rename to ", "copy from ", "copy to ",
)  # fmt: skip
_PATH = re.compile(
    r"^(?:[\w@+\-.]+/)*[\w@+\-.]*[\w@+\-]\.[A-Za-z][\w\-]*$|^(?:[\w@+\-.]+/)+[\w@+\-.]+$"
)
_PATH_PREFIX = re.compile(r"^(?:file(?:name)?|path)\s*:\s*", re.IGNORECASE)
_DIFF_LANGS = {"diff", "patch", "udiff"}


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


def _hunk_head(line: str) -> tuple[int | None, str]:
    """The old start line and the anchor text of a ``@@ -l,c +l,c @@ anchor`` line."""
    rest = line.lstrip("@").strip()
    start = None
    if m := _HUNK_HEAD.match(rest):
        start = int(m.group(1))
        rest = rest[m.end() :].lstrip()
        if n := _HUNK_NEW.match(rest):
            rest = rest[n.end() :].lstrip()
        if rest.startswith("@@"):
            rest = rest.lstrip("@").lstrip()
    return start, rest.strip()


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
    ``File: src/a.py``, ``src/a.py:`` and list items holding one of those.
    """
    s = line.strip()
    if not s or len(s) > 300:
        return None
    for _ in range(4):
        before = s
        s = re.sub(r"^#{1,6}\s+", "", s)
        s = re.sub(r"^[-*]\s+", "", s)
        s = _PATH_PREFIX.sub("", s)
        s = s.rstrip(":").strip()
        for mark in ("**", "__", "`", "*", "'", '"'):
            if len(s) > 2 * len(mark) and s.startswith(mark) and s.endswith(mark):
                s = s[len(mark) : -len(mark)].strip()
        if s == before:
            break
    if s.startswith("./"):
        s = s[2:]
    # absolute and '..' paths are read too, so that confinement refuses them by name
    bare = re.sub(r"^(?:[A-Za-z]:)?/+", "", s.replace("\\", "/"))
    if not _PATH.match(bare) or s.startswith("-"):
        return None
    return s


def _unquote(path: str) -> str:
    path = path.split("\t", 1)[0].strip()
    if len(path) >= 2 and path[0] == path[-1] == '"':
        path = path[1:-1]
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
    sm = LineMatcher(a, b)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
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
        self.hunks: list[Hunk] = []
        self.ops: list[tuple[Op, str]] = []
        self.anchors: list[str] = []
        self.old_start: int | None = None
        self.at_eof = False
        self.blanks = 0
        self.no_newline_after = False
        self.added: list[str] = []

    def start_hunk(self, old_start: int | None, anchor: str) -> None:
        self.close_hunk()
        self.old_start = old_start
        if anchor:
            self.anchors.append(anchor)

    def add(self, op: Op, text: str) -> None:
        if self.blanks:
            self.ops.extend([(" ", "")] * self.blanks)
            self.blanks = 0
        self.ops.append((op, text))

    def close_hunk(self) -> None:
        self.blanks = 0
        if self.ops:
            self.hunks.append(
                Hunk(tuple(self.ops), self.old_start, tuple(self.anchors), self.at_eof)
            )
            self.anchors = []
            self.at_eof = False
        self.ops = []
        self.old_start = None

    def finish(self) -> FileEdit:
        self.close_hunk()
        content = None
        hunks = tuple(self.hunks)
        if self.action == "create":
            lines = self.added or [t for h in hunks for op, t in h.lines if op != "-"]
            content = "\n".join(lines) + ("" if self.no_newline_after or not lines else "\n")
            hunks = ()
        elif self.action == "delete":
            hunks = ()
        syntax: Syntax = "patch" if self.syntax == "patch" else "udiff"
        return FileEdit(self.path, self.action, syntax, hunks, content, self.move_to, self.line)


class EditParser:
    """An incremental parser: ``feed()`` chunks, get back each edit as soon as it is whole.

    >>> p = EditParser()
    >>> edits = p.feed(first_chunk) + p.feed(second_chunk) + p.close()

    ``problems`` lists what could not be read (a block without a path, an answer cut off in
    the middle of a block); they do not stop the parser.
    """

    def __init__(self) -> None:
        self._buf: list[str] = []  # the unfinished last line, in pieces (joined once)
        self._scan: tuple[int, int, int, str | None, str] | None = None  # _whole_or_fence
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
        self._last_nonblank = -1
        self._section: _Section | None = None
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
        if "\r" in text:
            lines = [line.removesuffix("\r") for line in lines]
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
            self._section = _Section(new, "update", "udiff", n)
            if old != new:
                self._section.move_to, self._section.path = new, old
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
        return True

    def _open_fence(self, final: bool, n: int, marker: str, info: str) -> bool:
        if self._scan is not None and self._scan[0] == n:
            return self._whole_or_fence(final, n, marker, self._scan[4])
        path = None
        words = info.replace(":", " ").split()
        if words and words[0].lower() not in _DIFF_LANGS:
            for word in reversed(words):
                if (path := path_from_line(word)) and ("/" in word or "." in word):
                    break
                path = None
        if path is None and self._path_line == self._last_nonblank and self._path_line > 0:
            path = self._path
        if path is None or (words and words[0].lower() in _DIFF_LANGS):
            self._pop()
            self._fence = marker
            return True
        return self._whole_or_fence(final, n, marker, path)

    def _whole_or_fence(self, final: bool, n: int, marker: str, path: str) -> bool:
        """A fence right after a path: a whole file, unless it holds edit markers. The look
        ahead resumes where it stopped when it needed more lines (blank runs stay linear)."""
        k, seen, first = 1, 0, None
        if self._scan is not None and self._scan[0] == n:
            _n, k, seen, first, _path = self._scan
        self._scan = None
        while True:
            nxt = self._peek(k)
            if nxt is None:
                if not final:
                    self._scan = (n, k, seen, first, path)
                    return False
                break
            k += 1
            if not nxt.strip():
                continue
            s = nxt.strip()
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
            sec.path, sec.action, sec.move_to = new, "create", None
        elif new == "/dev/null":
            sec.path, sec.action, sec.move_to = old, "delete", None
        else:
            sec.path = old
            sec.move_to = new if new != old else sec.move_to
        self._section = sec

    def _end_section(self) -> None:
        if self._section is not None:
            edit = self._section.finish()
            self._section = None
            if edit.action != "update" or edit.hunks or edit.move_to:
                self._out.append(edit)

    def _diff(self, final: bool) -> bool:
        sec = self._section
        assert sec is not None
        n, line = self._q[0]
        if line.startswith("@@"):
            self._pop()
            start, anchor = _hunk_head(line)
            anchor = "" if set(anchor) <= {"@", ".", " "} else anchor
            sec.start_hunk(start, anchor)
            self._state = "hunk"
            return True
        if self._state == "diff":
            if line.startswith(_EXT_HEADERS):
                self._pop()
                if line.startswith("new file mode"):
                    sec.action = "create"
                elif line.startswith("deleted file mode"):
                    sec.action = "delete"
                elif line.startswith("rename to "):
                    sec.move_to = line[len("rename to ") :].strip()
                elif line.startswith("rename from "):
                    sec.path = line[len("rename from ") :].strip()
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
            if sec.ops and sec.ops[-1][0] == "+":
                sec.no_newline_after = True
            return True
        if not line.strip():
            self._pop()
            sec.blanks += 1
            return True
        self._end_section()
        self._state = "text"
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
            sec.at_eof = True
            sec.close_hunk()
            return
        if sec.action == "create":
            sec.added.append(line[1:] if line.startswith("+") else line)
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
                ops = search_replace_ops(self._search, self._replace)
                hunk = Hunk(ops)
                edit = FileEdit(self._sr_path, "update", "search-replace", (hunk,), None, None,
                                self._sr_line)  # fmt: skip
                self._out.append(edit)
            return
        self._replace.append(line)

    def _whole_block(self) -> None:
        q, body = self._q, self._whole
        mark = self._fence[0] if self._fence else "`"
        while len(q) > 1 and mark not in q[0][1]:  # the file's lines, in one loop
            n, line = q.popleft()
            body.append(line)
            if line and not line.isspace():
                self._last_nonblank = n
        _n, line = self._pop()
        if self._is_fence_close(line):
            self._fence = None
            self._state = "text"
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
