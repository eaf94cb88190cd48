"""tome: pack a repository into one prompt, ask a model, review and apply the edits.

The public API, and only it. Everything else is reachable as ``assistant.<package>``.
"""

from __future__ import annotations

from .errors import (
    ApplyConflict,
    AssistantError,
    AuthError,
    BackendUnavailable,
    ConfigError,
    ContextLengthError,
    EditError,
    GitError,
    MatchError,
    ModelError,
    PackError,
    ParseError,
    RateLimitError,
)

__all__ = [
    "ApplyConflict",
    "AssistantError",
    "AuthError",
    "BackendUnavailable",
    "ConfigError",
    "ContextLengthError",
    "EditError",
    "GitError",
    "MatchError",
    "ModelError",
    "PackError",
    "ParseError",
    "RateLimitError",
]
