"""One rule for the output reserve, and the client's reserve and prompt overhead: what a
request sends as ``max_tokens`` and what its prompt costs beyond the user's content."""

from __future__ import annotations

import dataclasses

import pytest
from fakeopenai import FakeOpenAI
from modelkit import FAST, backend_for

from assistant import tokens
from assistant.model import Client, ClientOptions, count_prompt, output_reserve, resolve_backend
from assistant.session import Assistant, system_prompt

offline_o200k = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def test_the_reserve_is_the_setting_else_32k_capped_by_the_backend_and_the_window() -> None:
    assert output_reserve(None, max_output=393_216, window=1_048_576) == 32_768
    assert output_reserve(4_000, max_output=393_216, window=1_048_576) == 4_000
    assert output_reserve(None, max_output=8_192, window=131_072) == 8_192
    assert output_reserve(100_000, max_output=8_192, window=131_072) == 8_192
    assert output_reserve(None, max_output=393_216, window=16_000) == 16_000  # never past it


def test_the_deepseek_preset_reserves_32k_not_its_whole_max_output() -> None:
    from assistant import load_settings

    backend = resolve_backend(load_settings(), name="deepseek-v4-flash")
    assert backend.max_output == 393_216
    bare = dataclasses.replace(backend, key_required=False, api_key_env=None)
    client = Client(bare, options=ClientOptions(reasoning="off"))
    assert client.reserve == 32_768
    assert client.reserve_for(4_000) == 4_000 and client.reserve_for(None) == 32_768
    # unset, DeepSeek V4 thinks (its default): the reasoning gets room of its own
    assert Client(bare).reserve == 32_768 + 32_768 < backend.max_output


@offline_o200k
def test_the_request_sends_the_clients_reserve_and_counts_its_overhead(
    fake_openai: FakeOpenAI, make_repo
) -> None:  # type: ignore[no-untyped-def]
    backend = backend_for(fake_openai, max_output=50_000, window=100_000)
    with Client(backend, options=FAST) as client:
        assert client.reserve == 32_768
        system = system_prompt("search-replace")
        user = "rename greet to welcome"
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        overhead = client.prompt_overhead(system)
        assert overhead == count_prompt(messages, backend.encoding) - tokens.count(
            user, backend.encoding
        )
        client.complete(messages)
        assistant = Assistant.open(make_repo({"app.py": "x = 1\n"}), client=client)
        assert (assistant.reserve, assistant.prompt_overhead) == (
            client.reserve,
            client.prompt_overhead(system_prompt(assistant.edit_format)),
        )
    [request] = fake_openai.requests
    assert request.body["max_tokens"] == 32_768
