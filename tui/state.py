"""What the Review screen works on: a thin typed adapter over ``assistant.review.Review``.

The screen decides (accept, reject, edit); the library's review core turns decisions into
writes, the same core as ``tome apply``: every apply is bound to the blob shas read when the
review opened, and a file changed since is merged three ways against the text read then (or
refused). Applying twice is fine: the second apply writes the hunks accepted since, merged
over the first. ``undo`` reverts the last apply byte for byte. With a session, applies, undos
and commits go through the ``Assistant`` so the history records them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.edits import (
    Changeset,
    FileReview,
    Hunk,
    HunkState,
    Located,
    PlannedHunk,
    locate,
    split_lines,
)
from assistant.errors import EditError, ReviewError
from assistant.review import HunkKey, Review

if TYPE_CHECKING:  # the session (and the packer behind it) loads when a session is opened
    from assistant import Assistant, Result


def counts(file: FileReview) -> tuple[int, int]:
    """Lines added and removed by a file's hunks that located (one diff per hunk, cached
    in the library)."""
    return file.added, file.removed


def tolerated(file: FileReview) -> int:
    """How many of the file's hunks were placed by a tolerance (the screen marks them ``~``)."""
    return sum(1 for h in file.hunks if h.tolerated and h.failure is None)


def file_status(file: FileReview) -> str:
    """One word for a file in the list: conflict, failed, pending, mixed (some hunks
    accepted, some rejected, none undecided), applied, accepted, rejected."""
    states = {h.state for h in file.hunks}
    if file.failure is not None or (states and states <= {HunkState.FAILED}):
        return "failed"
    if HunkState.CONFLICT in states:
        return "conflict"
    if HunkState.PENDING in states:
        return "pending"
    if {HunkState.ACCEPTED, HunkState.REJECTED} <= states:
        return "mixed"
    if HunkState.ACCEPTED in states:
        return "accepted"
    if HunkState.APPLIED in states:
        return "applied"
    if HunkState.REJECTED in states:
        return "rejected"
    return "accepted" if file.rename_accepted else "pending"


def decide_undecided(file: FileReview, *, accept: bool) -> tuple[int, int]:
    """Accept (or reject) the file's pending hunks; a hunk already decided keeps its
    decision (a rejection keeps its reason). How many were decided now, and how many kept."""
    now = kept = 0
    for h in file.hunks:
        if h.state == HunkState.PENDING:
            h.state = HunkState.ACCEPTED if accept else HunkState.REJECTED
            now += 1
        elif h.state in (HunkState.ACCEPTED, HunkState.REJECTED, HunkState.CONFLICT):
            kept += 1
    if file.move_to and (accept or not file.accepted()):
        file.rename_accepted = accept
    return now, kept


def decide_all_undecided(files: Sequence[FileReview], *, accept: bool) -> tuple[int, int, int]:
    """:func:`decide_undecided` over every file that can be applied: how many hunks were
    decided now, in how many files, and how many already decided were kept."""
    now = kept = touched = 0
    for f in files:
        if f.failure is not None:
            continue
        n, k = decide_undecided(f, accept=accept)
        now, kept, touched = now + n, kept + k, touched + (n > 0)
    return now, touched, kept


def edit_hunk(file: FileReview, index: int, new_lines: Sequence[str]) -> None:
    """Replace what hunk ``index`` of ``file`` writes (after the user edited it)."""
    review = file.hunk(index)
    if review.failure is not None:
        raise ReviewError(f"{file.path} hunk {index} failed to locate; there is nothing to edit")
    hunks = []
    for planned in file.plan.hunks:
        if planned.index == index and planned.located is not None:
            located = dataclasses.replace(planned.located, lines=tuple(new_lines))
            planned = dataclasses.replace(planned, located=located)
        hunks.append(planned)
    file.plan = dataclasses.replace(file.plan, hunks=tuple(hunks))
    review.new_lines = tuple(new_lines)


