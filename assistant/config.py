"""Settings: one :func:`load_settings`, five layers, nothing read at import.

Precedence, highest first:

1. explicit arguments (``load_settings(overrides={"backend": "ollama"})``, e.g. CLI flags);
2. ``TOME_<FIELD>`` environment variables (``TOME_BACKEND``, ``TOME_MAX_RETRIES`` ...);
3. the project: ``.tome.toml``, or ``[tool.tome]`` in ``pyproject.toml``, at the repository
   root only (the git top level of the start directory; the start directory outside git).
   A parent folder's file never counts: anything above the repository is not the project's;
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

The project's file comes with the repository, so it is untrusted: settings that decide where
the user's key goes (:data:`KEY_SETTINGS`, and any backend key outside
:data:`SAFE_BACKEND_KEYS`) are refused until the user runs ``tome trust`` on that exact
content (:mod:`assistant.trust`); so are the commands it names (:data:`COMMAND_SETTINGS`,
``test_cmd``/``lint_cmd``): until trusted they are left out, not refused, and
:func:`untrusted_commands` says which were. Everything else (budgets, retries, encodings) applies as
is. Every number is range-checked (:data:`_RANGES`), from files and ``TOME_*`` alike.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import trust
from .errors import ConfigError
from .fsio import NotRegularFile, read_regular
from .paths import config_dir

__all__ = [
    "ProjectConfig",
    "Settings",
    "command_settings",
    "find_project_config",
    "key_settings",
    "load_settings",
    "project_root",
    "read_toml",
    "untrusted_commands",
]

ENV_PREFIX = "TOME_"
PROJECT_FILE = ".tome.toml"
USER_FILE = "config.toml"
MAX_CONFIG_BYTES = 1 << 20  # a config file is a few hundred bytes; more is not a config

KEY_SETTINGS = frozenset({"base_url", "prefix_base_url", "api_key_env"})
"""Top-level settings that decide where the key goes or which variable is read."""
SAFE_BACKEND_KEYS = frozenset(
    {"model", "window", "max_output", "encoding", "prices", "max_tokens_param",
     "stream_usage", "continuation", "key_required", "reasoning_control",
     "reasoning_efforts", "reasoning_default"}
)  # fmt: skip
"""Keys of a ``[backends.NAME]`` table that cannot move a key; any other needs trust."""
COMMAND_SETTINGS = frozenset({"test_cmd", "lint_cmd"})
"""Settings that name a command tome runs: from a project file, used only once trusted."""


@dataclass(frozen=True)
class Settings:
    """Every knob tome reads from config. Field names are the config keys."""

    # which model
    backend: str = "deepseek-v4-flash"
    model: str | None = None  # overrides the backend's model id
    base_url: str | None = None  # overrides the backend's base URL
    api_key_env: str | None = None  # overrides the env var that holds the key
    max_output: int | None = None  # output tokens reserved per request (None: backend's)
    reasoning: str | None = None  # off, low, medium, high (None: the provider's default)
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
    max_rounds: int = 2  # repair rounds after the first answer (failed hunks, checks); 0: off
    # the project's instructions: files read besides AGENTS.md, CLAUDE.md, CONVENTIONS.md and
    # .github/copilot-instructions.md, at the root and in the packed folders (relative paths
    # inside the repository only: :func:`instruction_name`)
    instruction_files: tuple[str, ...] = ()
    # checks of a proposed changeset (assistant.verify); a project's commands need trust
    test_cmd: str | None = None  # the test command, run by the shell in a scratch worktree
    lint_cmd: str | None = None  # the lint command, likewise
    check_timeout: float = 300.0  # seconds one check command may run before it is stopped
    # named backends, raw tables: {name: {key: value}}
    backends: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_SCALARS = {f.name: f for f in dataclasses.fields(Settings) if f.name != "backends"}


def read_toml(path: Path, *, follow_symlinks: bool = True) -> dict[str, Any]:
    """Parse one TOML file, with a :class:`ConfigError` that names the file and the line."""
    return parse_toml(path, read_config_bytes(path, follow_symlinks=follow_symlinks))


def read_config_bytes(path: Path, *, follow_symlinks: bool = True) -> bytes:
    """A config file's bytes: a regular file only (a FIFO or device would hang or never
    end), at most :data:`MAX_CONFIG_BYTES`. ``follow_symlinks=False`` for repository files."""
    try:
        return read_regular(path, limit=MAX_CONFIG_BYTES, follow_symlinks=follow_symlinks)
    except NotRegularFile as exc:
        if exc.kind == "link":
            raise ConfigError(
                f"{path}: is a symbolic link; tome reads the project's config only from a "
                "regular file at the repository root"
            ) from exc
        if exc.kind == "large":
            raise ConfigError(
                f"{path}: larger than {MAX_CONFIG_BYTES:,} bytes; not a config file"
            ) from exc
        raise ConfigError(
            f"{path}: is not a regular file; tome reads config only from one"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc


def parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError as exc:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from exc


@dataclass(frozen=True)
class ProjectConfig:
    """The project's config file: where it is, its exact bytes (what trust is bound to) and
    its settings table (``[tool.tome]`` for a ``pyproject.toml``)."""

    path: Path
    data: bytes
    table: dict[str, Any]


def project_root(start: Path) -> Path:
    """The folder whose config counts: the repository root of ``start``
    (:func:`assistant.repo.find_root`, the one rule)."""
    from .repo import find_root  # the git edge runs git (hardened); only when asked

    return find_root(start)


def find_project_config(start: Path) -> ProjectConfig | None:
    """``.tome.toml`` (else ``pyproject.toml`` with ``[tool.tome]``) at the repository root of
    ``start`` (:func:`project_root`); ``None`` when there is none. Parent folders never count.
    """
    root = project_root(start)
    own = root / PROJECT_FILE
    if os.path.lexists(own):
        data = read_config_bytes(own, follow_symlinks=False)
        return ProjectConfig(own, data, parse_toml(own, data))
    pyproject = root / "pyproject.toml"
    if os.path.lexists(pyproject):
        data = read_config_bytes(pyproject, follow_symlinks=False)
        tool = parse_toml(pyproject, data).get("tool", {})
        table = tool.get("tome") if isinstance(tool, dict) else None
        if isinstance(table, dict):
            return ProjectConfig(pyproject, data, table)
    return None


def key_settings(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The settings of one config table that decide where a key goes, as ``(where, value)``
    (``("base_url", ...)``, ``("[backends.x] api_key_env", ...)``): what trust is about."""
    found: list[tuple[str, Any]] = []
    for key, value in table.items():
        name = key.replace("-", "_")
        if name in KEY_SETTINGS:
            found.append((name, value))
        elif name == "backends" and isinstance(value, Mapping):
            for backend, entry in value.items():
                if not isinstance(entry, Mapping):
                    continue
                for bkey, bvalue in entry.items():
                    if bkey.replace("-", "_") not in SAFE_BACKEND_KEYS:
                        found.append((f"[backends.{backend}] {bkey}", bvalue))
    return found


