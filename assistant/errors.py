"""Every error tome raises, in one tree.

    AssistantError
    ├── ConfigError            bad settings, unknown backend or encoding, missing key
    │   └── TasksError         bad lines of a tome batch TASKS file (every one listed)
    ├── PackError              a repository that cannot be packed
    │   └── NotText            a file's bytes are not UTF-8 text (also a ValueError)
    ├── ModelError             anything the model backend did
    │   ├── AuthError          401/403: the key is missing or wrong
    │   ├── RateLimitError     429 after the retries ran out
    │   ├── ContextLengthError prompt + reserved output does not fit the window
    │   └── BackendUnavailable 5xx, timeouts, dropped connections after retries
    ├── EditError              anything about an edit a model proposed
    │   ├── ParseError         the edit text cannot be read
    │   ├── MatchError         a hunk does not match the file (closest region attached)
    │   ├── ApplyConflict      the file changed since it was packed, or the path is refused
    │   └── ReviewError        a review step that cannot be taken (no such hunk, a failed one)
    ├── GitError               a git operation failed
    ├── HistoryError           the history database cannot be opened, read or written
    └── FileSystemError        a file or folder cannot be read or written (path, reason)
        └── UnsafePath         a write refused for what is on disk (a link, a device)
            └── NotRegularFile a read refused: a link, folder, FIFO or device, too large

    UserWarning
    ├── EncodingFallbackWarning an encoding was not available offline; another one counts
    └── JournalIgnored          a journal this machine did not write was left alone

The edit engine's own errors carry the data of a failed hunk and are defined beside it in
``assistant.edits.failures``: ``HunkMatchError`` (a MatchError), ``PathRefused`` and
``FileConflict`` (ApplyConflicts), ``EditParseError`` (a ParseError). They are re-exported
here, so ``from assistant.errors import FileConflict`` works.

Errors carry data (path, line, hunk index, valid choices) and a message a user can act on.
Third-party exceptions are translated at exactly one seam with ``raise X(...) from exc``.
Only ``assistant.cli`` and ``tui`` turn errors into output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar


class AssistantError(Exception):
    """The root of every error tome raises on purpose."""


class ConfigError(AssistantError):
    """Settings that cannot be used: unknown names, bad values, a missing key. ``setting``
    names the setting to give (``"model"``) when one is missing; the message says where
    in the config, and each front end adds its own way to give it."""

    def __init__(self, message: str, *, setting: str | None = None) -> None:
        super().__init__(message)
        self.setting = setting


class TasksError(ConfigError):
    """A TASKS file of ``tome batch`` with bad lines: ``problems`` lists them as
    ``line N: why``; nothing was sent."""

    SHOWN: ClassVar[int] = 10

    def __init__(self, source: str, problems: list[str] | tuple[str, ...]) -> None:
        self.problems = tuple(problems)
        shown = "; ".join(self.problems[: self.SHOWN])
        more = len(self.problems) - self.SHOWN
        extra = f"; and {more} more" if more > 0 else ""
        lines = "line" if len(self.problems) == 1 else "lines"
        super().__init__(
            f"{source}: {len(self.problems)} bad {lines}, nothing was sent: {shown}{extra}"
        )


class PackError(AssistantError):
    """A repository or path that cannot be packed. When the budget is too small for even
    the pack's header and tree, ``budget`` and ``needed`` (the tokens that header takes)
    say so; the message names no command-line option, each front end adds its own advice."""

    def __init__(
        self, message: str, *, budget: int | None = None, needed: int | None = None
    ) -> None:
        super().__init__(message)
        self.budget = budget
        self.needed = needed


class NotText(PackError, ValueError):
    """A file's bytes are not UTF-8 text; the message says why."""


class ModelError(AssistantError):
    """The model backend failed or refused."""

    def __init__(
        self, message: str, *, backend: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.backend = backend
        self.status = status


class AuthError(ModelError):
    """The backend rejected the key (or there is none)."""


class RateLimitError(ModelError):
    """The backend kept answering 429 after every retry."""

    def __init__(
        self,
        message: str,
        *,
        backend: str | None = None,
        status: int | None = 429,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, backend=backend, status=status)
        self.retry_after = retry_after


class ContextLengthError(ModelError):
    """The prompt plus the reserved output does not fit the backend's window. ``followup``:
    the request was a send-back of rejected hunks (fewer of them would fit)."""

    def __init__(
        self,
        message: str,
        *,
        backend: str | None = None,
        status: int | None = None,
        prompt_tokens: int | None = None,
        max_output: int | None = None,
        window: int | None = None,
        followup: bool = False,
    ) -> None:
        super().__init__(message, backend=backend, status=status)
        self.followup = followup
        self.prompt_tokens = prompt_tokens
        self.max_output = max_output
        self.window = window

    @property
    def fits(self) -> int | None:
        """The largest prompt that fits the window with this output reserve (None: the
        numbers are unknown, as when the server refused without giving them)."""
        if self.window is None or self.max_output is None:
            return None
        return max(0, self.window - self.max_output)


class BackendUnavailable(ModelError):
    """The backend could not be reached or kept failing (5xx, timeouts, drops)."""


class EditError(AssistantError):
    """An edit proposed by a model cannot be used as it is."""


class ParseError(EditError):
    """The edit text cannot be parsed."""


class MatchError(EditError):
    """A hunk or search block does not match the file it targets."""


class ApplyConflict(EditError):
    """The target changed since it was packed, or the path is not allowed."""


class ReviewError(EditError, ValueError):
    """A review step that cannot be taken: a hunk or file the changeset does not have, or a
    hunk that failed to locate (or is already applied) accepted, rejected or edited. Also a
    ValueError, as these were before they joined the tree."""


class GitError(AssistantError):
    """A git operation failed."""


class EncodingFallbackWarning(UserWarning):
    """An encoding was not available offline and another one counts in its place."""


class JournalIgnored(UserWarning):
    """A folder under ``.tome/journal/`` that tome will not replay (not ours, or unsafe)."""


class HistoryError(AssistantError):
    """The history database (SQLite) cannot be opened, read or written; the message says
    what happened and what to do (move a damaged file away, free space, fix permissions)."""


class FileSystemError(AssistantError):
    """A file or folder cannot be read or written. ``path`` is the path that was asked for,
    ``reason`` what went wrong and what to do about it."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class UnsafePath(FileSystemError):
    """A write was refused because of what is on disk (a symlink, a file where a folder
    should be). ``path`` is the path that was asked for."""


class NotRegularFile(UnsafePath):
    """``fsio.read_regular`` found no regular file to read: ``kind`` says what it found
    (``"link"``, ``"folder"``, ``"special"`` for a FIFO, socket or device, ``"large"``)."""

    _REASONS: ClassVar[dict[str, str]] = {
        "link": "is a symbolic link",
        "folder": "is a folder",
        "special": "is not a regular file (a FIFO, socket or device)",
        "large": "is larger than the limit",
    }

    def __init__(self, path: str | Path, kind: str) -> None:
        self.kind = kind
        super().__init__(path, self._REASONS[kind])


_EDIT_ERRORS = ("EditParseError", "FileConflict", "HunkMatchError", "PathRefused")


def __getattr__(name: str) -> Any:
    """The edit engine's errors, re-exported on first use (``edits`` imports this module)."""
    if name in _EDIT_ERRORS:
        from .edits import failures

        return getattr(failures, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
