"""``tome ask TASK``: pack the repository, send it with the task, stream the answer.

Modes: ``--print`` (the default) prints the answer; ``--apply`` then shows a summary of
the edits and the diff they make to the files (located, with the files' own lines around
each hunk) and asks y/N on stdin before applying them (``--yes`` applies without asking,
for scripts and CI), with the same safety as ``tome apply`` (every hunk must locate, or
nothing is written; journaled; ``tome undo`` reverts); ``--review`` opens the answer in the
terminal UI. Edits to files that steer later runs (:mod:`assistant.edits.guard`: tome's
config, CI workflows) are flagged in the summary; ``--yes`` alone refuses the whole answer
then, ``--allow-config-edits`` lets them through. A hunk placed by a tolerance is listed
under its file in the summary (``~ hunk 2 at line 31: trailing whitespace ignored``), as
``tome apply`` lists it. ``--diff`` prints that diff also with ``--yes`` (a script's log
shows what was written), or after ``--print`` (nothing is written). ``--commit`` commits
exactly the applied paths. Every request is recorded in the history (``tome history``).

The answer goes to stdout as it arrives; the estimate before sending (with the pack's
tokens and, when the pack was cut to fit the window or ``--budget``, how many files went in
whole, as skeletons, or were omitted), a line per retry
(``tome: retrying in 4 s (429 rate limited)``), the usage line after (tokens, cache
hit/miss, cost), the summary and the prompt go to stderr, so
``tome ask ... > answer.md`` keeps only the answer. The answer is the model's, so control
characters in it (an ESC, a lone carriage return, bidirectional overrides) are written
escaped (:mod:`assistant.display`), to a terminal or not; the history keeps it verbatim.
Exit status (:mod:`assistant.cli._events`): 0 applied, or nothing to do; 1 failed to apply
(nothing written); 2 a usage or config error; 3 the answer is still cut off after the
automatic continuations (never applied); 4 the backend refused or failed the request.
``--json`` streams the run as JSON lines on stdout instead of the answer (started, text,
file_edited, round, check, applied, then finished with usage and cost, or error with its
class); the lines for a person stay on stderr.

A conversation: ``--continue`` sends the task as a follow-up of the latest session of the
repository (``--session ID``: of that one), with the repository packed as that conversation
packed it (the same prompt prefix when no file changed; otherwise rebuilt, and the message
opens with what changed and whether the previous edits were applied), the earlier answers
and messages before it (:mod:`assistant.conversation`). ``tome history`` shows the chain.

Ask mode: ``--no-edits`` asks a question: the prompt asks for an explanation, not edits, and
nothing of the answer is parsed as an edit (the session has none to apply or review). On a
terminal the answer is rendered as Markdown as it arrives; in a pipe it is plain text.

The project's instruction files (``AGENTS.md``, ``CLAUDE.md``, ``CONVENTIONS.md``,
``.github/copilot-instructions.md`` and ``instruction_files`` from config) go into the system
message, not the file list; the line before sending names them
(:mod:`assistant.packing.instructions`).

``--verify`` (or ``--test-cmd CMD`` / ``--lint-cmd CMD``) runs the project's checks on the
edits in a scratch checkout of the current tree before the apply prompt
(:mod:`assistant.cli._checks`); ``--apply --yes`` then applies only edits that pass.

``--reasoning off|low|medium|high`` asks a model that reasons for that much of it (unset: the
backend's default; DeepSeek V4 thinks unless told ``off``); a backend without a reasoning
control refuses a level. The reasoning streams apart from the answer: to stderr, dimmed,
when stderr is a terminal (``--no-show-reasoning`` hides it; ``--show-reasoning`` shows it
into a file or pipe too), never to stdout and never read for edits. The usage line counts
its tokens (``1,234 out (800 reasoning)``), priced as output, as the provider bills them.

``--base-url http://HOST:PORT/v1 --model NAME`` talks to any OpenAI-compatible server
(the key, if it needs one, from ``OPENAI_API_KEY``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ..config import load_settings
from ..display import Escaper, safe, safe_name
from ..edits import file_config_edit
from ..errors import AssistantError, ConfigError, EditError
from ..rounds import stop_note
from ..session import (
    Assistant,
    FileEdited,
    Finished,
    ReasoningDelta,
    Retrying,
    Round,
    TextDelta,
)
from . import _checks
from ._common import (
    add_format,
    add_git_context,
    add_root,
    git_options,
    root_of,
    token_count,
    whole_number,
)
from ._events import CUT_OFF, EXIT_CODES, NOT_APPLIED, USAGE, Events, exit_code_of
from ._summary import file_lines, instruction_lines, tolerated_note

if TYPE_CHECKING:
    from ..checks import Checker, CheckReport
    from ..model import Prices, Usage
    from ..session import Plan, Result

TRUNCATED_EXIT = CUT_OFF
error_exit = exit_code_of  # how `tome` (cli/__init__) turns an error of this command into a code


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", nargs="+", help="what to do (quote it, or give several words)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--print",
        action="store_const",
        const="print",
        dest="mode",
        help="print the answer and the usage line (the default)",
    )
    mode.add_argument(
        "--apply",
        action="store_const",
        const="apply",
        dest="mode",
        help="show the diff, then apply the edits after a y/N prompt (every hunk must apply, "
        "or nothing is written)",
    )
    mode.add_argument(
        "--review",
        action="store_const",
        const="review",
        dest="mode",
        help="review the edits hunk by hunk in the terminal UI",
    )
    _add_apply_options(parser)
    _add_conversation(parser)
    add_root(parser, help="repository or folder (default: .)")
    parser.add_argument(
        "--include",
        action="append",
        metavar="PATH",
        help="pack only these paths (repeatable; patterns as in 'tome pack --include')",
    )
    parser.add_argument("--backend", help="a backend from 'tome models' (default from config)")
    parser.add_argument(
        "--base-url", help="any OpenAI-compatible endpoint, e.g. http://HOST:PORT/v1"
    )
    parser.add_argument("--model", help="the model id to ask for")
    parser.add_argument(
        "--api-key-env", metavar="VAR", help="the environment variable that holds the key"
    )
    parser.add_argument(
        "--budget", type=token_count, help="tokens for the packed repository (e.g. 200k)"
    )
    parser.add_argument(
        "--max-output",
        type=token_count,
        help="output tokens to reserve, reasoning included (default: 32768 for the answer, "
        "plus the reasoning's room when the request reasons: 65536 with DeepSeek, which thinks "
        "by default, 32768 with --reasoning off; never more than the backend's)",
    )
    parser.add_argument(
        "--max-rounds",
        type=_rounds,
        metavar="N",
        help="repair rounds: send hunks that did not place back to the model at most N times "
        "(default: max_rounds in config, 2; 0: off)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="stream the run as JSON lines on stdout instead of the answer (started, text, "
        "file_edited, round, check, applied; last: finished with the report, usage and cost, "
        "or error with its class)",
    )
    _add_reasoning(parser)
    add_format(parser)
    add_git_context(parser, diff=("--git-diff",))
    _checks.add_arguments(parser)
    parser.set_defaults(mode="print")
    parser.epilog = EXIT_CODES


def _add_apply_options(parser: argparse.ArgumentParser) -> None:
    """What goes with ``--apply`` (and ``--diff``, also with ``--print``)."""
    parser.add_argument("-y", "--yes", action="store_true", help="with --apply: do not ask")
    parser.add_argument(
        "--diff",
        action="store_true",
        help="print the diff the edits make to the files, on stderr (with --apply: before "
        "applying, also with --yes; with --print: nothing is written)",
    )
    parser.add_argument(
        "--allow-config-edits",
        action="store_true",
        help="with --apply --yes: also apply edits to .tome.toml, .tomeignore, [tool.tome], "
        ".github/workflows/ (refused otherwise)",
    )
    parser.add_argument(
        "--commit",
        action="store_true",
        help="with --apply: commit exactly the applied paths ('tome: <task>')",
    )


def _refused(args: argparse.Namespace) -> str | None:
    """Options that do not go together, refused before anything is packed or sent."""
    if args.mode != "apply" and (args.yes or args.commit):
        return "--yes and --commit go with --apply"
    if args.mode == "review" and args.diff:
        return "--diff goes with --apply or --print (the review shows each hunk)"
    if args.mode == "review" and getattr(args, "json", False):
        return "--json goes with --apply or --print (the review is on the terminal)"
    return None


def _refused_follow_up(args: argparse.Namespace, following: bool, git: bool) -> str | None:
    """Pack options a follow-up cannot take: it packs what its conversation packed."""
    if following and (args.include or args.budget):
        return (
            "a follow-up packs what its conversation packed; --include and --budget "
            "go with a new session"
        )
    if following and git:
        return (
            "a follow-up packs what its conversation packed and notes the files changed "
            "since; --git-diff, --since and --log go with a new session"
        )
    return None


def _add_reasoning(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reasoning",
        choices=("off", "low", "medium", "high"),
        help="how much a model that reasons may think (default: the backend's own)",
    )
    parser.add_argument(
        "--show-reasoning",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the model's reasoning on stderr, dimmed (default: when stderr is a terminal)",
    )


def _rounds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of rounds: {text!r}") from None
    if not 0 <= value <= 20:
        raise argparse.ArgumentTypeError(f"give 0 to 20 rounds, not {value}")
    return value


def _add_conversation(parser: argparse.ArgumentParser) -> None:
    """``--continue``, ``--session ID`` (a follow-up) and ``--no-edits`` (ask mode)."""
    chain = parser.add_mutually_exclusive_group()
    chain.add_argument(
        "--continue",
        action="store_true",
        dest="continue_",
        help="a follow-up of the latest session (its pack, its answers, then this task)",
    )
    chain.add_argument(
        "--session",
        metavar="ID",
        type=whole_number("a session id", "12"),
        help="a follow-up of session ID (see 'tome history')",
    )
    parser.add_argument(
        "--no-edits",
        action="store_true",
        help="ask a question: the answer explains (Markdown), proposes no edits, applies nothing",
    )


def run(args: argparse.Namespace) -> int:
    events = Events(sys.stdout if getattr(args, "json", False) else None)
    try:
        return _run(args, events)
    except (AssistantError, KeyboardInterrupt) as exc:  # said on stderr by `tome` itself
        events.error(exc, exit_code_of(exc))
        raise


def _usage(events: Events, message: str) -> int:
    """Flags that do not go together: said on stderr (and as the ``error`` event); exit 2."""
    print(f"tome: {message}", file=sys.stderr)
    events.error(message, USAGE)
    return USAGE


def _run(args: argparse.Namespace, events: Events) -> int:
    from ..model import resolve_backend

    if refusal := _refused(args):
        return _usage(events, refusal)
    if args.no_edits and args.mode != "print":
        return _usage(events, "--no-edits asks a question: it has no edits to --apply or --review")
    following = args.continue_ or args.session is not None
    git = git_options(args)
    if refusal := _refused_follow_up(args, following, bool(git)):
        return _usage(events, refusal)
    if args.mode == "review":  # before the request is paid for, not after
        from ._ui import require_terminal

        require_terminal("tome ask --review", "--print or --apply")
    root = root_of(args) or Path(".")
    task = " ".join(args.task).strip()
    settings = load_settings(
        project=root,
        overrides={
            "max_output": args.max_output,
            "max_rounds": getattr(args, "max_rounds", None),
            "reasoning": getattr(args, "reasoning", None),
        },
    )
    backend = resolve_backend(
        settings,
        name=args.backend,
        base_url=args.base_url,
        model=args.model,
        api_key_env=args.api_key_env,
    )
    backend.require_key()  # a missing key fails here, before packing
    assistant = Assistant.open(root, backend=backend, settings=settings, format=args.format)
    verifier = _checks.verifier_of(args, settings, assistant.root)  # shown before sending
    parent = _parent(assistant, args.session) if following else None
    plan = assistant.plan(
        task, paths=args.include, budget=args.budget, continue_from=parent,
        edits=not args.no_edits, git=git,
    )  # fmt: skip
    _before_sending(plan, budget_given=args.budget is not None)
    events.emit("started", **_started(plan, task))
    markdown = args.no_edits and sys.stdout.isatty() and not events
    show = getattr(args, "show_reasoning", None)
    thoughts = _Reasoning(sys.stderr, show)
    result = _stream(
        assistant, plan, markdown=markdown, events=events, checker=verifier, thoughts=thoughts,
        reasoning=bool(events and show),
    )  # fmt: skip
    checked = _checks.check_once(verifier, result)
    if checked is not None:
        events.emit("check", **_checks.as_json(checked)["checks"])
    code = _finish(assistant, result, args, checked, events)
    if events:
        applied = args.mode == "apply" and code == 0 and len(result.changeset) > 0
        events.emit("finished", exit_code=code, applied=applied,
                    usage=_as_dict(total_usage(result)),
                    **report(result), **_checks.as_json(checked))  # fmt: skip
    return code


def _finish(
    assistant: Assistant,
    result: Result,
    args: argparse.Namespace,
    checked: CheckReport | None,
    events: Events,
) -> int:
    """What comes after the answer: the notes on stderr, then the apply, review or diff."""
    backend = assistant.backend
    if note := stop_note(result):
        print(f"tome: {note}", file=sys.stderr)
    if line := _usage_line(result, backend.prices):
        print(f"tome: {line}", file=sys.stderr)
    print(f"tome: session {result.session_id} ('tome history')", file=sys.stderr)
    if result.truncated:
        print(_cut_off(result), file=sys.stderr)
        return TRUNCATED_EXIT
    if _checks.shown_and_refused(checked, result, yes=args.mode == "apply" and args.yes):
        return NOT_APPLIED
    if args.mode == "apply":
        return _apply(assistant, result, yes=args.yes, commit=args.commit, stdin=sys.stdin,
                      allow_config_edits=args.allow_config_edits, diff=args.diff,
                      events=events)  # fmt: skip
    if args.mode == "review":
        return _review(assistant, result)
    if args.diff:
        result.changeset.accept_all()  # in memory only: the diff of every hunk that placed
        _print_diff(result)
    return 0


def _started(plan: Plan, task: str) -> dict[str, Any]:
    """The ``started`` event: what is about to be sent."""
    b = plan.backend
    e = plan.estimate
    return {
        "backend": b.name, "model": b.model, "base_url": b.base_url, "task": task,
        "pack_tokens": plan.pack.tokens, "files": len(plan.pack.files),
        "tiers": dict(plan.pack.tiers), "prompt_tokens": plan.prompt_tokens,
        "max_output": plan.max_output, "parent": plan.parent_id, "edits": plan.edits,
        "estimate": None if e is None else _as_dict(e),
    }  # fmt: skip


def _as_dict(value: Any) -> Any:
    import dataclasses

    return None if value is None else dataclasses.asdict(value)


def _print_diff(result: Result) -> None:
    """The diff the accepted hunks make to the files (with their own lines around), on
    stderr: stdout keeps only the answer. From the model's answer: escaped."""
    print(safe("".join(f.diff() for f in result.changeset)), end="", file=sys.stderr)


