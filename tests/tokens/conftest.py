"""Fixtures for the token tests: no network anywhere, and encodings built afresh on demand."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import tiktoken.load

from assistant.tokens import resolve


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any connection attempt, or tiktoken's downloader, fails the test loudly."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(f"network access attempted: {args!r}")

    local_read = tiktoken.load.read_file

    def read_local_only(blobpath: str) -> bytes:
        if "://" in blobpath:
            refuse(blobpath)
        return local_read(blobpath)

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(tiktoken.load, "read_file", read_local_only)


@pytest.fixture
def fresh_encodings() -> Iterator[None]:
    """Resolve encodings from scratch in this test, and leave no trace for the next one."""
    resolve.clear()
    yield
    resolve.clear()


@pytest.fixture
def tiktoken_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty tiktoken cache directory, in effect for this test."""
    where = tmp_path / "tiktoken-cache"
    where.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(where))
    monkeypatch.delenv("DATA_GYM_CACHE_DIR", raising=False)
    return where
