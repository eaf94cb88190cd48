"""The pack's token total is exact: it equals encoding the whole rendered text."""

from __future__ import annotations

import pytest

from assistant import tokens
from assistant.cache import Cache
from assistant.packing.render import Entry, join, render
from assistant.packing.tally import tally

# Each text attacks a boundary between a file and the literal text around it.
NASTY = [
    "\n\nleading blank lines\n",
    "    indented first line\nsecond\n",
    "\tTab first\n",
    "no final newline",
    "trailing spaces on the last line   ",
    "ends with blank lines\n\n\n",
    "ends with spaces then newline  \n",
    "\r\nCRLF first\r\nsecond\r\n",
    "CRLF no final\r\nlast",
    "   ",
    "\n",
    "",
    "12345 starts with digits\n",
    "ends with digits 98765",
    "中文开头的文件\n结尾也是中文",
    "かなカナ\n",
    "<file> looks like a tag\n</file>\n",
    "```\nfenced inside\n```\n",
    "}\n",
    "'s apostrophe start\n",
    "x",
    " \n \n x \n \n ",
    "!@#$%^&*()\n",
    "émoji 🎉 end 🎉",
]


def _entries(texts: list[str]) -> list[Entry]:
    out = []
    for i, text in enumerate(texts):
        n = tokens.count(text, "cl100k_base")
        out.append(Entry(f"d{i % 3}/f{i:02d}.py", "full", n, text, f"k{i}", n))
    return out


# o200k_base may be counted by its offline fallback: still exact for what it counts with
@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
@pytest.mark.parametrize("encoding", ["deepseek-v4", "o200k_base", "cl100k_base"])
@pytest.mark.parametrize("fmt", ["xml", "markdown"])
def test_tally_equals_encoding_the_whole_text(encoding: str, fmt: str) -> None:
    entries = []
    for i, text in enumerate(NASTY):
        n = tokens.count(text, encoding)
        entries.append(Entry(f"d{i % 3}/f{i:02d}.txt", "full", n, text, f"{encoding}{i}", n))
    parts = render(entries, name="repo", format=fmt, encoding=encoding, task="  rename x  ")  # type: ignore[arg-type]
    text = join(parts)
    expected = tokens.count(text, encoding)
    got = tally(parts, encoding=encoding, count_batch=lambda t: tokens.count_batch(t, encoding))
    assert got == expected


def test_tally_cache_gives_the_same_total_without_encoding(tmp_path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    entries = _entries(NASTY)
    parts = render(entries, name="repo", format="xml", encoding="cl100k_base")
    calls: list[int] = []

    def counting(texts):
        calls.append(len(texts))
        return tokens.count_batch(texts, "cl100k_base")

    first = tally(parts, encoding="cl100k_base", count_batch=counting, cache=cache)
    second = tally(parts, encoding="cl100k_base", count_batch=counting, cache=cache)
    assert first == second == tokens.count(join(parts), "cl100k_base")
    assert len(calls) == 1  # the second total came from the cache
