"""Repair rounds: what did not place (or did not pass the checks) goes back to the model.

After the first answer, the loop looks at its changeset. Hunks that did not place, or were
refused as ambiguous, go back in a follow-up message (each failure's
:meth:`~assistant.edits.HunkFailure.for_model`: the file, the hunk, the closest region and
where it differs, the other matching places). When every hunk places and a
:class:`~assistant.checks.Checker` is given, it runs on the texts the changeset would
write; a failing :class:`~assistant.checks.CheckReport` goes back the same way. The new
answer's edits are located against the same texts the model was shown (the packed files)
and merged into the changeset (:func:`merge_edits`): placed hunks stay; the failed hunks of
a file the new answer edits are replaced by its new edits; a new hunk that overlaps a kept
one is itself a failure for the next round.

**The prefix never changes.** A round never re-packs: the messages of round ``k + 1`` are
those of round ``k``, then the answer, then the follow-up, so the request's prefix is
byte-identical and a provider's prefix cache bills it at the cache-hit price
(:attr:`RoundInfo.stable_prefix_tokens`).

**Bounded.** At most ``max_rounds`` follow-ups (config ``max_rounds``, default 2; 0: off).
The loop stops when the changeset places cleanly (and passes the checks, if any), when the
rounds are spent, when a round makes things worse (more failures than the round before),
when a follow-up's answer holds no edits at all, when the next prompt would not fit the window, or when an answer is cancelled or cut off.
The result is then the best round's changeset (fewest failures; the earliest of equals), and
it says which round and why the loop stopped (``Result.round``, ``Result.stopped``).

**Stored.** Each round is a session of its own (its answer, usage, cost, and the merged
changeset as it stood after it), whose ``parent_id`` is the round before: ``tome review
--session ID`` of any round opens exactly that round's changeset, undo and apply work per
session as for any other. The ``rounds`` table (history schema 8) says which request each
round belongs to, what it did (hunks failed and fixed, the checks and their report) and
why the loop stopped: ``tome history`` lists the rounds under their request, and a loaded
session has its loop's :attr:`Result.rounds` back (the Review screen's Checks view).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .edits import Changeset, FileEdit, FileReview, HunkState, check_path
from .errors import ApplyConflict
from .history import Result, RoundInfo

if TYPE_CHECKING:
    from .checks import Checker, CheckReport
    from .model import Client
    from .session import Assistant, Event, Plan

__all__ = [
    "STOPS",
    "Round",
    "RoundReason",
    "checks_followup",
    "kept_edits",
    "merge_edits",
    "placement_followup",
    "proposed_texts",
    "rounds_line",
    "run_rounds",
    "stop_note",
]

RoundReason = Literal["placement", "checks"]

STOPS = {
    "placed": "every hunk placed",
    "passed": "the checks passed",
    "max-rounds": "the rounds are spent",
    "worse": "a round made things worse",
    "window": "the next round would not fit the window",
    "stuck": "the model sent no new edits",
    "cancelled": "the answer was cancelled",
    "truncated": "the answer was cut off",
    "off": "repair rounds are off",
}
"""Why a loop stops, by the code in ``Result.stopped``."""


@dataclass(frozen=True)
class Round:
    """A repair round is about to be sent: the event between one answer and the next.

    ``str(round)`` is the line to show: ``round 2: 3 hunks did not place; asking again
    (cache: 118,000 of 121,000 prompt tokens shared)``."""

    number: int
    """The round being sent (2 is the first follow-up)."""
    reason: RoundReason
    failed: int
    """Hunks that did not place after the round before."""
    check_failures: int
    """Failures the checks reported (0 for a placement round)."""
    shared_tokens: int
    """Prompt tokens identical to the previous request's (the whole previous prompt)."""
    prompt_tokens: int
    """Tokens of this round's prompt."""

    def __str__(self) -> str:
        if self.reason == "placement":
            n = self.failed
            why = f"{n} hunk{'s' * (n != 1)} did not place"
        else:
            n = self.check_failures
            why = f"the checks failed ({n} failure{'s' * (n != 1)})"
        return (
            f"round {self.number}: {why}; asking again (cache: {self.shared_tokens:,} of "
            f"{self.prompt_tokens:,} prompt tokens shared)"
        )


def stop_note(result: Result) -> str | None:
    """What the loop did, for a person: ``round 2 of 3 taken: the checks passed`` (None:
    there was one round and nothing to say)."""
    if result.stopped is None or (len(result.rounds) <= 1 and result.stopped in
                                  ("placed", "off", "cancelled", "truncated")):  # fmt: skip
        return None
    why = STOPS.get(result.stopped, result.stopped)
    last = len(result.rounds)
    taken = (
        f"round {result.round} taken" if result.round == last else
        f"round {result.round} of {last} taken (the best)"
    )  # fmt: skip
    return f"{last} round{'s' * (last != 1)}, {taken}: {why}"


