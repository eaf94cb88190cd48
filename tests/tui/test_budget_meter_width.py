"""The meter's cost line fits the meter at 80 columns, so a figure never stands alone.

Walked at 80x24 with deepseek-v4-pro picked: "cost $0.4512  with the prefix cached" then
"$0.1405" on a line of its own.
"""

from __future__ import annotations

from textual.content import Content

from assistant.model import Prices
from tui.widgets.budget_meter import Budget, describe

METER = 42  # the meter's width in an 80-column Compose (the side pane, less its padding)


def test_the_cost_line_fits_the_meter_at_80_columns() -> None:
    prices = Prices(cache_hit=0.044, cache_miss=1.32, output=3.96)
    text = describe(Budget(tokens=243_479, window=1_048_576, output=32_768, prices=prices))
    cost = Content.from_markup(text).plain.splitlines()[1]
    assert cost.startswith("cost $") and len(cost) <= METER, cost
