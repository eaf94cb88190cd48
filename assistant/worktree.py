"""The I/O edge for edits: read files from a working tree, write new texts safely, undo.

Everything that touches the disk when an edit is applied lives here:

- **Confinement.** Every path goes through ``edits.check_path`` (no absolute paths, no
  ``..``, nothing in ``.git/`` or ``.tome/`` or their NTFS/HFS+ aliases), then is resolved
  on disk: a path that is a symlink, or runs through a symlinked directory that leaves the
  root, is refused; so is a name the file system cannot hold (NAME_MAX, PATH_MAX, more
  than 200 folders deep), a file where a folder must be, an unwritable folder, a FIFO.
  All of it at plan time: ``--check`` refuses what the apply would fail on.
- **Encoding.** Files are read as bytes. UTF-8 is decoded as UTF-8; a UTF-8 BOM is set
  aside and written back; anything else is read as latin-1, which maps every byte to one
  character, so untouched bytes round-trip exactly (new text that latin-1 cannot hold is
  refused). Files with NUL bytes are binary and refused.
- **Conflicts.** ``base`` maps a path to the blob sha that was packed (None: the file did
  not exist). A file whose bytes changed since is merged three ways with
  ``git merge-file -p`` (base text from ``base_texts`` or ``git cat-file -p <sha>``); a
  merge with conflicts is refused with both sides. Without ``base`` the current file is the
  base: no check.
- **Transaction.** Everything is validated first; then the journal is written and fsynced
  (manifest plus the original bytes of every file, under ``<root>/.tome/journal/<id>/``,
  folders 0700, copies with the original's mode); only then are the files written, each
  through :func:`assistant.fsio.atomic_write` (parents opened from the root without
  following links, so a folder swapped for a link meanwhile fails the write; the mode and,
  as root, the owner of a replaced file kept; new files get the umask). A crash in the
  middle leaves a ``pending`` journal that :func:`recover` (run by every apply) rolls back
  byte for byte, removing tome's temp files in the folders it touched.
- **Whose journal.** ``.tome`` can arrive with a repository, so only journals this
  machine wrote for this folder are replayed: each manifest carries an HMAC-SHA256 keyed by
  a secret in the user's state folder (see "the journal" below). Anything else is left in
  place with a :class:`JournalIgnored` warning; a linked or tracked ``.tome`` is refused.
- **Undo.** :func:`undo` restores the last apply's originals byte for byte, and refuses if a
  file was changed again since (``force=True`` overrides).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import posixpath
import re
import secrets
import signal
import stat
import tempfile
import time
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from . import fsio, paths, repo
from .edits.failures import FileConflict, PathRefused, check_path
from .errors import AssistantError, GitError, JournalIgnored
from .fsio import PERMISSION_BITS
from .repo import blob_sha

JOURNAL = Path(".tome") / "journal"
Encoding = Literal["utf-8", "utf-8-sig", "latin-1"]
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NAME_MAX = 255
_PATH_MAX = 4096
_MAX_DEPTH = 200  # no project nests deeper; deeper trips recursion in tools (and in git)


# -- reading -----------------------------------------------------------------------------


def _check_length(path: str, real_root: Path, rel: str) -> None:
    """Names that the file system cannot hold are refused up front (no ENAMETOOLONG later)."""
    parts = rel.split("/")
    if len(parts) > _MAX_DEPTH:
        raise PathRefused(path, f"it is {len(parts)} folders deep (at most {_MAX_DEPTH})")
    for part in parts:
        if len(os.fsencode(part)) > _NAME_MAX:
            raise PathRefused(path, f"a name in it is longer than {_NAME_MAX} bytes")
    if len(os.fsencode(real_root / rel)) >= _PATH_MAX:
        raise PathRefused(path, f"the path is longer than {_PATH_MAX} bytes")


def resolve(root: Path, path: str) -> tuple[str, Path]:
    """The clean relative path and the real file for ``path``; refuses any escape."""
    rel = check_path(path)
    real_root = Path(os.path.realpath(root))
    _check_length(path, real_root, rel)
    target = real_root / rel
    try:
        if target.is_symlink():
            raise PathRefused(path, "is a symbolic link; edit the file it points to instead")
        real = target if _no_link_below(real_root, rel) else Path(os.path.realpath(target))
    except (OSError, RecursionError) as exc:
        raise PathRefused(path, f"cannot be resolved on disk ({exc})") from None
    try:
        real_rel = real.relative_to(real_root).as_posix()
    except ValueError:
        raise PathRefused(path, "runs through a symbolic link that leaves the repository") from None
    if real_rel != rel:
        check_path(real_rel)  # a link into .git/ is as bad as .git/ itself
    return real_rel, real


def _no_link_below(real_root: Path, rel: str) -> bool:
    """Whether no folder of ``rel`` below ``real_root`` (a real path) is a symlink: then
    ``realpath(real_root / rel)`` is that path itself, without resolving the root's part
    again. A name that cannot be read counts as no link, as ``realpath`` counts it."""
    walked = os.fspath(real_root)
    for part in rel.split("/")[:-1]:
        walked = os.path.join(walked, part)
        try:
            if stat.S_ISLNK(os.lstat(walked).st_mode):
                return False
        except OSError:
            return True  # nothing below a missing folder can be a link either
    return True


@dataclass(frozen=True)
class DiskFile:
    """A file as read: its text for the edit engine and how to write it back."""

    data: bytes
    text: str
    encoding: Encoding
    mode: int
    owner: tuple[int, int] | None = None

    @property
    def sha(self) -> str:
        return blob_sha(self.data)


def decode(path: str, data: bytes) -> tuple[str, Encoding]:
    if b"\0" in data:
        raise FileConflict(path, "is a binary file; tome does not edit binary files")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def encode(path: str, text: str, encoding: Encoding) -> bytes:
    try:
        body = text.encode("latin-1" if encoding == "latin-1" else "utf-8")
    except UnicodeEncodeError as exc:
        raise FileConflict(
            path, f"the new text has characters a {encoding} file cannot hold ({exc.reason})"
        ) from exc
    return (b"\xef\xbb\xbf" + body) if encoding == "utf-8-sig" else body


def read_file(root: Path, path: str, *, raw: bool = False) -> DiskFile | None:
    """The file at ``path`` (None when it does not exist). ``raw``: bytes only, not decoded."""
    rel, real = resolve(root, path)
    try:
        fd = os.open(real, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileConflict(rel, "is a directory, not a file") from None
    except NotADirectoryError:
        _check_parents(Path(os.path.realpath(root)), rel)  # names the file in the way
        raise FileConflict(rel, "cannot be a file: a folder above it is a file") from None
    except OSError as exc:
        raise FileConflict(rel, f"cannot be read: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if stat.S_ISDIR(st.st_mode):
            raise FileConflict(rel, "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):
            raise FileConflict(rel, "is a device, FIFO or socket, not a file tome edits")
        data = fh.read()
    mode = st.st_mode & PERMISSION_BITS
    if raw:
        return DiskFile(data, "", "utf-8", mode, (st.st_uid, st.st_gid))
    text, encoding = decode(rel, data)
    return DiskFile(data, text, encoding, mode, (st.st_uid, st.st_gid))


def read_texts(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """``{path: text}`` for the paths that exist, keyed by the clean relative path."""
    out: dict[str, str] = {}
    for path in paths:
        found = read_file(root, path)
        if found is not None:
            out[check_path(path)] = found.text
    return out


# -- writes (through the filesystem edge) ------------------------------------------------


def _real_root(root: Path) -> Path:
    return Path(os.path.realpath(root))


def _write_file(
    real_root: Path,
    rel: str,
    data: bytes,
    mode: int | None,
    owner: tuple[int, int] | None,
    durable: bool | fsio.Barrier = True,
) -> None:
    """Write one file of the tree: parents opened from the root without following links."""
    fsio.atomic_write(
        real_root / rel, data, root=real_root, mode=mode, owner=owner, durable=durable
    )


def _remove(real_root: Path, rel: str, durable: bool | fsio.Barrier = True) -> None:
    target = real_root / rel
    with (
        contextlib.suppress(FileNotFoundError),
        fsio.open_parent(target, root=real_root, create=False) as dfd,
    ):
        st = os.stat(target.name, dir_fd=dfd, follow_symlinks=False)
        if stat.S_ISDIR(st.st_mode):
            raise FileConflict(rel, "is a directory, not a file")
        os.unlink(target.name, dir_fd=dfd)
        if isinstance(durable, fsio.Barrier):
            durable.hold(dfd, target.parent, folder=True)
        elif durable:
            os.fsync(dfd)


def _rmdir(real_root: Path, rel: str) -> None:
    """Remove an empty folder an apply created (nothing when it is not empty or gone)."""
    target = real_root / rel
    with (
        contextlib.suppress(OSError),
        fsio.open_parent(target, root=real_root, create=False) as dfd,
    ):
        os.rmdir(target.name, dir_fd=dfd)


# -- three-way merge (git, via the git edge) --------------------------------------------------------


def packed_blob(root: Path, sha: str) -> bytes | None:
    """The bytes of blob ``sha`` from the repository's object database, if it is there."""
    done = repo.run(["cat-file", "-p", sha], root)
    return done.stdout if done.returncode == 0 else None


