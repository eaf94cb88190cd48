"""A backend with no model id, in the TUI: the fix is said once, with the config's path.

Walked at 80x24: "set model under [backends.vllm] in the config; set model in
/…/config.toml, or pick another backend" said what to set twice.
"""

from __future__ import annotations

import pytest

from assistant import load_settings
from assistant.errors import ConfigError
from assistant.model import resolve_backend
from assistant.paths import config_dir
from tui.advice import error_text


def test_no_model_id_names_the_setting_once_and_the_config_file(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as caught:
        resolve_backend(load_settings(), name="vllm")
    text = error_text(caught.value)
    assert text.count("set model") == 1, text
    assert str(config_dir() / "config.toml") in text and "ctrl+n" in text, text
