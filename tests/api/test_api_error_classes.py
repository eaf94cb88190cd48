"""Every exception class tome raises is in ``assistant/errors.py``, the one tree.

The edit engine's errors carry a failed hunk's data and are defined beside it, in
``assistant/edits/failures.py``: they subclass the tree and ``assistant.errors`` re-exports
them. A private class (``_Name``) that never leaves its module is control flow, not an error.
"""

from __future__ import annotations

import ast
from pathlib import Path

import assistant.errors as errors

ROOT = Path(__file__).resolve().parents[2]
BESIDE_THEIR_DATA = {"assistant/edits/failures.py"}


def _exception_classes() -> list[tuple[str, str]]:
    """(module path, class name) of every public class whose bases look like exceptions."""
    known = {n for n in dir(errors) if isinstance(getattr(errors, n, None), type)}
    found = []
    for path in sorted((ROOT / "assistant").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef) or node.name.startswith("_"):
                continue
            bases = {
                b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases
            }
            if any(b.endswith(("Error", "Exception", "Warning")) or b in known for b in bases):
                found.append((str(path.relative_to(ROOT)), node.name))
    return found


def test_every_exception_class_is_in_the_tree() -> None:
    found = _exception_classes()
    assert ("assistant/errors.py", "HistoryError") in found  # the walk sees the tree
    elsewhere = [(p, n) for p, n in found if p != "assistant/errors.py"]
    assert {p for p, _ in elsewhere} <= BESIDE_THEIR_DATA, elsewhere
    for _, name in elsewhere:  # re-exported, and part of the tree
        cls = getattr(errors, name)
        assert issubclass(cls, errors.AssistantError) and name in errors.__doc__


def test_the_edges_errors_are_assistant_errors() -> None:
    for name in ("HistoryError", "FileSystemError", "UnsafePath", "NotRegularFile", "NotText"):
        assert issubclass(getattr(errors, name), errors.AssistantError), name
    from assistant import fsio, tokens, worktree

    assert fsio.UnsafePath is errors.UnsafePath and fsio.NotRegularFile is errors.NotRegularFile
    assert tokens.EncodingFallbackWarning is errors.EncodingFallbackWarning
    assert worktree.JournalIgnored is errors.JournalIgnored
