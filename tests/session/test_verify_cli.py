"""``tome ask --verify`` / ``--test-cmd``: the commands are shown before sending, run once on
the answer's edits in a scratch checkout, their results printed before the apply prompt;
``--apply --yes`` applies only edits that pass."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from verifykit import BROKEN, INDENT, PACKAGE, fingerprint

from assistant.cli import main
from assistant.scratch import scratch_path

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

BREAK = """textkit/indent.py
```python
<<<<<<< SEARCH
            return line.strip()
=======
            return True
>>>>>>> REPLACE
```
"""
FIX = BREAK.replace("line.strip()", "@@").replace("True", "line.strip()").replace("@@", "True")
PYTEST = "python3 -m pytest -q -p no:cacheprovider"


def _ask(fake: FakeOpenAI, root: Path, *extra: str) -> int:
    return main(["ask", "simplify indent", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_apply_yes_refuses_edits_that_break_a_test(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(PACKAGE)
    fake_openai.push(Reply(text=BREAK))
    before = fingerprint(root)
    assert _ask(fake_openai, root, "--test-cmd", PYTEST, "--apply", "--yes") == 1
    err = capsys.readouterr().err
    shown = f"tome: checks: test: {PYTEST} (--test-cmd)"
    assert shown in err and err.index(shown) < err.index("tome: pack")  # before sending
    assert "tome: check test: failed (1 failure)" in err
    assert "  | FAILED tests/test_indent.py::test_indent_default" in err
    assert "tome: checks fail: 1 new failure" in err
    assert "--yes does not apply edits that fail their checks" in err
    assert (root / "textkit/indent.py").read_text() == INDENT
    assert (root / ".tome").is_dir() and not (scratch_path(root) / ".tome").exists()
    after = fingerprint(root)  # the history (.tome/, kept out of git by info/exclude) aside:
    ours = {".git/info/exclude"}
    assert {k for k in after if not k.startswith(".tome")} == set(before)
    assert {k: v for k, v in after.items() if k in before and k not in ours} == {
        k: v for k, v in before.items() if k not in ours
    }


def test_verify_detects_runs_and_applies_edits_that_pass(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**PACKAGE, "textkit/indent.py": BROKEN})
    fake_openai.push(Reply(text=FIX))
    assert _ask(fake_openai, root, "--verify", "--apply", "--yes") == 0
    err = capsys.readouterr().err
    assert (
        "tome: checks: test: python3 -m pytest -q "
        "(detected: pyproject.toml [tool.pytest.ini_options])" in err
    )
    assert "tome: check test: passed" in err and "tome: checks passed" in err
    assert err.index("tome: checks passed") < err.index("tome: changed 1 file")
    assert (root / "textkit/indent.py").read_text() == INDENT


def test_results_come_before_the_prompt_and_the_user_decides(
    fake_openai: FakeOpenAI,
    make_repo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = make_repo(PACKAGE)
    fake_openai.push(Reply(text=BREAK))
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert _ask(fake_openai, root, "--test-cmd", PYTEST, "--apply") == 0
    err = capsys.readouterr().err
    assert err.index("tome: checks fail") < err.index("Apply these changes? [y/N]")
    assert (root / "textkit/indent.py").read_text() == BROKEN  # the user said yes


def test_verify_does_not_run_a_project_command_without_trust(
    fake_openai: FakeOpenAI, make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "pwned"
    root = make_repo({**PACKAGE, ".tome.toml": f'test_cmd = "touch {marker}"\n'})
    fake_openai.push(Reply(text=FIX.replace("textkit/indent.py", "textkit/indent.py")))
    assert _ask(fake_openai, root, "--verify") == 0
    err = capsys.readouterr().err
    assert "sets test_cmd = " in err and "not run" in err and "'tome trust'" in err
    assert "tome: checks: test: python3 -m pytest -q (detected:" in err
    assert not marker.exists()


def test_verify_with_nothing_to_run_says_so(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"notes.txt": "a\n"})
    fake_openai.push(Reply(text="nothing to change\n"))
    assert _ask(fake_openai, root, "--verify") == 0
    err = capsys.readouterr().err
    assert "no test or lint command configured or detected" in err
    assert "; give one with --test-cmd or --lint-cmd" in err  # the CLI's way (the TUI: f2)
    assert "tome: check " not in err


def test_a_failing_check_goes_back_as_a_round_and_json_has_the_results(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(PACKAGE)
    fixed = "# indent, as CPython's textwrap has it\n" + INDENT
    whole = f"textkit/indent.py\n```python\n{fixed}```\n"
    fake_openai.push(Reply(text=BREAK))
    fake_openai.push(Reply(text=whole))
    code = _ask(fake_openai, root, "--test-cmd", PYTEST, "--apply", "--yes", "--json")
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out.splitlines()[-1])  # the finished event
    assert [r["checks"] for r in doc["rounds"]] == ["failed", "passed"]
    checks = doc["checks"]
    assert checks["passed"] is True and checks["failures"] == 0
    assert [(r["name"], r["command"], r["returncode"]) for r in checks["runs"]] == [
        ("test", PYTEST, 0)
    ]
    second = fake_openai.requests[1].messages[-1]["content"]
    assert "FAILED tests/test_indent.py::test_indent_default" in second  # the round's follow-up
    assert "tome: checks passed" in err
    assert (root / "textkit/indent.py").read_text() == fixed
