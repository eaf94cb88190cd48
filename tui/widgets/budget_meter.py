"""How much of the model's window the request uses, and what it would cost.

``tokens`` is the whole prompt and ``output`` the reserve the request sends as
``max_tokens``, so the meter and ``tome ask``'s estimate agree: both price the reserve in
full (a ceiling) and the prompt uncached and fully cached.

A request never goes out over the window: the pack is cut to fit it. Before the request is
planned, an estimate over 100% says that sending will cut the pack; a planned request that
was cut says what it cut (``40 of 55 files whole, 3 as skeletons, 12 omitted``), as
``tome ask`` does before sending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import events
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from assistant.model import Prices


@dataclass(frozen=True)
class Budget:
    """The figures the meter shows."""

    tokens: int
    """Tokens of the whole prompt."""
    window: int
    output: int = 0
    """Output tokens reserved (the request's ``max_tokens``)."""
    prices: Prices | None = None
    planned: bool = False
    """The figures are the planned request's (False: an estimate from the files' counts)."""
    cut: str | None = None
    """What the planned pack cut to fit the window (:attr:`assistant.session.Plan.cut`)."""

    @property
    def fraction(self) -> float:
        return (self.tokens + self.output) / self.window if self.window else 0.0

    def cost(self, *, cached: bool) -> float | None:
        """US dollars, priced as ``tome ask`` prices it (:func:`assistant.model.estimate`)."""
        if self.prices is None:
            return None
        from assistant.model import estimate

        est = estimate(self.tokens, self.output, self.prices)
        return est.warm if cached else est.cold


def bar(fraction: float, width: int) -> str:
    """A bar of eighth blocks, ``width`` cells wide, filled to ``fraction`` (clamped)."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[part] if part else ""
    return ("█" * full + partial).ljust(width)


def describe(budget: Budget) -> str:
    colour = (
        "$error" if budget.fraction > 1 else "$warning" if budget.fraction > 0.8 else "$success"
    )
    line = (
        f"[{colour}]{bar(budget.fraction, 24)}[/] "
        f"{'' if budget.planned else '~'}{budget.tokens:,} + {budget.output:,} "
        f"of {budget.window:,} tokens "
        f"({budget.fraction:.0%})"
    )
    miss, hit = budget.cost(cached=False), budget.cost(cached=True)
    if miss is not None and hit is not None:
        line += (
            # short enough for one line of the meter at 80 columns (42 cells): the longer
            # "with the prefix cached" left its figure alone on the next line
            f"\n[$text-muted]cost[/] ${miss:.4f}  [$text-muted]prefix cached[/] ${hit:.4f}"
        )
    if budget.planned and budget.cut is not None:
        line += f"\n[$warning]cut to fit:[/] {budget.cut}"
    elif not budget.planned and budget.fraction > 1:
        line += "\n[$warning]over the window: sending cuts the pack to fit[/]"
    return line


class BudgetMeter(Static):
    """Shows a :class:`Budget`; set ``budget`` to update."""

    DEFAULT_CSS = """
    BudgetMeter { height: auto; min-height: 2; }
    """

    budget: reactive[Budget | None] = reactive(None)
    _text = "counting tokens…"

    def watch_budget(self, budget: Budget | None) -> None:
        self._text = "counting tokens…" if budget is None else describe(budget)
        self.update(self._text)
        # sized from the meter's own queue: a budget set from a worker's callback runs on
        # the app's, and the new height was then at times drawn only at the next key
        self.call_later(self._fit, keep=budget is None)

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _fit(self, *, keep: bool = False) -> None:
        """Make the height the lines the text wraps to at this width (``keep``: no lower
        than now, so a recount does not make the screen jump)."""
        width = self.content_size.width  # 0 until the first layout: the CSS height holds
        if width <= 0:
            return
        lines = max(2, len(Content.from_markup(self._text).wrap(width)))
        if keep:
            lines = max(lines, self.size.height)
        if self.styles.height is None or self.styles.height.value != lines:
            self.styles.height = lines