def hunk_as_diff(file: FileReview, index: int) -> str:
    """A hunk as the model wrote it, one ``' '``/``-``/``+`` line each, to edit by hand."""
    planned = next(p for p in file.plan.hunks if p.index == index)
    return "".join(f"{op}{text}\n" for op, text in planned.hunk.lines)


def read_hunk_diff(text: str) -> Hunk:
    """The hunk a person typed as a diff: ``' '``/``-``/``+`` lines (an empty line is an
    empty context line, ``#`` lines are comments, as in ``git add -p``'s editor)."""
    ops: list[tuple[str, str]] = []
    for line in text.split("\n"):
        if line.startswith("#"):
            continue
        op = line[:1] if line[:1] in (" ", "-", "+") else " "
        ops.append((op, line[1:] if line[:1] in (" ", "-", "+") else line))
    while ops and ops[-1] == (" ", ""):
        ops.pop()  # the editor's trailing newline
    return Hunk(tuple(ops))  # type: ignore[arg-type]


def relocate_hunk(file: FileReview, index: int, text: str) -> str | None:
    """Place failed hunk ``index`` of ``file`` again from ``text`` (a diff the user edited),
    through the same matcher as every hunk; placed, it becomes an undecided hunk. None when
    it placed, else why not (nothing changes). Nothing is written: apply writes."""
    review = file.hunk(index)
    if review.failure is None or file.failure is not None or file.plan.original is None:
        return f"hunk {index} is not a failed hunk of an existing file"
    hunk = read_hunk_diff(text)
    if not hunk.before:
        return "the hunk has no context or removed lines to place it by"
    lines, _ = split_lines(file.plan.original)
    found = locate(lines, hunk)
    if not isinstance(found, Located):
        return found.detail
    for other in file.plan.hunks:
        o = other.located
        if other.index != index and o is not None and o.start < max(found.end, found.start + 1) \
                and found.start < max(o.end, o.start + 1):  # fmt: skip
            return f"it would overlap hunk {other.index} (lines {o.start + 1}-{o.end})"
    hunks = tuple(
        PlannedHunk(p.index, hunk, found, None) if p.index == index else p for p in file.plan.hunks
    )
    file.plan = dataclasses.replace(file.plan, hunks=hunks)
    review.old_start = found.start + 1
    review.old_lines = tuple(lines[found.start : found.end])
    review.new_lines = found.lines
    review.failure = None
    review.tolerated = found.tolerances
    review.state = HunkState.PENDING
    return None


