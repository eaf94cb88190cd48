"""Which edits change how tools behave in the repository: the one rule, for CLI and TUI.

An edit that creates or changes tome's own config (``.tome.toml``, ``.tomeignore``,
``[tool.tome]`` in a ``pyproject.toml``), a CI workflow (``.github/workflows/``) or git's
folder (``.git/``, refused anyway by :func:`~assistant.edits.check_path`) steers every later
run, not just this one: one prompt injection in an answer could redirect the user's key for
good. Such edits are flagged in review and never applied by ``--yes`` alone (the CLI asks
for ``--allow-config-edits``). Pure: paths and texts in, a reason out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .changeset import FileReview

__all__ = ["config_edit", "config_edits", "file_config_edit"]

_TOME_FILES = (".tome.toml", ".tomeignore")


def config_edit(path: str, old: str | None, new: str | None) -> str | None:
    """Why changing ``path`` from ``old`` to ``new`` (None: absent) is a config edit, or None.

    ``pyproject.toml`` counts when either text holds a ``[tool.tome]`` table (the simplest
    rule that cannot be dodged by adding the table and something else at once).
    """
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts:
        return None
    lowered = [p.lower() for p in parts]
    name = lowered[-1]
    if ".git" in lowered[:-1] or name == ".git":
        return "inside .git/ (git's own configuration and hooks)"
    if name in _TOME_FILES:
        return f"{parts[-1]} configures tome"
    if len(lowered) >= 3 and lowered[0] == ".github" and lowered[1] == "workflows":
        return "a CI workflow (.github/workflows/) runs on every push"
    if name == "pyproject.toml" and (_has_tool_tome(old) or _has_tool_tome(new)):
        return "its [tool.tome] table configures tome"
    return None


def config_edits(
    changes: Mapping[str, str | None], originals: Mapping[str, str | None], *,
    extra: Iterable[str] = (),
) -> dict[str, str]:  # fmt: skip
    """``{path: reason}`` for every config edit among ``changes`` (``{path: new text}``,
    None: deleted) against ``originals`` (``{path: text now}``); ``extra`` are paths
    touched without a text (a rename's source)."""
    found: dict[str, str] = {}
    for path in (*changes, *extra):
        reason = config_edit(path, originals.get(path), changes.get(path))
        if reason is not None:
            found[path] = reason
    return found


def _has_tool_tome(text: str | None) -> bool:
    if not text:
        return False
    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError):
        return "tome" in text and "tool" in text  # unreadable: judge by the words, to be safe
    return isinstance(tool, dict) and "tome" in tool


def file_config_edit(file: FileReview) -> str | None:
    """The reason a proposed file change (all its hunks, its rename) is a config edit."""
    plan = file.plan
    new = None if plan.failure is not None else plan.result()
    for path in (plan.path, plan.move_to):
        if path:
            reason = config_edit(path, plan.original if path == plan.path else None, new)
            if reason is not None:
                return f"{path}: {reason}"
    return None
