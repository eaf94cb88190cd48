"""The ``tome`` command.

One small module per subcommand in this package (``pack.py``, ``ask.py``, ``apply.py`` ...),
each with ``add_arguments(parser)`` and ``run(args) -> int``. They are imported only when
their subcommand runs, so ``tome pack`` never pays for openai or textual.
This package is the only place (with ``tui``) that turns ``AssistantError`` into output,
and the only place that changes process-wide state (the warning hook and the GIL switch
interval while a command runs, the cyclic collector paused during ``tome pack``,
``os._exit`` at the end): the library never does.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

from ..display import safe
from ..errors import AssistantError, ConfigError, ContextLengthError, ModelError, PackError
from ._common import OLD_ROOT_SPELLINGS, add_root

# name -> (module, one-line help). Modules live in this package.
COMMANDS: dict[str, tuple[str, str]] = {
    "pack": ("pack", "pack a repository into one prompt (no API key needed)"),
    "ask": ("ask", "send the packed repository and a task to a model"),
    "apply": ("apply", "apply an edit (any supported format) to the working tree"),
    "undo": ("undo", "revert the last apply, byte for byte"),
    "models": ("models", "list the configured model backends"),
    "review": ("review", "review a patch or a past session in the terminal UI"),
    "history": ("history", "list past sessions"),
    "trust": ("trust", "trust a repository's config file (settings that move your API key)"),
    "config": ("config", "show where the user config, the project config and the state live"),
    "batch": ("batch", "run many tasks at once: direct, a provider's Batch API, or vllm run-batch"),
}
COMMANDS["mcp"] = ("mcp", "serve pack, rank_files, apply_edits, undo, history to agents (MCP)")

DESCRIPTION = """\
Pack a repository into one prompt, ask a model, review and apply.

With no COMMAND, tome opens the terminal UI in the repository around the current folder
(or -C DIR): pick files, write the task, send, review the edits hunk by hunk, apply, undo.
"""

# The terminal UI's own options (bare `tome`), spelled as `tome ask` spells them.
UI_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--backend", "NAME", "with no COMMAND: the backend to open with (see 'tome models')"),
    ("--base-url", "URL", "with no COMMAND: any OpenAI-compatible endpoint (http://HOST:PORT/v1)"),
    ("--model", "ID", "with no COMMAND: the model id to ask for"),
)


def _load(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")


class _Parser(argparse.ArgumentParser):
    """argparse's parser, keeping the message of a usage error (exit 2) so that ``--json``
    can say it as an ``error`` event too (subcommands' parsers are of this class)."""

    said: str | None = None

    def error(self, message: str) -> NoReturn:
        _Parser.said = message
        super().error(message)


# the subcommands whose --json promises an ``error`` event as the last line on stdout
_JSON_COMMANDS = ("ask", "batch")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tome", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "-V", "--version", action=_Version, nargs=0, help="print tome's version and exit"
    )
    add_root(parser, help="a folder in the repository (default: .); with no COMMAND, the TUI")
    for option, metavar, help_text in UI_OPTIONS:
        parser.add_argument(option, dest=_ui_dest(option), metavar=metavar, help=help_text)
    parser.set_defaults(root=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:  # None: every subcommand's options
            _load(name).add_arguments(sp)
    return parser


def _ui_dest(option: str) -> str:
    """``--base-url`` -> ``ui_base_url``: apart from the subcommands' own ``--backend``..."""
    return "ui_" + option.lstrip("-").replace("-", "_")


class _Version(argparse.Action):
    """``--version``: read from the installed metadata only when asked (not at every start)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[object] | None,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("tome")
        except PackageNotFoundError:  # run from a source folder that was never installed
            found = "(not installed)"
        print(f"tome {found}")
        parser.exit(0)


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Warnings for a person: one line, no source excerpt (and no terminal control)."""
    print(f"tome: warning: {safe(str(message))}", file=file or sys.stderr)


# How often the GIL changes hands while a subcommand runs (seconds; Python's default: 0.005).
# A thread that counts tokens ahead (assistant.tokens.ahead) needs the GIL for a moment after
# each text; with the default it waits up to 5 ms for a Python-busy caller to let go, and on
# Django half its core was lost so. A process-wide setting: set here, never by the library.
SWITCH_INTERVAL = 0.0005


NO_CYCLE_COLLECTOR = frozenset({"pack"})
"""Commands that run as one bounded job with the cyclic garbage collector paused: a pack
makes ~100k objects that all live to its end and form no cycles worth collecting, and
the collector's passes over them took 30-50 ms of a 0.35 s warm pack of Django
(reference counting still frees everything else as usual)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tome`` with ``argv``; the process-wide hooks are set for the run and restored."""
    shown = warnings.showwarning
    interval = sys.getswitchinterval()
    collecting = gc.isenabled()
    warnings.showwarning = _show_warning
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    if _command_word(list(sys.argv[1:] if argv is None else argv)) in NO_CYCLE_COLLECTOR:
        gc.disable()
    try:
        return _main(argv)
    finally:
        if collecting:
            gc.enable()
        sys.setswitchinterval(interval)
        warnings.showwarning = shown


def entry() -> None:
    """The ``tome`` command: :func:`main`, then a fast exit.

    A pack leaves tens of megabytes in small objects; freeing them one by one at exit
    took 20-50 ms of a 0.45 s warm pack. By the time ``main`` returns, everything tome
    writes is closed (output files are written atomically, the SQLite stores commit each
    write and recover their write-ahead log on the next open) and no thread is left
    running, so only the standard streams need flushing. Errors and ``SystemExit`` leave
    the usual way.
    """
    try:
        code = main()
    except BrokenPipeError:  # the reader went away (``tome pack --json | head -c1``)
        os._exit(1)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``tome pack --json | head -c1``)
            code = code or 1
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    first = _command_word(args_list)
    # load only the subcommand that runs: `tome --help` must not import openai or textual
    parser = build_parser(only=first if first in COMMANDS else "")
    _Parser.said = None
    try:
        args = _parsed(parser, args_list)
    except SystemExit as exc:
        if exc.code == 2 and first in _JSON_COMMANDS and _asks_json(args_list):
            _usage_event(_Parser.said or "bad arguments")
        raise
    ui = {o.lstrip("-").replace("-", "_"): getattr(args, _ui_dest(o)) for o, _, _ in UI_OPTIONS}
    if args.command is None:  # bare `tome` (`-C DIR`, `--backend NAME` ...): the TUI
        return _reported(lambda: _run_tui(args.root, **ui))
    module = _load(args.command)
    return _reported(lambda: int(module.run(args) or 0), getattr(module, "error_exit", None))