def _parent(assistant: Assistant, session: int | None) -> int:
    """The session a follow-up continues: ``session``, or the latest request with an
    answer; of a request that took repair rounds, the round the loop gave (the changeset
    the user got, not the last round asked)."""
    if session is not None:
        return session
    for s in assistant.sessions.requests(limit=200):
        if s.status not in ("failed", "streaming"):
            return next((r.session_id for r in s.rounds if r.taken), s.session_id)
    raise ConfigError(  # the way it was asked: a usage error (exit 2), like a bad flag
        "nothing to continue: no session of this repository has an answer yet "
        "(ask without --continue first)"
    )


def _stream(
    assistant: Assistant,
    plan: Plan,
    *,
    markdown: bool,
    events: Events,
    checker: Checker | None,
    thoughts: _Reasoning,
    reasoning: bool = False,
) -> Result:
    """Send ``plan``, the answer to stdout as it arrives (escaped: it is the model's), as
    rendered Markdown when ``markdown``, as ``text`` events with ``events`` (``--json``);
    the reasoning apart (``thoughts``, on stderr; as events too when ``reasoning``); a line
    per round and per retry on stderr. The finished result."""
    as_json = bool(events)
    out = sys.stdout
    result: Result | None = None
    shown = Escaper()  # the answer is the model's: shown, never obeyed by the terminal
    live = _Markdown() if markdown else None
    try:
        for event in assistant.send(plan, checker=checker):
            if isinstance(event, ReasoningDelta):
                thoughts.feed(event.text)
                if reasoning:
                    events.emit("reasoning", text=event.text)
            elif isinstance(event, TextDelta):
                thoughts.end()
                events.emit("text", text=event.text)
                if live is not None:
                    live.feed(event.text)
                elif not as_json:
                    out.write(shown.feed(event.text))
                    out.flush()
            elif isinstance(event, Round):
                thoughts.end()
                if not as_json and live is None:
                    out.write(shown.close())
                    out.write("\n")
                    out.flush()
                print(f"tome: {event}", file=sys.stderr, flush=True)
                events.emit("round", round=event.number, reason=event.reason,
                            failed_hunks=event.failed, check_failures=event.check_failures,
                            shared_tokens=event.shared_tokens,
                            prompt_tokens=event.prompt_tokens)  # fmt: skip
            elif isinstance(event, Retrying):
                out.flush()
                print(f"tome: {event.notice}", file=sys.stderr, flush=True)
                events.emit("retry", message=str(event.notice))
            elif isinstance(event, FileEdited):
                edit = event.edit
                events.emit("file_edited", path=edit.path, action=edit.action,
                            hunks=len(edit.hunks), move_to=edit.move_to)  # fmt: skip
            elif isinstance(event, Finished):
                result = event.result
    finally:
        thoughts.end()
        if live is not None:
            live.close()
    assert result is not None
    if live is None and not as_json:
        out.write(shown.close())
        if result.answer and not result.answer.endswith("\n"):
            out.write("\n")
    out.flush()
    return result


