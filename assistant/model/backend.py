"""Named model backends: the built-in presets, the user's own, and CLI overrides.

A :class:`Backend` is plain data: where to send (base URL, model id), which environment
variable holds the key, how big the window is, what it costs, which tokenizer counts for it,
and the quirks of its wire protocol. It never holds the key itself; :meth:`Backend.api_key`
reads the environment when the client is built, so no repr, log or file can leak it.

Presets ship in ``assistant/data/backends.toml``; ``[backends.NAME]`` tables in the settings
override them field by field (prices included) or add new ones.

**Reasoning.** The ``reasoning`` setting (``off``, ``low``, ``medium``, ``high``; unset: the
provider's own default, nothing sent) is mapped per backend by :func:`reasoning_params`:
``reasoning_control = "deepseek"`` sends DeepSeek's thinking switch (``thinking.type``
enabled or disabled) and, when enabled, ``reasoning_effort``; ``"openai"`` sends
``reasoning_effort``; ``"none"`` has no control, and a level other than ``off`` asked of it
is a :class:`~assistant.errors.ConfigError` naming the setting, never silently ignored.
``reasoning_efforts`` maps each level to the value the provider accepts (a level it lacks
is refused the same way); ``reasoning_default`` is the level the provider uses when told
nothing (DeepSeek V4 thinks unless told not to), which :func:`reasoning_level` reports.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from ..config import Settings, check_range
from ..errors import ConfigError

__all__ = [
    "LEVELS",
    "Backend",
    "Prices",
    "affinity_fields",
    "available_backends",
    "backend_names",
    "load_presets",
    "reasoning_level",
    "reasoning_params",
    "resolve_backend",
]

Continuation = Literal["prefix", "message", "none"]
ReasoningControl = Literal["none", "deepseek", "openai"]
LEVELS = ("off", "low", "medium", "high")
"""The values of the ``reasoning`` setting, weakest first."""
ENCODINGS = ("deepseek-v4", "o200k_base", "cl100k_base")
GENERIC = "openai-compatible"  # what --base-url without --backend means


@dataclass(frozen=True)
class Prices:
    """US dollars per million tokens."""

    cache_hit: float
    cache_miss: float
    output: float


@dataclass(frozen=True)
class Backend:
    """One configured model endpoint. Holds the *name* of the key's env var, never the key."""

    name: str
    base_url: str
    model: str
    window: int
    max_output: int
    encoding: str
    api_key_env: str | None = None
    key_required: bool = True
    prices: Prices | None = None  # None: unknown, costs are not shown
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] = "max_tokens"
    stream_usage: bool = True  # accepts stream_options.include_usage
    continuation: Continuation = "message"
    prefix_base_url: str | None = None  # DeepSeek beta endpoint for prefix completion
    reasoning_control: ReasoningControl = "none"  # how a reasoning level is sent
    reasoning_efforts: tuple[tuple[str, str], ...] = ()  # (level, value the provider takes)
    reasoning_default: str = "off"  # the level the provider uses when nothing is sent
    concurrency: int = 4  # requests tome batch sends at once (tome batch --concurrency)
    batch_price: float | None = None  # the Batch API bills this fraction of prices (None: none)
    affinity: str = ""  # where a shared prefix's key goes: user, prompt_cache_key, header:NAME

    def api_key(self, env: Mapping[str, str] | None = None) -> str | None:
        """The key from the environment, or ``None`` (which is fine when not required)."""
        if not self.api_key_env:
            return None
        return (os.environ if env is None else env).get(self.api_key_env) or None

    def has_key(self, env: Mapping[str, str] | None = None) -> bool:
        return self.api_key(env) is not None

    def require_key(self, env: Mapping[str, str] | None = None) -> str | None:
        """The key, or a :class:`ConfigError` saying which variable to set."""
        key = self.api_key(env)
        if key is None and self.key_required and self.api_key_env:
            raise ConfigError(
                f"backend {self.name!r} needs an API key: export {self.api_key_env}=... "
                "(keys are read from the environment only)"
            )
        return key


# ---------------------------------------------------------------------------------------------
# Loading


_FIELDS = {f.name for f in dataclasses.fields(Backend)} - {"name"}
_EXTRA = {"base_url_env"}


def load_presets() -> dict[str, dict[str, Any]]:
    """The built-in presets as raw tables (read from the package data, on each call)."""
    text = resources.files("assistant").joinpath("data/backends.toml").read_text("utf-8")
    return tomllib.loads(text)


def _merged_tables(settings: Settings) -> dict[str, dict[str, Any]]:
    tables = {name: dict(table) for name, table in load_presets().items()}
    for name, entry in settings.backends.items():
        merged = tables.setdefault(name, {})
        for key, value in entry.items():
            if key == "prices" and isinstance(value, Mapping):
                merged["prices"] = {**merged.get("prices", {}), **value}
            else:
                merged[key] = value
    return tables


