"""The filesystem edge: every file tome writes goes through here.

A repository is untrusted input, so a write must not be steerable by what the repository
holds: a committed symlink at the name tome is about to use, a directory swapped for a
symlink between the check and the write, a device node or FIFO where an output goes.

- **Temp files** are created with ``O_CREAT | O_EXCL | O_NOFOLLOW``: a name that already
  exists (a planted symlink included) is never opened; another random name is tried.
- **Parents are walked, not resolved.** With ``root`` given, the path below it is opened one
  directory at a time with ``O_DIRECTORY | O_NOFOLLOW`` relative to the directory before
  (``dir_fd``), the temp file is created in the last one and renamed there: a symlink
  anywhere below ``root``, or one swapped in while tome works, makes the write fail
  instead of landing outside. ``root`` itself is trusted (the caller resolved it).
- **Special files** (character and block devices, FIFOs, sockets) the user names are
  written by opening them, never by renaming over them: ``--output /dev/null`` stays a
  device. Below ``root`` a special file is refused like a symlink: the repository put it
  there, and writing into a FIFO blocks, into a disk's device node destroys it.
- **Links the user names.** Without ``root`` the caller chose the path (``--output``): a
  symlink there is followed, as the shell's ``>`` would, and its target replaced; the link
  stays a link.
- **Modes.** A new file gets ``0o666`` less the umask, as ``open()`` would; a replaced file
  keeps its permission bits (a 0600 output stays 0600); an explicit ``mode`` is limited to
  the permission bits (no setuid, setgid or sticky bit, whatever a journal or a repository
  says). ``owner`` keeps a replaced file's owner and group when tome runs as root.
- **Durability** is the caller's choice: ``durable=True`` fsyncs the file before the rename
  and the directory after it (the working tree and the journal); caches and the pack
  output skip both (a crash loses a cache entry, never a half-written file); a
  :mod:`~assistant.barrier` defers both.

:func:`state_dir` is the one place that decides whether ``<root>/.tome`` may be used.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .barrier import Barrier
from .errors import AssistantError, FileSystemError, NotRegularFile, UnsafePath

__all__ = [
    "PERMISSION_BITS",
    "TEMP_SUFFIX",
    "Barrier",
    "FileSystemError",
    "NotRegularFile",
    "UnsafePath",
    "atomic_write",
    "open_atomic",
    "open_parent",
    "read_regular",
    "state_dir",
]

PERMISSION_BITS = 0o777
TEMP_SUFFIX = ".tome-tmp"
STATE_DIR = ".tome"

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FLAGS = os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC
_NEW_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC


def _os_failure(path: str | Path, exc: OSError, doing: str) -> FileSystemError:
    """An ``OSError`` as a :class:`FileSystemError` that says what to do about it."""
    if exc.errno in (errno.EACCES, errno.EPERM):
        advice = "permission denied; make it writable for you, or work in a copy you own"
    elif exc.errno == errno.EROFS:
        advice = "the file system is read-only; work in a writable copy of the repository"
    elif exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        advice = "no space left on the device; free some space and try again"
    else:
        advice = exc.strerror or str(exc)
    return FileSystemError(path, f"cannot {doing}: {advice}")


# -- reading -------------------------------------------------------------------------------


def read_regular(path: str | Path, *, limit: int, follow_symlinks: bool = False) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    What a repository names may be a link, a FIFO (opening or reading it would block), a
    device (``/dev/zero`` never ends) or huge: opened with ``O_NONBLOCK`` (and
    ``O_NOFOLLOW`` unless ``follow_symlinks``), checked with ``fstat``, read to ``limit``.
    Raises :class:`NotRegularFile` for those, ``OSError`` (``FileNotFoundError`` ...) when
    it cannot be opened at all.
    """
    flags = os.O_RDONLY | _NONBLOCK | _CLOEXEC | (0 if follow_symlinks else _NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        looped = exc.errno in (errno.ELOOP, errno.EMLINK)  # O_NOFOLLOW met a link
        if looped and not follow_symlinks and os.path.islink(path):
            raise NotRegularFile(path, "link") from exc
        raise
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise NotRegularFile(path, "folder")
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(path, "special")
        if st.st_size > limit:
            raise NotRegularFile(path, "large")
        chunks: list[bytes] = []
        total = 0
        while total <= limit and (chunk := os.read(fd, min(limit + 1 - total, 1 << 16))):
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    if total > limit:  # it grew while being read
        raise NotRegularFile(path, "large")
    return b"".join(chunks)


# -- directories ---------------------------------------------------------------------------


@contextlib.contextmanager
def open_parent(
    path: Path, *, root: Path | None = None, create: bool = True, dir_mode: int = 0o777
) -> Iterator[int]:
    """A file descriptor of ``path``'s parent directory, held open while the caller writes.

    With ``root``, every directory between ``root`` and ``path`` is opened without following
    symlinks (created with ``dir_mode`` less the umask when missing and ``create``).
    Without it, the parent is opened as the system resolves it (the caller chose it).
    """
    path = Path(path)
    if root is None:
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise _os_failure(path.parent, exc, "create the folder") from exc
        fd = _open_dir(path.parent, str(path.parent), follow=True)
        try:
            yield fd
        finally:
            os.close(fd)
        return
    root = Path(root)
    try:
        parts = path.relative_to(root).parts[:-1]
    except ValueError:
        raise UnsafePath(path, f"is not inside {root}") from None
    fd = _open_dir(root, str(root), follow=True)
    try:
        walked = root
        for part in parts:
            walked = walked / part
            if part in ("", ".", ".."):
                raise UnsafePath(path, f"{part!r} is not a folder name")
            try:
                child = os.open(part, _DIR_FLAGS, dir_fd=fd)
            except FileNotFoundError:
                if not create:
                    raise
                try:
                    os.mkdir(part, dir_mode, dir_fd=fd)
                except FileExistsError:  # made by another process meanwhile
                    pass
                except OSError as exc:
                    raise _os_failure(walked, exc, "create the folder") from exc
                child = _open_child_dir(fd, part, walked)
            except OSError as exc:
                raise _dir_error(walked, exc) from exc
            os.close(fd)
            fd = child
        yield fd
    finally:
        os.close(fd)


def _open_child_dir(fd: int, name: str, shown: Path) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=fd)
    except OSError as exc:
        raise _dir_error(shown, exc) from exc


