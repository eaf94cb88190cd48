"""The client against a real HTTP server on 127.0.0.1, through the real openai SDK.

Each test asserts on what the client returned and on what the server received.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, ClientFactory

from assistant.errors import (
    AuthError,
    BackendUnavailable,
    ContextLengthError,
    ModelError,
    RateLimitError,
)
from assistant.model import AsyncClient, Backend, ClientOptions, Timeouts, Usage, count_prompt
from assistant.model.client import CONTINUE_PROMPT
from assistant.tokens import count

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Say hello."},
]
LONG = "".join(f"line {i}: the quick brown fox\n" for i in range(40))


def test_streams_small_deltas_and_reports_usage(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text=LONG, chunk_chars=5, prompt_tokens=1200, cached_tokens=1000))
    client, _ = make_client()
    stream = client.stream(MESSAGES, prompt_tokens=1200)
    deltas = list(stream)

    assert len(deltas) == -(-len(LONG) // 5) and all(len(d) <= 5 for d in deltas)
    reply = stream.reply
    assert reply is not None and reply.text == LONG == "".join(deltas)
    assert (reply.finish_reason, reply.truncated, reply.retries) == ("stop", False, 0)
    assert reply.usage == Usage(1200, len(LONG) // 4, 1000, 200)
    assert reply.cost == pytest.approx((1000 * 0.028 + 200 * 0.14 + (len(LONG) // 4) * 0.28) / 1e6)
    [got] = fake_openai.requests
    assert got.path == "/v1/chat/completions"
    assert got.model == "fake-model"
    assert got.messages == MESSAGES
    assert got.body["stream"] is True
    assert got.body["stream_options"] == {"include_usage": True}
    assert got.body["max_tokens"] == 1000  # the backend's max output, under the 32K reserve


def test_openai_style_backend_sends_max_completion_tokens_and_reads_cached_tokens(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="hi", usage_style="openai", prompt_tokens=2048, cached_tokens=1024))
    client, _ = make_client(max_tokens_param="max_completion_tokens", continuation="message")
    reply = client.complete(MESSAGES, prompt_tokens=2048, max_output=300)
    assert reply.usage.cache_hit_tokens == 1024 and reply.usage.cache_miss_tokens == 1024
    body = fake_openai.requests[0].body
    assert body["max_completion_tokens"] == 300 and "max_tokens" not in body


def test_without_stream_usage_nothing_is_asked_and_usage_is_estimated(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="x" * 40))
    client, _ = make_client(stream_usage=False)
    reply = client.complete(MESSAGES, prompt_tokens=77)
    assert "stream_options" not in fake_openai.requests[0].body
    assert reply.usage == Usage(77, 10, 0, 77, estimated=True)


def test_a_server_refusing_stream_options_is_asked_again_without(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(status=400, error="Unrecognized request argument: stream_options"))
    client, sleeps = make_client()
    assert client.complete(MESSAGES, prompt_tokens=10).text == "ok"
    first, second = fake_openai.requests
    assert "stream_options" in first.body and "stream_options" not in second.body
    assert sleeps == []


def test_keepalive_comments_are_ignored(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="alive", keepalives=20))
    client, _ = make_client()
    assert client.complete(MESSAGES, prompt_tokens=10).text == "alive"


def test_429_honours_retry_after_then_succeeds(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(status=429, error="slow down", headers=(("Retry-After", "7"),)))
    client, sleeps = make_client()
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert (reply.text, reply.retries) == ("ok", 1)
    assert sleeps == [7.0]
    assert len(fake_openai.requests) == 2


def test_5xx_backs_off_exponentially_with_jitter(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(status=500), Reply(status=503), Reply(status=502))
    options = dataclasses.replace(FAST, retry=dataclasses.replace(FAST.retry, base=1.0))
    client, sleeps = make_client(options=options)
    assert client.complete(MESSAGES, prompt_tokens=10).retries == 3
    assert len(sleeps) == 3
    for n, slept in enumerate(sleeps):
        assert 0.75 * 2**n <= slept <= 1.25 * 2**n


@pytest.mark.parametrize(
    ("status", "error", "needle"),
    [(429, RateLimitError, "gave up after 3 retries"), (503, BackendUnavailable, "503")],
)
def test_retries_are_bounded(
    fake_openai: FakeOpenAI,
    make_client: ClientFactory,
    status: int,
    error: type[Exception],
    needle: str,
) -> None:
    fake_openai.default = Reply(status=status, error="busy")
    client, sleeps = make_client()
    with pytest.raises(error, match=needle):
        client.complete(MESSAGES, prompt_tokens=10)
    assert len(fake_openai.requests) == 4 and len(sleeps) == 3  # 1 + max_retries


@pytest.mark.parametrize(
    ("status", "message", "error", "needle"),
    [
        (401, "Authentication Fails", AuthError, r"\$TEST_MODEL_KEY"),
        (403, "forbidden", AuthError, "check the key"),
        (402, "Insufficient Balance", ModelError, "top it up"),
        (404, "model not found", ModelError, "'fake-model'"),
        (422, "invalid parameter", ModelError, "refused as sent"),
        (
            400,
            "This model's maximum context length is 131072 tokens",
            ContextLengthError,
            "reserve less output",
        ),
        (400, "messages must not be empty", ModelError, "messages must not be empty"),
    ],
)
def test_client_errors_are_final_and_say_what_to_do(
    fake_openai: FakeOpenAI,
    make_client: ClientFactory,
    status: int,
    message: str,
    error: type[Exception],
    needle: str,
) -> None:
    fake_openai.push(Reply(status=status, error=message))
    client, sleeps = make_client()
    with pytest.raises(error, match=needle) as info:
        client.complete(MESSAGES, prompt_tokens=10)
    assert str(status) in str(info.value)
    assert len(fake_openai.requests) == 1 and sleeps == []


def test_a_wrong_key_is_an_auth_error_and_the_key_is_sent_as_bearer(
    make_backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fakeopenai import serve

    from assistant.model import Client

    with serve(require_key="sk-right") as fake:
        backend = dataclasses.replace(make_backend(), base_url=fake.base_url)
        good = Client(backend, options=FAST, env={"TEST_MODEL_KEY": "sk-right"})
        bad = Client(backend, options=FAST, env={"TEST_MODEL_KEY": "sk-wrong"})
        assert good.complete(MESSAGES, prompt_tokens=5).text == "ok"
        with pytest.raises(AuthError):
            bad.complete(MESSAGES, prompt_tokens=5)
        assert [r.api_key for r in fake.requests] == ["sk-right", "sk-wrong"]
        good.close()
        bad.close()


def test_length_continues_with_deepseek_prefix_completion(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(
        Reply(
            text="def f():\n    return ",
            finish_reason="length",
            prompt_tokens=100,
            completion_tokens=6,
        ),
        Reply(text="42\n", prompt_tokens=106, completion_tokens=2),
    )
    client, sleeps = make_client()
    stream = client.stream(MESSAGES, prompt_tokens=100, max_output=500)
    assert "".join(stream) == "def f():\n    return 42\n"
    reply = stream.reply
    assert reply is not None
    assert (reply.text, reply.continuations, reply.truncated) == (
        "def f():\n    return 42\n",
        1,
        False,
    )
    assert reply.usage.prompt_tokens == 206 and reply.usage.completion_tokens == 8
    first, second = fake_openai.requests
    assert first.path == "/v1/chat/completions"
    assert second.path == "/beta/chat/completions"
    assert second.messages == [
        *MESSAGES,
        {"role": "assistant", "content": "def f():\n    return ", "prefix": True},
    ]
    assert second.body["max_tokens"] == 500
    assert sleeps == []


def test_length_continues_with_a_message_elsewhere(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="part one, ", finish_reason="length"), Reply(text="part two"))
    client, _ = make_client(continuation="message", prefix_base_url=None)
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert reply.text == "part one, part two" and reply.continuations == 1
    second = fake_openai.requests[1]
    assert second.path == "/v1/chat/completions"
    assert second.messages[-2:] == [
        {"role": "assistant", "content": "part one, "},
        {"role": "user", "content": CONTINUE_PROMPT},
    ]


def test_still_cut_off_after_the_continuations_is_marked_truncated(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.default = Reply(text="more ", finish_reason="length")
    options = dataclasses.replace(FAST, max_continuations=2)
    client, _ = make_client(options=options)
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert (reply.text, reply.truncated, reply.complete) == ("more more more ", True, False)
    assert reply.finish_reason == "length" and len(fake_openai.requests) == 3


def test_a_backend_without_continuation_hands_back_a_truncated_reply(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="half", finish_reason="length"))
    client, _ = make_client(continuation="none")
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert reply.truncated and reply.text == "half" and len(fake_openai.requests) == 1


def test_a_dropped_stream_resumes_from_what_arrived(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text=LONG, chunk_chars=10, drop_after=4), Reply(text=LONG[40:]))
    client, sleeps = make_client()
    stream = client.stream(MESSAGES, prompt_tokens=10)
    assert "".join(stream) == LONG
    assert stream.reply is not None and stream.reply.retries == 1 and len(sleeps) == 1
    assert stream.reply.usage.estimated  # the dropped part reported nothing
    resumed = fake_openai.requests[1]
    assert resumed.path == "/beta/chat/completions"
    assert resumed.messages[-1] == {"role": "assistant", "content": LONG[:40], "prefix": True}


def test_a_drop_before_any_text_simply_retries(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="abc", drop_after=0))
    client, _ = make_client()
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert reply.text == "ok" and reply.retries == 1
    assert [r.path for r in fake_openai.requests] == ["/v1/chat/completions"] * 2
    assert fake_openai.requests[1].messages == MESSAGES


def test_a_drop_without_continuation_support_is_an_error_not_a_silent_restart(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text=LONG, chunk_chars=10, drop_after=2))
    client, _ = make_client(continuation="none")
    with pytest.raises(ModelError, match="cannot continue a partial answer"):
        client.complete(MESSAGES, prompt_tokens=10)


def test_a_slow_first_byte_within_the_timeout_is_waited_for(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="late", first_byte_delay=0.3))
    client, sleeps = make_client()
    assert client.complete(MESSAGES, prompt_tokens=10).text == "late" and sleeps == []


def test_a_first_byte_slower_than_the_timeout_retries(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="never", first_byte_delay=0.5), Reply(text="second"))
    options = dataclasses.replace(FAST, timeouts=Timeouts(connect=1.0, read=0.1, read_per_mtok=0))
    client, sleeps = make_client(options=options)
    reply = client.complete(MESSAGES, prompt_tokens=10)
    assert (reply.text, reply.retries, len(sleeps)) == ("second", 1, 1)


def test_the_read_timeout_grows_with_the_prompt(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="late but fine", first_byte_delay=0.3))
    options = dataclasses.replace(FAST, timeouts=Timeouts(connect=1.0, read=0.1, read_per_mtok=1.0))
    client, sleeps = make_client(options=options, window=2_000_000)
    reply = client.complete(MESSAGES, prompt_tokens=900_000)  # 0.1 + 0.9 s > 0.3 s
    assert reply.text == "late but fine" and sleeps == []


def test_an_oversized_prompt_is_refused_before_anything_is_sent(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    client, _ = make_client()
    with pytest.raises(ContextLengthError, match=r"prompt 99,500 \+ output 1,000 > window 100,000"):
        client.stream(MESSAGES, prompt_tokens=99_500)
    assert fake_openai.requests == []


def test_prepare_counts_the_prompt_with_the_backends_encoding(make_client: ClientFactory) -> None:
    client, _ = make_client(encoding="deepseek-v4")
    prepared = client.prepare(MESSAGES)
    expected = sum(count(m["content"], "deepseek-v4") for m in MESSAGES) + 4 * 2 + 3
    assert prepared.prompt_tokens == expected == count_prompt(MESSAGES, "deepseek-v4")
    assert prepared.max_output == 1_000
    assert prepared.estimate is not None and prepared.estimate.cache_saving > 0


def test_list_models(fake_openai: FakeOpenAI, make_client: ClientFactory) -> None:
    client, _ = make_client()
    assert client.list_models() == ["fake-model"]


def test_async_twin_streams_retries_and_continues(fake_openai: FakeOpenAI, make_backend) -> None:
    fake_openai.push(
        Reply(status=429, headers=(("Retry-After", "2"),)),
        Reply(text="async ", finish_reason="length"),
        Reply(text="done"),
    )
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> tuple[list[str], object]:
        async with AsyncClient(make_backend(), options=FAST, sleep=fake_sleep) as client:
            stream = client.stream(MESSAGES, prompt_tokens=10)
            deltas = [d async for d in stream]
            return deltas, stream.reply

    deltas, reply = asyncio.run(main())
    assert "".join(deltas) == "async done"
    assert getattr(reply, "continuations", None) == 1 and getattr(reply, "retries", None) == 1
    assert slept == [2.0]
    assert [r.path for r in fake_openai.requests] == [
        "/v1/chat/completions",
        "/v1/chat/completions",
        "/beta/chat/completions",
    ]


def test_async_errors_translate_the_same_way(fake_openai: FakeOpenAI, make_backend) -> None:
    fake_openai.push(Reply(status=401, error="bad key"))

    async def main() -> None:
        async with AsyncClient(make_backend(), options=FAST) as client:
            await client.complete(MESSAGES, prompt_tokens=10)

    with pytest.raises(AuthError, match="401"):
        asyncio.run(main())


def test_client_options_come_from_settings() -> None:
    from assistant.config import Settings

    options = ClientOptions.from_settings(
        Settings(
            max_retries=7, backoff_base=0.5, read_timeout=9, max_continuations=1, max_output=99
        )
    )
    assert (options.retry.max_retries, options.retry.base, options.timeouts.read) == (7, 0.5, 9)
    assert (options.max_continuations, options.max_output) == (1, 99)
    assert isinstance(Backend, type)