class _Markdown:
    """The answer rendered as Markdown on the terminal while it streams (rich ``Live``);
    the text is escaped first (:func:`~assistant.display.safe`), never given as markup."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.live import Live

        self.text = ""
        self.console = Console(file=sys.stdout, highlight=False, emoji=False)
        self.live = Live(console=self.console, refresh_per_second=8, vertical_overflow="visible")
        self.live.start()

    def feed(self, text: str) -> None:
        from rich.markdown import Markdown

        self.text += text
        self.live.update(Markdown(safe(self.text)))

    def close(self) -> None:
        self.live.stop()


def _cut_off(result: Result) -> str:
    """Why the answer is cut off and what to do, in one line."""
    if not result.cancelled and not result.answer:  # the reasoning spent the whole reserve
        return (
            "tome: the reasoning used the whole output reserve before the answer began; "
            "raise --max-output or ask for less reasoning (--reasoning low or off)"
        )
    return (
        "tome: the answer is still cut off (finish_reason=length) after "
        f"{result.continuations} continuation(s); do not apply it as is: raise --max-output, "
        "narrow the task, or lower --budget"
    )


class _Reasoning:
    """The model's reasoning on stderr as it arrives, dimmed on a terminal, escaped (it is
    the model's), apart from the answer; or, hidden, one line saying it is happening."""

    DIM, RESET = "\x1b[2m", "\x1b[0m"

    def __init__(self, err: TextIO, show: bool | None) -> None:
        tty = err.isatty()
        self.err = err
        self.show = tty if show is None else show
        self.dim = tty
        self.escaper = Escaper()
        self.open = False  # reasoning is being written (or was said to be, hidden)
        self.said = False

    def feed(self, text: str) -> None:
        if not self.show:
            if not self.said:
                print("tome: the model is reasoning (--show-reasoning shows it)",
                      file=self.err, flush=True)  # fmt: skip
                self.said = True
            return
        if not self.open:
            self.err.write("tome: reasoning:\n" + (self.DIM if self.dim else ""))
            self.open = True
        self.err.write(self.escaper.feed(text))
        self.err.flush()

    def end(self) -> None:
        """The answer begins (or the reply ended): close the dimmed block."""
        if not self.open:
            return
        self.open = False
        self.err.write(self.escaper.close() + (self.RESET if self.dim else "") + "\n")
        self.err.flush()


