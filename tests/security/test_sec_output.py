"""Terminal output cannot be taken over by a repository's names or a model's words.

File names and model text are untrusted: printed, they must show control characters as
escapes (no ESC, BEL, lone CR or bidi override reaches the terminal) and never be parsed as
rich or Textual markup. A name that is not UTF-8 is skipped with a reason, not a traceback.
An ignore file that is a FIFO or a symlink to ``/dev/zero`` cannot hang a pack or eat memory.

The CLI runs through ``assistant.cli.main`` (output captured) or as a subprocess where a
hang or a crash must be seen from outside; the TUI through Pilot.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import git
import pytest
from fakeopenai import FakeOpenAI, Reply
from modelkit import backend_for

from assistant.cli import main
from assistant.display import Escaper, safe, safe_name
from assistant.model import Client, ClientOptions, RetryPolicy, Timeouts
from assistant.session import Assistant

OSC52 = "\x1b]52;c;aGVsbG8=\x07"  # "write 'hello' to the clipboard"
MARKUP = "[bold red]x[/]"
LINK = "[link=https:evil.example]y[/link]"  # a path: no "//"
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE (Trojan Source)
ROOT = "r[bold red]x[link=https:evil.example]y"  # a folder name: markup without "/"
RAW = ("\x1b", "\x07", "\x9b", BIDI)  # what must never reach the terminal

# The generic backend counts with o200k_base, which this machine lacks offline: tokens
# falls back to cl100k_base and warns once, its documented behaviour.
pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _raw_controls(text: str) -> list[str]:
    return [c for c in RAW if c in text]


# --- the helper ------------------------------------------------------------------------------


def test_safe_and_safe_name_escape_what_could_drive_a_terminal() -> None:
    assert safe("a\tb\nc\r\n") == "a\tb\nc\r\n"  # lines and tabs kept
    assert safe(f"x{OSC52}y") == "x\\x1b]52;c;aGVsbG8=\\x07y"
    assert safe("fake\rreal") == "fake\\rreal"  # a lone CR would overwrite the line
    assert safe("\x9b2J\x7f" + BIDI) == "\\x9b2J\\x7f\\u202e"  # C1 CSI, DEL, bidi
    assert safe("caf\udce9") == "caf\\xe9"  # a byte that was not UTF-8
    assert safe("\ud800").encode("utf-8") == b"\\ud800"  # always encodable
    assert safe_name("a\nb\tc") == "a\\nb\\tc"  # one line
    assert safe_name(b"caf\xe9.py") == "caf\\xe9.py"
    assert safe_name("zero\u200bwidth") == "zero\\u200bwidth"
    assert safe_name("café/ünïcode.py") == "café/ünïcode.py"  # printable stays as is
    pieces = Escaper()
    assert pieces.feed("one\r") + pieces.feed("\ntwo\r") + pieces.close() == "one\r\ntwo\\r"


# --- tome pack ----------------------------------------------------------------------------------


def test_pack_summary_prints_hostile_names_escaped_and_literal(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    names = [f"{MARKUP}.py", f"{LINK}.py", f"a{OSC52}.py", f"b{BIDI}yp.txt"]
    root = make_repo(
        {**{n: "x = 1\n" for n in names}, f"c{OSC52}.min.js": "var a=1;\n"},
    )
    assert main(["pack", str(root)]) == 0
    out = capsys.readouterr().out
    assert _raw_controls(out) == []
    assert f"{MARKUP}.py" in out and f"{LINK}.py" in out  # shown as spelt, not styled
    assert "a\\x1b]52;c;aGVsbG8=\\x07.py" in out  # in the table of largest files
    assert "b\\u202eyp.txt" in out
    assert "c\\x1b]52;c;aGVsbG8=\\x07.min.js" in out  # in the skipped list


def _commit_bytes_name(root: Path, name: bytes, data: bytes) -> None:
    """Commit a file whose name is raw bytes (git stores any bytes but NUL and '/')."""
    with open(os.fsencode(root) + b"/" + name, "wb") as fh:
        fh.write(data)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "bytes"], cwd=root, check=True)


@pytest.mark.parametrize("in_git", [True, False], ids=["git", "walk"])
def test_pack_skips_a_name_that_is_not_utf8_with_a_reason(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], in_git: bool
) -> None:
    if in_git:
        root = make_repo({"ok.py": "y = 2\n"})
        _commit_bytes_name(root, b"caf\xe9.py", b"x = 1\n")
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True
        ).stdout
        assert b"caf\xe9.py\0" in listed  # git holds the name as bytes
    else:
        root = tmp_path / "plain"
        root.mkdir()
        (root / "ok.py").write_text("y = 2\n")
        with open(os.fsencode(root) + b"/caf\xe9.py", "wb") as fh:
            fh.write(b"x = 1\n")
    assert main(["pack", str(root)]) == 0
    out = capsys.readouterr().out
    assert "bad-name: 1 (caf\\xe9.py)" in out
    assert "not valid UTF-8" in out
    written = (root / ".tome" / "pack.xml").read_bytes().decode("utf-8")  # valid UTF-8
    assert "ok.py" in written and "caf" not in written
    assert main(["pack", "--json", "--no-cache", str(root)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["skipped"] == {"bad-name": 1} and summary["files"] == 1


def test_an_error_naming_a_hostile_path_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(tmp_path / f"gone{OSC52}")]) == 1
    err = capsys.readouterr().err
    assert "no such folder" in err and "gone\\x1b]52" in err and _raw_controls(err) == []


# --- ignore files that are not files ------------------------------------------------------


def _pack_in_child(root: Path) -> subprocess.CompletedProcess[str]:
    """``tome pack --json`` in a child with 1 GiB of address space and 60 s: reading
    ``/dev/zero`` whole fails there quickly instead of eating the machine."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "assistant", "pack", "--json", "--no-cache", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        stdin=subprocess.DEVNULL,
    )