def merge3(root: Path, ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """``git merge-file -p``: the merged text and whether it merged without conflicts."""
    with tempfile.TemporaryDirectory(prefix="tome-merge-") as tmp:
        files = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / name
            p.write_bytes(text.encode("utf-8", "surrogateescape"))
            files.append(str(p))
        args = ["merge-file", "-p", "-L", "on disk", "-L", "packed", "-L", "edit", *files]
        done = repo.run(args, root)
    if done.returncode < 0 or done.returncode > 127:
        raise GitError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout.decode("utf-8", "surrogateescape"), done.returncode == 0


# -- the transaction ---------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One validated change: the new bytes (None: delete) and what was there before."""

    path: str
    target: Path
    new: bytes | None
    old: bytes | None
    mode: int | None
    merged: bool = False
    owner: tuple[int, int] | None = None


@dataclass(frozen=True)
class Applied:
    """What an apply did (or, with ``check``, would do)."""

    journal: str | None
    written: tuple[str, ...]
    created: tuple[str, ...]
    deleted: tuple[str, ...]
    merged: tuple[str, ...]


def plan_writes(
    root: Path,
    changes: Mapping[str, str | None],
    *,
    base: Mapping[str, str | None] | None = None,
    base_texts: Mapping[str, str] | None = None,
) -> list[Write]:
    """Validate every change against the disk; raise before anything is written.

    Everything the write phase depends on is checked here (confinement, name lengths,
    parents that are folders and writable, conflicts, encodings), so ``--check`` refuses
    what the apply would fail on and an apply never stops half-way.
    """
    writes: list[Write] = []
    real_root = _real_root(root)
    for path, text in changes.items():
        rel, target = resolve(root, path)
        current = read_file(root, rel)
        _check_parents(real_root, rel)
        _check_no_marker(rel, current, text)
        known = base or {}
        expected = known.get(path, known.get(rel, _NO_BASE))
        if expected is not _NO_BASE:
            now = current.sha if current else None
            if now != expected:
                text, merged = _reconcile(root, rel, current, text, expected, base_texts)
                if merged:
                    writes.append(_write(rel, target, current, text, merged=True))
                    continue
        writes.append(_write(rel, target, current, text))
    return writes


_NO_BASE: Any = object()


def _write(rel: str, target: Path, current: DiskFile | None, text: str | None, *,
           merged: bool = False) -> Write:  # fmt: skip
    encoding: Encoding = current.encoding if current else "utf-8"
    new = None if text is None else encode(rel, text, encoding)
    old = current.data if current else None
    mode = current.mode if current else None
    owner = current.owner if current else None
    return Write(rel, target, new, old, mode, merged, owner)


def _check_no_marker(rel: str, current: DiskFile | None, text: str | None) -> None:
    """Refuse an edit that writes back the marker a redacted secret stood behind in the
    prompt: the model saw the marker, not the secret, so a whole-file rewrite (or a hunk
    that kept the line) would replace the real value with it."""
    from .secrets import MARKER_PREFIX  # the scanner (and its automaton) loads only to pack

    if text is None or MARKER_PREFIX not in text:
        return
    if text.count(MARKER_PREFIX) > (current.text.count(MARKER_PREFIX) if current else 0):
        raise FileConflict(
            rel,
            "the edit writes tome's redaction marker ('[tome: redacted ...]'): the model saw "
            "the marker, not the secret it stands for, so applying it would lose the secret; "
            "edit those lines by hand or ask again for the rest",
        )


def _check_parents(real_root: Path, rel: str) -> None:
    """Every existing parent of ``rel`` is a real folder, and the deepest one is writable."""
    walked = real_root
    deepest = real_root
    for part in rel.split("/")[:-1]:
        walked = walked / part
        try:
            st = os.lstat(walked)
        except FileNotFoundError:
            break
        except OSError as exc:
            raise PathRefused(rel, f"cannot look at {walked.relative_to(real_root)}: "
                              f"{exc.strerror}") from None  # fmt: skip
        if stat.S_ISLNK(st.st_mode):
            raise PathRefused(rel, f"{walked.relative_to(real_root)} is a symbolic link")
        if not stat.S_ISDIR(st.st_mode):
            raise FileConflict(rel, f"cannot create it: {walked.relative_to(real_root)} is a file")
        deepest = walked
    if not os.access(deepest, os.W_OK | os.X_OK):
        shown = deepest.relative_to(real_root).as_posix() or "the repository root"
        raise FileConflict(rel, f"cannot write it: the folder {shown} is not writable")


def _reconcile(
    root: Path,
    rel: str,
    current: DiskFile | None,
    theirs: str | None,
    expected: str | None,
    base_texts: Mapping[str, str] | None,
) -> tuple[str | None, bool]:
    """A file changed since it was packed: merge it, or raise FileConflict with both sides."""
    ours = current.text if current else ""
    if current is None or expected is None or theirs is None:
        what = "deleted" if current is None else ("created" if expected is None else "changed")
        raise FileConflict(rel, f"was {what} on disk since it was packed", ours=ours,
                           theirs=theirs or "")  # fmt: skip
    base_text = (base_texts or {}).get(rel)
    if base_text is None:
        blob = packed_blob(root, expected)
        if blob is None:
            raise FileConflict(rel, "changed on disk since it was packed, and the packed "
                               "version is not in git's object database to merge with",
                               ours=ours, theirs=theirs)  # fmt: skip
        base_text = decode(rel, blob)[0]
    merged, clean = merge3(root, ours, base_text, theirs)
    if not clean:
        raise FileConflict(rel, "changed on disk since it was packed and the edit does not "
                           "merge cleanly with that change", ours=ours, theirs=theirs)  # fmt: skip
    return merged, True


def apply_changes(
    root: Path,
    changes: Mapping[str, str | None],
    *,
    base: Mapping[str, str | None] | None = None,
    base_texts: Mapping[str, str] | None = None,
    check: bool = False,
) -> Applied:
    """Write ``changes`` ({path: new text, None: delete}) to the tree under ``root``: all or none.

    ``check`` validates only (paths, conflicts, encodings, the state folder) and writes
    nothing.
    """
    root = Path(root)
    real_root = _real_root(root)
    if not check:
        recover(root)
    fsio.state_dir(real_root, create=False)  # a linked or tracked .tome: refused, also by --check
    writes = plan_writes(root, changes, base=base, base_texts=base_texts)
    written = tuple(w.path for w in writes if w.new is not None and w.old is not None)
    created = tuple(w.path for w in writes if w.new is not None and w.old is None)
    deleted = tuple(w.path for w in writes if w.new is None and w.old is not None)
    merged = tuple(w.path for w in writes if w.merged)
    if check:
        return Applied(None, written, created, deleted, merged)
    writes = [w for w in writes if w.new != w.old]
    journal = _open_journal(real_root, writes)
    # The journal is on disk and pending: a crash from here on is rolled back from it, so
    # the tree's writes are made durable together, at one barrier, before it says applied.
    with fsio.Barrier() as barrier:
        for w in writes:
            _crash_point("write", w.path)
            if w.new is None:
                _remove(real_root, w.path, barrier)
            else:
                _write_file(real_root, w.path, w.new, w.mode, w.owner, barrier)
        barrier.sync()
    _set_state(real_root, journal, "applied")
    return Applied(journal.name, written, created, deleted, merged)


def _crash_point(stage: str, path: str) -> None:
    """Test hook: ``TOME_TEST_KILL_AT=write:<path>`` kills the process before writing it.

    Only the crash-recovery test sets it (a real SIGKILL in a child process, no sleeps).
    """
    wanted = os.environ.get("TOME_TEST_KILL_AT")
    if wanted and wanted == f"{stage}:{path}" and hasattr(signal, "SIGKILL"):
        os.kill(os.getpid(), signal.SIGKILL)


# -- the journal -------------------------------------------------------------------------
#
# A journal is a folder ``.tome/journal/<id>/`` with ``manifest.json`` and ``blobs/<sha>``
# (the original bytes). A repository is untrusted and ``.tome`` can arrive with it (a
# commit, an archive), so a journal is only replayed when this machine wrote it for this
# folder: ``manifest.json`` is ``{"mac":"<hex>","manifest":<body>}`` where the MAC is an
# HMAC-SHA256 over the repository's real path, the journal's id and the body's exact
# bytes, keyed by a random secret in the user's state folder (created 0600, never in a
# repository). The MAC is checked on the raw bytes before the body is parsed. Anything
# else under ``.tome/journal/`` is ignored with a warning and left where it is.
# Even a journal with a good MAC has every entry confined like a model's path, and modes
# limited to the permission bits: defence in depth.

_MAC_HEAD = b'{"mac":"'
_MAC_MID = b'","manifest":'
_MAC_TAIL = b"}\n"
_MAC_HEX = 64
_MAX_MANIFEST = 64 << 20
_KEY_BYTES = 32
_SHA = re.compile(r"[0-9a-f]{40}")
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,99}")


