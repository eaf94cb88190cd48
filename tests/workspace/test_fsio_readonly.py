"""A folder tome cannot write into is a FileSystemError that says what to do.

The tests run as root, for whom no permission bit stops a write, so the file system's
refusal (``EROFS``, what a read-only mount answers) is injected at the system call, for
paths in the test's repository only; everything above it is the real code.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from assistant import fsio
from assistant.cli import main
from assistant.errors import FileSystemError

REAL = (Path(__file__).resolve().parents[2] / "assistant" / "display.py").read_text("utf-8")


@pytest.fixture
def read_only(make_repo, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository on a file system that refuses every new file or folder in it."""
    root = make_repo({"display.py": REAL})
    real_mkdir, real_open = os.mkdir, os.open

    def refused(path: object, dir_fd: int | None) -> bool:
        where = os.readlink(f"/proc/self/fd/{dir_fd}") if dir_fd is not None else ""
        return str(root) in os.path.join(where, os.fspath(path))  # type: ignore[arg-type]

    def mkdir(path, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
        if refused(path, dir_fd):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_mkdir(path, mode, dir_fd=dir_fd)

    def open_(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
        if flags & os.O_CREAT and refused(path, dir_fd):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", mkdir)
    monkeypatch.setattr(os, "open", open_)
    return root


def test_a_write_into_a_read_only_folder_says_what_to_do(read_only: Path) -> None:
    target = read_only / "display.py"
    with pytest.raises(FileSystemError) as info:
        fsio.atomic_write(target, b"new\n", root=read_only)
    assert info.value.path == str(target)
    assert "read-only" in info.value.reason and "writable copy" in info.value.reason
    assert target.read_text("utf-8") == REAL  # nothing half-written


def test_pack_in_a_read_only_repository_is_one_line_of_advice(
    read_only: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["pack", str(read_only)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: error: cannot write the pack into ")
    assert "read-only" in err and "--output FILE" in err
    assert not (read_only / ".tome").exists()
