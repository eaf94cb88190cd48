"""The model's explanation: the prose of an answer, with its edit blocks taken out.

Review shows it beside the diff. What is an edit block is read line by line as the parser
reads formats (see ``assistant.edits.parse``), but only to drop it, so a guess is cheap: a
fenced block (and a line naming its file just before it), a SEARCH/REPLACE block, a
``*** Begin Patch`` block, and an unfenced diff (from ``diff --git``, ``---``/``+++`` or
``@@`` to the first line that is no diff line). What is left, split into paragraphs, is the
prose. Pure: text in, text out; the text is the model's, escaped by whoever shows it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_DIFF_LINE = (" ", "+", "-", "@@", "\\", "index ", "diff --git", "new file mode",
              "deleted file mode", "similarity index", "rename from", "rename to",
              "old mode", "new mode")  # fmt: skip


@dataclass(frozen=True)
class Paragraph:
    """A run of prose lines: 1-based ``first`` and ``last`` line of the answer, and its
    ``section``: the paragraphs between two edit blocks share one (they read as one text: a
    sentence ending in a colon and the list under it)."""

    first: int
    last: int
    text: str
    section: int = 0


def _fence(line: str) -> str | None:
    s = line.lstrip()
    if len(line) - len(s) > 3:
        return None
    for mark in ("```", "~~~"):
        if s.startswith(mark):
            return mark
    return None


def _names_a_file(line: str) -> bool:
    """A line that is only a path (``app.py``, ```src/x.rs```, ``**a/b.go**``): the name of
    the block under it, part of the edit."""
    s = line.strip().strip("`*:")
    return bool(s) and " " not in s and ("." in s or "/" in s) and len(s) < 200


def _diff_start(lines: Sequence[str], i: int) -> bool:
    line = lines[i]
    if line.startswith(("diff --git ", "@@")):
        return True
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return line.startswith("--- ") and nxt.startswith("+++ ")


def prose_lines(answer: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of every prose line of ``answer`` (1-based)."""
    lines = answer.splitlines()
    out: list[tuple[int, str]] = []
    i, n = 0, len(lines)
    while i < n:
        line = lines[i]
        mark = _fence(line)
        stripped = line.strip()
        if mark is not None:
            if out and out[-1][0] == i and _names_a_file(out[-1][1]):
                out.pop()  # the file the block is of
            i += 1
            while i < n and not (_fence(lines[i]) == mark and lines[i].strip() == mark):
                i += 1
            i += 1
            continue
        if stripped.startswith("<<<<<<< SEARCH"):
            if out and out[-1][0] == i and _names_a_file(out[-1][1]):
                out.pop()
            while i < n and not lines[i].strip().startswith(">>>>>>> REPLACE"):
                i += 1
            i += 1
            continue
        if stripped == "*** Begin Patch":
            while i < n and lines[i].strip() != "*** End Patch":
                i += 1
            i += 1
            continue
        if _diff_start(lines, i):
            i += 1
            while i < n and (lines[i].startswith(_DIFF_LINE) or _diff_start(lines, i)
                             or lines[i].startswith(("--- ", "+++ "))):  # fmt: skip
                i += 1
            continue
        out.append((i + 1, line))
        i += 1
    return out


def paragraphs(answer: str) -> list[Paragraph]:
    """The prose of ``answer`` in paragraphs (split at blank lines and at edit blocks)."""
    found: list[Paragraph] = []
    run: list[tuple[int, str]] = []
    section, previous = 0, 0

    def close() -> None:
        if run:
            text = "\n".join(line for _, line in run).strip()
            if text:
                found.append(Paragraph(run[0][0], run[-1][0], text, section))
            run.clear()

    for number, line in prose_lines(answer):
        if number != previous + 1:  # an edit block was taken out: a new section
            close()
            section += 1
        previous = number
        if not line.strip():
            close()
        else:
            run.append((number, line))
    close()
    return found


def explanation(answer: str, near: Iterable[int] = ()) -> str:
    """The prose of ``answer``, the section (the paragraphs between two edit blocks, in
    their order) of the paragraph nearest one of the lines ``near`` (where a file's edits
    start) first: the last one before it, else the first one after; the other sections
    follow in the answer's order. A paragraph is never taken out of its section: a list
    stays under the sentence that introduces it. Empty when the answer has no prose."""
    found = paragraphs(answer)
    if not found:
        return ""
    starts = sorted(near)
    first: Paragraph | None = None
    for start in starts:
        before = [p for p in found if p.last < start]
        after = [p for p in found if p.first > start]
        first = before[-1] if before else after[0] if after else None
        if first is not None:
            break
    lead = first.section if first is not None else found[0].section
    ordered = [p for p in found if p.section == lead]
    ordered += [p for p in found if p.section != lead]
    return "\n\n".join(p.text for p in ordered)
