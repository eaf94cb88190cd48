"""``tome history`` and ``tome undo`` need no backend: no config, no key, no model code.

The session is made with a backend (the fake server); then, in a fresh process with no
config file and no API key in the environment, the history lists it and undo reverts it.
Neither command loads the model client, the settings or the session (the request
machinery): they go through :class:`assistant.history.History` alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO, UTIL, AssistantFactory

from assistant.history import History

NEW_APP = APP.replace("greet", "welcome")
HEAVY = ("openai", "assistant.model", "assistant.config", "assistant.session", "assistant.packing")
SCRIPT = f"""
import json, sys
from assistant.cli import main
code = main(sys.argv[1:])
loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)
print(json.dumps({{"code": code, "loaded": loaded}}), file=sys.stderr)
"""


def _tome(root: Path, *args: str) -> tuple[dict[str, object], str]:
    env = {k: v for k, v in os.environ.items() if "API_KEY" not in k and "BASE_URL" not in k}
    home = Path(env["TOME_HOME"])
    assert not any(p.suffix == ".toml" for p in home.rglob("*"))  # no config at all
    done = subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr
    return report, done.stdout


@pytest.fixture
def applied(make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI) -> Path:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assistant = make_assistant(root)
    result = assistant.ask("rename greet")
    result.changeset.accept_all()
    assistant.apply(result)
    assert (root / "app.py").read_text() == NEW_APP
    return root


def test_history_and_undo_run_with_no_config_and_no_key(applied: Path) -> None:
    report, out = _tome(applied, "history", "--json")
    assert report == {"code": 0, "loaded": []}
    [session] = json.loads(out)["sessions"]
    assert session["status"] == "applied" and [a["state"] for a in session["applies"]] == [
        "applied"
    ]

    report, out = _tome(applied, "undo")
    assert report == {"code": 0, "loaded": []}
    assert "reverted the last apply of session 1" in out
    assert (applied / "app.py").read_text() == APP and (applied / "util.py").read_text() == UTIL

    report, out = _tome(applied, "history")
    assert report == {"code": 0, "loaded": []}
    assert " undone " in out.splitlines()[1]  # [0]: the header row


def test_the_history_object_undoes_without_a_backend(applied: Path) -> None:
    history = History(applied)
    [summary] = history.sessions()
    done = history.undo(summary.session_id)
    assert done is not None and set(done.restored) == {"app.py", "util.py"}
    assert history.summary(summary.session_id).status == "undone"  # type: ignore[union-attr]
    assert history.undo() is None
