"""A pack is written from the bytes read (not encoded again), and a warm pack written to a
new file is byte for byte the cold one: for BOMs, redacted secrets, non-ASCII text, CRLF,
files without a last newline, leading blank lines, in both formats."""

from __future__ import annotations

import io
import json
import random
import string
from pathlib import Path

import pytest

from assistant import workspace
from assistant.cache import Cache
from assistant.cli import main
from assistant.packing import pack

TOKEN = "gh" + "p_" + "".join(random.Random(3).choices(string.ascii_letters + string.digits, k=36))
FILES: dict[str, str | bytes] = {
    "bom.py": b"\xef\xbb\xbfx = 1\n",
    "secret.py": f'TOKEN = "{TOKEN}"\n' + "".join(f"kept_{i} = {i}\n" for i in range(40)),
    "unicode.md": "# 中文\n\nnaïve café — ✓\n",
    "crlf.txt": b"one\r\ntwo\r\n",
    "no_newline.py": "y = 2",
    "leading.txt": "\n\n  indented after blank lines\n",
    "fence.md": "```\ncode\n```\n",
    "amp.xml": "<a>&amp;</a>\n",
}


@pytest.mark.parametrize("fmt", ["xml", "markdown"])
def test_write_bytes_is_write_encoded(make_repo, tmp_path: Path, fmt: str) -> None:
    root = make_repo(FILES)
    result = pack(root, format=fmt, encoding="cl100k_base", cache=Cache(tmp_path / "c.sqlite3"))
    assert {f.path for f in result.files} == set(FILES)
    assert result.redacted and TOKEN not in result.text
    text, raw = io.StringIO(newline=""), io.BytesIO()
    result.write(text)
    result.write_bytes(raw)
    assert raw.getvalue() == text.getvalue().encode("utf-8")
    assert TOKEN.encode() not in raw.getvalue()
    assert b"\xef\xbb\xbf" not in raw.getvalue() and b"one\r\ntwo\r\n" in raw.getvalue()
    # the files written from their bytes are those whose text is the bytes read
    data = {f.path: f.data for f in workspace.discover(root).files}
    assert data["bom.py"] is None and data["secret.py"] is None
    assert data["unicode.md"] == FILES["unicode.md"].encode()  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["xml", "markdown"])
def test_a_warm_pack_to_a_new_file_is_the_cold_one(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, fmt: str
) -> None:
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))  # memo every file
    root = make_repo(FILES)
    cold = tmp_path / "cold.out"
    monkeypatch.setenv("TOME_CACHE_DIR", str(tmp_path / "cold-cache"))
    assert main(["pack", str(root), "--format", fmt, "--no-cache", "-o", str(cold)]) == 0
    monkeypatch.setenv("TOME_CACHE_DIR", str(tmp_path / "cache"))
    outs = [tmp_path / f"warm-{i}.out" for i in range(3)]
    reports = []
    for out in outs:  # the first fills the caches, the others are warm, each a new file
        capsys.readouterr()
        assert main(["pack", str(root), "--format", fmt, "--json", "-o", str(out)]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    for out in outs:
        assert out.read_bytes() == cold.read_bytes()
    assert reports[1] | {"output": ""} == reports[2] | {"output": ""}
    assert reports[0] | {"output": ""} == reports[2] | {"output": ""}
