"""The tome app: stylesheet, global keys, and which screen opens first.

``make_app`` builds the app for the CLI, the tests and the snapshot tests alike;
``run()`` is ``tome`` with no arguments (Compose in the current repository) and
``run_review()`` is ``tome review``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.filter import LineFilter
from textual.notifications import SeverityLevel
from textual.screen import Screen

from assistant.display import safe
from assistant.repo import find_root

from .contrast import ContrastFilter
from .screens.review import ReviewScreen
from .state import ReviewState

if TYPE_CHECKING:
    from assistant import Assistant, Result

ScreenFactory = Callable[["TomeApp"], Screen[Any]]


class TomeApp(App[int]):
    CSS_PATH = "tome.tcss"
    TITLE = "tome"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,ctrl+g", "help", "Help", show=False),  # ctrl+g: in a text box
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self, root: Path, first: ScreenFactory, *, assistant: Assistant | None = None
    ) -> None:
        super().__init__()
        self.root = root
        self.assistant = assistant
        self._first = first
        self._thresholds = gc.get_threshold()
        self._frozen = False
        self._contrast = ContrastFilter()
        self.plain_first = False
        """The diff's first screen is drawn before pygments builds its lexer, then coloured
        (set by :func:`run_review`: ``tome review`` is on screen 40 ms sooner)."""

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then :class:`ContrastFilter`: every text drawn reads at 4.5:1
        on its background, whatever the theme (see :mod:`tui.contrast`)."""
        return [*super().get_line_filters(), self._contrast]

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's ``notify``, but plain text with controls escaped, for every screen.

        What tome notifies often holds a file name, an error from a server or a line of an
        answer: none of it may be parsed as markup or reach the terminal raw. No toast of
        tome's needs markup, so ``markup`` is ignored here (``Widget.notify`` always passes
        it), in the one place every toast passes through.
        """
        super().notify(
            safe(message), title=safe(title), severity=severity, timeout=timeout, markup=False
        )

    # -- the collector ----------------------------------------------------------------------
    # Start-up leaves ~120k long-lived objects (Textual, pygments, the changeset). A full
    # collection walks all of them, 50-100 ms, inside whichever key press tips it over. So
    # while starting only the young generations are collected; once the first screen has
    # painted, everything alive is frozen (gc.freeze) and later full collections walk only
    # what was made since (a few ms). On exit it is all unfrozen and collected, so an app
    # run in a longer-lived process (tests) leaves no garbage behind.

    collect_on_exit = True
    """Collect on exit (60-110 ms). ``run``/``run_review`` skip it: the process ends next."""

    def on_load(self) -> None:
        self._thresholds = gc.get_threshold()
        young, middle, _ = self._thresholds
        gc.set_threshold(young, middle, 2**30)  # no full collections until started

    def on_mount(self) -> None:
        self.push_screen(self._first(self))
        self.call_after_refresh(self._started)  # after the first screen's first paint

    def _started(self) -> None:
        gc.freeze()
        self._frozen = True
        gc.set_threshold(*self._thresholds)

    def on_unmount(self) -> None:
        gc.set_threshold(*self._thresholds)
        if self._frozen:
            self._frozen = False
            gc.unfreeze()
        if self.collect_on_exit:
            gc.collect()

    def action_help(self) -> None:
        from .screens.help import HelpScreen  # loaded when first asked for

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(type(self.screen)))

    # -- screens talking up -----------------------------------------------------------------

    def on_review_screen_resend_requested(self, event: ReviewScreen.ResendRequested) -> None:
        from .screens.stream import StreamScreen

        session, result = event.state.session, event.state.result
        if session is None or result is None:  # the screen sends back only with a session
            return
        self.push_screen(
            StreamScreen(
                lambda cancel: session.resend(result, event.rejected, cancel=cancel),
                title=f"re-sending {len(event.rejected)} rejected hunk(s)",
            )
        )


def make_app(
    root: Path | str,
    *,
    review: ReviewState | None = None,
    assistant: Assistant | None = None,
    screen: str = "compose",
) -> TomeApp:
    """The app on ``root``: ``review`` opens that review; otherwise ``screen`` opens first
    (``compose`` or ``history``) with ``assistant`` (an ``assistant.Assistant``, opened on
    ``root`` with ``Assistant.open`` when None)."""
    root = Path(root).resolve()
    if review is not None:
        state = review
        return TomeApp(root, lambda app: ReviewScreen(state), assistant=assistant)
    if assistant is None:
        from assistant.session import Assistant

        assistant = Assistant.open(root)
    session = assistant
    if screen == "history":
        from .screens.history import HistoryScreen

        return TomeApp(root, lambda app: HistoryScreen(session), assistant=session)
    from .screens.compose import ComposeScreen

    return TomeApp(root, lambda app: ComposeScreen(session), assistant=session)


def run(
    root: Path | str | None = None,
    *,
    backend: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
) -> int:
    """``tome``: open Compose in the repository around ``root`` (default: the current
    directory), on the backend chosen as ``tome ask`` chooses it (name, URL, model)."""
    import sys

    from assistant.config import load_settings
    from assistant.errors import AssistantError
    from assistant.model import resolve_backend
    from assistant.session import Assistant

    try:
        found = find_root(root or Path.cwd())
        settings = load_settings(project=found)
        chosen = resolve_backend(settings, name=backend, base_url=base_url, model=model)
        assistant = Assistant.open(found, backend=chosen, settings=settings)
    except AssistantError as exc:  # no usable backend configured, say: before any drawing
        print(f"tome: error: {safe(str(exc))}", file=sys.stderr)
        return 1
    app = make_app(found, assistant=assistant)
    app.collect_on_exit = False
    return int(app.run() or 0)


def run_review(
    root: Path | str,
    *,
    patch_text: str | None = None,
    result: Result | None = None,
    session_id: int | None = None,
    title: str | None = None,
    assistant: Assistant | None = None,
) -> int:
    """``tome review``: a patch (any format), a session's ``Result``, or a stored session.
    ``assistant`` is the one the caller opened (``tome ask --review``: its backend is the one
    the command named); without it, one is opened on ``root`` for a session."""
    root = find_root(root)
    if patch_text is not None:
        state = ReviewState.from_patch(root, patch_text, title=title or "patch")
    else:
        if assistant is None:
            from assistant.session import Assistant

            assistant = Assistant.open(root)
        if result is None:
            result = assistant.load(session_id) if session_id else _latest(assistant)
        state = ReviewState.for_result(assistant, result)
    app = make_app(root, review=state, assistant=assistant)
    app.collect_on_exit = False
    app.plain_first = True
    return int(app.run() or 0)


def _latest(assistant: Assistant) -> Result:
    from assistant.errors import AssistantError

    past = assistant.history(limit=1)
    if not past:
        raise AssistantError("no past session to review; run 'tome ask' or 'tome' first")
    return assistant.load(past[0].session_id)
