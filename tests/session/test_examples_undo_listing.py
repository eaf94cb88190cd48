"""The examples' ``--undo`` says every file it touched: the restored ones and the ones it
removed (created by the apply), as ``tome undo`` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, REPO

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

ANSWER = """I rename greet to welcome and add a module of notes.

```diff
--- a/app.py
+++ b/app.py
@@ -1,2 +1,2 @@
-def greet(name):
+def welcome(name):
     return "hi " + name
--- /dev/null
+++ b/notes.py
@@ -0,0 +1,2 @@
+def note():
+    return "new"
```
"""


def _run(script: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *map(str, args)],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def test_apply_answer_undo_lists_the_removed_file(make_repo, tmp_path: Path) -> None:
    root = make_repo(REPO)
    answer = tmp_path / "answer.md"
    answer.write_text(ANSWER)
    done = _run("apply_answer.py", answer, "--repo", root, "--undo")
    assert done.returncode == 0, done.stderr
    assert "undone: restored app.py; removed notes.py" in done.stdout
    assert (root / "app.py").read_text() == APP and not (root / "notes.py").exists()


def test_session_loop_undo_lists_the_removed_file(make_repo, fake_openai: FakeOpenAI) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=ANSWER))
    done = _run("session_loop.py", "rename greet", "--repo", root, "--undo",
                "--base-url", fake_openai.base_url, "--model", "m")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "undone: restored app.py; removed notes.py" in done.stdout
    assert (root / "app.py").read_text() == APP and not (root / "notes.py").exists()
