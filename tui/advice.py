"""What to do about an error, in the TUI's terms.

The library's messages say what happened and, where the front ends differ, leave the advice
to them: they name no command-line option (``--budget``, ``--max-output``, ``--backend``,
``--model``), and the error carries the data to advise on (``ContextLengthError.followup``,
``ModelError.status``, ``ConfigError.setting``). Here the TUI says what to do with its own
controls; ``assistant.cli`` says it with its options.
"""

from __future__ import annotations

from assistant.edits.failures import FileConflict
from assistant.errors import (
    AssistantError,
    ConfigError,
    ContextLengthError,
    ModelError,
    PackError,
)

NEXT_BACKEND = "ctrl+n"
"""Compose's key for the next backend: its binding is made from this, so the advice names
the key the screen has."""

OPTIONS_KEY = "f2"
"""Compose's key for its send options (verify, repair rounds, git context): a function key,
since every control key a terminal delivers as itself is taken by Compose or its text boxes
(ctrl+e, ctrl+a, ctrl+k ... by the task box; ctrl+h, ctrl+i, ctrl+m, ctrl+j are other keys)."""

BACKEND = f"pick another backend in Compose ({NEXT_BACKEND})"
FIT = (
    "exclude files in the Compose tree (space) until the meter is under 100%, "
    f"or pick a backend with a larger window ({NEXT_BACKEND})"
)
"""What to do when prompt + output reserve do not fit the window, in TUI terms."""
FOLLOWUP = "reject and send back fewer hunks at a time, or " + BACKEND + " with a larger window"
"""What to do when a send-back of rejected hunks does not fit the window."""


def does_not_fit(exc: AssistantError) -> bool:
    """Whether ``exc`` says the request (or the pack's header) does not fit the window."""
    return isinstance(exc, ContextLengthError) or (
        isinstance(exc, PackError) and exc.needed is not None
    )


def advice(exc: AssistantError) -> str:
    """What to do about ``exc`` with the TUI's controls ("" when the message says it all)."""
    if isinstance(exc, ContextLengthError):
        return FOLLOWUP if exc.followup else FIT
    if does_not_fit(exc):
        return FIT
    if isinstance(exc, ModelError) and exc.status == 402:
        return BACKEND
    if isinstance(exc, ModelError) and exc.status == 404:
        return f"fix model or base_url under [backends.{exc.backend}] in {_config()}, or " + (
            BACKEND
        )
    if isinstance(exc, ConfigError) and exc.setting == "since":
        return f"change or clear since in the options ({OPTIONS_KEY})"
    if isinstance(exc, ConfigError) and exc.setting is not None:
        return f"your config is {_config()}; or " + BACKEND  # the message says what to set
    if isinstance(exc, FileConflict) and exc.forcible:
        return "commit or revert those changes first, then undo again"
    return ""


def error_text(exc: AssistantError) -> str:
    """The message to show for ``exc``: the library's words, then the TUI's advice. A bad
    ``since`` ref is named as the options name it, not as ``tome ask --since``."""
    text, more = str(exc), advice(exc)
    if isinstance(exc, ConfigError) and exc.setting == "since" and text.startswith("--since"):
        text = "since" + text[len("--since") :]
    return f"{text}; {more}" if more else text


def fit_text(*, prompt_tokens: int, reserve: int, window: int, backend: str) -> str:
    """The TUI's message for a plan that does not fit (checked before anything is sent)."""
    return f"prompt {prompt_tokens:,} + output {reserve:,} > window {window:,} of {backend}; {FIT}"


def _config() -> str:
    """The user's config file, where backends are set (trusted, unlike a project's)."""
    from assistant.config import USER_FILE
    from assistant.paths import config_dir

    return str(config_dir() / USER_FILE)
