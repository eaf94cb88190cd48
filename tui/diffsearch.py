"""Search in a review (``/``, ``n``, ``N``) and the file list's filter, as plain functions.

A hunk matches when the text its rows draw (its ``@@`` header, context, removed and added
lines, or a failed hunk's report) holds the term, ignoring case, as ``less`` and lazygit
search. ``n`` and ``N`` move to the next hunk that matches, across files, and wrap; the
status bar counts the matches and the hunks that hold them (``7 matches in 2 hunks, here 1
of 2``, ``no match``).
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.edits import FileReview


def hunk_matches(file: FileReview, index: int, term: str) -> bool:
    """Whether hunk ``index`` of ``file`` shows ``term`` (any case)."""
    return term.casefold() in file.hunk_diff(index).casefold()


def spans(text: str, term: str) -> list[tuple[int, int]]:
    """The character ranges of ``text`` that read ``term`` (any case), left to right."""
    if not term:
        return []
    hay, needle = text.casefold(), term.casefold()
    if len(hay) != len(text):  # casefold changed the length (ß -> ss): exact case only
        hay, needle = text, term
    out: list[tuple[int, int]] = []
    at = hay.find(needle)
    while at >= 0:
        out.append((at, at + len(needle)))
        at = hay.find(needle, at + len(needle))
    return out


def next_match(
    files: Sequence[FileReview],
    order: Sequence[int],
    here: tuple[int, int],
    term: str,
    *,
    forward: bool = True,
) -> tuple[int, int, bool] | None:
    """The next hunk after ``here`` (file index, hunk) that shows ``term``, among the files
    in ``order`` (the list as filtered), wrapping round: ``(file, hunk, wrapped)``, or None
    when no hunk matches. ``here`` itself comes last (the only match: it stays)."""
    if not term:
        return None
    ring = [(fi, h.index) for fi in order for h in files[fi].hunks]
    if not forward:
        ring.reverse()
    rank = {fi: k for k, fi in enumerate(order if forward else reversed(order))}
    mine = rank.get(here[0], -1)

    def after(item: tuple[int, int]) -> bool:
        fi, h = item
        if rank[fi] != mine:
            return rank[fi] > mine
        return h > here[1] if forward else h < here[1]

    first = next((k for k, item in enumerate(ring) if after(item)), len(ring))
    for k, (fi, h) in enumerate([*ring[first:], *ring[:first]]):
        if hunk_matches(files[fi], h, term):
            return fi, h, k >= len(ring) - first
    return None


def matching(files: Sequence[FileReview], order: Sequence[int], term: str) -> list[tuple[int, int]]:
    """Every hunk that shows ``term``, as ``(file index, hunk)``, in the order of ``order``
    (the list as filtered): what "match 2 of 5" counts."""
    if not term:
        return []
    return [
        (fi, h.index)
        for fi in order
        for h in files[fi].hunks
        if hunk_matches(files[fi], h.index, term)
    ]


def occurrences(files: Sequence[FileReview], found: Sequence[tuple[int, int]], term: str) -> int:
    """How many times ``term`` shows (any case) in the hunks ``found``: the marks drawn."""
    return sum(len(spans(files[fi].hunk_diff(h), term)) for fi, h in found)


def match_label(
    found: Sequence[tuple[int, int]], here: tuple[int, int], times: int, *, short: bool = False
) -> str:
    """``7 matches in 2 hunks, here 1 of 2`` on a matching hunk (``times``: the matches,
    ``found``: the hunks that hold them, ``n`` steps through), without ``here`` elsewhere;
    ``no match`` for none. ``short`` (a narrow status bar): ``here 1 of 2, 7 matches``."""
    if not found:
        return "no match"
    hunks = len(found)
    matches = f"{times} match{'es' * (times != 1)}"
    at = f"here {list(found).index(here) + 1} of {hunks}" if here in found else ""
    if short:
        return f"{at}, {matches}" if at else f"{matches} in {hunks} hunk{'s' * (hunks != 1)}"
    label = f"{matches} in {hunks} hunk{'s' * (hunks != 1)}"
    return f"{label}, {at}" if at else label


def filtered(paths: Sequence[str], text: str) -> list[int]:
    """The indices of the paths that hold ``text`` (any case); all of them for no text."""
    needle = text.strip().casefold()
    return [i for i, p in enumerate(paths) if needle in p.casefold()]