def _key_path() -> Path:
    """The journal key's file: user state, never inside a repository."""
    return paths.state_dir() / "journal.key"


def _journal_key(*, create: bool) -> bytes | None:
    """This machine's journal key (made on first use: 32 random bytes, 0600, O_EXCL)."""
    path = _key_path()
    for _ in range(2):
        try:
            fd = os.open(path, os.O_RDONLY | _NOFOLLOW)
        except FileNotFoundError:
            if not create:
                return None
        except OSError as exc:
            raise AssistantError(f"cannot read tome's journal key {path}: {exc.strerror}") from exc
        else:
            with os.fdopen(fd, "rb") as fh:
                key = fh.read(_KEY_BYTES + 1)
            if len(key) != _KEY_BYTES:
                raise AssistantError(
                    f"tome's journal key {path} is damaged; remove it (journals written "
                    "with it can then no longer be undone)"
                )
            return key
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
        except FileExistsError:
            continue  # another process made it meanwhile: read that one
        with os.fdopen(fd, "wb") as fh:
            fh.write(secrets.token_bytes(_KEY_BYTES))
            fh.flush()
            os.fsync(fh.fileno())
    return _journal_key(create=False)


def _mac(key: bytes, real_root: Path, name: str, body: bytes) -> str:
    message = b"tome-journal-v2\0" + os.fsencode(real_root) + b"\0" + name.encode() + b"\0"
    return hmac.new(key, message + body, hashlib.sha256).hexdigest()


