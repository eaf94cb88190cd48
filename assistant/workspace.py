"""Discovery: which files of a folder go into a prompt, with their text and blob shas.

``discover(root)`` lists the candidates, filters them by path, reads each file once, and
returns a :class:`Workspace`: the files to pack (sorted by path) and every file it left out
on its own judgement, with a reason from :data:`SKIP_REASONS`.

Where the candidates come from:

- inside a git work tree, from git itself (:mod:`assistant.repo`): tracked files plus
  untracked files no ignore rule excludes (``.gitignore`` at every level,
  ``.git/info/exclude``, ``core.excludesFile``). Git runs at the top of the work tree with
  the packed folder as pathspec, so packing a subfolder keeps the repository's rules.
  Tracked files deleted from the working tree are silently absent;
- outside git, from a walk (``os.scandir``) that applies every ``.gitignore`` it meets and
  never enters ``.git``, ``.hg``, ``.svn`` or ``.bzr``.

What the user excludes is left out silently: ignore files, a ``.tomeignore`` (gitignore
syntax) at the repository root and at the packed folder, ``exclude`` globs, and everything
``include`` globs (when given) do not match. What tome leaves out on its own is reported as
:class:`Skipped`: default excludes (lock files, minified and generated code, SVGs and test
snapshots, dependency and build folders; a whole folder is reported once), generated text
told by its first 8 KiB (:mod:`assistant.generated`: minified code and single huge lines as
``minified``, large data files as ``data-dump``), binaries, files over the size limit,
secrets, symlinks, submodules and names that are not UTF-8. An ``include`` glob that
matches no file at all is a :class:`~assistant.errors.PackError` naming it: packing the
rest would answer a question about files that are not there.

Secrets (:mod:`assistant.secrets`): a file that is a secret by its name (``.env``, key
files, credentials, kubeconfig) is skipped whole. A secret found in a file's content is
replaced by a marker (``[tome: redacted <kind> secret, line N]``) and the rest of the file
is kept: :attr:`Workspace.redacted` lists each one (path, kind, line), and
:attr:`SourceFile.redactions` counts them. A file that would be mostly markers, or that is
a secrets file by its content (a kubeconfig key, a registry login), is skipped whole as
``secret-content``. ``allow_secrets`` turns every secret check off.

Decisions:

- an ``include`` glob wins over the default excludes when the glob itself falls under them
  (``--include package-lock.json``, ``--include 'dist/**'``, ``--include '*.min.js'``);
  a broad glob such as ``**/*.js`` still leaves ``node_modules/`` and ``*.min.js`` out;
  a glob that names the file (no wildcard in its last part: ``static/app.js``) also packs a
  file the content rules would leave out, and ``default_excludes=()`` turns those off too;
- symlinks are never followed: one that leaves the folder is ``symlink-outside``, a
  dangling one ``symlink-broken``, one to a file or folder inside ``symlink-inside`` (its
  target is packed under its own path, or was left out for a reason of its own; following
  it would duplicate the text, or smuggle in a file an ignore rule or the secret check left
  out). Directory loops cannot hang the walk: it never enters a symlinked folder, and it
  also remembers the real folders it has entered;
- text is UTF-8; a UTF-8 BOM is stripped. UTF-16/32 files (BOM) are skipped as ``binary``
  with a detail saying to convert them: decoding them would put text in the prompt that an
  edit could not be written back in the file's own encoding;
- a file whose name is not valid UTF-8 (Linux allows any bytes) is skipped as ``bad-name``:
  the prompt is UTF-8, and a model could not name the file back in an edit;
- ignore files (``.tomeignore``, and the ``.gitignore`` files the walk reads itself) are
  the repository's, so untrusted: one is read only if it is a regular file, not through a
  symlink (as git reads ``.gitignore`` since 2.32), without blocking (a FIFO), and up to
  1 MiB; otherwise its rules are not used and it is reported as
  ``unreadable``, so a ``.tomeignore`` that is ``/dev/zero`` or a FIFO cannot hang a pack;
- the blob sha is computed from the bytes read (``git hash-object`` without filters), so
  modified and untracked files are right.

Speed: each file is ``lstat``-ed and read once (no per-file subprocess or GitPython
object); path rules (:mod:`assistant.pathrules`) are compiled into one regex per rule set
and evaluated once per folder; secret verdicts are cached by blob sha (namespace
:data:`assistant.secrets.CACHE_NAMESPACE`); a file whose size, mtime, ctime and inode are as
when it was last read is not hashed again (a binary not even read), its text is not decoded
until it is needed, and its secret verdict comes from the same memo: :class:`_StatMemo`.
:func:`probe` tells from stats alone whether a folder is as it was, for callers that can
then reuse what they made from it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import marshal
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import fsio, repo, secrets
from .cache import Cache, namespace, write_file
from .errors import NotText, PackError
from .generated import content_verdict
from .lazytext import LazyText
from .pathrules import DEFAULT_EXCLUDES, PathFilter, Rules
from .repo import blob_sha

__all__ = [
    "DEFAULT_EXCLUDES",
    "SKIP_REASONS",
    "DiscoverOptions",
    "Redacted",
    "Skipped",
    "SourceFile",
    "Workspace",
    "discover",
    "probe",
    "rebase",
    "stat_stamp",
    "tree_digest",
]

SKIP_REASONS: tuple[str, ...] = (
    "binary",
    "too-large",
    "default-exclude",
    "minified",
    "data-dump",
    "secret-name",
    "secret-content",
    "symlink-outside",
    "symlink-inside",
    "symlink-broken",
    "submodule",
    "unreadable",
    "bad-name",
)

_VCS_DIRS = frozenset({".git", ".hg", ".svn", ".bzr"})
_TOMEIGNORE = ".tomeignore"
_IGNORE_FILE_LIMIT = 1 << 20
"""Bytes of one ignore file read at most; a larger one is not used (and is reported)."""
_PROGRESS_EVERY = 256
_SNIFF = 8192  # bytes a binary check looks at first
_SNIFF_ABOVE = 64 << 10  # files larger than this are sniffed before they are read whole
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class SourceFile(LazyText):
    """One file to pack: its path, text, size and blob sha (immutable).

    ``text`` is decoded from ``data`` on first use when the file was read as plain UTF-8
    (no BOM, nothing redacted) and not decoded yet (:class:`~assistant.lazytext.LazyText`):
    a warm pack writes the bytes read and never needs most files as text. Equality and
    hashing are by path, text, size, blob sha and redactions (``data`` is ``text`` as UTF-8
    and never compared)."""

    __slots__ = ("blob_sha", "path", "redactions", "size")
    _fields = ("path", "text", "size", "blob_sha", "redactions")

    path: str  # posix path relative to the pack root
    size: int  # bytes on disk
    blob_sha: str  # git blob sha1 of the bytes read: sha1(b"blob %d\0" % len + data)
    redactions: int  # secrets replaced in ``text`` by a marker (0: text is the file)
    # ``data``: ``text`` as UTF-8, when it is the bytes read (no BOM, nothing redacted), else
    # None: a pack is written from these, not encoded again

    def __init__(
        self,
        path: str,
        text: str | None,
        size: int,
        blob_sha: str,
        redactions: int = 0,
        data: bytes | None = None,
    ) -> None:
        if text is None and data is None:
            raise ValueError("a SourceFile needs its text or its bytes")
        setter = object.__setattr__
        setter(self, "path", path)
        setter(self, "_text", text)
        setter(self, "size", size)
        setter(self, "blob_sha", blob_sha)
        setter(self, "redactions", redactions)
        setter(self, "data", data)

    def with_path(self, path: str) -> SourceFile:
        """The same file under another path (text kept undecoded if it is)."""
        return SourceFile(path, self._text, self.size, self.blob_sha, self.redactions, self.data)

    @property
    def content_key(self) -> str:
        """The key of what is derived from ``text`` (token counts, skeletons, terms): the
        blob sha, told apart when the text is redacted, so a cache never serves what was
        made from the secret-bearing text (an ``allow_secrets`` run) for the redacted one."""
        if not self.redactions:
            return self.blob_sha
        return f"{self.blob_sha}+redacted/{secrets.VERSION}"


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str  # posix, relative to the pack root; a folder ends with "/"
    reason: str  # one of SKIP_REASONS
    detail: str  # a sentence for a human; never quotes a secret


@dataclass(frozen=True, slots=True)
class Redacted:
    """A secret replaced in a packed file's text by a marker; never holds the secret."""

    path: str  # posix, relative to the pack root
    kind: str  # the finding's kind: "stripe-key", "password" ...
    line: int  # 1-based line of the secret in the file


