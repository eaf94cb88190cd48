"""The values a session leaves: what was packed, the result, what an apply and an undo did,
one line of the history. Plain data; :mod:`assistant.history.codec` maps them to rows.

They are defined here, below :mod:`assistant.session`, so the history (and undo) needs no
model, no backend and no client; :mod:`assistant.session` re-exports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..edits import Changeset

if TYPE_CHECKING:
    from ..checks import CheckReport
    from ..model import Usage
    from ..packing import Pack

__all__ = [
    "ApplyRecord",
    "ApplyStatus",
    "Manifest",
    "ManifestEntry",
    "Result",
    "RoundInfo",
    "RoundSummary",
    "SessionSummary",
    "UndoRecord",
]


@dataclass(frozen=True)
class ManifestEntry:
    """One packed file: the blob sha that was shown, its tier and its tokens."""

    path: str
    blob_sha: str
    tier: str
    """``full``, ``skeleton`` or ``omitted``."""
    tokens: int
    """Tokens of the whole file."""


@dataclass(frozen=True)
class Manifest:
    """What was packed: every file with its blob sha, tier and tokens; the pack's size."""

    entries: tuple[ManifestEntry, ...]
    tokens: int
    encoding: str
    budget: int | None

    @classmethod
    def of(cls, packed: Pack) -> Manifest:
        entries = tuple(
            ManifestEntry(f.path, f.blob_sha, f.tier, f.tokens)
            for f in sorted(packed.files, key=lambda f: f.path)
        )
        return cls(entries, packed.tokens, packed.encoding, packed.budget)

    def sha(self, path: str) -> str | None:
        """The packed blob sha of ``path`` (None: not in the pack)."""
        return self._by_path.get(path)

    @property
    def _by_path(self) -> dict[str, str]:
        return {e.path: e.blob_sha for e in self.entries}


@dataclass(frozen=True)
class RoundInfo:
    """One round of a request's repair loop (:mod:`assistant.rounds`): round 1 is the first
    answer, each later one a follow-up on the same prompt prefix, recorded as a session
    whose ``parent_id`` is the round before."""

    number: int
    session_id: int
    reason: str
    """Why it was asked: ``first``, ``placement`` (hunks did not place) or ``checks``."""
    failed: int
    """Hunks (and file operations) of the changeset after this round that do not place."""
    fixed: int
    """Hunks that failed before this round and place after it."""
    checks: str | None
    """``passed`` or ``failed`` when the checks ran on this round's changeset; None: not run
    (placement was not clean, or no checker)."""
    check_failures: int | None
    prompt_tokens: int
    stable_prefix_tokens: int
    """Tokens of this request's prompt identical to the previous request's (0 for round 1)."""
    usage: Usage | None
    cost: float | None
    report: CheckReport | None = None
    """What the checks reported on this round's changeset (None: they did not run)."""

    @property
    def failures(self) -> int:
        """What the loop minimises: hunks that do not place, plus failing checks."""
        return self.failed + (self.check_failures or 0)


@dataclass
class Result:
    """One answered request: what was packed and asked, the answer and its edits.

    ``changeset`` holds the review state (accept/reject per hunk); :meth:`Assistant.apply`
    writes its accepted hunks. ``originals`` is the text each edited file had as the model
    saw it, the text the changeset was located in.
    """

    session_id: int
    task: str
    manifest: Manifest
    answer: str
    usage: Usage | None
    """None when the request was cancelled before the backend reported usage."""
    cost: float | None
    changeset: Changeset
    truncated: bool
    """The answer is incomplete (cut off, or cancelled): apply refuses it unless forced."""
    backend: str
    model: str = ""
    edit_format: str = ""
    paths: tuple[str, ...] | None = None
    """The pack was restricted to these paths (None: the whole repository)."""
    finish_reason: str | None = None
    continuations: int = 0
    """Follow-up requests made because the answer was cut off."""
    retries: int = 0
    cancelled: bool = False
    problems: tuple[str, ...] = ()
    """Parts of the answer that could not be used: unreadable blocks, refused paths."""
    originals: dict[str, str] = field(default_factory=dict)
    bases: dict[str, str | None] = field(default_factory=dict)
    """Blob sha each edited path must have on disk when applied (None: must not exist);
    a different file is merged three ways, or refused."""
    stale: tuple[str, ...] = ()
    """Paths whose packed text was gone (changed on disk, not in git), located in the
    current text instead; applying them is refused as a conflict."""
    parent_id: int | None = None
    """The session this one answers (a :meth:`Assistant.resend`, the round before, or a
    follow-up)."""
    message: str | None = None
    """The user message this session sent after its parent's answer (a follow-up's, or a
    send-back's feedback); None for the first request of a conversation, whose message is
    :attr:`task` (the pack's last section)."""
    rounds: tuple[RoundInfo, ...] = ()
    """Every round of the repair loop that made this result, oldest first (empty: the loop
    did not run, or the result was loaded from the history)."""
    stopped: str | None = None
    """Why the loop stopped (:data:`assistant.rounds.STOPS`); the result is the changeset of
    the round :attr:`round` names, the best one."""
    round: int = 1
    """The round whose changeset this is."""
    reasoning: str = ""
    """The model's reasoning (a thinking model's ``reasoning_content``), stored with the
    answer to be read again; never parsed for edits and never sent back in a later request
    (:func:`assistant.model.history_message`, as DeepSeek's documentation requires)."""

    @property
    def complete(self) -> bool:
        return not self.truncated


