"""What the Review screen works on: a changeset, the tree it applies to, and what was applied.

The screen decides (accept, reject, edit); this object turns decisions into writes through
``assistant.worktree`` with the same safety as ``tome apply``: every apply is bound to the
blob shas read when the review opened, and a file changed since is merged three ways against
the text read then (or refused). Applying twice is fine: the second apply writes the hunks
accepted since, merged over the first. ``undo`` reverts the last apply byte for byte.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant import repo, worktree
from assistant.edits import Changeset, EditParser, FileConflict, FileReview, HunkState, plan_edits
from assistant.edits.diff import LineMatcher

HunkKey = tuple[str, int]
Committer = Callable[[Path, Sequence[str], str], str]
"""``(root, paths, message) -> commit sha``: commits only ``paths``."""


@lru_cache(maxsize=65536)
def _hunk_counts(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[int, int]:
    added = removed = 0
    sm = LineMatcher(old, new)  # bounded: a hunk of repeated lines is not cubic
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed


def counts(file: FileReview) -> tuple[int, int]:
    """Lines added and removed by a file's hunks that located (one diff per hunk, cached)."""
    added = removed = 0
    for h in file.hunks:
        if h.state != HunkState.FAILED:
            a, r = _hunk_counts(h.old_lines, h.new_lines)
            added += a
            removed += r
    return added, removed


def tolerated(file: FileReview) -> int:
    """How many of the file's hunks were placed by a tolerance (the screen marks them ``~``)."""
    return sum(1 for h in file.hunks if h.tolerated and h.failure is None)


def file_status(file: FileReview) -> str:
    """One word for a file in the list: conflict, failed, pending, applied, accepted, rejected."""
    states = {h.state for h in file.hunks}
    if file.failure is not None or (states and states <= {HunkState.FAILED}):
        return "failed"
    if HunkState.CONFLICT in states:
        return "conflict"
    if HunkState.PENDING in states:
        return "pending"
    if HunkState.ACCEPTED in states:
        return "accepted"
    if HunkState.APPLIED in states:
        return "applied"
    if HunkState.REJECTED in states:
        return "rejected"
    return "accepted" if file.rename_accepted else "pending"


def edit_hunk(file: FileReview, index: int, new_lines: Sequence[str]) -> None:
    """Replace what hunk ``index`` of ``file`` writes (after the user edited it)."""
    review = file.hunk(index)
    if review.failure is not None:
        raise ValueError(f"{file.path} hunk {index} failed to locate; there is nothing to edit")
    hunks = []
    for planned in file.plan.hunks:
        if planned.index == index and planned.located is not None:
            located = dataclasses.replace(planned.located, lines=tuple(new_lines))
            planned = dataclasses.replace(planned, located=located)
        hunks.append(planned)
    file.plan = dataclasses.replace(file.plan, hunks=tuple(hunks))
    review.new_lines = tuple(new_lines)