def _usage_line(result: Result, prices: Prices | None) -> str | None:
    """The usage line: tokens, cache, cost; summed over every round (each was paid for,
    the ones not taken too)."""
    from ..model import format_usage

    notes = []
    if result.continuations:
        notes.append(f"{result.continuations} continuation(s)")
    if result.retries:
        n = result.retries
        notes.append(f"{n} retr{'y' if n == 1 else 'ies'}")
    extra = f" ({', '.join(notes)})" if notes else ""
    total = total_usage(result)
    if total is None:
        return None
    rounds = sum(r.usage is not None for r in result.rounds)
    over = f" over {rounds} rounds" if rounds > 1 else ""
    return f"{format_usage(total, prices)}{extra}{over}"


def total_usage(result: Result) -> Usage | None:
    """The usage of every round summed (each was paid for, the ones not taken too); the
    reply's own when no round reported one (None: nothing known)."""
    usages = [r.usage for r in result.rounds if r.usage is not None]
    if len(usages) <= 1:
        return result.usage
    total = usages[0]
    for u in usages[1:]:
        total = total + u
    return total


def report(result: Result) -> dict[str, Any]:
    """The ``--json`` report: the session taken, why the loop stopped, and each round with
    the tokens of its prompt identical to the previous request's, its usage and cost."""
    import dataclasses

    rounds = [
        {
            "round": r.number, "session": r.session_id, "reason": r.reason,
            "failed_hunks": r.failed, "fixed_hunks": r.fixed, "checks": r.checks,
            "check_failures": r.check_failures, "prompt_tokens": r.prompt_tokens,
            "stable_prefix_tokens": r.stable_prefix_tokens,
            "usage": None if r.usage is None else dataclasses.asdict(r.usage), "cost": r.cost,
        }
        for r in result.rounds
    ]  # fmt: skip
    costs = [r.cost for r in result.rounds if r.cost is not None]
    return {
        "session": result.session_id,
        "round": result.round,
        "stopped": result.stopped,
        "truncated": result.truncated,
        "files": [f.path for f in result.changeset],
        "failed_hunks": len(result.changeset.failures),
        "problems": list(result.problems),
        "cost": sum(costs) if costs else None,
        "rounds": rounds,
    }


