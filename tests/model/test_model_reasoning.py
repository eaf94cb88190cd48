"""Reasoning models against the real fake server on 127.0.0.1, through the real openai SDK:
the level each backend is asked for (the request body), the reasoning streamed apart from
the answer, its tokens counted, priced and reserved for, what goes back in a later turn, and
the continuation of a cut-off answer in thinking mode.
"""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import FAST, ClientFactory, backend_for

from assistant import load_settings
from assistant.errors import ConfigError
from assistant.model import (
    AsyncClient,
    Client,
    ClientOptions,
    ReasoningText,
    Usage,
    format_estimate,
    format_usage,
    history_message,
    reasoning_params,
    resolve_backend,
    usage_from_api,
)
from assistant.model.client import CONTINUE_PROMPT

MESSAGES = [
    {"role": "system", "content": "You are terse."},
    {"role": "user", "content": "Which is larger, 9.11 or 9.8?"},
]
THOUGHTS = "Compare the tenths: 9.8 has 8 tenths, 9.11 has 1 tenth. So 9.8 is larger. "
ANSWER = "9.8 is larger.\n"
DEEPSEEK = {"reasoning_control": "deepseek",
            "reasoning_efforts": (("low", "low"), ("medium", "high"), ("high", "max")),
            "reasoning_default": "medium"}  # fmt: skip
"""The DeepSeek presets' reasoning fields (assistant/data/backends.toml)."""


def _client(fake: FakeOpenAI, level: str | None, **changes: object) -> Client:
    options = dataclasses.replace(FAST, reasoning=level)
    return Client(backend_for(fake, **{**DEEPSEEK, **changes}), options=options)


# -- the level, per backend ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "sent"),
    [
        (None, {}),  # unset: the provider's default, nothing sent
        ("off", {"thinking": {"type": "disabled"}}),
        ("low", {"thinking": {"type": "enabled"}, "reasoning_effort": "low"}),
        ("medium", {"thinking": {"type": "enabled"}, "reasoning_effort": "high"}),
        ("high", {"thinking": {"type": "enabled"}, "reasoning_effort": "max"}),
    ],
)
def test_deepseek_gets_its_thinking_switch_and_effort_in_the_body(
    fake_openai: FakeOpenAI, level: str | None, sent: dict[str, object]
) -> None:
    fake_openai.push(Reply(text=ANSWER))
    with _client(fake_openai, level) as client:
        client.complete(MESSAGES, prompt_tokens=50)
    body = fake_openai.requests[0].body
    assert {k: body[k] for k in ("thinking", "reasoning_effort") if k in body} == sent


def test_the_presets_map_the_levels_as_their_providers_take_them(fake_openai: FakeOpenAI) -> None:
    settings = load_settings(overrides={"reasoning": "high"})
    flash = resolve_backend(settings, name="deepseek-v4-flash", base_url=fake_openai.base_url)
    gpt5 = resolve_backend(settings, name="gpt-5", base_url=fake_openai.base_url)
    assert reasoning_params(flash, "high") == {
        "thinking": {"type": "enabled"},
        "reasoning_effort": "max",
    }
    assert reasoning_params(gpt5, "low") == {"reasoning_effort": "low"}
    fake_openai.push(Reply(text=ANSWER, usage_style="openai"))
    options = ClientOptions.from_settings(settings)
    with Client(dataclasses.replace(gpt5, key_required=False), options=options) as client:
        client.complete(MESSAGES, prompt_tokens=50)
    body = fake_openai.requests[0].body
    assert body["reasoning_effort"] == "high" and "thinking" not in body
    assert body["max_completion_tokens"] == client.reserve


def test_a_level_a_backend_cannot_honour_is_a_config_error_naming_the_setting(
    fake_openai: FakeOpenAI,
) -> None:
    plain = backend_for(fake_openai)  # no reasoning control
    with pytest.raises(ConfigError, match=r"no reasoning control.*reasoning = 'high'") as info:
        Client(plain, options=ClientOptions(reasoning="high"))
    assert info.value.setting == "reasoning"
    Client(plain, options=ClientOptions(reasoning="off")).close()  # nothing to turn off
    gpt5 = resolve_backend(load_settings(), name="gpt-5")
    with pytest.raises(ConfigError, match="cannot turn reasoning off; its levels: low, medium"):
        reasoning_params(gpt5, "off")
    with pytest.raises(ConfigError, match="reasoning = 'max' is not one of off, low"):
        load_settings(overrides={"reasoning": "max"})
    assert fake_openai.requests == []  # refused before anything was sent