@dataclass(frozen=True, slots=True)
class DiscoverOptions:
    max_file_bytes: int = 1_048_576
    include: tuple[str, ...] = ()  # gitignore-style globs; if given, only matching files
    exclude: tuple[str, ...] = ()  # gitignore-style globs, extra (silent) excludes
    default_excludes: tuple[str, ...] | None = None  # None: DEFAULT_EXCLUDES; (): none
    allow_secrets: bool = False
    submodules: bool = False  # descend into submodules (otherwise listed as skipped)
    use_gitignore: bool = True  # False: also untracked files that ignore rules exclude


@dataclass(frozen=True)
class Workspace:
    root: Path  # the folder packed (absolute, resolved)
    repo_root: Path | None  # the git work tree containing it, or None outside git
    files: list[SourceFile] = field(default_factory=list)  # sorted by path
    skipped: list[Skipped] = field(default_factory=list)  # sorted by path
    redacted: list[Redacted] = field(default_factory=list)  # by path, then line
    # what the files and skips were made from: every file read (path, size, blob sha) and
    # every skip not decided by a file's content; equal states give equal workspaces
    state: str = ""


Progress = Callable[[int, int], None]
_Levels = tuple[tuple[str, Rules], ...]  # (folder prefix, its .gitignore) from the top down


# --- candidates ------------------------------------------------------------------------------


@dataclass
class _Found:
    """Candidate paths (relative to the pack root) and the skips found while listing."""

    paths: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _resolve_root(root: str | Path) -> Path:
    path = Path(root).expanduser()
    try:
        resolved = path.resolve(strict=True)
    except FileNotFoundError as exc:
        raise PackError(f"{path}: no such folder; pass the folder to pack") from exc
    except OSError as exc:
        raise PackError(f"{path}: cannot be opened ({exc.strerror}); check the path") from exc
    if not resolved.is_dir():
        raise PackError(
            f"{path} is not a folder; pass the folder that contains it "
            f"(and --include {path.name!r} to pack only that file)"
        )
    return resolved


