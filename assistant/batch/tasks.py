"""The TASKS of ``tome batch``: one task a line, read and checked before anything is sent.

A line is a JSON object ``{"id": ..., "task": ..., "paths": [...], "repo": ...}`` (only
``task`` required) or plain text (the whole line is the task). Blank lines are skipped.

**Untrusted.** A TASKS file can come from anywhere (an issue tracker, a script, a CI job
fed by a pull request), so every field is checked here and nothing is sent when any line is
wrong; the error names every bad line:

- ``repo`` is a folder *below the base folder* (``-C``, default the current one): relative,
  no ``..``, no symlink out of it, a folder in a git repository. ``/etc`` or
  ``../../other`` is refused, never packed.
- ``paths`` are files of that folder: relative, no ``..``, not in ``.git``/``.tome``
  (:func:`assistant.edits.check_path`), and no symlink out of the repository.
- ``id`` becomes part of a branch name (``tome/<batch>/<id>``) and of file names, so it is
  cut down to ``[A-Za-z0-9._-]`` (other runs become ``-``; no leading ``-`` or ``.``, no
  ``..``, no ``.lock`` end, at most 48 characters). Two lines with the same id are refused.
- a task is at most :data:`MAX_TASK_CHARS` characters; a file at most :data:`MAX_TASKS`
  tasks; unknown keys are refused (a typo would otherwise be silently ignored).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .. import repo
from ..edits import check_path
from ..errors import ApplyConflict, ConfigError, GitError, TasksError

__all__ = [
    "MAX_TASKS",
    "MAX_TASK_CHARS",
    "Task",
    "TasksError",
    "batch_id",
    "parse_tasks",
    "safe_id",
]

MAX_TASKS = 10_000
MAX_TASK_CHARS = 100_000
MAX_PATHS = 1_000
_KEYS = frozenset({"id", "task", "paths", "repo"})


@dataclass(frozen=True)
class Task:
    """One checked task: ``repo`` is the folder to pack (resolved, below the base folder),
    ``rel`` how the TASKS file named it ("." for the base), ``paths`` relative to ``repo``."""

    id: str
    task: str
    repo: Path
    rel: str = "."
    paths: tuple[str, ...] = ()
    line: int = 0

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "task": self.task, "paths": list(self.paths), "repo": self.rel}

    @property
    def digest(self) -> str:
        """What a resumed run matches on: the same id must ask the same thing."""
        data = json.dumps([self.task, list(self.paths), self.rel]).encode()
        return hashlib.sha256(data).hexdigest()[:16]


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_id(raw: str) -> str:
    """``raw`` as one safe component of a git branch name and a file name (may be "")."""
    text = _UNSAFE.sub("-", raw)
    text = re.sub(r"\.{2,}", ".", text)
    text = re.sub(r"-{2,}", "-", text).strip("-.")
    while text.endswith(".lock"):
        text = text[: -len(".lock")].rstrip("-.")
    return text[:48].rstrip("-.")


def batch_id(tasks: Iterable[Task], backend: str) -> str:
    """The default id of a batch: the same tasks on the same backend give the same id, so
    running a batch again resumes it."""
    h = hashlib.sha256(backend.encode())
    for t in tasks:
        h.update(f"\0{t.id}\0{t.digest}".encode())
    return "b" + h.hexdigest()[:10]


def parse_tasks(text: str, *, base: Path, source: str = "TASKS") -> list[Task]:
    """Every task of a TASKS file's ``text``, checked (see the module's docstring); a
    :class:`TasksError` listing every bad line, or a ConfigError for an empty file."""
    base = base.resolve()
    tasks: list[Task] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if len(tasks) >= MAX_TASKS:
            problems.append(f"line {number}: more than {MAX_TASKS:,} tasks; split the file")
            break
        try:
            task = _task(line, number, base)
        except _Bad as exc:
            problems.append(f"line {number}: {exc}")
            continue
        if task.id in seen:
            problems.append(
                f"line {number}: id {task.id!r} is also the id of line {seen[task.id]}; "
                "give every task its own id"
            )
            continue
        seen[task.id] = number
        tasks.append(task)
    if problems:
        raise TasksError(source, problems)
    if not tasks:
        raise ConfigError(f"{source} has no tasks: write one task a line (text or JSON)")
    return tasks


class _Bad(Exception):
    """One line's problem, in words."""


