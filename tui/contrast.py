"""Readable text on every theme: each colour drawn is moved, if need be, to 4.5:1 on its
background (WCAG 2 AA for text), at the one place every line of the app passes through.

Textual's stock themes (and pygments' syntax themes) give pairs under that on the
backgrounds tome draws on: on the light theme the notes were 3.0:1, the "accepted" state
2.7:1, syntax colours on the added lines' green under 2:1. Fixing each pair in the CSS would
hold only for the two themes measured and only until a colour is added; instead
:class:`ContrastFilter`, a Textual line filter the app installs after Textual's own, moves a
foreground that falls short towards black or white (whichever its background contrasts
with more) by the least that reaches the ratio, so its hue is kept. Text that already
reads is left as it is. Box-drawing and block glyphs (borders, scrollbars, the hunk marker)
are not text: they are held to 3:1 instead (WCAG 2's 1.4.11, for a divider or any other
part of the interface that must be seen), which the light theme's dividers missed (1.37:1).
"""

from __future__ import annotations

from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

RGB = tuple[int, int, int]
TEXT_RATIO = 4.5
"""WCAG 2 AA, normal text."""
DIVIDER_RATIO = 3.0
"""WCAG 2 AA, non-text: dividers, borders, scrollbars, the hunk marker."""
BLACK: RGB = (0, 0, 0)
WHITE: RGB = (255, 255, 255)


def luminance(rgb: RGB) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""

    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: RGB, b: RGB) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


@lru_cache(maxsize=4096)
def readable(fg: RGB, bg: RGB, ratio: float = TEXT_RATIO) -> RGB:
    """``fg``, or the least blend of it towards black or white that reads on ``bg`` at
    ``ratio`` (the better of black and white reaches 4.58:1 on any background)."""
    if contrast(fg, bg) >= ratio:
        return fg
    target = BLACK if contrast(BLACK, bg) >= contrast(WHITE, bg) else WHITE
    low, high = 0.0, 1.0
    for _ in range(20):  # blend fractions to ~1e-6: far finer than one step of a channel
        mid = (low + high) / 2
        if contrast(_blend(fg, target, mid), bg) >= ratio:
            high = mid
        else:
            low = mid
    return _blend(fg, target, high)


def decoration(text: str) -> bool:
    """Only spaces, box-drawing and block glyphs (U+2500-U+259F): nothing to read, only to
    see (held to :data:`DIVIDER_RATIO`)."""
    return all(ch == " " or "\u2500" <= ch <= "\u259f" for ch in text)


class ContrastFilter(LineFilter):
    """Moves each segment's foreground to :data:`TEXT_RATIO` on its background, or to
    :data:`DIVIDER_RATIO` for box-drawing and block glyphs (spaces keep theirs)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        fix = _fixed
        back = background.rich_color
        out: list[Segment] = []
        for seg in segments:
            style = seg.style
            fixed = style if style is None else fix(style, back)
            # most styles read already (the same object back): only a moved one pays for
            # the look at its text
            if fixed is style:
                out.append(seg)
            elif not decoration(seg.text):
                out.append(Segment(seg.text, fixed))
            elif seg.text.strip() and style is not None:
                out.append(Segment(seg.text, fix(style, back, DIVIDER_RATIO)))
            else:
                out.append(seg)  # spaces: no foreground to see
        return out


@lru_cache(maxsize=4096)
def _fixed(style: Style, background: RichColor, ratio: float = TEXT_RATIO) -> Style:
    """``style`` with a foreground that reaches ``ratio`` (the same object when it does)."""
    fg, bg = style.color, style.bgcolor or background
    if fg is None or fg.triplet is None or bg.triplet is None:
        return style  # a terminal colour: Textual turns these to truecolour before us
    front: RGB = (fg.triplet.red, fg.triplet.green, fg.triplet.blue)
    back: RGB = (bg.triplet.red, bg.triplet.green, bg.triplet.blue)
    if style.reverse:
        front, back = back, front
    better = readable(front, back, ratio)
    if better == front:
        return style
    moved = RichColor.from_rgb(*better)
    return style + (Style(bgcolor=moved) if style.reverse else Style(color=moved))
