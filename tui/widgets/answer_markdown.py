"""The model's text rendered as Markdown, inert: the Stream screen's answer and Review's
explanation (the pane beside the diff and its overlay) are this one widget.

The text is the model's, so untrusted: whoever feeds it escapes controls first
(:class:`assistant.display.Escaper` or :func:`assistant.display.safe`); the parser here has
no rule that would make the text act (:data:`INERT`), and a link, were one to get through,
is shown, never opened.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from textual.widgets import Markdown

INERT = ("link", "autolink", "linkify", "image", "html_inline", "html_block", "entity")
"""Markdown rules that would turn the model's text into something that acts: a link (the
terminal would make it clickable, OSC 8), an image, raw HTML, and an entity (``&#27;``
decodes to the very escape character the escaper took out). Without them the text shows
as written."""


def inert_markdown() -> MarkdownIt:
    """The Markdown parser for an untrusted answer: GFM-like, without :data:`INERT`."""
    return MarkdownIt("gfm-like").disable(list(INERT), ignoreInvalid=True)


class AnswerMarkdown(Markdown):
    """Textual's ``Markdown`` with :func:`inert_markdown` and links never opened."""

    def __init__(
        self, markdown: str | None = None, *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(
            markdown, id=id, classes=classes, open_links=False, parser_factory=inert_markdown
        )

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        """A link in the model's text is shown, never followed."""
        event.stop()
        self.notify(f"link not opened (the answer is the model's): {event.href}", timeout=6)
