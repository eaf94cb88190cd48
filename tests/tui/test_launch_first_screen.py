"""``tome review PATCH`` as the command runs it, up to its first screen: what it loaded and
what it started by then. No model client (openai), tokenizer (tiktoken), tree-sitter grammar,
SQLite (history, rounds), Markdown parser (no prose to show) or session; one git process
(the repository root, found once). The diff's first frame does not wait for pygments to
build its lexer: it is drawn plain and coloured on the next frame. The launch itself is timed
by ``python3 bench/tui.py launch``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tuikit import PATCH

from tui import highlight
from tui.app import make_app
from tui.state import ReviewState
from tui.widgets.diff_view import DiffView

pytestmark = pytest.mark.anyio

TOP = Path(__file__).resolve().parents[2]
HEAVY = ("openai", "tiktoken", "tree_sitter", "sqlite3", "_sqlite3", "markdown_it", "httpx",
         "assistant.session", "assistant.model", "assistant.tokens", "assistant.store",
         "assistant.rounds", "assistant.packing", "assistant.code")  # fmt: skip

# The command as ``tome review`` runs it, with Textual headless (a test has no terminal)
# and a pilot that reports, once the first screen is up, what is loaded and what was spawned.
LAUNCH = """
import json, subprocess, sys
from textual.app import App
import assistant.cli._ui as ui

ui.not_terminals = lambda: []
spawned = []
real_init = subprocess.Popen.__init__

def recording(self, args, *rest, **kw):
    spawned.append(args if isinstance(args, str) else [str(a) for a in args])
    real_init(self, args, *rest, **kw)

subprocess.Popen.__init__ = recording
real_run = App.run

def headless(self, **kw):
    async def report(pilot):
        await pilot.pause()
        shown = pilot.app.screen.query_one("#diff").render_line(3).text
        print(json.dumps({"modules": sorted(sys.modules), "spawned": spawned, "shown": shown,
                          "screen": type(pilot.app.screen).__name__}))
        pilot.app.exit(0)
    return real_run(self, headless=True, auto_pilot=report, size=(120, 40))

App.run = headless
from assistant.cli import main
sys.exit(main(["review", sys.argv[1]]))
"""


def test_the_first_screen_loads_no_model_tokenizer_grammar_or_sqlite(repo: Path) -> None:
    patch = repo.parent / "change.diff"
    patch.write_text(PATCH)
    env = {**os.environ, "PYTHONPATH": str(TOP), "TOME_HOME": str(repo.parent / "home")}
    done = subprocess.run([sys.executable, "-c", LAUNCH, str(patch)], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["screen"] == "ReviewScreen" and "return x + 100" in got["shown"]
    heavy = [m for m in got["modules"] if m.split(".")[0] in HEAVY or m in HEAVY
             or m.startswith(tuple(h + "." for h in HEAVY))]  # fmt: skip
    assert heavy == []
    assert "tui.widgets.answer_markdown" not in got["modules"]
    gits = [c for c in got["spawned"] if c and "git" in os.path.basename(c[0])]
    assert len(gits) == 1 and "rev-parse" in gits[0] and "--show-toplevel" in gits[0], gits


@pytest.mark.parametrize("plain_first", [True, False])
async def test_the_first_frame_is_plain_then_coloured(
    repo: Path, monkeypatch: pytest.MonkeyPatch, plain_first: bool
) -> None:
    monkeypatch.setattr(highlight, "_SHARED", {})  # no lexer built yet in this process
    later: list[str] = []
    colour_later = DiffView._colour_later

    def recorded(self: DiffView, path: str) -> None:
        later.append(path)
        colour_later(self, path)

    monkeypatch.setattr(DiffView, "_colour_later", recorded)
    app = make_app(repo, review=ReviewState.from_patch(repo, PATCH, title="t.diff"))
    app.plain_first = plain_first
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert (set(later) == {"a.py"}) is plain_first  # only the launch draws plain first
        assert highlight.lexer_ready("a.py")  # built by now either way
        diff = app.screen.query_one(DiffView)
        row = next(y for y in range(40) if "return x + 100" in diff.render_line(y).text)
        colours = {s.style.color for s in diff.render_line(row) if s.style and s.style.color}
        assert len(colours) > 1  # coloured: 'return' and the number are not in one colour
