"""One smoke test in a real terminal: ``tome review PATCH`` in tmux, keys sent, pane read."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from tuikit import PATCH

WIDTH, HEIGHT = 120, 40


@pytest.fixture
def tmux() -> Iterator[tuple[str, str]]:
    """A private tmux server (its own socket) and a session name; killed afterwards."""
    assert shutil.which("tmux"), "tmux is required for the terminal smoke test"
    socket = f"tome-test-{uuid.uuid4().hex[:8]}"
    yield socket, "review"
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)


def _pane(socket: str, target: str) -> str:
    done = subprocess.run(
        ["tmux", "-L", socket, "capture-pane", "-p", "-t", target],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return done.stdout


def _wait_for(socket: str, target: str, text: str, *, timeout: float = 60.0) -> str:
    """Poll the pane until ``text`` shows (the footer draws before the diff does, the diff
    a frame before the status bar). The deadline only bounds a failure: under load (seven
    test runs on two cores) the app took more than 20 s to start."""
    deadline = time.monotonic() + timeout
    pane = ""
    while time.monotonic() < deadline:
        pane = _pane(socket, target)
        if text in pane:
            return pane
        time.sleep(0.05)  # polling interval, not synchronisation: the deadline bounds it
    raise AssertionError(f"{text!r} never showed; the pane was:\n{pane}")


def test_tome_review_in_tmux(repo: Path, tmp_path: Path, tmux: tuple[str, str]) -> None:
    socket, name = tmux
    patch = tmp_path / "change.diff"
    patch.write_text(PATCH)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    command = f"{shlex.quote(sys.executable)} -m assistant review {shlex.quote(str(patch))}"
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name,
         "-x", str(WIDTH), "-y", str(HEIGHT), "-c", str(repo), "-e", "TOME_TEST=1",
         "env", "-u", "COLUMNS", "-u", "LINES", "sh", "-c", command + "; echo tome-exited-$?; sleep 30"],
        check=True, env=env,
    )  # fmt: skip
    _wait_for(socket, name, "return x + 100")
    pane = _wait_for(socket, name, "hunk 1/2")  # the status bar: drawn after the diff
    assert "change.diff" in pane and "return x + 100" in pane
    assert max(len(line) for line in pane.splitlines()) > 100  # drawn at 120 columns, not 80
    for key in ("y", "x", "y", "Enter"):  # accept, reject, accept b.txt, apply
        subprocess.run(["tmux", "-L", socket, "send-keys", "-t", name, key], check=True)
    _wait_for(socket, name, "Apply 2 accepted hunks to 2 files?")
    subprocess.run(["tmux", "-L", socket, "send-keys", "-t", name, "y"], check=True)
    _wait_for(socket, name, "applied to 2 files")
    assert (repo / "b.txt").read_text() == "one\nTWO\nthree\n"
    assert "return x + 100" in (repo / "a.py").read_text()
    subprocess.run(["tmux", "-L", socket, "send-keys", "-t", name, "q"], check=True)
    _wait_for(socket, name, "tome-exited-0")  # q leaves the app, which exits cleanly
