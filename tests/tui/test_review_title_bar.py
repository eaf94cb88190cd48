"""At 80 columns the Review title bar keeps its figures and warnings whatever the title.

Walked at 80x24 on attrs, the task as title ("Document that optional() skips the converter
for None") pushed "-3" off the bar; with a longer one the "~ ... placed by a tolerance"
warning went too. The title now comes last: a cut takes only the title.
"""

from __future__ import annotations

import pytest
from tolerancekit import DRIFTED, PATCH
from tuikit import screen_text

from tui.app import make_app
from tui.state import ReviewState

pytestmark = pytest.mark.anyio
TASK = "Document that optional() skips the converter for None, and say so in the changelog"


async def test_a_long_title_never_hides_the_figures_or_the_warning(make_repo) -> None:  # type: ignore[no-untyped-def]
    root = make_repo({"textwrap.py": DRIFTED})
    app = make_app(root, review=ReviewState.from_patch(root, PATCH, title=TASK))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        bar = screen_text(app).splitlines()[0]
        assert "1 file  +" in bar and "~ 1 hunk placed by a tolerance" in bar, bar
        assert bar.split("~ 1 hunk placed by a tolerance")[1].startswith("  ·  Document"), bar