def _parsed(parser: argparse.ArgumentParser, args_list: Sequence[str]) -> argparse.Namespace:
    """``args_list`` parsed; a usage error (argparse's, or the UI options given before a
    COMMAND) exits 2 as argparse does."""
    args = parser.parse_args(args_list)
    if args.command is not None and (
        given := [o for o, _, _ in UI_OPTIONS if getattr(args, _ui_dest(o)) is not None]
    ):
        parser.error(
            f"{given[0]} before a COMMAND is for the terminal UI (bare tome); "
            f"the options of {args.command} go after it (tome {args.command} --help)"
        )
    return args


def _asks_json(args: Sequence[str]) -> bool:
    """Whether ``--json`` is among the options (before a ``--``, after which all is text)."""
    options = args[: args.index("--")] if "--" in args else args
    return "--json" in options


def _usage_event(message: str) -> None:
    """A usage error of ``tome ask --json`` (or ``batch``) as the ``error`` event on stdout,
    as every other stop of a ``--json`` run ends: a headless caller reads only stdout."""
    from ._events import USAGE, Events

    Events(sys.stdout).error(message, USAGE)


def _reported(
    job: Callable[[], int], error_exit: Callable[[AssistantError], int] | None = None
) -> int:
    """Run ``job``; an ``AssistantError`` or Ctrl-C becomes one line on stderr and an exit code
    (1, or the command's own ``error_exit(exc)``: ``tome ask`` documents 2 and 4)."""
    try:
        return job()
    except AssistantError as exc:
        print(f"tome: error: {safe(str(exc))}{_advice(exc)}", file=sys.stderr)
        return 1 if error_exit is None else error_exit(exc)
    except KeyboardInterrupt:
        print("tome: interrupted", file=sys.stderr)
        return 130


# top-level options that take a value
_VALUED = ("-C", "--root", *OLD_ROOT_SPELLINGS, *(option for option, _, _ in UI_OPTIONS))


def _command_word(args: Sequence[str]) -> str | None:
    """The subcommand named in ``args``: the first word that is not an option or its value."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def _advice(exc: AssistantError) -> str:
    """What to do, in command-line terms, where the library's message leaves it to the front
    end (a request or pack that does not fit, a model or backend to name; the TUI says it
    in its own terms, ``tui.advice``)."""
    if isinstance(exc, ContextLengthError):  # the message gives the prompt that fits, if known
        return "; lower --budget (or reserve less output with --max-output)"
    if isinstance(exc, PackError) and exc.needed is not None:
        return "; raise --budget or narrow the pack with --include/--exclude"
    if isinstance(exc, ModelError) and exc.status == 402:
        return " (--backend)"
    if isinstance(exc, ModelError) and exc.status == 404:
        return " (--model, --base-url)"
    if isinstance(exc, ConfigError) and exc.setting is not None:
        return f", or pass --{exc.setting.replace('_', '-')}"
    from ..edits.failures import FileConflict  # loaded by then: the error came from it

    if isinstance(exc, FileConflict) and exc.forcible:
        return "; use --force to restore anyway"
    return ""


def _run_tui(root: Path | None = None, **options: str | None) -> int:
    """Bare ``tome``: the terminal UI on ``root`` with the backend options given."""
    from ._ui import terminal_ui

    return int(terminal_ui().run(root, **options) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
