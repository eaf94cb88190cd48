"""The I/O edge for edits: read files from a working tree, write new texts safely, undo.

Everything that touches the disk when an edit is applied lives here:

- **Confinement.** Every path goes through ``edits.check_path`` (no absolute paths, no
  ``..``, nothing in ``.git/`` or ``.tome/``), then is resolved on disk: a path that is a
  symlink, or runs through a symlinked directory that leaves the root, is refused.
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
  (manifest plus the original bytes of every file, under ``<root>/.tome/journal/<id>/``);
  only then are the files written, each atomically (temp file in the same directory, fsync,
  rename, fsync of the directory). A crash in the middle leaves a ``pending`` journal that
  :func:`recover` (run by every apply and undo) rolls back byte for byte.
- **Undo.** :func:`undo` restores the last apply's originals byte for byte, and refuses if a
  file was changed again since (``force=True`` overrides).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .edits.failures import FileConflict, PathRefused, check_path
from .errors import GitError

JOURNAL = Path(".tome") / "journal"
Encoding = Literal["utf-8", "utf-8-sig", "latin-1"]


# -- reading -----------------------------------------------------------------------------


def blob_sha(data: bytes) -> str:
    """The git blob sha of ``data`` (what ``git hash-object`` prints, without filters)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def resolve(root: Path, path: str) -> tuple[str, Path]:
    """The clean relative path and the real file for ``path``; refuses any escape."""
    rel = check_path(path)
    real_root = Path(os.path.realpath(root))
    target = real_root / rel
    if target.is_symlink():
        raise PathRefused(path, "is a symbolic link; edit the file it points to instead")
    real = Path(os.path.realpath(target))
    try:
        real_rel = real.relative_to(real_root).as_posix()
    except ValueError:
        raise PathRefused(path, "runs through a symbolic link that leaves the repository") from None
    if real_rel != rel:
        check_path(real_rel)  # a link into .git/ is as bad as .git/ itself
    return real_rel, real


@dataclass(frozen=True)
class DiskFile:
    """A file as read: its text for the edit engine and how to write it back."""

    data: bytes
    text: str
    encoding: Encoding
    mode: int

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


def read_file(root: Path, path: str) -> DiskFile | None:
    """The file at ``path`` (None when it does not exist)."""
    rel, real = resolve(root, path)
    try:
        data = real.read_bytes()
        mode = real.stat().st_mode & 0o7777
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FileConflict(rel, "is a directory, not a file") from None
    text, encoding = decode(rel, data)
    return DiskFile(data, text, encoding, mode)


def read_texts(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """``{path: text}`` for the paths that exist, keyed by the clean relative path."""
    out: dict[str, str] = {}
    for path in paths:
        found = read_file(root, path)
        if found is not None:
            out[check_path(path)] = found.text
    return out


# -- atomic writes -----------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _atomic_write(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``data`` to ``target`` through a temp file in the same directory, then rename."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tome-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644 if mode is None else mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)


def _remove(target: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        target.unlink()
    _fsync_dir(target.parent)


# -- three-way merge (the git seam) --------------------------------------------------------


def _git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0]} failed to run: {exc}") from exc


def packed_blob(root: Path, sha: str) -> bytes | None:
    """The bytes of blob ``sha`` from the repository's object database, if it is there."""
    done = _git(root, "cat-file", "-p", sha)
    return done.stdout if done.returncode == 0 else None


def merge3(root: Path, ours: str, base: str, theirs: str) -> tuple[str, bool]:
    """``git merge-file -p``: the merged text and whether it merged without conflicts."""
    with tempfile.TemporaryDirectory(prefix="tome-merge-") as tmp:
        files = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / name
            p.write_bytes(text.encode("utf-8", "surrogateescape"))
            files.append(str(p))
        done = _git(root, "merge-file", "-p", "-L", "on disk", "-L", "packed", "-L", "edit", *files)
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
    """Validate every change against the disk; raise before anything is written."""
    writes: list[Write] = []
    for path, text in changes.items():
        rel, target = resolve(root, path)
        current = read_file(root, rel)
        if text is not None and current is None:
            _check_parents(root, rel, target)
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
    return Write(rel, target, new, old, current.mode if current else None, merged)


