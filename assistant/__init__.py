"""tome: pack a repository into one prompt, ask a model, review and apply the edits.

The public API, and only it. Everything else is reachable as ``assistant.<package>``.

Names are loaded on first use (PEP 562), so the ``tome`` command does not pay for the packer,
openai or textual when it does not need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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

# public name -> module that defines it. ``assistant.pack`` is the function; its package is
# ``assistant.packing`` (one name per thing: no module is also a callable).
_LAZY: dict[str, str] = {
    # the pack
    "pack": "assistant.packing",
    "Pack": "assistant.packing",
    "PackedFile": "assistant.packing",
    "PackOptions": "assistant.packing",
    "GitOptions": "assistant.packing",
    "rank_files": "assistant.packing",
    # discovery and tokens
    "DiscoverOptions": "assistant.workspace",
    "Skipped": "assistant.workspace",
    "SourceFile": "assistant.workspace",
    "Workspace": "assistant.workspace",
    "discover": "assistant.workspace",
    "count_tokens": "assistant.tokens",
    # model
    "Backend": "assistant.model",
    "Client": "assistant.model",
    "AsyncClient": "assistant.model",
    "ClientOptions": "assistant.model",
    "Prices": "assistant.model",
    "Reply": "assistant.model",
    "Usage": "assistant.model",
    "available_backends": "assistant.model",
    "resolve_backend": "assistant.model",
    "Settings": "assistant.config",
    "load_settings": "assistant.config",
    # sessions
    "Assistant": "assistant.session",
    "Result": "assistant.session",
    "Plan": "assistant.session",
    "Manifest": "assistant.session",
    "TextDelta": "assistant.session",
    "ReasoningDelta": "assistant.session",
    "FileEdited": "assistant.session",
    "Finished": "assistant.session",
    "Retrying": "assistant.session",
    "Round": "assistant.session",
    "ApplyRecord": "assistant.session",
    "UndoRecord": "assistant.session",
    "SessionSummary": "assistant.history",
    # edits
    "Changeset": "assistant.edits",
    "FileEdit": "assistant.edits",
    "apply_edits": "assistant.edits",
    "parse_edits": "assistant.edits",
}
_RENAMED = {"count_tokens": "count"}

__all__ = [
    "ApplyConflict",
    "ApplyRecord",
    "Assistant",
    "AssistantError",
    "AsyncClient",
    "AuthError",
    "Backend",
    "BackendUnavailable",
    "Changeset",
    "Client",
    "ClientOptions",
    "ConfigError",
    "ContextLengthError",
    "DiscoverOptions",
    "EditError",
    "FileEdit",
    "FileEdited",
    "Finished",
    "GitError",
    "GitOptions",
    "Manifest",
    "MatchError",
    "ModelError",
    "Pack",
    "PackError",
    "PackOptions",
    "PackedFile",
    "ParseError",
    "Plan",
    "Prices",
    "RateLimitError",
    "ReasoningDelta",
    "Reply",
    "Result",
    "Retrying",
    "Round",
    "SessionSummary",
    "Settings",
    "Skipped",
    "SourceFile",
    "TextDelta",
    "UndoRecord",
    "Usage",
    "Workspace",
    "apply_edits",
    "available_backends",
    "count_tokens",
    "discover",
    "load_settings",
    "pack",
    "parse_edits",
    "rank_files",
    "resolve_backend",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    loaded = importlib.import_module(module)
    value = getattr(loaded, _RENAMED.get(name, name))
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from .config import Settings, load_settings
    from .edits import Changeset, FileEdit, apply_edits, parse_edits
    from .history import SessionSummary
    from .model import (
        AsyncClient,
        Backend,
        Client,
        ClientOptions,
        Prices,
        Reply,
        Usage,
        available_backends,
        resolve_backend,
    )
    from .packing import GitOptions, Pack, PackedFile, PackOptions, pack, rank_files
    from .session import (
        ApplyRecord,
        Assistant,
        FileEdited,
        Finished,
        Manifest,
        Plan,
        ReasoningDelta,
        Result,
        Retrying,
        Round,
        TextDelta,
        UndoRecord,
    )
    from .tokens import count as count_tokens
    from .workspace import DiscoverOptions, Skipped, SourceFile, Workspace, discover
