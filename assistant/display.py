"""Showing untrusted text on a terminal: file names and a model's words, made inert.

A repository's file names and a model's answer are untrusted, and a terminal obeys what it
is sent: an ESC starts a control sequence (OSC 52 writes the clipboard, others retitle the
window, move the cursor over what was shown, or fake a prompt), a lone carriage return
overwrites a line, a backspace erases, and bidirectional overrides reorder what a reader
sees (Trojan Source). Every place that prints such text, in the CLI and in the TUI, passes
it through one of these functions first; each turns what could act into a visible escape
(``\\x1b``, ``\\u202e``), so the text shows what it holds and does nothing.

- :func:`safe` is for text that may span lines (an answer, a hunk, an error message): it
  keeps ``\\n``, ``\\t`` and ``\\r\\n`` and escapes every other C0 and C1 control, DEL,
  bidirectional controls, line and paragraph separators and lone surrogates.
- :func:`safe_name` is for a name shown on one line (a path, a title): it escapes every
  character that is not printable, newlines and tabs included, and also zero-width and
  other invisible format characters, so two names that look alike never print alike.
- :class:`Escaper` is :func:`safe` over text that arrives in pieces (a stream), so that a
  ``\\r\\n`` split between two pieces is kept as the line end it is.

A name that is not valid UTF-8 reaches Python with each bad byte as a lone surrogate
(``surrogateescape``); both functions show such a byte as ``\\xNN``, never as a character,
and the result always encodes to UTF-8.

Escaping is not markup escaping: where the text goes into something that parses markup
(rich's ``Console.print`` of a string, Textual's ``Static``, ``Label``, ``notify``), give it
as a ``Text``/``Content`` object or with markup turned off as well.
"""

from __future__ import annotations

import os
import re

__all__ = ["Escaper", "safe", "safe_name"]

# C0 but \t and \n, DEL, C1; bidirectional controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI);
# line and paragraph separators; every surrogate (a lone one cannot be encoded).
_UNSAFE_IN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
    "\u2066-\u2069\u2028\u2029\ud800-\udfff]|\r(?!\n)"
)
_SHORT = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(ch: str) -> str:
    short = _SHORT.get(ch)
    if short is not None:
        return short
    cp = ord(ch)
    if 0xDC80 <= cp <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{cp - 0xDC00:02x}"
    if cp < 0x100:
        return f"\\x{cp:02x}"
    if cp <= 0xFFFF:
        return f"\\u{cp:04x}"
    return f"\\U{cp:08x}"


def safe(text: str) -> str:
    """``text`` with everything that could drive a terminal escaped; lines and tabs kept."""
    if _UNSAFE_IN_TEXT.search(text) is None:
        return text
    return _UNSAFE_IN_TEXT.sub(lambda m: _escape(m.group()), text)


def safe_name(name: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A path or name for one line of output: every non-printable character escaped.

    ``bytes`` (and bytes paths) are decoded as the file system would, bad bytes shown as
    ``\\xNN``.
    """
    text = os.fspath(name)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    if text.isprintable():  # the common case: one C call
        return text
    return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)


class Escaper:
    """:func:`safe` over a text that arrives piece by piece.

    A carriage return at the end of a piece is held back until the next piece tells whether
    a line feed follows it; :meth:`close` gives what is still held.
    """

    def __init__(self) -> None:
        self._held = False

    def feed(self, piece: str) -> str:
        if self._held:
            piece = "\r" + piece
        self._held = piece.endswith("\r")
        return safe(piece[:-1] if self._held else piece)

    def close(self) -> str:
        held, self._held = self._held, False
        return "\\r" if held else ""
