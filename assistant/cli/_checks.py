"""The checks of ``tome ask``: ``--verify``, ``--test-cmd``, ``--lint-cmd`` (:mod:`assistant.verify`).

The commands are chosen, and shown, before the request is sent (a missing command or a
project command waiting for ``tome trust`` is said before anything is paid for). The repair
rounds (:mod:`assistant.rounds`) run them on each round's changeset in the scratch tree;
the final changeset's results are printed before the apply prompt (and are in ``--json``). ``--apply --yes`` does not apply a changeset whose checks fail with
new failures. The output is the project's (untrusted): escaped for the terminal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..display import safe
from ..rounds import proposed_texts
from ..verify import NOTHING_TO_RUN, Verifier, choose, report_json

if TYPE_CHECKING:
    from ..checks import CheckReport
    from ..config import Settings
    from ..session import Result

_SHOWN_LINES = 40  # of one failing command's output, on the terminal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verify",
        action="store_true",
        help="run the project's tests and lint on the edits in a scratch checkout first "
        "(configured test_cmd/lint_cmd, else detected: pytest, ruff, cargo, go, npm, make)",
    )
    parser.add_argument(
        "--test-cmd", metavar="CMD", help="with the edits in a scratch checkout, run CMD (shell)"
    )
    parser.add_argument(
        "--lint-cmd", metavar="CMD", help="with the edits in a scratch checkout, run CMD (shell)"
    )


def verifier_of(args: argparse.Namespace, settings: Settings, root: Path) -> Verifier | None:
    """The checker the flags ask for (None: none asked, or nothing to run), what it will run
    and what it leaves out shown on stderr."""
    if not (args.verify or args.test_cmd or args.lint_cmd):
        return None
    choice = choose(
        settings, root, test_cmd=args.test_cmd, lint_cmd=args.lint_cmd, detect=args.verify
    )
    for note in choice.notes:
        how = "; give one with --test-cmd or --lint-cmd" if note == NOTHING_TO_RUN else ""
        print(f"tome: checks: {safe(note)}{how}", file=sys.stderr)
    for command in choice.commands:
        print(f"tome: checks: {command.name}: {safe(command.line)} ({command.origin})",
              file=sys.stderr)  # fmt: skip
    if not choice.commands:
        return None
    return Verifier(root, choice.commands, timeout=settings.check_timeout, notes=choice.notes)


def check_once(verifier: Verifier | None, result: Result) -> CheckReport | None:
    """The checks of what ``--apply`` would write (the repair loop's last check when it ran
    one: the verifier keeps it), or None when there is nothing to check."""
    cs = result.changeset
    if verifier is None or not len(cs) or result.truncated or result.cancelled:
        return None
    if cs.failures:
        print(f"tome: checks: not run, {len(cs.failures)} hunk(s) do not place", file=sys.stderr)
        return None
    print("tome: checks: in a scratch checkout of the current tree …", file=sys.stderr,
          flush=True)  # fmt: skip
    return verifier.check(proposed_texts(cs))


def as_json(report: CheckReport | None) -> dict[str, Any]:
    """``{"checks": ...}`` for the ``--json`` report (nothing when no check ran)."""
    return {} if report is None else {"checks": report_json(report)}


def shown_and_refused(report: CheckReport | None, result: Result, *, yes: bool) -> bool:
    """Print the results (stderr); True when ``--apply --yes`` must not apply (new failures)."""
    if report is None:
        return False
    print("\n".join(report_lines(report)), file=sys.stderr)
    if yes and not report.passed:
        print("tome: --yes does not apply edits that fail their checks; nothing was written "
              f"(tome review --session {result.session_id})", file=sys.stderr)  # fmt: skip
        return True
    return False


def report_lines(report: CheckReport) -> list[str]:
    """One line per command (and the failing part of its output), then the verdict."""
    lines: list[str] = []
    for run in report.runs:
        if run.returncode is None:
            state = "timed out"
        elif run.passed:
            state = "passed"
        else:
            state = f"failed ({run.failures} failure{'s' * (run.failures != 1)})"
        lines.append(f"tome: check {run.name}: {state} in {run.seconds:.1f} s: {safe(run.command)}")
        if not run.passed:
            body = run.output.rstrip("\n").splitlines()
            if len(body) > _SHOWN_LINES:
                body = [f"… ({len(body) - _SHOWN_LINES} lines before)", *body[-_SHOWN_LINES:]]
            lines += [f"  | {safe(line)}" for line in body]
    if report.passed and report.baseline_failures:
        lines.append(
            f"tome: checks: no new failures ({report.baseline_failures} already failed "
            "on the tree as it is)"
        )
    elif report.passed:
        lines.append("tome: checks passed")
    else:
        new = report.failures - report.baseline_failures
        base = f" ({report.baseline_failures} before the edit)" if report.baseline_failures else ""
        lines.append(f"tome: checks fail: {new} new failure{'s' * (new != 1)}{base}")
    return lines
