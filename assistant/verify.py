"""Verify: a changeset's checks (tests, lint) run in a scratch tree before the user's is touched.

:class:`Verifier` is the :class:`~assistant.checks.Checker` the CLI and the repair rounds
use::

    verifier = verify.checker(settings, root, test_cmd="pytest -q", detect=False)
    report = verifier.check(changeset_texts)       # {path: new text, None: removed}

One check: snapshot the user's current tree and reset the scratch to it
(:mod:`assistant.scratch`), write the texts there (confined as an apply is), run each
command with the timeout ``check_timeout`` (:mod:`assistant.commands`), keep the failing
part of each output (:mod:`assistant.trim`). When something failed, the same commands run
on the untouched snapshot too (the *baseline*), cached by tree sha and commands in the
user cache, so failures that were there before are not blamed on the edit
(:attr:`~assistant.checks.CheckReport.baseline_failures`; its runs, for the Review screen's
Checks view, in :attr:`~assistant.checks.CheckReport.baseline`). A check that passes needs no
baseline, so the common case costs one run.

**Which commands, and who may choose them** (:func:`choose`): ``--test-cmd``/``--lint-cmd``
(the user's explicit choice), else ``test_cmd``/``lint_cmd`` from the settings (the user's
config or ``TOME_*``; a project's ``.tome.toml`` counts only after ``tome trust``, see
:mod:`assistant.config`: until then it is named in :attr:`Choice.notes` and not run), else,
with ``detect`` (``--verify``), the commands :mod:`assistant.detect` recognises. Nothing
runs unless the caller asked on this invocation (``--verify``, ``--test-cmd``,
``--lint-cmd``): a repository cannot make tome run anything by itself.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import fsio
from .checks import WHOLE_LIMIT, CheckReport, CheckRun
from .commands import Command, Finished, run_command
from .config import untrusted_commands
from .detect import detect as detect_commands
from .errors import AssistantError, NotRegularFile
from .paths import cache_dir
from .scratch import Scratch, Snapshot, open_scratch
from .trim import trim

if TYPE_CHECKING:
    from .config import Settings

__all__ = [
    "NOTHING_TO_RUN",
    "Choice",
    "Verifier",
    "checker",
    "choose",
    "report_json",
]

NOTHING_TO_RUN = (
    "no test or lint command configured or detected (pytest, ruff, flake8 config; "
    "Cargo.toml; go.mod; package.json scripts; a Makefile test target)"
)
"""The note of a ``detect`` choice that found nothing. It names no option: each front end
adds how to give a command (``--test-cmd``, or the TUI's options)."""

OUTPUT_TOKENS = 3_000
"""About how many tokens of one command's output a report keeps (4 characters a token)."""
_BASELINE_VERSION = "2"  # 2: the runs are kept, not only their failures


@dataclass(frozen=True)
class Choice:
    """The commands a check will run, and what was left out (to show before running)."""

    commands: tuple[Command, ...]
    notes: tuple[str, ...] = ()


def choose(
    settings: Settings,
    root: Path,
    *,
    test_cmd: str | None = None,
    lint_cmd: str | None = None,
    detect: bool = False,
) -> Choice:
    """The commands for a check: explicit, else configured (trusted), else detected."""
    notes: list[str] = []
    left_out = untrusted_commands(root)
    if left_out is not None:
        path, named = left_out
        said = ", ".join(f"{k} = {v!r}" for k, v in sorted(named.items()))
        notes.append(
            f"{path} sets {said}; not run: that file came with the repository. Read it and "
            f"run 'tome trust' in {path.parent} to use it"
        )
    chosen: dict[str, Command] = {}
    for name, flag, configured in (
        ("test", test_cmd, settings.test_cmd),
        ("lint", lint_cmd, settings.lint_cmd),
    ):
        if flag:
            chosen[name] = Command(name, flag, None, f"--{name}-cmd")
        elif configured:
            chosen[name] = Command(name, configured, None, f"{name}_cmd in config")
    if detect:
        for found in detect_commands(root):
            chosen.setdefault(found.name, found)
        if not chosen:
            notes.append(NOTHING_TO_RUN)
    order = {"test": 0, "lint": 1}
    return Choice(tuple(sorted(chosen.values(), key=lambda c: order[c.name])), tuple(notes))


def checker(
    settings: Settings,
    root: Path,
    *,
    test_cmd: str | None = None,
    lint_cmd: str | None = None,
    detect: bool = False,
) -> Verifier | None:
    """The checker for these settings and CLI choices, or None when there is nothing to run.
    (:attr:`Verifier.notes` says what was left out and why.)"""
    choice = choose(settings, root, test_cmd=test_cmd, lint_cmd=lint_cmd, detect=detect)
    if not choice.commands:
        return None
    return Verifier(root, choice.commands, timeout=settings.check_timeout, notes=choice.notes)


class Verifier:
    """Runs ``commands`` on a changeset in the scratch tree of ``root``'s repository."""

    def __init__(
        self,
        root: Path,
        commands: Sequence[Command],
        *,
        timeout: float = 300.0,
        output_tokens: int = OUTPUT_TOKENS,
        notes: Sequence[str] = (),
        baseline: bool = True,
    ) -> None:
        self.root = Path(root)
        self.commands = tuple(commands)
        self.timeout = timeout
        self.output_tokens = output_tokens
        self.notes = tuple(notes)
        self.baseline = baseline
        self._memo: dict[str, CheckReport] = {}
        self.timings: dict[str, float] = {}
        """Seconds of the last check by stage: ``snapshot`` (the current tree as objects),
        ``checkout`` (the scratch reset to it), ``apply``, ``commands``, ``baseline`` (0 when
        cached or not needed)."""

    def check(self, texts: Mapping[str, str | None]) -> CheckReport:
        """Run the commands on the current tree with ``texts`` written over it.

        A verifier serves one request: texts it has checked already give the same report
        without running again (the repair loop checks the final changeset, and the CLI
        then shows that very report)."""
        key = hashlib.sha256(json.dumps(sorted(texts.items())).encode()).hexdigest()
        if key not in self._memo:
            self._memo[key] = self._check(texts)
        return self._memo[key]

    def _check(self, texts: Mapping[str, str | None]) -> CheckReport:
        timings = dict.fromkeys(("snapshot", "checkout", "apply", "commands", "baseline"), 0.0)
        self.timings = timings
        started = time.monotonic()
        with open_scratch(self.root) as scratch:
            snapshot = scratch.snapshot()
            timings["snapshot"] = time.monotonic() - started
            started = time.monotonic()
            scratch.reset(snapshot)
            scratch.link_environments()
            timings["checkout"] = time.monotonic() - started
            started = time.monotonic()
            scratch.write(texts)
            timings["apply"] = time.monotonic() - started
            started = time.monotonic()
            runs = self._run_all(scratch)
            timings["commands"] = time.monotonic() - started
            report = CheckReport(runs)
            if report.failures and self.baseline:
                started = time.monotonic()
                base = self._baseline(scratch, snapshot)
                timings["baseline"] = time.monotonic() - started
                report = _with_baseline(runs, base)
        return report

    def _run_all(self, scratch: Scratch) -> tuple[CheckRun, ...]:
        env = scratch.environ()
        return tuple(self._run(c, run_command(c, scratch.path, timeout=self.timeout, env=env))
                     for c in self.commands)  # fmt: skip

    def _run(self, command: Command, done: Finished) -> CheckRun:
        output, failures = trim(
            done.output, passed=done.returncode == 0, limit=self.output_tokens * 4
        )
        whole = "" if done.output == output else _whole(done.output)
        return CheckRun(command.name, command.line, done.returncode, output, done.seconds,
                        failures, whole)  # fmt: skip

    def _baseline(self, scratch: Scratch, snapshot: Snapshot) -> CheckReport:
        """The commands on the untouched tree (its runs, its failures), cached by tree sha
        and commands."""
        key = _baseline_key(snapshot.tree, self.commands, self.timeout)
        cached = _read_baseline(key)
        if cached is not None:
            return cached
        scratch.reset(snapshot)
        report = CheckReport(self._run_all(scratch))
        _write_baseline(key, report)
        return report


def _with_baseline(runs: tuple[CheckRun, ...], base: CheckReport) -> CheckReport:
    """The report of ``runs`` with the untouched tree's failures (and runs) set aside."""
    return CheckReport(runs, baseline_failures=base.failures, baseline=base.runs)


def _whole(output: str) -> str:
    """``output`` to be read whole, its end kept when it is longer than the limit."""
    if len(output) <= WHOLE_LIMIT:
        return output
    cut = len(output) - WHOLE_LIMIT
    return f"… ({cut:,} characters before this left out)\n" + output[cut:]


def _baseline_key(tree: str, commands: Sequence[Command], timeout: float) -> str:
    what = json.dumps([_BASELINE_VERSION, tree, [c.line for c in commands], timeout])
    return hashlib.sha256(what.encode()).hexdigest()


def _baseline_file(key: str) -> Path:
    return cache_dir() / "verify" / "baseline" / f"{key}.json"


def _read_baseline(key: str) -> CheckReport | None:
    try:
        doc = json.loads(fsio.read_regular(_baseline_file(key), limit=4 << 20))
        report = CheckReport.from_data(doc) if isinstance(doc, dict) else None
    except (OSError, NotRegularFile, ValueError, KeyError, TypeError):
        return None
    return report  # the user's own cache: what it says is what ran


def _write_baseline(key: str, report: CheckReport) -> None:
    path = _baseline_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fsio.atomic_write(path, json.dumps(report.as_data()).encode())
    except (OSError, AssistantError):
        pass  # the cache is an accelerator: the next check runs the baseline again


def report_json(report: CheckReport) -> dict[str, Any]:
    """A report as plain data (``--json``)."""
    return report.as_data()
