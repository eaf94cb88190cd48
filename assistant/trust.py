"""The trust store: which repository files the user has read and accepted, by exact content.

A repository's files are untrusted. Some of what they may say matters too much to follow
unasked: where the user's API key is sent (:mod:`assistant.config`), and later any command
a project wants run. The user accepts one file with ``tome trust``; this module records the
file's real path with the sha256 of its bytes, in the user's state directory
(:func:`assistant.paths.state_dir`, never a repository). A changed file is a different file:
it needs trusting again. The check is over the very bytes the caller parsed, so nothing can
change between the check and the use.

The store is one small JSON file, written whole (:func:`assistant.fsio.atomic_write`, 0600)::

    {"version": 1, "files": {"/home/me/src/app/.tome.toml":
                             {"sha256": "…", "trusted_at": "2026-12-01T22:10:00Z"}}}
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .fsio import atomic_write
from .paths import state_dir

__all__ = ["TrustedFile", "digest", "forget", "is_trusted", "store_path", "trust", "trusted"]

STORE_FILE = "trusted.json"
VERSION = 1


@dataclass(frozen=True)
class TrustedFile:
    """One accepted file: its real path, the sha256 of the accepted bytes, and when."""

    path: str
    sha256: str
    trusted_at: str


def store_path() -> Path:
    return state_dir() / STORE_FILE


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _key(path: str | Path) -> str:
    return os.path.realpath(path)


def _load() -> dict[str, dict[str, Any]]:
    path = store_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the trust store: {exc.strerror}") from exc
    try:
        doc = json.loads(raw)
        files = doc["files"]
        if doc.get("version") != VERSION or not isinstance(files, dict):
            raise ValueError("unknown layout")
        return {str(k): v for k, v in files.items() if isinstance(v, dict) and "sha256" in v}
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{path}: the trust store is damaged ({exc}); delete it and run 'tome trust' again"
        ) from exc


def _save(files: dict[str, dict[str, Any]]) -> None:
    doc = {"version": VERSION, "files": dict(sorted(files.items()))}
    target = store_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(target, json.dumps(doc, indent=1).encode() + b"\n", mode=0o600, durable=True)


def is_trusted(path: str | Path, data: bytes) -> bool:
    """Whether the user trusted ``path`` with exactly these bytes."""
    entry = _load().get(_key(path))
    return entry is not None and entry.get("sha256") == digest(data)


def trust(path: str | Path, data: bytes) -> TrustedFile:
    """Record that the user accepts ``path`` holding ``data`` (replaces an older record)."""
    files = _load()
    entry = {"sha256": digest(data), "trusted_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                 time.gmtime())}  # fmt: skip
    files[_key(path)] = entry
    _save(files)
    return TrustedFile(_key(path), entry["sha256"], entry["trusted_at"])


def forget(path: str | Path) -> bool:
    """Drop ``path``'s record; False when there was none."""
    files = _load()
    key = _key(path)
    if key not in files and str(path) in files:
        key = str(path)  # a file that no longer exists, given as listed
    if files.pop(key, None) is None:
        return False
    _save(files)
    return True


def trusted() -> list[TrustedFile]:
    """Every record, by path."""
    return [
        TrustedFile(path, str(entry["sha256"]), str(entry.get("trusted_at", "")))
        for path, entry in sorted(_load().items())
    ]
