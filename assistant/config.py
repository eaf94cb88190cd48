"""Settings: one :func:`load_settings`, five layers, nothing read at import.

Precedence, highest first:

1. explicit arguments (``load_settings(overrides={"backend": "ollama"})``, e.g. CLI flags);
2. ``TOME_<FIELD>`` environment variables (``TOME_BACKEND``, ``TOME_MAX_RETRIES`` ...);
3. the project: ``.tome.toml``, or ``[tool.tome]`` in ``pyproject.toml``, in the start
   directory or the nearest parent that has one;
4. the user: ``config.toml`` in :func:`assistant.paths.config_dir`;
5. the defaults on :class:`Settings`.

A config file holds the scalar fields at the top level and named backends as tables::

    backend = "deepseek-v4-pro"
    max_retries = 3

    [backends.work-proxy]
    base_url = "https://llm.example.com/v1"
    model = "deepseek-v4-flash"
    api_key_env = "WORK_LLM_KEY"
    window = 1048576

``[backends.NAME]`` tables merge key by key (project over user); their meaning belongs to
:mod:`assistant.model`. API keys are never read from files: only the *name* of the
environment variable that holds one.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .paths import config_dir

__all__ = ["Settings", "find_project_config", "load_settings", "read_toml"]

ENV_PREFIX = "TOME_"
PROJECT_FILE = ".tome.toml"
USER_FILE = "config.toml"


@dataclass(frozen=True)
class Settings:
    """Every knob tome reads from config. Field names are the config keys."""

    # which model
    backend: str = "deepseek-v4-flash"
    model: str | None = None  # overrides the backend's model id
    base_url: str | None = None  # overrides the backend's base URL
    api_key_env: str | None = None  # overrides the env var that holds the key
    max_output: int | None = None  # output tokens reserved per request (None: backend's)
    # retries and timeouts
    max_retries: int = 4
    backoff_base: float = 1.0  # seconds before the first retry; doubles each time
    backoff_max: float = 60.0  # cap on one backoff wait
    max_retry_wait: float = 60.0  # the longest Retry-After slept; a longer one is reported
    max_retry_total: float = 300.0  # seconds of waiting over all retries of one reply
    connect_timeout: float = 10.0
    read_timeout: float = 120.0  # the first byte of a small prompt; scales with size
    read_timeout_per_mtok: float = 300.0  # extra seconds per million prompt tokens
    request_deadline: float | None = None  # seconds one request may take (None: by size)
    max_answer_bytes: int = 8 * 1024 * 1024  # a longer answer is stopped, not kept whole
    max_continuations: int = 4  # automatic follow-ups after finish_reason "length"
    # named backends, raw tables: {name: {key: value}}
    backends: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_SCALARS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "backends"}


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, with a :class:`ConfigError` that names the file and the line."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc


def find_project_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest ``.tome.toml`` (or ``pyproject.toml`` with ``[tool.tome]``) at or above
    ``start``, with its settings table; ``None`` when there is none."""
    for directory in (start, *start.parents):
        own = directory / PROJECT_FILE
        if own.is_file():
            return own, read_toml(own)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            table = read_toml(pyproject).get("tool", {}).get("tome")
            if isinstance(table, dict):
                return pyproject, table
    return None


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Check (and for strings from env, convert) one scalar against its field type."""
    kind = str(_SCALARS[name].type)
    try:
        if "int" in kind and not isinstance(value, bool):
            return int(value) if isinstance(value, str | int) else _bad(name, value, origin)
        if "float" in kind and not isinstance(value, bool):
            if isinstance(value, str | int | float):
                return float(value)
            return _bad(name, value, origin)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {name} = {value!r} is not a number") from exc
    if not isinstance(value, str):
        return _bad(name, value, origin)
    return value


def _bad(name: str, value: Any, origin: str) -> Any:
    raise ConfigError(f"{origin}: {name} = {value!r} has the wrong type ({_SCALARS[name].type})")


def _layer(table: Mapping[str, Any], origin: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split one file's table into (scalars, backends), rejecting unknown keys."""
    scalars: dict[str, Any] = {}
    backends: dict[str, Any] = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        if name == "backends":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(f"{origin}: [backends.NAME] entries must be tables")
            backends = value
        elif name in _SCALARS:
            scalars[name] = _coerce(name, value, origin)
        elif name in ("api_key", "key"):
            raise ConfigError(
                f"{origin}: API keys are never read from files; set api_key_env to the name of "
                "an environment variable that holds the key"
            )
        else:
            choices = ", ".join(sorted(_SCALARS))
            raise ConfigError(f"{origin}: unknown setting {key!r}; known: {choices}, backends")
    for name, entry in backends.items():
        if "api_key" in entry or "key" in entry:
            raise ConfigError(
                f"{origin}: [backends.{name}] holds a key; keys are read from env only: "
                "set api_key_env instead"
            )
    return scalars, backends


def load_settings(
    *,
    project: Path | str | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve settings for a project directory (default: the current directory).

    ``overrides`` win over everything; keys whose value is ``None`` are ignored, so CLI
    flags can be passed through unconditionally. ``env`` defaults to ``os.environ``.
    """
    environ = os.environ if env is None else env
    values: dict[str, Any] = {}
    backends: dict[str, dict[str, Any]] = {}

    def merge(scalars: Mapping[str, Any], tables: Mapping[str, Any]) -> None:
        values.update(scalars)
        for name, entry in tables.items():
            backends.setdefault(name, {}).update(entry)

    user_file = config_dir() / USER_FILE
    if user_file.is_file():
        merge(*_layer(read_toml(user_file), str(user_file)))
    found = find_project_config(Path(project or Path.cwd()).resolve())
    if found is not None:
        merge(*_layer(found[1], str(found[0])))
    for name in _SCALARS:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw, f"${ENV_PREFIX}{name.upper()}")
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key == "backends":
            merge({}, value)
        elif key in _SCALARS:
            values[key] = value
        else:
            raise ConfigError(f"unknown setting {key!r}")
    return Settings(**values, backends=backends)