def rounds_line(result: Result) -> str | None:
    """Per round what happened, in one line (the Review screen's): ``round 1: 1 hunk did
    not place · round 2: 1 fixed, checks passed · round 2 taken: the checks passed`` (None:
    one round whose changeset was not checked, nothing to say; one checked round says its
    checks: ``round 1: checks passed · round 1 taken: the checks passed``)."""
    if len(result.rounds) <= 1 and not any(r.checks for r in result.rounds):
        return None
    parts = []
    for r in result.rounds:
        said = []
        if r.fixed:
            said.append(f"{r.fixed} fixed")
        if r.failed:
            said.append(f"{r.failed} hunk{'s' * (r.failed != 1)} did not place")
        if r.checks == "passed":
            said.append("checks passed")
        elif r.checks == "failed":
            n = r.check_failures or 0
            said.append(f"checks failed ({n})")
        parts.append(f"round {r.number}: {', '.join(said) or 'placed'}")
    why = STOPS.get(result.stopped or "", result.stopped or "")
    parts.append(f"round {result.round} taken: {why}")
    return " · ".join(parts)


# -- the changeset across rounds (pure) ---------------------------------------------------


def _path_of(edit: FileEdit, paths: set[str]) -> str | None:
    """The changeset path ``edit`` went to (None: refused)."""
    try:
        path = check_path(edit.path)
        if edit.other_path and path not in paths:
            path = check_path(edit.other_path)
    except ApplyConflict:
        return None
    return path


_WHOLE = ("create", "delete", "replace")


def kept_edits(
    edits: Sequence[FileEdit], cs: Changeset, *, replaced: Collection[str] = ()
) -> list[FileEdit]:
    """``edits`` (the ones ``cs`` was made from, in order) less what failed in ``cs``, for
    the files in ``replaced`` (the new answer edits them); other files keep every hunk,
    failed ones too (they fail again, and go back again)."""
    paths = {f.path for f in cs}
    counters: dict[str, int] = {}
    out: list[FileEdit] = []
    for edit in edits:
        path = _path_of(edit, paths)
        if path is None or path not in paths:
            continue
        review = cs[path]
        if path not in replaced:
            out.append(edit)
            continue
        if review.failure is not None:
            continue  # the file operation failed as a whole: the new answer replaces it
        if edit.action in _WHOLE or not edit.hunks:
            out.append(edit)
            continue
        first = counters.get(path, 0)
        counters[path] = first + len(edit.hunks)
        keep = tuple(
            h
            for i, h in enumerate(edit.hunks, first + 1)
            if _state(review, i) not in (HunkState.FAILED, None)
        )
        if keep:
            out.append(dataclasses.replace(edit, hunks=keep))
    return out


def _state(review: FileReview, index: int) -> HunkState | None:
    for h in review.hunks:
        if h.index == index:
            return h.state
    return None


def merge_edits(
    previous: Sequence[FileEdit],
    cs: Changeset,
    new: Sequence[FileEdit],
    *,
    reason: RoundReason,
    number: int,
    problems: list[str],
) -> list[FileEdit]:
    """The edits of the changeset after round ``number``: the previous round's (``previous``,
    which made ``cs``) with the failed hunks of each file the ``new`` answer edits left out,
    then the new edits, all to be located against the texts the model was shown.

    A new hunk equal to a kept one (the model sent a placed edit again) is dropped. A
    whole-file block for a file with placed hunks replaces them after a ``checks`` round
    (the way to rework an edit the checks blamed), and is refused after a ``placement``
    round (listed in ``problems``: the placed hunks stay). Any other overlap with a kept
    hunk is left to the planner, which fails it (``overlap``) for the next round."""
    paths = {f.path for f in cs}
    by_path: dict[str, list[FileEdit]] = {}
    for edit in new:
        path = _path_of(edit, paths)
        by_path.setdefault(path if path is not None else edit.path, []).append(edit)
    placed = {
        f.path
        for f in cs
        if f.failure is None and any(h.state != HunkState.FAILED for h in f.hunks)
    }
    rewritten = {
        p for p, group in by_path.items() if p in placed and any(e.action in _WHOLE for e in group)
    }
    refused: set[str] = set()
    if reason == "placement":
        refused = rewritten
        for path in sorted(rewritten):
            problems.append(
                f"round {number}: the answer rewrote {path} whole; the edits of it that "
                "placed before are kept (send only the edits that failed)"
            )
        rewritten = set()
    kept = kept_edits(previous, cs, replaced=set(by_path) - refused)
    kept = [e for e in kept if _path_of(e, paths) not in rewritten]
    seen = {(f.path, h.old_lines, h.new_lines) for f in cs for h in f.hunks if h.failure is None}
    out = list(kept)
    for path, group in by_path.items():
        if path in refused:
            continue
        for edit in group:
            if edit.action in _WHOLE or not edit.hunks:
                out.append(edit)
                continue
            fresh = tuple(h for h in edit.hunks if (path, h.before, h.after) not in seen)
            if fresh:
                out.append(dataclasses.replace(edit, hunks=fresh))
    return out


