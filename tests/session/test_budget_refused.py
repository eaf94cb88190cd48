"""A refused connection is said right after the first failure, with the retries counted,
not after the waits of every retry; and it is called what it is (not "dropped")."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI
from sessiondata import backend_for

from assistant.cli import main
from assistant.errors import BackendUnavailable
from assistant.model import Client, ClientOptions, RetryPolicy
from assistant.session import Assistant, Retrying


def _closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_first_refusal_is_announced_before_any_wait(make_repo, fake_openai: FakeOpenAI) -> None:
    root: Path = make_repo({"a.py": "x = 1\n"})
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    sleeps: list[float] = []
    client = Client(
        backend_for(fake_openai, base_url=url),
        options=ClientOptions(retry=RetryPolicy(max_retries=3, base=0.5)),
        sleep=sleeps.append,
    )
    events = Assistant.open(root, client=client).stream("explain")
    first = next(events)
    assert isinstance(first, Retrying) and sleeps == []  # said before the first wait
    assert str(first.notice).endswith("(connection refused; retry 1 of 3)")
    rest = []
    with pytest.raises(BackendUnavailable) as caught:
        rest.extend(events)
    assert [str(e.notice).split(" (")[1] for e in rest if isinstance(e, Retrying)] == [
        "connection refused; retry 2 of 3)",
        "connection refused; retry 3 of 3)",
    ]
    assert len(sleeps) == 3
    assert "connection refused" in str(caught.value) and "server running" in str(caught.value)
    assert "dropped" not in str(caught.value)
    client.close()


@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
def test_tome_ask_prints_the_refusal_and_each_retry(
    make_repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root: Path = make_repo({"a.py": "x = 1\n"})
    monkeypatch.setenv("TOME_BACKOFF_BASE", "0.001")
    monkeypatch.setenv("TOME_MAX_RETRIES", "2")
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    code = main(["ask", "x", "-C", str(root), "--base-url", url, "--model", "m"])
    err = capsys.readouterr().err
    assert code == 4  # a backend error (tome ask's exit codes)
    lines = [line for line in err.splitlines() if "retrying" in line]
    assert len(lines) == 2 and lines[0].endswith("(connection refused; retry 1 of 2)"), err
    assert "tome: error: " in err and "connection refused" in err.splitlines()[-1]
