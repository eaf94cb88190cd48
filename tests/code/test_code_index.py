"""CodeIndex: tags and skeletons of many files, cached by blob sha and language."""

from __future__ import annotations

from pathlib import Path

from assistant.cache import Cache
from assistant.code import CodeIndex, FileTags, Skeleton, Symbol, skeleton, tags
from assistant.code.index import (
    SKELETON_NAMESPACE,
    TAGS_NAMESPACE,
    decode_skeleton,
    decode_tags,
    encode_skeleton,
    encode_tags,
)

SAMPLES = Path(__file__).parents[1] / "fixtures" / "code"
PY = "def f(a, b):\n    x = a + b\n    y = a * b\n    return x * y + a - b\n"


def _items() -> list[tuple[str, str, str]]:
    return [
        (path.name, f"sha-{path.name}", path.read_text(encoding="utf-8"))
        for path in sorted(SAMPLES.glob("*.*"))
    ]


def test_cold_results_equal_direct_calls_and_land_in_the_cache(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    index = CodeIndex(cache)
    items = _items()
    all_tags = index.tags_many(items)
    skeletons = index.skeletons_many(items)
    for path, _sha, text in items:
        assert all_tags[path] == tags(path, text)
        assert skeletons[path] == skeleton(path, text)
    stored = cache.get_many(TAGS_NAMESPACE, ["python:sha-sample.py", "ruby:sha-sample.rb"])
    assert set(stored) == {"python:sha-sample.py", "ruby:sha-sample.rb"}
    assert cache.get(SKELETON_NAMESPACE, "cpp:sha-sample.hpp") == encode_skeleton(
        skeletons["sample.hpp"]
    )


def test_warm_results_come_from_the_cache_not_the_text(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    CodeIndex(cache).tags_many([("a.py", "sha1", PY)])
    CodeIndex(cache).skeletons_many([("a.py", "sha1", PY)])
    # same blob sha, different text: only a cache hit can give the old answer
    fresh = CodeIndex(Cache(tmp_path / "c.sqlite3"))
    warm_tags = fresh.tags_many([("b/a.py", "sha1", "")])["b/a.py"]
    assert warm_tags is not None
    assert [s.name for s in warm_tags.defs] == ["f"]
    warm_skeleton = fresh.skeletons_many([("b/a.py", "sha1", "")])["b/a.py"]
    assert warm_skeleton == Skeleton("def f(a, b):\n    ...  # ⋯ 3 lines elided\n", 3, "python")


def test_key_includes_the_language(tmp_path: Path) -> None:
    index = CodeIndex(Cache(tmp_path / "c.sqlite3"))
    index.skeletons_many([("a.py", "same", PY)])
    other = index.skeletons_many([("a.rb", "same", "def f\n  1\nend\n")])["a.rb"]
    assert other.language == "ruby"


def test_files_without_a_grammar(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    index = CodeIndex(cache)
    text = "".join(f"{n}\n" for n in range(10))
    assert index.tags_many([("notes.txt", "t", text)]) == {"notes.txt": None}
    made = index.skeletons_many([("notes.txt", "t", text)], head_lines=3)["notes.txt"]
    assert made == Skeleton("0\n1\n2\n⋯ 7 more lines elided\n", 7, None)
    assert cache.get_many(SKELETON_NAMESPACE, ["t"]) == {}


def test_disabled_cache_still_answers() -> None:
    index = CodeIndex(Cache.disabled())
    assert index.skeletons_many([("a.py", "s", PY)])["a.py"].elided_lines == 3
    result = index.tags_many([("a.py", "s", PY)])["a.py"]
    assert result is not None
    assert result.defs == (Symbol("f", "function", 1, 4),)


def test_serialised_forms_round_trip() -> None:
    file_tags = FileTags(
        defs=(Symbol("größe", "function", 2, 9), Symbol('we"ird\n', "class", 1, 1)),
        refs=(Symbol("call", "call", 5, 5),),
    )
    assert decode_tags(encode_tags(file_tags)) == file_tags
    made = Skeleton("a\n\nb\n", 4, "go")
    assert decode_skeleton(encode_skeleton(made), "go") == made
    assert encode_tags(FileTags((), ())) == '{"d":[],"r":[]}'
