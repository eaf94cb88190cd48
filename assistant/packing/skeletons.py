"""Skeletons of the files of a pack and their token counts, made on demand.

A budgeted pack asks for skeletons a batch at a time while it fits the budget
(:func:`~.select.fit_budget`); each is made by :class:`~assistant.code.CodeIndex` (cached by
blob sha) and counted with the pack's :class:`~assistant.tokens.TokenCounter`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import tokens as tok
from ..cache import Cache
from ..workspace import SourceFile

__all__ = ["Skeletons"]


class Skeletons:
    """Skeletons of files and their token counts, made on demand and cached by blob sha."""

    def __init__(
        self, sources: Mapping[str, SourceFile], counter: tok.TokenCounter, cache: Cache
    ) -> None:
        self.sources = sources
        self.counter = counter
        self.cache = cache
        self.text: dict[str, str] = {}
        self.tokens: dict[str, int] = {}

    def key(self, path: str) -> str:
        from ..code.index import VERSION

        return f"skeleton:{VERSION}:{self.sources[path].content_key}"

    def load(self, paths: Sequence[str]) -> dict[str, int]:
        """Token counts of the skeletons of ``paths`` (made and counted in one batch)."""
        todo = [p for p in paths if p not in self.tokens]
        if todo:
            from ..code import CodeIndex  # tree-sitter loads only when a skeleton is needed

            made = CodeIndex(self.cache).skeletons_many(
                (p, self.sources[p].content_key, self.sources[p].text) for p in todo
            )
            counts = self.counter.counts([(self.key(p), made[p].text) for p in todo])
            for p, n in zip(todo, counts, strict=True):
                self.text[p] = made[p].text
                self.tokens[p] = n
        return {p: self.tokens[p] for p in paths}
