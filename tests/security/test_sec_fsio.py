"""assistant.fsio, the filesystem edge: what a repository plants cannot steer a write.

Every case builds the hostile layout on disk (symlinks at the names tome will use, FIFOs,
devices, a parent swapped for a link mid-write) and checks the victim outside is untouched.
"""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant import fsio


@pytest.fixture
def names(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Make the temp names predictable: ``secrets.token_hex`` returns these, in order."""
    queue = ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"]
    monkeypatch.setattr(fsio.secrets, "token_hex", lambda n: queue.pop(0))
    yield queue


def _temp_name(target: str, token: str) -> str:
    return f".{target}.{token}{fsio.TEMP_SUFFIX}"


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir(exist_ok=True)
    victim.write_bytes(b"precious\n")
    return victim


def test_a_symlink_planted_at_the_temp_name_is_skipped(tmp_path: Path, names: list[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    victim = _victim(tmp_path)
    (root / _temp_name("out.txt", "aaaaaaaaaaaa")).symlink_to(victim)

    fsio.atomic_write(root / "out.txt", b"new", root=root)

    assert victim.read_bytes() == b"precious\n"
    assert (root / "out.txt").read_bytes() == b"new"
    assert names == ["cccccccccccc"]  # the planted name was passed over, the next one used
    assert (root / _temp_name("out.txt", "aaaaaaaaaaaa")).is_symlink()  # not ours to delete


def test_a_dangling_symlink_at_the_temp_name_creates_nothing(
    tmp_path: Path, names: list[str]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    target = tmp_path / "outside" / "created-by-the-link"
    target.parent.mkdir()
    (root / _temp_name("out.txt", "aaaaaaaaaaaa")).symlink_to(target)

    fsio.atomic_write(root / "out.txt", b"new")  # without root: the temp is still O_EXCL

    assert not target.exists()
    assert (root / "out.txt").read_bytes() == b"new"


def test_every_name_taken_is_an_error_not_a_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    victim = _victim(tmp_path)
    monkeypatch.setattr(fsio.secrets, "token_hex", lambda n: "aaaaaaaaaaaa")
    (root / _temp_name("out.txt", "aaaaaaaaaaaa")).symlink_to(victim)
    with pytest.raises(fsio.UnsafePath, match="every name tried exists"):
        fsio.atomic_write(root / "out.txt", b"new", root=root)
    assert victim.read_bytes() == b"precious\n"
    assert not (root / "out.txt").exists()


def test_a_fifo_the_user_names_gets_the_bytes_and_stays_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    fsio.atomic_write(fifo, b"through the pipe")
    reader.join(timeout=30)
    assert got == [b"through the pipe"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"]  # no temp file left


def test_dev_null_stays_a_character_device() -> None:
    before = os.lstat("/dev/null")
    fsio.atomic_write("/dev/null", b"discarded")
    after = os.lstat("/dev/null")
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_fifo_or_device_below_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    os.mkfifo(root / "pipe")
    with pytest.raises(fsio.UnsafePath, match="device, FIFO or socket"):
        fsio.atomic_write(root / "pipe", b"x", root=root)  # would block, or fill a disk
    (root / "null").symlink_to("/dev/null")
    with pytest.raises(fsio.UnsafePath, match="symbolic link"):
        fsio.atomic_write(root / "null", b"x", root=root)
    assert stat.S_ISFIFO(os.lstat(root / "pipe").st_mode)


def test_a_symlink_at_the_path_is_refused_below_root(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    victim = _victim(tmp_path)
    (root / "out.txt").symlink_to(victim)
    with pytest.raises(fsio.UnsafePath, match="symbolic link"):
        fsio.atomic_write(root / "out.txt", b"evil", root=root)
    assert victim.read_bytes() == b"precious\n"
    assert (root / "out.txt").is_symlink()


def test_the_users_own_symlink_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real" / "pack.xml"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "link.xml"
    link.symlink_to(target)
    fsio.atomic_write(link, b"new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"


def test_a_symlinked_parent_below_root_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "sub").symlink_to(outside)
    with pytest.raises(fsio.UnsafePath, match="symbolic link"):
        fsio.atomic_write(root / "sub" / "deeper" / "f.txt", b"x", root=root)
    assert list(outside.iterdir()) == []


def test_a_parent_swapped_for_a_symlink_during_the_write_is_not_followed(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    (root / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    with fsio.open_atomic(root / "sub" / "f.txt", root=root) as fh:
        fh.write(b"payload")
        # the attacker's move, after every check and before the rename
        (root / "sub").rename(root / "sub.real")
        (root / "sub").symlink_to(outside)
    assert list(outside.iterdir()) == []
    assert (root / "sub.real" / "f.txt").read_bytes() == b"payload"


def test_modes_are_permission_bits_only_and_a_replaced_file_keeps_its_own(
    tmp_path: Path,
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    fsio.atomic_write(root / "setuid", b"x", root=root, mode=0o6777)
    assert stat.S_IMODE(os.lstat(root / "setuid").st_mode) == 0o777
    private = root / "private"
    private.write_bytes(b"old")
    private.chmod(0o600)
    fsio.atomic_write(private, b"new", root=root)
    assert stat.S_IMODE(os.lstat(private).st_mode) == 0o600
    old_umask = os.umask(0o027)
    try:
        fsio.atomic_write(root / "fresh", b"x", root=root)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(os.lstat(root / "fresh").st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "f.txt").write_bytes(b"old")
    with pytest.raises(RuntimeError), fsio.open_atomic(root / "f.txt", root=root) as fh:
        fh.write(b"half")
        raise RuntimeError("interrupted")
    assert (root / "f.txt").read_bytes() == b"old"
    assert sorted(p.name for p in root.iterdir()) == ["f.txt"]


# -- the state folder ------------------------------------------------------------------------


def test_state_dir_is_created_0700(tmp_path: Path) -> None:
    folder = fsio.state_dir(tmp_path)
    assert folder == tmp_path / ".tome"
    assert stat.S_IMODE(os.lstat(folder).st_mode) == 0o700


def test_state_dir_tightens_an_open_folder(tmp_path: Path) -> None:
    (tmp_path / ".tome").mkdir()
    (tmp_path / ".tome").chmod(0o755)
    fsio.state_dir(tmp_path)
    assert stat.S_IMODE(os.lstat(tmp_path / ".tome").st_mode) == 0o700


def test_state_dir_refuses_a_symlink_and_a_file(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    outside.chmod(0o755)
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".tome").symlink_to(outside)
    with pytest.raises(fsio.UnsafePath, match="symbolic link"):
        fsio.state_dir(root)
    assert stat.S_IMODE(os.lstat(outside).st_mode) == 0o755  # not chmodded through the link
    (root / ".tome").unlink()
    (root / ".tome").write_text("x")
    with pytest.raises(fsio.UnsafePath, match="not a folder"):
        fsio.state_dir(root)


def test_state_dir_refuses_a_tracked_tome(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n", ".tome/journal/x/manifest.json": "{}"})
    with pytest.raises(fsio.UnsafePath, match="committed to this repository"):
        fsio.state_dir(root)
    # still in the index, gone from the work tree
    subprocess.run(["git", "rm", "-rq", ".tome"], cwd=root, check=True)
    subprocess.run(["git", "reset", "-q", "HEAD", "--", ".tome"], cwd=root, check=True)
    assert not (root / ".tome").exists()
    with pytest.raises(fsio.UnsafePath, match="tracked by git"):
        fsio.state_dir(root)
    assert not (root / ".tome").exists()
