"""Review state for a proposed edit: per file, per hunk, what the user decided.

A :class:`Changeset` is built from the files and the model's answer. Every hunk is located
up front; a hunk that cannot be located is ``failed`` and shows why. The user (or the TUI)
accepts or rejects hunks or whole files; :meth:`Changeset.result` is the new text of each
file from the accepted hunks only. Accept-all gives the proposal, reject-all changes nothing.

    cs = Changeset.from_text(files, answer)
    for f in cs:                       # FileReview, in answer order
        for h in f.hunks:              # HunkReview
            print(h.state, f.hunk_diff(h.index))
    cs.reject("a.py", 2)
    cs.accept_all()                    # pending hunks only; rejected ones stay rejected
    new_texts = cs.result()            # {path: text | None}

A hunk placed by a tolerance rather than an exact match names it in
:attr:`HunkReview.tolerated` (from ``Located.tolerances``), for the reviewer.

States: ``pending`` → ``accepted``/``rejected`` by the user; ``failed`` when not located;
``applied`` and ``conflict`` are set by whoever writes the result (:meth:`mark_applied`,
:meth:`mark_conflict`).
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from ..errors import ReviewError
from .apply import FilePlan, PlannedHunk, Text, plan_edits
from .diff import LineMatcher
from .failures import HunkFailure
from .hunks import FileEdit
from .match import Located
from .parse import parse_edits


class HunkState(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    APPLIED = "applied"
    FAILED = "failed"
    CONFLICT = "conflict"


@dataclass
class HunkReview:
    """One hunk under review: where it goes (or why it cannot), and the decision."""

    index: int
    """1-based, among the file's hunks."""
    old_start: int
    """1-based first line of the region it replaces (0 when not located)."""
    old_lines: tuple[str, ...]
    """The file's lines it replaces (the file's own text, not the model's copy)."""
    new_lines: tuple[str, ...]
    state: HunkState
    failure: HunkFailure | None = None
    tolerated: tuple[str, ...] = ()
    """What was tolerated to place it, in a reviewer's words (``trailing whitespace
    ignored``; empty when it matched the file exactly, or failed): shown, never parsed,
    so a reviewer knows which hunks to read closely."""

    @property
    def added(self) -> int:
        return _counts(self.old_lines, self.new_lines)[0]

    @property
    def removed(self) -> int:
        return _counts(self.old_lines, self.new_lines)[1]


