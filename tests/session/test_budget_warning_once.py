"""The fallback warning for an encoding that is not on this machine is said once per
machine (a marker in the user cache dir), as the README says, not on every ``tome ask``.
Each run resolves its encodings afresh, as a new process does."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.tokens import resolve

WARNING = "warning: encoding 'o200k_base' is not available offline"


@pytest.mark.filterwarnings("always::assistant.tokens.EncodingFallbackWarning")
def test_the_fallback_warning_prints_on_the_first_ask_only(
    make_repo,
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "tiktoken-cache"  # o200k_base is not on this machine
    empty.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(empty))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    root = make_repo({"a.py": "x = 1\n"})
    said = []
    try:
        for n in range(3):
            task = f"explain part {n}"  # new text to count: the encoding is needed each time
            argv = [
                "ask",
                task,
                "-C",
                str(root),
                "--base-url",
                fake_openai.base_url,
                "--model",
                "m",
            ]
            resolve.clear()  # a new process: nothing resolved yet
            fake_openai.push(Reply(text="ok\n"))
            assert main(argv) == 0
            said.append(capsys.readouterr().err.count(WARNING))
    finally:
        resolve.clear()
    assert said == [1, 0, 0], said
