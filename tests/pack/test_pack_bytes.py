"""A pack is written from the bytes read (not encoded again), and a warm pack written to a
new file is byte for byte the cold one: for BOMs, redacted secrets, non-ASCII text, CRLF,
files without a last newline, leading blank lines, in both formats."""

from __future__ import annotations

import io
import json
import os
import random
import string
import subprocess
import sys
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from assistant import workspace
from assistant.cache import Cache
from assistant.cli import main
from assistant.lazytext import LazyText
from assistant.packing import pack
from assistant.packing.render import Content, Entry
from assistant.workspace import SourceFile

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
    # what the renderer and the tally tell from the bytes of a file they do not decode
    "empty.txt": "",
    "blank_ascii.txt": " \t\n\x0b\x0c\r\n",
    "blank_separators.txt": "\x1c\x1d\x1e\x1f\n",  # whitespace to str, not to bytes
    "blank_unicode.txt": "\u00a0\u3000\n",  # whitespace only, none of it ASCII
    "lead_unicode.txt": "\u3000indented by an ideographic space\n",
    "lead_separator.txt": "\x1cafter a file separator\n",
    "tildes.md": "~~~~\nx\n~~~~\n  `````\n\u2028```````\n",
    "no_newline_unicode.txt": "ends in é",
    "big.py": "".join(f"line_{i} = {i!r}  # café\n" for i in range(4000)),  # > 64 KiB
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


