"""A journal under ``.tome/journal/`` replays only when this machine wrote it for this folder.

Each test builds the hostile repository on the fly: a committed (or planted) pending
journal whose entries leave the repository (``../x``, an absolute path), plant a git hook
or ask for setuid modes; then runs ``tome undo``, ``tome apply`` and ``tome ask --apply``
in it and checks that nothing outside changed, no hook appeared and a warning names it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant import worktree
from assistant.cli import main

pytestmark = [
    pytest.mark.filterwarnings("always:ignoring journal"),
    pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning"),
]

JID = "20260101T000000-000000000-abcdef"
HOOK = b'#!/bin/sh\ntouch "$HOME/pwned"\n'
REPLY = "a.py\n```python\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n```\n"
PATCH = "--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"


def _hostile(tmp_path: Path) -> tuple[dict[str, str | bytes], dict[str, Path]]:
    """The files of a repository that commits a pending journal, and the paths it aims at."""
    outside = {"rel": tmp_path / "x", "abs": tmp_path / "abs.txt", "victim": tmp_path / "victim"}
    outside["victim"].write_text("the user's file\n")
    sha = worktree.blob_sha(HOOK)
    entries = [
        {"path": "../x", "old": sha, "new": None, "mode": 0o6777},
        {"path": str(outside["abs"]), "old": sha, "new": None, "mode": 0o6777},
        {"path": "../victim", "old": None, "new": "0" * 40, "mode": None},
        {"path": ".git/hooks/pre-commit", "old": sha, "new": None, "mode": 0o6777},
        {"path": "a.py", "old": sha, "new": None, "mode": 0o6777},
    ]
    manifest = {"version": 1, "state": "pending", "created": 0.0, "files": entries,
                "dirs": ["..", "/tmp"]}  # fmt: skip
    files: dict[str, str | bytes] = {
        "a.py": "x = 1\n",
        f".tome/journal/{JID}/manifest.json": json.dumps(manifest),
        f".tome/journal/{JID}/blobs/{sha}": HOOK,
    }
    return files, outside


def _assert_untouched(root: Path, outside: dict[str, Path]) -> None:
    assert not outside["rel"].exists() and not outside["abs"].exists()
    assert outside["victim"].read_text() == "the user's file\n"
    assert not (root / ".git" / "hooks" / "pre-commit").exists()
    assert (root / f".tome/journal/{JID}/manifest.json").is_file()  # left, never deleted
    assert not stat.S_IMODE((root / "a.py").stat().st_mode) & 0o7000


def _warned(err: str) -> bool:
    return f"tome: warning: ignoring journal .tome/journal/{JID}: not written by tome" in err


def test_committed_journal_is_not_replayed_by_undo(make_repo, tmp_path, capsys) -> None:
    files, outside = _hostile(tmp_path)
    root = make_repo(files)
    assert main(["undo", "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert _warned(err) and "nothing to undo" in err
    _assert_untouched(root, outside)
    assert (root / "a.py").read_text() == "x = 1\n"


def test_committed_journal_is_not_replayed_by_apply(make_repo, tmp_path, capsys) -> None:
    files, outside = _hostile(tmp_path)
    root = make_repo(files)
    patch = tmp_path / "p.diff"
    patch.write_text(PATCH)
    assert main(["apply", str(patch), "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert _warned(err) and "committed" in err  # the apply refuses a tracked .tome
    _assert_untouched(root, outside)
    assert (root / "a.py").read_text() == "x = 1\n"
    assert main(["apply", "--check", str(patch), "-C", str(root)]) == 1  # --check agrees


def test_committed_journal_is_not_replayed_by_ask_apply(
    make_repo, tmp_path, capsys, fake_openai: FakeOpenAI
) -> None:
    files, outside = _hostile(tmp_path)
    root = make_repo(files)
    fake_openai.push(Reply(text=REPLY))
    code = main(["ask", "bump x", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply", "--yes"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "committed" in err
    _assert_untouched(root, outside)


def test_planted_untracked_journal_is_ignored_and_the_apply_goes_on(
    make_repo, tmp_path, capsys
) -> None:
    """A journal that came in an archive (not tracked): no MAC, so ignored, not deleted."""
    files, outside = _hostile(tmp_path)
    tracked = {k: v for k, v in files.items() if not k.startswith(".tome/")}
    planted = {k: v for k, v in files.items() if k.startswith(".tome/")}
    root = make_repo(tracked, untracked=planted)
    patch = tmp_path / "p.diff"
    patch.write_text(PATCH)
    assert main(["apply", str(patch), "-C", str(root)]) == 0
    assert _warned(capsys.readouterr().err)
    _assert_untouched(root, outside)
    assert (root / "a.py").read_text() == "x = 2\n"
    assert main(["undo", "-C", str(root)]) == 0  # undoes tome's own apply, not the planted one
    assert _warned(capsys.readouterr().err)
    assert (root / "a.py").read_text() == "x = 1\n"
    _assert_untouched(root, outside)
    with pytest.warns(UserWarning, match=f"ignoring journal .tome/journal/{JID}"):
        assert worktree.recover(root) == []


def test_a_signed_journal_with_hostile_entries_is_still_refused(make_repo, tmp_path) -> None:
    """Defence in depth: even with a good MAC, entries are confined and modes limited."""
    files, outside = _hostile(tmp_path)
    tracked = {k: v for k, v in files.items() if not k.startswith(".tome/")}
    root = make_repo(tracked, untracked={k: v for k, v in files.items() if "/blobs/" in k})
    real = Path(os.path.realpath(root))
    key = worktree._journal_key(create=True)
    assert key is not None
    for bad in ("../x", str(outside["abs"]), ".git/hooks/pre-commit", ".GIT./hooks/pre-commit"):
        manifest = json.loads(files[f".tome/journal/{JID}/manifest.json"])
        manifest.update(version=2, root=str(real),
                        files=[{**manifest["files"][0], "path": bad, "mode": 0o644}],
                        dirs=[])  # fmt: skip
        worktree._write_manifest(real, real / worktree.JOURNAL / JID, manifest, key)
        with pytest.warns(worktree.JournalIgnored, match=f"{JID}: entry refused"):
            assert worktree.recover(root) == []
    manifest.update(files=[{**manifest["files"][0], "path": "a.py", "mode": 0o6777}])
    worktree._write_manifest(real, real / worktree.JOURNAL / JID, manifest, key)
    with pytest.warns(worktree.JournalIgnored, match="0o777 at most"):
        assert worktree.undo(root) is None
    _assert_untouched(root, outside)


def test_a_journal_is_bound_to_its_repository(make_repo, capsys) -> None:
    one = make_repo({"a.py": "x = 1\n"})
    two = make_repo({"a.py": "x = 1\n"})
    worktree.apply_changes(one, {"a.py": "x = 2\n"})
    shutil.copytree(one / ".tome" / "journal", two / ".tome" / "journal")
    (two / "a.py").write_text("x = 2\n")
    with pytest.warns(worktree.JournalIgnored, match="not written by tome on this machine"):
        assert worktree.undo(two) is None
    assert (two / "a.py").read_text() == "x = 2\n"
    assert worktree.undo(one) is not None  # in its own folder it undoes
    assert (one / "a.py").read_text() == "x = 1\n"


def test_a_tampered_journal_is_not_replayed(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    done = worktree.apply_changes(root, {"a.py": "x = 2\n"})
    manifest = root / ".tome" / "journal" / str(done.journal) / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"a.py"', b'"../a"'))
    with pytest.warns(worktree.JournalIgnored, match="not written by tome on this machine"):
        assert worktree.undo(root) is None
    assert (root / "a.py").read_text() == "x = 2\n"


def test_linked_tome_folder_is_refused(make_repo, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_repo({"a.py": "x = 1\n"})
    (root / ".tome").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(Exception, match="symbolic link"):
        worktree.apply_changes(root, {"a.py": "x = 2\n"})
    assert list(elsewhere.iterdir()) == []
    assert (root / "a.py").read_text() == "x = 1\n"


def test_journal_copies_keep_the_mode_and_folders_are_private(make_repo) -> None:
    root = make_repo({"secret.txt": "s\n", "pub.txt": "p\n"})
    os.chmod(root / "secret.txt", 0o600)
    done = worktree.apply_changes(root, {"secret.txt": "S\n", "pub.txt": "P\n"})
    jdir = root / ".tome" / "journal" / str(done.journal)
    blob = jdir / "blobs" / worktree.blob_sha(b"s\n")
    assert stat.S_IMODE(blob.stat().st_mode) == 0o600
    for folder in (root / ".tome", root / ".tome" / "journal", jdir, jdir / "blobs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((jdir / "manifest.json").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "secret.txt").stat().st_mode) == 0o600


@pytest.mark.skipif(os.geteuid() != 0, reason="chown needs root")  # this machine runs as root
def test_apply_and_undo_keep_owner_and_group(make_repo) -> None:
    root = make_repo({"a.txt": "a\n", "b.txt": "b\n"})
    for name in ("a.txt", "b.txt"):
        os.chown(root / name, 1234, 2345)
    worktree.apply_changes(root, {"a.txt": "A\n", "b.txt": None})
    st = (root / "a.txt").stat()
    assert (st.st_uid, st.st_gid) == (1234, 2345)
    assert worktree.undo(root) is not None
    for name in ("a.txt", "b.txt"):
        st = (root / name).stat()
        assert (st.st_uid, st.st_gid) == (1234, 2345), name


def test_new_files_honour_the_umask(make_repo) -> None:
    root = make_repo({"a.txt": "a\n"})
    old = os.umask(0o027)
    try:
        worktree.apply_changes(root, {"new.txt": "n\n"})
    finally:
        os.umask(old)
    assert stat.S_IMODE((root / "new.txt").stat().st_mode) == 0o640


_CHILD = """
import sys
from pathlib import Path
from assistant import worktree
root = Path(sys.argv[1])
worktree.apply_changes(root, {f"f{i:03}.txt": "new %d\\n" % i * 2000 for i in range(40)})
"""


def test_kill_9_mid_apply_is_rolled_back_without_temp_files(make_repo) -> None:
    files = {f"f{i:03}.txt": f"old {i}\n" for i in range(40)}
    root = make_repo(files)
    before = {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}
    env = {**os.environ, "TOME_TEST_KILL_AT": "write:f020.txt"}
    # leave a temp file as a kill in the middle of a write would
    (root / ".f020.txt.0123456789ab.tome-tmp").write_text("half")
    done = subprocess.run([sys.executable, "-c", _CHILD, str(root)], env=env, check=False)
    assert done.returncode == -9
    assert (root / "f000.txt").read_text().startswith("new 0")  # it was half-way
    assert worktree.journals(root)[-1][1] == "pending"
    undone = worktree.recover(root)
    assert len(undone) == 1 and undone[0].recovered
    assert {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()} == before
    assert not list(root.rglob("*.tome-tmp"))


def test_planted_journal_is_ignored_by_ask_apply(
    make_repo, tmp_path, capsys, fake_openai: FakeOpenAI
) -> None:
    files, outside = _hostile(tmp_path)
    tracked = {k: v for k, v in files.items() if not k.startswith(".tome/")}
    root = make_repo(tracked, untracked={k: v for k, v in files.items() if k.startswith(".tome/")})
    fake_openai.push(Reply(text=REPLY))
    code = main(["ask", "bump x", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply", "--yes"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0 and _warned(err)
    _assert_untouched(root, outside)
    assert (root / "a.py").read_text() == "x = 2\n"