def _before_sending(plan: Plan, *, budget_given: bool) -> None:
    """What is about to be sent, on stderr: the backend and the estimate (the prompt's
    tokens, the output reserve, the cost), then the pack: its tokens (the figure
    ``tome history`` lists) and, when it was cut to fit, what was cut."""
    from ..model import format_estimate

    backend = plan.backend
    where = safe(f"{backend.name}: {backend.model} at {backend.base_url}")
    if plan.estimate is not None:
        print(f"tome: {where}; {format_estimate(plan.estimate)}", file=sys.stderr)
    else:
        print(
            f"tome: {where}; prompt {plan.prompt_tokens:,} tokens "
            f"(+ up to {plan.max_output:,} out)",
            file=sys.stderr,
        )
    line = f"tome: pack {plan.pack.tokens:,} tokens"
    if plan.cut is not None:
        limit = "--budget" if budget_given else "the window"
        line += f", cut to fit {limit} ({plan.pack.budget or 0:,} tokens): {plan.cut}"
    else:
        line += f", {len(plan.pack.files):,} file{'s' * (len(plan.pack.files) != 1)} whole"
    print(line, file=sys.stderr)
    for note in instruction_lines(plan.pack):
        print(f"tome: {note}", file=sys.stderr)
    if plan.parent_id is not None:
        dropped = f"; {plan.dropped} oldest exchange(s) left out to fit" if plan.dropped else ""
        print(f"tome: follow-up of session {plan.parent_id}{dropped}", file=sys.stderr)
    if not plan.edits:
        print("tome: ask mode: the answer proposes no edits", file=sys.stderr)


