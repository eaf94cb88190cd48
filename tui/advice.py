"""What to do about an error, in the TUI's terms.

The library's messages say what happened and, where the front ends differ, leave the advice
to them: a request or a pack that does not fit the window names no command-line option
(``--budget``, ``--max-output``), so the TUI says what to do with its own controls.
"""

from __future__ import annotations

from assistant.errors import AssistantError, ContextLengthError, PackError

FIT = (
    "exclude files in the Compose tree (space) until the meter is under 100%, "
    "or pick a backend with a larger window (ctrl+n)"
)
"""What to do when prompt + output reserve do not fit the window, in TUI terms."""


def does_not_fit(exc: AssistantError) -> bool:
    """Whether ``exc`` says the request (or the pack's header) does not fit the window."""
    return isinstance(exc, ContextLengthError) or (
        isinstance(exc, PackError) and exc.needed is not None
    )


def error_text(exc: AssistantError) -> str:
    """The message to show for ``exc``: the library's words, then the TUI's advice."""
    text = str(exc)
    return f"{text}; {FIT}" if does_not_fit(exc) else text


def fit_text(*, prompt_tokens: int, reserve: int, window: int, backend: str) -> str:
    """The TUI's message for a plan that does not fit (checked before anything is sent)."""
    return f"prompt {prompt_tokens:,} + output {reserve:,} > window {window:,} of {backend}; {FIT}"
