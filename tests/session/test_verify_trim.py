"""A check's output is cut to its failing part and its failures counted, from the real
output of pytest, ruff and mypy run here; a long output fits its budget."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.checks import CheckReport, CheckRun
from assistant.trim import trim

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

BAD = "import os, sys\n\n\ndef f(x: int) -> str:\n    return x\n\n\nl = undefined_name\n"


def _run(args: list[str], cwd: Path) -> tuple[int, str]:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout + done.stderr


def test_pytest_output_keeps_the_failures_and_the_summary(tmp_path: Path) -> None:
    tests = "\n".join(
        f"def test_{i}():\n    print('noise ' * 50)\n    assert {i} % 4 != 0, 'case {i}'\n"
        for i in range(40)
    )
    (tmp_path / "test_many.py").write_text(tests)
    code, output = _run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider"], tmp_path)
    assert code == 1
    kept, failures = trim(output, passed=False, limit=4_000)
    assert failures == 10
    assert kept.startswith("=") and "FAILURES" in kept.splitlines()[0]
    assert "test session starts" not in kept  # the header and the progress are cut
    assert kept.rstrip().endswith("=") and "10 failed, 30 passed" in kept.splitlines()[-1]
    assert len(kept) < 4_200 and "lines cut" in kept


def test_pytest_collection_errors_are_counted(tmp_path: Path) -> None:
    (tmp_path / "test_broken.py").write_text("import no_such_module_here\n")
    code, output = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], tmp_path)
    kept, failures = trim(output, passed=code == 0, limit=4_000)
    assert failures == 1 and "no_such_module_here" in kept and "ERRORS" in kept


def test_ruff_findings_are_kept_and_counted(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, output = _run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--select", "F,E",
         "--output-format", "concise", "."], tmp_path,
    )  # fmt: skip
    assert code == 1
    kept, failures = trim(output, passed=False, limit=4_000)
    assert failures == 5  # E401, F401 os, F401 sys, E741 l, F821 undefined_name
    assert kept.count("bad.py:") == 5 and "F821" in kept and "Found 5 errors." in kept
    assert "fixable" not in kept


def test_mypy_errors_are_kept_and_counted(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text(BAD)
    code, output = _run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--cache-dir", str(tmp_path / "c"),
         "bad.py"], tmp_path,
    )  # fmt: skip
    assert code == 1
    kept, failures = trim(output, passed=False, limit=4_000)
    assert failures == 2  # the return type, the undefined name
    assert kept.count("bad.py:") == 2 and "Found 2 errors" in kept


def test_another_tool_keeps_its_tail_and_counts_one() -> None:
    output = "".join(f"step {i}\n" for i in range(500)) + "error: the build broke\n"
    kept, failures = trim(output, passed=False, limit=10_000)
    assert failures == 1
    assert kept.rstrip().endswith("error: the build broke") and "step 0\n" not in kept
    assert trim(output, passed=True, limit=10_000)[1] == 0


def test_for_model_fits_the_budget() -> None:
    long = "".join(f"tests/test_x.py:{i}: AssertionError: value {i}\n" for i in range(3000))
    report = CheckReport((
        CheckRun("test", "python3 -m pytest -q", 1, long, 1.0, 3000),
        CheckRun("lint", "ruff check", 0, "", 0.1),
    ))  # fmt: skip
    text = report.for_model(budget=800, encoding="cl100k_base")
    from assistant.tokens import count

    assert count(text, "cl100k_base") <= 800
    assert text.startswith("$ python3 -m pytest -q\n(exit 1)") and "ruff" not in text
