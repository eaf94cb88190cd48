"""Fixtures of the tome batch tests (helpers in batchkit.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from batchkit import Run
from fakeopenai import FakeOpenAI

from assistant.cli import main


@pytest.fixture
def run_batch(fake_openai: FakeOpenAI, capsys: pytest.CaptureFixture[str]) -> Run:
    """``tome batch ARGS -C ROOT`` against the fake server; (exit code, stdout, stderr)."""

    def go(root: Path, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(["batch", *args, "-C", str(root), "--base-url", fake_openai.base_url,
                     "--model", "fake-model"])  # fmt: skip
        out, err = capsys.readouterr()
        return code, out, err

    return go