def _journal_root(root: Path) -> Path:
    return _real_root(root) / JOURNAL


def _shown(name: str) -> str:
    return f"{JOURNAL.as_posix()}/{name}"


def _ignore(name: str, why: str) -> None:
    warnings.warn(JournalIgnored(f"ignoring journal {_shown(name)}: {why}"), stacklevel=3)


NOT_OURS = "not written by tome on this machine"


def _open_journal(real_root: Path, writes: list[Write]) -> Path:
    """Record every original before anything is written; fsynced, so a crash can be undone."""
    key = _journal_key(create=True)
    assert key is not None
    fsio.state_dir(real_root)
    repo.exclude_state_dir(real_root)
    now = time.time_ns()  # one reading: two would name an apply at a second's edge out of order
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now // 10**9)) + f"-{now % 10**9:09d}"
    name += f"-{secrets.token_hex(3)}"
    jdir = real_root / JOURNAL / name
    entries = []
    created_dirs: list[str] = []
    barrier = fsio.Barrier()  # every original on disk before the manifest that names them
    with barrier:
        for w in writes:
            if w.old is not None:
                fsio.atomic_write(jdir / "blobs" / blob_sha(w.old), w.old, root=real_root,
                                  mode=w.mode, durable=barrier, dir_mode=0o700)  # fmt: skip
        barrier.sync()
    for w in writes:
        parent = w.target.parent
        while parent != real_root and not os.path.lexists(parent):
            created_dirs.append(parent.relative_to(real_root).as_posix())
            parent = parent.parent
        entries.append({
            "path": w.path,
            "old": None if w.old is None else blob_sha(w.old),
            "new": None if w.new is None else blob_sha(w.new),
            "mode": w.mode,
            "owner": None if w.owner is None else list(w.owner),
        })  # fmt: skip
    manifest = {"version": 2, "root": str(real_root), "state": "pending", "created": time.time(),
                "files": entries,
                "dirs": sorted(set(created_dirs), key=len, reverse=True)}  # fmt: skip
    _write_manifest(real_root, jdir, manifest, key)
    return jdir


