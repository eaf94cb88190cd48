"""Usage, cost, window checks, backoff and timeouts: pure functions over values."""

from __future__ import annotations

import email.utils

import pytest

from assistant.errors import ContextLengthError
from assistant.model import (
    Prices,
    RetryPolicy,
    Timeouts,
    Usage,
    check_window,
    cost,
    estimate,
    format_estimate,
    format_usage,
    parse_retry_after,
    usage_from_api,
)

FLASH = Prices(cache_hit=0.028, cache_miss=0.14, output=0.28)


def test_deepseek_usage_fields() -> None:
    raw = {
        "prompt_tokens": 1000,
        "completion_tokens": 50,
        "prompt_cache_hit_tokens": 800,
        "prompt_cache_miss_tokens": 200,
    }
    assert usage_from_api(raw) == Usage(1000, 50, 800, 200)


def test_openai_usage_fields() -> None:
    raw = {
        "prompt_tokens": 1000,
        "completion_tokens": 5,
        "prompt_tokens_details": {"cached_tokens": 768},
    }
    assert usage_from_api(raw) == Usage(1000, 5, 768, 232)
    assert usage_from_api({"prompt_tokens": 7, "completion_tokens": 1}) == Usage(7, 1, 0, 7)
    assert (
        usage_from_api({"prompt_tokens": 7, "prompt_tokens_details": None}).cache_miss_tokens == 7
    )


def test_cost_uses_each_rate() -> None:
    usage = Usage(
        prompt_tokens=1_000_000,
        completion_tokens=1_000_000,
        cache_hit_tokens=500_000,
        cache_miss_tokens=500_000,
    )
    assert cost(usage, FLASH) == pytest.approx(0.014 + 0.07 + 0.28)


def test_usages_add_up_and_keep_the_estimated_mark() -> None:
    total = Usage(10, 2, 4, 6) + Usage(1, 1, 0, 1, estimated=True)
    assert total == Usage(11, 3, 4, 7, estimated=True)


def test_estimate_shows_what_a_cache_hit_saves() -> None:
    est = estimate(1_000_000, 32_000, FLASH)
    assert est.cold == pytest.approx(0.14 + 32_000 * 0.28 / 1e6)
    assert est.warm == pytest.approx(0.028 + 32_000 * 0.28 / 1e6)
    assert est.cache_saving == pytest.approx(0.112)
    line = format_estimate(est)
    assert "1,000,000 tokens" in line and "saves $0.1120" in line


def test_window_check_refuses_with_the_numbers() -> None:
    with pytest.raises(ContextLengthError) as info:
        check_window(prompt_tokens=1_031_204, max_output=32_000, window=1_048_576, backend="ds")
    message = str(info.value)
    assert "prompt 1,031,204 + output 32,000 > window 1,048,576" in message
    assert "at most 1,016,576 tokens of prompt fit" in message
    assert "--" not in message  # no command-line option: each front end says what to do
    assert info.value.fits == 1_016_576
    check_window(prompt_tokens=1_016_576, max_output=32_000, window=1_048_576, backend="ds")


def test_usage_line() -> None:
    line = format_usage(Usage(1200, 30, 1000, 200), FLASH)
    assert line == "usage: 1,200 in (1,000 cache hit, 200 miss), 30 out, $0.0001"
    assert format_usage(Usage(1, 1, 0, 1, estimated=True), None).endswith("~1 out, cost unknown")


def test_backoff_doubles_with_bounded_jitter_and_a_cap() -> None:
    policy = RetryPolicy(max_retries=5, base=1.0, cap=10.0, jitter=0.25)
    assert [policy.delay(n, rand=0.5) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert policy.delay(1, rand=0.0) == 1.5
    assert policy.delay(1, rand=0.999) == pytest.approx(2.5, abs=0.01)
    assert policy.delay(9, rand=0.999) == 10.0  # the cap holds with jitter too


def test_retry_after_is_honoured_up_to_the_cap() -> None:
    policy = RetryPolicy(base=1.0, cap=30.0)
    assert policy.delay(0, retry_after=7.0) == 7.0
    assert policy.delay(0, retry_after=600.0) == 30.0


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after({"Retry-After": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    date = email.utils.formatdate(1_000_030, usegmt=True)
    assert parse_retry_after({"Retry-After": date}, now=1_000_000) == pytest.approx(30.0)
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None


def test_read_timeout_scales_with_prompt_size() -> None:
    timeouts = Timeouts(connect=5, read=60, read_per_mtok=300)
    assert timeouts.read_for(0) == 60
    assert timeouts.read_for(1_000_000) == 360
