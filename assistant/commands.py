"""A check command and how it runs: in a folder, with a timeout, its whole process group.

A :class:`Command` is either a line the user wrote (``--test-cmd``, ``test_cmd`` in a
trusted config), run by the shell as they would type it, or an argv tome chose itself
(:mod:`assistant.detect`), run without a shell. :func:`run_command` runs one in the
scratch tree (:mod:`assistant.scratch`) with stdin closed and stdout and stderr together
in a temporary file (a pipe would block a chatty test, and a grandchild holding it open
would keep a reader waiting after the kill). It runs in a session of its own: at the
timeout, on an interrupt, and after it ends (a test that left a server behind), its process
group gets SIGTERM, then SIGKILL after :data:`GRACE` seconds.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

__all__ = ["GRACE", "Command", "Finished", "run_command"]

GRACE = 2.0
"""Seconds between SIGTERM and SIGKILL for a command's process group."""
_KEEP_BYTES = 1 << 20  # of a longer output, the last MiB is read (failures sit at the end)


@dataclass(frozen=True)
class Command:
    """One check: what it is for, how it runs, and who chose it."""

    name: str
    """``"test"`` or ``"lint"``."""
    line: str
    """As shown (and, without ``argv``, as run by the shell)."""
    argv: tuple[str, ...] | None = None
    """Run without a shell when set (commands tome chose)."""
    origin: str = ""
    """Who chose it: ``--test-cmd``, ``config``, ``detected: pyproject.toml [tool.pytest]``."""

    @classmethod
    def fixed(cls, name: str, argv: tuple[str, ...], origin: str) -> Command:
        return cls(name, shlex.join(argv), argv, origin)


@dataclass(frozen=True)
class Finished:
    """How a command ended: exit status (None: stopped at the timeout), output, time."""

    returncode: int | None
    output: str
    seconds: float


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the command's process group, SIGKILL what is left after the grace."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=GRACE)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=GRACE)


def _leftovers(pgid: int) -> None:
    """Kill what a finished command left running in its group (a background server)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _tail(fh: IO[bytes]) -> str:
    size = fh.seek(0, os.SEEK_END)
    fh.seek(max(0, size - _KEEP_BYTES))
    data = fh.read()
    text = data.decode("utf-8", "replace")
    if size > _KEEP_BYTES:
        text = f"… ({size - _KEEP_BYTES:,} bytes of output before this left out)\n" + text
    return text


def run_command(
    command: Command, cwd: Path, *, timeout: float, env: Mapping[str, str] | None = None
) -> Finished:
    """Run ``command`` in ``cwd`` to its end or its timeout (see the module), in ``env``
    (default: tome's own environment)."""
    started = time.monotonic()
    with tempfile.NamedTemporaryFile(prefix="tome-check-") as out:
        try:
            proc = subprocess.Popen(
                list(command.argv) if command.argv is not None else command.line,
                shell=command.argv is None,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                env=None if env is None else dict(env),
            )
        except OSError as exc:
            what = command.argv[0] if command.argv else command.line
            return Finished(
                127, f"tome: cannot run {what}: {exc.strerror} (is it installed?)\n",
                time.monotonic() - started,
            )  # fmt: skip
        returncode: int | None
        try:
            returncode = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            returncode = None
        except BaseException:  # an interrupt: nothing of the command outlives tome
            _stop(proc)
            raise
        _leftovers(proc.pid)
        seconds = time.monotonic() - started
        output = _tail(out)
    if returncode is None:
        output += f"\ntome: stopped after {timeout:g} s (check_timeout)\n"
    return Finished(returncode, output, seconds)
