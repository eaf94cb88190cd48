"""``pack()`` and ``tome pack`` end to end on real git repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant import tokens
from assistant.cli import main
from assistant.errors import ConfigError, PackError
from assistant.packing import pack

FILES = {
    "README.md": "# Demo\n\nA small project.\n",
    "src/app.py": "import os\n\n\ndef main():\n    return os.getcwd()\n",
    "src/util.py": "def add(a, b):\n    return a + b\n" * 40,
    "docs/guide.md": "Guide\n=====\n\n中文 text and numbers 12345678.\n",
    "package-lock.json": '{"lockfileVersion": 3}\n',
    "logo.png": b"\x89PNG\r\n\x1a\n\x00\x00binary",
}


@pytest.fixture
def repo(make_repo) -> Path:
    return make_repo(
        FILES,
        untracked={
            "notes.txt": "untracked but not ignored\n",
            ".gitignore": "*.log\n",
            "debug.log": "ignored\n",
        },
    )


# o200k_base may be counted by its offline fallback: still exact for what it counts with
@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
@pytest.mark.parametrize("encoding", ["deepseek-v4", "o200k_base", "cl100k_base"])
def test_pack_counts_the_whole_output_exactly(repo: Path, encoding: str) -> None:
    result = pack(repo, encoding=encoding)
    assert result.tokens == tokens.count(result.text, encoding)
    paths = [f.path for f in result.files]
    assert paths == sorted(paths)
    assert set(paths) == {
        "README.md",
        "src/app.py",
        "src/util.py",
        "docs/guide.md",
        "notes.txt",
        ".gitignore",
    }
    for f in result.files:
        assert f.tokens == tokens.count((repo / f.path).read_text(), encoding)
        assert f'<file path="{f.path}" tokens="{f.tokens}">' in result.text
    assert result.skipped_by_reason == {"binary": 1, "lockfile": 1} or set(
        result.skipped_by_reason
    ) >= {"binary"}


def test_two_packs_of_the_same_tree_are_byte_identical(repo: Path) -> None:
    assert pack(repo).text == pack(repo).text


def test_budget_omits_what_does_not_fit_and_lists_it_in_the_tree(repo: Path) -> None:
    whole = pack(repo, encoding="cl100k_base")
    util = next(f for f in whole.files if f.path == "src/util.py")
    budget = whole.tokens - util.tokens // 2
    result = pack(repo, encoding="cl100k_base", budget=budget)
    assert result.tokens <= budget
    assert result.tokens == tokens.count(result.text, "cl100k_base")
    tiers = {f.path: f.tier for f in result.files}
    assert tiers["src/util.py"] == "omitted"
    assert '<file path="src/util.py"' not in result.text
    assert "util.py" in result.text and "[omitted]" in result.text
    assert result.tiers["full"] == len(result.files) - 1


def test_budget_smaller_than_the_header_is_a_clear_error(repo: Path) -> None:
    with pytest.raises(PackError, match="does not even hold the pack's header") as info:
        pack(repo, budget=10)
    assert info.value.budget == 10 and info.value.needed is not None and info.value.needed > 10
    assert "--" not in str(info.value)  # no CLI option: the CLI and the TUI add their advice


def test_unknown_encoding_names_the_choices(repo: Path) -> None:
    with pytest.raises(ConfigError, match="o200k_base"):
        pack(repo, encoding="gpt-17")


def test_task_goes_last(repo: Path) -> None:
    result = pack(repo, task="Rename add to plus")
    assert result.text.endswith("<task>\nRename add to plus\n</task>\n")


def test_cli_json_summary(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo / "out.xml"
    assert (
        main(["pack", str(repo), "--json", "--output", str(out), "--encoding", "cl100k_base"]) == 0
    )
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) == {
        "files",
        "tokens",
        "encoding",
        "budget",
        "output",
        "skipped",
        "redacted",
        "secret_skipped",
        "tiers",
        "stable_prefix_tokens",
        "packed_files",
        "skipped_files",
        "instruction_tokens",
        "instructions",
        "instructions_left_out",
        "git",
    }
    text = out.read_text(encoding="utf-8")
    assert summary["tokens"] == tokens.count(text, "cl100k_base")
    assert (
        summary["files"] == 6 and summary["encoding"] == "cl100k_base" and summary["budget"] is None
    )
    assert summary["output"] == str(out)
    assert summary["tiers"] == {"full": 6, "skeleton": 0, "omitted": 0}
    assert summary["skipped"]["binary"] == 1
    assert summary["stable_prefix_tokens"] == summary["tokens"]  # no task: all of it is stable


def test_cli_default_output_is_not_packed_again(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(repo)]) == 0
    first = (repo / ".tome" / "pack.xml").read_text(encoding="utf-8")
    screen = capsys.readouterr().out
    assert "Packed 6 files" in screen and "Largest files" in screen and "binary: 1" in screen
    assert main(["pack", str(repo)]) == 0
    assert (repo / ".tome" / "pack.xml").read_text(encoding="utf-8") == first


def test_cli_stdout_output_and_markdown(repo: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "pack",
            str(repo),
            "--output",
            "-",
            "--format",
            "markdown",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert proc.stdout.startswith("# Repository: ")
    assert "```python\nimport os\n" in proc.stdout
    assert "Packed 6 files" in proc.stderr
    assert not (repo / ".tome").exists()


def test_cli_errors_are_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pack", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: error:") and "missing" in err


def test_pack_subfolder_of_a_repository(repo: Path) -> None:
    result = pack(repo / "src")
    assert [f.path for f in result.files] == ["app.py", "util.py"]
