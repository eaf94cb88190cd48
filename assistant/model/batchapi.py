"""EDGE: a provider's Batch API (OpenAI ``/v1/files`` and ``/v1/batches``), via the SDK.

:class:`BatchAPI` uploads a JSONL file of requests (purpose ``batch``), creates the batch
(endpoint ``/v1/chat/completions``, window ``24h``), reads its state and downloads its
output file. The SDK's errors become tome's here, by the client's one translation
(:func:`assistant.model.client._translate`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import openai

from .client import _CAUGHT, _Base, _translate

__all__ = ["TERMINAL", "BatchAPI", "RemoteBatch"]

TERMINAL = ("completed", "failed", "expired", "cancelled")
"""States after which a batch changes no more."""
ENDPOINT: Literal["/v1/chat/completions"] = "/v1/chat/completions"
WINDOW: Literal["24h"] = "24h"


@dataclass(frozen=True)
class RemoteBatch:
    """A batch as the provider reports it."""

    id: str
    status: str
    total: int = 0
    completed: int = 0
    failed: int = 0
    output_file_id: str | None = None
    error_file_id: str | None = None

    @property
    def done(self) -> bool:
        return self.status in TERMINAL

    def __str__(self) -> str:
        counts = f"{self.completed}/{self.total} done" + (
            f", {self.failed} failed" if self.failed else ""
        )
        return f"{self.id}: {self.status} ({counts})"


def _remote(raw: Any) -> RemoteBatch:
    counts = getattr(raw, "request_counts", None)
    return RemoteBatch(
        id=str(raw.id), status=str(raw.status),
        total=int(getattr(counts, "total", 0) or 0),
        completed=int(getattr(counts, "completed", 0) or 0),
        failed=int(getattr(counts, "failed", 0) or 0),
        output_file_id=getattr(raw, "output_file_id", None),
        error_file_id=getattr(raw, "error_file_id", None),
    )  # fmt: skip


class BatchAPI(_Base):
    """The Batch API of one backend (its base URL and key)."""

    def _sdk_client(self) -> openai.OpenAI:
        return openai.OpenAI(**{**self._sdk_args(False), "max_retries": 2})

    def _call(self, job: Callable[[openai.OpenAI], Any]) -> Any:
        with self._sdk_client() as sdk:
            try:
                return job(sdk)
            except _CAUGHT as exc:
                raise _translate(exc, self.backend).error from exc

    def submit(self, path: Path, *, metadata: Mapping[str, str] | None = None) -> RemoteBatch:
        """Upload the requests at ``path`` and create their batch; its state."""

        def job(sdk: openai.OpenAI) -> Any:
            with path.open("rb") as fh:
                uploaded = sdk.files.create(file=(path.name, fh), purpose="batch")
            return sdk.batches.create(
                input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window=WINDOW,
                metadata=dict(metadata or {}),
            )  # fmt: skip

        return _remote(self._call(job))

    def status(self, batch_id: str) -> RemoteBatch:
        return _remote(self._call(lambda sdk: sdk.batches.retrieve(batch_id)))

    def output(self, file_id: str) -> list[str]:
        """The lines of an output (or error) file."""
        text = self._call(lambda sdk: sdk.files.content(file_id).text)
        return str(text).splitlines()

    def wait(
        self,
        batch_id: str,
        *,
        every: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        seen: Callable[[RemoteBatch], None] = lambda b: None,
    ) -> RemoteBatch:
        """Poll until the batch ends (``every`` seconds apart); its last state."""
        while True:
            state = self.status(batch_id)
            seen(state)
            if state.done:
                return state
            sleep(every)
