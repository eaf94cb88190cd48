"""The review core: a changeset, the files it was located in, and the writes made from it.

``tome apply``, ``tome review``, ``tome ask --apply`` and the TUI all write through one
:class:`Review`, so they share one safety rule: every write is bound to the
:class:`Baseline` (the blob sha and text of each file the edit names, as read when the
review opened), and a file changed on disk since is merged three ways against that text, or
refused (:class:`~assistant.errors.ApplyConflict`). Nothing here prompts or prints.

    review = Review.from_patch(root, patch_text)   # reads every named file once
    review.changeset.accept_all()
    done = review.apply()                          # journaled; all or none
    review.undo()                                  # the last apply, byte for byte
    review.commit("tome: fix")                     # only the applied paths

Applying twice is fine: the second apply writes the hunks accepted since, over the first
(each file's text holds its earlier applied hunks, so the merge keeps both). The target a
review came from (a patch, or a stored session) is the caller's: the session records its
applies in the history around :meth:`Review.apply`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import repo, worktree
from .edits import (
    Changeset,
    EditParseError,
    EditParser,
    FileConflict,
    FileEdit,
    HunkState,
    ParseProblem,
    plan_edits,
)
from .errors import EditError

__all__ = ["Baseline", "HunkKey", "Review", "read_baseline"]

NO_EDIT = (
    "no edit found in the input (tome reads unified diffs, SEARCH/REPLACE blocks, "
    "*** Begin Patch blocks and whole files)"
)

HunkKey = tuple[str, int]
"""``(path, hunk index)``; index 0 stands for a file's hunkless operation (a bare rename)."""


@dataclass(frozen=True)
class Baseline:
    """The files an edit names, as read when the review opened."""

    shas: Mapping[str, str | None] = field(default_factory=dict)
    """Blob sha each path must still have on disk (None: it must not exist)."""
    texts: Mapping[str, str] = field(default_factory=dict)
    """The text each existing path had (what the edit was located in: the merge base).
    A path with a sha but no text is merged against its blob in git's object database."""


def named_paths(edits: Iterable[FileEdit]) -> list[str]:
    """Every path the edits name (:attr:`FileEdit.paths`), sorted, once each."""
    return sorted({p for e in edits for p in e.paths})


def read_baseline(root: Path, edits: Iterable[FileEdit]) -> Baseline:
    """Read every file ``edits`` name, once, keyed by its clean relative path."""
    shas: dict[str, str | None] = {}
    texts: dict[str, str] = {}
    for path in named_paths(edits):
        rel, _ = worktree.resolve(root, path)
        found = worktree.read_file(root, rel)
        shas[rel] = found.sha if found else None
        if found is not None:
            texts[rel] = found.text
    return Baseline(shas, texts)


@dataclass
class Review:
    """A changeset under review against the working tree at ``root``."""

    root: Path
    changeset: Changeset
    baseline: Baseline = field(default_factory=Baseline)
    problems: list[str] = field(default_factory=list)
    """Parts of the edit that could not be read (the caller decides whether to go on)."""
    batches: list[list[HunkKey]] = field(default_factory=list)
    """Hunks written by each apply, last one last (what :meth:`undo` reverts)."""

    @classmethod
    def from_patch(cls, root: Path, text: str) -> Review:
        """Parse ``text`` (any supported edit format) and locate it in the tree at ``root``.

        Raises :class:`~assistant.errors.EditError` for a path the tree refuses (outside
        the root, a directory, a device); unreadable parts of the patch go to
        :attr:`problems`."""
        root = Path(root).resolve()
        parser = EditParser()
        edits = parser.feed(text) + parser.close()
        baseline = read_baseline(root, edits)
        review = cls(root, Changeset(plan_edits(baseline.texts, edits)), baseline)
        review.problems = [f"line {p.line}: {p.message}" for p in parser.problems]
        return review

    def require_edits(self) -> None:
        """Refuse an input that holds no edit at all, with why (what could not be read, or
        that nothing looked like an edit): the one check ``tome apply`` and ``tome review``
        share, so a file that is not a patch is the same error in both, never an empty
        review or a silent success. Raises :class:`~assistant.edits.EditParseError`."""
        if len(self.changeset):
            return
        problems = [ParseProblem(0, p) for p in self.problems] or [ParseProblem(0, NO_EDIT)]
        raise EditParseError(problems)

    # -- writing ----------------------------------------------------------------------------

    def changes(self) -> tuple[dict[str, str | None], list[HunkKey]]:
        """The texts to write for what was accepted since the last apply, and those hunks.

        A file's text holds its hunks applied earlier too (written over the first apply,
        the three-way merge against the baseline keeps both)."""
        out: dict[str, str | None] = {}
        keys: list[HunkKey] = []
        for f in self.changeset:
            if f.failure is not None:
                continue
            fresh = [h.index for h in f.hunks if h.state == HunkState.ACCEPTED]
            done = [h.index for h in f.hunks if h.state == HunkState.APPLIED]
            hunkless = not f.hunks and f.rename_accepted and not self._applied(f.path, 0)
            if not fresh and not hunkless:
                continue
            keys.extend((f.path, i) for i in fresh or [0])
            out.update(f.plan.texts(sorted(fresh + done)))
        return out, keys

    def _applied(self, path: str, index: int) -> bool:
        return any((path, index) in batch for batch in self.batches)

    def apply(self, *, check: bool = False) -> worktree.Applied:
        """Write what was accepted since the last apply: all of it or none, journaled; its
        hunks become ``applied``. ``check`` validates only and changes no state.

        A file changed on disk since the baseline and not mergeable is refused
        (:class:`~assistant.edits.FileConflict`, the file marked ``conflict``)."""
        changes, keys = self.changes()
        if not keys:
            raise EditError("no accepted hunk changes a file: accept some first")
        try:
            done = worktree.apply_changes(self.root, changes, base=self.baseline.shas,
                                          base_texts=self.baseline.texts, check=check)  # fmt: skip
        except FileConflict as exc:
            if not check:
                for f in self.changeset:
                    if exc.path in (f.path, f.move_to):
                        self.changeset.mark_conflict(f.path)
            raise
        if not check:
            for path, index in keys:
                if index:
                    self.changeset[path].hunk(index).state = HunkState.APPLIED
            self.batches.append(keys)
        return done

    def forget_last(self) -> list[HunkKey]:
        """Drop the last apply from this review (it was undone): its hunks are ``accepted``
        again. The hunks it had written."""
        keys = self.batches.pop() if self.batches else []
        for path, index in keys:
            if index:
                self.changeset[path].hunk(index).state = HunkState.ACCEPTED
        return keys

    def undo(self) -> worktree.Undone | None:
        """Revert the last apply made from this review (None: nothing to undo)."""
        if not self.batches:
            return None
        undone = worktree.undo(self.root)
        if undone is not None:
            self.forget_last()
        return undone

    def applied_paths(self) -> list[str]:
        """Every path an apply of this review wrote (a rename: both names), sorted."""
        paths: set[str] = set()
        for batch in self.batches:
            for path, _ in batch:
                f = self.changeset[path]
                paths.add(path)
                if f.move_to:
                    paths.add(f.move_to)
        return sorted(paths)

    def commit(self, message: str, paths: Sequence[str] | None = None) -> str:
        """Commit only ``paths`` (default: the applied ones); the commit's sha."""
        chosen = list(paths) if paths is not None else self.applied_paths()
        if paths is None and not chosen:
            raise EditError("nothing applied yet: apply before committing")
        return repo.commit_paths(self.root, chosen, message).sha