def _check_parents(root: Path, rel: str, target: Path) -> None:
    parent = target.parent
    real_root = Path(os.path.realpath(root))
    while parent != real_root and not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise FileConflict(rel, f"cannot create it: {parent.relative_to(real_root)} is a file")


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

    ``check`` validates only (paths, conflicts, encodings) and writes nothing.
    """
    root = Path(root)
    if not check:
        recover(root)
    writes = plan_writes(root, changes, base=base, base_texts=base_texts)
    written = tuple(w.path for w in writes if w.new is not None and w.old is not None)
    created = tuple(w.path for w in writes if w.new is not None and w.old is None)
    deleted = tuple(w.path for w in writes if w.new is None and w.old is not None)
    merged = tuple(w.path for w in writes if w.merged)
    if check:
        return Applied(None, written, created, deleted, merged)
    writes = [w for w in writes if w.new != w.old]
    journal = _open_journal(root, writes)
    for w in writes:
        if w.new is None:
            _remove(w.target)
        else:
            w.target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(w.target, w.new, w.mode)
    _set_state(journal, "applied")
    return Applied(journal.name, written, created, deleted, merged)


# -- the journal -------------------------------------------------------------------------


def _journal_root(root: Path) -> Path:
    return Path(os.path.realpath(root)) / JOURNAL


def _exclude_from_git(root: Path) -> None:
    exclude = Path(os.path.realpath(root)) / ".git" / "info" / "exclude"
    if not exclude.parent.parent.is_dir():
        return
    exclude.parent.mkdir(exist_ok=True)
    lines = exclude.read_text().splitlines() if exclude.exists() else []
    if ".tome/" not in lines and "/.tome/" not in lines:
        with exclude.open("a") as fh:
            fh.write(("\n" if lines and lines[-1] else "") + ".tome/\n")


def _open_journal(root: Path, writes: list[Write]) -> Path:
    """Record every original before anything is written; fsynced, so a crash can be undone."""
    jroot = _journal_root(root)
    jroot.mkdir(parents=True, exist_ok=True)
    _exclude_from_git(root)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 10**9:09d}"
    name += f"-{secrets.token_hex(3)}"
    jdir = jroot / name
    (jdir / "blobs").mkdir(parents=True)
    entries = []
    created_dirs: list[str] = []
    real_root = Path(os.path.realpath(root))
    for w in writes:
        if w.old is not None:
            _atomic_write(jdir / "blobs" / blob_sha(w.old), w.old)
        parent = w.target.parent
        while parent != real_root and not parent.exists():
            created_dirs.append(parent.relative_to(real_root).as_posix())
            parent = parent.parent
        entries.append({
            "path": w.path,
            "old": None if w.old is None else blob_sha(w.old),
            "new": None if w.new is None else blob_sha(w.new),
            "mode": w.mode,
        })  # fmt: skip
    manifest = {"version": 1, "state": "pending", "created": time.time(), "files": entries,
                "dirs": sorted(set(created_dirs), key=len, reverse=True)}  # fmt: skip
    _atomic_write(jdir / "manifest.json", json.dumps(manifest, indent=1).encode())
    _fsync_dir(jroot)
    return jdir


def _manifest(jdir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((jdir / "manifest.json").read_bytes())
    return data


def _set_state(jdir: Path, state: str) -> None:
    manifest = _manifest(jdir)
    manifest["state"] = state
    _atomic_write(jdir / "manifest.json", json.dumps(manifest, indent=1).encode())


def journals(root: Path) -> list[tuple[str, str]]:
    """``(id, state)`` of every journal, oldest first. States: pending, applied, undone."""
    jroot = _journal_root(root)
    if not jroot.is_dir():
        return []
    out = []
    for jdir in sorted(p for p in jroot.iterdir() if (p / "manifest.json").is_file()):
        out.append((jdir.name, str(_manifest(jdir)["state"])))
    return out


@dataclass(frozen=True)
class Undone:
    journal: str
    restored: tuple[str, ...]
    removed: tuple[str, ...]
    recovered: bool
    """True when this rolled back an apply that was interrupted."""


def _restore(root: Path, jdir: Path, *, force: bool) -> Undone:
    manifest = _manifest(jdir)
    real_root = Path(os.path.realpath(root))
    changed = []
    for entry in manifest["files"]:
        target = real_root / entry["path"]
        now = blob_sha(target.read_bytes()) if target.is_file() else None
        if now not in (entry["old"], entry["new"]):
            changed.append(entry["path"])
    if changed and not force:
        raise FileConflict(
            changed[0],
            "changed again since tome applied the edit; undo would lose that change "
            f"(files: {', '.join(changed)}); use --force to restore anyway",
        )
    restored, removed = [], []
    for entry in manifest["files"]:
        target = real_root / entry["path"]
        if entry["old"] is None:
            if target.exists():
                _remove(target)
                removed.append(entry["path"])
            continue
        data = (jdir / "blobs" / entry["old"]).read_bytes()
        if blob_sha(data) != entry["old"]:
            raise FileConflict(entry["path"], f"the journal copy in {jdir} is damaged")
        if not target.is_file() or target.read_bytes() != data:
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, data, entry["mode"])
        restored.append(entry["path"])
    for d in manifest.get("dirs", []):
        with contextlib.suppress(OSError):
            (real_root / d).rmdir()
    recovered = manifest["state"] == "pending"
    _set_state(jdir, "undone")
    return Undone(jdir.name, tuple(restored), tuple(removed), recovered)


def recover(root: Path) -> list[Undone]:
    """Roll back every apply that was interrupted (a ``pending`` journal), newest first."""
    done = []
    for name, state in reversed(journals(root)):
        if state == "pending":
            done.append(_restore(root, _journal_root(root) / name, force=True))
    return done


def undo(root: Path, *, force: bool = False) -> Undone | None:
    """Revert the last apply byte for byte (or roll back an interrupted one). None: nothing."""
    for name, state in reversed(journals(root)):
        if state in ("pending", "applied"):
            return _restore(root, _journal_root(root) / name, force=force or state == "pending")
    return None
