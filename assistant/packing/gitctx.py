"""Git context for a pack: the uncommitted diff, the changes since a ref, the recent log.

``--diff``, ``--since REF`` and ``--log N`` (:class:`GitOptions`) add sections that the
renderer places after the repository and before the task: they change more often than the
files, so a prefix cache keeps everything before them (:mod:`.render`).

Trust: REF is the user's (trusted), but it is handed to git after ``--end-of-options`` and
refused when it starts with ``-``, so it is never read as an option. What git prints (diffs,
commit subjects) is the repository's content, untrusted like its files: secrets in it are
replaced by markers as in a file (:mod:`assistant.secrets`), the renderer escapes it, and it
covers only the files the pack holds (a file left out for a secret or an exclude rule is not
shown through its diff). Git's output is read by shape with ``-z`` (:func:`parse_log`), never
split at a mark a subject or a name could hold, and names are read exactly as the workspace
reads them, whatever bytes they hold (no ``core.quotepath`` quoting, no replaced bytes). Diffs are made with ``--no-ext-diff --no-textconv``: no program the
repository's attributes name runs.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from .. import repo, secrets
from ..errors import ConfigError, PackError
from ..workspace import Redacted

__all__ = ["GitContext", "GitOptions", "check_ref", "collect"]

_DIFF = ("--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--relative")
_LOG_SCAN = 2000  # commits looked through for the last N that touch the packed files


@dataclass(frozen=True, slots=True)
class GitOptions:
    """Which git sections a pack adds (none by default)."""

    diff: bool = False  # the uncommitted changes, staged and unstaged
    since: str | None = None  # a ref: the files changed since it go first, with the diff
    log: int = 0  # the last N commit subjects touching the packed files

    def __bool__(self) -> bool:
        return self.diff or self.since is not None or self.log > 0


@dataclass(frozen=True, slots=True)
class GitContext:
    """The git sections as they are shown, with what was redacted in them."""

    diff: str = ""  # ``git diff HEAD`` of the packed files
    since: str | None = None  # the ref as the user gave it
    since_commit: str = ""  # what it named
    since_files: tuple[str, ...] = ()  # packed files changed since it
    since_diff: str = ""
    log: tuple[str, ...] = ()  # "sha date subject", newest first
    redacted: tuple[Redacted, ...] = ()


def check_ref(ref: str) -> None:
    """Refuse a ref git could read as an option, before anything runs."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise ConfigError(
            f"--since needs a branch, tag or commit; {ref!r} is not one "
            "(a ref may not be empty, start with '-' or hold a line break)",
            setting="since",
        )


def collect(
    root: Path, scope: str, options: GitOptions, packed: Collection[str], *, allow_secrets: bool
) -> GitContext:
    """The sections ``options`` ask for, for the packed files ``packed`` (paths from ``root``)."""
    if not options:
        return GitContext()
    if options.log < 0:
        raise ConfigError(f"--log needs a number of commits, 0 or more, not {options.log}")
    if repo.work_tree_of(root) is None:
        raise PackError(
            f"{root} is not in a git repository: --diff, --since and --log need git history"
        )
    where = (scope,) if scope else (".",)
    found: list[Redacted] = []

    def clean(text: str, label: str) -> str:
        return _redact(text, label, found, allow_secrets)

    diff = (
        clean(_diff(root, _head_or_empty(root), where, packed), "git diff") if options.diff else ""
    )
    since_commit, since_diff = "", ""
    since_files: tuple[str, ...] = ()
    if options.since is not None:
        since_commit = _commit_of(root, options.since)
        since_files = _changed(root, since_commit, where, packed)
        since_diff = clean(_diff(root, since_commit, where, packed), f"git diff {options.since}")
    log = tuple(clean(line, "git log") for line in _log(root, options.log, where, packed))
    return GitContext(diff, options.since, since_commit, since_files, since_diff, log, tuple(found))


def _git(root: Path, *args: str) -> str:
    return _git_bytes(root, *args).decode("utf-8", "replace")


def _git_bytes(root: Path, *args: str) -> bytes:
    done = repo.run(args, root)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PackError(f"git {args[0]} failed in {root}: {said[-1] if said else 'no message'}")
    return done.stdout


