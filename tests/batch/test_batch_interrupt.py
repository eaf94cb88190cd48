"""Ctrl-C on a real ``tome batch`` process: finished sessions kept, the rest resumed later."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from batchkit import FILES, tasks_file
from fakeopenai import FakeOpenAI, Reply

from assistant.history import History

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
TOP = Path(__file__).resolve().parents[2]


def _answered(root: Path) -> int:
    db = History(root).store
    if not db.path.exists():
        return 0
    return sum(1 for r in db.batch_sessions("stop") if r["status"] == "answered")


def test_sigint_keeps_finished_sessions(make_repo, fake_openai: FakeOpenAI, tmp_path: Path) -> None:
    root = make_repo(FILES)
    fake_openai.push(Reply(text="quick"))
    fake_openai.default = Reply(text="slow " * 200, first_byte_delay=2.0, chunk_chars=2)
    tasks = tasks_file(tmp_path, [f"task {n}" for n in range(6)])
    argv = [sys.executable, "-m", "assistant", "batch", str(tasks), "--name", "stop",
            "--concurrency", "2", "-C", str(root), "--base-url", fake_openai.base_url,
            "--model", "m"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(TOP)}
    proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while _answered(root) < 1:  # wait for the condition: one task finished
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "finished sessions kept" in err and "Traceback" not in err
    kept = _answered(root)
    assert kept >= 1 and len(fake_openai.requests) < 6
    rows = History(root).store.batch_sessions("stop")
    assert {r["status"] for r in rows} <= {"answered", "cancelled"}
