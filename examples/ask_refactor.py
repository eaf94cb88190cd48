"""Ask a model for a refactor and print the diff it proposes; the files are left alone.

Run (any OpenAI-compatible server; the key, if it needs one, from OPENAI_API_KEY):
    python3 examples/ask_refactor.py "rename greet to welcome" --repo path/to/repo \\
        --base-url http://127.0.0.1:8000/v1 --model my-model

Or with a configured backend (the key from its environment variable, e.g. DEEPSEEK_API_KEY):
    python3 examples/ask_refactor.py "rename greet to welcome" --backend deepseek-v4-flash

The request is recorded in the repository's history (tome history); review it later with
``tome review --session ID`` or apply it with examples/apply_answer.py.
"""

from __future__ import annotations

import argparse
import sys

from assistant.config import load_settings
from assistant.model import format_usage, resolve_backend
from assistant.session import Assistant, FileEdited, Finished, TextDelta


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("task")
    parser.add_argument("--repo", default=".")
    parser.add_argument("--backend")
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    args = parser.parse_args()

    settings = load_settings(project=args.repo)
    backend = resolve_backend(settings, name=args.backend, base_url=args.base_url, model=args.model)
    session = Assistant.open(args.repo, backend=backend, settings=settings)
    result = None
    for event in session.stream(args.task):
        if isinstance(event, TextDelta):
            print(".", end="", file=sys.stderr, flush=True)  # progress, one dot per delta
        elif isinstance(event, FileEdited):
            print(f"\n[edit of {event.edit.path} parsed]", file=sys.stderr)
        elif isinstance(event, Finished):
            result = event.result
    assert result is not None
    print(file=sys.stderr)
    if result.usage is not None:
        print(format_usage(result.usage, backend.prices), file=sys.stderr)
    if result.truncated:
        print("the answer was cut off; not showing a partial diff", file=sys.stderr)
        return 3
    result.changeset.accept_all()  # accept everything, only to render the whole proposal
    for f in result.changeset:
        sys.stdout.write(f.diff())
    for failure in result.changeset.failures:
        print(f"could not place: {failure.describe()}", file=sys.stderr)
    print(f"session {result.session_id}: {len(result.changeset)} file(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