@dataclass
class ReviewState:
    """A changeset under review against the working tree at ``root``."""

    root: Path
    changeset: Changeset
    title: str
    base: dict[str, str | None]
    """Blob sha of every touched path when the review opened (None: it did not exist)."""
    originals: dict[str, str]
    """The text of every touched path when the review opened (the merge base)."""
    session: Any = None
    """The ``assistant.Assistant`` and ``Result`` pair when reviewing a model's answer."""
    result: Any = None
    committer: Committer | None = field(default=None, repr=False)
    reasons: dict[HunkKey, str] = field(default_factory=dict)
    """Why the user rejected a hunk, to send back to the model."""
    batches: list[list[HunkKey]] = field(default_factory=list)
    """Hunks written by each apply, last one last (what ``undo`` reverts)."""
    problems: list[str] = field(default_factory=list)
    """Parts of the patch that could not be read."""

    # -- opening ----------------------------------------------------------------------------

    @classmethod
    def from_patch(cls, root: Path, text: str, *, title: str = "patch") -> ReviewState:
        """Parse ``text`` (any supported edit format) and locate it in the tree at ``root``."""
        root = Path(root).resolve()
        parser = EditParser()
        edits = parser.feed(text) + parser.close()
        paths = sorted({p for e in edits for p in e.paths})
        base, originals = _read_tree(root, paths)
        state = cls(root, Changeset(plan_edits(originals, edits)), title, base, originals)
        state.problems = [f"line {p.line}: {p.message}" for p in parser.problems]
        if not edits:
            state.problems.append("no edit found in the patch")
        return state

    @classmethod
    def for_result(cls, assistant: Any, result: Any) -> ReviewState:
        """A session's answer: applies, undos and commits go through the session."""
        state = cls(
            Path(assistant.root),
            result.changeset,
            result.task.strip().splitlines()[0] if result.task.strip() else "session",
            dict(result.bases),
            dict(result.originals),
            session=assistant,
            result=result,
        )
        state.problems = list(result.problems)
        if result.truncated:
            state.problems.append("the answer is incomplete (cut off or cancelled)")
        return state

    # -- deciding ---------------------------------------------------------------------------

    @property
    def files(self) -> list[FileReview]:
        return self.changeset.files

    def count(self, state: HunkState) -> int:
        return sum(1 for f in self.files for h in f.hunks if h.state == state)

    def set_reason(self, path: str, index: int, reason: str) -> None:
        self.changeset.reject(path, index)
        if reason.strip():
            self.reasons[(path, index)] = reason.strip()

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
        if self.session is not None:
            self.session.save(self.result)

    # -- writing ----------------------------------------------------------------------------

    def changes(self) -> tuple[dict[str, str | None], list[HunkKey]]:
        """The texts to write for the hunks accepted since the last apply, and those hunks.

        A file's new text holds its earlier applied hunks too: written over the first apply,
        the three-way merge against the opening text keeps both.
        """
        out: dict[str, str | None] = {}
        keys: list[HunkKey] = []
        for f in self.files:
            if f.failure is not None:
                continue
            fresh = [h.index for h in f.hunks if h.state == HunkState.ACCEPTED]
            done = [h.index for h in f.hunks if h.state == HunkState.APPLIED]
            hunkless = not f.hunks and f.rename_accepted and not self._applied(f.path, 0)
            if not fresh and not hunkless:
                continue
            keys.extend((f.path, i) for i in fresh or [0])
            if f.action == "delete":
                out[f.path] = None
                continue
            text = f.plan.result(sorted(fresh + done))
            if f.move_to and f.move_to != f.path:
                out[f.path] = None
                out[f.move_to] = text
            elif text != f.plan.original:
                out[f.path] = text
        return out, keys

    def _applied(self, path: str, index: int) -> bool:
        return any((path, index) in batch for batch in self.batches)

    def apply(self) -> list[str]:
        """Write the accepted hunks (all or nothing); they become ``applied``. The paths
        written. With a session, the session applies (and records it in the store)."""
        changes, keys = self.changes()
        if not keys:
            raise ValueError("no accepted hunks to apply: accept some with y or a first")
        if self.session is not None:
            record = self.session.apply(self.result)
            self.batches.append(keys)
            return sorted(record.paths)
        try:
            done = worktree.apply_changes(
                self.root, changes, base=self.base, base_texts=self.originals
            )
        except FileConflict as exc:
            if exc.path in {f.path for f in self.files}:
                self.changeset.mark_conflict(exc.path)
            raise
        for path, index in keys:
            if index:
                self.changeset[path].hunk(index).state = HunkState.APPLIED
        self.batches.append(keys)
        return sorted({*done.written, *done.created, *done.deleted})

    def undo(self) -> list[str]:
        """Revert the last apply made from this review; the paths restored (empty: nothing)."""
        if not self.batches:
            return []
        if self.session is not None:
            undone = self.session.undo(self.result.session_id)
        else:
            undone = worktree.undo(self.root)
            if undone is None:
                return []
        for path, index in self.batches.pop():
            if index:
                self.changeset[path].hunk(index).state = HunkState.ACCEPTED
        return sorted({*undone.restored, *undone.removed})

    def applied_paths(self) -> list[str]:
        paths: set[str] = set()
        for batch in self.batches:
            for path, _ in batch:
                f = self.changeset[path]
                paths.add(path)
                if f.move_to:
                    paths.add(f.move_to)
        return sorted(paths)

    def commit(self, message: str | None = None) -> str:
        """Commit only the applied paths; returns the commit sha."""
        paths = self.applied_paths()
        if not paths:
            raise ValueError("nothing applied yet: apply with Enter before committing")
        if self.session is not None:
            return str(self.session.commit(self.result, paths))
        message = message or f"tome: {self.title}"
        if self.committer is not None:
            return self.committer(self.root, paths, message)
        return repo.commit_paths(self.root, paths, message).sha


def _read_tree(root: Path, paths: Iterable[str]) -> tuple[dict[str, str | None], dict[str, str]]:
    base: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    for path in paths:
        rel, _ = worktree.resolve(root, path)
        found = worktree.read_file(root, rel)
        base[rel] = found.sha if found else None
        if found is not None:
            texts[rel] = found.text
    return base, texts
