"""Generated text told by its content: minified code, one huge line, data dumps.

Pure: a verdict from a file's path and decoded text, looking at its first
:data:`HEAD_CHARS` characters only, so judging a tree costs a slice and a count per file.
These are the content half of the default excludes (:data:`assistant.pathrules.DEFAULT_EXCLUDES`
is the path half: lock files, ``*.min.js``, ``*.svg``, snapshot folders): a bundle called
``app.js``, a one-line JSON fixture or a 40 MB CSV would otherwise fill a pack with text a
model cannot use. Discovery reports what they leave out (:class:`assistant.workspace.Skipped`,
reasons ``minified`` and ``data-dump``) and an include glob that names the file packs it.

Thresholds (measured on real files): minified code (jQuery, select2, npm's bundles) has
lines of thousands of characters from the first byte, hand-written code and prose
(unwrapped Markdown paragraphs included) average under 200 per line; a data file over
128 KiB is ~40,000 tokens of rows or records, which a model needs a sample of, not all.
"""

from __future__ import annotations

__all__ = ["DATA_SUFFIXES", "HEAD_CHARS", "content_verdict"]

HEAD_CHARS = 8192
"""Characters of a file that the verdict looks at."""
_MIN_CHARS = 4096  # a shorter file costs little whatever it holds: always kept
_MAX_AVERAGE_LINE = 1000  # characters per line in the head above which text is minified
_DATA_BYTES = 128 << 10
DATA_SUFFIXES: tuple[str, ...] = (".csv", ".tsv", ".json", ".jsonl", ".ndjson", ".geojson", ".sql")
_HINT = "; name it in an include glob to pack it"


def content_verdict(path: str, text: str, size: int) -> tuple[str, str] | None:
    """``(reason, detail)`` when ``text`` (the file at ``path``, ``size`` bytes) is
    generated rather than written, else None."""
    if size < _MIN_CHARS:
        return None
    head = text[:HEAD_CHARS]
    breaks = head.count("\n")
    if len(head) / (breaks + 1) > _MAX_AVERAGE_LINE:
        first = text.find("\n")
        if first == -1 or first >= len(text) - 1:  # one line (perhaps newline-terminated)
            line = len(text) if first == -1 else first
            return "minified", f"one line of {line:,} characters{_HINT}"
        return "minified", (
            f"minified or generated: {breaks:,} line break{'s' * (breaks != 1)} in its first "
            f"{len(head):,} "
            f"characters (lines of {len(head) // (breaks + 1):,} characters on average){_HINT}"
        )
    lower = path.lower()
    if size > _DATA_BYTES and lower.endswith(DATA_SUFFIXES):
        kind = lower.rsplit(".", 1)[-1].upper()
        return "data-dump", f"{_size(size)} of {kind} data{_HINT}"
    return None


def _size(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f} {unit}".replace(".0 ", " ")
    return f"{n} B"
