"""The scratch tree: a checkout of the user's *current* tree where checks run, never theirs.

Checks (:mod:`assistant.verify`) run a project's tests on a proposed changeset before the
user's tree is touched. They run here:

- **Snapshot.** The current tree, uncommitted changes and untracked files that are not
  ignored included (``.tome/`` left out), becomes a git tree object: ``git add -A`` into a
  *temporary index* (a copy of the user's, so files whose stat data still matches are not
  hashed again), then ``git write-tree``. Its objects go into the scratch repository's own
  object folder (``GIT_OBJECT_DIRECTORY``; the user's objects are read as alternates), so
  the user's tree, index, HEAD, branches, stash, worktree list, even ``.git/objects``, are
  byte for byte as they were. Clean filters that only the repository's own git config
  defines are switched off for it (as :func:`assistant.repo.commit_paths` does): the
  repository is untrusted.
- **Scratch repository.** One per user repository, kept in the user cache
  (``<cache>/scratch/<sha of the root's path>/``): a plain ``git init`` whose
  ``objects/info/alternates`` names the user's object folder, so nothing of the history is
  copied. It is not a ``git worktree add``: that would register itself in the user's
  worktree list. Each use resets it (``git reset --hard`` to the snapshot's commit, then
  ``git clean -fd``), which rewrites only the files that differ: ignored build output
  (``__pycache__``, ``target/``) stays, so a second check is as warm as a second run at
  home. A scratch another tome holds (a lock file) is not waited for: a temporary one is
  made and removed. Measured on Django (6,800 files, a 50-file change; ``bench/loop.py``, on
  a busy 2-core machine): the first check's checkout 1.7-5 s, up to twice a
  ``git worktree add`` (0.9 s at best), paid once per repository; then a reset 0.4-0.6 s,
  the snapshot 0.3-0.6 s, the whole check (compileall and ruff on the 50 files) about 2 s.
- **The project's environment.** A check needs what the tree has but git does not: a
  virtualenv, ``node_modules``. Each ignored, top-level *real* folder of the user's tree that
  is an environment (a ``pyvenv.cfg`` in it: ``.venv``, ``venv``, any name; or
  ``node_modules``) is linked into the scratch under the same name (a symlink, nothing
  copied) and named in the scratch's ``info/exclude``, so ``git clean`` keeps the link. A
  link in the user's tree is not followed (the repository is untrusted). Build outputs are
  not linked: the scratch keeps its own (warm after the first check), and a build there never
  writes into the user's. Writes of a changeset stay confined (no symlink in a path), so an
  edit cannot reach an environment through its link; a command the user chose can, as it can
  at home.
- **Which source the commands import** (:meth:`Scratch.environ`). A package installed
  editable (``pip install -e .``) puts the user's ``src/`` (or root) on every ``sys.path``
  through a ``.pth`` file, so a test in the scratch would import the user's code, not the
  edit: a false pass. The commands get ``PYTHONPATH`` with the scratch's ``src/`` (when
  there is one) and the scratch root first (the root only for a Python project), which come
  before ``site-packages``. Entries of ``PATH``, ``PYTHONPATH`` and ``VIRTUAL_ENV`` that
  point into the user's tree are pointed at the same place in the scratch (an activated
  ``.venv/bin`` runs through its link, with the same packages).
- **Writes.** A changeset's texts are written through the same confinement as an apply
  (:func:`assistant.worktree.plan_writes`: no absolute paths, no ``..``, nothing in
  ``.git/``, no symlink in the path, nothing outside), then with
  :func:`assistant.fsio.atomic_write` from the scratch root without following links.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from . import fsio, repo, worktree
from .errors import ConfigError, GitError
from .paths import cache_dir

__all__ = ["Scratch", "Snapshot", "open_scratch"]

_SNAPSHOT_INDEX = "tome-snapshot-index"
_IDENTITY = ("-c", "user.name=tome", "-c", "user.email=tome@localhost")
_FIXED_DATE = "1700000000 +0000"  # a snapshot's commit is the same object for the same tree
_PYTHON_PROJECT = ("pyproject.toml", "setup.py", "setup.cfg")
_TIMEOUT = 600.0  # git over a very large tree; a hung git is a GitError, not a hang


@dataclass(frozen=True)
class Snapshot:
    """The current tree as git objects: its tree sha (the baseline's cache key) and a commit
    of it in the scratch repository."""

    tree: str
    commit: str


def _git(args: list[str], cwd: Path, *, env: Mapping[str, str] | None = None) -> str:
    done = repo.run(args, cwd, env=env, timeout=_TIMEOUT)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {args[0]} failed in {cwd}: {said or f'exit {done.returncode}'}")
    return done.stdout.decode("utf-8", "surrogateescape")


def _git_line(args: list[str], cwd: Path, *, env: Mapping[str, str] | None = None) -> str:
    """One line of git output (a path, a sha) with only its newline cut: a path may end in
    whitespace, which ``.strip()`` would lose."""
    out = _git(args, cwd, env=env)
    return out[:-1] if out.endswith("\n") else out


def _repository_filters(root: Path) -> list[str]:
    """``-c`` values that switch off filter drivers the repository's own config defines."""
    done = repo.run(
        [
            "config",
            "--show-scope",
            "--null",
            "--get-regexp",
            r"^filter\..*\.(clean|process|required)$",
        ],
        root,
    )
    fields = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    overlay: list[str] = []
    for scope, entry in zip(fields[0::2], fields[1::2], strict=False):
        key = entry.partition("\n")[0]
        if scope in ("local", "worktree"):
            overlay += ["-c", f"{key}={'false' if key.endswith('.required') else ''}"]
    return overlay


class Scratch:
    """One scratch repository, held (locked) by the caller: snapshot, reset, write."""

    def __init__(self, root: Path, path: Path) -> None:
        self.root = root
        """The user's work tree (read only)."""
        self.path = path
        """The scratch work tree, where commands run."""

    @property
    def _git_dir(self) -> Path:
        return self.path / ".git"

    def prepare(self) -> None:
        """Create the scratch repository if it is not there, its alternates pointing at the
        user's objects."""
        common = _git_line(["rev-parse", "--path-format=absolute", "--git-common-dir"], self.root)
        objects = Path(common) / "objects"
        if not (self._git_dir / "HEAD").is_file():
            self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
            _git(["init", "-q", str(self.path)], self.path)
        alternates = self._git_dir / "objects" / "info" / "alternates"
        line = f"{objects}\n".encode()
        if not alternates.is_file() or alternates.read_bytes() != line:
            fsio.atomic_write(alternates, line)

    def snapshot(self) -> Snapshot:
        """The user's current tree as objects in the scratch repository (see the module)."""
        index = self._git_dir / _SNAPSHOT_INDEX
        user_index = Path(
            _git_line(["rev-parse", "--path-format=absolute", "--git-path", "index"], self.root)
        )
        with contextlib.suppress(FileNotFoundError):
            index.unlink()
        if user_index.is_file():
            shutil.copyfile(user_index, index)  # stat data: unchanged files are not re-hashed
        common = _git_line(["rev-parse", "--path-format=absolute", "--git-common-dir"], self.root)
        env = {
            "GIT_INDEX_FILE": str(index),
            "GIT_OBJECT_DIRECTORY": str(self._git_dir / "objects"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(Path(common) / "objects"),
        }
        filters = _repository_filters(self.root)
        _git([*filters, "add", "-A"], self.root, env=env)
        _git(["rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", ".tome"], self.root, env=env)
        tree = _git_line([*filters, "write-tree"], self.root, env=env)
        with contextlib.suppress(FileNotFoundError):
            index.unlink()
        dated = {"GIT_AUTHOR_DATE": _FIXED_DATE, "GIT_COMMITTER_DATE": _FIXED_DATE}
        commit = _git_line([*_IDENTITY, "commit-tree", tree, "-m", "tome: snapshot"], self.path,
                           env=dated)  # fmt: skip
        return Snapshot(tree, commit)

    def reset(self, snapshot: Snapshot) -> None:
        """Make the scratch tree exactly the snapshot (ignored build output kept)."""
        _git(["reset", "-q", "--hard", snapshot.commit], self.path)
        _git(["clean", "-fdq"], self.path)

    def link_environments(self) -> tuple[str, ...]:
        """Link the user's ignored environment folders into the scratch (see the module);
        the names linked."""
        names = tuple(_environments(self.root))
        exclude = self._git_dir / "info" / "exclude"
        lines = "".join(f"/{name}\n" for name in names).encode()
        if not exclude.is_file() or exclude.read_bytes() != lines:
            fsio.atomic_write(exclude, lines)
        for name in names:
            link = self.path / name
            target = str(self.root / name)
            with contextlib.suppress(FileNotFoundError):
                if os.readlink(link) == target:
                    continue
            if link.is_symlink():
                link.unlink()
            elif link.exists():
                continue  # the scratch has its own (a tracked folder of that name)
            os.symlink(target, link, target_is_directory=True)
        return names

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for the commands (see the module): ``base`` (the process's)
        with the user's tree pointed at the scratch and the scratch's source first."""
        env = dict(os.environ if base is None else base)
        for key in ("PATH", "PYTHONPATH", "VIRTUAL_ENV"):
            if env.get(key):
                env[key] = os.pathsep.join(self._moved(p) for p in env[key].split(os.pathsep))
        first = [str(self.path / "src")] if (self.path / "src").is_dir() else []
        if any((self.path / name).is_file() for name in _PYTHON_PROJECT):
            first.append(str(self.path))
        if first:
            env["PYTHONPATH"] = os.pathsep.join([*first, *filter(None, [env.get("PYTHONPATH")])])
        return env

    def _moved(self, entry: str) -> str:
        """``entry`` in the scratch when it names a place in the user's tree."""
        for root in {str(self.root), os.path.realpath(self.root)}:
            if entry == root or entry.startswith(root.rstrip(os.sep) + os.sep):
                return str(self.path) + entry[len(root) :]
        return entry

    def write(self, texts: Mapping[str, str | None]) -> None:
        """Write a changeset's texts (None: remove the file), confined as an apply is."""
        real_root = Path(os.path.realpath(self.path))
        for change in worktree.plan_writes(self.path, texts):
            if change.new is None:
                _unlink(real_root, change.path)
            else:
                target = real_root / change.path
                fsio.atomic_write(target, change.new, root=real_root, mode=change.mode)


def _environments(root: Path) -> list[str]:
    """The ignored top-level folders of ``root`` that are environments (see the module)."""
    done = repo.run(
        ["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], root
    )
    if done.returncode != 0:
        return []
    names: list[str] = []
    for entry in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        name = entry.rstrip("/")
        if not name or "/" in name or name in (".git", ".tome"):
            continue
        path = root / name
        if path.is_symlink() or not path.is_dir():
            continue  # a link of the repository's is not followed
        if name == "node_modules" or (path / "pyvenv.cfg").is_file():
            names.append(name)
    return sorted(names)


def _unlink(real_root: Path, rel: str) -> None:
    target = real_root / rel
    with (
        contextlib.suppress(FileNotFoundError),
        fsio.open_parent(target, root=real_root, create=False) as dfd,
    ):
        st = os.stat(target.name, dir_fd=dfd, follow_symlinks=False)
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(target.name, dir_fd=dfd)


def scratch_path(root: Path) -> Path:
    """Where the scratch repository of the user's repository ``root`` lives."""
    key = hashlib.sha256(os.fsencode(os.path.realpath(root))).hexdigest()[:20]
    return cache_dir() / "scratch" / key


@contextlib.contextmanager
def open_scratch(root: Path) -> Iterator[Scratch]:
    """The scratch of ``root``'s repository, locked for the caller; a temporary one (removed
    after) when another process holds it. ``root`` must be in a git work tree."""
    top = repo.work_tree_of(Path(root))
    if top is None:
        raise ConfigError(
            f"{root}: not in a git repository; checks run in a scratch checkout of the "
            "current tree, which needs git (run 'git init' and add the files)"
        )
    where = scratch_path(top)
    where.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    lock = os.open(where.parent / f"{where.name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    temp: Path | None = None
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            temp = Path(tempfile.mkdtemp(prefix="tome-scratch-"))
            where = temp
        scratch = Scratch(top, where)
        scratch.prepare()
        yield scratch
    finally:
        os.close(lock)  # releases the lock
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)
