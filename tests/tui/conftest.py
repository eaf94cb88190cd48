"""Fixtures for the TUI tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import A_PY, B_TXT


@pytest.fixture
def repo(make_repo) -> Path:  # type: ignore[no-untyped-def]
    return make_repo({"a.py": A_PY, "b.txt": B_TXT})


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests are coroutines; anyio's pytest plugin runs them on asyncio."""
    return "asyncio"
