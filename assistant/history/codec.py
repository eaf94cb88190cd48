"""The one mapping between a session's values and the store's named rows.

:class:`~assistant.history.values.Result`, :class:`~assistant.model.Usage` and
:class:`~assistant.store.Decision` on one side; the rows of :mod:`assistant.store`
(``sessions``, ``manifests``, ``answers``, ``usage``, ``changesets``, ``decisions``) on the
other. Saving and loading both go through here, field by field, so a field added to one
side is added here once. Pure: no SQLite, no disk.

Where a field and a column mean the same thing they have the same name (the usage
columns are the :class:`Usage` fields); the rest is listed below: ``Result.answer`` is
``answers.text``, ``Result.manifest`` is ``sessions.encoding/budget/tokens`` and the
``manifests`` rows, ``originals``/``bases``/``stale`` are the ``changesets.sources`` JSON,
``cancelled`` is the ``cancelled`` status, and the review state of the changeset is the
``decisions`` rows, numbered after the splits of ``changesets.splits`` (replayed on load,
:func:`replay_splits`, before the decisions are put back).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..edits import Changeset, FileEdit, HunkState
from ..errors import ReviewError
from ..store import ApplyRow, Decision, Row, SessionRows, edits_from_json, edits_to_json
from .status import apply_state, session_status
from .values import (
    ApplyStatus,
    Manifest,
    ManifestEntry,
    Result,
    RoundInfo,
    RoundSummary,
    SessionSummary,
)

if TYPE_CHECKING:
    from ..checks import CheckReport
    from ..model import Usage

__all__ = [
    "ANSWER_FIELDS",
    "apply_statuses",
    "decisions",
    "finish_rows",
    "manifest_rows",
    "replay_splits",
    "restore_decisions",
    "result_from_rows",
    "round_from_row",
    "round_row",
    "round_summary",
    "session_row",
    "summary_from_row",
    "usage_from_row",
    "usage_row",
]

ANSWER_FIELDS = ("finish_reason", "truncated", "continuations", "retries", "reasoning")
"""``Result`` fields kept in ``answers`` under their own names (``text`` is the answer)."""


# -- values to rows -------------------------------------------------------------------------


def session_row(
    *,
    task: str,
    backend: str,
    model: str,
    manifest: Manifest,
    paths: Sequence[str] | None,
    edit_format: str,
    parent_id: int | None,
    message: str | None = None,
) -> Row:
    """The ``sessions`` row of a request about to be sent."""
    return {
        "task": task, "backend": backend, "model": model, "encoding": manifest.encoding,
        "budget": manifest.budget, "tokens": manifest.tokens,
        "paths": None if paths is None else json.dumps(list(paths)),
        "edit_format": edit_format, "parent_id": parent_id, "message": message,
    }  # fmt: skip


def manifest_rows(manifest: Manifest) -> list[Row]:
    return [dataclasses.asdict(e) for e in manifest.entries]


def usage_row(usage: Usage, cost: float | None) -> Row:
    """The ``usage`` row: every :class:`Usage` field under its name, and the cost."""
    return {**dataclasses.asdict(usage), "cost": cost}


def finish_rows(result: Result, edits: Sequence[FileEdit]) -> dict[str, Row | None]:
    """The ``answers``, ``usage`` and ``changesets`` rows of a finished result; ``edits``
    are the parsed edits its changeset was made from, kept as parsed."""
    return {
        "answer": {"text": result.answer, **{k: getattr(result, k) for k in ANSWER_FIELDS}},
        "usage": None if result.usage is None else usage_row(result.usage, result.cost),
        "changeset": {
            "edits": edits_to_json(edits),
            "sources": json.dumps(
                {"texts": result.originals, "bases": result.bases, "stale": list(result.stale)}
            ),
            "problems": json.dumps(list(result.problems)),
        },
    }


def round_row(info: RoundInfo, *, request_id: int) -> Row:
    """The ``rounds`` row of a measured round (its check report as JSON)."""
    report = None if info.report is None else json.dumps(info.report.as_data())
    return {
        "request_id": request_id, "number": info.number, "reason": info.reason,
        "failed": info.failed, "fixed": info.fixed, "checks": info.checks,
        "check_failures": info.check_failures, "prompt_tokens": info.prompt_tokens,
        "stable_prefix_tokens": info.stable_prefix_tokens, "report": report,
    }  # fmt: skip


def decisions(cs: Changeset) -> list[Decision]:
    """The review state of every hunk, as ``decisions`` rows."""
    return [Decision(f.path, h.index, str(h.state)) for f in cs for h in f.hunks]


# -- rows to values -------------------------------------------------------------------------


def usage_from_row(row: Mapping[str, Any] | None) -> Usage | None:
    from ..model import Usage

    if row is None:
        return None
    kinds = {"int": int, "bool": bool}  # SQLite hands back 0/1 for a bool column
    return Usage(**{f.name: kinds[str(f.type)](row[f.name]) for f in dataclasses.fields(Usage)})


def _round_usage(row: Mapping[str, Any]) -> Usage | None:
    """The usage of a round's session, from the ``usage_*`` columns of a ``rounds`` row."""
    if row.get("usage_prompt_tokens") is None:
        return None
    return usage_from_row({k[len("usage_") :]: v for k, v in row.items() if k.startswith("usage_")})


