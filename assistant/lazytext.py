"""A text kept as the UTF-8 bytes read, decoded only when first asked for.

A warm pack writes most files as the bytes it read and never needs them as text: the
values that carry a file's text (:class:`assistant.workspace.SourceFile`, and what the
renderer shows of it, :class:`assistant.packing.render.Entry` and ``Content``) are built on
:class:`LazyText`, which holds ``data`` (the text as UTF-8, when the text is those bytes)
and decodes it once, on first use of :attr:`~LazyText.text`.

A subclass names its fields in ``_fields`` (``"text"`` among them, never ``"data"``: the
bytes are the text, so they are not compared twice), sets them in its ``__init__`` with
``object.__setattr__``, and is then immutable, equal and hashed by those fields.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError

__all__ = ["LazyText"]


class LazyText:
    """An immutable value whose ``text`` is decoded from ``data`` on first use."""

    __slots__ = ("_text", "data")
    _fields: tuple[str, ...] = ()
    _text: str | None  # None until decoded from ``data``
    data: bytes | None  # ``text`` as UTF-8 when known (the bytes read): written as they are

    @property
    def text(self) -> str:
        """The text: given, or ``data`` decoded now (once)."""
        text = self._text
        if text is None:
            # the bytes of a file its stat showed unchanged since it was decoded; one that
            # changed under the same stat (no tool does) cannot stop a pack
            assert self.data is not None
            text = self.data.decode("utf-8", "replace")
            object.__setattr__(self, "_text", text)
        return text

    def decoded(self) -> str:
        """:attr:`text`, as a method: a callable that gives the text only when called."""
        return self.text

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _key(self) -> tuple[object, ...]:
        return tuple([getattr(self, f) for f in self._fields])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, LazyText)
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        said = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{type(self).__name__}({said})"
