"""``tests/fakeopenai.py`` runs on its own, and the README's commands for running an example
against it work as written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sessiondata import APP, RENAME, REPO

TOP = Path(__file__).resolve().parents[2]


def test_the_fake_server_runs_on_its_own_and_an_example_talks_to_it(make_repo, tmp_path) -> None:
    readme = (TOP / "README.md").read_text()
    assert "python3 tests/fakeopenai.py --port 8000 --reply answer.md" in readme
    command = re.search(r"^python3 examples/ask_refactor\.py (.+)$", readme, re.MULTILINE)
    assert command is not None
    root = make_repo(REPO)
    answer = tmp_path / "answer.md"
    answer.write_text(RENAME)
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    with subprocess.Popen(
        [sys.executable, str(TOP / "tests" / "fakeopenai.py"), "--port", "0", "--reply",
         str(answer)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    ) as server:  # fmt: skip
        try:
            assert server.stdout is not None
            base_url = server.stdout.readline().strip()
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+/v1", base_url), base_url
            args = command.group(1).replace("http://127.0.0.1:8000/v1", base_url).split()
            args = [a.strip('"') for a in args]
            task_end = next(i for i, a in enumerate(args) if a.startswith("--"))
            argv = [" ".join(args[:task_end]), *args[task_end:]]
            done = subprocess.run([sys.executable, str(TOP / "examples" / "ask_refactor.py"), *argv],
                                  cwd=root, capture_output=True, text=True, timeout=120, env=env)  # fmt: skip
            assert done.returncode == 0, done.stderr
            assert "+def welcome(name):" in done.stdout
            assert (root / "app.py").read_text() == APP
        finally:
            server.terminate()
            server.wait(timeout=30)