def _read_rules(path: Path, shown: str, skipped: list[Skipped]) -> Rules | None:
    """The rules of the ignore file at ``path`` (None: there is none, or it is not used).

    One that cannot be used safely (a symlink, a FIFO or device, over
    1 MiB) adds a skip under the name ``shown`` to ``skipped``.
    """
    try:
        data = fsio.read_regular(path, limit=_IGNORE_FILE_LIMIT)
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except fsio.NotRegularFile as exc:
        if exc.kind == "folder":
            return None  # a folder of that name holds no rules
        why = (
            _UNUSABLE_IGNORE_FILE.get(exc.kind) or f"it is larger than {_size(_IGNORE_FILE_LIMIT)}"
        )
        skipped.append(Skipped(shown, "unreadable", _UNUSED + why))
        return None
    except OSError as exc:
        raise PackError(f"cannot read {path} ({exc.strerror}); fix its permissions") from exc
    return Rules(data.decode("utf-8", errors="replace").splitlines())


_UNUSED = "ignore file not used (its patterns do not apply): "
_UNUSABLE_IGNORE_FILE = {
    "link": "it is a symlink",
    "special": "it is not a regular file (a FIFO, socket or device)",
}


def _tomeignores(
    root: Path, repo_root: Path | None, skipped: list[Skipped]
) -> list[tuple[str, Rules]]:
    found: list[tuple[str, Rules]] = []
    if repo_root is not None and repo_root != root:
        shown = os.path.relpath(repo_root / _TOMEIGNORE, root).replace(os.sep, "/")
        rules = _read_rules(repo_root / _TOMEIGNORE, shown, skipped)
        if rules is not None:
            found.append((root.relative_to(repo_root).as_posix() + "/", rules))
    rules = _read_rules(root / _TOMEIGNORE, _TOMEIGNORE, skipped)
    if rules is not None:
        found.append(("", rules))
    return found


def _from_git(
    work_tree: Path, under: str, out_prefix: str, options: DiscoverOptions
) -> Iterator[_Found]:
    """The files git lists under ``under`` (work-tree relative), in batches: tracked files
    first, while git still looks for untracked ones, then those (and submodules' files).

    ``out_prefix`` turns a path relative to ``work_tree/under`` into one relative to the
    pack root (non-empty inside a submodule).
    """
    listing = repo.Listing(work_tree, under, exclude_standard=options.use_gitignore)
    try:
        tracked = listing.tracked()
        cut = len(under) + 1 if under else 0
        repos: list[tuple[str, str]] = []  # (path, what)
        first = _Found()
        for path, mode in tracked.items():
            if mode == repo.MODE_GITLINK:
                repos.append((path, "git submodule"))
            else:
                first.paths.append(out_prefix + path[cut:])
        yield first
        untracked, nested = listing.untracked()
    finally:
        listing.close()
    rest = _Found(paths=[out_prefix + path[cut:] for path in untracked])
    repos.extend((path, "untracked nested git repository") for path in nested)
    for path, what in repos:
        rel = out_prefix + path[cut:]
        sub = work_tree / path
        if not options.submodules:
            rest.skipped.append(
                Skipped(rel + "/", "submodule", f"{what}; not descended (enable submodules)")
            )
        elif not (sub / ".git").exists():
            rest.skipped.append(
                Skipped(
                    rel + "/",
                    "submodule",
                    f"{what}, not checked out; run `git submodule update --init {path}`",
                )
            )
        else:
            yield from _from_git(sub, "", rel + "/", options)
    yield rest


def _walk(root: Path, options: DiscoverOptions, filt: PathFilter, found: _Found) -> None:
    """Walk ``root`` outside git: apply ``.gitignore`` files, prune excluded folders."""
    stack: list[tuple[str, _Levels]] = [("", ())]
    seen: set[tuple[int, int]] = set()
    top = root.stat()
    seen.add((top.st_dev, top.st_ino))

    def ignored(levels: _Levels, path: str) -> bool:
        for base, rules in reversed(levels):
            verdict = rules.verdict(path[len(base) :], leaf=True)
            if verdict is not None:
                return verdict
        return False

    while stack:
        prefix, levels = stack.pop()
        try:
            with os.scandir(root / prefix if prefix else root) as it:
                entries = list(it)
        except OSError as exc:
            found.skipped.append(
                Skipped(prefix, "unreadable", f"cannot list folder ({exc.strerror})")
            )
            continue
        if options.use_gitignore and any(e.name == ".gitignore" for e in entries):
            rules = _read_rules(root / prefix / ".gitignore", prefix + ".gitignore", found.skipped)
            if rules:
                levels = (*levels, (prefix, rules))
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                folder = rel + "/"
                if entry.name in _VCS_DIRS or ignored(levels, folder):
                    continue
                if filt.folder(folder) != "keep":
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    found.skipped.append(
                        Skipped(folder, "unreadable", f"cannot open folder ({exc.strerror})")
                    )
                    continue
                key = (info.st_dev, info.st_ino)
                if key in seen:  # a bind mount or similar loop
                    continue
                seen.add(key)
                stack.append((folder, levels))
            elif entry.name not in _VCS_DIRS and not ignored(levels, rel):
                found.paths.append(rel)


