"""High confidence on real code: no secret hits over Django and the Python standard library."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from assistant import secrets


def _files(root: Path, *, suffix: str = "") -> list[Path]:
    found = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in ("site-packages", "__pycache__")]
        found.extend(
            Path(folder, name)
            for name in names
            if name.endswith(suffix) and not os.path.islink(os.path.join(folder, name))
        )
    assert len(found) > 500, f"expected real code under {root}"
    return found


def _hits(root: Path, files: list[Path]) -> list[str]:
    hits = []
    for path in files:
        rel = path.relative_to(root).as_posix()
        if finding := secrets.secret_by_name(rel):
            hits.append(f"{rel}: {finding.describe()}")
        if finding := secrets.scan_content(path.read_bytes()):
            hits.append(f"{rel}: {finding.describe()}")
    return hits


def test_no_hits_on_any_file_of_the_django_package() -> None:
    spec = importlib.util.find_spec("django")  # locates the package without running it
    assert spec is not None and spec.origin is not None
    root = Path(spec.origin).parent
    files = _files(root)
    assert _hits(root, files) == []


def test_no_hits_on_the_python_standard_library() -> None:
    root = (
        Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    )
    if not (root / "os.py").exists():  # Windows layout
        root = Path(sys.base_prefix) / "Lib"
    files = _files(root, suffix=".py")
    assert _hits(root, files) == []