def _report(text: str | None) -> CheckReport | None:
    from ..checks import CheckReport

    return None if not text else CheckReport.from_data(json.loads(text))


def round_from_row(row: Mapping[str, Any]) -> RoundInfo:
    """A stored round (a ``rounds`` row with its session's usage) as its :class:`RoundInfo`;
    a round that failed before it was measured has 0 failed and fixed hunks."""
    return RoundInfo(
        number=int(row["number"]), session_id=int(row["session_id"]), reason=row["reason"],
        failed=int(row["failed"] or 0), fixed=int(row["fixed"] or 0), checks=row["checks"],
        check_failures=row["check_failures"], prompt_tokens=int(row["prompt_tokens"]),
        stable_prefix_tokens=int(row["stable_prefix_tokens"]), usage=_round_usage(row),
        cost=row.get("usage_cost"), report=_report(row.get("report")),
    )  # fmt: skip


def round_summary(row: Mapping[str, Any]) -> RoundSummary:
    """One round under its request in ``tome history`` (the row has its ``applies``)."""
    usage = _round_usage(row)
    applies: Sequence[ApplyRow] = row.get("applies", ())
    return RoundSummary(
        number=int(row["number"]), session_id=int(row["session_id"]), reason=row["reason"],
        status=session_status(row["status"], applies, declined=False),
        failed=row["failed"], fixed=row["fixed"], checks=row["checks"],
        check_failures=row["check_failures"],
        prompt_tokens=None if usage is None else usage.prompt_tokens,
        cached_tokens=None if usage is None else usage.cache_hit_tokens,
        output_tokens=None if usage is None else usage.completion_tokens,
        cost=row.get("usage_cost"), taken=bool(row["taken"]), files=_files(row.get("edits")),
    )  # fmt: skip


def _files(edits: str | None) -> int:
    """Files a changeset's stored edits (JSON) touch."""
    return len({e["path"] for e in json.loads(edits)}) if edits else 0


def restore_decisions(cs: Changeset, rows: Sequence[Decision]) -> None:
    """Put the recorded state back on each hunk (a failed hunk stays failed)."""
    for d in rows:
        try:
            h = cs[d.path].hunk(d.hunk)
        except KeyError:
            continue
        if h.state != HunkState.FAILED:
            h.state = HunkState(d.state)


def replay_splits(cs: Changeset, log: Sequence[Sequence[Any]]) -> set[str]:
    """Split the hunks again as the review split them (``[path, hunk, lines, pieces]``, in
    order): the same located text splits into the same pieces, so the recorded decisions
    name the same hunks. The paths where a split no longer gives the recorded pieces (the
    hunk had been edited by hand before it was split: edits are not recorded); their
    decisions would land on other lines, so they are not restored."""
    lost: set[str] = set()
    for path, hunk, lines, pieces in log:
        if path in lost:
            continue
        try:
            made = cs[path].split(int(hunk), lines=bool(lines))
        except ReviewError:
            made = 0
        if made != int(pieces):
            lost.add(path)
    return lost