# --- reading -----------------------------------------------------------------------------------


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f} {unit}".replace(".0 ", " ")
    return f"{n} B"


def _too_large(size: int, limit: int) -> str:
    return f"{_size(size)} > limit {_size(limit)} (raise with --max-file-size)"


_BOMS_NOT_UTF8 = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


_UTF8_BOM = b"\xef\xbb\xbf"


def decode_text(data: bytes) -> str:
    """Decode file bytes to prompt text (UTF-8, BOM stripped), or raise NotText."""
    for bom, name in _BOMS_NOT_UTF8:
        if data.startswith(bom):
            raise NotText(f"{name} text (byte order mark); convert it to UTF-8 to pack it")
    nul = data.find(b"\0")
    if nul != -1:
        raise NotText(f"binary data (NUL byte at offset {nul})")
    start = 3 if data.startswith(_UTF8_BOM) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        where = exc.start + start
        raise NotText(f"not UTF-8 text (byte 0x{data[where]:02x} at offset {where})") from None


def tree_digest(files: Sequence[SourceFile]) -> str:
    """A digest of what a tree holds: every file's path and content key, in order."""
    digest = hashlib.sha1(usedforsecurity=False)
    for f in files:
        digest.update(f"{f.path}\0{f.content_key}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _read(path: str, size: int, limit: int, sniff: bool = True) -> bytes:
    """Read a file of ``size`` bytes (from its stat), at most ``limit + 1`` bytes in all.

    One ``read`` call for a file that has not changed since its stat: a short read that
    returns the stat's size is EOF. A file over 64 KiB is sniffed first (unless ``sniff``
    is False: one known to be text): if its first 8 KiB hold a NUL byte (a binary) only
    they are returned. Does not follow a symlink that appeared since the stat.
    """
    fd = os.open(path, _READ_FLAGS)
    try:
        if sniff and size > _SNIFF_ABOVE:
            head = os.read(fd, _SNIFF)
            if b"\0" in head:
                return head
            chunks = [head]
        else:
            chunks = []
        total = sum(map(len, chunks))
        want = min(size, limit) + 1 - total
        while want > 0:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total == size:
                break  # the stat's size: EOF unless the file grew, which the caller sees
            want = limit + 1 - total
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


@dataclass(slots=True)
class _Read:
    path: str
    data: bytes  # empty when only stat-ed (probe)
    text: str | None  # None: not decoded yet (a file the memo knows as UTF-8 text)
    sha: str
    size: int

    def decoded(self) -> str:
        """The text (BOM removed), decoded now if it was not."""
        if self.text is None:
            self.text = SourceFile(self.path, None, self.size, self.sha, data=self.data).text
        return self.text


def _symlink_skip(root: Path, rel: str) -> Skipped:
    link = root / rel
    try:
        written = os.readlink(link)
    except OSError as exc:
        return Skipped(rel, "unreadable", f"cannot read symlink ({exc.strerror})")
    target = Path(os.path.realpath(link))
    if target != root and root not in target.parents:
        return Skipped(rel, "symlink-outside", f"symlink to {written!r}, outside the packed folder")
    if not target.exists():
        return Skipped(rel, "symlink-broken", f"symlink to {written!r}, which does not exist")
    kind = "folder" if target.is_dir() else "file"
    inside = target.relative_to(root).as_posix() or "."
    return Skipped(
        rel,
        "symlink-inside",
        f"symlink to the {kind} {inside!r} inside the packed folder; not followed "
        "(the target is packed under its own path, or left out for its own reason)",
    )


class _MustRead(Exception):
    """A stat-only scan met a file it does not know: only reading it would tell."""


def _load_one(
    root: Path,
    base: str,
    rel: str,
    limit: int,
    memo: _StatMemo | None = None,
    stat_only: bool = False,
    judged: Callable[[str], bool] | None = None,
) -> _Read | Skipped | None:
    """Stat, read, decode and hash one file (None: gone from the working tree).

    ``stat_only``: read nothing; a text file the memo does not know raises _MustRead.
    ``judged(rel)``: whether the content rules (:mod:`assistant.generated`) apply to it.
    """
    full = base + rel
    try:
        info = os.lstat(full)
    except (FileNotFoundError, NotADirectoryError):
        return None  # deleted in the working tree
    except OSError as exc:
        return Skipped(rel, "unreadable", f"cannot stat ({exc.strerror})")
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return _symlink_skip(root, rel)
    if stat.S_ISDIR(mode):
        return None  # a tracked file replaced by a folder: its files are listed themselves
    if not stat.S_ISREG(mode):
        return Skipped(rel, "unreadable", "not a regular file (device, fifo, socket)")
    if info.st_size > limit:
        return Skipped(rel, "too-large", _too_large(info.st_size, limit))
    known_sha, known_why = memo.recall(rel, info) if memo is not None else (None, None)
    if isinstance(known_why, str):
        return Skipped(rel, "binary", known_why)  # not read again: it has not changed
    judge = judged is not None and judged(rel)
    if known_why and judge:
        return Skipped(rel, *known_why)  # generated, as when it was last read
    judge = judge and known_why != ()  # (): judged written, not generated, when last read
    if stat_only:
        if known_sha is None:
            raise _MustRead(rel)
        return _Read(rel, b"", "", known_sha, info.st_size)
    try:
        # a file the memo knows as text is not sniffed for a NUL first
        data = _read(full, info.st_size, limit, sniff=known_sha is None)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return Skipped(rel, "unreadable", f"cannot read ({exc.strerror})")
    if len(data) > limit:  # grew since the stat
        return Skipped(rel, "too-large", _too_large(len(data), limit))
    if known_sha is not None and not judge and len(data) == info.st_size:
        # text with this stat when last read: decoded when (if ever) its text is needed
        text = None if not data.startswith(_UTF8_BOM) else data[3:].decode("utf-8", "replace")
        return _Read(rel, data, text, known_sha, len(data))
    try:
        text = decode_text(data)
    except NotText as exc:
        if memo is not None and (len(data) == info.st_size or b"\0" in data):
            memo.learn(rel, info, None, str(exc))
        return Skipped(rel, "binary", str(exc))
    verdict = content_verdict(rel, text, len(data)) if judge else None
    if known_sha is not None and len(data) == info.st_size and verdict is None:
        if judge and memo is not None:
            memo.learn(rel, info, known_sha, ())
        return _Read(rel, data, text, known_sha, len(data))
    sha = known_sha if known_sha is not None and len(data) == info.st_size else blob_sha(data)
    if memo is not None and len(data) == info.st_size:
        memo.learn(rel, info, sha, () if judge and verdict is None else verdict)
    if verdict is not None:
        return Skipped(rel, *verdict)
    return _Read(rel, data, text, sha, len(data))


def stat_stamp(info: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file unchanged since it was stat-ed: size, mtime, ctime and inode (git's
    index rule; no tool can set the ctime back)."""
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


_Why = str | tuple[str, str] | tuple[()] | None
"""What the memo knows besides a sha: why a file is binary, the content skip of a
generated text file (reason, detail), or ``()``: the content rules judged it written."""
_MemoEntry = tuple[int, int, int, int, str | None, _Why, str | None]
"""size, mtime, ctime, inode; blob sha; why; the secret scan's verdict (None: unknown)."""


class _StatMemo:
    """What earlier discoveries learnt about files that have not changed since.

    Per path: the blob sha of a text file (and its content skip, if generated, and the
    secret scan's verdict), or why a file is binary, with the file's size,
    mtime, ctime and inode when it was read. A file whose four still match is the same
    file: its sha is not computed again and a binary is not read again (git's index works
    the same way). Only files last changed two seconds or more before the discovery began
    are remembered, so a write that lands in the same clock tick as a read cannot hide; the
    ctime (which no tool can set back) is part of both checks. One file per packed folder,
    in the cache's folder, rewritten only when something changed.
    """

    _VERSION = 4
    _SETTLED_NS = 2_000_000_000

    def __init__(self, where: Path) -> None:
        self.where = where
        self.settled_before = time.time_ns() - self._SETTLED_NS
        self.known: dict[str, _MemoEntry] = {}
        self.seen: dict[str, _MemoEntry] = {}
        try:
            version, rules, known = marshal.loads(where.read_bytes())
            if (version, rules) == (self._VERSION, secrets.VERSION) and isinstance(known, dict):
                self.known = known
        except (OSError, EOFError, ValueError, TypeError):
            pass  # none yet, or unreadable: learn again

    @classmethod
    def for_root(cls, cache: Cache | None, root: Path) -> _StatMemo | None:
        where = cache.folder_file("stat", root, ".marshal") if cache is not None else None
        return cls(where) if where is not None else None

    def recall(self, rel: str, info: os.stat_result) -> tuple[str | None, _Why]:
        """(sha, None) for an unchanged text file (``(sha, ())`` when the content rules of
        :mod:`assistant.generated` kept it), (None, why) for a binary, (sha,
        (reason, detail)) for a generated one, else both None."""
        entry = self.known.get(rel)
        if entry is None or entry[:4] != stat_stamp(info):
            return None, None
        self.seen[rel] = entry
        return entry[4], entry[5]

    def unchanged(self, root: Path) -> bool:
        """Whether every remembered file is as remembered (False when none is)."""
        base = str(root) + os.sep
        for rel, entry in self.known.items():
            try:
                info = os.lstat(base + rel)
            except OSError:
                return False
            if entry[:4] != stat_stamp(info):
                return False
        return bool(self.known)

    def learn(self, rel: str, info: os.stat_result, sha: str | None, why: _Why) -> None:
        if max(info.st_mtime_ns, info.st_ctime_ns) < self.settled_before:
            self.seen[rel] = (*stat_stamp(info), sha, why, None)

    def verdict(self, rel: str, sha: str) -> str | None:
        """The secret scan's verdict (:func:`assistant.secrets.encode_verdict`) on the
        file at ``rel`` with blob ``sha``, as this discovery saw it, if remembered."""
        entry = self.seen.get(rel)
        if entry is None or entry[4] != sha or len(entry) < 7:
            return None
        found = entry[6]
        return found if isinstance(found, str) else None

    def remember_verdict(self, rel: str, sha: str, verdict: str) -> None:
        entry = self.seen.get(rel)
        if entry is not None and entry[4] == sha and entry[6:7] != (verdict,):
            self.seen[rel] = (*entry[:6], verdict)

    def save(self) -> None:
        """Keep what this discovery saw (files no longer listed are forgotten)."""
        if self.seen == self.known:
            return
        # an accelerator: unwritten, the next discovery hashes again
        write_file(self.where, marshal.dumps((self._VERSION, secrets.VERSION, self.seen)))


def _load(
    root: Path,
    paths: list[str],
    options: DiscoverOptions,
    skipped: list[Skipped],
    progress: Progress | None,
    on_text: Callable[[str, Callable[[], str]], None] | None = None,
    *,
    done_before: int = 0,
    memo: _StatMemo | None = None,
    stat_only: bool = False,
    judged: Callable[[str], bool] | None = None,
) -> list[_Read]:
    """Read ``paths``; ``done_before`` files were read before (progress counts on)."""
    out: list[_Read] = []
    total = done_before + len(paths)
    limit = options.max_file_bytes
    base = str(root) + os.sep
    # One thread: measured on Django, reader threads lose more to the GIL than they gain.
    for done, rel in enumerate(paths, done_before + 1):
        result = _load_one(root, base, rel, limit, memo, stat_only, judged)
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(done, total)
        if isinstance(result, Skipped):
            skipped.append(result)
        elif result is not None:
            out.append(result)
            if on_text is not None:
                on_text(result.sha, result.decoded)
    if progress is not None:
        progress(total, total)
    return out


def _secret_verdicts(
    reads: list[_Read], cache: Cache | None, memo: _StatMemo | None = None
) -> dict[str, list[secrets.SecretFinding]]:
    """Content-scan findings by blob sha; verdicts the memo or the cache hold are reused,
    new ones stored in both (the memo's are one file read: no query per file)."""
    values: dict[str, str] = {}
    if memo is not None:
        for r in reads:
            value = memo.verdict(r.path, r.sha)
            if value is not None:
                values[r.sha] = value
    unique = {r.sha: r.data for r in reads if r.sha not in values}
    if cache is not None and unique:
        values.update(
            (sha, v)
            for sha, v in cache.get_many(secrets.CACHE_NAMESPACE, list(unique)).items()
            if isinstance(v, str)
        )
    findings: dict[str, list[secrets.SecretFinding]] = {}
    fresh: dict[str, str] = {}
    for sha in {r.sha for r in reads}:
        try:
            found = secrets.decode_verdict(values[sha])
        except (KeyError, ValueError):  # a miss, or a value this version did not write
            data = unique.get(sha)
            if data is None:  # the memo's value was damaged: the bytes are still here
                data = next(r.data for r in reads if r.sha == sha)
            found = secrets.find_secrets(data)
            values[sha] = fresh[sha] = secrets.encode_verdict(found)
        if found:
            findings[sha] = found
    if cache is not None and fresh:
        cache.put_many(secrets.CACHE_NAMESPACE, fresh)
    if memo is not None:
        for r in reads:
            memo.remember_verdict(r.path, r.sha, values[r.sha])
    return findings


def _redacted(
    r: _Read, found: list[secrets.SecretFinding]
) -> tuple[SourceFile, list[Redacted]] | Skipped:
    """The file with its secrets replaced by markers, or a skip when nothing useful would
    be left (or the file is a secret by nature: a kubeconfig, a registry login)."""
    whole = secrets.drops_whole_file(r.data, found)
    if whole is None:
        try:
            text = decode_text(secrets.redact(r.data, found))
        except NotText:  # a span that cut a character: leave the file out instead
            whole = found[0]
        else:
            source = SourceFile(r.path, text, len(r.data), r.sha, len(found))
            return source, [Redacted(r.path, f.kind, f.line) for f in found]
    return Skipped(r.path, "secret-content", whole.describe())


# --- the stage ---------------------------------------------------------------------------------


def discover(
    root: str | Path,
    options: DiscoverOptions = DiscoverOptions(),  # frozen: a safe default
    *,
    cache: Cache | None = None,
    progress: Progress | None = None,
    on_text: Callable[[str, Callable[[], str]], None] | None = None,
) -> Workspace:
    """The files under ``root`` that go into a prompt, and those left out with a reason.

    ``cache`` keeps secret-scan verdicts by blob sha and, beside it, what each file's stat
    says it still is (None: scan and hash every file).
    ``progress(done, total)`` is called while files are read. ``on_text(blob_sha, text_of)``
    is called as each file is read, before the secret scan decides whether it stays, with a
    callable that gives its text (decoding it if need be): a consumer may start work early
    (the packer counts tokens ahead) but must take its list of files from the result. Raises PackError for a path that is not a folder, GitError when
    git fails on a repository.
    """
    top = _resolve_root(root)
    memo = _StatMemo.for_root(cache, top)
    repo_root, reads, skipped = _scan(top, options, memo, progress, on_text, cache=cache)
    state = _state(reads, skipped)
    findings = {} if options.allow_secrets else _secret_verdicts(reads, cache, memo)
    if memo is not None:
        memo.save()
    files: list[SourceFile] = []
    redacted: list[Redacted] = []
    for r in reads:
        if not options.allow_secrets:
            finding = (
                secrets.secret_in_config(r.path, r.decoded())
                if secrets.is_token_config(r.path)
                else None
            )
            if finding is not None:
                skipped.append(Skipped(r.path, "secret-name", finding.describe()))
                continue
            found = findings.get(r.sha)
            if found:
                result = _redacted(r, found)
                if isinstance(result, Skipped):
                    skipped.append(result)
                else:
                    files.append(result[0])
                    redacted += result[1]
                continue
        data = None if r.data.startswith(_UTF8_BOM) else r.data
        files.append(SourceFile(r.path, r.text, len(r.data), r.sha, data=data))
    files.sort(key=lambda f: f.path)
    skipped.sort(key=lambda s: s.path)
    redacted.sort(key=lambda d: (d.path, d.line))
    return Workspace(
        root=top,
        repo_root=repo_root,
        files=files,
        skipped=skipped,
        redacted=redacted,
        state=state,
    )


def rebase(workspace: Workspace, top: Path) -> Workspace:
    """``workspace`` with its paths relative to ``top``, a folder at or above its root.

    A subfolder packed for an edit names its files from the repository root (``pkg/a.py``,
    not ``a.py``), so the model's edits, the journal and the history all speak of the same
    path (:attr:`assistant.session.Assistant.scope`).
    """
    top = Path(top).resolve()
    try:
        inside = workspace.root.relative_to(top).as_posix()
    except ValueError:
        raise PackError(f"{workspace.root} is not inside {top}") from None
    if inside == ".":
        return workspace
    prefix = inside + "/"
    state = hashlib.sha1(f"{prefix}\0{workspace.state}".encode(), usedforsecurity=False)
    return dataclasses.replace(
        workspace,
        root=top,
        files=[f.with_path(prefix + f.path) for f in workspace.files],
        skipped=[dataclasses.replace(k, path=prefix + k.path) for k in workspace.skipped],
        redacted=[dataclasses.replace(r, path=prefix + r.path) for r in workspace.redacted],
        state=state.hexdigest(),
    )


def probe(
    root: str | Path, options: DiscoverOptions = DiscoverOptions(), *, cache: Cache | None
) -> str | None:
    """:attr:`Workspace.state` of what :func:`discover` would return now, without reading
    a file; None unless every file to read is one the cache knows unchanged (by its stat).

    A changed tree is usually told in a few milliseconds: the files the memo remembers are
    stat-ed first, before git lists the tree and the path rules are applied.
    """
    top = _resolve_root(root)
    memo = _StatMemo.for_root(cache, top)
    if memo is None or not memo.unchanged(top):
        return None
    try:
        _, reads, skipped = _scan(top, options, memo, None, None, stat_only=True, cache=cache)
    except _MustRead:
        return None
    return _state(reads, skipped)


def _state(reads: Sequence[_Read], skipped: Sequence[Skipped]) -> str:
    """Digest of the files read (path, size, sha) and the skips made before any content
    check; the secret checks that follow depend on nothing else."""
    digest = hashlib.sha1(usedforsecurity=False)
    for r in sorted(reads, key=lambda r: r.path):
        digest.update(f"F\0{r.path}\0{r.size}\0{r.sha}\0".encode("utf-8", "surrogatepass"))
    for k in sorted(skipped, key=lambda k: (k.path, k.reason)):
        digest.update(f"S\0{k.path}\0{k.reason}\0{k.detail}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _no_match(globs: Sequence[str], top: Path) -> str:
    """The error for include globs that matched nothing: packing the rest would send a
    prompt without the files the user asked for."""
    said = ", ".join(repr(g) for g in globs)
    which = "it matches" if len(globs) == 1 else "they match"
    return (
        f"nothing to pack for the include {'glob' if len(globs) == 1 else 'globs'} {said}: "
        f"{which} no file under {top} (files that ignore rules or excludes leave out do not "
        "count); check the spelling (globs are relative to the packed folder, as "
        "'src/app.py' or 'src/**/*.py')"
    )


_BAD_NAME = "the name is not valid UTF-8, so a model could not name it back; rename it to pack it"


def _is_utf8(path: str) -> bool:
    """Whether a listed path (bad bytes arrive as lone surrogates) is valid UTF-8."""
    if path.isascii():
        return True
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kept(
    paths: Iterable[str], filt: PathFilter, options: DiscoverOptions, skipped: list[Skipped]
) -> list[str]:
    """The listed paths the rules keep; a path left out for a reason is added to ``skipped``."""
    kept: list[str] = []
    for path in paths:
        if filt.ancestors(path) != "keep":
            continue
        verdict, why = filt.file(path)
        if verdict == "silent":
            continue
        if verdict == "default":
            skipped.append(Skipped(path, "default-exclude", why))
            continue
        if not _is_utf8(path):
            skipped.append(Skipped(path, "bad-name", _BAD_NAME))
            continue
        if not options.allow_secrets and (finding := secrets.secret_by_name(path)):
            skipped.append(Skipped(path, "secret-name", finding.describe()))
            continue
        kept.append(path)
    return kept


_PATHS_NS = namespace("paths")


def _kept_remembered(
    paths: list[str],
    filt: PathFilter,
    options: DiscoverOptions,
    skipped: list[Skipped],
    cache: Cache | None,
) -> list[str]:
    """:func:`_kept`, remembered by the listing and the rules: the verdicts on a listing
    depend on nothing else, and judging Django's 6,700 paths took a fifth of a warm pack.
    A hit gives the same kept paths and skips, and tells ``filt`` the same skipped folders
    and included files, as judging them again would; a damaged entry is a miss."""
    if cache is None or cache.path is None or not paths:
        return _kept(paths, filt, options, skipped)
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{_rules_stamp()}\0{filt.key}\0{options.allow_secrets}\0".encode())
    digest.update("\0".join(paths).encode("utf-8", "surrogatepass"))
    key = digest.hexdigest()
    hit = cache.get(_PATHS_NS, key)
    if isinstance(hit, bytes):
        try:
            kept_at, skips, dirs, included = marshal.loads(hit)
            kept = [paths[i] for i in kept_at]
            found = [Skipped(*s) for s in skips]
            if not all(isinstance(x, str) for s in skips for x in s):
                raise TypeError(skips)
            folders = {str(k): str(v) for k, v in dirs}
            files = [paths[i] for i in included]
        except (ValueError, TypeError, EOFError, IndexError):
            pass  # not one this version wrote: judge again
        else:
            skipped.extend(found)
            filt.skipped_dirs.update(folders)
            filt.included.extend(files)
            return kept
    before, dirs_before, included_before = len(skipped), dict(filt.skipped_dirs), len(filt.included)
    kept = _kept(paths, filt, options, skipped)
    index = {p: i for i, p in enumerate(paths)}
    value = (
        [index[p] for p in kept],
        [(s.path, s.reason, s.detail) for s in skipped[before:]],
        [(k, v) for k, v in filt.skipped_dirs.items() if k not in dirs_before],
        [index[p] for p in filt.included[included_before:]],
    )
    cache.put(_PATHS_NS, key, marshal.dumps(value))
    return kept


@functools.cache
def _rules_stamp() -> str:
    """The code that judges paths, as of now (an upgrade or an edit changes the stamp)."""
    here = Path(__file__).parent
    stamps = []
    for name in ("workspace.py", "pathrules.py", "secrets.py", "secretrules.py"):
        with contextlib.suppress(OSError):
            info = (here / name).stat()
            stamps.append(f"{name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps)


def _scan(
    top: Path,
    options: DiscoverOptions,
    memo: _StatMemo | None,
    progress: Progress | None,
    on_text: Callable[[str, Callable[[], str]], None] | None,
    *,
    stat_only: bool = False,
    cache: Cache | None = None,
) -> tuple[Path | None, list[_Read], list[Skipped]]:
    """List, filter by path (the verdicts remembered in ``cache``) and read (or,
    ``stat_only``, only stat) the candidates of the resolved folder ``top``; also its git
    work tree, if any."""
    if options.max_file_bytes < 0:
        raise PackError(f"max_file_bytes must be >= 0, not {options.max_file_bytes}")
    repo_root = repo.work_tree_of(top)
    unused: list[Skipped] = []  # ignore files whose rules are not used
    filt = PathFilter(
        include=options.include,
        exclude=options.exclude,
        default_excludes=options.default_excludes,
        tomeignores=_tomeignores(top, repo_root, unused),
    )
    skipped: list[Skipped] = []
    if repo_root is not None:
        under = top.relative_to(repo_root).as_posix()
        batches: Iterable[_Found] = _from_git(repo_root, "" if under == "." else under, "", options)
    else:
        walked = _Found()
        _walk(top, options, filt, walked)
        batches = (walked,)

    listed: list[Skipped] = []  # skips found while listing, judged below
    reads: list[_Read] = []
    attempted = 0
    for found in batches:  # each batch is read while git lists the next
        listed.extend(found.skipped)
        kept = _kept_remembered(found.paths, filt, options, skipped, cache)
        reads += _load(
            top,
            kept,
            options,
            skipped,
            progress,
            on_text,
            done_before=attempted,
            memo=memo,
            stat_only=stat_only,
            judged=filt.judges_content,
        )
        attempted += len(kept)
    missing = filt.unmatched_includes()
    if missing:
        raise PackError(_no_match(missing, top))
    # a submodule (or unreadable folder) that a rule excludes is not reported as such
    skipped.extend(
        s
        for s in listed
        if filt.ancestors(s.path) == "keep"
        and (not s.path.endswith("/") or filt.folder(s.path) == "keep")
    )
    skipped.extend(Skipped(d, "default-exclude", why) for d, why in filt.skipped_dirs.items())

    # an unused ignore file is reported once, saying so (not also as, say, a symlink)
    unused.extend(s for s in skipped if s.detail.startswith(_UNUSED))
    said = {s.path for s in unused}
    skipped = [s for s in skipped if s.path not in said] + unused
    return repo_root, reads, skipped