def test_a_warm_pack_decodes_no_file_and_asks_the_cache_nothing_per_file(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A file its stat shows unchanged is written from its bytes, never decoded; its count
    comes from the count memo and its secret verdict from the stat memo (one file each),
    not from one cache query per file."""
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    root = make_repo(FILES)
    monkeypatch.setenv("TOME_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["pack", str(root), "--json", "-o", str(tmp_path / "fill.xml")]) == 0
    decoded: list[int] = []
    real_decode = workspace.decode_text
    monkeypatch.setattr(
        workspace, "decode_text", lambda data: decoded.append(1) or real_decode(data)
    )
    asked: list[tuple[str, int]] = []
    real_get_many = Cache.get_many

    def get_many(self: Cache, ns: str, keys):  # type: ignore[no-untyped-def]
        keys = list(keys)
        asked.append((ns, len(keys)))
        return real_get_many(self, ns, keys)

    monkeypatch.setattr(Cache, "get_many", get_many)
    capsys.readouterr()
    assert main(["pack", str(root), "--json", "-o", str(tmp_path / "warm.xml")]) == 0
    assert json.loads(capsys.readouterr().out)["files"] == len(FILES)
    assert (tmp_path / "warm.xml").read_bytes() == (tmp_path / "fill.xml").read_bytes()
    # only the redacted file is decoded again (its markers are put in the decoded text)
    assert len(decoded) == 1
    per_file = [a for a in asked if a[0].startswith(("tokens/", "secrets/")) and a[1] > 1]
    assert per_file == []  # (one key at most: the count of the text after the files)


_LOADS = """
import sys
from assistant import workspace
from assistant.cli import main
workspace._StatMemo._SETTLED_NS = -(10**12)  # memo every file, however new
code = main(sys.argv[1:])
print(code, "assistant.secretrules" in sys.modules, file=sys.stderr)
"""


def test_a_warm_pack_does_not_load_the_secret_rules(make_repo, tmp_path: Path) -> None:
    """The secret rules (regexes, an automaton) load for a file the scan has not judged;
    a warm pack, whose verdicts are all in the stat memo, never loads them."""
    clean = {k: v for k, v in FILES.items() if k != "secret.py"}
    root = make_repo(clean)
    env = {**os.environ, "TOME_CACHE_DIR": str(tmp_path / "cache")}
    loaded = []
    for out in ("cold.xml", "warm.xml"):
        args = ["pack", str(root), "--json", "-o", str(tmp_path / out)]
        done = subprocess.run(
            [sys.executable, "-c", _LOADS, *args], env=env, capture_output=True, text=True
        )
        loaded.append(done.stderr.split()[-2:])
    assert loaded == [["0", "True"], ["0", "False"]]
    assert (tmp_path / "cold.xml").read_bytes() == (tmp_path / "warm.xml").read_bytes()


def test_a_damaged_count_memo_or_verdict_is_only_a_miss(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    root = make_repo(FILES)
    monkeypatch.setenv("TOME_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["pack", str(root), "--json", "-o", str(tmp_path / "fill.xml")]) == 0
    first = json.loads(capsys.readouterr().out)
    import marshal

    (counts,) = (tmp_path / "cache" / "counts").iterdir()
    version, ns, known = marshal.loads(counts.read_bytes())
    counts.write_bytes(marshal.dumps((version, ns, {k: "many" for k in known})))
    (memo,) = (tmp_path / "cache" / "stat").iterdir()
    version, rules, seen = marshal.loads(memo.read_bytes())
    seen = {p: (*e[:6], "not-a-kind:1:2:3") for p, e in seen.items()}  # every verdict damaged
    memo.write_bytes(marshal.dumps((version, rules, seen)))
    assert main(["pack", str(root), "--json", "-o", str(tmp_path / "again.xml")]) == 0
    again = json.loads(capsys.readouterr().out)
    assert (tmp_path / "again.xml").read_bytes() == (tmp_path / "fill.xml").read_bytes()
    assert again | {"output": ""} == first | {"output": ""}
    assert first["redacted"]  # the secret was found again, not taken as clean


SAMPLES = [
    "",
    "x",
    "\n",
    " \t\n\x0b\x0c\r",
    "\x1c\x1d\x1e\x1f",
    "\x1cx",
    "\x85",
    "\u00a0\u3000\n",
    "\u3000x",
    "\u2028```\n",
    "é",
    "é\n",
    "  ````\n~~~~~\n",
    "a\n```\n",
    "ends without newline",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_what_is_told_from_the_bytes_is_what_the_text_says(text: str) -> None:
    """An undecoded file's blank test, first-character test, closing newline and fence
    are those of its text (str.isspace knows more whitespace than bytes.isspace)."""
    lazy = Content(None, 1, "k", text.encode())
    eager = Content(text, 1, "k")
    assert lazy.is_blank() == eager.is_blank() == (not text or text.isspace())
    assert lazy.starts_with_space() == eager.starts_with_space() == text[:1].isspace()
    assert lazy.needs_newline() == eager.needs_newline() == (bool(text) and text[-1] != "\n")
    entry = Entry("a.md", "full", 1, None, "k", 1, text.encode())
    assert entry.fence() == Entry("a.md", "full", 1, text, "k", 1).fence()
    assert lazy.text == text and lazy == eager and hash(lazy) == hash(eager)


def test_an_undecoded_source_file_is_equal_to_its_decoded_twin() -> None:
    lazy = SourceFile("a.py", None, 3, "sha", data=b"\xc3\xa9\n")
    assert lazy == SourceFile("a.py", "é\n", 3, "sha") and lazy.text == "é\n"
    assert lazy.with_path("b/a.py").path == "b/a.py" and lazy.with_path("b/a.py").text == "é\n"
    with pytest.raises(AttributeError):
        lazy.path = "b.py"  # type: ignore[misc]
    with pytest.raises(ValueError):
        SourceFile("a.py", None, 0, "sha")
    # bytes that changed under the same stat (no tool does that) still give a text
    assert SourceFile("a.py", None, 1, "sha", data=b"\xff").text == "\ufffd"


def test_source_files_and_what_the_renderer_shows_share_one_lazy_text() -> None:
    """SourceFile, Entry and Content are one LazyText: immutable alike, equal by their
    fields with the text decoded once on first use, and told apart by class."""
    data = "é\n".encode()
    values = [
        (SourceFile("a.py", None, 3, "sha", data=data), SourceFile("a.py", "é\n", 3, "sha")),
        (Entry("a.py", "full", 1, None, "k", 1, data), Entry("a.py", "full", 1, "é\n", "k", 1)),
        (Content(None, 1, "k", data), Content("é\n", 1, "k")),
    ]
    for lazy, eager in values:
        assert isinstance(lazy, LazyText)
        assert lazy._text is None  # nothing decoded until the text is asked for
        assert lazy == eager and hash(lazy) == hash(eager) and repr(lazy) == repr(eager)
        assert lazy._text == "é\n" and lazy.decoded() is lazy.text
        for name in ("data", "_text", "path", "tokens"):
            with pytest.raises(FrozenInstanceError):
                setattr(lazy, name, None)
        with pytest.raises(FrozenInstanceError):
            del lazy.data
    source, entry, content = (lazy for lazy, _ in values)
    assert source != entry and entry != content and content != source  # another class
    assert Content("x", 1, "k") != Content("x", 2, "k")  # every field counts but the bytes


def test_a_short_writev_is_finished(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``writev`` may write less than it was given (a pipe, a signal): the rest follows."""
    import os

    from assistant.packing.result import write_all

    real_writev = os.writev

    def short(fd: int, buffers: list[bytes]) -> int:
        return real_writev(fd, [buffers[0][: len(buffers[0]) // 2 or 1]])

    monkeypatch.setattr(os, "writev", short)
    chunks = [f"chunk {i}\n".encode() * (i + 1) for i in range(3000)]
    with open(tmp_path / "out", "wb") as fh:
        fh.write(b"buffered first\n")
        write_all(fh, chunks)
    assert (tmp_path / "out").read_bytes() == b"buffered first\n" + b"".join(chunks)
    memory = io.BytesIO()
    write_all(memory, chunks)  # no descriptor: written by fh.write
    assert memory.getvalue() == b"".join(chunks)


def test_the_summary_is_made_while_the_pack_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The write runs on its own thread beside the summary; its error is the one raised."""
    import threading

    from assistant.cli import pack as command
    from assistant.errors import PackError

    made = threading.Event()
    writer: list[str] = []

    def write(path: Path, result: object, *, root: Path | None) -> None:
        writer.append(threading.current_thread().name)
        assert made.wait(timeout=60)  # the summary is made while this write waits

    monkeypatch.setattr(command, "_write", write)
    said = command._write_meanwhile(tmp_path / "p.xml", None, None, lambda: made.set() or "s")  # type: ignore[arg-type]
    assert said == "s" and writer == ["tome-pack-write"]

    def fails(path: Path, result: object, *, root: Path | None) -> None:
        raise PackError("cannot write the pack to p.xml: no space left on device")

    monkeypatch.setattr(command, "_write", fails)
    with pytest.raises(PackError, match="no space left"):
        command._write_meanwhile(tmp_path / "p.xml", None, None, lambda: 1 / 0)  # type: ignore[arg-type]
