"""Cache.deferred(): the puts of a block are read back inside it, reach the file in one
transaction at its end (also when the block fails), and a cold ranking commits once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from assistant.cache import Cache
from assistant.packing.rank import rank
from assistant.workspace import SourceFile


def traced(cache: Cache) -> list[str]:
    conn = cache._connect()
    assert conn is not None
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    return statements


def test_puts_are_held_then_written_in_one_transaction(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    other = Cache(tmp_path / "c.sqlite3")  # another process's view of the file
    statements = traced(cache)
    with cache.deferred():
        cache.put_many("a/1", {"k1": b"v1", "k2": "v2"})
        cache.put("b/1", "k", 3)
        with cache.deferred():  # nested: written with the outer block
            cache.put("a/1", "k3", 4.5)
        assert cache.get_many("a/1", ["k1", "k2", "k3", "nope"]) == {
            "k1": b"v1", "k2": "v2", "k3": 4.5,
        }  # fmt: skip
        assert cache.get("b/1", "k") == 3
        assert other.get("a/1", "k1") is None
        assert not [s for s in statements if s.startswith("INSERT")]
    assert [s for s in statements if s == "COMMIT"] == ["COMMIT"]
    assert other.get_many("a/1", ["k1", "k2", "k3"]) == {"k1": b"v1", "k2": "v2", "k3": 4.5}
    assert other.get("b/1", "k") == 3


def test_a_failing_block_still_writes_what_it_put(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    with pytest.raises(RuntimeError), cache.deferred():
        cache.put("a/1", "k", b"v")
        raise RuntimeError("boom")
    assert Cache(tmp_path / "c.sqlite3").get("a/1", "k") == b"v"
    cache.put("a/1", "later", 1)  # and the cache writes at once again
    assert Cache(tmp_path / "c.sqlite3").get("a/1", "later") == 1


def test_a_disabled_or_unwritable_cache_holds_nothing(tmp_path: Path) -> None:
    disabled = Cache.disabled()
    with disabled.deferred():
        disabled.put("a/1", "k", 1)
        assert disabled.get("a/1", "k") is None
    blocked = tmp_path / "file"
    blocked.write_text("x")
    broken = Cache(blocked / "c.sqlite3")  # its folder is a file: cannot open
    with pytest.warns(RuntimeWarning), broken.deferred():
        broken.put("a/1", "k", 1)
    assert broken.get("a/1", "k") is None


def test_a_cold_ranking_commits_once(tmp_path: Path) -> None:
    files = []
    for i in range(30):  # names defined in one module each, called from the others
        text = f"function helper_{i}(value) {{\n  return value;\n}}\n"
        text += f"class Thing{i} {{}}\n"
        text += "".join(f"const x{j} = helper_{j}(Thing{j});\n" for j in range(30) if j != i)
        files.append(SourceFile(f"pkg/mod_{i:02}.js", text, len(text), f"sha{i}"))
    cache = Cache(tmp_path / "c.sqlite3")
    statements = traced(cache)
    ranked = rank(files, "helper_3 returns the Thing3 value", cache=cache)
    assert ranked[0][0] == "pkg/mod_03.js"
    assert [s for s in statements if s == "COMMIT"] == ["COMMIT"]
    rows = sqlite3.connect(tmp_path / "c.sqlite3").execute(
        "SELECT ns, count(*) FROM entries GROUP BY ns"
    )
    stored = dict(rows)
    assert stored.get("terms/1") == 30 and stored.get("tags/1", 0) > 1
    assert rank(files, "helper_3 returns the Thing3 value", cache=cache) == ranked
