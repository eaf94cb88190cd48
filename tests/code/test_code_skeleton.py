"""Skeletons: signatures kept, bodies elided with a marker, and the result parses again."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import django
import pytest

from assistant.code import Skeleton, language_for, skeleton
from assistant.code.registry import parser
from assistant.code.skeleton import skeleton_for_language, tree_skeleton

SAMPLES = Path(__file__).parents[1] / "fixtures" / "code"
EXPECTED = SAMPLES / "expected"
DJANGO = Path(django.__file__).parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])
SAMPLE_NAMES = sorted(path.name for path in SAMPLES.glob("*.*"))


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="surrogateescape")


def _has_elidable_body(tree: ast.Module, text: str) -> bool:
    """A function whose statements after the docstring span well over a marker's length,
    on more than one line (a one-line body is kept)."""
    lines = text.splitlines()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if ast.get_docstring(node, clean=False) is not None:
                body = body[1:]
            if body and body[0].lineno > node.lineno:
                span = lines[body[0].lineno - 1 : (body[-1].end_lineno or 0)]
                if len(span) > 1 and sum(map(len, span)) > 80:
                    return True
    return False


def _python_files() -> list[Path]:
    stdlib_sample = sorted(STDLIB.glob("*.py")) + sorted((STDLIB / "asyncio").glob("*.py"))
    stdlib_sample += sorted((STDLIB / "email").glob("*.py"))
    return sorted(DJANGO.rglob("*.py")) + stdlib_sample


def test_every_django_and_stdlib_skeleton_parses_and_is_shorter() -> None:
    files = _python_files()
    assert len(files) > 1000
    failures: list[str] = []
    for path in files:
        text = _read(path)
        try:
            source_tree = ast.parse(text)
        except SyntaxError:
            continue  # a few stdlib files are templates; they have no skeleton promise
        for made in (skeleton(str(path), text), tree_skeleton("python", text)):
            try:
                ast.parse(made.text)
            except SyntaxError as exc:
                failures.append(f"{path}: {exc}")
                continue
            if _has_elidable_body(source_tree, text) and not (
                len(made.text) < len(text) and made.elided_lines > 0
            ):
                failures.append(f"{path}: skeleton is not shorter")
    assert failures == []


def test_fast_path_and_tree_sitter_path_agree_on_django_models() -> None:
    text = _read(DJANGO / "db" / "models" / "base.py")
    fast = skeleton("base.py", text)
    slow = tree_skeleton("python", text)
    assert fast == slow
    assert fast.elided_lines > 1000
    assert fast.text.count("...  # ⋯ ") > 50


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_skeleton_matches_golden_file(name: str) -> None:
    made = skeleton(name, _read(SAMPLES / name))
    assert made.text == _read(EXPECTED / f"{name}.skel")
    assert made.language == language_for(name)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_skeleton_reparses_without_errors(name: str) -> None:
    text = _read(SAMPLES / name)
    language = language_for(name)
    assert language is not None
    made = skeleton(name, text)
    assert not parser(language).parse(text.encode()).root_node.has_error
    assert not parser(language).parse(made.text.encode()).root_node.has_error
    assert made.elided_lines > 0
    assert made.text.count("\n") + made.elided_lines > text.count("\n")
    assert "⋯" in made.text and "lines elided" in made.text


@pytest.mark.parametrize(
    ("name", "kept"),
    [
        (
            "sample.py",
            [
                "    def restock(\n        self,\n",
                '        """Add ``quantity`` units',
                "@dataclasses.dataclass(frozen=True)\nclass Item:",
                "MAX_ITEMS = 1000",
                "from collections.abc import Iterator",
            ],
        ),
        (
            "sample.js",
            [
                "  publish(type, payload, {\n    remember = true,",
                "(function (global) {\n  function install() {",
            ],
        ),
        (
            "sample.ts",
            [
                "  @logged\n  async find(\n    query: Query<T>,",
                "export abstract class Repository<T extends Entity<K>, K extends",
            ],
        ),
        ("sample.go", ["func New[K comparable, V any](\n\tttl time.Duration,"]),
        ("sample.rs", ["    where\n        T: fmt::Debug,\n    {\n        /* ⋯ 5 lines elided */"]),
        (
            "Sample.java",
            [
                "    @Transactional(readOnly = true)\n    public Optional<T> find(",
                "    public static class Builder {",
            ],
        ),
        ("sample.c", ["size_t ring_write(ring_t *r,\n                  const unsigned char *src,"]),
        ("sample.hpp", ["    [[nodiscard]] T& at(std::size_t row,", "    struct Shape {"]),
        (
            "sample.rb",
            [
                "    def initialize(limit: DEFAULT_LIMIT,\n                   window: 60)\n"
                "      # ⋯ 4 lines elided\n    end"
            ],
        ),
        ("Sample.cs", ['        [Obsolete("Use HandleAsync")]', "        private class Retry"]),
        ("sample.php", ["    public function __construct(\n        private readonly Connection"]),
    ],
)
def test_signatures_decorators_and_nesting_are_kept_whole(name: str, kept: list[str]) -> None:
    made = skeleton(name, _read(SAMPLES / name))
    for fragment in kept:
        assert fragment in made.text


