"""Many small real ``git diff`` outputs (random files with and without a final newline,
trailing blank lines, random edits and context sizes), applied by tome: the result is the
new file byte for byte; with a context line's space or the ``@@`` counts taken away, as
models do, it is still the new file, or a clean refusal, never another text."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from assistant.edits import apply_edits
from assistant.errors import EditError

POOL = ["", "x = 1", "def f():", "    return 2", "}", "y", "class A:", "# note"]


def _file(rng: random.Random) -> str:
    lines = [rng.choice(POOL) + (str(rng.randint(0, 40)) if rng.random() < 0.8 else "")
             for _ in range(rng.randint(1, 14))]  # fmt: skip
    text = "\n".join(lines)
    if rng.random() < 0.7:
        text += "\n"
    if rng.random() < 0.2:
        text += "\n" * rng.randint(1, 2)
    return text


def _edit(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(lines))
        roll = rng.random()
        if roll < 0.4:
            lines.insert(at, rng.choice(POOL) + "z")
        elif at < len(lines) and roll < 0.7:
            del lines[at]
        elif at < len(lines):
            lines[at] += "w"
    out = "\n".join(lines)
    if rng.random() < 0.15:
        out = out.rstrip("\n") if out.endswith("\n") else out + "\n"
    return out


def _diffs(tmp_path: Path, seed: int, n: int) -> list[tuple[str, str, str]]:
    """(old, new, git diff) triples from one scratch repository."""
    rng = random.Random(seed)
    root = tmp_path / "fuzz"
    root.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              check=True).stdout  # fmt: skip

    git("init", "-q")
    out = []
    while len(out) < n:
        old = _file(rng)
        new = _edit(rng, old)
        if old == new:
            continue
        (root / "f.txt").write_text(old)
        git("add", "f.txt")
        (root / "f.txt").write_text(new)
        out.append((old, new, git("diff", f"-U{rng.randint(1, 3)}")))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_real_git_diffs_give_the_new_file(tmp_path: Path, seed: int) -> None:
    wrong = []
    for old, new, patch in _diffs(tmp_path, seed, 60):
        got = apply_edits({"f.txt": old}, patch).get("f.txt", old)
        if got != new:
            wrong.append(patch)
    assert not wrong, wrong[0]


def _strip_space(patch: str, rng: random.Random) -> str | None:
    lines = patch.split("\n")
    bare = [i for i, x in enumerate(lines) if x[:1] == " " and x[1:2] not in ("", " ", "+", "-")]
    if not bare:
        return None
    k = rng.choice(bare)
    lines[k] = lines[k][1:]
    return "\n".join(lines)


@pytest.mark.parametrize("counts", [True, False])
def test_mangled_git_diffs_are_right_or_refused(tmp_path: Path, counts: bool) -> None:
    rng = random.Random(7)
    outcomes = {"exact": 0, "refused": 0}
    wrong = []
    for old, new, patch in _diffs(tmp_path, 3, 80):
        mangled = _strip_space(patch, rng)
        if mangled is None:
            continue
        if not counts:
            mangled = "\n".join("@@ @@" if x.startswith("@@") else x for x in mangled.split("\n"))
        mangled = "\n".join("" if x == " " else x for x in mangled.split("\n"))
        try:
            got = apply_edits({"f.txt": old}, mangled).get("f.txt", old)
        except EditError:
            outcomes["refused"] += 1
            continue
        if got == new:
            outcomes["exact"] += 1
        else:
            wrong.append(mangled)
    assert not wrong, wrong[0]
    assert outcomes["exact"] >= 0.9 * sum(outcomes.values())
