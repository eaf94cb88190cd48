"""Tokens and money: what a request will cost before it is sent, and what it did cost.

Pure functions over plain values. Providers report cached prompt tokens differently:
DeepSeek as ``prompt_cache_hit_tokens`` / ``prompt_cache_miss_tokens``, OpenAI as
``prompt_tokens_details.cached_tokens``; :func:`usage_from_api` reads either.

Reasoning is billed as output: both report its tokens inside ``completion_tokens`` and say
how many in ``completion_tokens_details.reasoning_tokens``, which :attr:`Usage.reasoning_tokens`
keeps (a part of ``completion_tokens``, never added to it again). A request that reasons
reserves room for it too (:func:`output_reserve`): the reasoning comes out of ``max_tokens``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ContextLengthError
from .backend import Prices

__all__ = [
    "DEFAULT_RESERVE",
    "REASONING_RESERVE",
    "Estimate",
    "Usage",
    "check_window",
    "cost",
    "estimate",
    "format_estimate",
    "format_usage",
    "output_reserve",
    "reserve_note",
    "usage_from_api",
]

MILLION = 1_000_000
DEFAULT_RESERVE = 32_768
"""Output tokens reserved per request when the user set none (and the backend allows it)."""
REASONING_RESERVE = {"off": 0, "low": 8_192, "medium": 32_768, "high": 65_536}
"""Output tokens added to :data:`DEFAULT_RESERVE` for the reasoning of a request at each
level: the provider counts reasoning against ``max_tokens`` (DeepSeek's thinking mode and
OpenAI's reasoning models alike), so a reserve sized for the answer alone would be spent
thinking and the answer cut off.

DeepSeek, reviewed against its documentation: thinking mode is *on* unless the request
disables it, at effort ``high`` (api-docs.deepseek.com, guides/thinking_mode), and its
``max_tokens`` is the length of the whole reply, the chain of thought included (the
reasoning-model guide: default 32K, at most 64K in the R1 days; V4 produces up to 384K). So
a plain DeepSeek request, with no ``--reasoning``, thinks at our ``medium`` (DeepSeek's
``high``) and reserves 32,768 + 32,768 = 65,536: the answer's room, as for any request, and
as much again for the thinking. That is what a user expects from a default: an answer that
is not cut off by its own thinking. The reserve is a cap, billed only as used; the estimate
shows it as the worst case ("reasoning (medium) included"); ``--reasoning off`` reserves
32,768 and ``--max-output N`` is taken as given."""


@dataclass(frozen=True)
class Usage:
    """Token counts of one reply (all its continuations summed)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    cache_hit_tokens: int = 0
    cache_miss_tokens: int = 0
    estimated: bool = False  # the backend reported nothing; counted locally
    reasoning_tokens: int = 0  # of completion_tokens: spent reasoning (billed as output)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cache_hit_tokens=self.cache_hit_tokens + other.cache_hit_tokens,
            cache_miss_tokens=self.cache_miss_tokens + other.cache_miss_tokens,
            estimated=self.estimated or other.estimated,
            reasoning_tokens=self.reasoning_tokens + other.reasoning_tokens,
        )


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0


def usage_from_api(raw: Mapping[str, Any]) -> Usage:
    """A provider's ``usage`` object (as a dict) in our terms."""
    prompt = _int(raw.get("prompt_tokens"))
    completion = _int(raw.get("completion_tokens"))
    if "prompt_cache_hit_tokens" in raw or "prompt_cache_miss_tokens" in raw:
        hit = _int(raw.get("prompt_cache_hit_tokens"))
        miss = (
            _int(raw.get("prompt_cache_miss_tokens"))
            if "prompt_cache_miss_tokens" in raw
            else prompt - hit
        )
    else:
        details = raw.get("prompt_tokens_details") or {}
        hit = _int(details.get("cached_tokens")) if isinstance(details, Mapping) else 0
        miss = prompt - hit
    out_details = raw.get("completion_tokens_details") or {}
    reasoning = _int(out_details.get("reasoning_tokens")) if isinstance(out_details, Mapping) else 0
    return Usage(
        prompt_tokens=prompt,
        completion_tokens=completion,
        cache_hit_tokens=hit,
        cache_miss_tokens=max(0, miss),
        reasoning_tokens=min(reasoning, completion),
    )