def test_python_marker_is_a_valid_body_after_a_docstring() -> None:
    text = 'def f(x):\n    """Doc."""\n    y = x + 1\n    z = y * 2\n    return z + y + x\n'
    made = skeleton("f.py", text)
    assert made == Skeleton('def f(x):\n    """Doc."""\n    ...  # ⋯ 3 lines elided\n', 3, "python")
    ast.parse(made.text)


def test_bodies_shorter_than_the_marker_are_kept() -> None:
    text = "def f(x):\n    return x\n\n\ndef g():\n    pass\n"
    assert skeleton("f.py", text) == Skeleton(text, 0, "python")


def test_brace_body_sharing_rows_with_its_statements_is_left_alone() -> None:
    text = "function f() { return g(\n  1,\n  2,\n  3,\n  4); }\n"
    made = skeleton("f.js", text)
    assert made.elided_lines == 0
    assert made.text == text


def test_iife_body_is_kept_and_its_functions_are_cut() -> None:
    text = _read(SAMPLES / "sample.js")
    made = skeleton("sample.js", text)
    assert "  global.installBus = install;\n})(globalThis);" in made.text
    assert "    global.bus = Bus.create();" not in made.text


def test_python_file_with_syntax_errors_falls_back_to_tree_sitter() -> None:
    text = "def ok(a, b):\n    x = a + b\n    y = a * b\n    return x * y + a - b\n\ndef bad(:\n"
    made = skeleton("bad.py", text)
    assert made.language == "python"
    assert "    ...  # ⋯ 3 lines elided" in made.text
    assert made.text.endswith("def bad(:\n")


def test_skeleton_for_language_ignores_the_path() -> None:
    text = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a + b + c\n"
    assert skeleton_for_language("python", text) == skeleton("any/where.py", text)


def test_no_grammar_keeps_the_first_lines_with_a_marker() -> None:
    text = "".join(f"line {n}\n" for n in range(1, 124 + 40))
    made = skeleton("notes.txt", text)
    assert made.language is None
    assert made.elided_lines == 123
    assert made.text == "".join(f"line {n}\n" for n in range(1, 41)) + "⋯ 123 more lines elided\n"
    short = skeleton("notes.txt", "a\nb\nc\n", head_lines=1)
    assert short == Skeleton("a\n⋯ 2 more lines elided\n", 2, None)
    # one line more than the head is kept as it is, not said by a longer marker
    assert skeleton("notes.txt", "a\nb\n", head_lines=1) == Skeleton("a\nb\n", 0, None)
    assert skeleton("notes.txt", "a\nb") == Skeleton("a\nb", 0, None)


def test_empty_file() -> None:
    assert skeleton("e.py", "") == Skeleton("", 0, "python")
    assert skeleton("e.go", "") == Skeleton("", 0, "go")
