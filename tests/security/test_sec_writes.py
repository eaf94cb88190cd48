"""Writes a repository can steer: the pack output, the history database, git's exclude file.

Each hostile repository is built on the fly; each test fails on the code before fsio was
used by these writers (planted temp-name symlinks overwrote the victim, ``--output`` onto a
device replaced it, a linked ``history.db`` turned its target into SQLite).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from greetkit import RENAME

from assistant import repo, workspace
from assistant.cli import main
from assistant.store import Store

FILES = {"app.py": "def greet(name):\n    return 'hi ' + name\n", "README.md": "# demo\n"}
PRECIOUS = b"precious: must never change\n"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "victim" / "bashrc"
    victim.parent.mkdir(exist_ok=True)
    victim.write_bytes(PRECIOUS)
    return victim


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _plant_temp_links(folder: Path, victim: Path) -> None:
    """Symlinks at the temp names ``tome pack`` used: ``.pack.xml.<pid>.tmp``, every pid
    around this one (the test runs tome in this process)."""
    folder.mkdir(exist_ok=True)
    for pid in range(max(1, os.getpid() - 50), os.getpid() + 50):
        (folder / f".pack.xml.{pid}.tmp").symlink_to(os.path.relpath(victim, folder))


def _null_device(tmp_path: Path) -> Path:
    """A character device like /dev/null (1, 3) of the test's own: the code before the fix
    would replace it, and must not replace the machine's. /dev/null where mknod is denied."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        return Path("/dev/null")
    return node


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as settled, so an unchanged output can be reused at once (the real
    rule: unchanged for two seconds)."""
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))


# -- tome pack: temp names and the state folder -------------------------------------------


def test_pack_ignores_symlinks_planted_at_its_temp_names(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    root = make_repo(FILES)
    _plant_temp_links(root / ".tome", victim)  # e.g. unpacked from an archive, untracked

    assert main(["pack", str(root)]) == 0

    assert victim.read_bytes() == PRECIOUS
    out = root / ".tome" / "pack.xml"
    assert not out.is_symlink() and "def greet" in out.read_text()
    assert stat.S_IMODE(os.lstat(root / ".tome").st_mode) == 0o700


def test_pack_refuses_a_committed_tome_folder(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    root = make_repo(FILES)
    _plant_temp_links(root / ".tome", victim)
    _git(root, "add", ".tome")
    _git(root, "commit", "-qm", "bring a .tome")

    assert main(["pack", str(root)]) == 1

    err = capsys.readouterr().err
    assert "tome: error:" in err and "committed to this repository" in err
    assert victim.read_bytes() == PRECIOUS
    assert not (root / ".tome" / "pack.xml").exists()


def test_pack_refuses_a_symlinked_tome_folder(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_repo(FILES)
    (root / ".tome").symlink_to(elsewhere)

    assert main(["pack", str(root)]) == 1

    assert "symbolic link" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_a_symlink_at_the_default_output_is_refused(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    root = make_repo(FILES)
    (root / ".tome").mkdir()
    (root / ".tome" / "pack.xml").symlink_to(victim)
    assert main(["pack", str(root)]) == 1
    assert "symbolic link" in capsys.readouterr().err
    assert victim.read_bytes() == PRECIOUS


def test_pack_of_a_missing_folder_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(tmp_path / "missing")]) == 1
    assert capsys.readouterr().err.startswith("tome: error:")
    assert repo.work_tree_of(tmp_path / "missing") is None
    (tmp_path / "file").write_text("x")
    assert repo.work_tree_of(tmp_path / "file") is None


def test_the_default_output_is_at_the_repository_root(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({**FILES, "pkg/mod.py": "x = 1\n"})
    assert main(["pack", str(root / "pkg")]) == 0
    assert (root / ".tome" / "pack.xml").is_file()
    assert not (root / "pkg" / ".tome").exists()
    assert ".tome/" in (root / ".git" / "info" / "exclude").read_text().splitlines()


# -- tome pack --output -----------------------------------------------------------------------


def test_output_onto_a_device_writes_into_it(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], settled: None
) -> None:
    root = make_repo(FILES)
    null = _null_device(tmp_path)
    before = os.lstat(null)
    for _ in range(2):  # the second run must write again, not "already holds it"
        assert main(["pack", str(root), "--output", str(null)]) == 0
        after = os.lstat(null)
        assert stat.S_ISCHR(after.st_mode)
        assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    assert "already holds it" not in capsys.readouterr().out
    assert [p.name for p in null.parent.iterdir() if "pack" in p.name] == []


def test_output_onto_a_fifo_gives_the_reader_the_pack(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], settled: None
) -> None:
    root = make_repo(FILES)
    fifo = tmp_path / "pack.fifo"
    os.mkfifo(fifo)
    for _ in range(2):  # a reader waits each time: never skipped as "unchanged"
        got: list[bytes] = []
        reader = threading.Thread(
            target=lambda: got.append(fifo.read_bytes()),  # noqa: B023
            daemon=True,  # the code before the fix renamed over the FIFO: it never ends
        )
        reader.start()
        assert main(["pack", str(root), "--output", str(fifo)]) == 0
        reader.join(timeout=30)
        assert len(got) == 1 and b"def greet" in got[0]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_symlinked_output_inside_the_repository_is_refused(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = _victim(tmp_path)
    root = make_repo(FILES)
    (root / "out.xml").symlink_to(os.path.relpath(victim, root))
    (root / "docs").symlink_to(os.path.relpath(victim.parent, root))
    _git(root, "add", "out.xml", "docs")
    _git(root, "commit", "-qm", "links")

    for output in ("out.xml", "docs/bashrc", "docs/new.xml"):
        assert main(["pack", str(root), "--output", str(root / output)]) == 1
        err = capsys.readouterr().err
        assert "tome: error: cannot write the pack" in err and "symbolic link" in err
    assert victim.read_bytes() == PRECIOUS
    assert sorted(p.name for p in victim.parent.iterdir()) == ["bashrc"]
    assert (root / "out.xml").is_symlink()


def test_a_symlinked_output_outside_the_repository_writes_its_target(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str], settled: None
) -> None:
    root = make_repo(FILES)
    target = tmp_path / "packs" / "latest.xml"
    target.parent.mkdir()
    target.write_text("old pack")
    target.chmod(0o600)
    link = tmp_path / "pack-link.xml"
    link.symlink_to(target)

    assert main(["pack", str(root), "--output", str(link)]) == 0

    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "def greet" in target.read_text()
    assert stat.S_IMODE(os.lstat(target).st_mode) == 0o600
    # and the unchanged output is still left alone on the next run
    written = os.stat(target)
    assert main(["pack", str(root), "--output", str(link)]) == 0
    assert "already holds it" in capsys.readouterr().out
    assert os.stat(target).st_mtime_ns == written.st_mtime_ns


# -- the history database -------------------------------------------------------------------


def _begin(store: Store) -> int:
    return store.begin(task="t", backend="b", model="m", encoding="e", budget=None, tokens=1,
                       paths=None, edit_format="diff", manifest=[])  # fmt: skip


@pytest.mark.parametrize("name", ["history.db", "history.db-wal", "history.db-shm"])
def test_a_symlinked_history_database_is_refused(make_repo, tmp_path: Path, name: str) -> None:
    victim = tmp_path / "victim" / "notes.txt"  # empty: SQLite would make it a database
    victim.parent.mkdir()
    victim.write_bytes(b"")
    root = make_repo(FILES)
    (root / ".tome").mkdir()
    (root / ".tome" / name).symlink_to(victim)

    with pytest.raises(Exception, match="symbolic link") as caught:
        _begin(Store.for_root(root))

    assert type(caught.value).__module__.startswith("assistant")
    assert victim.read_bytes() == b""
    assert sorted(p.name for p in victim.parent.iterdir()) == ["notes.txt"]


def test_a_hard_linked_history_database_is_refused(make_repo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()
    (root / ".tome").mkdir()
    os.link(other, root / ".tome" / "history.db")
    with pytest.raises(Exception, match="hard link"):
        _begin(Store.for_root(root))
    assert other.stat().st_size == 0


def test_history_refuses_a_symlinked_or_committed_tome(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = make_repo(FILES)
    (root / ".tome").symlink_to(elsewhere)
    with pytest.raises(Exception, match="symbolic link"):
        _begin(Store.for_root(root))
    assert list(elsewhere.iterdir()) == []

    committed = make_repo({**FILES, ".tome/history.db": b""})
    with pytest.raises(Exception, match="committed to this repository"):
        _begin(Store.for_root(committed))
    assert (committed / ".tome" / "history.db").read_bytes() == b""


def test_a_plain_history_database_still_works(make_repo) -> None:
    root = make_repo(FILES)
    store = Store.for_root(root)
    first = _begin(store)
    assert _begin(Store.for_root(root)) == first + 1
    assert stat.S_IMODE(os.lstat(root / ".tome").st_mode) == 0o700
    assert ".tome/" in (root / ".git" / "info" / "exclude").read_text().splitlines()


# -- .git/info/exclude ------------------------------------------------------------------------


def test_exclude_is_written_once_into_a_real_git_folder(make_repo) -> None:
    root = make_repo(FILES)
    exclude = root / ".git" / "info" / "exclude"
    exclude.write_text("# mine\n*.log")  # no final newline
    assert repo.exclude_state_dir(root)
    assert repo.exclude_state_dir(root)
    assert exclude.read_text() == "# mine\n*.log\n.tome/\n"


def test_exclude_never_writes_through_a_link(make_repo, tmp_path: Path) -> None:
    victim = _victim(tmp_path)
    root = make_repo(FILES)
    info = root / ".git" / "info"
    (info / "exclude").unlink()
    (info / "exclude").symlink_to(victim)
    assert not repo.exclude_state_dir(root)
    assert victim.read_bytes() == PRECIOUS

    (info / "exclude").unlink()
    info.rmdir()
    info.symlink_to(victim.parent)
    assert not repo.exclude_state_dir(root)
    assert sorted(p.name for p in victim.parent.iterdir()) == ["bashrc"]


def test_exclude_skips_a_git_file_that_points_elsewhere(make_repo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    (root / ".git").rename(root / "evil")
    (root / ".git").write_text("gitdir: ./evil\n")
    before = (root / "evil" / "info" / "exclude").read_bytes()
    assert not repo.exclude_state_dir(root)
    assert (root / "evil" / "info" / "exclude").read_bytes() == before


def test_exclude_of_a_linked_work_tree_goes_to_its_main_repository(
    make_repo, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    linked = tmp_path / "linked"
    _git(root, "worktree", "add", "-q", str(linked))
    assert repo.exclude_state_dir(linked)
    assert ".tome/" in (root / ".git" / "info" / "exclude").read_text().splitlines()


# -- git runs nothing the repository's config names -------------------------------------------

APP = "def greet(name):\n    return 'hi ' + name\n"
ANSWER = RENAME  # greetkit's block, on this file's own APP


def _hostile_git_dir(make_repo, tmp_path: Path, *, attributes: str = "") -> tuple[Path, Path]:
    """A work tree whose ``.git`` is a file (``gitdir: ./evil``) pointing at a git folder the
    repository brings: its config names a command for the file-system monitor, a clean
    filter and commit signing, and every hook is that command. The marker file it appends
    to is the evidence."""
    files = {"app.py": APP, "README.md": "# demo\n"}
    if attributes:
        files[".gitattributes"] = attributes
    root = make_repo(files)
    marker = tmp_path / "pwned"
    command = tmp_path / "payload.sh"
    command.write_text(f'#!/bin/sh\necho "$0 $*" >> {marker}\ncat\n')
    command.chmod(0o755)
    (root / ".git").rename(root / "evil")
    (root / ".git").write_text("gitdir: ./evil\n")
    config = root / "evil" / "config"
    for key, value in [
        ("core.fsmonitor", str(command)),
        ("filter.evil.clean", str(command)),
        ("filter.evil.smudge", str(command)),
        ("commit.gpgSign", "true"),
        ("gpg.program", str(command)),
    ]:
        _git(root, "config", "--file", str(config), key, value)
    hooks = root / "evil" / "hooks"
    for hook in ("reference-transaction", "pre-commit", "commit-msg", "post-commit",
                 "post-index-change", "post-checkout"):  # fmt: skip
        (hooks / hook).write_text(command.read_text())
        (hooks / hook).chmod(0o755)
    return root, marker


def _ran(marker: Path) -> str:
    return marker.read_text() if marker.exists() else ""


def test_pack_runs_no_command_from_a_repository_git_config(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, marker = _hostile_git_dir(make_repo, tmp_path, attributes="*.py filter=evil\n")
    _git(root, "status")  # the layout is live: git itself runs the monitor here
    assert "payload" in _ran(marker)
    marker.unlink()

    assert main(["pack", str(root), "--output", str(tmp_path / "pack.xml")]) == 0
    assert main(["pack", str(root)]) == 0

    assert "def greet" in (tmp_path / "pack.xml").read_text()
    assert _ran(marker) == ""


# the generic backend counts with o200k_base, which this machine lacks offline (documented fallback)
@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
def test_ask_apply_commit_runs_no_command_from_a_repository_git_config(
    make_repo, tmp_path: Path, fake_openai, capsys: pytest.CaptureFixture[str]
) -> None:
    from fakeopenai import Reply

    root, marker = _hostile_git_dir(make_repo, tmp_path, attributes="*.md filter=evil\n")
    fake_openai.push(Reply(text=ANSWER))
    code = main(["ask", "rename greet", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply", "--yes", "--commit"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    assert "committed" in err
    assert _ran(marker) == ""  # no monitor, no hook, no filter, no signing program
    show = subprocess.run(["git", "log", "-1", "--format=%s%n%G?", "--name-only"], cwd=root,
                          capture_output=True, text=True, check=True,
                          env={**os.environ, "GIT_CONFIG_COUNT": "1",
                               "GIT_CONFIG_KEY_0": "core.fsmonitor",
                               "GIT_CONFIG_VALUE_0": "false"}).stdout  # fmt: skip
    assert show.splitlines()[:2] == ["tome: rename greet", "N"]  # committed, not signed
    assert "app.py" in show


def test_a_commit_through_a_filter_only_the_repository_defines_is_refused(
    make_repo, tmp_path: Path
) -> None:
    root, marker = _hostile_git_dir(make_repo, tmp_path, attributes="*.py filter=evil\n")
    (root / "app.py").write_text(APP.replace("greet", "welcome"))
    with pytest.raises(repo.GitError, match="filter 'evil' is defined only by this repository"):
        repo.commit_paths(root, ["app.py"], "rename")
    assert _ran(marker) == ""


def test_the_users_own_filter_and_signing_settings_still_apply(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the user's global config (trusted) defines the filter; the repository maps paths to it
    root = make_repo({"app.py": APP, ".gitattributes": "*.py filter=upper\n"})
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "filter.upper.clean")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "tr a-z A-Z")
    _git(root, "config", "filter.upper.clean", "cat")  # the repository's try to override
    (root / "app.py").write_text("def welcome(): pass\n")
    made = repo.commit_paths(root, ["app.py"], "upper")
    blob = subprocess.run(["git", "show", f"{made.sha}:app.py"], cwd=root, capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert blob == "DEF WELCOME(): PASS\n"
