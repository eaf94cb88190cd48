"""What became of a session, derived from what was recorded: the answer, then each apply.

Pure: the store records events (the answer's end, a decline, every apply, undo and
commit), never a status that could go stale; this module names the outcome.

Per apply: ``undone`` if an undo reverted it, else ``committed`` if it was committed, else
``applied``. Per session, while nothing was applied: the answer's status (``streaming``,
``answered``, ``truncated``, ``cancelled``, ``failed``), or ``declined`` when the user said
no to applying it. Once applied: ``undone`` when every apply was undone, ``partly undone``
when some were and some stand, ``committed`` when every standing apply was committed,
``applied`` otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..store import ApplyRow

__all__ = ["STATUSES", "apply_state", "session_status"]

STATUSES = (
    "streaming", "queued", "answered", "truncated", "cancelled", "failed", "declined",
    "applied", "committed", "partly undone", "undone",
)  # fmt: skip
"""Every status :func:`session_status` gives."""


def apply_state(apply: ApplyRow) -> str:
    """``undone``, ``committed`` or ``applied``."""
    if apply.undone:
        return "undone"
    return "committed" if apply.commit else "applied"


def session_status(answer: str, applies: Sequence[ApplyRow], *, declined: bool) -> str:
    """The status of a session whose answer ended as ``answer`` (the stored status)."""
    if not applies:
        return "declined" if declined and answer == "answered" else answer
    states = [apply_state(a) for a in applies]
    standing = [s for s in states if s != "undone"]
    if not standing:
        return "undone"
    if len(standing) < len(states):
        return "partly undone"
    return "committed" if all(s == "committed" for s in standing) else "applied"