def _write_manifest(real_root: Path, jdir: Path, manifest: dict[str, Any], key: bytes) -> None:
    body = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode()
    mac = _mac(key, real_root, jdir.name, body).encode()
    data = _MAC_HEAD + mac + _MAC_MID + body + _MAC_TAIL
    fsio.atomic_write(jdir / "manifest.json", data, root=real_root, mode=0o600, durable=True,
                      dir_mode=0o700)  # fmt: skip


def _read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file, not through a link at its name (None: not one)."""
    try:
        return fsio.read_regular(path, limit=limit)
    except (OSError, fsio.NotRegularFile):
        return None


def _verified(real_root: Path, name: str, key: bytes | None) -> dict[str, Any] | str:
    """The manifest of journal ``name`` when its MAC holds for this folder; else why not."""
    if not _NAME.fullmatch(name):
        return NOT_OURS
    data = _read_regular(real_root / JOURNAL / name / "manifest.json", _MAX_MANIFEST)
    if data is None or key is None or len(data) > _MAX_MANIFEST:
        return NOT_OURS
    cut = len(_MAC_HEAD) + _MAC_HEX
    if not (data.startswith(_MAC_HEAD) and data[cut:].startswith(_MAC_MID)
            and data.endswith(_MAC_TAIL)):  # fmt: skip
        return NOT_OURS
    mac = data[len(_MAC_HEAD) : cut]
    body = data[cut + len(_MAC_MID) : -len(_MAC_TAIL)]
    if not hmac.compare_digest(mac, _mac(key, real_root, name, body).encode()):
        return NOT_OURS
    try:
        manifest = json.loads(body)
    except (ValueError, RecursionError):
        return NOT_OURS
    problem = _unsafe(real_root, manifest)
    return problem if problem else manifest


def _unsafe(real_root: Path, manifest: Any) -> str | None:
    """Why a signed manifest still cannot be replayed here (None: it can)."""
    if not isinstance(manifest, dict) or manifest.get("version") != 2:
        return NOT_OURS
    if manifest.get("root") != str(real_root):
        return f"written for {manifest.get('root')!r}, not this folder"
    if manifest.get("state") not in ("pending", "applied", "undone"):
        return "its state is not one tome writes"
    files, dirs = manifest.get("files"), manifest.get("dirs", [])
    if not isinstance(files, list) or not isinstance(dirs, list):
        return NOT_OURS
    try:
        for entry in files:
            _check_entry(real_root, entry)
        for d in dirs:
            if not isinstance(d, str) or check_path(d) != d:
                return f"folder {d!r} is not a clean path inside the repository"
    except (PathRefused, FileConflict) as exc:
        return f"entry refused: {exc}"
    except (TypeError, ValueError, KeyError) as exc:
        return f"damaged entry ({exc})"
    return None


def _check_entry(real_root: Path, entry: Any) -> None:
    if not isinstance(entry, dict):
        raise ValueError("an entry is not an object")
    path = entry["path"]
    if not isinstance(path, str) or check_path(path) != path:
        raise PathRefused(str(path), "not a clean path inside the repository")
    resolve(real_root, path)
    for key in ("old", "new"):
        sha = entry[key]
        if sha is not None and not (isinstance(sha, str) and _SHA.fullmatch(sha)):
            raise ValueError(f"{key} is not a blob sha")
    mode = entry.get("mode")
    if mode is not None and not (isinstance(mode, int) and 0 <= mode <= PERMISSION_BITS):
        raise ValueError(f"mode {mode!r} is not permission bits (0o777 at most)")
    owner = entry.get("owner")
    if owner is not None and not (
        isinstance(owner, list) and len(owner) == 2 and all(
            isinstance(x, int) and 0 <= x < 2**32 for x in owner)
    ):  # fmt: skip
        raise ValueError("owner is not a uid and gid")


def _manifest(real_root: Path, jdir: Path) -> dict[str, Any]:
    found = _verified(real_root, jdir.name, _journal_key(create=False))
    if isinstance(found, str):
        raise AssistantError(f"journal {_shown(jdir.name)}: {found}")
    return found


def _set_state(real_root: Path, jdir: Path, state: str) -> None:
    key = _journal_key(create=False)
    manifest = _manifest(real_root, jdir)
    manifest["state"] = state
    assert key is not None
    _write_manifest(real_root, jdir, manifest, key)


def _candidates(real_root: Path) -> list[str]:
    """Names under ``.tome/journal/``, read without following a linked ``.tome``."""
    folder = real_root / fsio.STATE_DIR
    if not os.path.isdir(folder) or os.path.islink(folder):
        return []
    jroot = folder / JOURNAL.name
    if not os.path.isdir(jroot) or os.path.islink(jroot):
        return []
    try:
        return sorted(os.listdir(jroot))
    except OSError:
        return []


def _trusted(root: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(id, manifest)`` of every journal this machine wrote for this folder, oldest first;
    a warning (:class:`JournalIgnored`) for each other one."""
    real_root = _real_root(root)
    names = _candidates(real_root)
    if not names:
        return []
    try:
        fsio.state_dir(real_root, create=False)
    except AssistantError as exc:  # committed, linked: nothing in it is ours
        reason = getattr(exc, "reason", str(exc)).split(";")[0]
        for name in names:
            _ignore(name, f"{NOT_OURS} (.tome {reason})")
        return []
    key = _journal_key(create=False)
    out = []
    for name in names:
        found = _verified(real_root, name, key)
        if isinstance(found, str):
            _ignore(name, found)
        else:
            out.append((name, found))
    return out


