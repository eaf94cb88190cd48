"""A cache that cannot be opened is only slower: one warning, never an ``OSError``.

The user's cache lives under ``TOME_HOME``; when a file sits where its folder should be
(a stray file, a botched sync), every pack still runs and counts, without the cache.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cache import Cache
from assistant.packing import pack

REAL = (Path(__file__).resolve().parents[2] / "assistant" / "display.py").read_text("utf-8")


def test_a_file_where_the_cache_folder_should_be(make_repo, tmp_path: Path) -> None:
    (tmp_path / "blocked").write_text("not a folder\n", "utf-8")
    cache = Cache(tmp_path / "blocked" / "cache.sqlite3")
    root = make_repo({"display.py": REAL})
    with pytest.warns(RuntimeWarning, match="unusable"):
        result = pack(root, encoding="cl100k_base", cache=cache)
    assert result.tokens > 0 and [f.path for f in result.files] == ["display.py"]
    assert cache.get_many("ns", ["key"]) == {}  # broken once, then quietly off
