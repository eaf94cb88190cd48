"""Helpers of the tome batch tests: a small repository, its tasks, the CLI run in-process."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

from greetkit import rename

GREET = 'def greet(name):\n    return "hello " + name\n'
COUNT = "def count(items):\n    return len(items)\n"
FILES = {"greet.py": GREET, "count.py": COUNT, "README.md": "# demo\n"}
RENAME = rename("greet.py", lead="")

Run = Callable[..., tuple[int, str, str]]


def tasks_file(folder: Path, lines: Sequence[object], name: str = "tasks.jsonl") -> Path:
    """A TASKS file: dicts become JSON lines, strings stay as they are."""
    path = folder / name
    text = "\n".join(json.dumps(x) if isinstance(x, dict) else str(x) for x in lines)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def json_lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]