def journals(root: Path) -> list[tuple[str, str]]:
    """``(id, state)`` of every journal tome may replay, oldest first. States: pending,
    applied, undone. Journals this machine did not write for this folder are left out
    with a :class:`JournalIgnored` warning."""
    return [(name, str(m["state"])) for name, m in _trusted(root)]


@dataclass(frozen=True)
class Undone:
    journal: str
    restored: tuple[str, ...]
    removed: tuple[str, ...]
    recovered: bool
    """True when this rolled back an apply that was interrupted."""


def _current_sha(real_root: Path, rel: str) -> str | None:
    found = read_file(real_root, rel, raw=True)
    return None if found is None else found.sha


def _restore(real_root: Path, name: str, manifest: dict[str, Any], *, force: bool) -> Undone:
    jdir = real_root / JOURNAL / name
    changed = []
    for entry in manifest["files"]:
        now = _current_sha(real_root, entry["path"])
        if now not in (entry["old"], entry["new"]):
            changed.append(entry["path"])
    if changed and not force:
        raise FileConflict(
            changed[0],
            "changed again since tome applied the edit; undo would lose that change "
            f"(files: {', '.join(changed)})",
            forcible=True,
        )
    originals: dict[str, bytes] = {}
    for entry in manifest["files"]:  # every copy checked before anything is written
        if entry["old"] is not None:
            data = _read_regular(jdir / "blobs" / entry["old"], _MAX_BLOB)
            if data is None or blob_sha(data) != entry["old"]:
                raise FileConflict(entry["path"], f"the journal copy in {jdir} is damaged")
            originals[entry["path"]] = data
    restored, removed = [], []
    for entry in manifest["files"]:
        rel = entry["path"]
        if entry["old"] is None:
            if os.path.lexists(real_root / rel):
                _remove(real_root, rel)
                removed.append(rel)
            continue
        data = originals[rel]
        current = read_file(real_root, rel, raw=True)
        if current is None or current.data != data:
            owner = current.owner if current else _owner(entry.get("owner"))
            _write_file(real_root, rel, data, entry["mode"], owner)
        restored.append(rel)
    for d in manifest.get("dirs", []):
        _rmdir(real_root, d)
    _remove_temps(real_root, jdir, manifest)
    recovered = manifest["state"] == "pending"
    _set_state(real_root, jdir, "undone")
    return Undone(name, tuple(restored), tuple(removed), recovered)


