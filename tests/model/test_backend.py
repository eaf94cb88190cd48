"""Backends: the presets, configured backends, CLI overrides, and keys that never leak."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.errors import ConfigError
from assistant.model import Client, Prices, available_backends, resolve_backend


def test_deepseek_presets_carry_window_output_encoding_and_prices() -> None:
    backends = available_backends(Settings(), env={})
    flash, pro = backends["deepseek-v4-flash"], backends["deepseek-v4-pro"]
    for backend in (flash, pro):
        assert backend.base_url == "https://api.deepseek.com"
        assert backend.api_key_env == "DEEPSEEK_API_KEY"
        assert backend.window == 1_048_576
        assert backend.max_output == 384 * 1024
        assert backend.encoding == "deepseek-v4"
        assert backend.max_tokens_param == "max_tokens"
        assert backend.continuation == "prefix"
        assert backend.prefix_base_url == "https://api.deepseek.com/beta"
        assert backend.prices is not None
    assert flash.prices == Prices(cache_hit=0.028, cache_miss=0.14, output=0.28)
    assert pro.prices is not None and pro.prices.cache_miss > flash.prices.cache_miss  # type: ignore[union-attr]


def test_openai_and_local_presets() -> None:
    backends = available_backends(Settings(), env={})
    gpt = backends["gpt-4.1"]
    assert (gpt.api_key_env, gpt.encoding, gpt.max_tokens_param) == (
        "OPENAI_API_KEY",
        "o200k_base",
        "max_completion_tokens",
    )
    for name, port in (("ollama", 11434), ("vllm", 8000), ("llamacpp", 8080)):
        local = backends[name]
        assert local.base_url == f"http://localhost:{port}/v1"
        assert local.api_key_env is None
        assert local.require_key({}) is None  # no key needed


def test_default_backend_is_deepseek_flash() -> None:
    assert resolve_backend(Settings(), env={}).name == "deepseek-v4-flash"


def test_openai_base_url_env_is_honoured_and_an_explicit_url_wins() -> None:
    env = {"OPENAI_BASE_URL": "https://proxy.example/v1"}
    assert (
        resolve_backend(Settings(), name="gpt-4.1", env=env).base_url == "https://proxy.example/v1"
    )
    explicit = resolve_backend(
        Settings(), name="gpt-4.1", base_url="http://127.0.0.1:9/v1", env=env
    )
    assert explicit.base_url == "http://127.0.0.1:9/v1"


def test_base_url_without_backend_means_any_openai_compatible_server() -> None:
    backend = resolve_backend(Settings(), base_url="http://127.0.0.1:9/v1", model="m", env={})
    assert (backend.name, backend.base_url, backend.model) == (
        "openai-compatible",
        "http://127.0.0.1:9/v1",
        "m",
    )
    assert backend.api_key_env == "OPENAI_API_KEY"
    assert backend.require_key({}) is None  # optional: local servers need none
    assert backend.require_key({"OPENAI_API_KEY": "anything"}) == "anything"


def test_a_local_backend_without_model_says_to_pass_model() -> None:
    with pytest.raises(ConfigError, match=r"set model under \[backends.ollama\]") as caught:
        resolve_backend(Settings(), name="ollama", env={})
    assert caught.value.setting == "model"  # each front end says how to give it
    assert resolve_backend(Settings(), name="ollama", model="qwen3", env={}).model == "qwen3"


def test_moving_a_prefix_backend_moves_its_beta_endpoint() -> None:
    backend = resolve_backend(
        Settings(), name="deepseek-v4-flash", base_url="http://127.0.0.1:9/v1", env={}
    )
    assert backend.prefix_base_url == "http://127.0.0.1:9/beta"


def test_custom_backend_and_price_override_from_project_config(tmp_path: Path) -> None:
    # a project file that defines where a key goes applies once the user trusts it
    from assistant import trust

    config = tmp_path / ".tome.toml"
    config.write_text(
        'backend = "work"\n'
        "[backends.work]\n"
        'base_url = "https://llm.example/v1"\nmodel = "big"\napi_key_env = "WORK_KEY"\n'
        'window = 200000\nmax_output = 16000\nencoding = "cl100k_base"\n'
        "[backends.deepseek-v4-pro.prices]\ncache_miss = 0.66\n"
    )
    trust.trust(config, config.read_bytes())
    settings = load_settings(project=tmp_path, env={})
    work = resolve_backend(settings, env={})
    assert (work.name, work.model, work.window, work.encoding, work.prices) == (
        "work",
        "big",
        200_000,
        "cl100k_base",
        None,
    )
    pro = available_backends(settings, env={})["deepseek-v4-pro"].prices
    assert pro is not None and pro.cache_miss == 0.66 and pro.output == 3.96  # merged, not replaced


@pytest.mark.parametrize(
    ("table", "needle"),
    [
        ({"base_url": "u", "window": 1, "max_output": 1}, "missing 'encoding'"),
        ({"base_url": "u", "window": 1, "max_output": 1, "encoding": "utf8"}, "unknown encoding"),
        (
            {"base_url": "u", "window": 0, "max_output": 1, "encoding": "o200k_base"},
            "window = 0 is out of range; allowed: 1 to",
        ),
        (
            {"base_url": "u", "window": 1, "max_output": 1, "encoding": "o200k_base", "prices": {}},
            "prices need numbers",
        ),
        ({"base_url": "u", "window": 1, "max_output": 1, "encoding": "o200k_base", "x": 1}, "'x'"),
    ],
)
def test_bad_backend_tables_are_refused_with_the_reason(table: dict, needle: str) -> None:
    with pytest.raises(ConfigError, match=r"backends\.bad") as info:
        resolve_backend(Settings(backends={"bad": table}), name="bad", model="m", env={})
    assert needle in str(info.value)


def test_unknown_backend_lists_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"deepseek-v4-flash.*ollama"):
        resolve_backend(Settings(), name="nope", env={})


def test_missing_key_names_the_variable_and_keys_never_show_in_reprs() -> None:
    backend = resolve_backend(Settings(), name="deepseek-v4-pro", env={})
    with pytest.raises(ConfigError, match="export DEEPSEEK_API_KEY="):
        Client(backend, env={})
    client = Client(backend, env={"DEEPSEEK_API_KEY": "sk-very-secret"})
    assert "sk-very-secret" not in repr(client)
    assert "sk-very-secret" not in repr(backend)
    assert "redacted" in repr(client)
    client.close()