def command_settings(table: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of one config table that name a command to run (``test_cmd``, ...)."""
    return {
        name: value
        for key, value in table.items()
        if (name := key.replace("-", "_")) in COMMAND_SETTINGS
    }


def untrusted_commands(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The project file and the commands it names that :func:`load_settings` left out
    because the user has not trusted that file's content; None when there are none."""
    found = find_project_config(start)
    if found is None:
        return None
    named = command_settings(found.table)
    if not named or trust.is_trusted(found.path, found.data):
        return None
    return found.path, named


def _check_trust(found: ProjectConfig) -> None:
    """Refuse a project file that moves the key, unless the user trusted this content."""
    risky = key_settings(found.table)
    if not risky or trust.is_trusted(found.path, found.data):
        return
    names = ", ".join(where for where, _ in risky)
    raise ConfigError(
        f"{found.path} sets {names}: settings that decide where your API key is sent, in a "
        "file that came with the repository. tome does not follow them until you trust this "
        f"file: read it, then run 'tome trust' in {found.path.parent} (or 'tome trust "
        f"{found.path}'); a changed file needs trusting again. Or remove those settings, "
        "or put them in your own config"
    )


_RANGES: dict[str, tuple[float, float]] = {
    # Settings fields (inclusive bounds; NaN and infinities fail every comparison)
    "max_retries": (0, 20),
    "backoff_base": (0, 60),
    "backoff_max": (0, 3600),
    "connect_timeout": (0.1, 600),
    "read_timeout": (1, 86_400),
    "read_timeout_per_mtok": (0, 86_400),
    "max_continuations": (0, 50),
    "max_rounds": (0, 20),
    "max_retry_wait": (0, 86_400),
    "max_retry_total": (0, 86_400),
    "request_deadline": (1, 7 * 86_400),
    "max_answer_bytes": (1, 1 << 30),
    "max_output": (1, 16_777_216),
    "check_timeout": (1, 86_400),
    # [backends.NAME] numbers (checked by assistant.model.backend)
    "backends.window": (1, 1 << 30),
    "backends.max_output": (1, 16_777_216),
    "backends.prices": (0, 100_000),  # dollars per million tokens, each of the three
}
"""Allowed range of every number tome reads from config or ``TOME_*``. A new numeric
setting adds its line here (a test checks that every numeric field has one)."""


_CHOICES: dict[str, tuple[str, ...]] = {
    "reasoning": ("off", "low", "medium", "high"),  # assistant.model.backend.LEVELS
}
"""Allowed values of every setting that is one of a few words."""


def check_choice(key: str, value: Any, origin: str) -> None:
    """A :class:`ConfigError` naming ``origin``, ``key`` and the choices when ``value`` is
    not one of ``_CHOICES[key]``."""
    choices = _CHOICES.get(key)
    if choices is not None and value not in choices:
        raise ConfigError(
            f"{origin}: {key} = {value!r} is not one of {', '.join(choices)}", setting=key
        )


def check_range(key: str, value: float, origin: str) -> None:
    """A :class:`ConfigError` naming ``origin``, ``key`` and the range when ``value`` is
    outside ``_RANGES[key]`` (negative, NaN, infinite or absurd)."""
    bounds = _RANGES.get(key)
    if bounds is None:
        return
    low, high = bounds
    if not low <= value <= high:
        name = key.removeprefix("backends.")
        raise ConfigError(
            f"{origin}: {name} = {value!r} is out of range; allowed: {low:g} to {high:g}"
        )


MAX_INSTRUCTION_NAMES = 32


def instruction_name(name: str, origin: str) -> str:
    """``name`` as an instruction file name: a relative path inside the repository
    (``GEMINI.md``, ``docs/STYLE.md``), looked for at the root and in each packed folder. An
    absolute path, a ``..`` part, a backslash, a drive or a control character is refused (a
    project's config cannot point tome at a file outside the repository; neither can
    anyone's: instruction files are the repository's)."""
    parts = name.split("/")
    bad = (
        not name
        or name.startswith("/")
        or "\\" in name
        or ":" in parts[0]
        or any(p in ("", ".", "..") for p in parts)
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
        or len(name) > 255
    )
    if bad:
        raise ConfigError(
            f"{origin}: instruction_files entry {name!r} is not a relative path inside the "
            "repository (like 'GEMINI.md' or 'docs/STYLE.md': no '..', no absolute path)"
        )
    return name


def _names(name: str, value: Any, origin: str) -> tuple[str, ...]:
    """A list of instruction file names (from env: comma-separated), each checked."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(v, str) for v in items):
        return _bad(name, value, origin)
    if len(items) > MAX_INSTRUCTION_NAMES:
        raise ConfigError(f"{origin}: {name} lists more than {MAX_INSTRUCTION_NAMES} files")
    return tuple(instruction_name(v.strip(), origin) for v in items if v.strip())


def _coerce(name: str, value: Any, origin: str) -> Any:
    """Check (and for strings from env, convert) one scalar against its field type and
    range."""
    kind = str(_SCALARS[name].type)
    if kind.startswith("tuple"):
        return _names(name, value, origin)
    try:
        if "int" in kind and not isinstance(value, bool):
            number: float = (
                int(value) if isinstance(value, str | int) else _bad(name, value, origin)
            )
            check_range(name, number, origin)
            return number
        if "float" in kind and not isinstance(value, bool):
            if isinstance(value, str | int | float):
                number = float(value)
                check_range(name, number, origin)
                return number
            return _bad(name, value, origin)
    except ValueError as exc:
        raise ConfigError(f"{origin}: {name} = {value!r} is not a number") from exc
    if not isinstance(value, str):
        return _bad(name, value, origin)
    check_choice(name, value, origin)
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
    found = find_project_config(Path(project or Path.cwd()))
    if found is not None:
        scalars, tables = _layer(found.table, str(found.path))
        _check_trust(found)
        if command_settings(found.table) and not trust.is_trusted(found.path, found.data):
            # a command from the repository runs only once the user trusted this content
            scalars = {k: v for k, v in scalars.items() if k not in COMMAND_SETTINGS}
        merge(scalars, tables)
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
            if isinstance(value, int | float) and not isinstance(value, bool):
                check_range(key, value, "explicit setting")
            if key == "instruction_files":
                value = _names(key, value, "explicit setting")
            check_choice(key, value, "explicit setting")
            values[key] = value
        else:
            raise ConfigError(f"unknown setting {key!r}")
    return Settings(**values, backends=backends)
