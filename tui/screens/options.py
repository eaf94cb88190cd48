"""Compose's send options (f2): verify and repair rounds (issue 14), git context (issue 16).

What ``tome ask`` takes as flags, the TUI takes here: ``--verify`` with ``--test-cmd`` and
``--lint-cmd``, ``--max-rounds N``, ``--git-diff``, ``--since REF``, ``--log N``. The
dialog shows, as it is edited, which commands a check would run and where each comes from
(typed here, the config, or detected), and what was left out and why, as ``tome ask``
says it before sending.

Trust: what is typed here is the user's explicit choice (trusted): the commands run as
typed, in the scratch worktree only. A project's ``test_cmd``/``lint_cmd`` is the
repository's (untrusted): :func:`assistant.verify.choose` leaves it out until ``tome
trust`` and the dialog says so. The ``since`` ref is the user's, but it is refused here (and
again by the packer) when git could read it as an option (``--output=...``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Checkbox, Input, Label, Static

from assistant.display import safe
from assistant.errors import ConfigError

from .dialog import Dialog

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.packing import GitOptions
    from assistant.verify import Choice

MAX_ROUNDS = 20  # as tome ask --max-rounds
MAX_LOG = 1000
TYPED = "typed in the options"
"""Where a typed command comes from, said in place of the CLI's ``--test-cmd``."""


@dataclass(frozen=True)
class SendOptions:
    """What a send from Compose runs besides the request: the checks, the repair rounds,
    the git sections of the pack (a new session's; a follow-up packs what it packed)."""

    max_rounds: int = 2
    verify: bool = False
    test_cmd: str = ""  # typed: used before the configured or detected command
    lint_cmd: str = ""
    diff: bool = False
    since: str = ""
    log: int = 0

    def git(self) -> GitOptions:
        """The pack's :class:`~assistant.packing.GitOptions` (loaded when first packed)."""
        from assistant.packing import GitOptions

        return GitOptions(diff=self.diff, since=self.since or None, log=self.log)

    @property
    def has_git(self) -> bool:
        return self.diff or bool(self.since) or self.log > 0

    def git_words(self) -> str:
        """The git sections asked for, in a few words (``diff, since v1.0, log 5``)."""
        parts = ["diff"] * self.diff + [f"since {safe(self.since)}"] * bool(self.since)
        return ", ".join(parts + [f"log {self.log}"] * (self.log > 0)) or "none"


def checks_of(options: SendOptions, settings: Settings, root: Path) -> Choice | None:
    """The commands a check would run for ``options`` (None: verify is off), with the notes
    of what was left out: typed, else configured (a project's only once trusted), else
    detected (:func:`assistant.verify.choose`, as ``tome ask --verify``)."""
    if not options.verify:
        return None
    from assistant.verify import choose

    return choose(settings, root, test_cmd=options.test_cmd.strip() or None,
                  lint_cmd=options.lint_cmd.strip() or None, detect=True)  # fmt: skip


def note_text(note: str) -> str:
    """A note of :func:`checks_of` in the TUI's terms: a command is typed in the options
    (f2), not given with ``--test-cmd``. Escaped: it may quote the project's config."""
    from assistant.verify import NOTHING_TO_RUN

    if note == NOTHING_TO_RUN:
        return f"{note}; type a test or lint command in the options (f2)"
    return safe(note)


def origin_text(origin: str) -> str:
    return TYPED if origin.startswith("--") else origin


def choice_lines(choice: Choice) -> list[str]:
    """What a check will run (``test: python3 -m pytest -q (detected: pytest.ini)``), then
    what it leaves out and why; every line escaped (a command may be the project's)."""
    lines = [f"{c.name}: {safe(c.line)} ({safe(origin_text(c.origin))})" for c in choice.commands]
    return lines + [f"not run: {note_text(n)}" for n in choice.notes]


