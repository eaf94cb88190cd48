"""A check's output cut to its failing part, and the number of failures it reports (pure).

What a model needs from a failed check is the failures, not the progress dots. Each known
tool is recognised by its output (so ``make test`` running pytest is trimmed as pytest):

- pytest: from ``=== FAILURES ===`` (or ``=== ERRORS ===``) to the end, the short test
  summary included; ``N failed`` and ``N error(s)`` of the last summary line are counted;
- ruff, flake8, mypy: the findings (``path:line:col: ...``), counted (ruff's and mypy's
  ``Found N errors`` when they print it);
- cargo test (``test result: FAILED. … N failed``), go test (``--- FAIL:`` lines);
- anything else: its last lines.

The result is cut to ``limit`` characters (the head, where the first failure is, and the
tail, where the summary is); :meth:`assistant.checks.CheckReport.for_model` then fits all
runs into a token budget.
"""

from __future__ import annotations

import re

__all__ = ["failing_part", "trim"]

_PYTEST_SECTION = re.compile(r"^=+ (FAILURES|ERRORS) =+$", re.M)
_PYTEST_SUMMARY = re.compile(
    r"^=*\s*(?:\d+ (?:failed|passed|errors?|skipped|deselected|xfailed|xpassed|warnings?)"
    r"(?:, )?)+.* in [\d.]+s(?: \([^)]*\))?\s*=*$",
    re.M,
)
_PYTEST_COUNT = re.compile(r"(\d+) (failed|errors?)\b")
_FINDING = re.compile(r"^[^\s:][^:\n]*:\d+:(?:\d+:)? ", re.M)
_FOUND = re.compile(r"^Found (\d+) errors?\b", re.M)
_CARGO = re.compile(r"^test result: FAILED\..* (\d+) failed", re.M)
_GO_FAIL = re.compile(r"^\s*--- FAIL: ", re.M)
_TAIL_LINES = 60


def failing_part(output: str) -> tuple[str, int | None]:
    """The part of ``output`` that says what failed, and the failures it counts (None: the
    tool said no number)."""
    summaries = _PYTEST_SUMMARY.findall(output)
    if summaries:
        counted = sum(int(n) for n, _ in _PYTEST_COUNT.findall(summaries[-1]))
        section = _PYTEST_SECTION.search(output)
        part = output[section.start() :] if section else _tail(output)
        return part, counted
    if cargo := _CARGO.findall(output):
        return _tail(output), sum(int(n) for n in cargo)
    if go := _GO_FAIL.findall(output):
        return _tail(output), len(go)
    findings = [
        line for line in output.splitlines() if _FINDING.match(line) and ": note:" not in line
    ]
    if findings:
        found = _FOUND.findall(output)
        counted = int(found[-1]) if found else len(findings)
        kept = [ln for ln in output.splitlines() if _FINDING.match(ln) or _FOUND.match(ln)]
        return "\n".join(kept) + "\n", counted
    return _tail(output), None


def _tail(output: str) -> str:
    lines = output.rstrip("\n").splitlines()
    if len(lines) <= _TAIL_LINES:
        return "\n".join(lines) + "\n"
    return f"… ({len(lines) - _TAIL_LINES} lines before)\n" + "\n".join(lines[-_TAIL_LINES:]) + "\n"


def trim(output: str, *, passed: bool, limit: int) -> tuple[str, int]:
    """The output to keep (at most about ``limit`` characters) and the failures counted:
    0 when the command passed, else the tool's number, or 1 when it gave none."""
    if passed:
        return _cut(_tail(output), limit), 0
    part, counted = failing_part(output)
    return _cut(part, limit), counted if counted else 1


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head
    skipped = text[head : len(text) - tail].count("\n")
    return f"{text[:head]}\n… ({skipped} lines cut) …\n{text[len(text) - tail :]}"
