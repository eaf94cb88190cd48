"""``tome ask --apply`` shows the diff it will write before it asks y/N (the answer's
SEARCH/REPLACE blocks are not a diff of the files), and a file without a final newline
gets git's marker rather than running into the next line."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO

from assistant.cli import main
from assistant.edits import Changeset

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def test_ask_apply_shows_the_diff_before_asking(
    fake_openai: FakeOpenAI, make_repo, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    code = main(["ask", "rename greet", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and (root / "app.py").read_text() == APP
    prompt = err.index("Apply these changes? [y/N]")
    diff = err[err.index("--- a/app.py") : prompt]
    assert "+++ b/app.py\n@@ -1,6 +1,6 @@\n-def greet(name):\n+def welcome(name):\n" in diff
    assert '-    print(greet("world"))\n+    print(welcome("world"))\n' in diff
    assert "--- a/util.py\n+++ b/util.py\n" in diff and "+def add(a: int, b: int) -> int:" in diff
    # what is shown is a patch git takes, on the tree as it is (nothing was applied)
    check = subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=diff, text=True,
                           capture_output=True)  # fmt: skip
    assert check.returncode == 0, check.stderr


def test_a_last_line_without_newline_is_marked(make_repo, tmp_path: Path) -> None:
    root = make_repo({"a.txt": "one\ntwo"})
    answer = "a.txt\n<<<<<<< SEARCH\ntwo\n=======\nTWO\n>>>>>>> REPLACE\n"
    cs = Changeset.from_text({"a.txt": "one\ntwo"}, answer)
    cs.accept_all()
    diff = cs["a.txt"].diff()
    assert "-two\n\\ No newline at end of file\n+TWO\n\\ No newline at end of file\n" in diff
    check = subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=diff, text=True,
                           capture_output=True)  # fmt: skip
    assert check.returncode == 0, check.stderr
