"""Compose: pick the files, see what they cost in tokens and dollars, write the task, send.

The repository is packed once in a thread worker (no network) to count every file; the tree
shows the counts per file and folder, and the meter follows the include/exclude toggles.

The meter shows the request's own figures: the prompt (the pack plus the system message and
the chat framing, :attr:`Assistant.prompt_overhead <assistant.session.Assistant>`) and the
output reserve the request sends as ``max_tokens`` (:attr:`Assistant.reserve`), priced as
``tome ask`` prices them. Until the request is planned for the task it is an estimate from
the files' counts (``~``); recount (ctrl+r) with a task plans it, and so does sending: the
plan the meter then shows is the plan sent, to the token. A pack larger than the window is
cut to fit it; the meter and a notice say what was cut before it is sent (files whole, as
skeletons, omitted). A plan that does not fit the window is not sent; the TUI says what to do with its own controls (:mod:`tui.advice`). Sending
streams on the Stream screen (``@work(exclusive=True)``: a new send replaces one still being
prepared).

A conversation: once a request was answered from here, coming back (from Review, or from
the Stream of an answer without edits) shows "Follow up on #ID" and a follow-up box under
the task; a message written there continues the session (``Assistant.plan(...,
continue_from=ID)``: the same pack, the answers so far, the new message last). With the box
empty, ctrl+s sends the task box as a new session, as before; ctrl+l drops the follow-up.
ctrl+f toggles ask mode (a question: the prompt asks
for an explanation, nothing is parsed as an edit); the task box's title and the send button
say which mode is on.

ctrl+t walks the reasoning levels the backend honours (its default, off, low, medium, high,
each shown by the name the backend gives it: DeepSeek's are off, low, high, max;
:meth:`Assistant.with_reasoning <assistant.session.Assistant.with_reasoning>`); the line under
the backend says the level in use, and the meter's output reserve follows it (a request that
reasons reserves room for the reasoning). A backend picked that cannot reason at the level in
use is taken at its own default, and a notice says so.

f2 opens the send options (:mod:`tui.screens.options`), what ``tome ask`` takes as flags:
verify (the test and lint commands, typed there, configured, or detected, run on each
round's changeset in a scratch worktree; a project's own commands wait for ``tome trust``),
the repair rounds (``max_rounds`` from config, 0: off), and the git context of a new
session (the uncommitted diff, the changes since a ref, the last N commit subjects). The
line under the reasoning level says them; the meter counts the git sections, and what
verify will run is said again as the request is sent. The Stream marks each check, the
Review's rounds line says how each round's checks ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Select, Static, TextArea
from textual.worker import get_current_worker

from assistant.display import safe_name
from assistant.errors import AssistantError, ConfigError

from ..advice import NEXT_BACKEND, OPTIONS_KEY, error_text, fit_text
from ..widgets.budget_meter import Budget, BudgetMeter
from ..widgets.file_tree import FileTree
from ..widgets.footer import Footer
from .options import SendOptions, checks_of, choice_lines, note_text
from .stream import StreamScreen

if TYPE_CHECKING:
    from assistant.packing import GitOptions, Pack
    from assistant.session import Assistant, Plan
    from assistant.verify import Choice, Verifier

Key = tuple[str, tuple[str, ...] | None, str, int | None, bool, str, "GitOptions | None"]
"""What a plan was made for: the task (or follow-up message), the included paths (None:
all), the backend, the session followed up on (None: a new one), ask mode, the reasoning
level (its output reserve differs), the git sections (None: none, or a follow-up)."""


class ComposeScreen(Screen[None]):
    # The task box has the focus, so every key here is a control key a terminal delivers as
    # itself and the box does not take: not ctrl+h (Backspace), ctrl+i (Tab), ctrl+m or
    # ctrl+j (Enter), ctrl+[ (Escape); not ctrl+b (tmux's prefix) nor a printable key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "Send", priority=True),
        Binding(NEXT_BACKEND, "next_backend", "Backend"),
        Binding("ctrl+t", "next_reasoning", "Reasoning"),
        Binding("ctrl+r", "recount", "Recount"),
        Binding("ctrl+f", "toggle_ask", "Ask"),
        # named by the follow-up box (its border), not the footer: with it the eight keys
        # above no longer fit 80 columns and ^q Quit was cut
        Binding("ctrl+l", "new_session", "New", show=False),
        # named by the options line above the meter (the footer is full at 80 columns)
        Binding(OPTIONS_KEY, "options", "Options", show=False),
        Binding("ctrl+o", "history", "History"),
        Binding("ctrl+g", "app.help", "Help"),
        Binding("ctrl+q", "app.quit", "Quit", priority=True),  # shown: the app's is not
    ]

    def __init__(self, assistant: Assistant) -> None:
        super().__init__()
        self.assistant = assistant
        self.counted = False
        self.overhead = 0  # the prompt's tokens beyond the pack, for the estimate
        self.planned: tuple[Key, Plan] | None = None  # the last plan, and what it was for
        self.refused: str | None = None  # the backend last picked that could not be used
        self.ask_mode = False  # ctrl+f: a question, no edits
        self.follow: int | None = None  # the session the follow-up box continues
        self.sent = False  # a request went out from here: coming back offers a follow-up
        self.options = SendOptions(max_rounds=assistant.settings.max_rounds)  # f2
        self.checks: Choice | None = None  # what verify would run, as the options line says

    def compose(self) -> ComposeResult:
        a = self.assistant
        title = Content.assemble(("tome", "bold"), "  ", safe_name(a.root.name))
        yield Static(title, id="compose-title", classes="title-bar")
        with Horizontal(id="compose-body"):
            yield FileTree(id="tree")
            with Vertical(id="compose-side"):
                yield Select(
                    [(name, name) for name in self._backends()],
                    value=a.backend.name,
                    allow_blank=False,
                    id="backend",
                )
                yield Static(self._reasoning_line(), id="reasoning-level")
                yield Static(id="send-options")
                yield BudgetMeter(id="meter")
                yield TextArea(id="task", soft_wrap=True, show_line_numbers=False)
                yield Static("", id="followup-label")
                yield TextArea(id="followup", soft_wrap=True, show_line_numbers=False)
                yield Button("Send (ctrl+s)", variant="primary", id="send")
        yield Footer(show_command_palette=False)  # at 80 columns: room for every key of its own

    def _reasoning_line(self) -> Content:
        """The level in use under the name the backend gives it (DeepSeek's default effort
        is "high", which tome's level "medium" asks for), with tome's level when asked."""
        a = self.assistant
        level = a.reasoning_level
        name = dict(a.backend.reasoning_efforts).get(level, level)
        source = "asked" if a.options.reasoning is not None else "backend's default"
        if a.options.reasoning is not None and name != level:
            source = f"asked {level}"
        if a.backend.reasoning_control == "none" and a.options.reasoning is None:
            source = "no control"
        return Content.assemble(("reasoning ", "bold"), f"{name} ({source})")  # ^t: footer

    def action_next_reasoning(self) -> None:
        """The next level the backend honours after the one in use (unset, then off, low,
        medium, high, then unset again); one it cannot honour is skipped."""
        from assistant.model import LEVELS

        a = self.assistant
        order: list[str | None] = [None, *LEVELS]
        at = order.index(a.options.reasoning)
        for step in range(1, len(order)):
            level = order[(at + step) % len(order)]
            try:
                chosen = a.with_reasoning(level)
            except ConfigError:
                continue
            if level == a.options.reasoning:
                break
            self._use(chosen)
            return
        self.notify(f"{a.backend.name} has no other reasoning level", severity="warning")

    def _use(self, assistant: Assistant) -> None:
        """Make ``assistant`` the one in use (the app's too) and show what changed."""
        self.assistant = assistant
        self.app.assistant = assistant  # type: ignore[attr-defined]
        self.query_one("#reasoning-level", Static).update(self._reasoning_line())
        self._update_meter()

    def _backends(self) -> list[str]:
        from assistant.model import backend_names

        names = backend_names(self.assistant.settings)  # a broken entry fails when picked
        if self.assistant.backend.name not in names:
            names.insert(0, self.assistant.backend.name)
        return names

    def on_mount(self) -> None:
        self.query_one("#tree", FileTree).border_title = "files (space: include/exclude)"
        followup = self.query_one("#followup", TextArea)
        followup.border_title = "follow-up"
        followup.border_subtitle = "^l new session"
        self._show_mode()
        self.query_one("#task", TextArea).focus()
        self.action_recount()

    # -- conversation and mode --------------------------------------------------------------

    def on_screen_resume(self) -> None:
        """Back from a request sent here: offer to follow up on the session it made."""
        if not self.sent:
            return
        self.sent = False
        latest = self.assistant.history(limit=1)
        # a cancelled or failed request has no answer to follow up on: send the task again
        if latest and latest[0].status not in ("failed", "cancelled", "streaming"):
            latest_id = latest[0].session_id
            self.follow = latest_id
            self._show_mode()
            self.query_one("#followup", TextArea).focus()

    def action_new_session(self) -> None:
        """Drop the follow-up: the next send starts a new session with the task box."""
        self.follow = None
        self.query_one("#followup", TextArea).clear()
        self._show_mode()
        self.query_one("#task", TextArea).focus()

    def action_toggle_ask(self) -> None:
        self.ask_mode = not self.ask_mode
        self._show_mode()
        self.notify("ask mode: a question, no edits" if self.ask_mode else "edit mode",
                    timeout=3)  # fmt: skip

    def _show_mode(self) -> None:
        """The task box's title, the follow-up box and the send button say what ctrl+s sends."""
        ask = " · ask mode, no edits" if self.ask_mode else ""
        self.query_one("#task", TextArea).border_title = ("question" if self.ask_mode
                                                          else "task")  # fmt: skip
        self.query_one("#send-options", Static).update(self._options_line())
        label = self.query_one("#followup-label", Static)
        box = self.query_one("#followup", TextArea)
        label.display = box.display = self.follow is not None
        if self.follow is not None:
            label.update(Content(f"Follow up on #{self.follow}{ask}"))
        verb = "Ask" if self.ask_mode else "Send"
        what = f"{verb} follow-up" if self._following() else verb
        self.query_one("#send", Button).label = f"{what} (ctrl+s)"
        self._update_meter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """ctrl+l acts only while there is a follow-up to drop."""
        if action == "new_session":
            return self.follow is not None
        return True

    # -- send options (f2) ------------------------------------------------------------------

    def _options_line(self) -> Content:
        """The options in one line: the repair rounds, the checks (which commands, or why
        none), the git sections; the key that opens them."""
        o = self.options
        checks = "verify off"
        choice = self.checks
        if choice is not None:
            from assistant.verify import NOTHING_TO_RUN

            names = ", ".join(c.name for c in choice.commands) or "nothing to run"
            refused = [n for n in choice.notes if n != NOTHING_TO_RUN]  # waiting for trust
            checks = f"verify {names}" + (f", {len(refused)} left out" if refused else "")
        parts = [f"rounds {o.max_rounds}" if o.max_rounds else "rounds off", checks]
        if o.has_git:
            follow = " (new sessions only)" if self.follow is not None else ""
            parts.append(f"git {o.git_words()}{follow}")
        return Content.assemble(("options", "bold"), f" ({OPTIONS_KEY}) ", " · ".join(parts))

    def action_options(self) -> None:
        from .options import OptionsScreen

        a = self.assistant
        dialog = OptionsScreen(self.options, settings=a.settings, root=a.root,
                               following=self.follow is not None)  # fmt: skip
        self.app.push_screen(dialog, callback=self._options_chosen)

    def _options_chosen(self, chosen: SendOptions | None) -> None:
        if chosen is None or chosen == self.options:
            return
        recount = chosen.git() != self.options.git()
        self.options = chosen
        a = self.assistant
        self.checks = checks_of(chosen, a.settings, a.root)
        self._show_mode()
        if recount:  # the git sections are part of the pack: the meter counts them
            self.action_recount()

    def _git(self) -> GitOptions | None:
        """The git sections of the next request: a new session's (a follow-up packs what
        its conversation packed)."""
        if self._following() or not self.options.has_git:
            return None
        return self.options.git()

    def _verifier(self) -> Verifier | None:
        """The checker of the next send, what it runs said first (as ``tome ask --verify``
        says it before sending); None: verify is off, or nothing to run."""
        from assistant.verify import Verifier

        a = self.assistant
        choice = checks_of(self.options, a.settings, a.root)
        if choice is None:
            return None
        for note in choice.notes:
            self.notify(note_text(note), title="checks: left out", severity="warning",
                        timeout=12)  # fmt: skip
        if not choice.commands:
            return None
        said = "\n".join(choice_lines(choice)[: len(choice.commands)])
        self.notify(said, title="checks, in a scratch worktree of the current tree", timeout=5)
        return Verifier(a.root, choice.commands, timeout=a.settings.check_timeout,
                        notes=choice.notes)  # fmt: skip

    # -- counting ---------------------------------------------------------------------------

    def action_recount(self) -> None:
        self.query_one(BudgetMeter).budget = None
        self._count(self._git())

    @work(thread=True, exclusive=True, group="count")
    def _count(self, git: GitOptions | None) -> None:
        a = self.assistant
        try:
            try:
                packed = self._pack(git)
            except AssistantError as exc:
                if git is None:
                    raise
                # the git sections cannot be made (a since that names nothing): said, and
                # the files counted without them
                self.app.call_from_thread(self.notify, error_text(exc), severity="error",
                                          title="git context", timeout=10)  # fmt: skip
                packed = self._pack(None)
            overhead = a.prompt_overhead + packed.instruction_tokens + packed.git_tokens
        except AssistantError as exc:
            self.app.call_from_thread(self.notify, error_text(exc), severity="error")
            return
        files = [(f.path, f.tokens) for f in packed.files]
        self.app.call_from_thread(self._counted, files, overhead, _instructions_tip(packed))

    def _pack(self, git: GitOptions | None) -> Pack:
        """The whole repository packed, to count every file (and the git sections asked)."""
        from assistant import PackOptions, pack

        a = self.assistant
        names = tuple(a.settings.instruction_files)
        options = PackOptions(instruction_files=names) if git is None else \
            PackOptions(instruction_files=names, git=git)  # fmt: skip
        return pack(a.root, encoding=a.backend.encoding, cache=a.cache, options=options)

    def _counted(self, files: list[tuple[str, int]], overhead: int, tip: str | None = None) -> None:
        self.query_one(BudgetMeter).tooltip = tip  # the instruction files: not in the tree
        self.query_one(FileTree).set_files(files)
        self.counted = True
        self.overhead = overhead
        self._update_meter()
        key = self._key()
        if key[0]:  # a task is written: plan it, so the meter shows the request's figures
            self._plan(key, send=False)

    def _following(self) -> bool:
        """Whether ctrl+s sends the follow-up box: there is a session to follow and the box
        holds a message (an empty box leaves ctrl+s sending the task as a new session)."""
        box = self.query_one("#followup", TextArea)
        return self.follow is not None and bool(box.text.strip())

    def _key(self) -> Key:
        backend, ask = self.assistant.backend.name, self.ask_mode
        level = self.assistant.reasoning_level
        if self._following():
            message = self.query_one("#followup", TextArea).text.strip()
            return message, None, backend, self.follow, ask, level, None
        task = self.query_one("#task", TextArea).text.strip()
        paths = self.query_one(FileTree).included_paths() if self.counted else None
        chosen = tuple(paths) if paths is not None else None
        return task, chosen, backend, None, ask, level, self._git()

    def _update_meter(self) -> None:
        if not self.counted:
            return
        a = self.assistant
        backend = a.backend
        planned = self.planned[1] if self.planned and self.planned[0] == self._key() else None
        cut = None
        if planned is not None:
            tokens, reserve, cut = planned.prompt_tokens, planned.max_output, planned.cut
        else:
            tokens = self.query_one(FileTree).entry.included_tokens() + self.overhead
            reserve = a.reserve
        self.query_one(BudgetMeter).budget = Budget(
            tokens=tokens,
            window=backend.window,
            output=reserve,
            prices=backend.prices,
            planned=planned is not None,
            cut=cut,
        )

    # -- planning ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="plan")
    def _plan(self, key: Key, *, send: bool) -> None:
        """Pack and price the request for ``key`` (no network); with ``send``, send it."""
        task, paths, _, follow, ask, _, git = key
        a = self.assistant
        try:
            if send:
                a.backend.require_key()  # a missing key fails before the repository is packed
            plan = a.plan(task, paths=list(paths) if paths is not None else None,
                          continue_from=follow, edits=not ask, git=git)  # fmt: skip
        except AssistantError as exc:
            self.app.call_from_thread(
                self.notify, error_text(exc), title="cannot send this", severity="error"
            )
            return
        if not get_current_worker().is_cancelled:  # a newer plan replaced this one
            self.app.call_from_thread(self._planned, key, plan, a if send else None)

    def _planned(self, key: Key, plan: Plan, sender: Assistant | None) -> None:
        """Show ``plan``; with ``sender`` (the assistant that planned it), send it if it fits."""
        self.planned = (key, plan)
        self._update_meter()
        if not plan.fits:
            b = plan.backend
            message = fit_text(
                prompt_tokens=plan.prompt_tokens,
                reserve=plan.max_output,
                window=b.window,
                backend=b.name,
            )
            self.notify(message, title="the request does not fit", severity="error", timeout=10)
        elif sender is not None:
            if plan.cut is not None:  # said before it goes, as tome ask says it
                self.notify(plan.cut, title="the pack was cut to fit the window", timeout=8)
            self._send(sender, key[0], plan)

    @on(FileTree.Toggled)
    @on(TextArea.Changed, "#task")
    @on(TextArea.Changed, "#followup")
    def _changed(self) -> None:
        self._show_mode()  # the button says what ctrl+s sends; the meter is an estimate again

    # -- backend ----------------------------------------------------------------------------

    @on(Select.Changed, "#backend")
    def _backend_changed(self, event: Select.Changed) -> None:
        """Switch to the backend picked, once it resolves; a backend that does not keeps the
        one in use, the picker back on it, and says why."""
        name = str(event.value)
        current = self.assistant
        if name == current.backend.name:
            return
        note = None
        try:
            try:
                switched = current.with_backend(name)
            except ConfigError as exc:
                if exc.setting != "reasoning":
                    raise
                switched = current.with_reasoning(None).with_backend(name)
                note = f"{name} cannot reason at {current.options.reasoning}: its default is used"
        except AssistantError as exc:
            self.refused = name
            self.query_one("#backend", Select).value = current.backend.name  # what is in use
            self.notify(
                f"{error_text(exc)}; still using {current.backend.name}",
                title=f"cannot use {name}",
                severity="error",
                timeout=10,
            )
            return
        self.refused = None
        self._use(switched)
        if note is not None:
            self.notify(note, title="reasoning", timeout=8)
        self.action_recount()  # the encoding may differ; the tree keeps its choices

    def action_next_backend(self) -> None:
        """The next backend that can be used, after the one in use (or the one just
        refused). A backend that cannot be used as configured (a preset with no model id)
        is skipped and named in one line: walking the list used to stop on each of them
        with a toast of its own, four of them covering the screen at 80x24. Picking one in
        the list still says in full why it cannot be used."""
        select = self.query_one("#backend", Select)
        names = self._backends()
        start, self.refused = self.refused or str(select.value), None
        if len(names) < 2:
            return
        i = names.index(start) if start in names else -1
        skipped: list[str] = []
        for step in range(1, len(names)):
            name = names[(i + step) % len(names)]
            if name == self.assistant.backend.name:
                break  # round to the one in use: nothing else can be used
            try:
                self.assistant.with_backend(name)
            except AssistantError:
                skipped.append(name)
                continue
            select.value = name
            break
        if skipped:
            self.notify(
                f"skipped {', '.join(skipped)}: not usable as configured "
                "(pick one in the list to see why)",
                severity="warning",
                timeout=6,
            )

    def action_history(self) -> None:
        from .history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.assistant))

    # -- sending ----------------------------------------------------------------------------

    @on(Button.Pressed, "#send")
    def _send_pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        key = self._key()
        task, paths, *_ = key
        if not task:
            self.notify("write the task first", severity="warning")
            return
        if paths == ():
            self.notify("every file is excluded; include some with space", severity="warning")
            return
        self._plan(key, send=True)  # planned afresh: what is sent is what the meter shows

    @work(exclusive=True, group="send")
    async def _send(self, a: Assistant, task: str, plan: Plan) -> None:
        prices = plan.backend.prices
        verifier = self._verifier()
        rounds = self.options.max_rounds
        self.sent = True
        first = task.splitlines()[0]
        if plan.parent_id is not None:
            first = f"#{plan.parent_id} ↳ {first}"
        stream = StreamScreen(
            lambda cancel: a.send(plan, cancel=cancel, max_rounds=rounds,
                                  checker=stream.showing(verifier)),
            title=first if len(first) <= 60 else first[:59] + "…",
            output_price=prices.output if prices else None,
        )  # fmt: skip
        await self.app.push_screen(stream)


def _instructions_tip(packed: Pack) -> str | None:
    """The meter's tooltip: the project's instruction files, which the system message holds
    (and the tree leaves out), and those left out with why (paths escaped)."""
    lines = [f"{safe_name(i.path)}: {i.tokens:,} tokens" for i in packed.instructions] + [
        f"{safe_name(s.path)}: left out, {s.detail}" for s in packed.instructions_left_out
    ]
    if not lines:
        return None
    return "instruction files, in the system message:\n" + "\n".join(lines)
