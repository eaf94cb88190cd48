"""How fast a batch sends: at most N requests at once, and one rate limit for all of them.

:class:`Pacer` is shared by every request of a batch. A request takes a slot before it is
sent (:meth:`Pacer.slot`). When the backend answers 429 (or any failure worth a retry), the
client's wait goes through :meth:`Pacer.pause`: *every* request waits until then, not just
the one that was refused, and the number of requests at once is halved; each reply that
comes back adds one again, up to the limit asked for (additive increase, multiplicative
decrease, as TCP does). A storm of 429s so slows the whole batch instead of each request
hammering the server on its own schedule.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Pacer"]


class Pacer:
    """Slots for at most ``limit`` requests at once, with a shared pause after a refusal."""

    def __init__(self, limit: int, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ceiling = max(1, limit)
        self.limit = self.ceiling
        self.active = 0
        self.peak = 0  # the most requests that were in flight at once
        self.pauses = 0  # refusals that paused the batch
        self._resume = 0.0
        self._clock = clock
        self._cond = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots while a request runs (waits for a free one, and for a
        shared pause to end)."""
        with self._cond:
            while True:
                wait = self._resume - self._clock()
                if wait <= 0 and self.active < self.limit:
                    break
                self._cond.wait(timeout=wait if wait > 0 else None)
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            yield
        finally:
            with self._cond:
                self.active -= 1
                self._cond.notify_all()

    def pause(self, seconds: float) -> None:
        """A request was refused and waits ``seconds`` before its retry (the client's sleep):
        every request waits at least as long, and fewer run at once afterwards."""
        with self._cond:
            self._resume = max(self._resume, self._clock() + max(0.0, seconds))
            self.limit = max(1, self.limit // 2)
            self.pauses += 1
            while (left := self._resume - self._clock()) > 0:
                self._cond.wait(timeout=left)
            self._cond.notify_all()

    def succeeded(self) -> None:
        """A reply came back: one more request may run at once, up to the limit asked for."""
        with self._cond:
            if self.limit < self.ceiling:
                self.limit += 1
                self._cond.notify_all()
