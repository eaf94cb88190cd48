"""Code intelligence with tree-sitter: which grammar reads a file, its tags, its skeleton.

- :func:`language_for` maps a path to a language backed by an official grammar wheel;
- :func:`tags` lists a file's definitions and references (:class:`FileTags` of
  :class:`Symbol`) from the ``tags.scm`` query its grammar ships;
- :func:`skeleton` cuts a file down to imports, signatures, docstrings and top-level
  statements, each elided body replaced by one visible marker line (:class:`Skeleton`);
- :class:`CodeIndex` does both for many files, cached by blob sha in :class:`assistant.cache.Cache`.
"""

from __future__ import annotations

from .index import CodeIndex
from .registry import language_for
from .skeleton import Skeleton, skeleton
from .tags import FileTags, Symbol, tags

__all__ = [
    "CodeIndex",
    "FileTags",
    "Skeleton",
    "Symbol",
    "language_for",
    "skeleton",
    "tags",
]
