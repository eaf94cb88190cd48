"""When to try again, and how long to wait: exponential backoff with jitter, Retry-After first.

Pure: the client asks :meth:`RetryPolicy.delay` and does the sleeping itself.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass

from ..config import Settings

__all__ = ["RetryPolicy", "Timeouts", "parse_retry_after"]


@dataclass(frozen=True)
class RetryPolicy:
    """``max_retries`` retries after the first attempt; waits grow ``base * 2**n`` up to
    ``cap`` with +/- ``jitter`` (a fraction), unless the server said how long (Retry-After),
    which is honoured up to ``cap``."""

    max_retries: int = 4
    base: float = 1.0
    cap: float = 60.0
    jitter: float = 0.25

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(
            max_retries=settings.max_retries, base=settings.backoff_base, cap=settings.backoff_max
        )

    def delay(self, attempt: int, *, retry_after: float | None = None, rand: float = 0.5) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based); ``rand`` in [0, 1)."""
        if retry_after is not None:
            return max(0.0, min(self.cap, retry_after))
        raw = min(self.cap, self.base * (2**attempt))
        return max(0.0, min(self.cap, raw * (1 - self.jitter + 2 * self.jitter * rand)))


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds from ``retry-after-ms``, ``retry-after`` (seconds or an HTTP date), or None."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) / scale)
        except ValueError:
            pass
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
    """Connect fast; wait for the first byte in proportion to the prompt (a 1M-token prompt
    can take minutes before the model says anything)."""

    connect: float = 10.0
    read: float = 120.0
    read_per_mtok: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Timeouts:
        return cls(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            read_per_mtok=settings.read_timeout_per_mtok,
        )

    def read_for(self, prompt_tokens: int) -> float:
        return self.read + self.read_per_mtok * prompt_tokens / 1_000_000