_MAX_BLOB = 1 << 40


def _owner(raw: Any) -> tuple[int, int] | None:
    return None if raw is None else (int(raw[0]), int(raw[1]))


def _remove_temps(real_root: Path, jdir: Path, manifest: dict[str, Any]) -> None:
    """Delete tome's temp files left by a killed apply in every folder the journal touched."""
    folders = {posixpath.dirname(e["path"]) for e in manifest["files"]}
    for folder in sorted(folders):
        where = real_root / folder
        try:
            if folder and (os.path.islink(where) or resolve(real_root, folder)[0] != folder):
                continue
        except AssistantError:  # a folder now linked elsewhere: not ours to clean
            continue
        fsio.remove_temps(where)
    fsio.remove_temps(jdir / "blobs")
    fsio.remove_temps(jdir)


def recover(root: Path) -> list[Undone]:
    """Roll back every apply that was interrupted (a ``pending`` journal), newest first."""
    real_root = _real_root(root)
    done = []
    for name, manifest in reversed(_trusted(root)):
        if manifest["state"] == "pending":
            done.append(_restore(real_root, name, manifest, force=True))
    return done


def undo(root: Path, *, force: bool = False) -> Undone | None:
    """Revert the last apply byte for byte (or roll back an interrupted one). None: nothing."""
    real_root = _real_root(root)
    for name, manifest in reversed(_trusted(root)):
        state = manifest["state"]
        if state in ("pending", "applied"):
            return _restore(real_root, name, manifest, force=force or state == "pending")
    return None
