"""``--verify`` detects the usual commands from the project's files: which command, from
which file, per ecosystem; a Makefile target is run for real (make is installed here)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant import verify
from assistant.config import load_settings
from assistant.detect import detect
from assistant.scratch import scratch_path


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)


def _lines(root: Path) -> list[tuple[str, str, str]]:
    return [(c.name, c.line, c.origin) for c in detect(root)]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": "[tool.pytest.ini_options]\naddopts = '-ra'\n\n[tool.ruff]\n"},
            [
                ("test", "python3 -m pytest -q", "detected: pyproject.toml [tool.pytest.ini_options]"),
                ("lint", "ruff check --output-format concise", "detected: pyproject.toml [tool.ruff]"),
            ],
        ),
        (
            {"setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\ntestpaths = tests\n\n[flake8]\nmax-line-length = 99\n"},
            [
                ("test", "python3 -m pytest -q", "detected: setup.cfg [tool:pytest]"),
                ("lint", "python3 -m flake8", "detected: setup.cfg [flake8]"),
            ],
        ),
        (
            {"tox.ini": "[tox]\nenvlist = py311\n\n[pytest]\nminversion = 7\n"},
            [("test", "python3 -m pytest -q", "detected: tox.ini [pytest]")],
        ),
        (
            {"pytest.ini": "[pytest]\n", "ruff.toml": "line-length = 100\n"},
            [
                ("test", "python3 -m pytest -q", "detected: pytest.ini"),
                ("lint", "ruff check --output-format concise", "detected: ruff.toml"),
            ],
        ),
        (
            {"Cargo.toml": '[package]\nname = "demo"\nversion = "0.1.0"\nedition = "2021"\n'},
            [
                ("test", "cargo test", "detected: Cargo.toml"),
                ("lint", "cargo clippy --all-targets -- -D warnings", "detected: Cargo.toml"),
            ],
        ),
        (
            {"go.mod": "module example.com/demo\n\ngo 1.22\n"},
            [("test", "go test ./...", "detected: go.mod"), ("lint", "go vet ./...", "detected: go.mod")],
        ),
        (
            {"package.json": '{"name": "demo", "scripts": {"test": "vitest run", "lint": "eslint ."}}'},
            [
                ("test", "npm test", "detected: package.json scripts.test"),
                ("lint", "npm run lint", "detected: package.json scripts.lint"),
            ],
        ),
        (  # npm init's placeholder is not a test suite
            {"package.json": '{"scripts": {"test": "echo \\"Error: no test specified\\" && exit 1"}}'},
            [],
        ),
        (
            {"Makefile": "TEST := unit\nPHONY: test lint\n\ntest: build\n\tpytest\n\nlint:\n\truff check\n"},
            [
                ("test", "make test", "detected: Makefile test"),
                ("lint", "make lint", "detected: Makefile lint"),
            ],
        ),
        ({"Makefile": "TEST = x\ntest-data:\n\ttrue\ntest := 1\n"}, []),  # variables, not targets
        (  # a language's own command comes before a Makefile's
            {"go.mod": "module m\n", "Makefile": "test:\n\tgo test ./...\n"},
            [("test", "go test ./...", "detected: go.mod"), ("lint", "go vet ./...", "detected: go.mod")],
        ),
        ({"pyproject.toml": "[project]\nname = 'x'\n", "README.md": "pytest\n"}, []),
        ({"pyproject.toml": "not = [valid toml"}, []),
    ],
)  # fmt: skip
def test_detection_per_ecosystem(
    tmp_path: Path, files: dict[str, str], expected: list[tuple[str, str, str]]
) -> None:
    write_tree(tmp_path, files)
    assert _lines(tmp_path) == expected


def test_a_linked_config_file_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text("[tool.pytest.ini_options]\n")
    root = tmp_path / "repo"
    root.mkdir()
    os.symlink(outside, root / "pyproject.toml")
    assert _lines(root) == []


def test_a_makefile_test_target_runs_with_verify(make_repo) -> None:
    makefile = "test:\n\t@python3 -c 'import sys; print(\"2 checks failed\"); sys.exit(2)'\n"
    root = make_repo({"Makefile": makefile, "src.txt": "a\n"})
    checker = verify.checker(load_settings(project=root), root, detect=True)
    assert checker is not None and [c.line for c in checker.commands] == ["make test"]
    report = checker.check({"src.txt": "b\n"})
    (run,) = report.runs
    assert run.returncode == 2 and "2 checks failed" in run.output
    assert (scratch_path(root) / "src.txt").read_text() == "a\n"  # the baseline ran last
    assert report.baseline_failures == 1 and report.passed