def summary(result: Result) -> list[str]:
    """One line per file the answer changes (``M app.py  (+2 -2, 2 hunks)``), each hunk
    placed by a tolerance under it (``~ hunk 2 at line 31: trailing whitespace ignored``),
    then failures.

    Paths and failures come from the model's answer: escaped for the terminal."""
    lines = file_lines(result.changeset, indent="  ", flag_config=True)
    lines += [f"  {safe(f.describe())}" for f in result.changeset.failures]
    lines += [f"  cannot use: {safe(p)}" for p in result.problems]
    return lines


def _apply(assistant: Assistant, result: Result, *, yes: bool, commit: bool, stdin: TextIO,
           allow_config_edits: bool = False, diff: bool = False,
           events: Events | None = None) -> int:  # fmt: skip
    err = sys.stderr
    cs = result.changeset
    if not len(cs):
        if result.problems:  # every edit was refused: say why, not that there were none
            print("tome: no edit of the answer can be used:", file=err)
            print("\n".join(f"  {p}" for p in result.problems), file=err)
            return NOT_APPLIED
        print("tome: the answer has no edits to apply: nothing to do", file=err)
        return 0
    print(f"tome: the answer changes {len(cs)} file{'s' * (len(cs) != 1)}:", file=err)
    print("\n".join(summary(result)), file=err)
    if note := tolerated_note(cs):
        print(f"tome: {note}", file=err)
    if cs.failures or result.problems:
        print(
            f"tome: {len(cs.failures) + len(result.problems)} edit(s) cannot be applied; "
            f"nothing was written (review the rest: tome review --session {result.session_id})",
            file=err,
        )
        return 1
    flagged = [r for f in cs if (r := file_config_edit(f))]
    if flagged:
        print("tome: the answer edits files that steer later runs (config, CI):", file=err)
        print("\n".join(f"  ! {reason}" for reason in flagged), file=err)
        if yes and not allow_config_edits:
            print(
                "tome: --yes does not apply config edits; nothing was written (all or none). "
                "Review them (tome review --session "
                f"{result.session_id}) or add --allow-config-edits",
                file=err,
            )
            return 1
    cs.accept_all()  # --apply takes every hunk: the diff shown is what will be written
    if diff or not yes:
        _print_diff(result)
    if not yes:
        print("Apply these changes? [y/N] ", end="", file=err, flush=True)
        answer = stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            assistant.decline(result)  # 'tome history' shows it declined, not answered
            print(f"tome: nothing applied (session {result.session_id})", file=err)
            return 1
    try:
        record = assistant.apply(result, commit=commit)
    except EditError:
        print("tome: nothing was written", file=err)
        raise
    if events is not None:
        events.emit("applied", paths=list(record.paths), merged=list(record.merged),
                    commit=record.commit)  # fmt: skip
    n = len(record.paths)
    merged = f", merged {', '.join(map(safe_name, record.merged))}" if record.merged else ""
    print(f"tome: changed {n} file{'s' * (n != 1)}{merged}; 'tome undo' reverts", file=err)
    if record.commit:
        first = safe_name(result.task.splitlines()[0])
        print(f"tome: committed {record.commit[:12]} (tome: {first})",
              file=err)  # fmt: skip
    return 0


def _review(assistant: Assistant, result: Result) -> int:
    from ._ui import terminal_ui

    ui = terminal_ui("tome ask --review", "--print or --apply")
    shown = ui.run_review(
        assistant.root, result=result, session_id=result.session_id, assistant=assistant
    )  # the assistant opened here: the backend the command named, for a send-back
    return int(shown or 0)
