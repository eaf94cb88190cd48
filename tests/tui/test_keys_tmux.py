"""Every key the footers and the help offer, pressed in a real terminal (tmux), each with
its effect read off the pane (issue 13: ``^h History`` reached the app as Backspace).

tmux sends a key as a terminal does (``send-keys C-h`` is byte 0x08), so a key that the
app cannot tell from another, or that the focused text box takes, shows here. Every wait
polls ``capture-pane`` until the expected text shows, under a deadline; nothing sleeps to
synchronise.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from tuikit import PATCH

import assistant

PATHS_PY = (Path(assistant.__file__).parent / "paths.py").read_text()  # real code
ANSWER = """\
```diff
--- a/paths.py
+++ b/paths.py
@@ -1,1 +1,1 @@
-\"\"\"Where tome keeps user state: config, cache and state directories.
+\"\"\"Where tome keeps the user's state: config, cache and state directories.
```
"""
TIMEOUT = 20.0


class Pane:
    """One tmux pane on a private server: send keys, read the screen, wait for text."""

    def __init__(self, socket: str, name: str) -> None:
        self.socket, self.name = socket, name

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=True)  # fmt: skip
        return done.stdout

    def start(self, cwd: Path, command: str, *, width: int, height: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
        env.update(TERM="xterm-256color", GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
                   GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t",
                   VISUAL="sed -i s/100/101/")  # fmt: skip
        # the shell stays after tome exits so the pane can be read; tmux kill-server ends it
        shell = f"{command}; echo tome-exited-$?; exec cat"
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d", "-s", self.name,
             "-x", str(width), "-y", str(height), "-c", str(cwd),
             "env", "-u", "COLUMNS", "-u", "LINES", "sh", "-c", shell],
            check=True, env=env,
        )  # fmt: skip

    def text(self, *, styled: bool = False) -> str:
        return self._tmux("capture-pane", "-p", *(("-e",) if styled else ()), "-t", self.name)

    def keys(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", self.name, *(("-l",) if literal else ()), *keys)

    def until(self, ok: Callable[[str], bool], what: str, *, styled: bool = False) -> str:
        """Poll the pane until ``ok(pane)``; the deadline bounds the wait."""
        deadline = time.monotonic() + TIMEOUT
        pane = ""
        while time.monotonic() < deadline:
            pane = self.text(styled=styled)
            if ok(pane):
                return pane
            time.sleep(0.03)  # polling interval, not synchronisation: the deadline bounds it
        raise AssertionError(f"never: {what}; the pane was:\n{self.text()}")

    def shows(self, text: str) -> str:
        return self.until(lambda pane: text in pane, f"{text!r} shows")

    def hides(self, text: str) -> str:
        return self.until(lambda pane: text not in pane, f"{text!r} goes")

    def press(self, key: str, shows: str) -> str:
        self.keys(key)
        return self.shows(shows)

    def status(self) -> str:
        """The Review's status bar (``file 1/2  hunk 1/2   3 pending``)."""
        lines = [line for line in self.text().splitlines() if line.startswith(" file ")]
        return lines[-1] if lines else ""

    def status_shows(self, key: str, pattern: str) -> str:
        self.keys(key)
        self.until(lambda _: re.search(pattern, self.status()) is not None,
                   f"{key}: status matches {pattern!r}")  # fmt: skip
        return self.status()


@pytest.fixture
def pane() -> Iterator[Pane]:
    assert shutil.which("tmux"), "tmux is required for the terminal key test"
    socket = f"tome-keys-{uuid.uuid4().hex[:8]}"
    yield Pane(socket, "keys")
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, check=False)


def _tome(*args: str) -> str:
    return " ".join(shlex.quote(a) for a in (sys.executable, "-m", "assistant", *args))