@dataclass(frozen=True)
class ApplyRecord:
    """What :meth:`Assistant.apply` wrote."""

    session_id: int
    apply_id: int
    journal: str
    """The worktree journal (``.tome/journal/<id>``) that undo restores from."""
    paths: tuple[str, ...]
    """Paths written, created or deleted."""
    merged: tuple[str, ...]
    """Paths that had changed on disk since the pack and were merged three ways."""
    commit: str | None = None
    """The sha of the commit made with ``commit=True``."""


@dataclass(frozen=True)
class UndoRecord:
    """What :meth:`Assistant.undo` restored."""

    session_id: int | None
    """None when the apply undone was not a session's (``tome apply``)."""
    journal: str
    restored: tuple[str, ...]
    removed: tuple[str, ...]
    recovered: bool
    """True when this rolled back an apply that had been interrupted."""
    commit: str | None = None
    """The commit the undone apply made (``--commit``): it stays in git unless dropped
    (:func:`assistant.repo.drop_commit`)."""


@dataclass(frozen=True)
class ApplyStatus:
    """One apply of a session as the history shows it."""

    apply_id: int
    state: str
    """``applied``, ``committed`` (the apply was committed) or ``undone`` (reverted; a commit
    it made stays in git)."""
    paths: tuple[str, ...]
    commit: str | None
    created: float


@dataclass(frozen=True)
class RoundSummary:
    """One round of a request's repair loop as ``tome history`` lists it, under the request:
    what it cost (as the provider reported) and what it did."""

    number: int
    session_id: int
    reason: str
    """``first``, ``placement`` or ``checks`` (:attr:`RoundInfo.reason`)."""
    status: str
    """The round's session's status (``applied`` when its changeset was applied)."""
    failed: int | None
    """Hunks that did not place after it (None: the round itself failed)."""
    fixed: int | None
    checks: str | None
    """``passed``, ``failed``, or None: the checks did not run on it."""
    check_failures: int | None
    prompt_tokens: int | None
    """As billed (None: no usage was reported, e.g. the round failed)."""
    cached_tokens: int | None
    """Of ``prompt_tokens``, billed as prefix-cache hits."""
    output_tokens: int | None
    cost: float | None
    taken: bool
    """The loop gave this round's changeset (the best)."""
    files: int = 0
    """Files its changeset edits (the merged changeset as it stood after the round)."""

    @property
    def did(self) -> list[str]:
        """What the round did, in words: ``["1 fixed", "checks passed"]``; ``["no answer"]``
        when the round itself failed; empty when it only placed what it was given."""
        if self.failed is None:
            return ["no answer"]
        said = [f"{self.fixed} fixed"] if self.fixed else []
        if self.failed:
            said.append(f"{self.failed} failed")
        if self.checks is not None:
            said.append(f"checks {self.checks}")
        return said


@dataclass(frozen=True)
class SessionSummary:
    """One line of ``tome history``."""

    session_id: int
    task: str
    backend: str
    model: str
    created: float
    """Seconds since the epoch."""
    status: str
    """What became of the session (:func:`assistant.history.status.session_status`):
    ``streaming``, ``answered``, ``truncated``, ``cancelled``, ``failed`` or ``declined``
    until something is applied; then ``applied``, ``committed``, ``partly undone`` or
    ``undone``, from its applies. Listed with its :attr:`rounds`: the taken round's."""
    files: int
    """Files the answer edits; with :attr:`rounds`, the taken round's changeset's (what
    the user got), not the first answer's."""
    tokens: int
    """Tokens of the pack."""
    cost: float | None
    parent_id: int | None = None
    applies: tuple[ApplyStatus, ...] = ()
    """Every apply of the session, oldest first, each with its own state."""
    error: str | None = None
    """Why a failed session failed."""
    message: str | None = None
    """A follow-up's own message (:attr:`Result.message`); ``task`` is its conversation's."""
    batch: str | None = None
    """``<batch>/<task id>`` for a task of ``tome batch``."""
    rounds: tuple[RoundSummary, ...] = ()
    """The rounds of its repair loop, oldest first (the first is this session), when
    listed by :meth:`~assistant.history.History.requests` and the loop took more than one
    round; empty otherwise."""
    stopped: str | None = None
    """Why its loop stopped (:data:`assistant.rounds.STOPS`), when it has rounds."""

    @property
    def total_cost(self) -> float | None:
        """What the request cost: every round's (each was paid for), else its own."""
        costs = [r.cost for r in self.rounds if r.cost is not None]
        return sum(costs) if costs else self.cost
