"""Helpers for discovery tests: git commands, trees, and fake secrets assembled at run time.

The fakes are built by concatenation so this repository holds no secret-looking literal
(tome packing itself must not flag its own tests).
"""

from __future__ import annotations

import base64
import random
import string
import subprocess
from collections.abc import Mapping
from pathlib import Path


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, timeout=30
    )
    return done.stdout


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)


def _random(alphabet: str, n: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits


class Fakes:
    """One realistic-looking fake of each secret kind (valid format, random body)."""

    aws = "AK" + "IA" + _random("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16, 1)
    openai = "sk" + "-proj-" + _random(ALNUM + "_-", 64, 2)
    openai_legacy = "sk" + "-" + _random(ALNUM, 48, 3)
    deepseek = "sk" + "-" + _random("0123456789abcdef", 32, 4)
    anthropic = "sk" + "-ant-api03-" + _random(ALNUM + "_-", 93, 5) + "AA"
    github = "gh" + "p_" + _random(ALNUM, 36, 6)
    github_pat = "github" + "_pat_" + _random(ALNUM, 22, 7) + "_" + _random(ALNUM, 59, 8)
    slack = "xo" + "xb-" + "2" + _random("0123456789", 11, 9) + "-" + _random(ALNUM, 24, 10)
    private_key = (
        "-----"
        + "BEGIN RSA PRIVATE"
        + " KEY-----\n"
        + "\n".join(base64.b64encode(random.Random(11).randbytes(48)).decode() for _ in range(8))
        + "\n-----"
        + "END RSA PRIVATE"
        + " KEY-----\n"
    )
