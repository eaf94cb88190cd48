"""The git edge: where the repository root is found, and the only module that runs git.

**The root, one rule.** :func:`find_root` is the repository root of a start folder: the top
of the git work tree holding it (``git rev-parse --show-toplevel``), else the start folder
itself. Every command (``pack``, ``ask``, ``apply``, ``review``, ``undo``, ``history``,
``trust``), the TUI, :class:`~assistant.session.Assistant` and :func:`~assistant.config.
load_settings` use it, so each works the same from any subfolder and ``.tome/`` (history,
journal, pack) lives at the root only. A linked work tree (``git worktree add``: its
``.git`` is a file) is a root of its own. Paths the user gives (``-C DIR``, a patch file)
are relative to the start folder; paths inside the repository (a patch's, an edit's, the
journal's, the history's) are relative to the root. What a subfolder start packs is as it
was: ``tome pack [DIR]`` packs that folder, its paths relative to it (a file for people and
other tools); ``tome ask`` packs its ``-C DIR`` (default: the current folder) with the paths
named from the root (``pkg/a.py``, :attr:`assistant.session.Assistant.scope`), so the
model's edits are root paths like any patch's; the TUI packs the whole repository.

**Running git.** Every git process starts here (:func:`run`, :func:`start` and GitPython in
:func:`commit_paths`), with :data:`GIT_SAFETY`, stdin closed unless fed, and a failure to
start or a timeout raised as :class:`~assistant.errors.GitError`. GitPython (and with it the
``git`` executable) is imported on first use, only for commits: importing it costs 85-140 ms,
a fifth of what a warm pack of Django may take in all, so the read-only queries on every
pack's path (:func:`work_tree_of`, :class:`Listing`) run the executable directly.

Also here: blob shas (:func:`blob_sha`, what ``git hash-object`` prints) and the exclude
file that keeps ``.tome/`` out of ``git status`` (:func:`exclude_state_dir`).
"""

from __future__ import annotations

import hashlib
import os
import shlex
import stat
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, GitError

if TYPE_CHECKING:
    import git

__all__ = [
    "GIT_SAFETY",
    "MODE_GITLINK",
    "MODE_SYMLINK",
    "Commit",
    "Listing",
    "blob_sha",
    "commit_paths",
    "drop_commit",
    "exclude_state_dir",
    "find_root",
    "git_command",
    "head_sha",
    "run",
    "start",
    "tracks",
    "work_tree_of",
]

# Passed to every git call. A work tree's ``.git`` can be a file that points at a git
# folder the repository brings (or an archive can carry its own ``.git/config``), and git
# runs commands that config names: the file-system monitor on every query that reads the
# index (``ls-files``, ``update-index``, ...), hooks (``update-ref`` runs
# ``reference-transaction``). tome needs none of them, from any config.
GIT_SAFETY = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null")

# Settings that make the commands of :func:`commit_paths` run a program: clean filters
# (``update-index`` of a path whose attributes name a driver) and signing (``commit-tree``
# with ``commit.gpgSign``). They are honoured from the user's config (system, global, the
# environment); where the repository's own config (scope local or worktree) sets one, tome
# puts back the user's value, or a value that runs nothing (:data:`_NEUTRAL`).
_COMMAND_KEYS = (
    r"^(filter\..+\.(clean|smudge|process|required)"
    r"|commit\.gpgsign|gpg\.format|gpg\.program|gpg\.[a-z0-9]+\.program"
    r"|gpg\.ssh\.defaultkeycommand)$"
)
_TRUSTED_SCOPES = frozenset({"system", "global", "command"})
_NEUTRAL = {
    "commit.gpgsign": "false",
    "gpg.format": "openpgp",
    "gpg.program": "gpg",
    "gpg.openpgp.program": "gpg",
    "gpg.x509.program": "gpgsm",
    "gpg.ssh.program": "ssh-keygen",
    "gpg.ssh.defaultkeycommand": "",
}

MODE_SYMLINK = 0o120000
MODE_GITLINK = 0o160000  # a submodule's commit in the parent's index


