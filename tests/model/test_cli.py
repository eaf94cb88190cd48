"""``tome ask --print`` and ``tome models`` end to end: real repo, real server, real SDK."""

from __future__ import annotations

import json

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.cli.ask import TRUNCATED_EXIT
from assistant.session import system_prompt

# This machine (and CI) has no o200k_base file offline: tokens falls back to cl100k_base and
# warns once, which is its documented behaviour, not a failure of ask.
offline_o200k = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

REPO = {
    "app.py": "def greet(name):\n    return 'hi ' + name\n",
    "README.md": "# demo\n",
}


@offline_o200k
def test_ask_print_streams_the_answer_and_reports_usage(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(REPO)
    monkeypatch.setenv("OPENAI_API_KEY", "anything")
    answer = "Rename greet to welcome:\n--- a/app.py\n+++ b/app.py\n"
    fake_openai.push(Reply(text=answer, chunk_chars=3, prompt_tokens=500, cached_tokens=256))

    code = main(
        [
            "ask", "rename greet", "--print", "-C", str(root),
            "--base-url", fake_openai.base_url, "--model", "local-model",
        ]
    )  # fmt: skip

    out, err = capsys.readouterr()
    assert code == 0
    assert out == answer
    assert "usage: 500 in (256 cache hit, 244 miss)" in err
    assert "cost unknown" in err  # openai-compatible: no prices known
    [got] = fake_openai.requests
    assert got.model == "local-model" and got.api_key == "anything"
    system, user = got.messages
    assert system == {"role": "system", "content": system_prompt("search-replace")}
    assert "def greet(name):" in user["content"] and "app.py" in user["content"]
    assert user["content"].rstrip().endswith("rename greet\n</task>".rstrip())
    assert got.body["max_tokens"] == 8_192  # the generic backend's max output


def test_ask_with_a_deepseek_backend_prints_the_estimate_and_the_cost(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(REPO)
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-do-not-print")
    fake_openai.push(
        Reply(text="first half, ", finish_reason="length"),
        Reply(text="second half", prompt_tokens=1_000_000, completion_tokens=1_000_000),
    )
    code = main(
        [
            "ask", "explain", "--print", "-C", str(root), "--backend", "deepseek-v4-flash",
            "--base-url", fake_openai.base_url, "--max-output", "4k",
        ]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and out == "first half, second half\n"
    assert "est. $" in err and "if the prefix is cached" in err
    assert "1 continuation(s)" in err
    assert "sk-do-not-print" not in out + err
    first, second = fake_openai.requests
    assert first.model == "deepseek-v4-flash" and first.body["max_tokens"] == 4_000
    assert second.path == "/beta/chat/completions"


@offline_o200k
def test_ask_exits_3_when_the_answer_stays_cut_off(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(REPO)
    monkeypatch.setenv("TOME_MAX_CONTINUATIONS", "1")
    fake_openai.default = Reply(text="cut ", finish_reason="length")
    code = main(
        ["ask", "x", "--print", "-C", str(root), "--base-url", fake_openai.base_url, "--model", "m"]
    )
    out, err = capsys.readouterr()
    assert code == TRUNCATED_EXIT
    assert out == "cut cut \n"
    assert "still cut off" in err and "do not apply it" in err


@offline_o200k
def test_ask_refuses_a_prompt_that_cannot_fit(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    (root / ".tome.toml").write_text("[backends.openai-compatible]\nwindow = 8300\n")
    code = main(
        ["ask", "x", "-C", str(root), "--base-url", fake_openai.base_url, "--model", "m",
         "--budget", "200k"]
    )  # fmt: skip
    _, err = capsys.readouterr()
    assert code == 4  # tome ask: the backend's window refuses it (exit codes in its --help)
    assert "> window 8,300" in err and "lower --budget" in err
    assert fake_openai.requests == []


def test_ask_without_a_key_says_which_variable_to_set(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    code = main(["ask", "x", "--print", "-C", str(root), "--backend", "deepseek-v4-pro"])
    _, err = capsys.readouterr()
    assert code == 2 and "export DEEPSEEK_API_KEY=" in err  # a config error (tome ask's codes)


def test_models_lists_windows_prices_and_key_state_but_never_the_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    monkeypatch.setenv("DEEPSEEK_API_KEY", "sk-top-secret")
    assert main(["models", "-C", str(tmp_path)]) == 0
    out, _ = capsys.readouterr()
    assert "sk-top-secret" not in out
    flash = next(line for line in out.splitlines() if "deepseek-v4-flash " in line)
    assert flash.startswith("*")  # the default
    assert "1,048,576" in flash and "0.028/0.14/0.28" in flash and "$DEEPSEEK_API_KEY set" in flash
    gpt = next(line for line in out.splitlines() if line.split()[0] == "gpt-4.1")
    assert "$OPENAI_API_KEY missing" in gpt
    assert "not needed" in next(line for line in out.splitlines() if "ollama" in line)


def test_models_json(capsys: pytest.CaptureFixture[str], tmp_path) -> None:
    assert main(["models", "--json", "-C", str(tmp_path)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {row["name"]: row for row in rows}
    assert by_name["deepseek-v4-pro"]["window"] == 1_048_576
    assert by_name["deepseek-v4-pro"]["prices"]["output"] == 3.96
    assert by_name["vllm"]["key"] == "not needed"