def proposed_texts(cs: Changeset) -> dict[str, str | None]:
    """The texts the changeset would write with every placed hunk accepted (None: the file
    is removed): what the checks run on."""
    texts: dict[str, str | None] = {}
    for f in cs:
        if f.failure is None:
            texts.update(f.plan.texts())
    return texts


def placement_followup(cs: Changeset) -> str:
    """The follow-up of a placement round: every failure, as the model can act on it."""
    failures = cs.failures
    parts = [
        f"{len(failures)} of your edits could not be applied. Your other edits are placed "
        "and kept as they are: do not send them again.",
        *(f.for_model() for f in failures),
        "Send new edits for these changes only, in the same edit format, located against "
        "the files as shown in the repository above (not as your edits would leave them). "
        "An edit that overlaps one of your placed edits is refused.",
    ]
    return "\n\n---\n\n".join(parts)


def checks_followup(report: CheckReport, *, budget: int, encoding: str) -> str:
    """The follow-up of a checks round: the failing commands and their output, budgeted."""
    return (
        "I applied all of your edits in a scratch copy of the repository and ran the "
        f"project's checks. They failed ({report.failures} failure"
        f"{'s' * (report.failures != 1)}):\n\n"
        + report.for_model(budget=budget, encoding=encoding)
        + "\n\nFix the failures. Your edits are kept as they are; send only the further "
        "edits needed, in the same edit format, located against the files as shown in the "
        "repository above (not as your edits left them). An edit that overlaps one of your "
        "earlier edits is refused: to rework a file you already edited, send the whole file "
        "as it should be (a whole-file block); it replaces your earlier edits of that file."
    )


# -- the loop -----------------------------------------------------------------------------


CHECKS_BUDGET = 16_000
"""Most tokens a check report takes in a follow-up (less when the window has less room)."""


@dataclass
class _State:
    """One round's outcome, as the loop compares them."""

    result: Result
    edits: list[FileEdit]
    """The edits its changeset was made from (the merged ones after round 1)."""
    info: RoundInfo
    report: CheckReport | None = None


def run_rounds(
    assistant: Assistant,
    client: Client,
    plan: Plan,
    *,
    max_rounds: int,
    checker: Checker | None,
    cancel: threading.Event | None,
) -> Iterator[Event]:
    """Send ``plan``, then up to ``max_rounds`` repair rounds; yield the events of every
    round (a :class:`Round` before each follow-up) and one ``Finished`` last, with the best
    round's result (``rounds``, ``round`` and ``stopped`` set)."""
    from .session import Finished

    states: list[_State] = []
    current = plan
    reason: str = "first"
    previous: _State | None = None
    stopped = "off" if max_rounds <= 0 else "max-rounds"
    shared = 0
    while True:
        number = len(states) + 1
        captured: list[list[FileEdit]] = []
        sent: list[int] = []  # edits the answer itself holds
        combine = _combiner(previous, reason, number, captured, sent)
        result: Result | None = None
        try:
            for event in assistant._run(client, current, current.messages, cancel=cancel,
                                        parent_id=previous.result.session_id if previous
                                        else None, combine=combine):  # fmt: skip
                if isinstance(event, Finished):
                    result = event.result
                else:
                    yield event
        except BaseException:
            _failed(assistant, states, previous, number, reason, current, shared)
            raise
        assert result is not None, "a stream always ends with Finished"
        state = _measure(result, captured[-1] if captured else [], previous, reason, number,
                         current.prompt_tokens, shared, checker)  # fmt: skip
        states.append(state)
        assistant.sessions.record_round(state.info, request_id=states[0].result.session_id)
        if result.cancelled or result.truncated:
            stopped = "cancelled" if result.cancelled else "truncated"
            break
        if previous is not None and state.info.failures > previous.info.failures:
            stopped = "worse"
            break
        if state.info.failed == 0 and state.info.checks in (None, "passed"):
            stopped = "passed" if state.info.checks == "passed" else "placed"
            break
        if previous is not None and not sum(sent):
            stopped = "stuck"
            break
        if number > max_rounds:
            if max_rounds <= 0:
                stopped = "off"
            break
        if cancel is not None and cancel.is_set():  # stopped between two rounds
            stopped = "cancelled"
            break
        followup, kind = _followup(assistant, state, current, checker)
        extra = assistant._followup_tokens(result.answer, followup)
        nxt = _extended(current, result.answer, followup, extra)
        if nxt.prompt_tokens + nxt.max_output > nxt.backend.window:
            stopped = "window"
            break
        shared = current.prompt_tokens
        yield Round(number + 1, kind, state.info.failed, state.info.check_failures or 0,
                    shared, nxt.prompt_tokens)  # fmt: skip
        previous, current, reason = state, nxt, kind
    chosen = _chosen(states, stopped)
    assistant.sessions.end_rounds(states[0].result.session_id, stopped=stopped,
                                  taken=chosen.session_id)  # fmt: skip
    yield Finished(chosen)