def _line_keys_reach_the_next_hunk(pane: Pane, down: str, up: str) -> None:
    """``down`` as many times as there are rows from hunk 1's header to hunk 2's reaches
    hunk 2; ``up`` as many times comes back. Only the end states are waited for: a key's
    repaint may come in more than one frame, so "the pane changed" says nothing about which
    key was handled."""
    rows = pane.text().splitlines()
    first, second = (next(i for i, row in enumerate(rows) if f"hunk {n} of 2" in row)
                     for n in (1, 2))  # fmt: skip
    for _ in range(second - first):
        pane.keys(down)
    pane.until(lambda _: "hunk 2/2" in pane.status(), f"{down} x{second - first}: hunk 2")
    for _ in range(second - first):
        pane.keys(up)
    pane.until(lambda _: "hunk 1/2" in pane.status(), f"{up} x{second - first}: hunk 1")


def test_every_review_key_in_a_real_terminal(repo: Path, tmp_path: Path, pane: Pane) -> None:
    patch = tmp_path / "change.diff"
    patch.write_text(PATCH)
    pane.start(repo, _tome("review", str(patch)), width=120, height=40)
    pane.shows("return x + 100")
    # waited for, not read at once: the diff can be drawn a frame before the status bar
    pane.until(lambda _: "file 1/2  hunk 1/2" in pane.status(), "the status bar")
    footer = pane.text().splitlines()[-1]
    for key in ("n Next hunk", "y Accept", "x Reject", "d Columns", "⏎ Apply", "u Undo",
                "c Commit", "? Help", "q Back", "^p palette"):  # fmt: skip
        assert key in footer, footer

    # help: ? opens it (the Review's keys first), and each of q, escape, ? closes it
    for close in ("q", "Escape", "?"):
        pane.press("?", "this help")
        text = pane.text()
        assert "Everywhere" not in text[: text.index("Review")]  # below, scrolled to
        pane.keys(close)
        pane.hides("this help")
    pane.press("C-p", "Search for commands")  # the footer's ^p palette
    pane.keys("Escape")
    pane.hides("Search for commands")

    _line_keys_reach_the_next_hunk(pane, "j", "k")
    _line_keys_reach_the_next_hunk(pane, "Down", "Up")
    assert "hunk 2/2" in pane.status_shows("PageDown", r"hunk 2/2")
    assert "hunk 1/2" in pane.status_shows("PageUp", r"hunk 1/2")
    pane.status_shows("n", r"file 1/2  hunk 2/2")
    pane.status_shows("p", r"file 1/2  hunk 1/2")
    pane.status_shows("]", r"file 2/2")
    pane.status_shows("[", r"file 1/2")
    pane.keys("Tab")  # to the file list: j/k now move between files
    pane.status_shows("j", r"file 2/2")
    pane.status_shows("k", r"file 1/2")
    pane.keys("Tab")  # back to the diff
    pane.status_shows("n", r"file 1/2  hunk 2/2")
    pane.status_shows("p", r"file 1/2  hunk 1/2")

    # d: side by side puts the old and the new line on one row; again: one column
    pane.keys("d")
    pane.until(lambda t: any("x + 0" in row and "x + 100" in row for row in t.splitlines()),
               "old and new side by side")  # fmt: skip
    pane.keys("d")
    pane.until(lambda t: not any("x + 0" in row and "x + 100" in row for row in t.splitlines()),
               "one column again")  # fmt: skip

    # deciding: a and r (the undecided hunks of the file), e (the editor, $VISUAL, rewrites
    # the hunk and accepts it), y, x, space, X (a reason), s (send back)
    pane.status_shows("]", r"file 2/2")
    pane.status_shows("a", r"\b1 accepted")  # b.txt's one hunk
    pane.status_shows("[", r"file 1/2  hunk 1/2")
    pane.status_shows("r", r"\b2 rejected")  # a.py's two
    pane.press("e", "return x + 101")
    pane.shows("hunk 1 edited and accepted")
    assert re.search(r"\b2 accepted", pane.status()) and re.search(r"\b1 rejected", pane.status())
    pane.status_shows("n", r"hunk 2/2")
    pane.status_shows("y", r"\b3 accepted")  # and on to b.txt
    pane.status_shows("x", r"\b1 rejected")
    pane.status_shows("space", r"\b3 accepted")
    pane.press("X", "what is wrong with this hunk?")  # the reason box
    pane.keys("Escape")  # cancels it
    pane.hides("what is wrong with this hunk?")
    assert re.search(r"\b3 accepted", pane.status())
    pane.press("X", "what is wrong with this hunk?")
    pane.keys("it drops a line", literal=True)
    pane.keys("Enter")
    pane.hides("what is wrong with this hunk?")
    pane.until(lambda _: re.search(r"\b1 rejected", pane.status()) is not None, "X rejects")
    pane.press("s", "send back")  # a patch has no model session: it says so
    pane.status_shows("]", r"file 2/2")  # b.txt, the hunk X rejected
    pane.status_shows("space", r"\b3 accepted")

    # apply: Enter asks; n and escape say no, y and Enter say yes; u undoes; c commits
    for no in ("n", "Escape"):
        pane.press("Enter", "Apply 3 accepted hunks to 2 files?")
        pane.keys(no)
        pane.hides("Apply 3 accepted hunks")
    assert "return x + 100" not in (repo / "a.py").read_text()
    pane.press("Enter", "Apply 3 accepted hunks to 2 files?")
    pane.press("y", "applied to 2 files")
    assert "return x + 101" in (repo / "a.py").read_text()
    pane.press("u", "undone: ")
    assert "return x + 101" not in (repo / "a.py").read_text()
    pane.press("Enter", "Apply 3 accepted hunks to 2 files?")
    pane.keys("Enter")
    pane.until(lambda _: "x + 101" in (repo / "a.py").read_text(), "Enter applies")
    pane.press("c", "Commit the 2 applied files?")
    pane.press("y", "committed ")
    pane.press("q", "tome-exited-0")


