"""The grammar registry: paths to languages, grammars and tags queries from the wheels."""

from __future__ import annotations

import pytest
import tree_sitter

from assistant.code import language_for
from assistant.code.registry import GRAMMARS, grammar, parser, tags_query, tags_source


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("pkg/mod.py", "python"),
        ("stubs/mod.pyi", "python"),
        ("web/app.js", "javascript"),
        ("web/app.mjs", "javascript"),
        ("web/app.cjs", "javascript"),
        ("web/App.jsx", "javascript"),
        ("src/index.ts", "typescript"),
        ("src/index.mts", "typescript"),
        ("src/index.cts", "typescript"),
        ("src/App.tsx", "tsx"),
        ("cmd/main.go", "go"),
        ("src/lib.rs", "rust"),
        ("src/Main.java", "java"),
        ("src/ring.c", "c"),
        ("include/ring.h", "cpp"),
        ("src/matrix.cc", "cpp"),
        ("src/matrix.cpp", "cpp"),
        ("src/matrix.cxx", "cpp"),
        ("include/matrix.hpp", "cpp"),
        ("include/matrix.hh", "cpp"),
        ("lib/limiter.rb", "ruby"),
        ("Rakefile", "ruby"),
        ("sub/dir/Gemfile", "ruby"),
        ("App/Program.cs", "csharp"),
        ("public/index.php", "php"),
        ("SRC/SHOUT.PY", "python"),
    ],
)
def test_language_for_known_paths(path: str, language: str) -> None:
    assert language_for(path) == language


@pytest.mark.parametrize(
    "path", ["README.md", "Makefile", "data.json", "noext", "archive.tar.gz", ".py/readme"]
)
def test_language_for_unknown_paths(path: str) -> None:
    assert language_for(path) is None


@pytest.mark.parametrize("name", sorted(GRAMMARS))
def test_every_grammar_loads_and_its_tags_query_compiles(name: str) -> None:
    assert grammar(name) is grammar(name)  # loaded once per process
    assert parser(name) is parser(name)
    query = tags_query(name)
    assert isinstance(query, tree_sitter.Query)
    assert query.pattern_count > 0
    names = {query.capture_name(i) for i in range(query.capture_count)}
    assert "name" in names
    assert any(capture.startswith("definition.") for capture in names)


def test_typescript_tags_combine_javascript_and_typescript_queries() -> None:
    source = tags_source("typescript")
    assert "(function_declaration" in source  # from tree-sitter-javascript
    assert "(interface_declaration" in source  # from tree-sitter-typescript
    assert tags_source("tsx") == source


def test_csharp_tags_come_from_the_wheel_folder_beside_the_package() -> None:
    assert "(class_declaration name: (identifier) @name) @definition.class" in tags_source("csharp")
