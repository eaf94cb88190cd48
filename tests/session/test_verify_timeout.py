"""A check command that outlives ``check_timeout``, or a check interrupted, stops with its
whole process group (what it started in the background too), and the user's tree is as it
was, byte for byte."""

from __future__ import annotations

import fcntl
import threading
import time
from pathlib import Path

import pytest
from verifykit import PACKAGE, fingerprint

from assistant import verify
from assistant.commands import Command

# a child that holds a lock on ``held`` and sleeps: the lock frees when it dies
_HOLDER = (
    "python3 -c \"import fcntl,sys,time; f=open(sys.argv[1],'w'); "
    "fcntl.flock(f, fcntl.LOCK_EX); open(sys.argv[2],'w').close(); time.sleep(600)\" "
    "{held} {ready}"
)


def _freed(held: Path) -> bool:
    """Whether the lock on ``held`` can be taken within 20 s (its holder died)."""
    got: list[bool] = []

    def take() -> None:
        with held.open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            got.append(True)

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    thread.join(20)
    return bool(got)


def test_a_command_past_its_timeout_is_stopped_with_its_children(make_repo, tmp_path: Path) -> None:
    root = make_repo(PACKAGE)
    held, ready = tmp_path / "held", tmp_path / "ready"
    line = _HOLDER.format(held=held, ready=ready) + " & sleep 600"
    before = fingerprint(root)
    started = time.monotonic()
    checker = verify.Verifier(root, [Command("test", line)], timeout=3, baseline=False)
    report = checker.check({"a.py": "x\n"})
    assert time.monotonic() - started < 60
    (run,) = report.runs
    assert run.returncode is None and not run.passed and not report.passed
    assert run.failures == 1
    assert "stopped after 3 s" in run.output
    assert _freed(held)  # the background child was killed too
    assert fingerprint(root) == before


def test_an_interrupted_check_stops_its_command_and_leaves_the_tree(
    make_repo, tmp_path: Path
) -> None:
    root = make_repo(PACKAGE)
    held, ready = tmp_path / "held", tmp_path / "ready"
    # the command starts the holder, then interrupts tome (its parent's parent: sh -c)
    line = _HOLDER.format(held=held, ready=ready) + (
        f' & while [ ! -e {ready} ]; do sleep 0.05; done; kill -INT "$PPID"; sleep 600'
    )
    before = fingerprint(root)
    with pytest.raises(KeyboardInterrupt):
        verify.Verifier(root, [Command("test", line)], timeout=120).check({"b.py": "y\n"})
    assert _freed(held)
    assert fingerprint(root) == before


def test_a_command_that_is_not_installed_fails_with_a_message(make_repo) -> None:
    root = make_repo(PACKAGE)
    missing = Command.fixed("lint", ("tome-no-such-linter", "check"), "t")
    (run,) = verify.Verifier(root, [missing]).check({}).runs
    assert run.returncode == 127 and "cannot run tome-no-such-linter" in run.output
    assert run.failures == 1