def result_from_rows(rows: SessionRows) -> Result:
    """A stored session as the :class:`Result` it was (review state as it was left)."""
    s, answer, change = rows.session, rows.answer, rows.changeset
    sources: dict[str, Any] = json.loads(change["sources"]) if change else {}
    texts: dict[str, str] = dict(sources.get("texts", {}))
    edits = edits_from_json(change["edits"]) if change else []
    cs = Changeset.from_edits(texts, edits)
    lost = replay_splits(cs, json.loads(change.get("splits") or "[]") if change else [])
    restore_decisions(cs, [d for d in rows.decisions if d.path not in lost])
    manifest = Manifest(
        tuple(
            ManifestEntry(m["path"], m["blob_sha"], m["tier"], int(m["tokens"]))
            for m in rows.manifest
        ),
        s["tokens"],
        s["encoding"],
        s["budget"],
    )
    return Result(
        session_id=int(s["id"]),
        task=s["task"],
        manifest=manifest,
        answer=answer["text"] if answer else "",
        usage=usage_from_row(rows.usage),
        cost=rows.usage["cost"] if rows.usage else None,
        changeset=cs,
        truncated=bool(answer["truncated"]) if answer else True,
        backend=s["backend"],
        model=s["model"],
        edit_format=s["edit_format"],
        paths=None if s["paths"] is None else tuple(json.loads(s["paths"])),
        cancelled=s["status"] == "cancelled",
        problems=tuple(json.loads(change["problems"])) if change else (),
        originals=texts,
        bases=dict(sources.get("bases", {})),
        stale=tuple(sources.get("stale", ())),
        parent_id=s["parent_id"],
        message=s["message"],
        finish_reason=answer["finish_reason"] if answer else None,
        continuations=int(answer["continuations"]) if answer else 0,
        retries=int(answer["retries"]) if answer else 0,
        reasoning=answer["reasoning"] if answer else "",
        **_loop_of(rows.rounds, int(s["id"])),
    )


def _loop_of(rounds: Sequence[Row], session_id: int) -> dict[str, Any]:
    """The ``Result`` fields of the loop a loaded session is a round of: every round, this
    one's number, why the loop stopped (nothing when it had one round and no checks)."""
    if not rounds or (len(rounds) == 1 and rounds[0]["report"] is None):
        return {}
    number = next((int(r["number"]) for r in rounds if r["session_id"] == session_id), 1)
    return {"rounds": tuple(round_from_row(r) for r in rounds), "round": number,
            "stopped": rounds[0]["stopped"]}  # fmt: skip


def apply_statuses(applies: Sequence[ApplyRow]) -> tuple[ApplyStatus, ...]:
    return tuple(ApplyStatus(a.id, apply_state(a), a.paths, a.commit, a.created) for a in applies)


def summary_from_row(
    row: Mapping[str, Any], applies: Sequence[ApplyRow], rounds: Sequence[Row] = ()
) -> SessionSummary:
    """One line of the history from a ``sessions`` row (with ``edits`` and ``cost``); with
    ``rounds`` (its loop's, more than one), the rounds nested under it, and the status and
    files the request's: its taken round's (the changeset the user got: applied, declined)."""
    listed = tuple(round_summary(r) for r in rounds) if len(rounds) > 1 else ()
    status = session_status(row["status"], applies, declined=row["declined"] is not None)
    taken = next((r for r in listed if r.taken and r.session_id != row["id"]), None)
    return SessionSummary(
        session_id=int(row["id"]),
        task=row["task"],
        backend=row["backend"],
        model=row["model"],
        created=row["created"],
        status=taken.status if taken is not None else status,  # the request's outcome
        files=taken.files if taken is not None else _files(row["edits"]),  # what the user got
        tokens=row["tokens"],
        cost=row["cost"],
        parent_id=row["parent_id"],
        applies=apply_statuses(applies),
        error=row["error"],
        message=row.get("message"),
        batch=f"{row['batch']}/{row['batch_task']}" if row.get("batch") else None,
        rounds=listed,
        stopped=rounds[0]["stopped"] if len(rounds) > 1 else None,
    )