# -- running git ----------------------------------------------------------------------------


def git_command(*args: str) -> list[str]:
    """The argv for ``git ARGS`` with tome's safety flags (:data:`GIT_SAFETY`)."""
    return ["git", *GIT_SAFETY, *args]


def run(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: bytes | None = None,
    timeout: float | None = 60,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` to the end; its exit status is the caller's to read.

    Output is captured; stdin is ``stdin`` or closed (git never waits on the terminal).
    ``env`` adds variables to the environment (``GIT_INDEX_FILE`` for a temporary index).
    A git that cannot start (not installed) or outlives ``timeout`` is a GitError.
    """
    feed: dict[str, Any] = {"input": stdin} if stdin is not None else {"stdin": subprocess.DEVNULL}
    if env is not None:
        feed["env"] = {**os.environ, **env}
    try:
        return subprocess.run(
            git_command(*args), cwd=cwd, capture_output=True, check=False, timeout=timeout, **feed
        )
    except FileNotFoundError as exc:
        raise GitError("cannot run git: it is not installed or not on PATH") from exc
    except (OSError, subprocess.SubprocessError) as exc:
        raise GitError(f"git {args[0] if args else ''} failed to run in {cwd}: {exc}") from exc


def start(args: Sequence[str], cwd: Path) -> subprocess.Popen[bytes]:
    """Start ``git ARGS`` in ``cwd`` with its output piped (a read-only query the caller
    reads while it runs); a git that cannot start is a GitError."""
    try:
        return subprocess.Popen(
            git_command(*args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as exc:
        raise GitError("cannot run git: it is not installed or not on PATH") from exc


def _git_module() -> Any:
    try:
        import git
    except ImportError as exc:  # GitPython raises ImportError when no git executable works
        raise GitError(
            f"cannot run git ({exc}); install git, or set GIT_PYTHON_GIT_EXECUTABLE "
            "to the git executable"
        ) from exc
    return git


# -- the root -------------------------------------------------------------------------------


def find_root(start: str | Path) -> Path:
    """The repository root for the start folder ``start``: the top of the git work tree
    holding it, else ``start`` itself (absolute, resolved). The one rule; see the module.

    ``start`` is relative to the current directory. One that is not a folder is a
    ConfigError (nothing can be found from it).
    """
    folder = Path(start).expanduser()
    if not folder.is_dir():
        said = "is not a folder" if folder.exists() else "no such folder"
        raise ConfigError(f"{folder}: {said}; give the folder to work in (-C DIR)")
    folder = folder.resolve()
    return work_tree_of(folder) or folder


def work_tree_of(path: Path) -> Path | None:
    """The top of the git work tree that contains ``path``, or None outside git.

    A bare repository, or a path inside a ``.git`` folder, counts as outside git.
    """
    resolved = path.resolve()
    if not resolved.is_dir():
        return None  # git cannot start in it (a missing path would read "git is not installed")
    proc = run(["rev-parse", "--is-inside-work-tree", "--show-toplevel"], resolved)
    if proc.returncode != 0:
        return None  # not a repository (or inside .git, or git refuses it)
    # Two lines, split at "\n" only: the top's name may hold any other line break
    # (``str.splitlines`` would also cut at \x1c-\x1e, \x85, \u2028) or a "\n" itself.
    inside, _, rest = proc.stdout.decode("utf-8", "surrogateescape").partition("\n")
    name = rest.removesuffix("\n")
    if inside != "true" or not name:
        return None
    top = Path(name).resolve()
    if resolved != top and top not in resolved.parents:
        return None  # e.g. GIT_DIR points elsewhere
    return top


def tracks(root: Path, path: str) -> bool:
    """Whether git's index holds ``path`` (relative to ``root``) or anything below it;
    False outside git, or when git cannot tell."""
    try:
        done = run(["ls-files", "-z", "--cached", "--", f":(literal){path}"], root)
    except GitError:
        return False
    return done.returncode == 0 and bool(done.stdout)


# -- blobs ----------------------------------------------------------------------------------


def blob_sha(data: bytes) -> str:
    """The git blob sha1 of ``data``: what ``git hash-object`` prints (without filters)."""
    digest = hashlib.sha1(b"blob %d\0" % len(data), usedforsecurity=False)
    digest.update(data)
    return digest.hexdigest()


# -- listing --------------------------------------------------------------------------------


class Listing:
    """Tracked files and untracked-but-not-ignored files of ``work_tree``, below ``under``.

    One ``git ls-files`` for the index (with modes) and one for untracked files with
    ``--exclude-standard``: ``.gitignore`` at every level, ``.git/info/exclude`` and the
    user's ``core.excludesFile`` (``exclude_standard=False`` lists ignored files too).
    ``under`` is a folder relative to the work tree; git runs at the top so the
    repository's ignore rules apply exactly as they do for git itself. Paths are posix,
    relative to the work tree.

    Both start at once. The untracked listing walks the whole work tree (on Django, 28 ms
    against 4 ms for the index): a caller can read the tracked files while it runs. Call
    :meth:`untracked` (or :meth:`close`) before dropping the object, so no git process
    outlives it.
    """

    def __init__(self, work_tree: Path, under: str = "", *, exclude_standard: bool = True):
        self.work_tree = work_tree
        spec = ["--", f":(top,literal){under}"] if under else []
        standard = ["--exclude-standard"] if exclude_standard else []
        self._others = start(["ls-files", "-z", "--others", *standard, *spec], work_tree)
        try:
            self._staged = start(["ls-files", "-z", "--stage", *spec], work_tree)
        except BaseException:
            self.close()
            raise

    def tracked(self) -> dict[str, int]:
        """Tracked path -> index mode (unmerged paths once)."""
        tracked: dict[str, int] = {}
        for record in self._finish(self._staged).split("\0"):
            if not record:
                continue
            info, _, path = record.partition("\t")
            # unmerged paths appear once per stage; the mode is the same kind in each
            tracked[path] = int(info.split(" ", 1)[0], 8)
        return tracked

    def untracked(self) -> tuple[list[str], list[str]]:
        """Untracked files no ignore rule excludes, and untracked nested repositories."""
        untracked: list[str] = []
        nested: list[str] = []
        for path in self._finish(self._others).split("\0"):
            if not path:
                continue
            if path.endswith("/"):
                nested.append(path.rstrip("/"))
            else:
                untracked.append(path)
        return untracked, nested

    def close(self) -> None:
        for proc in (getattr(self, "_others", None), getattr(self, "_staged", None)):
            if proc is not None and proc.returncode is None:
                proc.kill()
                proc.communicate()

    def _finish(self, proc: subprocess.Popen[bytes]) -> str:
        out, err = proc.communicate()
        if proc.returncode != 0:
            self.close()
            said = err.decode("utf-8", "replace").strip()
            raise GitError(f"git ls-files failed in {self.work_tree}: {said or proc.returncode}")
        return out.decode("utf-8", "surrogateescape")


# -- committing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit made by :func:`commit_paths`."""

    sha: str
    branch: str | None  # the ref HEAD pointed to (``refs/heads/main``); None when detached
    paths: tuple[str, ...]  # relative to the work tree's top


def commit_paths(path: Path, paths: Sequence[str], message: str) -> Commit:
    """Commit exactly ``paths`` (relative to ``path``), as they are on disk, on top of HEAD.

    Nothing else is touched: the commit is built in a temporary index (``GIT_INDEX_FILE``:
    ``read-tree HEAD``, ``update-index`` of those paths, ``write-tree``, ``commit-tree``),
    then HEAD's branch moves with ``update-ref`` only if it still points where it did (a
    concurrent commit is refused, not overwritten). Last, the user's index entries for
    exactly those paths are set to what was committed, as ``git commit --only`` does; every
    other staged change stays staged and uncommitted. Commit hooks are not run.

    A deleted path is committed as a deletion. Raises :class:`GitError` when there is
    nothing to commit or git refuses (no identity configured, a locked index, ...).

    Git runs no program the repository's own config names (see :data:`GIT_SAFETY` and
    :func:`_user_commands`): a commit is signed only when the user's config asks, with the
    user's program; a path whose ``.gitattributes`` filter only the repository's config
    defines is refused (committing it unfiltered would store other bytes than git would).
    """
    git_mod = _git_module()
    try:
        repo = git_mod.Repo(path, search_parent_directories=True)
    except (git_mod.exc.InvalidGitRepositoryError, git_mod.exc.NoSuchPathError) as exc:
        raise GitError(f"{path} is not in a git work tree, so nothing can be committed") from exc
    try:
        repo.git.set_persistent_git_options(c=list(GIT_SAFETY[1::2]))
        overlay, unsafe_filters = _user_commands(repo.git)
        repo.git.set_persistent_git_options(c=[*GIT_SAFETY[1::2], *overlay])
        if repo.bare or repo.working_tree_dir is None:
            raise GitError(f"{path} is in a bare repository; there is no work tree to commit")
        top = Path(repo.working_tree_dir).resolve()
        prefix = Path(os.path.realpath(path)).relative_to(top).as_posix()
        rel = sorted({p if prefix == "." else f"{prefix}/{p}" for p in paths})
        if not rel:
            raise GitError("nothing to commit: no paths were given")
        try:
            _refuse_repository_filters(repo.git, rel, unsafe_filters)
            return _commit(repo, rel, message)
        except git_mod.exc.GitCommandError as exc:
            raise GitError(f"git {_subcommand(exc.command)} failed while committing "
                           f"{', '.join(rel)}: {_said(exc)}") from exc  # fmt: skip
    finally:
        repo.close()


def head_sha(root: Path) -> str | None:
    """The commit HEAD names in the work tree at ``root`` (None: no commit yet, or not git)."""
    done = run(["rev-parse", "-q", "--verify", "HEAD^{commit}"], root)
    if done.returncode != 0:
        return None
    return done.stdout.decode().strip() or None


def drop_commit(root: Path, sha: str, paths: Sequence[str]) -> str:
    """Take back a commit :func:`commit_paths` made, once its files were reverted on disk.

    Only while it is still the last commit: HEAD's branch moves to the parent with
    ``update-ref`` only if it still points at ``sha``, and the index entries of exactly
    ``paths`` (relative to ``root``, the top of the work tree) go back to the parent's, so
    every other staged change stays staged. The work tree is not touched. Returns the
    parent's sha; raises :class:`GitError` when a later commit came on top, or the commit
    has no parent.
    """
    head = head_sha(root)
    if head != sha:
        raise GitError(
            f"commit {sha[:12]} is no longer the last commit (HEAD is "
            f"{(head or 'unborn')[:12]}), so tome leaves it: commit the reverted files to "
            "record the undo, or use git revert"
        )
    found = run(["rev-parse", "-q", "--verify", f"{sha}^1^{{commit}}"], root)
    parent = found.stdout.decode().strip()
    if found.returncode != 0 or not parent:
        raise GitError(f"commit {sha[:12]} is the first commit; tome does not drop it")
    ref = run(["symbolic-ref", "-q", "HEAD"], root)
    branch = ref.stdout.decode().strip() if ref.returncode == 0 else ""
    move = ["update-ref", "-m", "tome undo --drop-commit"]
    move += [branch, parent, sha] if branch else ["--no-deref", "HEAD", parent, sha]
    for args in (move, ["reset", "-q", parent, "--", *paths]):
        done = run(args, root)
        if done.returncode not in (0, 1) or (done.returncode == 1 and args[0] != "reset"):
            said = done.stderr.decode(errors="replace").strip()
            raise GitError(f"git {args[0]} failed while dropping commit {sha[:12]}: {said}")
    return parent


def _commit(repo: git.Repo, paths: list[str], message: str) -> Commit:
    g = repo.git
    user = {**os.environ, "GIT_LITERAL_PATHSPECS": "1"}  # the user's index
    head = g.rev_parse("--verify", "-q", "HEAD^{commit}", with_exceptions=False, env=user)
    branch = g.symbolic_ref("-q", "HEAD", with_exceptions=False, env=user)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tome-index-") as tmp:
        own = {**user, "GIT_INDEX_FILE": str(Path(tmp) / "index")}
        g.read_tree(head or "--empty", env=own)
        g.update_index("--add", "--remove", "--", *paths, env=own)
        tree = g.write_tree(env=own)
        if head and tree == g.rev_parse(f"{head}^{{tree}}", env=user):
            raise GitError(f"nothing to commit: {', '.join(paths)} are as HEAD has them")
        sha = g.commit_tree(tree, *(["-p", head] if head else []), "-m", message, env=own)
        staged = g.ls_files("-s", "-z", "--", *paths, env=own)
    reflog = f"tome: {message.splitlines()[0] if message else 'commit'}"
    g.update_ref("-m", reflog, "HEAD", sha, head or "", env=user)  # refused if HEAD moved
    try:
        _sync_index(g, staged, paths, user)
    except _git_module().exc.GitCommandError as exc:
        listed = " ".join(shlex.quote(p) for p in paths)
        raise GitError(
            f"committed {sha[:10]}, but git could not then update the index for "
            f"{', '.join(paths)}: {_said(exc).rstrip('.')}. The commit stands; once no other "
            f"git runs (remove a stale .git/index.lock), run: git reset -q -- {listed}"
        ) from exc
    return Commit(sha=sha, branch=branch or None, paths=tuple(paths))


def _sync_index(g: Any, staged: str, paths: list[str], user: dict[str, str]) -> None:
    """The user's index: the committed paths as committed, nothing else."""
    present: list[str] = []
    infos: list[str] = []
    for record in staged.split("\0"):
        if record:
            info, _, name = record.partition("\t")
            mode, blob, _stage = info.split(" ")
            infos += ["--cacheinfo", f"{mode},{blob},{name}"]
            present.append(name)
    if infos:
        g.update_index("--add", *infos, env=user)
    if gone := [p for p in paths if p not in present]:
        g.update_index("--force-remove", "--", *gone, env=user)


def _subcommand(command: Sequence[str] | str) -> str:
    """The git subcommand of a failed command line (past ``git`` and its ``-c`` options)."""
    words = command.split() if isinstance(command, str) else list(command)
    rest = iter(words[1:])
    for word in rest:
        if word == "-c":
            next(rest, None)
        elif not word.startswith("-"):
            return word
    return ""


def _said(exc: Any) -> str:
    """What git printed (GitPython wraps it in ``stderr: '...'``), else the error itself."""
    said = str(getattr(exc, "stderr", "") or "").strip()
    if said.startswith("stderr:"):
        said = said.removeprefix("stderr:").strip().strip("'").strip()
    return said or str(exc)


def _user_commands(g: Any) -> tuple[list[str], dict[str, str]]:
    """``-c`` values that undo what the repository's own config says about running programs.

    For each setting of :data:`_COMMAND_KEYS` whose value comes from the repository (scope
    ``local`` or ``worktree``), the user's value (system, global, environment) is put back,
    or one that runs nothing. Also returns the filter drivers left without a command
    (driver -> the setting), which :func:`_refuse_repository_filters` checks.
    """
    listed = g.config(
        "--show-scope", "--null", "--get-regexp", _COMMAND_KEYS, with_exceptions=False
    )
    effective: dict[str, tuple[str, str]] = {}  # key -> (scope, value), git's order: last wins
    trusted: dict[str, str] = {}
    fields = listed.split("\0")
    for scope, entry in zip(fields[0::2], fields[1::2], strict=False):
        key, _, value = entry.partition("\n")
        effective[key] = (scope, value)
        if scope in _TRUSTED_SCOPES:
            trusted[key] = value
    overlay: list[str] = []
    unsafe: dict[str, str] = {}
    for key, (scope, _value) in effective.items():
        if scope in _TRUSTED_SCOPES:
            continue
        if key in trusted:
            value = trusted[key]
        elif key.startswith("filter."):
            value = ""  # an empty command: git runs no filter
            if key.endswith((".clean", ".process")):
                unsafe[key[len("filter.") : key.rindex(".")]] = key
        else:
            value = _NEUTRAL.get(key, "")
        overlay.append(f"{key}={value}")
    return overlay, unsafe


def _refuse_repository_filters(g: Any, paths: Sequence[str], unsafe: dict[str, str]) -> None:
    """A GitError when a path to commit goes through a filter only the repository defines."""
    if not unsafe:
        return
    out = g.check_attr("-z", "filter", "--", *paths)
    fields = out.split("\0")
    for name, _attr, driver in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
        if driver in unsafe:
            raise GitError(
                f"not committing {name}: its .gitattributes filter {driver!r} is defined only "
                f"by this repository's own git config ({unsafe[driver]}), and tome does not "
                "run programs a repository configures. Review that setting and commit with "
                "git yourself, or define the filter in your global git config"
            )


# -- the exclude file -----------------------------------------------------------------------

_EXCLUDE_LINE = ".tome/"


def exclude_state_dir(root: Path) -> bool:
    """Keep tome's state folder out of git: add ``.tome/`` to the repository's exclude file.

    ``root`` is the top of the work tree. The file written is ``<root>/.git/info/exclude``
    when ``<root>/.git`` is a real folder; for a linked work tree (``.git`` is a file) it is
    the main repository's, but only when that folder really is a ``.git`` folder that lists
    this work tree (git writes the back link). A ``.git`` that is a symlink, or a file that
    points anywhere else, gets nothing written: it is the repository's to steer, not tome's
    to follow. Written via :func:`assistant.fsio.atomic_write` from the git folder down
    without following links. True when the line is there afterwards.
    """
    from . import fsio

    found = _own_git_dir(Path(root))
    if found is None:
        return False
    base, git_dir = found
    exclude = git_dir / "info" / "exclude"
    try:
        old = _read_regular(exclude)
        if old is None:
            return False
        lines = old.decode("utf-8", "surrogateescape").splitlines()
        if any(line.strip() in (_EXCLUDE_LINE, "/" + _EXCLUDE_LINE) for line in lines):
            return True
        sep = b"\n" if old and not old.endswith(b"\n") else b""
        fsio.atomic_write(exclude, old + sep + _EXCLUDE_LINE.encode() + b"\n", root=base)
    except (OSError, fsio.FileSystemError):
        return False
    return True


def _own_git_dir(root: Path) -> tuple[Path, Path] | None:
    """The git folder whose ``info/exclude`` tome may write for ``root``, and the folder to
    walk down from without following links; None when there is none tome may write."""
    dot_git = root / ".git"
    try:
        st = os.lstat(dot_git)
    except OSError:
        return None
    if stat.S_ISDIR(st.st_mode):
        return root, dot_git
    if not stat.S_ISREG(st.st_mode):
        return None  # a symlink or stranger
    try:
        text = _read_regular(dot_git, limit=4096)
    except OSError:
        return None
    if text is None or not text.startswith(b"gitdir: "):
        return None
    gitdir = (root / os.fsdecode(text[len(b"gitdir: ") :].strip())).resolve()
    common = gitdir.parent.parent
    if gitdir.parent.name != "worktrees" or common.name != ".git":
        return None
    try:
        back = _read_regular(gitdir / "gitdir", limit=4096)
    except OSError:
        return None
    if back is None or Path(os.fsdecode(back.strip())).resolve() != dot_git.resolve():
        return None
    return common, common


def _read_regular(path: Path, *, limit: int = 1 << 20) -> bytes | None:
    """The bytes of a regular file (b"" when missing); None for a link, FIFO, device, or a
    file over ``limit``. Opened without following links or blocking on a FIFO."""
    from . import fsio

    try:
        return fsio.read_regular(path, limit=limit)
    except FileNotFoundError:
        return b""
    except fsio.NotRegularFile:
        return None
