"""What a check of a proposed changeset reports: the values the repair rounds and verify share.

A *checker* takes the new texts a changeset would write (``{path: text}``, None: the file
is removed) and runs the project's checks on them somewhere that is not the user's working
tree; it returns a :class:`CheckReport`. The repair rounds (:mod:`assistant.session`) only
read ``passed``, ``failures`` and :meth:`CheckReport.for_model`; how the checks run (scratch
worktree, commands, baseline) is :mod:`assistant.verify`'s business.

    report = checker.check(changeset.result())
    if not report.passed:
        followup = report.for_model(budget=4_000, encoding="o200k_base")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

WHOLE_LIMIT = 256 * 1024
"""Most characters of a command's whole output a report keeps (the end: failures and the
summary sit there); the history stores it for the Review screen's Checks view."""


@dataclass(frozen=True)
class CheckRun:
    """One command of a check, run once."""

    name: str
    """What it checks: ``"test"`` or ``"lint"``."""
    command: str
    returncode: int | None
    """None: it was stopped at its timeout."""
    output: str
    """Its output, already trimmed to the failing part."""
    seconds: float
    failures: int = 0
    """Failing tests or lint findings it reported (1 when it failed and said no number)."""
    whole: str = ""
    """Its output as it came (the last :data:`WHOLE_LIMIT` characters of it), to be read
    whole; empty when it is :attr:`output`."""

    @property
    def passed(self) -> bool:
        return self.returncode == 0

    @property
    def full(self) -> str:
        """The output to read whole (:attr:`whole`, else :attr:`output`)."""
        return self.whole or self.output

    def as_data(self) -> dict[str, Any]:
        """Plain data (``--json``, the history); :meth:`from_data` reads it back."""
        return {
            "name": self.name, "command": self.command, "returncode": self.returncode,
            "timed_out": self.returncode is None, "failures": self.failures,
            "seconds": round(self.seconds, 3), "output": self.output, "whole": self.whole,
        }  # fmt: skip

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> CheckRun:
        code = d.get("returncode")
        return cls(str(d["name"]), str(d["command"]), None if code is None else int(code),
                   str(d.get("output", "")), float(d.get("seconds", 0.0)),
                   int(d.get("failures", 0)), str(d.get("whole", "")))  # fmt: skip


@dataclass(frozen=True)
class CheckReport:
    """Every command of one check, with what failed before the edit set aside."""

    runs: tuple[CheckRun, ...]
    baseline_failures: int = 0
    """Failures the untouched tree already had (not blamed on the edit)."""
    baseline: tuple[CheckRun, ...] = ()
    """The commands as they ran on the untouched tree (empty: the baseline did not run, or
    its count came from the cache)."""

    @property
    def passed(self) -> bool:
        """No new failures: every command passed, or failed no worse than the baseline."""
        return self.failures <= self.baseline_failures

    @property
    def failures(self) -> int:
        """Failures of every command together: lower is better (a round that raises it made
        things worse)."""
        return sum(r.failures or (0 if r.passed else 1) for r in self.runs)

    def as_data(self) -> dict[str, Any]:
        """Plain data (``--json``, the history); :meth:`from_data` reads it back."""
        return {
            "passed": self.passed,
            "failures": self.failures,
            "baseline_failures": self.baseline_failures,
            "runs": [r.as_data() for r in self.runs],
            "baseline": [r.as_data() for r in self.baseline],
        }

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> CheckReport:
        return cls(
            tuple(CheckRun.from_data(r) for r in d.get("runs", ())),
            int(d.get("baseline_failures", 0)),
            tuple(CheckRun.from_data(r) for r in d.get("baseline", ())),
        )

    def for_model(self, *, budget: int, encoding: str) -> str:
        """The failing commands and their output, as a follow-up message for the model,
        within ``budget`` tokens of ``encoding`` (output cut from the middle of the longest
        first)."""
        from .tokens import count

        failing = [r for r in self.runs if not r.passed]
        parts = [
            f"$ {r.command}\n(exit {r.returncode if r.returncode is not None else 'timeout'})"
            f"\n{r.output.rstrip()}"
            for r in failing
        ]
        text = "\n\n".join(parts)
        while parts and count(text, encoding) > budget:
            longest = max(range(len(parts)), key=lambda i: len(parts[i]))
            body = parts[longest]
            keep = len(body) * 3 // 8
            if keep < 200:
                parts[longest] = body[:200] + "\n…"
            else:
                parts[longest] = body[:keep] + "\n… (output cut) …\n" + body[-keep:]
            new = "\n\n".join(parts)
            if new == text:
                break
            text = new
        return text


class Checker(Protocol):
    """Runs the project's checks on the texts a changeset would write."""

    def check(self, texts: Mapping[str, str | None]) -> CheckReport: ...
