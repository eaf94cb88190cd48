"""``--apply-to-branches``: each task's changeset committed to a branch of its own.

For a task answered in session S, a temporary git worktree is checked out at HEAD on a new
branch ``tome/<batch>/<id>`` (never the current branch, never the user's working tree), the
accepted hunks are written there with the apply's own checks (confined paths, journaled,
three-way merge when HEAD differs from what was packed) and committed with exactly those
paths; then the worktree is removed, the branch kept. Tasks cannot step on each other.

Like ``tome ask --apply --yes``: every hunk must place (else nothing of that task is
written), an answer still cut off is not applied, and edits of files that steer later runs
(:mod:`assistant.edits.guard`) are refused unless ``allow_config_edits``.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .. import repo, worktree
from ..edits.guard import file_config_edit
from ..errors import AssistantError, GitError
from ..history import History

__all__ = ["apply_to_branch", "branch_name"]


def branch_name(batch: str, task: str) -> str:
    """``tome/<batch>/<task>`` (both already safe: :func:`.tasks.safe_id`)."""
    return f"tome/{batch}/{task}"


def _git(args: list[str], cwd: Path) -> str:
    done = repo.run(args, cwd)
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {said[-1] if said else done.returncode}")
    return done.stdout.decode("utf-8", "replace").strip()


def apply_to_branch(
    history: History, session_id: int, *, batch: str, task: str, allow_config_edits: bool = False
) -> str:
    """Commit the edits of session ``session_id`` to a new branch; its name. Raises an
    :class:`AssistantError` saying why nothing was committed (the branch is then not made)."""
    root = history.root
    result = history.load(session_id)
    if result.truncated:
        raise AssistantError("the answer is cut off: not applied (review it: tome review)")
    cs = result.changeset
    if not len(cs):
        raise AssistantError("the answer has no edits")
    failed = [f.path for f in cs if f.failure is not None or f.failures]
    if failed:
        raise AssistantError(f"edits that do not place: {', '.join(failed[:5])}; nothing applied")
    guarded = [why for f in cs if (why := file_config_edit(f))]
    if guarded and not allow_config_edits:
        raise AssistantError(f"{guarded[0]}; pass --allow-config-edits to commit such edits")
    cs.accept_all()
    changes = cs.result()
    name = branch_name(batch, task)
    if _git(["branch", "--list", name], root):
        raise AssistantError(f"branch {name} exists already; delete it to apply again")
    place = Path(tempfile.mkdtemp(prefix="tome-batch-"))
    tree = place / "tree"
    try:
        _git(["worktree", "add", "--quiet", "-b", name, str(tree), "HEAD"], root)
        try:
            worktree.apply_changes(tree, changes, base=result.bases, base_texts=result.originals)
            paths = sorted(changes)
            repo.commit_paths(
                tree, paths, f"tome: {_first_line(result.task)}\n\nTome-Batch: {batch}/{task}"
            )
        except BaseException:
            _git(["worktree", "remove", "--force", str(tree)], root)
            _git(["branch", "-D", name], root)
            raise
        _git(["worktree", "remove", "--force", str(tree)], root)
    finally:
        shutil.rmtree(place, ignore_errors=True)
    return name


def _first_line(task: str) -> str:
    line = task.strip().splitlines()[0] if task.strip() else "batch task"
    return line[:72]