def test_the_setting_comes_from_the_environment_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOME_REASONING", "low")
    assert ClientOptions.from_settings(load_settings()).reasoning == "low"
    monkeypatch.setenv("TOME_REASONING", "lots")
    with pytest.raises(ConfigError, match=r"\$TOME_REASONING: reasoning = 'lots'"):
        load_settings()


# -- streamed apart, counted, priced --------------------------------------------------------


def test_reasoning_streams_apart_from_the_answer_and_is_billed_as_output(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(
        Reply(
            text=ANSWER,
            reasoning=THOUGHTS,
            chunk_chars=7,
            prompt_tokens=400,
            cached_tokens=300,
            completion_tokens=60,
            reasoning_tokens=45,
        )
    )
    client, _ = make_client()
    stream = client.stream(MESSAGES, prompt_tokens=400)
    events = list(stream.events())
    thoughts = [e.text for e in events if isinstance(e, ReasoningText)]
    texts = [e for e in events if isinstance(e, str)]
    assert "".join(thoughts) == THOUGHTS and "".join(texts) == ANSWER
    assert events.index(texts[0]) > max(events.index(t) for t in events if t not in texts)
    reply = stream.reply
    assert reply is not None and reply.text == ANSWER and reply.reasoning == THOUGHTS
    assert reply.usage == Usage(400, 60, 300, 100, reasoning_tokens=45)
    # reasoning is inside completion_tokens: priced once, as output
    assert reply.cost == pytest.approx((300 * 0.028 + 100 * 0.14 + 60 * 0.28) / 1e6)
    assert "60 out (45 reasoning)" in format_usage(reply.usage, client.backend.prices)
    fake_openai.push(Reply(text=ANSWER, reasoning=THOUGHTS))
    assert "".join(client.stream(MESSAGES, prompt_tokens=400)) == ANSWER  # text only


def test_usage_reads_reasoning_tokens_in_either_providers_words() -> None:
    deepseek = {"prompt_tokens": 10, "completion_tokens": 90, "prompt_cache_hit_tokens": 0,
                "completion_tokens_details": {"reasoning_tokens": 81}}  # fmt: skip
    openai = {"prompt_tokens": 10, "completion_tokens": 500,
              "completion_tokens_details": {"reasoning_tokens": 448, "audio_tokens": 0}}  # fmt: skip
    assert usage_from_api(deepseek).reasoning_tokens == 81
    assert usage_from_api(openai).reasoning_tokens == 448
    assert usage_from_api({"prompt_tokens": 1, "completion_tokens": 2}).reasoning_tokens == 0
    assert (Usage(1, 9, 0, 1, reasoning_tokens=8) + Usage(1, 3, 0, 1)).reasoning_tokens == 8


def test_vllms_reasoning_field_is_read_too_and_an_unreported_usage_counts_it(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(Reply(text="x" * 40, reasoning="y" * 80, reasoning_field="reasoning"))
    client, _ = make_client(stream_usage=False)
    reply = client.complete(MESSAGES, prompt_tokens=77)
    assert (reply.text, reply.reasoning) == ("x" * 40, "y" * 80)
    assert reply.usage == Usage(77, 30, 0, 77, estimated=True, reasoning_tokens=20)


def test_a_thinking_request_reserves_room_for_the_reasoning_and_says_so(
    fake_openai: FakeOpenAI,
) -> None:
    roomy = {"max_output": 393_216, "window": 1_048_576}
    off, medium, high = (_client(fake_openai, level, **roomy) for level in ("off", None, "high"))
    assert (off.reserve, medium.reserve, high.reserve) == (32_768, 65_536, 98_304)
    assert _client(fake_openai, "high", **roomy).reserve_for(4_000) == 4_000  # as the user set
    line = format_estimate(high.prepare(MESSAGES, prompt_tokens=1000).estimate)  # type: ignore[arg-type]
    assert "(+ up to 98,304 out, reasoning (high) included)" in line
    assert "reasoning" not in format_estimate(off.prepare(MESSAGES, prompt_tokens=1000).estimate)  # type: ignore[arg-type]
    fake_openai.push(Reply(text=ANSWER))
    high.complete(MESSAGES, prompt_tokens=1000)
    assert fake_openai.requests[0].body["max_tokens"] == 98_304
    for client in (off, medium, high):
        client.close()


# -- what a later turn sends back -------------------------------------------------------------


def test_the_answer_goes_back_without_its_reasoning_unless_it_made_tool_calls() -> None:
    reply = dataclasses.replace(_reply(), text=ANSWER, reasoning=THOUGHTS)
    assert history_message(reply) == {"role": "assistant", "content": ANSWER}
    assert history_message(ANSWER) == {"role": "assistant", "content": ANSWER}
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    assert history_message(reply, tool_calls=[call]) == {
        "role": "assistant",
        "content": ANSWER,
        "tool_calls": [call],
        "reasoning_content": THOUGHTS,
    }


def _reply():  # type: ignore[no-untyped-def]
    from assistant.model import Reply as ModelReply

    return ModelReply(text="", usage=Usage(), finish_reason="stop", truncated=False,
                      continuations=0, retries=0, cost=None)  # fmt: skip


# -- continuing a cut-off answer in thinking mode ---------------------------------------------


def test_deepseek_continues_a_thinking_answer_by_prefix_with_thinking_disabled(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.refuse_reasoning_input = True  # as deepseek-reasoner: no reasoning_content in
    fake_openai.push(
        Reply(text="def f():\n    return ", reasoning=THOUGHTS, finish_reason="length"),
        Reply(text="42\n"),
    )
    with _client(fake_openai, "high") as client:
        reply = client.complete(MESSAGES, prompt_tokens=50)
    assert reply.text == "def f():\n    return 42\n" and reply.continuations == 1
    assert reply.reasoning == THOUGHTS and not reply.truncated
    first, second = fake_openai.requests
    assert first.body["thinking"] == {"type": "enabled"} and first.path.startswith("/v1")
    assert second.path == "/beta/chat/completions"
    assert second.body["thinking"] == {"type": "disabled"} and "reasoning_effort" not in second.body
    assert second.messages[-1] == {
        "role": "assistant",
        "content": "def f():\n    return ",
        "prefix": True,
    }


def test_a_prefix_backend_without_a_switch_continues_a_thinking_answer_by_a_message(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.refuse_reasoning_input = True
    fake_openai.push(
        Reply(text="first half, ", reasoning=THOUGHTS, finish_reason="length"),
        Reply(text="second half", reasoning="Go on from the comma."),
    )
    client, _ = make_client()  # prefix continuation, no reasoning control: it reasons anyway
    reply = client.complete(MESSAGES, prompt_tokens=50)
    assert reply.text == "first half, second half" and reply.continuations == 1
    assert reply.reasoning == THOUGHTS + "Go on from the comma."
    second = fake_openai.requests[1]
    assert second.path == "/v1/chat/completions"  # a follow-up turn, not the beta prefix
    assert second.messages[-2:] == [
        {"role": "assistant", "content": "first half, "},  # no reasoning_content
        {"role": "user", "content": CONTINUE_PROMPT},
    ]


def test_reasoning_that_spends_the_whole_reserve_is_cut_off_not_continued(
    fake_openai: FakeOpenAI,
) -> None:
    fake_openai.push(Reply(text="", reasoning=THOUGHTS * 3, finish_reason="length"))
    with _client(fake_openai, "high") as client:
        reply = client.complete(MESSAGES, prompt_tokens=50)
    assert reply.truncated and reply.reasoning_cut and reply.text == ""
    assert len(fake_openai.requests) == 1


def test_a_dropped_stream_during_the_reasoning_is_asked_again_from_the_start(
    fake_openai: FakeOpenAI, make_client: ClientFactory
) -> None:
    fake_openai.push(
        Reply(text="", reasoning=THOUGHTS, drop_after=3, include_usage=False),
        Reply(text=ANSWER, reasoning=THOUGHTS),
    )
    client, sleeps = make_client()
    reply = client.complete(MESSAGES, prompt_tokens=50)
    assert (reply.text, reply.reasoning, reply.retries) == (ANSWER, THOUGHTS, 1)
    assert len(sleeps) == 1 and fake_openai.requests[1].messages == MESSAGES


def test_the_async_twin_streams_reasoning_apart(fake_openai: FakeOpenAI, make_backend) -> None:  # type: ignore[no-untyped-def]
    fake_openai.push(Reply(text=ANSWER, reasoning=THOUGHTS, chunk_chars=4))

    async def run() -> tuple[list[object], str, str]:
        async with AsyncClient(make_backend(), options=FAST) as client:
            stream = client.stream(MESSAGES, prompt_tokens=50)
            events = [e async for e in stream.events()]
            assert stream.reply is not None
            return events, stream.reply.text, stream.reply.reasoning

    events, text, reasoning = asyncio.run(run())
    assert "".join(e.text for e in events if isinstance(e, ReasoningText)) == THOUGHTS
    assert "".join(e for e in events if isinstance(e, str)) == text == ANSWER
    assert reasoning == THOUGHTS