def _failed(
    assistant: Assistant,
    states: Sequence[_State],
    previous: _State | None,
    number: int,
    reason: str,
    plan: Plan,
    shared: int,
) -> None:
    """Round ``number`` failed before it was measured: its session stays under its
    request in the history (round 1's failure is the request's own)."""
    if previous is not None:
        assistant.sessions.record_failed_round(
            request_id=states[0].result.session_id, previous=previous.result.session_id,
            number=number, reason=reason, prompt_tokens=plan.prompt_tokens,
            stable_prefix_tokens=shared,
        )  # fmt: skip


def _combiner(
    previous: _State | None,
    reason: str,
    number: int,
    captured: list[list[FileEdit]],
    sent: list[int],
) -> Callable[[list[FileEdit], list[str]], list[FileEdit]]:
    """The hook :meth:`Assistant._run` calls with a round's parsed edits and problems: the
    merged edits of the changeset after the round (kept in ``captured``; how many edits the
    answer held in ``sent``)."""

    def combine(edits: list[FileEdit], problems: list[str]) -> list[FileEdit]:
        sent.append(len(edits))
        if previous is None:
            merged = list(edits)
        else:
            problems[:] = [f"round {number}: {p}" for p in problems]
            kind: RoundReason = "checks" if reason == "checks" else "placement"
            merged = merge_edits(previous.edits, previous.result.changeset, edits,
                                 reason=kind, number=number, problems=problems)  # fmt: skip
            problems[:0] = [p for p in previous.result.problems if p not in problems]
        captured.append(merged)
        return merged

    return combine


def _measure(
    result: Result,
    edits: list[FileEdit],
    previous: _State | None,
    reason: str,
    number: int,
    prompt_tokens: int,
    shared: int,
    checker: Checker | None,
) -> _State:
    cs = result.changeset
    failed = len(cs.failures)
    fixed = 0
    if previous is not None:
        before = {(f.path, f.hunk) for f in previous.result.changeset.failures}
        now = {(f.path, f.hunk) for f in cs.failures}
        fixed = len(before - now)
    checks: str | None = None
    check_failures: int | None = None
    usable = not (result.cancelled or result.truncated)
    if checker is not None and failed == 0 and usable and len(cs):
        report = checker.check(proposed_texts(cs))
        checks = "passed" if report.passed else "failed"
        check_failures = 0 if report.passed else report.failures
    else:
        report = None
    info = RoundInfo(number, result.session_id, reason, failed, fixed, checks, check_failures,
                     prompt_tokens, shared, result.usage, result.cost, report)  # fmt: skip
    return _State(result, edits, info, report)


def _followup(
    assistant: Assistant, state: _State, plan: Plan, checker: Checker | None
) -> tuple[str, RoundReason]:
    if state.info.failed:
        return placement_followup(state.result.changeset), "placement"
    report = state.report
    assert report is not None, "a round without placement failures follows failed checks"
    backend = plan.backend
    answer = assistant._followup_tokens(state.result.answer, "")
    room = backend.window - plan.max_output - plan.prompt_tokens - answer - 256
    budget = max(256, min(CHECKS_BUDGET, room))
    return checks_followup(report, budget=budget, encoding=backend.encoding), "checks"


def _extended(plan: Plan, answer: str, followup: str, extra: int) -> Plan:
    """``plan`` with the answer and the follow-up appended: the same messages before them.
    The answer goes back by the provider's rule (:func:`assistant.model.history_message`:
    without its reasoning)."""
    from .model import history_message

    messages = (
        *plan.messages,
        history_message(answer),
        {"role": "user", "content": followup},
    )
    return dataclasses.replace(plan, messages=messages, prompt_tokens=plan.prompt_tokens + extra)


def _chosen(states: Sequence[_State], stopped: str) -> Result:
    """The best round's result (fewest failures, the earliest of equals; a cut-off or
    cancelled round only when it is the only one), with the loop's record on it."""
    usable = [s for s in states if not (s.result.cancelled or s.result.truncated)] or [states[-1]]
    best = min(usable, key=lambda s: s.info.failures)
    result = best.result
    result.rounds = tuple(s.info for s in states)
    result.round = best.info.number
    result.stopped = stopped
    return result
