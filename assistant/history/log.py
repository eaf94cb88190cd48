"""The history and undo of one repository, with no backend: what ``tome history`` and
``tome undo`` need, and what :class:`assistant.session.Assistant` records through.

:class:`History` owns the repository's store (:mod:`assistant.store`) and the worktree
journal's undo (:mod:`assistant.worktree`); values go to rows and back through
:mod:`assistant.history.codec` only. Nothing here imports the model client, reads the
user's config or needs a key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from .. import repo, worktree
from ..edits import FileEdit, HunkState
from ..errors import AssistantError, HistoryError
from ..store import ApplyRow, Decision, Store
from . import codec
from .values import Manifest, Result, RoundInfo, SessionSummary, UndoRecord

__all__ = ["History", "revert"]


class History:
    """Sessions of the repository around ``root`` (any folder of it): record, list, load,
    undo."""

    def __init__(self, root: str | Path, *, store: Store | None = None) -> None:
        self.root = repo.find_root(root)  # any folder of the repository: .tome/ is at its root
        self.store = store if store is not None else Store.for_root(self.root)

    def __repr__(self) -> str:
        return f"History(root={str(self.root)!r})"

    # -- recording --

    def begin(
        self,
        *,
        task: str,
        backend: str,
        model: str,
        manifest: Manifest,
        paths: Sequence[str] | None,
        edit_format: str,
        parent_id: int | None = None,
        message: str | None = None,
    ) -> int:
        """Record a request before it is sent; the session id. ``message``: a follow-up's
        own user message (the task stays the conversation's first)."""
        row = codec.session_row(
            task=task, backend=backend, model=model, manifest=manifest, paths=paths,
            edit_format=edit_format, parent_id=parent_id, message=message,
        )  # fmt: skip
        return self.store.begin(manifest=codec.manifest_rows(manifest), **row)

    def unsent(
        self,
        *,
        task: str,
        backend: str,
        model: str,
        encoding: str,
        paths: Sequence[str] | None,
        edit_format: str,
        parent_id: int | None,
        error: str,
    ) -> int:
        """Record a request that failed before its pack existed (no key, say) as a
        ``failed`` session with an empty manifest; its id."""
        session_id = self.begin(
            task=task, backend=backend, model=model, manifest=Manifest((), 0, encoding, None),
            paths=paths, edit_format=edit_format, parent_id=parent_id,
        )  # fmt: skip
        self.store.fail(session_id, status="failed", error=error)
        return session_id

    def finish(self, result: Result, edits: Sequence[FileEdit], *, status: str) -> None:
        """Record the answer of ``result`` (its ``edits`` as parsed) with ``status``."""
        rows = codec.finish_rows(result, edits)
        changeset = rows["changeset"]
        answer = rows["answer"]
        assert changeset is not None and answer is not None
        self.store.finish(
            result.session_id, status=status, answer=answer, usage=rows["usage"],
            changeset=changeset,
        )  # fmt: skip

    def record_round(self, info: RoundInfo, *, request_id: int) -> None:
        """Record a round of the repair loop of ``request_id`` (round 1's session) as
        measured: what it did, its check report (its usage is its session's)."""
        self.store.record_round(info.session_id, codec.round_row(info, request_id=request_id))

    def record_failed_round(
        self,
        *,
        request_id: int,
        previous: int,
        number: int,
        reason: str,
        prompt_tokens: int,
        stable_prefix_tokens: int,
    ) -> None:
        """Record that round ``number`` (sent after session ``previous``) failed before it
        was measured, so the history still lists it under its request."""
        session_id = self.store.latest_child(previous)
        if session_id is None or session_id == previous:
            return
        self.store.record_round(session_id, {
            "request_id": request_id, "number": number, "reason": reason,
            "prompt_tokens": prompt_tokens, "stable_prefix_tokens": stable_prefix_tokens,
        })  # fmt: skip

    def end_rounds(self, request_id: int, *, stopped: str, taken: int) -> None:
        """Record why the loop of ``request_id`` stopped and the session it gave."""
        self.store.end_rounds(request_id, stopped=stopped, taken=taken)

    def save(self, result: Result) -> None:
        """Record the review state of every hunk (so :meth:`load` reopens it as left)."""
        self.store.decide(result.session_id, codec.decisions(result.changeset))

    def split(self, result: Result, path: str, hunk: int, *, lines: bool = False) -> int:
        """Split hunk ``hunk`` of ``path`` in ``result``'s changeset
        (:meth:`~assistant.edits.FileReview.split`) and record it, so that :meth:`load`
        splits it again and every decision stays on its piece. How many hunks it became."""
        pieces = result.changeset[path].split(hunk, lines=lines)
        if pieces > 1:
            self.store.record_split(result.session_id, path, hunk, lines=lines, pieces=pieces)
        return pieces

    def decline(self, result: Result) -> None:
        """Record that the user declined to apply ``result`` (``tome history``: declined)."""
        self.store.decline(result.session_id)

    def record_apply(
        self,
        result: Result,
        *,
        journal: str,
        paths: Sequence[str],
        merged: Sequence[str],
        hunks: Sequence[tuple[str, int]],
    ) -> int:
        """Record an apply of ``result`` that wrote ``hunks``; the apply id."""
        return self.store.record_apply(
            result.session_id, journal=journal, paths=paths, merged=merged, hunks=hunks,
            decisions=codec.decisions(result.changeset),
        )  # fmt: skip

    # -- reading --

    def sessions(self, *, limit: int = 50) -> list[SessionSummary]:
        """The newest ``limit`` sessions, newest first (none when there is no history)."""
        if not self.store.path.exists():
            return []
        with self._decoding("its sessions"):
            return [codec.summary_from_row(r, a) for r, a in self.store.listing(limit=limit)]

    def requests(self, *, limit: int = 50) -> list[SessionSummary]:
        """The newest ``limit`` requests, newest first: as :meth:`sessions`, but the later
        rounds of a repair loop are not listed on their own: they are the ``rounds`` of
        their request (its first round). Follow-ups and send-backs stay requests."""
        if not self.store.path.exists():
            return []
        with self._decoding("its sessions"):
            return [codec.summary_from_row(r, a, rounds)
                    for r, a, rounds in self.store.requests(limit=limit)]  # fmt: skip

    def summary(self, session_id: int) -> SessionSummary | None:
        rows = self.store.load(session_id)
        with self._decoding(f"session {session_id}"):
            return None if rows is None else codec.summary_from_row(rows.session, rows.applies)

    def load(self, session_id: int) -> Result:
        """A past session as a :class:`Result`, with its review state as it was left."""
        rows = self.store.load(session_id)
        if rows is None:
            raise AssistantError(f"no session {session_id} in {self.store.path}")
        with self._decoding(f"session {session_id}"):
            return codec.result_from_rows(rows)

    @contextlib.contextmanager
    def _decoding(self, what: str) -> Iterator[None]:
        """Rows that SQLite reads fine but that hold what tome never wrote (a damaged or
        hand-edited file) become a :class:`HistoryError`, here, for every caller."""
        try:
            yield
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise HistoryError(
                f"{what} in the history database {self.store.path} cannot be read "
                f"({type(exc).__name__}: {exc}); the file is damaged or was edited by hand: "
                "move it away (tome starts a new one) or drop old sessions "
                "('tome history --prune --keep N')"
            ) from exc

    # -- undoing --

    def undo(self, session_id: int | None = None, *, force: bool = False) -> UndoRecord | None:
        """Revert the last apply byte for byte and record it; see :func:`revert`."""
        if session_id is not None:
            self._check_last(session_id)
        done = worktree.undo(self.root, force=force)
        if done is None:
            return None
        row = self.store.apply_for_journal(done.journal)
        reset = self._unapplied(row) if row is not None else []
        owner = self.store.record_undo(
            journal=done.journal, paths=(*done.restored, *done.removed), decisions=reset
        )
        commit = row.commit if row is not None else None
        return UndoRecord(owner, done.journal, done.restored, done.removed, done.recovered, commit)

    def _unapplied(self, row: ApplyRow) -> list[Decision]:
        """The hunks the undone apply wrote, accepted again (the other applies' stay)."""
        stored = self.store.load(row.session_id)
        if stored is None:
            return []
        mine = set(row.hunks) if row.hunks is not None else None
        return [
            Decision(d.path, d.hunk, str(HunkState.ACCEPTED))
            for d in stored.decisions
            if d.state == HunkState.APPLIED
            and ((d.path, d.hunk) in mine if mine is not None else d.path in row.paths)
        ]

    def _check_last(self, session_id: int) -> None:
        stored = self.store.load(session_id)
        if stored is None:
            raise AssistantError(f"no session {session_id} in {self.store.path}")
        live = [a for a in stored.applies if not a.undone]
        if not live:
            raise AssistantError(f"session {session_id} has no apply to undo")
        last = next(
            (
                name
                for name, state in reversed(worktree.journals(self.root))
                if state in ("pending", "applied")
            ),
            None,
        )
        if last is None:
            raise AssistantError(
                f"session {session_id}'s apply was already reverted outside tome's history"
            )
        if last != live[-1].journal:
            other = self.store.apply_for_journal(last)
            who = f"session {other.session_id}" if other else "a later 'tome apply'"
            raise AssistantError(
                f"session {session_id}'s apply is not the last one: {who} applied after it; "
                "undo that first ('tome undo')"
            )


def revert(
    root: str | Path,
    session_id: int | None = None,
    *,
    force: bool = False,
    store: Store | None = None,
) -> UndoRecord | None:
    """Revert the last apply in ``root`` byte for byte and record it in the history.

    With ``session_id``, that session's apply must be the last one not undone (applies are
    undone newest first, so nothing applied later is lost). ``force`` restores files changed
    again since the apply. A commit made by the apply stays; the files revert as
    uncommitted changes. None when there is nothing to undo. Needs no backend.
    """
    return History(root, store=store).undo(session_id, force=force)
