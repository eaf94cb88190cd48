"""The edit engine: read any edit format a model emits, locate it, review it, apply it.

Pure: everything here works on ``{path: text}`` and does no I/O; ``assistant.worktree``
writes the result to disk (atomically, journaled, undoable).

    from assistant.edits import apply_edits, parse_edits, Changeset
    new_texts = apply_edits({"a.py": old}, answer)     # {path: text | None}
"""

from __future__ import annotations

from .apply import FilePlan, PlannedHunk, apply_edits, plan_edits, results, split_lines
from .changeset import Changeset, FileReview, HunkReview, HunkState
from .failures import (
    EditParseError,
    FileConflict,
    HunkFailure,
    HunkMatchError,
    ParseProblem,
    PathRefused,
    Region,
    check_path,
)
from .formats import EDIT_FORMATS, EditFormat, default_format, instructions
from .guard import config_edit, config_edits, file_config_edit
from .hunks import ELISION, FileEdit, Hunk
from .match import Located, Miss, locate
from .parse import EditParser, parse_edits

__all__ = [
    "EDIT_FORMATS",
    "ELISION",
    "Changeset",
    "EditFormat",
    "EditParseError",
    "EditParser",
    "FileConflict",
    "FileEdit",
    "FilePlan",
    "FileReview",
    "Hunk",
    "HunkFailure",
    "HunkMatchError",
    "HunkReview",
    "HunkState",
    "Located",
    "Miss",
    "ParseProblem",
    "PathRefused",
    "PlannedHunk",
    "Region",
    "apply_edits",
    "check_path",
    "config_edit",
    "config_edits",
    "default_format",
    "file_config_edit",
    "instructions",
    "locate",
    "parse_edits",
    "plan_edits",
    "results",
    "split_lines",
]