def _build(name: str, table: Mapping[str, Any], env: Mapping[str, str] | None = None) -> Backend:
    where = f"[backends.{name}]"
    unknown = set(table) - _FIELDS - _EXTRA
    if unknown:
        raise ConfigError(
            f"{where}: unknown keys {sorted(unknown)}; known: {sorted(_FIELDS | _EXTRA)}"
        )
    for needed in ("base_url", "window", "max_output", "encoding"):
        if needed not in table:
            raise ConfigError(f"{where}: missing {needed!r}")
    values = {k: v for k, v in table.items() if k in _FIELDS}
    values.setdefault("model", "")
    base_env = table.get("base_url_env")
    environ = os.environ if env is None else env
    if base_env and environ.get(base_env):
        values["base_url"] = environ[base_env]
    prices = table.get("prices")
    if prices is not None:
        try:
            values["prices"] = Prices(
                cache_hit=float(prices["cache_hit"]),
                cache_miss=float(prices["cache_miss"]),
                output=float(prices["output"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"{where}: prices need numbers cache_hit, cache_miss and output (per million)"
            ) from exc
        for price in ("cache_hit", "cache_miss", "output"):
            check_range("backends.prices", getattr(values["prices"], price), f"{where} prices")
    if values["encoding"] not in ENCODINGS:
        raise ConfigError(
            f"{where}: unknown encoding {values['encoding']!r}; choose one of {', '.join(ENCODINGS)}"
        )
    if values.get("continuation", "message") not in ("prefix", "message", "none"):
        raise ConfigError(f"{where}: continuation must be 'prefix', 'message' or 'none'")
    _check_reasoning(where, values)
    _check_batch(where, values)
    if values.get("max_tokens_param", "max_tokens") not in ("max_tokens", "max_completion_tokens"):
        raise ConfigError(f"{where}: max_tokens_param must be max_tokens or max_completion_tokens")
    for number in ("window", "max_output"):
        if not isinstance(values[number], int) or isinstance(values[number], bool):
            raise ConfigError(f"{where}: {number} must be a positive integer")
        check_range(f"backends.{number}", values[number], where)
    return Backend(name=name, **values)


def _check_batch(where: str, values: dict[str, Any]) -> None:
    """Validate the fields ``tome batch`` reads: concurrency, batch_price, affinity."""
    n = values.get("concurrency", 4)
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 1024:
        raise ConfigError(f"{where}: concurrency must be a whole number from 1 to 1024")
    price = values.get("batch_price")
    if price is not None and (
        isinstance(price, bool) or not isinstance(price, int | float) or not 0 <= price <= 1
    ):
        raise ConfigError(f"{where}: batch_price must be a fraction from 0 to 1 (OpenAI: 0.5)")
    affinity = values.get("affinity", "")
    header = affinity.removeprefix("header:") if isinstance(affinity, str) else ""
    if not isinstance(affinity, str) or not (
        affinity in ("", "user", "prompt_cache_key")
        or (affinity.startswith("header:") and _HEADER.fullmatch(header))
    ):
        raise ConfigError(
            f"{where}: affinity must be 'user', 'prompt_cache_key' or 'header:NAME' (a header "
            "name of letters, digits and '-')"
        )


_HEADER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")


def affinity_fields(backend: Backend, key: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Where ``key`` (the same for every request sharing a prefix) goes for ``backend``:
    (headers, body fields); both empty without a key or an ``affinity`` setting."""
    if not key or not backend.affinity:
        return {}, {}
    if backend.affinity.startswith("header:"):
        return {backend.affinity.removeprefix("header:"): key}, {}
    return {}, {backend.affinity: key}


def _check_reasoning(where: str, values: dict[str, Any]) -> None:
    """Validate the reasoning fields of one table (in place: the efforts become pairs)."""
    control = values.get("reasoning_control", "none")
    if control not in ("none", "deepseek", "openai"):
        raise ConfigError(f"{where}: reasoning_control must be 'none', 'deepseek' or 'openai'")
    efforts = values.get("reasoning_efforts", {})
    if isinstance(efforts, Mapping):
        efforts = tuple(efforts.items())
    if not isinstance(efforts, tuple | list) or not all(
        isinstance(pair, tuple | list)
        and len(pair) == 2
        and pair[0] in LEVELS
        and isinstance(pair[1], str)
        for pair in efforts
    ):
        raise ConfigError(
            f"{where}: reasoning_efforts must map levels ({', '.join(LEVELS)}) to the values "
            'the provider accepts, e.g. { low = "low", high = "max" }'
        )
    values["reasoning_efforts"] = tuple((str(a), str(b)) for a, b in efforts)
    if values.get("reasoning_default", "off") not in LEVELS:
        raise ConfigError(f"{where}: reasoning_default must be one of {', '.join(LEVELS)}")


def reasoning_level(backend: Backend, requested: str | None) -> str:
    """The reasoning level a request runs at: the one ``requested``, else the provider's
    default (``reasoning_default``: what it does when nothing is sent)."""
    return requested or backend.reasoning_default


def reasoning_params(backend: Backend, requested: str | None) -> dict[str, Any]:
    """The request fields that ask ``backend`` for reasoning level ``requested`` (None: the
    provider's default, nothing sent), merged into the JSON body as they are.

    DeepSeek (``thinking`` switch, https://api-docs.deepseek.com/guides/thinking_mode):
    ``off`` sends ``{"thinking": {"type": "disabled"}}``; a level sends the switch enabled
    and ``reasoning_effort``. OpenAI reasoning models: ``reasoning_effort``. A level the
    backend cannot honour is a :class:`ConfigError` naming the ``reasoning`` setting.
    """
    if requested is None:
        return {}
    if requested not in LEVELS:
        raise ConfigError(
            f"reasoning = {requested!r} is not a level; choose one of {', '.join(LEVELS)}",
            setting="reasoning",
        )
    control = backend.reasoning_control
    if control == "none":
        if requested == "off":
            return {}  # nothing to turn off: this backend is not asked to reason
        raise ConfigError(
            f"backend {backend.name!r} has no reasoning control, so reasoning = {requested!r} "
            "cannot be honoured: use reasoning = 'off' (or leave it unset), or pick a backend "
            "that reasons (tome models); a server that does take a control can declare it "
            f"with reasoning_control under [backends.{backend.name}]",
            setting="reasoning",
        )
    efforts = dict(backend.reasoning_efforts)
    if control == "deepseek" and requested == "off":
        return {"thinking": {"type": "disabled"}}
    if requested not in efforts:
        offered = [level for level in LEVELS if level in efforts or (
            level == "off" and control == "deepseek")]  # fmt: skip
        what = "turn reasoning off" if requested == "off" else f"reason at {requested!r}"
        raise ConfigError(
            f"backend {backend.name!r} cannot {what}; its levels: {', '.join(offered)} "
            f"(reasoning_efforts under [backends.{backend.name}])",
            setting="reasoning",
        )
    if control == "deepseek":
        return {"thinking": {"type": "enabled"}, "reasoning_effort": efforts[requested]}
    return {"reasoning_effort": efforts[requested]}


def available_backends(
    settings: Settings, *, env: Mapping[str, str] | None = None
) -> dict[str, Backend]:
    """Every backend, built-in and configured, by name (config order: presets first)."""
    return {name: _build(name, table, env) for name, table in _merged_tables(settings).items()}


def backend_names(settings: Settings) -> list[str]:
    """The name of every backend, built-in and configured (config order: presets first),
    without building them: a broken entry is listed, and fails when it is resolved."""
    return list(_merged_tables(settings))


def resolve_backend(
    settings: Settings,
    *,
    name: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    api_key_env: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Backend:
    """The backend to use: ``name`` (else :attr:`Settings.backend`) with overrides applied.

    Overrides given here (CLI flags) win over those in ``settings``. A ``base_url`` without
    a ``name`` means any OpenAI-compatible server: the ``openai-compatible`` backend.
    """
    tables = _merged_tables(settings)
    chosen = name or (GENERIC if base_url else settings.backend)
    if chosen not in tables:
        raise ConfigError(
            f"unknown backend {chosen!r}; choose one of: {', '.join(sorted(tables))} "
            "(or add [backends.NAME] to .tome.toml)"
        )
    table = dict(tables[chosen])
    for key, value in (
        ("base_url", base_url or settings.base_url),
        ("model", model or settings.model),
        ("api_key_env", api_key_env or settings.api_key_env),
    ):
        if value:
            table[key] = value
            if key == "base_url":
                table.pop("base_url_env", None)  # an explicit URL beats OPENAI_BASE_URL
    backend = _build(chosen, table, env)
    if not backend.model:
        raise ConfigError(
            f"backend {chosen!r} has no model id: set model under [backends.{chosen}] in the "
            "config",
            setting="model",
        )
    if backend.continuation == "prefix" and (base_url or settings.base_url):
        # A moved endpoint (proxy, test server) keeps its beta path next to the new base.
        backend = dataclasses.replace(backend, prefix_base_url=beta_url(backend.base_url))
    return backend


def beta_url(base_url: str) -> str:
    """DeepSeek's prefix-completion endpoint next to ``base_url`` (``.../v1`` -> ``.../beta``)."""
    root = base_url.rstrip("/")
    root = root.removesuffix("/v1")
    return root + "/beta"
