"""An import far into a file counts for priority (a lazy ``from .repo import`` deep in a
large module once went unseen past the first 16 KiB), and a hostile file stays bounded."""

from __future__ import annotations

from assistant.packing import priority
from assistant.workspace import SourceFile


def _file(path: str, text: str) -> SourceFile:
    return SourceFile(path, text, len(text.encode()), f"sha-{path}")


def test_an_import_past_16_kib_counts() -> None:
    filler = "".join(f"def f{i}():\n    return {i}\n\n" for i in range(3000))  # ~60 KB
    assert len(filler) > 40_000
    big = _file("pkg/big.py", filler + "def late():\n    from .target import thing\n")
    target = _file("pkg/target.py", "thing = 1\n")
    other = _file("pkg/other.py", "x = 1\n")
    files = [big, target, other]
    counts = priority.imported_by(files, [0, 1, 2])
    assert counts == {"pkg/target.py": 1}
    order = priority.priority(files)
    assert order.index("pkg/target.py") < order.index("pkg/other.py")


def test_a_huge_file_is_read_only_to_the_bound() -> None:
    bound = priority._SCAN_CHARS
    text = "x = 1\n" * (bound // 6 + 10) + "from .target import thing\n"
    files = [_file("pkg/huge.py", text), _file("pkg/target.py", "thing = 1\n")]
    assert priority.imported_by(files, [0, 1]) == {}
