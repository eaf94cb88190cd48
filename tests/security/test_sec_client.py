"""A hostile or broken backend cannot hold tome forever, fill its memory, make it sleep for
an hour, or hide its own error behind "connection dropped" (issue 10, time and memory).

Every test runs the real openai SDK against the real fake server on 127.0.0.1
(``tests/fakeopenai.py``); the faults (keep-alives only, a one-byte drip, an endless
answer, Retry-After: 3600, a 200 whose body is a JSON error or an HTML page) are server
modes. The limits are set small, so each test ends in about a second: the time measured
is the thing under test, never a synchronisation.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, ClientFactory, backend_for

from assistant.cli import main
from assistant.config import load_settings
from assistant.errors import BackendUnavailable, ConfigError, ModelError, RateLimitError
from assistant.model import (
    AsyncClient,
    Client,
    ClientOptions,
    RetryNotice,
    RetryPolicy,
    Timeouts,
)
from assistant.session import Assistant, Finished, Retrying, TextDelta

MESSAGES = [{"role": "user", "content": "Say hello."}]
LONG = "".join(f"line {i}: the quick brown fox\n" for i in range(40))
ONE_TRY = dataclasses.replace(FAST, retry=RetryPolicy(max_retries=0))
offline_o200k = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


@pytest.fixture
def make_client(fake_openai: FakeOpenAI) -> Iterator[ClientFactory]:
    """``make_client(options=...) -> (client, sleeps)``: sleeps are recorded, not slept."""
    made: list[Client] = []

    def factory(*, options: ClientOptions = FAST) -> tuple[Client, list[float]]:
        sleeps: list[float] = []
        made.append(Client(backend_for(fake_openai), options=options, sleep=sleeps.append))
        return made[-1], sleeps

    yield factory
    for client in made:
        client.close()


def _options(**timeouts: float) -> ClientOptions:
    base = {"connect": 2.0, "read": 5.0, "read_per_mtok": 0.0}
    return dataclasses.replace(ONE_TRY, timeouts=Timeouts(**(base | timeouts)))


# -- time: deadline and stalls --------------------------------------------------------------


def test_a_stream_of_keep_alives_only_ends_with_a_clear_error(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    # pings every 20 ms reset a per-read timeout forever; "no text for 0.3 s" must not
    fake_openai.push(Reply(text="", pings=0.02))
    client, _ = make_client(options=_options(read=0.3))
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"sent nothing for 0\.3 s \(only keep-alives\)"):
        client.complete(MESSAGES, prompt_tokens=10)
    assert time.monotonic() - started < 3.0


def test_keep_alives_after_some_text_are_a_stall_and_the_part_is_not_an_answer(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="hello", chunk_chars=1, pings=0.02))
    client, _ = make_client(options=_options(read=0.3))
    stream = client.stream(MESSAGES, prompt_tokens=10)
    deltas: list[str] = []
    with pytest.raises(
        BackendUnavailable,
        match=r"sent no new text for 0\.3 s \(only keep-alives\); 5 characters had arrived, not",
    ):
        deltas.extend(stream)
    assert "".join(deltas) == "hello"
    assert stream.reply is None  # no Reply: a partial text is never passed off as the answer


def test_a_one_byte_drip_passes_the_deadline(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    # every byte arrives well within the read timeout; only the deadline can stop this
    fake_openai.push(Reply(text=LONG, drip=0.01))
    client, _ = make_client(options=_options(read=5.0, deadline=0.5))
    stream = client.stream(MESSAGES, prompt_tokens=10)
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"the request passed its deadline of 0\.5 s"):
        list(stream)
    assert 0.45 < time.monotonic() - started < 3.0
    assert stream.reply is None
    assert len(fake_openai.requests) == 1  # a drip is not retried


def test_the_async_client_stops_a_drip_at_the_deadline_too(fake_openai: FakeOpenAI) -> None:
    fake_openai.push(Reply(text=LONG, drip=0.01))

    async def run() -> None:
        async with AsyncClient(backend_for(fake_openai), options=_options(deadline=0.4)) as c:
            await c.complete(MESSAGES, prompt_tokens=10)

    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"passed its deadline of 0\.4 s"):
        asyncio.run(run())
    assert time.monotonic() - started < 3.0


def test_the_default_deadline_fits_a_million_token_prompt_and_is_short_for_a_small_one() -> None:
    timeouts = Timeouts.from_settings(load_settings(env={}))
    assert timeouts.deadline_for(1_000_000, 32_768) > 30 * 60  # prefill + 32K tokens at 20/s
    assert timeouts.deadline_for(10_000, 1_000) < 4 * 60
    assert Timeouts(deadline=90).deadline_for(1_000_000, 32_768) == 90  # configured: fixed


def test_a_silent_socket_is_cut_at_the_deadline_not_the_longer_read_timeout(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="late", first_byte_delay=2.0))
    client, _ = make_client(options=_options(read=30.0, deadline=0.3))
    started = time.monotonic()
    with pytest.raises(BackendUnavailable, match=r"passed its deadline of 0\.3 s"):
        client.complete(MESSAGES, prompt_tokens=10)
    assert time.monotonic() - started < 1.5


# -- memory: the answer's size --------------------------------------------------------------


def test_an_endless_answer_stops_at_the_size_cap(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="x" * 1000, endless=True))
    options = dataclasses.replace(_options(), max_answer_bytes=256 * 1024)
    client, _ = make_client(options=options)
    stream = client.stream(MESSAGES, prompt_tokens=10)
    received = 0
    with pytest.raises(ModelError, match=r"the answer passed the 256 KiB cap \(max_answer_bytes\)"):
        for delta in stream:
            received += len(delta)
    assert 200 * 1024 < received <= 256 * 1024 and stream.reply is None


def test_one_endless_line_is_stopped_at_the_cap_too(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    # no newline ever: a line reader would buffer it all
    fake_openai.push(Reply(raw_body="data: " + "y" * 400_000, raw_type="text/event-stream"))
    options = dataclasses.replace(_options(), max_answer_bytes=100_000)
    client, _ = make_client(options=options)
    with pytest.raises(ModelError, match=r"passed the 97\.7 KiB cap"):
        client.complete(MESSAGES, prompt_tokens=10)


def _gzip_bomb(inflated: int) -> bytes:
    """One SSE event whose text is ``inflated`` bytes of 'z', gzipped (~1,000 to 1)."""
    import zlib

    pack = zlib.compressobj(9, wbits=31)
    out = [pack.compress(b'data: {"choices":[{"index":0,"delta":{"content":"')]
    block = b"z" * (1 << 20)
    out += [pack.compress(block) for _ in range(inflated >> 20)]
    out.append(pack.compress(b'"}}]}\n\n') + pack.flush())
    return b"".join(out)


def test_a_compressed_bomb_is_stopped_at_the_cap_without_inflating_it(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    import tracemalloc

    bomb = _gzip_bomb(256 << 20)  # 256 MiB of text in about 250 KB
    assert len(bomb) < 1 << 20
    fake_openai.push(Reply(raw_encoding="gzip", raw_data=bomb, raw_type="text/event-stream"))
    options = dataclasses.replace(_options(), max_answer_bytes=1 << 20)
    client, _ = make_client(options=options)
    tracemalloc.start()
    try:
        with pytest.raises(ModelError, match=r"passed the 1 MiB cap"):
            client.complete(MESSAGES, prompt_tokens=10)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # decoded a piece at a time: never near the 64 MiB one raw chunk inflates to at once
    assert peak < 16 << 20, f"peak {peak / 2**20:.1f} MiB"


def test_one_large_compressed_read_is_inflated_a_piece_at_a_time(fake_openai: FakeOpenAI) -> None:
    """What bounds the bomb above by design: on loopback the reads are small, but one read
    of a 64 KiB compressed chunk could inflate to 64 MiB at once. The decoder never hands
    on more than 64 KiB, so the answer cap is checked between pieces."""
    from assistant.model import client as client_module

    bomb = _gzip_bomb(64 << 20)
    decoder = client_module._Decoder({"content-encoding": "gzip"}, backend_for(fake_openai))
    pieces = decoder.feed(bomb)
    sizes = [len(next(pieces)) for _ in range(100)]
    assert max(sizes) <= 64 * 1024 and sum(sizes) >= 100 * 1024


def test_an_encoding_tome_did_not_ask_for_is_refused(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(raw_encoding="br", raw_data=b"\x1b\x00", raw_type="text/event-stream"))
    client, _ = make_client(options=_options())
    with pytest.raises(ModelError, match=r"encoded as 'br', which tome did not ask for"):
        client.complete(MESSAGES, prompt_tokens=10)


def test_the_default_cap_is_8_mib_and_follows_the_settings() -> None:
    assert ClientOptions().max_answer_bytes == 8 * 1024 * 1024
    settings = load_settings(env={"TOME_MAX_ANSWER_BYTES": "1000", "TOME_REQUEST_DEADLINE": "9"})
    options = ClientOptions.from_settings(settings)
    assert options.max_answer_bytes == 1000 and options.timeouts.deadline == 9.0


# -- waits: Retry-After, the total, and showing each retry ----------------------------------


def test_a_retry_after_beyond_the_cap_is_reported_not_slept(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(status=429, error="slow down", headers=(("Retry-After", "3600"),)))
    options = dataclasses.replace(FAST, retry=RetryPolicy(max_retries=3, max_wait=60))
    client, sleeps = make_client(options=options)
    with pytest.raises(RateLimitError) as info:
        client.complete(MESSAGES, prompt_tokens=10)
    message = str(info.value)
    assert "the server asks to wait 3600 s (more than max_retry_wait 60 s); try again later" in (
        message
    )
    assert "slow down" in message and info.value.retry_after == 3600
    assert sleeps == [] and len(fake_openai.requests) == 1


def test_total_retry_time_is_bounded(fake_openai: FakeOpenAI, make_client: ClientFactory) -> None:
    fake_openai.push(*[Reply(status=429, headers=(("Retry-After", "7"),))] * 5)
    policy = RetryPolicy(max_retries=4, max_wait=60, max_total=10)
    client, sleeps = make_client(options=dataclasses.replace(FAST, retry=policy))
    with pytest.raises(RateLimitError, match=r"would pass max_retry_total 10 s \(7 s waited\)"):
        client.complete(MESSAGES, prompt_tokens=10)
    assert sleeps == [7.0] and len(fake_openai.requests) == 2


def test_each_retry_is_announced_before_its_wait(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(
        Reply(status=429, headers=(("Retry-After", "4"),)),
        Reply(status=503, headers=(("Retry-After", "2"),)),
        Reply(text="fine"),
    )
    client, sleeps = make_client()
    events = []
    for event in client.stream(MESSAGES, prompt_tokens=10).events():
        events.append(event if isinstance(event, str) else (str(event), len(sleeps)))
    assert events == [
        ("retrying in 4 s (429 rate limited; retry 1 of 3)", 0),  # shown, then slept
        ("retrying in 2 s (503 service unavailable; retry 2 of 3)", 1),
        "fine",
    ]
    assert sleeps == [4.0, 2.0]


@offline_o200k
def test_the_session_yields_a_retrying_event(
    fake_openai: FakeOpenAI, make_client: ClientFactory, make_repo
) -> None:
    fake_openai.push(Reply(status=429, headers=(("Retry-After", "1"),)), Reply(text="done"))
    client, sleeps = make_client()
    assistant = Assistant.open(make_repo({"a.py": "x = 1\n"}), client=client)
    events = list(assistant.stream("explain"))
    retrying = [e for e in events if isinstance(e, Retrying)]
    assert [str(e.notice) for e in retrying] == ["retrying in 1 s (429 rate limited; retry 1 of 3)"]
    assert isinstance(retrying[0].notice, RetryNotice)
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["done"]
    assert isinstance(events[-1], Finished) and events[-1].result.retries == 1
    assert sleeps == [1.0]


@offline_o200k
def test_tome_ask_prints_each_retry_on_stderr(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo({"app.py": "x = 1\n"})
    monkeypatch.setenv("OPENAI_API_KEY", "anything")
    fake_openai.push(Reply(status=429, headers=(("Retry-After", "0.05"),)), Reply(text="ok\n"))
    code = main(
        ["ask", "x", "--print", "-C", str(root), "--base-url", fake_openai.base_url,
         "--model", "m"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0 and out == "ok\n"
    assert "tome: retrying in 0.05 s (429 rate limited; retry 1 of 4)\n" in err


def test_retry_settings_are_checked_where_they_are_used() -> None:
    with pytest.raises(ConfigError, match="max_retries"):
        RetryPolicy(max_retries=1_000_000)
    with pytest.raises(ConfigError, match="max_total"):
        RetryPolicy(max_total=float("nan"))
    with pytest.raises(ConfigError, match="deadline"):
        Timeouts(deadline=-1)
    with pytest.raises(ConfigError, match="max_answer_bytes"):
        ClientOptions(max_answer_bytes=-5)
    settings = load_settings(env={"TOME_MAX_RETRY_WAIT": "5", "TOME_MAX_RETRY_TOTAL": "20"})
    policy = RetryPolicy.from_settings(settings)
    assert (policy.wait_limit, policy.max_total) == (5.0, 20.0)


# -- a 200 that is not a stream ---------------------------------------------------------------


def test_a_200_with_a_json_error_reports_the_servers_message(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    body = '{"error": {"message": "Insufficient Balance\\u001b]52;c;ZXZpbA==\\u0007", "code": 1}}'
    fake_openai.push(Reply(raw_body=body))
    client, sleeps = make_client()
    with pytest.raises(ModelError) as info:
        client.complete(MESSAGES, prompt_tokens=10)
    message = str(info.value)
    assert "the backend answered 200 with an error: Insufficient Balance\\x1b]52;c;" in message
    assert "\x1b" not in message and "\x07" not in message  # escaped, never sent raw
    assert "connection dropped" not in message
    assert sleeps == [] and len(fake_openai.requests) == 1  # the server's answer is final


def test_a_200_with_an_html_page_names_the_page(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    page = (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>\n"
        "<title>Sign in &ndash; Corp Proxy</title></head>\n"
        "<body><form action='/login'>" + "<p>filler</p>\n" * 200 + "</form></body></html>\n"
    )
    fake_openai.push(Reply(raw_body=page, raw_type="text/html; charset=utf-8"))
    client, _ = make_client()
    with pytest.raises(ModelError) as info:
        client.complete(MESSAGES, prompt_tokens=10)
    message = str(info.value)
    assert (
        "the backend answered with an HTML page (title: Sign in – Corp Proxy), not an "
        "OpenAI-compatible response; check base_url"
    ) in message
    assert "connection dropped" not in message and "filler" not in message


def test_an_error_status_message_is_escaped_and_shortened(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(status=400, error="bad \x1b[31mred\x1b[0m " + "z" * 5000))
    client, _ = make_client()
    with pytest.raises(ModelError) as info:
        client.complete(MESSAGES, prompt_tokens=10)
    message = str(info.value)
    assert "\x1b" not in message and "bad \\x1b[31mred" in message
    assert len(message) < 600 and "…" in message
