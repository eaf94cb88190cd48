"""``tome ask --reasoning`` end to end: real repo, real fake server, real SDK. The reasoning
goes to stderr (dimmed on a terminal), never to stdout; the level reaches the request body;
a backend that cannot reason says so before anything is sent."""

from __future__ import annotations

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.cli.ask import TRUNCATED_EXIT

REPO = {"app.py": "def greet(name):\n    return 'hi ' + name\n"}
THOUGHTS = "The user asks to explain greet. It concatenates. I say so.\n"
ANSWER = "greet returns 'hi ' followed by the name.\n"


def _ask(root: object, fake: FakeOpenAI, *extra: str) -> int:
    return main(
        ["ask", "explain greet", "--print", "-C", str(root), "--backend", "deepseek-v4-flash",
         "--base-url", fake.base_url, *extra]
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-test")


def test_shown_reasoning_goes_to_stderr_and_the_level_to_the_request(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    fake_openai.push(
        Reply(text=ANSWER, reasoning=THOUGHTS, completion_tokens=40, reasoning_tokens=25)
    )
    code = _ask(make_repo(REPO), fake_openai, "--reasoning", "high", "--show-reasoning")
    out, err = capsys.readouterr()
    assert code == 0 and out == ANSWER  # the answer alone on stdout
    assert "tome: reasoning:\n" + THOUGHTS in err and "\x1b[" not in err  # not a terminal
    assert "reasoning (high) included" in err  # the estimate says what the reserve holds
    assert "40 out (25 reasoning)" in err
    [got] = fake_openai.requests
    assert got.body["thinking"] == {"type": "enabled"} and got.body["reasoning_effort"] == "max"
    assert got.body["max_tokens"] == 32_768 + 65_536


def test_hidden_reasoning_is_said_once_and_off_disables_thinking(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    fake_openai.push(Reply(text=ANSWER, reasoning=THOUGHTS, chunk_chars=3))
    code = _ask(make_repo(REPO), fake_openai)  # stderr is no terminal: hidden by default
    out, err = capsys.readouterr()
    assert code == 0 and out == ANSWER and "It concatenates" not in err
    assert err.count("the model is reasoning (--show-reasoning shows it)") == 1
    fake_openai.push(Reply(text=ANSWER))
    assert _ask(make_repo(REPO), fake_openai, "--reasoning", "off") == 0
    off = fake_openai.requests[-1].body
    assert off["thinking"] == {"type": "disabled"} and "reasoning_effort" not in off


def test_a_backend_without_reasoning_refuses_a_level_before_sending(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    code = main(
        ["ask", "x", "--print", "-C", str(make_repo(REPO)), "--base-url", fake_openai.base_url,
         "--model", "local", "--reasoning", "medium"]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0 and "has no reasoning control" in err and "--reasoning" in err
    assert "Traceback" not in err and fake_openai.requests == []


def test_reasoning_that_spends_the_reserve_exits_3_and_says_what_to_do(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    fake_openai.push(Reply(text="", reasoning=THOUGHTS * 4, finish_reason="length"))
    code = _ask(make_repo(REPO), fake_openai, "--max-output", "2k")
    out, err = capsys.readouterr()
    assert code == TRUNCATED_EXIT and out == ""
    assert "reasoning used the whole output reserve" in err and "--reasoning low" in err


def test_a_plain_deepseek_request_reserves_room_for_its_default_thinking_and_says_so(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    """DeepSeek thinks unless told not to (effort high), and its ``max_tokens`` counts the
    thinking with the answer: a request with no ``--reasoning`` reserves the answer's
    32,768 and as much for the thinking, says so in the estimate, and sends no switch (the
    provider's default). ``--reasoning off`` reserves the answer's alone; a number the user
    gives is kept. The help says the rule, not a bare 32768."""
    root = make_repo(REPO)
    for extra, reserve in (((), 65_536), (("--reasoning", "off"), 32_768),
                           (("--max-output", "40k"), 40_000)):  # fmt: skip
        fake_openai.push(Reply(text=ANSWER))
        assert _ask(root, fake_openai, *extra) == 0
        err = capsys.readouterr().err
        body = fake_openai.requests[-1].body
        assert body["max_tokens"] == reserve, extra
        assert f"(+ up to {reserve:,} out" in err
        if not extra:
            assert "thinking" not in body and "reasoning_effort" not in body
            assert f"(+ up to {reserve:,} out, reasoning (medium) included)" in err
    with pytest.raises(SystemExit):
        main(["ask", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    assert "min(32768" not in said
    assert "32768 for the answer, plus the reasoning's room" in said
    assert "65536 with DeepSeek, which thinks by default" in said