def _hostile_ignore(root: Path, name: str, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(root / name)
    else:
        os.symlink("/dev/zero", root / name)


@pytest.mark.parametrize("kind", ["fifo", "symlink-to-dev-zero"])
@pytest.mark.parametrize(
    ("in_git", "name"),
    [(True, ".tomeignore"), (False, ".tomeignore"), (False, ".gitignore")],
    ids=["git-tomeignore", "walk-tomeignore", "walk-gitignore"],
)
def test_an_ignore_file_that_is_a_fifo_or_dev_zero_does_not_hang(
    make_repo, tmp_path: Path, in_git: bool, name: str, kind: str
) -> None:
    if in_git:
        root = make_repo({"a.py": "x = 1\n", "sub/b.py": "y = 2\n"})
        _hostile_ignore(root, name, kind)
        if kind != "fifo":  # a committed symlink, as a cloned repository has it
            repo = git.Repo(root)
            repo.git.add(name)
            repo.index.commit("ignore file")
            repo.close()
    else:
        root = tmp_path / "plain"
        (root / "sub").mkdir(parents=True)
        (root / "a.py").write_text("x = 1\n")
        (root / "sub" / "b.py").write_text("y = 2\n")
        _hostile_ignore(root, name, kind)
    done = _pack_in_child(root)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    summary = json.loads(done.stdout)
    assert summary["files"] == 2  # the pack still works
    assert summary["skipped"] == {"unreadable": 1}  # and says, once, the rules are not used


def test_a_huge_ignore_file_is_not_used_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    (root / "a.py").write_text("x = 1\n")
    (root / ".tomeignore").write_text("a.py\n" + "#" * (2 << 20) + "\n")
    assert main(["pack", str(root)]) == 0
    out = capsys.readouterr().out
    assert "unreadable: 1 (.tomeignore)" in out and "Packed 1 files" in out


# --- tome ask, apply, undo, history ----------------------------------------------------------


def _ask(fake: FakeOpenAI, root: Path, *extra: str, task: str = "do it") -> int:
    return main(["ask", task, "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_ask_streams_the_answer_with_controls_escaped(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    # chunks of 8 characters: the CR of "line\r\n" ends one chunk, its LF starts the next
    answer = f"1234line\r\nfake\rreal {OSC52} {MARKUP} \x9b2J {BIDI}done\n"
    fake_openai.push(Reply(text=answer, chunk_chars=8))
    assert _ask(fake_openai, root) == 0
    out = capsys.readouterr().out
    assert _raw_controls(out) == []
    assert out.startswith("1234line\r\nfake\\rreal \\x1b]52;c;aGVsbG8=\\x07 ")
    assert MARKUP in out and "\\x9b2J \\u202edone\n" in out


def test_ask_with_a_name_that_is_not_utf8_sends_without_it(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    _commit_bytes_name(root, b"caf\xe9.py", b"SECRETLY_NAMED = 1\n")
    fake_openai.push(Reply(text="nothing to change\n"))
    assert _ask(fake_openai, root) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    prompt = json.dumps(fake_openai.requests[0].body)
    assert "x = 1" in prompt and "SECRETLY_NAMED" not in prompt
    assert main(["history", "-C", str(root)]) == 0
    assert "1 session" in capsys.readouterr().out


def test_ask_apply_summary_and_undo_escape_the_models_paths(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    name = f"n{MARKUP}.py"
    answer = f"```diff\n--- /dev/null\n+++ b/{name}\n@@ -0,0 +1 @@\n+new = 1\n```\n"
    fake_openai.push(Reply(text=answer))
    task = f"make {OSC52} a file"
    assert _ask(fake_openai, root, "--apply", "--yes", task=task) == 0
    err = capsys.readouterr().err
    assert f"A {name}" in err and _raw_controls(err) == []
    assert (root / name).read_text() == "new = 1\n"
    assert main(["history", "-C", str(root)]) == 0
    out = capsys.readouterr().out
    assert "make \\x1b]52;c;aGVsbG8=\\x07 a file" in out and _raw_controls(out) == []
    assert main(["undo", "-C", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"removed {name}" in out


def test_apply_report_escapes_paths_and_the_closest_match(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the repository's own file holds an escape sequence; a failing hunk quotes it back
    root = make_repo({"a.py": f"def f():\n    return '{OSC52}'\n"})
    patch = tmp_path / "p.diff"
    patch.write_text(
        "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,2 @@\n def f():\n-    return 'something else'\n"
        "+    return 2\n"
    )
    assert main(["apply", "-C", str(root), str(patch)]) == 1
    err = capsys.readouterr().err
    assert "cannot be applied" in err and _raw_controls(err) == []
    created = tmp_path / "c.diff"
    created.write_text(f"--- /dev/null\n+++ b/b{BIDI}x.py\n@@ -0,0 +1 @@\n+z = 3\n")
    assert main(["apply", "-C", str(root), str(created)]) == 0
    out = capsys.readouterr().out
    assert "A b\\u202ex.py" in out and _raw_controls(out) == []


# --- the TUI ---------------------------------------------------------------------------------

SIZE = (120, 40)


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests are coroutines; anyio's pytest plugin runs them on asyncio."""
    return "asyncio"


def _screen_text(app) -> str:  # type: ignore[no-untyped-def]
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def _hostile_patch() -> str:
    out = []
    for name in (f"{MARKUP}.py", f"{LINK}.py", f"e{OSC52}.py"):
        out += ["--- /dev/null", f"+++ b/{name}", "@@ -0,0 +1,2 @@", f"+s = '{OSC52}'",
                f"+t = '{MARKUP}'"]  # fmt: skip
    return "\n".join(out) + "\n"


@pytest.mark.anyio
async def test_review_shows_hostile_names_and_hunks_literally(make_repo) -> None:
    from tui.app import make_app
    from tui.screens.reason import ReasonScreen
    from tui.state import ReviewState
    from tui.widgets.file_list import FileList

    root = make_repo({"a.py": "x = 1\n"})
    state = ReviewState.from_patch(root, _hostile_patch(), title=f"t{MARKUP}{OSC52}.diff")
    app = make_app(root, review=state)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = _screen_text(app)
        assert _raw_controls(text) == []
        assert f"A {MARKUP}.py +2 -0" in text  # the file list (the others wrap)
        shown = [o.prompt.plain for o in app.screen.query_one(FileList).options]
        assert [p.split(" +")[0] for p in shown] == [
            f"· A {MARKUP}.py",
            f"· A {LINK}.py",
            "· A e\\x1b]52;c;aGVsbG8=\\x07.py",
        ]
        assert f"t{MARKUP}\\x1b]52" in text  # the title bar
        assert "s = '\\x1b]52;c;aGVsbG8=\\x07'" in text  # the diff pane
        assert f"t = '{MARKUP}'" in text
        await pilot.press("X")  # reject with a reason: the dialog names the file
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        text = _screen_text(app)
        assert f"Reject {MARKUP}.py hunk 1" in text and _raw_controls(text) == []


@pytest.mark.anyio
async def test_compose_and_stream_show_names_answer_and_errors_literally(
    make_repo, fake_openai: FakeOpenAI
) -> None:
    from tui.app import make_app
    from tui.screens.compose import ComposeScreen
    from tui.screens.stream import StreamScreen

    root = make_repo({f"{ROOT}.py": "x = 1\n", f"d{OSC52}.py": "y = 2\n"}, name=ROOT)
    backend = backend_for(fake_openai, encoding="cl100k_base", continuation="message")
    options = ClientOptions(
        retry=RetryPolicy(max_retries=0, base=0.001, cap=1.0),
        timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
        max_continuations=0,
    )
    client = Client(backend, options=options, sleep=lambda _: None)
    assistant = Assistant.open(root, client=client)
    fake_openai.push(
        Reply(text=f"thinking {OSC52} {MARKUP}\n", chunk_chars=5),
        Reply(status=400, error=f"[bold]bad[/] {OSC52} request"),
    )
    app = make_app(root, assistant=assistant)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ComposeScreen)
            text = _screen_text(app)
            assert _raw_controls(text) == []
            assert f"tome  {ROOT}" in text  # the title: the repository's folder name
            assert f"{ROOT}.py" in text and "d\\x1b]52;c;aGVsbG8=\\x07.py" in text  # tree
            await pilot.press(*"go")
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, StreamScreen)  # no edits: the answer stays
            text = _screen_text(app)
            assert f"thinking \\x1b]52;c;aGVsbG8=\\x07 {MARKUP}" in text
            assert _raw_controls(text) == []
            await pilot.press("escape")  # back to Compose, send again: the server fails
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StreamScreen) and screen.failed is not None
            text = _screen_text(app)
            assert "[bold]bad[/]" in text and _raw_controls(text) == []
    finally:
        client.close()
