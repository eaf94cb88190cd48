"""Every option value tome converts is refused in words: what was given, what is accepted,
and an example (not argparse's ``invalid _tokens value: 'abc'``)."""

from __future__ import annotations

import pytest

from assistant.cli import main

BAD_VALUES = [
    (["pack", "--budget", "abc"], "'abc' is not a token count", "200k"),
    (["pack", "--budget", "-5"], "'-5' is not a token count", "positive"),
    (["pack", "--max-file-size", "1XB"], "'1XB' is not a size", "1MiB"),
    (["ask", "x", "--budget", "lots"], "'lots' is not a token count", "1m"),
    (["ask", "x", "--max-output", "8kk"], "'8kk' is not a token count", "200k"),
    (["history", "-n", "x"], "'x' is not a number of requests", "e.g. 20"),
    (["history", "--prune", "--keep", "-2"], "'-2' is not a number of requests", "e.g. 10"),
    (["history", "--prune", "--older-than", "soon"], "'soon' is not a number of days", "0.5"),
    (["history", "--prune", "--older-than", "nan"], "'nan' is not a number of days", "30"),
    (["undo", "--session", "abc"], "'abc' is not a session id", "e.g. 12"),
    (["review", "--session", "1.5"], "'1.5' is not a session id", "e.g. 12"),
]


@pytest.mark.parametrize(("argv", "said", "example"), BAD_VALUES)
def test_a_bad_value_is_refused_in_words(
    argv: list[str], said: str, example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert said in err and example in err
    assert "invalid" not in err and "_value" not in err


@pytest.mark.parametrize(
    ("value", "tokens"), [("200k", 200_000), ("1.5m", 1_500_000), ("150,000", 150_000)]
)
def test_token_counts_in_the_usual_spellings(value: str, tokens: int) -> None:
    from assistant.cli._common import token_count

    assert token_count(value) == tokens


@pytest.mark.parametrize(
    ("value", "size"), [("1MiB", 1 << 20), ("512K", 512 << 10), ("2m", 2 << 20), ("100", 100)]
)
def test_sizes_in_the_usual_spellings(value: str, size: int) -> None:
    from assistant.cli._common import byte_size

    assert byte_size(value) == size
