"""The text summary of a changeset that ``tome apply`` and ``tome ask --apply`` print.

One line per file (``M app.py  (+2 -2, 2 hunks)``), and under it one line per hunk that was
placed by a tolerance rather than an exact match (``~ hunk 2 at line 31: trailing
whitespace ignored``), so a reviewer knows which hunks to read closely before committing.
The phrases come from :attr:`assistant.edits.HunkReview.tolerated`; they are shown as they
are, never parsed. Paths come from the model's answer and every line is escaped here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ..display import safe, safe_name

if TYPE_CHECKING:  # the edits load only for a changeset: `tome pack` never needs them
    from ..edits import FileReview, HunkReview
    from ..packing import Pack

TOLERATED_MARK = "~"
"""Marks a hunk placed by a tolerance, in the CLI summary and on the Review screen."""


def _placed(h: HunkReview) -> bool:
    """Located, and not turned down: it is (or would be) written."""
    from ..edits import HunkState

    return h.failure is None and h.state not in (HunkState.FAILED, HunkState.REJECTED)


def tolerated_line(h: HunkReview) -> str:
    """``~ hunk 2 at line 31: trailing whitespace ignored`` (escaped)."""
    what = "; ".join(h.tolerated)
    return safe_name(f"{TOLERATED_MARK} hunk {h.index} at line {h.old_start}: {what}")


def file_lines(files: Iterable[FileReview], *, indent: str = "",
               flag_config: bool = False) -> list[str]:  # fmt: skip
    """Each file's line, then a line per hunk of it that was placed by a tolerance."""
    from ..edits import file_config_edit

    lines = []
    for f in files:
        label = {"create": "A", "delete": "D"}.get(f.action, "R" if f.move_to else "M")
        name = safe_name(f.path) + (f" -> {safe_name(f.move_to)}" if f.move_to else "")
        placed = [h for h in f.hunks if _placed(h)]
        n = len(placed)
        flag = "  ! config edit" if flag_config and file_config_edit(f) else ""
        counts = f"+{f.added} -{f.removed}, {n} hunk{'s' * (n != 1)}"
        lines.append(f"{indent}{label} {name}  ({counts}){flag}")
        lines.extend(f"{indent}    {tolerated_line(h)}" for h in placed if h.tolerated)
    return lines


def tolerated_count(files: Iterable[FileReview]) -> int:
    return sum(1 for f in files for h in f.hunks if _placed(h) and h.tolerated)


def tolerated_note(files: Iterable[FileReview]) -> str | None:
    """The closing line when some hunk was placed by a tolerance (None when all were exact)."""
    n = tolerated_count(files)
    if not n:
        return None
    which = "1 hunk was" if n == 1 else f"{n} hunks were"
    return safe(f"{which} placed by a tolerance, not an exact match ({TOLERATED_MARK} above): "
                "read them before you commit")  # fmt: skip


def instruction_lines(packed: Pack) -> list[str]:
    """The project's instruction files a pack read (``instructions: AGENTS.md, pkg/AGENTS.md
    (412 tokens, in the system message)``) and each left out with why; [] for none. Paths
    come from the repository: escaped."""
    lines = []
    if packed.instructions:
        names = ", ".join(safe_name(i.path) for i in packed.instructions)
        lines.append(
            f"instructions: {names} ({packed.instruction_tokens:,} tokens, in the system message)"
        )
    lines += [
        f"instruction file left out: {safe_name(s.path)}: {safe(s.detail)}"
        for s in packed.instructions_left_out
    ]
    return lines
