"""When to try again, how long to wait, and how long one request may take.

Pure: the client asks :meth:`RetryPolicy.delay` and :meth:`RetryPolicy.check` and does the
sleeping itself; :class:`Timeouts` turns a prompt size into the limits of one request.

Every wait is bounded three ways: one wait by ``cap`` (our backoff) and ``max_wait`` (what a
server may ask for with ``Retry-After``: more is reported, never slept), all the waits of one
reply by ``max_total``. Each request ends by its deadline, and stops early when the backend
sends no new text for the read timeout, whatever else (keep-alive comments) it sends.
"""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ..config import Settings
from ..errors import ConfigError

__all__ = ["RetryPolicy", "Timeouts", "parse_retry_after"]


def _require(owner: str, name: str, value: float, *, lo: float, hi: float = math.inf) -> None:
    """A defensive range check (config checks its own ranges; options can be built in code)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        bound = f"between {lo:g} and {hi:g}" if hi != math.inf else f"at least {lo:g}"
        raise ConfigError(f"{owner}: {name} = {value!r} must be a number {bound}")


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; waits grow ``base * 2**n`` up to
    ``cap`` with +/- ``jitter`` (a fraction), unless the server said how long (Retry-After).
    A Retry-After up to ``max_wait`` (default: ``cap``) is honoured; a longer one ends the
    request with the server's number instead of a sleep. ``max_total`` bounds the seconds
    spent waiting over all the retries of one reply."""

    max_retries: int = 4
    base: float = 1.0
    cap: float = 60.0
    jitter: float = 0.25
    max_wait: float | None = None
    max_total: float = 300.0

    def __post_init__(self) -> None:
        owner = "retry policy"
        _require(owner, "max_retries", self.max_retries, lo=0, hi=1_000)
        _require(owner, "base", self.base, lo=0, hi=86_400)
        _require(owner, "cap", self.cap, lo=0, hi=86_400)
        _require(owner, "jitter", self.jitter, lo=0, hi=1)
        if self.max_wait is not None:
            _require(owner, "max_wait", self.max_wait, lo=0, hi=86_400)
        _require(owner, "max_total", self.max_total, lo=0, hi=86_400)
        if isinstance(self.max_retries, float):
            raise ConfigError(f"{owner}: max_retries = {self.max_retries!r} must be an integer")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_retries=settings.max_retries,
            base=settings.backoff_base,
            cap=settings.backoff_max,
            max_wait=settings.max_retry_wait,
            max_total=settings.max_retry_total,
        )

    @property
    def wait_limit(self) -> float:
        """The longest Retry-After that is slept rather than reported."""
        return self.cap if self.max_wait is None else self.max_wait

    def delay(self, attempt: int, *, retry_after: float | None = None, rand: float = 0.5) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based); ``rand`` in [0, 1)."""
        if retry_after is not None:
            return max(0.0, min(self.wait_limit, retry_after))
        raw = min(self.cap, self.base * (2**attempt))
        return max(0.0, min(self.cap, raw * (1 - self.jitter + 2 * self.jitter * rand)))

    def refusal(self, *, retries: int, waited: float, delay: float,
                retry_after: float | None) -> str | None:  # fmt: skip
        """Why retry number ``retries`` must not happen (None: it may), given the seconds
        ``waited`` so far and the ``delay`` it would take."""
        if retry_after is not None and retry_after > self.wait_limit:
            return (
                f"the server asks to wait {format_seconds(retry_after)} (more than max_retry_wait "
                f"{format_seconds(self.wait_limit)}); try again later"
            )
        if retries >= self.max_retries:
            return f"gave up after {retries} retries"
        if waited + delay > self.max_total:
            return (
                f"gave up after {retries} retries: waiting {format_seconds(delay)} more would pass "
                f"max_retry_total {format_seconds(self.max_total)} ({format_seconds(waited)} waited)"
            )
        return None


def format_seconds(value: float) -> str:
    """``4 s``, ``0.25 s``, ``3600 s``: whole seconds unless under ten."""
    if value >= 10 or value == int(value):
        return f"{value:.0f} s"
    return f"{value:.2g} s"


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms``, ``retry-after`` (seconds or an HTTP date), or None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue
        if math.isfinite(seconds):
            return max(0.0, seconds)
    value = lowered.get("retry-after")
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - (time.time() if now is None else now))
    return None


@dataclass(frozen=True)
class Timeouts:
    """Connect fast; wait for the first text in proportion to the prompt (a 1M-token prompt
    can take minutes before the model says anything); then ``read`` seconds at most between
    pieces of text. Keep-alive comments do not count as text: a server that only pings is
    stopped like a silent one.

    ``deadline`` bounds one request from sending to the last byte, however the bytes
    trickle in. None derives it from the request: the wait for the first text plus the
    reserved output at ``output_rate`` tokens a second (a slow but working model). For a
    1M-token prompt with the default 32,768 reserved tokens that is 120 + 300 + 1,638 s,
    about 34 minutes; for a 10k-token prompt with 1,000 reserved tokens, 3 minutes. One
    fixed number would be too short for the first or far too long for the second."""

    connect: float = 10.0
    read: float = 120.0
    read_per_mtok: float = 300.0
    deadline: float | None = None
    output_rate: float = 20.0  # tokens per second a working model is assumed to beat

    def __post_init__(self) -> None:
        owner = "timeouts"
        _require(owner, "connect", self.connect, lo=0.001, hi=86_400)
        _require(owner, "read", self.read, lo=0.001, hi=86_400)
        _require(owner, "read_per_mtok", self.read_per_mtok, lo=0, hi=86_400)
        if self.deadline is not None:
            _require(owner, "deadline", self.deadline, lo=0.001, hi=7 * 86_400)
        _require(owner, "output_rate", self.output_rate, lo=0.001)

    @classmethod
    def from_settings(cls, settings: Settings) -> Timeouts:
        return cls(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            read_per_mtok=settings.read_timeout_per_mtok,
            deadline=settings.request_deadline,
        )

    def read_for(self, prompt_tokens: int) -> float:
        return self.read + self.read_per_mtok * prompt_tokens / 1_000_000

    def deadline_for(self, prompt_tokens: int, max_output: int) -> float:
        """Seconds one request may take, from sending to its last byte."""
        if self.deadline is not None:
            return self.deadline
        return self.read_for(prompt_tokens) + max_output / self.output_rate
