"""``tome ask TASK --print``: pack the repository, send it with the task, stream the answer.

The answer goes to stdout as it arrives; the estimate before sending and the usage line
after (tokens, cache hit/miss, cost) go to stderr, so ``tome ask ... > answer.md`` keeps
only the answer. A reply still cut off after the automatic continuations exits with
status 3 and says so: it must not be applied as if complete.

``--base-url http://HOST:PORT/v1 --model NAME`` talks to any OpenAI-compatible server
(the key, if it needs one, from ``OPENAI_API_KEY``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import load_settings
from ..model import (
    Client,
    ClientOptions,
    Prepared,
    format_estimate,
    format_usage,
    resolve_backend,
)
from ..model.client import DEFAULT_RESERVE, PER_MESSAGE_TOKENS, PER_REPLY_TOKENS

SYSTEM = (
    "You are a careful senior engineer. The user message holds a repository, packed as one "
    "document (a directory tree, then files; files cut to their skeleton say so), and a task "
    "at the end. Answer the task using only what the repository shows; when you propose code "
    "changes, give them as unified diffs against the files as shown, with paths relative to "
    "the repository root."
)
TRUNCATED_EXIT = 3


def _tokens(text: str) -> int:
    raw = text.strip().lower().replace(",", "").replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}
    try:
        if raw and raw[-1] in scale:
            return int(float(raw[:-1]) * scale[raw[-1]])
        return int(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a token count: {text!r} (e.g. 200k, 1m)") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", nargs="+", help="what to do (quote it, or give several words)")
    parser.add_argument(
        "--print",
        action="store_true",
        dest="print_only",
        help="print the answer and the usage line, no review (the only mode for now)",
    )
    parser.add_argument("-C", "--path", default=".", help="repository or folder (default: .)")
    parser.add_argument("--backend", help="a backend from 'tome models' (default from config)")
    parser.add_argument(
        "--base-url", help="any OpenAI-compatible endpoint, e.g. http://HOST:PORT/v1"
    )
    parser.add_argument("--model", help="the model id to ask for")
    parser.add_argument(
        "--api-key-env", metavar="VAR", help="the environment variable that holds the key"
    )
    parser.add_argument(
        "--budget", type=_tokens, help="tokens for the packed repository (e.g. 200k)"
    )
    parser.add_argument(
        "--max-output",
        type=_tokens,
        help="output tokens to reserve (default: min(32768, backend's))",
    )
    parser.add_argument("--format", choices=("xml", "markdown"), default="xml")


def run(args: argparse.Namespace) -> int:
    from ..pack import pack
    from ..tokens import count

    root = Path(args.path)
    task = " ".join(args.task).strip()
    settings = load_settings(project=root, overrides={"max_output": args.max_output})
    backend = resolve_backend(
        settings,
        name=args.backend,
        base_url=args.base_url,
        model=args.model,
        api_key_env=args.api_key_env,
    )
    options = ClientOptions.from_settings(settings)
    with Client(backend, options=options) as client:  # a missing key fails here, before packing
        reserve = min(options.max_output or DEFAULT_RESERVE, backend.max_output)
        overhead = count(SYSTEM, backend.encoding) + 2 * PER_MESSAGE_TOKENS + PER_REPLY_TOKENS
        budget = args.budget or max(1, backend.window - reserve - overhead)
        packed = pack(root, budget=budget, encoding=backend.encoding, format=args.format, task=task)
        messages = [
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": packed.text},
        ]
        prepared: Prepared = client.prepare(
            messages, max_output=reserve, prompt_tokens=packed.tokens + overhead
        )
        where = f"{backend.name}: {backend.model} at {backend.base_url}"
        if prepared.estimate is not None:
            print(f"tome: {where}; {format_estimate(prepared.estimate)}", file=sys.stderr)
        else:
            print(f"tome: {where}; prompt {prepared.prompt_tokens:,} tokens", file=sys.stderr)
        stream = client.stream(messages, prepared=prepared)
        out = sys.stdout
        for delta in stream:
            out.write(delta)
            out.flush()
        reply = stream.reply
    assert reply is not None
    if reply.text and not reply.text.endswith("\n"):
        out.write("\n")
    notes = []
    if reply.continuations:
        notes.append(f"{reply.continuations} continuation(s)")
    if reply.retries:
        notes.append(f"{reply.retries} retr{'y' if reply.retries == 1 else 'ies'}")
    extra = f" ({', '.join(notes)})" if notes else ""
    print(f"tome: {format_usage(reply.usage, backend.prices)}{extra}", file=sys.stderr)
    if reply.truncated:
        print(
            "tome: the answer is still cut off (finish_reason=length) after "
            f"{reply.continuations} continuation(s); do not apply it as is: raise --max-output, "
            "narrow the task, or lower --budget",
            file=sys.stderr,
        )
        return TRUNCATED_EXIT
    return 0