def _task(line: str, number: int, base: Path) -> Task:
    if not line.startswith("{"):
        return Task(id=f"task-{number}", task=_text(line), repo=_repo(".", base), line=number)
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise _Bad(f"not valid JSON ({exc.msg} at column {exc.colno}); a line that starts "
                   "with '{' must be one JSON object") from None  # fmt: skip
    if not isinstance(data, dict):
        raise _Bad("not a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise _Bad(f"unknown key {unknown[0]!r}; a task has id, task, paths and repo")
    task = data.get("task")
    if not isinstance(task, str):
        raise _Bad('needs "task": the text of the task')
    rel = data.get("repo", ".")
    if not isinstance(rel, str) or not rel.strip():
        raise _Bad('"repo" must be a folder name (a string)')
    folder = _repo(rel, base)
    raw_id = data.get("id", f"task-{number}")
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        raise _Bad('"id" must be a string')
    ident = safe_id(str(raw_id))
    if not ident:
        raise _Bad(f"id {str(raw_id)[:40]!r} has no letters or digits to name a branch with")
    paths = data.get("paths", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise _Bad('"paths" must be a list of file names')
    if len(paths) > MAX_PATHS:
        raise _Bad(f"more than {MAX_PATHS:,} paths")
    return Task(
        id=ident,
        task=_text(task),
        repo=folder,
        rel=Path(rel).as_posix() if rel != "." else ".",
        paths=tuple(dict.fromkeys(_path(p, folder) for p in paths)),
        line=number,
    )


def _text(task: str) -> str:
    task = task.strip()
    if not task:
        raise _Bad("the task is empty")
    if len(task) > MAX_TASK_CHARS:
        raise _Bad(f"the task has {len(task):,} characters; at most {MAX_TASK_CHARS:,}")
    if "\0" in task:
        raise _Bad("the task holds a NUL character")
    return task


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def _repo(rel: str, base: Path) -> Path:
    """The folder ``rel`` names below ``base``, resolved; refused when it leaves ``base``."""
    if "\0" in rel:
        raise _Bad("the repo name holds a NUL character")
    pure = Path(rel)
    if pure.is_absolute() or rel.startswith("~"):
        raise _Bad(f"repo {rel!r} is not relative: name a folder below {base}")
    if ".." in pure.parts:
        raise _Bad(f"repo {rel!r} climbs out with '..': name a folder below {base}")
    folder = (base / pure).resolve()
    if not _inside(folder, base):
        raise _Bad(f"repo {rel!r} leads out of {base} (a symlink)")
    if not folder.is_dir():
        raise _Bad(f"repo {rel!r} is not a folder below {base}")
    try:
        top = repo.find_root(folder)
    except (GitError, ConfigError, OSError) as exc:
        raise _Bad(f"repo {rel!r} is not in a git repository ({exc})") from None
    if not (_inside(top.resolve(), base) or _inside(base, top.resolve())):
        raise _Bad(f"repo {rel!r} is in a repository outside {base}")
    return folder


def _path(path: str, folder: Path) -> str:
    try:
        clean = check_path(path)
    except ApplyConflict as exc:
        raise _Bad(f"path {path[:80]!r}: {exc}") from None
    real = os.path.realpath(folder / clean)
    top = repo.find_root(folder)
    if not _inside(Path(real), top.resolve()):
        raise _Bad(f"path {clean!r} leads out of the repository (a symlink)")
    if not os.path.isfile(real):
        raise _Bad(f"path {clean!r} is not a file of {folder.name or folder}")
    return clean
