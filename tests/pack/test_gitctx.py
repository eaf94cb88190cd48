"""Git sections of a pack: --diff, --since REF, --log N (after the files, counted, untrusted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from gitkit import git

from assistant import tokens
from assistant.cache import Cache
from assistant.cli import main
from assistant.errors import ConfigError, PackError
from assistant.packing import GitOptions, PackOptions, pack
from assistant.packing.render import git_sections, task_section

ENC = "cl100k_base"
STRIPE = "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"


def commit(root: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", message)


@pytest.fixture
def repo(make_repo) -> Path:
    root = make_repo({"a.py": "def a():\n    return 1\n", "b.py": "B = 2\n", "c.py": "C = 3\n"})
    git(root, "tag", "v1")
    commit(root, {"b.py": "B = 20\n"}, "b: twenty")
    commit(root, {"notes.txt": "only notes\n"}, "notes: not packed")
    (root / "a.py").write_text("def a():\n    return 2\n")  # unstaged
    (root / "c.py").write_text("C = 30\n")
    git(root, "add", "c.py")  # staged
    return root


def packed(root: Path, git_options: GitOptions | None = None, **kw: object):
    options = PackOptions(exclude=("notes.txt",), git=git_options or GitOptions())
    return pack(root, encoding=ENC, options=options, cache=Cache.disabled(), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("format", ["xml", "markdown"])
def test_git_sections_come_after_the_stable_part_and_are_counted(repo: Path, format: str) -> None:
    task = "Make a return 3"
    plain = packed(repo, task=task, format=format)
    full = packed(repo, GitOptions(diff=True, since="v1", log=5), task=task, format=format)
    stable = plain.text[: len(plain.text) - len(task_section(task, format))]  # type: ignore[arg-type]
    assert full.text.startswith(stable)  # the bytes before the git sections are the same
    assert full.text == stable + git_sections(full.git, format) + task_section(task, format)  # type: ignore[arg-type]
    assert full.stable_prefix_tokens == plain.stable_prefix_tokens
    assert full.tokens == tokens.count(full.text, ENC)
    assert full.git_tokens == tokens.count(git_sections(full.git, format), ENC) > 0  # type: ignore[arg-type]
    # --diff: staged and unstaged, against HEAD
    assert "-    return 1\n+    return 2" in full.git.diff and "-C = 3\n+C = 30" in full.git.diff
    assert "b.py" not in full.git.diff  # committed
    # --since v1: committed and uncommitted changes since the tag
    assert full.git.since_files == ("a.py", "b.py", "c.py")
    assert "+B = 20" in full.git.since_diff
    assert full.git.since_commit == git(repo, "rev-parse", "v1").strip()
    # --log: subjects of commits touching packed files only (notes.txt is excluded)
    assert [line.split(" ", 2)[2] for line in full.git.log] == ["b: twenty", "initial"]


def test_since_files_are_kept_whole_first_under_a_budget(make_repo) -> None:
    big = "x = 1\n" * 300
    root = make_repo({f"m{i}.py": big for i in range(6)})
    git(root, "tag", "base")
    commit(root, {"m5.py": big + "y = 2\n"}, "m5 grows")
    plain = pack(root, encoding=ENC, budget=1500, cache=Cache.disabled())
    assert {f.path: f.tier for f in plain.files}["m5.py"] != "full"
    since = pack(
        root,
        encoding=ENC,
        budget=3000,
        options=PackOptions(git=GitOptions(since="base")),
        cache=Cache.disabled(),
    )
    assert {f.path: f.tier for f in since.files}["m5.py"] == "full"
    assert since.tokens <= 3000 and since.tokens == tokens.count(since.text, ENC)


def test_secrets_in_diffs_and_subjects_are_redacted(make_repo) -> None:
    code = "import stripe\n\n\ndef charge(amount: int) -> str:\n    return stripe.pay(amount)\n"
    root = make_repo({"pay.py": code})
    commit(root, {"pay.py": code + "\n"}, f'set stripe.api_key = "{STRIPE}"')
    (root / "pay.py").write_text(code + f'stripe.api_key = "{STRIPE}"\n')
    result = packed(root, GitOptions(diff=True, since="HEAD~1", log=3))
    assert STRIPE not in result.text
    assert "[tome: redacted stripe-key secret" in result.git.diff
    assert "[tome: redacted stripe-key secret" in result.git.log[0]
    assert {r.path for r in result.redacted} == {"pay.py", "git diff", "git diff HEAD~1", "git log"}
    allowed = pack(
        root,
        encoding=ENC,
        options=PackOptions(allow_secrets=True, git=GitOptions(diff=True)),
        cache=Cache.disabled(),
    )
    assert STRIPE in allowed.git.diff


def test_a_file_left_out_is_not_shown_through_its_diff(make_repo) -> None:
    root = make_repo({"app.py": "x = 1\n", "deploy/kubeconfig": "kind: Config\n"})
    (root / "deploy/kubeconfig").write_text("kind: Config\ntoken: abc\n")
    (root / "app.py").write_text("x = 2\n")
    result = packed(root, GitOptions(diff=True))
    assert "+x = 2" in result.git.diff
    assert "kubeconfig" not in result.git.diff and "token: abc" not in result.text


def test_a_deleted_file_shows_in_the_diff(repo: Path) -> None:
    (repo / "b.py").unlink()
    result = packed(repo, GitOptions(diff=True))
    assert "deleted file mode" in result.git.diff and "-B = 20" in result.git.diff


def test_repository_textconv_and_external_diff_never_run(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n", ".gitattributes": "*.py diff=evil\n"})
    git(root, "config", "diff.evil.textconv", "touch pwned-textconv; cat")
    git(root, "config", "diff.external", "touch pwned-external")
    (root / "a.py").write_text("x = 2\n")
    result = packed(root, GitOptions(diff=True, since="HEAD", log=1))
    assert "+x = 2" in result.git.diff
    assert not (root / "pwned-textconv").exists() and not (root / "pwned-external").exists()


@pytest.mark.parametrize("ref", ["--output=pwned", "-p", "", "HEAD\n--output=x"])
def test_a_ref_that_git_would_read_as_an_option_is_refused(repo: Path, ref: str) -> None:
    with pytest.raises(ConfigError, match="--since needs a branch, tag or commit"):
        packed(repo, GitOptions(since=ref))
    assert not (repo / "pwned").exists()


def test_an_unknown_ref_says_so(repo: Path) -> None:
    with pytest.raises(ConfigError, match="no such branch, tag or commit"):
        packed(repo, GitOptions(since="no-such-branch"))


def test_outside_git_the_git_sections_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    with pytest.raises(PackError, match="not in a git repository"):
        packed(tmp_path, GitOptions(diff=True))


def test_the_git_sections_must_fit_the_budget(repo: Path) -> None:
    (repo / "a.py").write_text("def a():\n" + "    x = 1\n" * 400)
    with pytest.raises(PackError, match="git sections take"):
        pack(
            repo,
            encoding=ENC,
            budget=300,
            options=PackOptions(git=GitOptions(diff=True)),
            cache=Cache.disabled(),
        )


def test_markdown_fences_outlast_the_diff(make_repo) -> None:
    root = make_repo({"README.md": "text\n````\ncode\n````\n"})
    (root / "README.md").write_text("text\n````\ncode\n````\nmore\n")  # context: " ````"
    result = packed(root, GitOptions(diff=True), format="markdown")
    section = git_sections(result.git, "markdown")
    assert "`````diff\n" in section


def test_cli_pack_with_git_options(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = repo.parent / "out.xml"
    argv = ["pack", str(repo), "--output", str(out), "--encoding", ENC, "--exclude", "notes.txt"]
    assert main([*argv, "--json", "--diff", "--since", "v1", "--log", "2"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["git"]["since_files"] == ["a.py", "b.py", "c.py"]
    assert summary["git"]["diff"] is True and len(summary["git"]["log"]) == 2
    text = out.read_text()
    assert "<git-diff" in text and summary["tokens"] == tokens.count(text, ENC)
    assert main([*argv, "--diff"]) == 0
    assert "git: uncommitted diff" in capsys.readouterr().out
    # a second pack with the same options sees a new change (no stale reuse)
    (repo / "b.py").write_text("B = 200\n")
    assert main([*argv, "--diff"]) == 0
    assert "+B = 200" in out.read_text()
    assert main([*argv, "--since=--output=pwned"]) == 1
    assert "--since needs a branch, tag or commit" in capsys.readouterr().err
    assert main([*argv, "--log", "-1"]) != 0
    assert "--log needs a number" in capsys.readouterr().err


def test_the_library_and_ask_take_git_options(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import assistant

    result = assistant.pack(
        repo, encoding=ENC, options=assistant.PackOptions(git=assistant.GitOptions(log=1))
    )
    assert len(result.git.log) == 1
    # a follow-up packs what its conversation packed: git options are refused, in words
    assert main(["ask", "-C", str(repo), "--continue", "--git-diff", "more"]) == 2
    assert "--git-diff, --since and --log go with a new session" in capsys.readouterr().err


def test_session_plan_takes_git_options(repo: Path) -> None:
    from assistant import Assistant
    from assistant.errors import EditError

    session = Assistant.open(repo)
    plan = session.plan("Make a return 3", git=GitOptions(diff=True))
    assert "<git-diff" in plan.pack.text and plan.pack.text.rstrip().endswith("</task>")
    with pytest.raises(EditError, match="go with a new session"):
        session.plan("more", continue_from=1, git=GitOptions(diff=True))
