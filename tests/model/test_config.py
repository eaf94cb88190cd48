"""Settings: precedence of the five layers, file formats, and refusals."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings, load_settings
from assistant.errors import ConfigError
from assistant.paths import config_dir


def write_user_config(text: str) -> Path:
    path = config_dir() / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    assert load_settings(project=tmp_path, env={}) == Settings()


def test_precedence_explicit_over_env_over_project_over_user(tmp_path: Path) -> None:
    write_user_config('backend = "ollama"\nmax_retries = 1\nbackoff_base = 0.5\nmodel = "u"\n')
    (tmp_path / ".tome.toml").write_text('max_retries = 2\nmodel = "p"\nbackend = "vllm"\n')
    env = {"TOME_MAX_RETRIES": "3", "TOME_BACKEND": "llamacpp"}

    settings = load_settings(
        project=tmp_path, env=env, overrides={"backend": "gpt-4.1", "model": None}
    )

    assert settings.backend == "gpt-4.1"  # explicit
    assert settings.max_retries == 3  # env, converted to int
    assert settings.model == "p"  # project (the None override is ignored)
    assert settings.backoff_base == 0.5  # user
    assert settings.backoff_max == Settings().backoff_max  # default


def test_tool_tome_in_pyproject_is_found_from_a_subdirectory(make_repo) -> None:
    # only the repository root counts (was: the nearest parent folder with a config)
    root = make_repo({"pyproject.toml": '[project]\nname = "x"\n[tool.tome]\nbackend = "vllm"\n'})
    sub = root / "src" / "pkg"
    sub.mkdir(parents=True)
    assert load_settings(project=sub, env={}).backend == "vllm"


def test_a_subfolder_config_does_not_count_inside_a_repository(make_repo) -> None:
    root = make_repo({".tome.toml": 'backend = "vllm"\n', "sub/.tome.toml": 'backend = "ollama"\n'})
    (root / "sub" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load_settings(project=root / "sub", env={}).backend == "vllm"


def test_backend_tables_merge_key_by_key(tmp_path: Path) -> None:
    write_user_config('[backends.work]\nbase_url = "https://u.example/v1"\nwindow = 1000\n')
    (tmp_path / ".tome.toml").write_text("[backends.work]\nwindow = 2000\n")
    settings = load_settings(project=tmp_path, env={})
    assert settings.backends == {"work": {"base_url": "https://u.example/v1", "window": 2000}}


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("max_retries = 'many'\n", "max_retries"),
        ("max_retries = true\n", "wrong type"),
        ("colour = 'blue'\n", "unknown setting 'colour'"),
        ("api_key = 'sk-123'\n", "never read from files"),
        ("[backends.x]\napi_key = 'sk-123'\n", "env only"),
        ("max_retries = \n", "not valid TOML"),
    ],
)
def test_bad_project_config_names_the_file_and_the_problem(
    tmp_path: Path, text: str, needle: str
) -> None:
    (tmp_path / ".tome.toml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(project=tmp_path, env={})
    assert needle in str(info.value)
    assert ".tome.toml" in str(info.value)
    assert "sk-123" not in str(info.value)


def test_bad_env_value_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\$TOME_BACKOFF_BASE"):
        load_settings(project=tmp_path, env={"TOME_BACKOFF_BASE": "soon"})


def test_env_defaults_to_the_process_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOME_MAX_CONTINUATIONS", "9")
    assert load_settings(project=tmp_path).max_continuations == 9


def test_nothing_is_read_at_import(tmp_path: Path) -> None:
    broken = write_user_config("this is [not toml")
    # a fresh interpreter: importing the module (and the model package) must not read it
    code = "import assistant.config, assistant.model; print('imported')"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported"
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(project=tmp_path, env={})
    assert broken.is_file()