def _commit_of(root: Path, ref: str) -> str:
    check_ref(ref)
    done = repo.run(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"], root
    )
    if done.returncode != 0:
        raise ConfigError(
            f"--since {ref!r}: no such branch, tag or commit in {root} "
            "(a shallow clone may not have it: fetch more history)",
            setting="since",
        )
    return done.stdout.decode().strip()


def _head_or_empty(root: Path) -> str:
    """HEAD, or the empty tree in a repository with no commit yet."""
    head = repo.head_sha(root)
    if head is not None:
        return head
    return _git(root, "hash-object", "-t", "tree", "--stdin").strip()  # stdin closed: empty


def _changed(
    root: Path, base: str, where: tuple[str, ...], packed: Collection[str]
) -> tuple[str, ...]:
    """Packed files whose working-tree text differs from ``base`` (committed or not), and
    files gone since then."""
    out = _git_bytes(root, "diff", *_DIFF, "--name-only", "-z", base, "--", *where)
    names = [_name(n) for n in out.split(b"\0") if n]
    return tuple(n for n in names if n in packed or not (root / n).exists())


def _diff(root: Path, base: str, where: tuple[str, ...], packed: Collection[str]) -> str:
    """The diff from ``base`` to the working tree (staged and unstaged) of the packed files."""
    paths = _changed(root, base, where, packed)
    if not paths:
        return ""
    literal = [f":(literal){p}" for p in paths]
    return _git(root, "diff", *_DIFF, base, "--", *literal)


def _log(root: Path, count: int, where: tuple[str, ...], packed: Collection[str]) -> list[str]:
    """The last ``count`` commits that touch a packed file: short sha, date, subject."""
    if count <= 0 or repo.head_sha(root) is None:
        return []
    out = _git_bytes(
        root,
        "log",
        f"-n{_LOG_SCAN}",
        "--no-show-signature",
        "--date=short",
        "--format=%H %h %ad %s",
        "-z",
        "--raw",
        "--relative",
        "--no-renames",
        "--",
        *where,
    )
    lines: list[str] = []
    for header, names in parse_log(out):
        if any(n in packed for n in names):
            lines.append(_CONTROL.sub(" ", header.split(" ", 1)[1]))
            if len(lines) == count:
                break
    return lines


_COMMIT = re.compile(rb"\A(?:[0-9a-f]{64}|[0-9a-f]{40}) ")  # a sha1 or sha256 commit line
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # a subject stays on its line


def parse_log(data: bytes) -> list[tuple[str, tuple[str, ...]]]:
    """Commits from ``git log -z --raw --format='%H ...'``, each as (its line, its paths).

    Read by shape, never by a mark in the text: with ``-z`` a commit line ends in NUL
    (git cuts a message at a NUL, and ``%s`` folds line breaks), then each change is a
    ``:mode mode sha sha STATUS`` field and its path (two paths for a rename or copy),
    each NUL-terminated. A field where a status belongs that does not start with ``:`` is
    the next commit line, and no path is ever read where a status belongs, so neither a
    subject nor a name can forge a commit or a path. Paths are decoded as the workspace
    decodes names (UTF-8, other bytes kept by ``surrogateescape``), so they compare exactly.
    A field of no known shape ends the reading (what was read before it stands)."""
    fields = data.split(b"\0")
    commits: list[tuple[str, tuple[str, ...]]] = []
    i = 0
    while i < len(fields):
        line = fields[i].removeprefix(b"\n")
        i += 1
        if not _COMMIT.match(line):
            if line:
                break  # not git's shape: stop rather than guess
            continue
        paths: list[str] = []
        while i < len(fields) and fields[i].removeprefix(b"\n").startswith(b":"):
            status = fields[i].rsplit(b" ", 1)[-1]
            take = 2 if status[:1] in (b"R", b"C") else 1
            paths += [_name(n) for n in fields[i + 1 : i + 1 + take]]
            i += 1 + take
        commits.append((line.decode("utf-8", "replace"), tuple(paths)))
    return commits


def _name(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _redact(text: str, label: str, found: list[Redacted], allow_secrets: bool) -> str:
    if allow_secrets or not text:
        return text
    data = text.encode("utf-8", "surrogateescape")
    findings = secrets.find_secrets(data)
    if not findings:
        return text
    found.extend(Redacted(label, f.kind, f.line) for f in findings)
    return secrets.redact(data, findings).decode("utf-8", "replace")
