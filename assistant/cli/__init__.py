"""The ``tome`` command.

One small module per subcommand in this package (``pack.py``, ``ask.py``, ``apply.py`` ...),
each with ``add_arguments(parser)`` and ``run(args) -> int``. They are imported only when
their subcommand runs, so ``tome pack`` never pays for openai or textual.
This package is the only place (with ``tui``) that turns ``AssistantError`` into output,
and the only place that changes process-wide state (the warning hook and the GIL switch
interval while a command runs, ``os._exit`` at the end): the library never does.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

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
}


def _load(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tome",
        description="Pack a repository into one prompt, ask a model, review and apply.",
    )
    add_root(parser, help="a folder in the repository (default: .); with no COMMAND, the TUI")
    parser.set_defaults(root=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        sp = sub.add_parser(name, help=help_text, description=help_text)
        if only is None or only == name:  # None: every subcommand's options
            _load(name).add_arguments(sp)
    return parser


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``tome`` with ``argv``; the process-wide hooks are set for the run and restored."""
    shown = warnings.showwarning
    interval = sys.getswitchinterval()
    warnings.showwarning = _show_warning
    sys.setswitchinterval(min(interval, SWITCH_INTERVAL))
    try:
        return _main(argv)
    finally:
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
    if not args_list:
        return _reported(_run_tui)
    # load only the subcommand that runs: `tome --help` must not import openai or textual
    parser = build_parser(only=first if first in COMMANDS else "")
    args = parser.parse_args(args_list)
    if args.command is None:
        if args.root is not None:  # `tome -C DIR`: the TUI there
            return _reported(lambda: _run_tui(args.root))
        parser.print_help()
        return 0
    module = _load(args.command)
    return _reported(lambda: int(module.run(args) or 0))


def _reported(job: Callable[[], int]) -> int:
    """Run ``job``; an ``AssistantError`` or Ctrl-C becomes one line on stderr and an exit code."""
    try:
        return job()
    except AssistantError as exc:
        print(f"tome: error: {safe(str(exc))}{_advice(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tome: interrupted", file=sys.stderr)
        return 130


_VALUED = ("-C", "--root", *OLD_ROOT_SPELLINGS)  # top-level options that take a value


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
    return ""


def _run_tui(root: Path | None = None) -> int:
    from ._ui import terminal_ui

    return int(terminal_ui().run(root) or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