def cost(usage: Usage, prices: Prices) -> float:
    """Dollars for ``usage`` at ``prices``."""
    return (
        usage.cache_hit_tokens * prices.cache_hit
        + usage.cache_miss_tokens * prices.cache_miss
        + usage.completion_tokens * prices.output
    ) / MILLION


@dataclass(frozen=True)
class Estimate:
    """The cost of a request before sending: all-miss (worst) and all-hit (best) input."""

    prompt_tokens: int
    max_output: int
    cold: float  # nothing cached, the full reserved output
    warm: float  # the whole prompt cached, the full reserved output
    reasoning: str = "off"  # the level the request reasons at; its reasoning is in max_output

    @property
    def cache_saving(self) -> float:
        return self.cold - self.warm


def estimate(
    prompt_tokens: int, max_output: int, prices: Prices, *, reasoning: str = "off"
) -> Estimate:
    out = max_output * prices.output / MILLION
    return Estimate(
        prompt_tokens=prompt_tokens,
        max_output=max_output,
        cold=prompt_tokens * prices.cache_miss / MILLION + out,
        warm=prompt_tokens * prices.cache_hit / MILLION + out,
        reasoning=reasoning,
    )


def reserve_note(reasoning: str) -> str:
    """What the output reserve holds when the request reasons (``""`` when it does not):
    said next to the reserve wherever it is shown."""
    return "" if reasoning == "off" else f", reasoning ({reasoning}) included"


def output_reserve(
    requested: int | None, *, max_output: int, window: int, reasoning: str = "off"
) -> int:
    """The output tokens a request reserves (its ``max_tokens``): the one rule, used by the
    client's request, its estimate, the CLI's and the TUI's figures alike.

    ``requested`` is the user's setting (``--max-output``, ``max_output`` in config, an
    explicit argument); without one, :data:`DEFAULT_RESERVE`, not the backend's whole
    ``max_output`` (384K for DeepSeek V4: priced in full, it would multiply every estimate).
    Never more than the backend produces (``max_output``) nor than its ``window`` holds.

    ``reasoning`` is the level the request runs at (:func:`~.backend.reasoning_level`):
    without a setting, the reserve grows by :data:`REASONING_RESERVE` of it, since the
    reasoning is counted against ``max_tokens``; a number the user set is kept as given
    (the estimate says that reasoning comes out of it).
    """
    wanted = requested or DEFAULT_RESERVE + REASONING_RESERVE.get(reasoning, 0)
    return max(1, min(wanted, max_output, window))


def check_window(*, prompt_tokens: int, max_output: int, window: int, backend: str) -> None:
    """Refuse, with the numbers and the largest prompt that would fit, when the request
    cannot fit. The message names no command-line option: the CLI and the TUI each say
    what to do in their own terms (:attr:`~assistant.errors.ContextLengthError.fits`)."""
    if prompt_tokens + max_output <= window:
        return
    fits = max(0, window - max_output)
    raise ContextLengthError(
        f"prompt {prompt_tokens:,} + output {max_output:,} > window {window:,} of {backend}; "
        f"at most {fits:,} tokens of prompt fit with this output reserve",
        backend=backend,
        prompt_tokens=prompt_tokens,
        max_output=max_output,
        window=window,
    )


def _money(value: float) -> str:
    return f"${value:.4f}" if value < 1 else f"${value:,.2f}"


def format_estimate(est: Estimate) -> str:
    """``prompt 812,345 tokens, est. $0.1234 uncached / $0.0151 if cached (saves $0.1083)``."""
    return (
        f"prompt {est.prompt_tokens:,} tokens (+ up to {est.max_output:,} out"
        f"{reserve_note(est.reasoning)}): "
        f"est. {_money(est.cold)} uncached / {_money(est.warm)} if the prefix is cached "
        f"(saves {_money(est.cache_saving)})"
    )


def format_usage(usage: Usage, prices: Prices | None) -> str:
    """The one-line account printed after a reply."""
    mark = "~" if usage.estimated else ""
    parts = [
        f"{mark}{usage.prompt_tokens:,} in "
        f"({usage.cache_hit_tokens:,} cache hit, {usage.cache_miss_tokens:,} miss)",
        f"{mark}{usage.completion_tokens:,} out"
        + (f" ({usage.reasoning_tokens:,} reasoning)" if usage.reasoning_tokens else ""),
    ]
    parts.append(_money(cost(usage, prices)) if prices is not None else "cost unknown")
    return "usage: " + ", ".join(parts)
