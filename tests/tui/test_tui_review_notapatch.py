"""``tome review notapatch.txt`` is refused with the error ``tome apply`` gives (exit 1),
in a real terminal, before any screen is drawn: one check, :meth:`Review.require_edits`."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from assistant.cli import main

NO_EDIT = "no edit found in the input"

PROSE = "Thanks for the review! I will look at the failing test tomorrow.\n"


def _in_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run ``python -m assistant ARGS`` with a pty as stdin and stdout; its exit and output."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PYTHONPATH"] = os.environ.get("TOME_UNDER_TEST", str(Path(__file__).resolve().parents[2]))
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *args], cwd=cwd, env=env,
                            stdin=follower, stdout=follower, stderr=follower)  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        if not select.select([leader], [], [], 30)[0]:  # an app drawn and waiting for keys
            proc.kill()
            break
        try:
            data = os.read(leader, 4096)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        chunks.append(data)
    code = proc.wait(timeout=60)
    os.close(leader)
    return code, b"".join(chunks).decode("utf-8", "replace")


def test_review_of_a_file_that_is_not_a_patch_fails_as_apply_does(
    make_repo, tmp_path: Path, capsys
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    note = tmp_path / "notapatch.txt"
    note.write_text(PROSE)
    assert main(["apply", str(note), "-C", str(root)]) == 1
    apply_err = capsys.readouterr().err
    assert NO_EDIT in apply_err
    code, shown = _in_a_terminal(["review", str(note)], root)
    assert code == 1, shown
    assert NO_EDIT in shown.replace("\r\n", "\n")
    assert "\x1b[?1049h" not in shown  # the alternate screen was never entered
