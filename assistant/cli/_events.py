"""``tome ask --json``: the run as JSON lines on stdout, one event an object, for scripts and CI.

Every line is one JSON object with ``"event"`` naming it (``json`` escapes every control
character, so the model's text is inert in it), written and flushed as it happens:

    started      the request is about to be sent: backend, model, base_url, task, pack and
                 prompt tokens, the output reserve, the estimate (usd, uncached/cached)
    text         a piece of the answer (``text``)
    reasoning    a piece of the model's reasoning (only with ``--show-reasoning``)
    retry        the backend failed in a way worth retrying (``message``)
    file_edited  the parser has all of one file's edit (``path``, ``action``, ``hunks``)
    round        a repair round is sent (``round``, ``reason``, ``failed_hunks``,
                 ``check_failures``, ``shared_tokens``, ``prompt_tokens``)
    check        the checks of the final changeset (``passed``, ``failures``, ``runs`` ...)
    applied      the edits were written (``paths``, ``merged``, ``commit``)
    finished     the last event of a run that got an answer: ``exit_code``, ``outcome``,
                 ``usage`` (summed over rounds), ``cost`` and every field of the report
                 ``--json`` printed before (``session``, ``rounds`` ...)
    error        the last event of a run that stopped on an error: ``class`` (the
                 exception's, e.g. ``AuthError``), ``message``, ``exit_code``

Exactly one ``finished`` or ``error`` ends the stream. A usage error that argparse finds
(an unknown option, a bad value; exit 2) is the one ``error`` event too (``class``
``UsageError``), with argparse's usage text on stderr as always (``tome batch --json``
says it the same way).
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..errors import AssistantError, ConfigError, ModelError, PackError

# Exit codes of ``tome ask`` (README, ``tome ask --help``).
APPLIED = 0  # applied, or nothing to do (the answer printed, no edits)
NOT_APPLIED = 1  # failed to apply (a hunk did not place, a check failed, declined ...)
USAGE = 2  # bad flags or settings (argparse's own code too)
CUT_OFF = 3  # the answer is still cut off after the automatic continuations
BACKEND = 4  # the model backend refused or failed the request

EXIT_CODES = """\
exit status: 0 applied, or nothing to do; 1 failed to apply (nothing written); 2 usage or
config error; 3 the answer is cut off (never applied); 4 the backend refused or failed
(auth, rate limit, window, unreachable); 130 interrupted"""


def exit_code_of(exc: BaseException) -> int:
    """The exit code of ``tome ask`` stopped by ``exc``."""
    if isinstance(exc, KeyboardInterrupt):
        return 130
    if isinstance(exc, ModelError):
        return BACKEND
    if isinstance(exc, ConfigError | PackError):
        return USAGE
    return NOT_APPLIED


class Events:
    """The JSON-lines writer; ``Events(None)`` writes nothing (``--json`` not given)."""

    def __init__(self, out: TextIO | None) -> None:
        self.out = out

    def __bool__(self) -> bool:
        return self.out is not None

    def emit(self, event: str, **fields: Any) -> None:
        if self.out is None:
            return
        self.out.write(json.dumps({"event": event, **fields}) + "\n")
        self.out.flush()

    def error(self, exc: BaseException | str, code: int) -> None:
        """The ``error`` event: an exception (its class), or a refusal of the flags."""
        if isinstance(exc, str):
            self.emit("error", **{"class": "UsageError", "message": exc, "exit_code": code})
            return
        name = (
            type(exc).__name__ if isinstance(exc, AssistantError | KeyboardInterrupt) else ("Error")
        )
        self.emit("error", **{"class": name, "message": str(exc), "exit_code": code})
