"""The history of a repository's sessions, and undo: no backend, no key needed.

- :mod:`~assistant.history.values`: the values a session leaves (``Result``, ``Manifest``,
  ``ApplyRecord``, ``UndoRecord``, ``SessionSummary``);
- :mod:`~assistant.history.codec`: the one mapping between those values and the store's
  named rows (:mod:`assistant.store`: SQLite, migrations);
- :mod:`~assistant.history.status`: what became of a session, from its applies;
- :mod:`~assistant.history.log`: :class:`History`, recording, listing, loading, undoing.
"""

from __future__ import annotations

from .log import History, revert
from .status import STATUSES, apply_state, session_status
from .values import (
    ApplyRecord,
    ApplyStatus,
    Manifest,
    ManifestEntry,
    Result,
    RoundInfo,
    RoundSummary,
    SessionSummary,
    UndoRecord,
)

__all__ = [
    "STATUSES",
    "ApplyRecord",
    "ApplyStatus",
    "History",
    "Manifest",
    "ManifestEntry",
    "Result",
    "RoundInfo",
    "RoundSummary",
    "SessionSummary",
    "UndoRecord",
    "apply_state",
    "revert",
    "session_status",
]
