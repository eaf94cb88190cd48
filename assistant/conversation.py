"""A conversation: the exchanges of a chain of sessions as chat messages, fitted to a window.

A follow-up (``Assistant.ask(message, continue_from=...)``) and a send-back
(:meth:`Assistant.resend <assistant.session.Assistant.resend>`) are the same shape: the
first request's prompt again (the system message, then the pack with the first task last),
then every answer with the user message that followed it, the new message last::

    system | user: pack + task 1 | assistant: answer 1 | user: message 2 | ... | user: new

Nothing before the new message changes when the repository did not, so the provider's
prefix cache bills the earlier conversation at the cache-hit price. Each pair (an answer
and the user message after it) is an :class:`Exchange`; when they do not fit the window the
oldest are dropped first (:func:`fit`) and the new message says so (:func:`dropped_note`).
When files changed since the previous request the pack is rebuilt as they are now, and the
new message opens with what changed (:func:`changes_note`).

Pure: the session (:mod:`assistant.session`) loads the chain, packs and counts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history import Result
    from .model.client import Message

__all__ = ["Exchange", "changes_note", "dropped_note", "exchanges", "fit", "to_messages"]

_NAMES_SHOWN = 20  # paths named per kind of change in a note; the rest are counted


@dataclass(frozen=True)
class Exchange:
    """An answer of the model and the user message that followed it."""

    answer: str
    message: str


def exchanges(chain: Sequence[Result], message: str) -> list[Exchange]:
    """The exchanges of ``chain`` (oldest session first, each the parent of the next) with
    ``message`` after the last answer: each session's answer with the next one's message."""
    out = [Exchange(r.answer, nxt.message or nxt.task) for r, nxt in pairwise(chain)]
    return [*out, Exchange(chain[-1].answer, message)]


def to_messages(items: Sequence[Exchange]) -> tuple[Message, ...]:
    """The chat messages of ``items``: assistant, user, assistant, user, ... Each answer goes
    back by the provider's rule for earlier turns (:func:`assistant.model.history_message`:
    its reasoning is not sent)."""
    from .model import history_message

    out: list[Message] = []
    for e in items:
        out += [history_message(e.answer), {"role": "user", "content": e.message}]
    return tuple(out)


def fit(
    items: Sequence[Exchange], room: int, count: Callable[[Exchange], int], *, note: int = 0
) -> tuple[list[Exchange], int] | None:
    """The newest exchanges whose tokens (``count``) fit ``room``, and how many older ones
    were dropped (``note``: tokens the note of a drop adds); None when not even the last one
    fits. The last exchange holds the new message: it is never dropped."""
    sizes = [count(e) for e in items]
    for start in range(len(items)):
        if sum(sizes[start:]) + (note if start else 0) <= room:
            return list(items[start:]), start
    return None


def dropped_note(n: int) -> str:
    """What the new message says first when ``n`` older exchanges were left out."""
    s = "s" if n != 1 else ""
    return (
        f"(The {n} oldest exchange{s} of this conversation were left out to fit the context "
        "window.)"
    )


def changes_note(
    before: Mapping[str, str], after: Mapping[str, str], *, applied: bool | None
) -> str | None:
    """What the new message says first about the repository since the previous request:
    the files changed, added and removed (``before``/``after``: path to blob sha as packed),
    and whether the user applied the previous answer's edits (None: it had none). None when
    nothing changed and there is nothing to say about the previous edits."""
    changed = sorted(p for p in after if p in before and before[p] != after[p])
    added = sorted(p for p in after if p not in before)
    removed = sorted(p for p in before if p not in after)
    parts = []
    if applied is not None:
        parts.append(
            "I applied your previous edits." if applied else "I did not apply your previous edits."
        )
    if changed or added or removed:
        kinds = [("changed", changed), ("added", added), ("removed", removed)]
        said = "; ".join(f"{kind}: {_names(paths)}" for kind, paths in kinds if paths)
        parts.append(
            f"Files since my previous message ({said}); the repository above shows them as "
            "they are now."
        )
    elif applied:
        parts.append("The repository above shows the files as they are now.")
    return " ".join(parts) if parts else None


def _names(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:_NAMES_SHOWN])
    more = len(paths) - _NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")
