"""Checks run for real (pytest in a scratch checkout of a real repository), never in the
user's tree: edits that break and fix a test, uncommitted and untracked files included,
the baseline, and the user's tree, index, refs, stash and worktrees byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from verifykit import BROKEN, INDENT, PACKAGE, fingerprint

from assistant import verify
from assistant.commands import Command
from assistant.config import load_settings
from assistant.scratch import scratch_path

PYTEST = Command.fixed("test", ("python3", "-m", "pytest", "-q", "-p", "no:cacheprovider"), "t")


def test_an_edit_that_breaks_a_test_fails_with_its_count(make_repo) -> None:
    root = make_repo(PACKAGE)
    before = fingerprint(root)
    report = verify.Verifier(root, [PYTEST]).check({"textkit/indent.py": BROKEN})
    (run,) = report.runs
    assert not report.passed and run.returncode == 1
    assert run.failures == 1 and report.failures == 1
    assert "FAILED tests/test_indent.py::test_indent_default" in run.output
    assert run.output.startswith("=") and "FAILURES" in run.output.splitlines()[0]
    assert report.baseline_failures == 0  # the baseline ran: the tree as it is passes
    assert fingerprint(root) == before
    assert (root / "textkit/indent.py").read_text() == INDENT


def test_an_edit_that_fixes_a_test_passes(make_repo) -> None:
    root = make_repo({**PACKAGE, "textkit/indent.py": BROKEN})
    before = fingerprint(root)
    report = verify.Verifier(root, [PYTEST]).check({"textkit/indent.py": INDENT})
    assert report.passed and report.failures == 0
    assert report.runs[0].returncode == 0 and report.runs[0].failures == 0
    assert fingerprint(root) == before


def test_uncommitted_and_untracked_files_are_checked_ignored_ones_are_not(make_repo) -> None:
    extra = "from textkit import indent\n\n\ndef test_untracked():\n    assert indent('a', '>') == '>a'\n"
    root = make_repo(
        {**PACKAGE, ".gitignore": "secret_*.py\n"},
        untracked={"tests/test_more.py": extra, "tests/secret_x.py": "raise SystemExit(3)\n"},
    )
    (root / "textkit/indent.py").write_text(BROKEN)  # uncommitted: the tree as it is now
    (root / "tests/test_indent.py").unlink()  # a deletion not yet committed
    before = fingerprint(root)
    report = verify.Verifier(root, [PYTEST]).check({})
    assert report.passed, report.runs[0].output
    lines = [ln for ln in report.runs[0].output.splitlines() if "passed" in ln]
    assert lines and lines[-1].startswith("1 passed")  # test_more.py only: the deletion holds
    scratch = scratch_path(root)
    assert (scratch / "tests/test_more.py").read_text() == extra
    assert (scratch / "textkit/indent.py").read_text() == BROKEN
    assert not (scratch / "tests/secret_x.py").exists()
    assert fingerprint(root) == before


def test_the_scratch_is_reused_and_reset_between_checks(make_repo) -> None:
    root = make_repo(PACKAGE)
    checker = verify.Verifier(root, [PYTEST])
    assert checker.check({"textkit/indent.py": "\n" + INDENT, "textkit/new.py": "X = 1\n"}).passed
    scratch = scratch_path(root)
    assert (scratch / "textkit/new.py").exists()
    inode = os.stat(scratch / "tests/test_indent.py").st_ino
    assert checker.check({"textkit/indent.py": BROKEN}).runs[0].failures == 1
    assert checker.check({}).passed  # the previous edits are gone: the tree as it is
    assert not (scratch / "textkit/new.py").exists()
    assert (scratch / "textkit/indent.py").read_text() == INDENT
    assert os.stat(scratch / "tests/test_indent.py").st_ino == inode  # untouched: not rewritten


def test_a_baseline_failure_is_not_blamed_on_the_edit_and_is_cached(
    make_repo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    counter = tmp_path / "runs.txt"
    conftest = (
        "import os\n\n\ndef pytest_sessionstart(session):\n"
        "    with open(os.environ['VERIFY_RUNS'], 'a') as fh:\n        fh.write('run\\n')\n"
    )
    old_bug = (
        "from textkit import indent\n\n\ndef test_known_bug():\n    assert indent('', '>') == '>'\n"
    )
    root = make_repo({**PACKAGE, "conftest.py": conftest, "tests/test_bug.py": old_bug})
    monkeypatch.setenv("VERIFY_RUNS", str(counter))
    doc = '"""Indent lines of text."""\n\n'
    report = verify.Verifier(root, [PYTEST]).check({"textkit/indent.py": doc + INDENT})
    assert report.runs[0].failures == 1 and report.baseline_failures == 1
    assert report.passed  # the one failure was there before the edit
    assert counter.read_text() == "run\n" * 2  # the edit, then the baseline
    again = verify.Verifier(root, [PYTEST]).check({"textkit/indent.py": BROKEN})
    assert again.runs[0].failures == 2 and again.baseline_failures == 1
    assert not again.passed  # one new failure
    assert counter.read_text() == "run\n" * 3  # the baseline came from the cache
    (root / "README.md").write_text("changed\n")  # another tree: another baseline
    verify.Verifier(root, [PYTEST]).check({"textkit/indent.py": BROKEN})
    assert counter.read_text() == "run\n" * 5


def test_checker_builds_from_settings_and_choices(make_repo) -> None:
    root = make_repo(PACKAGE)
    settings = load_settings(project=root)
    assert verify.checker(settings, root) is None  # nothing asked, nothing configured
    detected = verify.checker(settings, root, detect=True)
    assert detected is not None
    assert [c.line for c in detected.commands] == ["python3 -m pytest -q"]
    chosen = verify.checker(settings, root, test_cmd="python3 -m pytest -x", detect=True)
    assert chosen is not None and [c.line for c in chosen.commands] == ["python3 -m pytest -x"]
    configured = load_settings(project=root, overrides={"lint_cmd": "true", "check_timeout": 7})
    both = verify.checker(configured, root, detect=True)
    assert both is not None and both.timeout == 7
    assert [(c.name, c.line) for c in both.commands] == [
        ("test", "python3 -m pytest -q"),
        ("lint", "true"),
    ]
    report = both.check({"textkit/indent.py": BROKEN})
    assert [r.passed for r in report.runs] == [False, True]
