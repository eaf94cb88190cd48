"""The git edge: the only module that imports GitPython, and where its errors become GitError.

GitPython (and with it the ``git`` executable) is imported on first use, so ``import
assistant`` stays fast and works on a machine without git until git is needed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import GitError

if TYPE_CHECKING:
    import git

__all__ = ["MODE_GITLINK", "MODE_SYMLINK", "GitListing", "list_files", "work_tree_of"]

MODE_SYMLINK = 0o120000
MODE_GITLINK = 0o160000  # a submodule's commit in the parent's index


@dataclass(frozen=True, slots=True)
class GitListing:
    """What git would pack under a folder; paths are posix, relative to the work tree."""

    tracked: dict[str, int]  # path -> index mode (0o100644, 0o120000, 0o160000 ...)
    untracked: list[str]  # untracked files that no ignore rule (incl. nested ones) excludes
    nested_repos: list[str]  # untracked folders that are git repositories of their own


def _git_module() -> Any:
    try:
        import git
    except ImportError as exc:  # GitPython raises ImportError when no git executable works
        raise GitError(
            f"cannot run git ({exc}); install git, or set GIT_PYTHON_GIT_EXECUTABLE "
            "to the git executable"
        ) from exc
    return git


@contextmanager
def _repo(path: Path) -> Iterator[git.Repo]:
    git_mod = _git_module()
    try:
        repo = git_mod.Repo(path)
    except (git_mod.exc.InvalidGitRepositoryError, git_mod.exc.NoSuchPathError) as exc:
        raise GitError(f"{path} is not a git work tree: {exc}") from exc
    try:
        yield repo
    finally:
        repo.close()


def work_tree_of(path: Path) -> Path | None:
    """The top of the git work tree that contains ``path``, or None outside git.

    A bare repository, or a path inside a ``.git`` folder, counts as outside git.
    """
    git_mod = _git_module()
    try:
        repo = git_mod.Repo(path, search_parent_directories=True)
    except (git_mod.exc.InvalidGitRepositoryError, git_mod.exc.NoSuchPathError):
        return None
    try:
        if repo.bare or repo.working_tree_dir is None:
            return None
        top = Path(repo.working_tree_dir).resolve()
    finally:
        repo.close()
    resolved = path.resolve()
    if resolved != top and top not in resolved.parents:
        return None  # e.g. GIT_DIR points elsewhere
    git_dir = Path(repo.git_dir).resolve()
    if resolved == git_dir or git_dir in resolved.parents:
        return None
    return top


def list_files(work_tree: Path, under: str = "", *, exclude_standard: bool = True) -> GitListing:
    """Tracked files and untracked-but-not-ignored files of ``work_tree``, below ``under``.

    One ``git ls-files`` for the index (with modes) and one for untracked files with
    ``--exclude-standard``: ``.gitignore`` at every level, ``.git/info/exclude`` and the
    user's ``core.excludesFile`` (``exclude_standard=False`` lists ignored files too).
    ``under`` is a folder relative to the work tree; git runs
    at the top so the repository's ignore rules apply exactly as they do for git itself.
    """
    spec = ["--", f":(top,literal){under}"] if under else []
    git_mod = _git_module()
    with _repo(work_tree) as repo:
        try:
            staged = repo.git.ls_files("-z", "--stage", *spec)
            standard = ["--exclude-standard"] if exclude_standard else []
            others = repo.git.ls_files("-z", "--others", *standard, *spec)
        except git_mod.exc.GitCommandError as exc:
            raise GitError(
                f"git ls-files failed in {work_tree}: {exc.stderr.strip() or exc}"
            ) from exc
    tracked: dict[str, int] = {}
    for record in staged.split("\0"):
        if not record:
            continue
        info, _, path = record.partition("\t")
        # unmerged paths appear once per stage; the mode is the same kind in each
        tracked[path] = int(info.split(" ", 1)[0], 8)
    untracked: list[str] = []
    nested: list[str] = []
    for path in others.split("\0"):
        if not path:
            continue
        if path.endswith("/"):
            nested.append(path.rstrip("/"))
        else:
            untracked.append(path)
    return GitListing(tracked, untracked, nested)
