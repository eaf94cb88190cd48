"""How ranking spends its parses (Python's names read by pyscan count as parses): only files that may define a name are parsed to find its
definers, and no more once too many define it."""

from __future__ import annotations

import pytest

from assistant.cache import Cache
from assistant.code import CodeIndex
from assistant.code import index as code_index
from assistant.packing import rank as rank_module
from assistant.packing.rank import Weights, _Tags, features, lexical_index
from assistant.workspace import SourceFile


def source(path: str, text: str) -> SourceFile:
    return SourceFile(path, text, len(text.encode()), f"sha-{path}")


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = code_index.tags_for_language

    def counting(language: str, text: str):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real(language, text)

    def reading(text: str):  # type: ignore[no-untyped-def]
        seen.append(text)
        return real_names(text)

    real_names = rank_module.read_names
    monkeypatch.setattr(code_index, "tags_for_language", counting)
    monkeypatch.setattr(rank_module, "read_names", reading)  # Python's names: read, not parsed
    return seen


def callers(n: int) -> list[SourceFile]:
    body = "from billing import compute_total\n\n" + "x = compute_total(order)\n" * 20
    return [source(f"app/a_caller_{i:02}.py", body) for i in range(n)]


def test_the_definer_is_found_past_many_files_that_only_call_it(parses: list[str]) -> None:
    definer = source("billing.py", "def compute_total(order):\n    return sum(order)\n")
    files = [*callers(40), definer, source("README.md", "compute_total " * 50)]
    index = lexical_index(files)
    weights = Weights(candidates=2, max_tagged=5)  # 3 parses left for the definers
    found = features(index, files, "compute_total is wrong", code=CodeIndex(Cache.disabled()),
                     weights=weights)  # fmt: skip
    assert found["defs"] == {files.index(definer): 1.0}
    assert len(parses) <= weights.max_tagged


def test_a_name_defined_in_too_many_files_stops_the_search(parses: list[str]) -> None:
    files = [source(f"m{i:02}.py", "def render(x):\n    return x\n") for i in range(30)]
    index = lexical_index(files)
    tags = _Tags(CodeIndex(Cache.disabled()), files, {}, limit=200)
    assert tags.definers(index, "render", 3) == []
    assert len(parses) == 4  # the fourth definer settles it
    assert tags.definers(index, "render", 3) == [] and len(parses) == 4  # remembered