def _corner(styled: str, title: str) -> str | None:
    """The colour escape that draws the top-left corner of the box titled ``title``."""
    found = re.search(r"(\x1b\[38;5;\d+m)(?:\x1b\[48;5;\d+m)?╭─(?:\x1b\[[\d;]+m)* "
                      + re.escape(title), styled)  # fmt: skip
    return found.group(1) if found else None


def _focused(pane: Pane, title: str, muted: str) -> None:
    """Wait until the box titled ``title`` has the focus: its border is drawn in the primary
    colour, no longer in ``muted`` (the corner colour of a box without the focus)."""

    def ok(styled: str) -> bool:
        mine = _corner(styled, title)
        return mine is not None and mine != muted

    pane.until(ok, f"the {title} box focused", styled=True)


def test_every_compose_key_in_a_real_terminal(
    make_repo, fake_openai: FakeOpenAI, pane: Pane
) -> None:
    root = make_repo({"paths.py": PATHS_PY})
    url = fake_openai.base_url
    pane.start(root, _tome("--base-url", url, "--model", "m"), width=80, height=24)
    footer = pane.shows("^q Quit").splitlines()[-1]
    for key in (
        "^s Send",
        "^n Backend",
        "^t Reasoning",
        "^r Recount",
        "^f Ask",
        "^o History",
        "^g Help",
        "^q Quit",
    ):
        assert key in footer, footer  # all of them at 80 columns
    pane.shows("paths.py")

    pane.press("C-g", "this help")  # from inside the task box
    text = pane.text()
    assert "Compose" in text and "Everywhere" not in text[: text.index("Compose")]
    assert re.search(r"f2 +send options: verify", text)  # named by the options line
    # the keys of every screen below the screen's own: End reaches the last section (waiting
    # for "Everywhere" passed only while the scroll went by it, and the options made the
    # Compose section one row longer)
    pane.press("End", "This help")
    pane.press("Escape", "^s Send")  # back in Compose: its key bar, not the help's

    # f2: the send options, from inside the task box; space ticks verify (it has the focus)
    assert "options (f2) rounds 2 · verify off" in pane.text()
    pane.press("F2", "Checks: the edits in a scratch worktree first")
    pane.shows("esc Cancel ^s Use")  # the dialog's own key bar
    pane.press("Space", "not run: no test or lint command")  # nothing detected in this repo
    pane.press("Escape", "^s Send")  # cancelled
    assert "verify off" in pane.text()
    pane.press("F2", "Checks: the edits in a scratch worktree first")
    pane.keys("Space")
    pane.shows("not run: no test or lint command")
    pane.press("C-s", "verify nothing to")  # used: the options line says it
    pane.press("F2", "Checks: the edits in a scratch worktree first")
    pane.keys("Space")  # verify off again
    pane.shows("verify is off")
    pane.press("C-s", "rounds 2 · verify off")

    pane.keys("say the user's", literal=True)
    pane.shows("say the user's")
    assert re.search(r"~[\d,]+ \+ [\d,]+", pane.text())  # an estimate until planned
    pane.keys("C-r")  # recount, with the task: the request is planned, no longer "~"
    pane.until(lambda t: re.search(r"(?<![~\d,])[\d,]+ \+ [\d,]+", t) is not None, "planned")

    # the tree: shift+tab twice from the task box, space excludes and includes again
    muted = _corner(pane.text(styled=True), "files")  # the task box has the focus
    assert muted is not None and muted != _corner(pane.text(styled=True), "task")
    pane.keys("BTab")  # the backend picker
    pane.keys("BTab")  # the tree, whose border names space
    _focused(pane, "files", muted)
    pane.press("Space", "□ paths.py")
    assert "^g Help" in pane.text().splitlines()[-1]  # the footer still fits 80 columns
    assert "^q Quit" in pane.text().splitlines()[-1]
    pane.press("Space", "■ paths.py")
    pane.keys("Tab")
    pane.keys("Tab")  # back in the task box: the typed keys go there
    _focused(pane, "task", muted)
    pane.keys("!", literal=True)
    pane.shows("say the user's!")
    pane.keys("BSpace")
    pane.hides("say the user's!")

    # send: an endless answer, cancelled with escape; escape again goes back
    fake_openai.push(Reply(text="thinking ", endless=True))
    pane.press("C-s", "escape cancels")
    pane.press("Escape", "cancelled")
    pane.press("Escape", "^s Send")
    fake_openai.push(Reply(text=ANSWER))
    pane.press("C-s", "hunk 1/1")  # the answer opens in Review
    pane.press("Escape", "^s Send")  # and escape comes back to Compose

    pane.press("C-o", "past sessions")  # History
    pane.until(lambda t: "answered" in t and "cancelled" in t, "both sessions listed")
    fake_openai.push(Reply(text=ANSWER))
    asked = subprocess.run(  # a third session, from another process, while History is open
        [sys.executable, "-m", "assistant", "ask", "from the shell", "-C", str(root),
         "--base-url", url, "--model", "m"], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert asked.returncode == 0, asked.stderr
    assert "from the shell" not in pane.text()
    pane.press("r", "from the shell")  # reload
    pane.press("Enter", "hunk 1/1")  # review the newest session again
    pane.press("q", "past sessions")
    pane.press("q", "^s Send")
    pane.press("C-o", "past sessions")
    pane.press("Escape", "^s Send")

    before = pane.text().splitlines()[2]  # the backend picker's row
    assert "openai-compatible" in before
    pane.keys("C-n")  # the next backend, or, if it cannot be used here, a toast saying so
    pane.until(lambda t: t.splitlines()[2] != before or "cannot use " in t,
               "^n picks the next backend")  # fmt: skip
    pane.press("C-q", "tome-exited-0")
