"""Files a task names by the path conventions of other languages (:func:`mentions`): a JVM
class by package, a Rust module path, a dotted name that is a file's stem (JavaScript tests
named after the API they test)."""

from __future__ import annotations

from assistant.packing.pairing import mentions

PATHS = [
    "test/res.clearCookie.js",
    "lib/response.js",
    "gson/src/main/java/com/google/gson/Gson.java",
    "gson/src/main/java/com/google/gson/stream/JsonReader.java",
    "crates/printer/src/json.rs",
    "crates/printer/src/standard/mod.rs",
    "src/attr/_make.py",
]


def named(task: str) -> dict[str, float]:
    return {PATHS[d]: v for d, v in mentions(PATHS, task).items()}


def test_a_dotted_name_that_is_a_file_stem() -> None:
    assert named("Deprecate res.clearCookie accepting maxAge") == {"test/res.clearCookie.js": 1.0}


def test_a_jvm_class_by_its_package() -> None:
    assert named("com.google.gson.Gson.toJson drops nulls") == {PATHS[2]: 1.0}
    reader = named("com.google.gson.stream.JsonReader")
    assert reader[PATHS[3]] == 1.0 and reader[PATHS[2]] < 1.0  # "gson" a plain word, as before


def test_a_rust_module_path() -> None:
    assert named("standard::Standard panics on a long line") == {PATHS[5]: 1.0}
    assert named("crate::standard::Config") == {PATHS[5]: 1.0}
    assert named("grep_printer::json::JSON emits bad stats") == {PATHS[4]: 1.0}


def test_python_modules_still_named() -> None:
    assert named("attr._make.Factory is slow") == {"src/attr/_make.py": 1.0}


def test_hostile_names_say_nothing_and_stay_bounded() -> None:
    """A name every file answers to is dropped; a long run of ``::`` or dots in a task the
    user pasted is read in linear time and names nothing that is not in the tree."""
    many = [f"pkg{i}/json.rs" for i in range(10)]
    assert mentions(many, "grep_printer::json::JSON") == {}  # ten json.rs: says nothing
    assert mentions(PATHS, "a::" * 50_000 + "b." * 50_000) == {}
    assert mentions(PATHS, "../../etc/passwd ::: ... com..google") == {}