@dataclass
class ReviewState:
    """A review on screen: the library's :class:`~assistant.review.Review`, its title, the
    reasons given for rejections, and the session when it is a model's answer."""

    review: Review
    title: str
    session: Assistant | None = None
    """The assistant whose answer this is (applies, undos and commits go through it)."""
    result: Result | None = None
    reasons: dict[HunkKey, str] = field(default_factory=dict)
    """Why the user rejected a hunk, to send back to the model."""
    text: str = ""
    """The patch's own text (for a patch; a session's is its answer): see :attr:`answer`."""

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def from_patch(cls, root: Path, text: str, *, title: str = "patch") -> ReviewState:
        """Parse ``text`` (any supported edit format) and locate it in the tree at ``root``."""
        review = Review.from_patch(root, text)
        review.require_edits()  # not a patch: the error 'tome apply' gives, no empty review
        return cls(review, title, text=text)

    @classmethod
    def for_result(cls, assistant: Assistant, result: Result) -> ReviewState:
        """A session's answer: applies, undos and commits go through the session."""
        review = assistant.review(result)
        if result.truncated:
            review.problems.append("the answer is incomplete (cut off or cancelled)")
        title = result.task.strip().splitlines()[0] if result.task.strip() else "session"
        return cls(review, title, session=assistant, result=result)

    @property
    def answer(self) -> str:
        """The text the edits came from: the model's answer, or the patch (prose and all)."""
        return self.result.answer if self.result is not None else self.text

    # -- deciding ---------------------------------------------------------------------------

    @property
    def root(self) -> Path:
        return self.review.root

    @property
    def changeset(self) -> Changeset:
        return self.review.changeset

    @property
    def problems(self) -> list[str]:
        """Parts of the patch that could not be read."""
        return self.review.problems

    @property
    def files(self) -> list[FileReview]:
        return self.changeset.files

    def count(self, state: HunkState) -> int:
        return sum(1 for f in self.files for h in f.hunks if h.state == state)

    def set_reason(self, path: str, index: int, reason: str) -> None:
        self.changeset.reject(path, index)
        if reason.strip():
            self.reasons[(path, index)] = reason.strip()

    def split(self, path: str, index: int, *, lines: bool = False) -> int:
        """Split hunk ``index`` of ``path`` (:meth:`FileReview.split`): at its context gaps,
        or into single lines. The hunks after it are renumbered, and so are the reasons
        and the applies that name them. A session's answer records the split in its
        history, so a reload splits it again. How many hunks it became."""
        f = self.changeset[path]
        before = len(f.hunks)
        if self.session is not None and self.result is not None:
            pieces = self.session.sessions.split(self.result, path, index, lines=lines)
        else:
            pieces = f.split(index, lines=lines)
        shift = len(f.hunks) - before

        def moved(i: int) -> int:
            return i + shift if i > index else i

        reasons: dict[HunkKey, str] = {}
        for (p, i), why in self.reasons.items():
            if p == path and i == index:
                reasons.update({(p, index + k): why for k in range(pieces)})
            else:
                reasons[(p, moved(i) if p == path else i)] = why
        self.reasons = reasons
        for batch in self.review.batches:
            batch[:] = [(p, moved(i) if p == path else i) for p, i in batch]
        return pieces

    def rejected_with_reasons(self) -> dict[str, str]:
        """``{"path#hunk": reason}`` for every rejected hunk (reason may be empty)."""
        out: dict[str, str] = {}
        for f in self.files:
            for h in f.hunks:
                if h.state == HunkState.REJECTED:
                    out[f"{f.path}#{h.index}"] = self.reasons.get((f.path, h.index), "")
        return out

    def save(self) -> None:
        """Record every hunk's state in the session's store (nothing for a patch)."""
        if self.session is not None and self.result is not None:
            self.session.save(self.result)

    # -- writing ----------------------------------------------------------------------------

    def changes(self) -> tuple[dict[str, str | None], list[HunkKey]]:
        """The texts to write for the hunks accepted since the last apply, and those hunks."""
        return self.review.changes()

    def apply(self) -> list[str]:
        """Write the accepted hunks (all or nothing); they become ``applied``. The paths
        written. With a session, the session applies (and records it in the store)."""
        if self.session is not None and self.result is not None:
            _, keys = self.review.changes()
            record = self.session.apply(self.result)
            self.review.batches.append(keys)
            return sorted(record.paths)
        done = self.review.apply()
        return sorted({*done.written, *done.created, *done.deleted})

    def undo(self) -> list[str]:
        """Revert the last apply made from this review; the paths restored (empty: nothing)."""
        if not self.review.batches:
            return []
        if self.session is not None and self.result is not None:
            undone = self.session.undo(self.result.session_id)
            self.review.forget_last()
            return sorted({*undone.restored, *undone.removed})
        done = self.review.undo()
        return [] if done is None else sorted({*done.restored, *done.removed})

    def applied_paths(self) -> list[str]:
        return self.review.applied_paths()

    def commit(self, message: str | None = None) -> str:
        """Commit only the applied paths; returns the commit sha."""
        paths = self.applied_paths()
        if not paths:
            raise EditError("nothing applied yet: apply with Enter before committing")
        if self.session is not None and self.result is not None:
            return self.session.commit(self.result, paths)
        return self.review.commit(message or f"tome: {self.title}", paths)