class OptionsScreen(Dialog[SendOptions | None]):
    """Edits :class:`SendOptions`; dismisses with the new ones (Enter, ctrl+s) or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "use", "Use", priority=True),
    ]

    def __init__(
        self, options: SendOptions, *, settings: Settings, root: Path, following: bool = False
    ) -> None:
        super().__init__()
        self.options = options
        self.settings = settings
        self.root = root
        self.following = following

    def compose(self) -> ComposeResult:
        o = self.options
        with VerticalScroll(classes="dialog options"):
            yield Label(Content("Checks: the edits in a scratch worktree first"), classes="part")
            yield Checkbox("verify: run the test and lint commands", o.verify, id="verify",
                           compact=True)  # fmt: skip
            yield from _field("test command", Input(o.test_cmd, id="test-cmd", compact=True,
                              placeholder="configured or detected"))  # fmt: skip
            yield from _field("lint command", Input(o.lint_cmd, id="lint-cmd", compact=True,
                              placeholder="configured or detected"))  # fmt: skip
            yield Static("", id="checks-preview")
            yield from _field("repair rounds", Input(str(o.max_rounds), id="rounds",
                              type="integer", compact=True), "0: off")  # fmt: skip
            where = " (a new session; not a follow-up)" if self.following else ""
            yield Label(Content(f"Git context, after the files{where}"), classes="part",
                        id="git-part")  # fmt: skip
            yield Checkbox("uncommitted changes (staged and unstaged)", o.diff, id="git-diff",
                           compact=True)  # fmt: skip
            yield from _field("since", Input(o.since, id="since", compact=True,
                              placeholder="a branch, tag or commit"))  # fmt: skip
            yield from _field("log", Input(str(o.log), id="log", type="integer", compact=True),
                              "commit subjects")  # fmt: skip
            yield Static("", id="options-error")
            yield Label("Enter or ctrl+s: use these · Escape: cancel", classes="hint")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#verify", Checkbox).focus()
        self._preview()

    @on(Checkbox.Changed, "#verify")
    @on(Input.Changed, "#test-cmd, #lint-cmd")
    def _preview(self) -> None:
        """What a check would run with the options as they are now."""
        choice = checks_of(self._read_checks(), self.settings, self.root)
        if choice is None:
            text = "verify is off: the edits are not checked before you see them"
        else:
            text = "\n".join(choice_lines(choice)) or "nothing to run"
        self.query_one("#checks-preview", Static).update(Content(text))

    def _read_checks(self) -> SendOptions:
        return SendOptions(
            verify=self.query_one("#verify", Checkbox).value,
            test_cmd=self.query_one("#test-cmd", Input).value,
            lint_cmd=self.query_one("#lint-cmd", Input).value,
        )

    @on(Input.Submitted)
    def action_use(self) -> None:
        try:
            self.dismiss(self._read())
        except ConfigError as exc:
            error = self.query_one("#options-error", Static)
            error.update(Content.styled(str(exc), "$error"))
            error.display = True

    def _read(self) -> SendOptions:
        """The options as typed; a bad value raises ConfigError saying which and why."""
        from assistant.packing import check_ref

        checks = self._read_checks()
        rounds = _number(self.query_one("#rounds", Input).value, "repair rounds", MAX_ROUNDS)
        log = _number(self.query_one("#log", Input).value, "log", MAX_LOG)
        since = self.query_one("#since", Input).value.strip()
        if since:
            try:
                check_ref(since)
            except ConfigError:
                raise ConfigError(
                    f"since: {safe(since)!r} is not a branch, tag or commit (a ref may not be "
                    "empty, start with '-' or hold a line break)"
                ) from None
        return SendOptions(
            max_rounds=rounds, verify=checks.verify, test_cmd=checks.test_cmd.strip(),
            lint_cmd=checks.lint_cmd.strip(), diff=self.query_one("#git-diff", Checkbox).value,
            since=since, log=log,
        )  # fmt: skip

    def action_cancel(self) -> None:
        self.dismiss(None)


def _field(name: str, box: Input, unit: str = "") -> ComposeResult:
    with Horizontal(classes="field"):
        yield Label(name, classes="name")
        yield box
        if unit:
            yield Label(unit, classes="unit")


def _number(text: str, what: str, most: int) -> int:
    """A whole number from 0 to ``most`` typed in a box (empty: 0)."""
    text = text.strip() or "0"
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(f"{what}: give a whole number from 0 to {most}") from None
    if not 0 <= value <= most:
        raise ConfigError(f"{what}: give a whole number from 0 to {most}, not {value}")
    return value