def _open_dir(path: Path, shown: str, *, follow: bool) -> int:
    flags = os.O_RDONLY | _DIRECTORY | _CLOEXEC | (0 if follow else _NOFOLLOW)
    try:
        return os.open(path, flags)
    except OSError as exc:
        raise _dir_error(Path(shown), exc) from exc


def _dir_error(path: Path, exc: OSError) -> AssistantError:
    if exc.errno in (errno.ELOOP, errno.EMLINK) or (
        exc.errno == errno.ENOTDIR and os.path.islink(path)
    ):
        return UnsafePath(path, "is a symbolic link; tome does not write through links here")
    if exc.errno == errno.ENOTDIR:
        return UnsafePath(path, "is a file, not a folder")
    if exc.errno == errno.ENAMETOOLONG:
        return UnsafePath(path, "the name is too long for this file system")
    return _os_failure(path, exc, "open the folder")


# -- files ---------------------------------------------------------------------------------


@contextlib.contextmanager
def open_atomic(
    path: str | Path,
    *,
    root: Path | None = None,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    durable: bool | Barrier = False,
    dir_mode: int = 0o777,
) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` whole when the block ends, or not at all.

    With ``root``, a symlink or a special file at ``path`` is refused (:class:`UnsafePath`).
    Without ``root`` the caller chose the path (``--output`` is the user's choice): a
    special file there (a device, a FIFO) is opened and written in place, and a symlink is
    followed to its target, which is replaced (the link stays).
    """
    path = Path(path)
    if root is None:
        path = Path(os.path.realpath(path))  # the user's link: write where it points
    name = path.name
    with open_parent(path, root=root, dir_mode=dir_mode) as dfd:
        existing = _lstat(name, dfd)
        if existing is not None and root is not None:
            if stat.S_ISLNK(existing.st_mode):
                raise UnsafePath(path, "is a symbolic link; tome does not write through links here")
            if _is_special(existing.st_mode):
                raise UnsafePath(
                    path, "is a device, FIFO or socket, not a file; tome does not write into it"
                )
        if existing is not None and _is_special(existing.st_mode):
            with _open_special(name, dfd, path) as fh:
                yield fh
            return
        if existing is not None and stat.S_ISDIR(existing.st_mode):
            raise UnsafePath(path, "is a folder, not a file")
        if mode is None and existing is not None and stat.S_ISREG(existing.st_mode):
            mode = existing.st_mode  # replacing a file keeps its permissions
        tmp, fd = _create_temp(name, dfd, path)
        try:
            if mode is not None:
                os.fchmod(fd, mode & PERMISSION_BITS)
            if owner is not None and hasattr(os, "fchown") and os.geteuid() == 0:
                os.fchown(fd, *owner)
            with os.fdopen(fd, "wb", closefd=False) as fh:
                yield fh
                fh.flush()
                if isinstance(durable, Barrier):
                    durable.hold(fd, path)
                elif durable:
                    os.fsync(fd)
            os.close(fd)
            fd = -1
            os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException as exc:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp, dir_fd=dfd)
            if isinstance(exc, OSError):
                raise _os_failure(path, exc, "write it") from exc
            raise
        if isinstance(durable, Barrier):
            durable.hold(dfd, path.parent, folder=True)
        elif durable:
            try:
                os.fsync(dfd)
            except OSError as exc:
                raise _os_failure(path.parent, exc, "save the folder to disk") from exc


def atomic_write(
    path: str | Path,
    data: bytes,
    *,
    root: Path | None = None,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    durable: bool | Barrier = False,
    dir_mode: int = 0o777,
) -> None:
    """Write ``data`` to ``path`` whole (see :func:`open_atomic`)."""
    with open_atomic(
        path, root=root, mode=mode, owner=owner, durable=durable, dir_mode=dir_mode
    ) as fh:
        fh.write(data)


def _lstat(name: str, dfd: int) -> os.stat_result | None:
    try:
        return os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return None


def _is_special(st_mode: int) -> bool:
    return (
        stat.S_ISCHR(st_mode)
        or stat.S_ISBLK(st_mode)
        or stat.S_ISFIFO(st_mode)
        or stat.S_ISSOCK(st_mode)
    )


@contextlib.contextmanager
def _open_special(name: str, dfd: int, shown: Path) -> Iterator[BinaryIO]:
    try:
        fd = os.open(name, os.O_WRONLY | _NOFOLLOW | _CLOEXEC, dir_fd=dfd)
    except OSError as exc:
        raise UnsafePath(shown, f"cannot open it for writing: {exc.strerror}") from exc
    with os.fdopen(fd, "wb") as fh:
        yield fh


def _create_temp(name: str, dfd: int, shown: Path) -> tuple[str, int]:
    """A new temp file beside ``name``; a planted name (even a dangling symlink) is skipped."""
    stem = name[:100]  # keep room in NAME_MAX for the random part
    for _ in range(16):
        tmp = f".{stem}.{secrets.token_hex(6)}{TEMP_SUFFIX}"
        try:
            return tmp, os.open(tmp, _NEW_FLAGS, 0o666, dir_fd=dfd)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _os_failure(shown, exc, "create a file beside it") from exc
    raise UnsafePath(shown, "cannot create a temp file beside it (every name tried exists)")


def remove_temps(directory: Path) -> list[str]:
    """Delete tome's leftover temp files (``.*.tome-tmp``) in ``directory``; their names."""
    removed = []
    with contextlib.suppress(OSError), os.scandir(directory) as entries:
        for entry in entries:
            if entry.name.startswith(".") and entry.name.endswith(TEMP_SUFFIX):
                with contextlib.suppress(OSError):
                    if entry.is_file(follow_symlinks=False) or entry.is_symlink():
                        os.unlink(entry.path)
                        removed.append(entry.name)
    return removed


# -- the state folder ------------------------------------------------------------------------


def state_dir(root: Path, *, create: bool = True) -> Path:
    """``<root>/.tome``, checked: not a symlink, not a file, not tracked by git; 0700.
    Creating it adds ``.tome/`` to the repository's exclude file
    (:func:`assistant.repo.exclude_state_dir`), so the first command that makes it, whichever,
    keeps it out of ``git status``.

    ``root`` is the repository root (resolved by the caller). A ``.tome`` that a
    repository brings (committed, or a link planted in an archive) is refused with a
    message that says what to do; tome never reads or writes through it.
    """
    root = Path(root)
    folder = root / STATE_DIR
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        st = None
    if st is not None:
        if stat.S_ISLNK(st.st_mode):
            raise UnsafePath(
                folder,
                "is a symbolic link; tome keeps its state only in a real folder there. "
                "Remove the link if you did not make it",
            )
        if not stat.S_ISDIR(st.st_mode):
            raise UnsafePath(folder, "is not a folder; remove it so tome can keep its state")
        if _tracked(root):
            raise UnsafePath(
                folder,
                "is committed to this repository, so its contents are not tome's own; "
                "tome will not use it. Remove it from the repository "
                "(git rm -r --cached .tome) or work in a fresh copy without it",
            )
        if st.st_mode & 0o077 and st.st_uid == os.geteuid():
            _tighten(folder)
        return folder
    if not create:
        return folder
    if _tracked(root):  # deleted from the work tree but still in the index
        raise UnsafePath(folder, "is tracked by git in this repository; tome will not use it")
    try:
        os.mkdir(folder, 0o700)
    except FileExistsError:
        pass
    except OSError as exc:
        raise _os_failure(folder, exc, "create tome's state folder") from exc
    from .repo import exclude_state_dir  # the git edge owns the exclude file

    exclude_state_dir(root)  # whoever creates .tome keeps it out of 'git status'
    return state_dir(root, create=False)


def _tighten(folder: Path) -> None:
    """chmod 0700 the folder itself: opened without following a link swapped in meanwhile."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, _DIR_FLAGS)
        try:
            os.fchmod(fd, 0o700)
        finally:
            os.close(fd)


def _tracked(root: Path) -> bool:
    """True when git tracks anything under ``root/.tome`` (False outside git)."""
    from .repo import tracks  # the git edge runs git

    return tracks(root, STATE_DIR)
