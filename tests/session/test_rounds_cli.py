"""``tome ask --max-rounds N --json``: a line per round on stderr, the finished event of the JSON lines on stdout
with each round's stable prefix, usage and cost (assistant.cli.ask, assistant.rounds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from test_rounds_loop import BAD_SCALE, GOOD_DOC, GOOD_SCALE, REPO

from assistant.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _ask(fake: FakeOpenAI, root: Path, *extra: str) -> int:
    return main(["ask", "tidy calc", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_ask_json_reports_each_round_with_its_shared_prefix(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.prefix_cache = True
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))

    assert _ask(fake_openai, root, "--max-rounds", "1", "--json") == 0

    out, err = capsys.readouterr()
    report = json.loads(out.splitlines()[-1])  # the finished event
    one, two = report["rounds"]
    assert report["stopped"] == "placed" and report["round"] == 2 and report["failed_hunks"] == 0
    assert report["session"] == two["session"] != one["session"]
    assert (one["reason"], two["reason"]) == ("first", "placement")
    assert one["stable_prefix_tokens"] == 0
    assert two["stable_prefix_tokens"] == one["prompt_tokens"] > 0
    assert one["usage"]["cache_hit_tokens"] == 0
    assert two["usage"]["cache_hit_tokens"] >= one["usage"]["prompt_tokens"] * 0.9
    assert (
        f"round 2: 1 hunk did not place; asking again (cache: {one['prompt_tokens']:,} of " in err
    )
    assert "2 rounds, round 2 taken: every hunk placed" in err
    assert "over 2 rounds" in err


def test_ask_max_rounds_zero_sends_one_request(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))

    assert _ask(fake_openai, root, "--max-rounds", "0") == 0

    out, err = capsys.readouterr()
    assert len(fake_openai.requests) == 1 and "round 2" not in err
    assert out.startswith("calc.py")


def test_ask_max_rounds_out_of_range_is_refused(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    with pytest.raises(SystemExit):
        _ask(fake_openai, root, "--max-rounds", "-1")
    assert "give 0 to 20 rounds" in capsys.readouterr().err
    assert fake_openai.requests == []