@lru_cache(maxsize=65536)  # the review screen asks for every file's counts on each redraw
def _counts(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    added = removed = 0
    sm = LineMatcher(old, new)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


@dataclass
class FileReview:
    """One file's proposed change: its hunks and the file-level operation."""

    plan: FilePlan
    hunks: list[HunkReview] = field(default_factory=list)
    rename_accepted: bool = False
    """For a rename: whether the move itself was accepted (accepting the file accepts it)."""

    @property
    def path(self) -> str:
        return self.plan.path

    @property
    def move_to(self) -> str | None:
        return self.plan.move_to

    @property
    def action(self) -> str:
        """``update``, ``create`` or ``delete`` (a rename is an update with ``move_to``)."""
        return self.plan.action

    @property
    def failure(self) -> HunkFailure | None:
        """A failure of the whole file (missing, exists, mixed), if any."""
        return self.plan.failure

    @property
    def failures(self) -> list[HunkFailure]:
        return self.plan.failures

    @property
    def added(self) -> int:
        return sum(h.added for h in self.hunks if h.state != HunkState.FAILED)

    @property
    def removed(self) -> int:
        return sum(h.removed for h in self.hunks if h.state != HunkState.FAILED)

    def hunk(self, index: int) -> HunkReview:
        for h in self.hunks:
            if h.index == index:
                return h
        raise ReviewError(f"{self.path} has no hunk {index} (it has {len(self.hunks)})")

    def _decide(self, state: HunkState, index: int | None) -> None:
        if index is not None:
            h = self.hunk(index)
            if h.state in (HunkState.FAILED, HunkState.APPLIED):
                raise ReviewError(f"{self.path} hunk {index} is {h.state}; it cannot be {state}")
            h.state = state
            return
        for h in self.hunks:
            if h.state not in (HunkState.FAILED, HunkState.APPLIED):
                h.state = state
        self.rename_accepted = state == HunkState.ACCEPTED

    def accept(self, index: int | None = None) -> None:
        """Accept one hunk, or every hunk of the file that has not failed."""
        self._decide(HunkState.ACCEPTED, index)

    def reject(self, index: int | None = None) -> None:
        """Reject one hunk, or every hunk of the file."""
        self._decide(HunkState.REJECTED, index)

    def accepted(self) -> list[int]:
        return [h.index for h in self.hunks if h.state == HunkState.ACCEPTED]

    @property
    def renames(self) -> bool:
        """Whether the accepted part renames the file (the move, or any hunk, was accepted)."""
        return bool(self.move_to) and (self.rename_accepted or bool(self.accepted()))

    @property
    def changes(self) -> bool:
        """Whether the accepted part of this file changes anything."""
        return bool(self.accepted()) or self.renames

    def result(self) -> str | None:
        """The file's text from its accepted hunks (None: deleted)."""
        if self.plan.action == "delete" and not self.accepted():
            return self.plan.original
        return self.plan.result(self.accepted())

    def split(self, index: int, *, lines: bool = False) -> int:
        """Split hunk ``index`` in place, as ``git add -p`` does with ``s``: at every run of
        unchanged lines between two changes, or (``lines``) into one hunk per changed line,
        so that each can be accepted alone. How many hunks it became (1: nothing to split).

        The pieces cover the hunk's region exactly, each replacing its own lines, so the
        accepted ones splice as the whole would have, less the rest; the hunks after it
        are renumbered. A failed, applied or created-file hunk is refused."""
        review = self.hunk(index)
        if review.state not in (HunkState.PENDING, HunkState.ACCEPTED, HunkState.REJECTED):
            raise ReviewError(f"{self.path} hunk {index} is {review.state}; it cannot be split")
        if self.plan.original is None or self.action != "update":
            raise ReviewError(f"{self.path} is not an update of a file; there is no hunk to split")
        planned = next(p for p in self.plan.hunks if p.index == index)
        loc = planned.located
        if loc is None:  # a failed hunk: refused above; kept for the type checker
            raise ReviewError(f"{self.path} hunk {index} failed; it cannot be split")
        pieces = split_region(review.old_lines, review.new_lines, lines=lines)
        if len(pieces) < 2:
            return 1
        shift = len(pieces) - 1
        last = len(pieces) - 1
        plans: list[PlannedHunk] = []
        reviews: list[HunkReview] = []
        for p, h in zip(self.plan.hunks, self.hunks, strict=True):
            if p.index < index:
                plans.append(p)
                reviews.append(h)
            elif p.index > index:
                plans.append(dataclasses.replace(p, index=p.index + shift))
                h.index += shift
                reviews.append(h)
                continue
            else:
                quiet = dataclasses.replace(p.hunk, old_no_newline=False, new_no_newline=False)
                for k, (offset, old, new) in enumerate(pieces):
                    start = loc.start + offset
                    piece = Located(start, start + len(old), new, loc.level, loc.tolerances)
                    plans.append(PlannedHunk(index + k, p.hunk if k == last else quiet,
                                             piece, None))  # fmt: skip
                    reviews.append(HunkReview(index + k, start + 1, old, new, review.state,
                                              tolerated=review.tolerated))  # fmt: skip
        self.plan = dataclasses.replace(self.plan, hunks=tuple(plans))
        self.hunks = reviews
        return len(pieces)

    def hunk_diff(self, index: int, *, context: int = 3) -> str:
        """A unified-diff hunk for one hunk, with the file's real lines around it."""
        h = self.hunk(index)
        if h.failure is not None:
            return h.failure.describe()
        lines = Text.of(self.plan.original or "").lines
        start = h.old_start - 1 if h.old_start else 0
        end = start + len(h.old_lines)
        mine = (h.old_start, h.index)
        located = [o for o in self.hunks if o.failure is None and o is not h]
        before = [o for o in located if (o.old_start, o.index) < mine]
        after = [o for o in located if (o.old_start, o.index) > mine]
        # context stops at a neighbour's lines (the parts of a split hunk touch): never
        # another hunk's removed lines shown as this one's context
        floor = max((o.old_start - 1 + len(o.old_lines) for o in before), default=0)
        ceiling = min((o.old_start - 1 for o in after), default=len(lines))
        pre = lines[max(0, start - context, min(floor, start)) : start]
        post = lines[end : max(end, min(end + context, ceiling))]
        shift = sum(len(o.new_lines) - len(o.old_lines) for o in before)
        old_n = len(pre) + len(h.old_lines) + len(post)
        new_n = len(pre) + len(h.new_lines) + len(post)
        first = start - len(pre)  # 0-based index of the hunk's first line, old side
        out = [f"@@ -{_side(first, old_n)} +{_side(first + shift, new_n)} @@"]
        out.extend(" " + x for x in pre)
        sm = LineMatcher(h.old_lines, h.new_lines)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                out.extend(" " + x for x in h.old_lines[i1:i2])
            else:
                out.extend("-" + x for x in h.old_lines[i1:i2])
                out.extend("+" + x for x in h.new_lines[j1:j2])
        out.extend(" " + x for x in post)
        return "\n".join(out) + "\n"

    def diff(self) -> str:
        """The unified diff of the accepted result against the original."""
        old = (self.plan.original or "").splitlines(keepends=True)
        new_text = self.result() if self.changes else self.plan.original
        new = (new_text or "").splitlines(keepends=True)
        a = "/dev/null" if self.plan.original is None else f"a/{self.path}"
        target = self.move_to if self.move_to and self.renames else self.path
        b = "/dev/null" if new_text is None else f"b/{target}"
        return "".join(_terminated(difflib.unified_diff(old, new, a, b)))


Piece = tuple[int, tuple[str, ...], tuple[str, ...]]
"""Part of a hunk: the offset of its first line in the hunk's region, the region's lines it
replaces, and what it writes in their place."""


def split_region(old: Sequence[str], new: Sequence[str], *, lines: bool = False) -> list[Piece]:
    """Cut the change ``old`` -> ``new`` into pieces that cover ``old`` end to end.

    A piece starts at each change that follows unchanged lines (``lines``: at every changed
    line); unchanged lines go with the piece before them (the first piece takes the leading
    ones). Splicing every piece gives ``new``; leaving a piece out keeps its lines as they
    were, so accepting some pieces is accepting exactly their lines."""
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in LineMatcher(tuple(old), tuple(new)).get_opcodes():
        if tag == "equal":
            ops.extend(("=", x) for x in old[i1:i2])
        else:
            ops.extend(("-", x) for x in old[i1:i2])
            ops.extend(("+", x) for x in new[j1:j2])
    groups: list[list[tuple[str, str]]] = []
    changed = False  # whether the current group holds a change yet
    after_same = False  # whether an unchanged line came since the last change
    for op in ops:
        if op[0] != "=" and changed and (lines or after_same):
            groups.append([])
            after_same = False
        if not groups:
            groups.append([])
        groups[-1].append(op)
        if op[0] == "=":
            after_same = changed
        else:
            changed = True
    pieces: list[Piece] = []
    offset = 0
    for group in groups:
        before = tuple(x for o, x in group if o != "+")
        after = tuple(x for o, x in group if o != "-")
        pieces.append((offset, before, after))
        offset += len(before)
    return pieces


def _terminated(lines: Iterator[str]) -> Iterator[str]:
    """difflib's lines, each ending in a newline: a last line without one is followed by
    git's ``\\ No newline at end of file`` (joined as they were, it ran into the next line)."""
    for line in lines:
        if line.endswith("\n"):
            yield line
        else:
            yield line + "\n\\ No newline at end of file\n"


def _side(first: int, count: int) -> str:
    """One side of a ``@@`` header as git writes it: ``l,c`` with ``l`` the 1-based first
    line, or, for an empty side (a new file, a pure insertion), the line *after which* the
    lines go (``-0,0`` before the first line), never the 0-based index."""
    return f"{first + 1 if count else first},{count}"


class Changeset:
    """Every file an answer changes, with per-hunk review state."""

    def __init__(self, plans: Sequence[FilePlan]) -> None:
        self.files: list[FileReview] = []
        for plan in plans:
            review = FileReview(plan)
            base = Text.of(plan.original or "").lines
            for ph in plan.hunks:
                if ph.located is None:
                    review.hunks.append(HunkReview(ph.index, 0, (), (), HunkState.FAILED,
                                                   ph.failure))  # fmt: skip
                    continue
                loc = ph.located
                old = tuple(base[loc.start : loc.end])
                review.hunks.append(
                    HunkReview(ph.index, loc.start + 1, old, loc.lines, HunkState.PENDING,
                               tolerated=loc.tolerances)
                )  # fmt: skip
            self.files.append(review)

    @classmethod
    def from_text(cls, files: Mapping[str, str], edit_text: str) -> Changeset:
        """Parse ``edit_text`` (any format) and locate it in ``files`` ({path: text})."""
        return cls(plan_edits(files, parse_edits(edit_text)))

    @classmethod
    def from_edits(cls, files: Mapping[str, str], edits: Sequence[FileEdit]) -> Changeset:
        return cls(plan_edits(files, edits))

    def __iter__(self) -> Iterator[FileReview]:
        return iter(self.files)

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, path: str) -> FileReview:
        for f in self.files:
            if f.path == path:
                return f
        raise ReviewError(f"no file {path!r} in this changeset")

    @property
    def failures(self) -> list[HunkFailure]:
        return [x for f in self.files for x in f.failures]

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.files)

    @property
    def pending(self) -> int:
        return sum(1 for f in self.files for h in f.hunks if h.state == HunkState.PENDING)

    def accept(self, path: str, hunk: int | None = None) -> None:
        self[path].accept(hunk)

    def reject(self, path: str, hunk: int | None = None) -> None:
        self[path].reject(hunk)

    def accept_all(self) -> None:
        """Accept every pending hunk (rejected and failed ones stay as they are)."""
        for f in self.files:
            for h in f.hunks:
                if h.state == HunkState.PENDING:
                    h.state = HunkState.ACCEPTED
            if f.failure is None:
                f.rename_accepted = True

    def reject_all(self) -> None:
        for f in self.files:
            f.reject()

    def result(self) -> dict[str, str | None]:
        """New text per path from accepted hunks only (None: deleted); unchanged paths left out."""
        out: dict[str, str | None] = {}
        for f in self.files:
            if f.failure is None and f.changes:
                out.update(f.plan.texts(f.accepted()))
        return out

    def mark_applied(self) -> None:
        """Record that the accepted hunks were written."""
        for f in self.files:
            for h in f.hunks:
                if h.state == HunkState.ACCEPTED:
                    h.state = HunkState.APPLIED

    def mark_conflict(self, path: str) -> None:
        """Record that ``path`` could not be written (changed on disk since it was packed)."""
        for h in self[path].hunks:
            if h.state in (HunkState.ACCEPTED, HunkState.PENDING):
                h.state = HunkState.CONFLICT
