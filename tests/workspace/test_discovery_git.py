"""Discovery inside real git repositories: what git lists, ignore rules, shas, submodules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wsutil import git

from assistant import GitError, PackError
from assistant.workspace import DiscoverOptions, Workspace, discover


def paths(ws: Workspace) -> list[str]:
    return [f.path for f in ws.files]


def skips(ws: Workspace) -> dict[str, str]:
    return {s.path: s.reason for s in ws.skipped}


def test_tracked_and_untracked_not_ignored(make_repo) -> None:
    root = make_repo(
        {
            "a.py": "print('a')\n",
            "pkg/b.py": "b = 1\n",
            "gone.py": "x\n",
            ".gitignore": "*.out\nbuild-out/\n",
        },
        untracked={
            "new.py": "new\n",
            "debug.out": "ignored\n",
            "build-out/x.py": "ignored folder\n",
            "pkg/c.py": "c = 2\n",
        },
    )
    (root / "tracked.out").write_text("a tracked file stays even when an ignore rule matches\n")
    git(root, "add", "-f", "tracked.out")
    git(root, "commit", "-q", "-m", "force-add")
    (root / "gone.py").unlink()  # deleted in the working tree: silently absent
    (root / "a.py").write_text("print('modified')\n")

    ws = discover(root)

    assert ws.root == root.resolve()
    assert ws.repo_root == root.resolve()
    assert paths(ws) == [".gitignore", "a.py", "new.py", "pkg/b.py", "pkg/c.py", "tracked.out"]
    assert ws.skipped == []
    by_path = {f.path: f for f in ws.files}
    assert by_path["a.py"].text == "print('modified')\n"  # the working tree, not the index


def test_blob_sha_is_what_git_hash_object_prints(make_repo) -> None:
    files: dict[str, str | bytes] = {
        "plain.py": "x = 1\n",
        "crlf.txt": b"one\r\ntwo\r\n",
        "bom.txt": b"\xef\xbb\xbfhello\n",
        "empty.py": "",
        "unicode.md": "caf\u00e9 \u4e2d\u6587 \U0001f600\n",
    }
    root = make_repo(files, untracked={"untracked.py": "u = 1\n"})
    (root / "plain.py").write_text("x = 2  # modified after commit\n")
    ws = discover(root)
    assert len(ws.files) == 6
    for f in ws.files:
        assert f.blob_sha == git(root, "hash-object", "--no-filters", f.path).strip(), f.path
        assert f.size == (root / f.path).stat().st_size
    by_path = {f.path: f for f in ws.files}
    assert by_path["bom.txt"].text == "hello\n"  # BOM stripped from the text only
    assert by_path["bom.txt"].size == 9
    assert by_path["crlf.txt"].text == "one\r\ntwo\r\n"  # exact content


def test_nested_gitignore_info_exclude_and_tomeignore(make_repo) -> None:
    root = make_repo(
        {
            ".gitignore": "*.tmp\n",
            "src/.gitignore": "generated/\n!keep.tmp\n",
            "src/main.py": "m\n",
            ".tomeignore": "docs/drafts/\n/notes.md\n",
        },
        untracked={
            "a.tmp": "root ignore\n",
            "src/keep.tmp": "negated by the nested .gitignore\n",
            "src/generated/out.py": "nested ignore\n",
            "local.txt": "info/exclude\n",
            "docs/guide.md": "kept\n",
            "docs/drafts/wip.md": "tomeignore\n",
            "notes.md": "tomeignore, anchored\n",
            "src/notes.md": "anchored pattern does not reach here\n",
        },
    )
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("local.txt\n")

    ws = discover(root)

    assert paths(ws) == [
        ".gitignore",
        ".tomeignore",
        "docs/guide.md",
        "src/.gitignore",
        "src/keep.tmp",
        "src/main.py",
        "src/notes.md",
    ]
    assert ws.skipped == []  # ignore rules are the user's choice: nothing to report


def test_packing_a_subfolder_keeps_the_repository_rules(make_repo) -> None:
    root = make_repo(
        {
            ".gitignore": "*.log\n",
            ".tomeignore": "app/fixtures/\n",
            "app/main.py": "main\n",
            "app/fixtures/big.json": "{}\n",
            "other/x.py": "outside the packed folder\n",
        },
        untracked={
            "app/run.log": "ignored by the root .gitignore\n",
            "app/new.py": "new\n",
            "app/.tomeignore": "*.txt\n",
            "app/readme.txt": "ignored by the folder's .tomeignore\n",
        },
    )
    (root / ".git" / "info" / "exclude").write_text("app/local/\n")
    (root / "app" / "local").mkdir()
    (root / "app" / "local" / "mine.py").write_text("excluded by info/exclude\n")

    ws = discover(root / "app")

    assert ws.root == (root / "app").resolve()
    assert ws.repo_root == root.resolve()
    assert paths(ws) == [".tomeignore", "main.py", "new.py"]


def test_use_gitignore_false_lists_ignored_files(make_repo) -> None:
    root = make_repo({".gitignore": "*.out\n", "a.py": "a\n"}, untracked={"x.out": "x\n"})
    assert "x.out" not in paths(discover(root))
    assert "x.out" in paths(discover(root, DiscoverOptions(use_gitignore=False)))


def _submodule_repo(make_repo) -> Path:
    lib = make_repo({"lib.py": "def f(): ...\n", "sub/deep.py": "d\n"}, name="lib")
    root = make_repo({"main.py": "import lib\n"}, name="main")
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(lib), "vendored")
    git(root, "commit", "-q", "-m", "add submodule")
    return root


def test_submodules_are_listed_not_descended(make_repo) -> None:
    root = _submodule_repo(make_repo)
    ws = discover(root)
    assert paths(ws) == [".gitmodules", "main.py"]
    assert skips(ws) == {"vendored/": "submodule"}
    assert "not descended" in ws.skipped[0].detail


def test_excluded_submodules_are_not_reported(make_repo) -> None:
    root = _submodule_repo(make_repo)
    assert skips(discover(root, DiscoverOptions(exclude=("vendored/",)))) == {}
    (root / ".tomeignore").write_text("/vendored\n")
    assert skips(discover(root)) == {}


def test_submodules_are_descended_when_asked(make_repo) -> None:
    root = _submodule_repo(make_repo)
    (root / "vendored" / "untracked.py").write_text("u\n")
    ws = discover(root, DiscoverOptions(submodules=True))
    assert paths(ws) == [
        ".gitmodules",
        "main.py",
        "vendored/lib.py",
        "vendored/sub/deep.py",
        "vendored/untracked.py",
    ]
    assert ws.skipped == []
    for f in ws.files:
        assert (
            f.blob_sha == git(root / Path(f.path).parent, "hash-object", Path(f.path).name).strip()
        )


def test_submodule_not_checked_out_is_reported(make_repo) -> None:
    root = _submodule_repo(make_repo)
    git(root, "submodule", "deinit", "-q", "--force", "vendored")
    ws = discover(root, DiscoverOptions(submodules=True))
    assert skips(ws) == {"vendored/": "submodule"}
    assert "not checked out" in ws.skipped[0].detail


def test_untracked_nested_repository_is_listed_like_a_submodule(make_repo) -> None:
    root = make_repo({"a.py": "a\n"})
    nested = make_repo({"n.py": "n\n"}, name="tmp-nested")
    nested.rename(root / "nested")
    assert skips(discover(root)) == {"nested/": "submodule"}
    ws = discover(root, DiscoverOptions(submodules=True))
    assert paths(ws) == ["a.py", "nested/n.py"]


def test_symlinks_are_never_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("private\n")
    root = make_repo({"a.py": "a\n", "dir/b.py": "b\n"})
    os.symlink(outside, root / "out.txt")
    os.symlink("a.py", root / "same.py")
    os.symlink("dir", root / "dirlink")
    os.symlink("missing.py", root / "dangling.py")
    os.symlink("..", root / "dir" / "loop")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "links")

    ws = discover(root)

    assert paths(ws) == ["a.py", "dir/b.py"]
    assert skips(ws) == {
        "dangling.py": "symlink-broken",
        "dir/loop": "symlink-inside",  # to the root itself: a loop, never entered
        "dirlink": "symlink-inside",
        "out.txt": "symlink-outside",
        "same.py": "symlink-inside",
    }
    assert all("private" not in s.detail for s in ws.skipped)


def test_a_path_that_is_not_a_folder_is_an_actionable_error(make_repo, tmp_path: Path) -> None:
    with pytest.raises(PackError, match="no such folder"):
        discover(tmp_path / "nope")
    root = make_repo({"a.py": "a\n"})
    with pytest.raises(PackError, match="not a folder") as info:
        discover(root / "a.py")
    assert "--include 'a.py'" in str(info.value)


def test_git_failures_become_git_error(make_repo) -> None:
    root = make_repo({"a.py": "a\n"})
    (root / ".git" / "index").write_bytes(b"not an index")
    with pytest.raises(GitError, match="ls-files"):
        discover(root)


def test_unusual_names_and_a_repository_without_commits(make_repo) -> None:
    names = ["with space.py", "tab\there.py", "caf\u00e9/\u4e2d\u6587.md", "-dash.py", "#hash.txt"]
    root = make_repo({}, untracked={name: f"{i}\n" for i, name in enumerate(names)})
    ws = discover(root)
    assert paths(ws) == sorted(names)
    git(root, "add", "-A")
    assert paths(discover(root)) == sorted(names)  # now in the index, still no commit
