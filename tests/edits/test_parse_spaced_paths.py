"""A path with spaces or brackets (gson's ``gson/GSON 2.0 NOTES.txt``) is read where the
answer clearly names a file, and used only for a file that exists; never skipped while
the rest of the answer is applied.

Data: google/gson@2541e658f70bc9928b573c33168075786c7fef2f (Apache-2.0), the end of
``gson/GSON 2.0 NOTES.txt`` and the changed test of ``VersioningTest.java``.
"""

from __future__ import annotations

import pytest

from assistant.edits import HunkMatchError, apply_edits
from assistant.edits.parse import loose_path, path_from_line

NOTES = "gson/GSON 2.0 NOTES.txt"
NOTES_BEFORE = """\
GSON 1.x sometimes sets subclass fields when an InstanceCreator returns a subclass.
    This occurs only when the value is a field of another object: not when its
    the top level object or a collection element.
GSON 2.x sets fields of the requested type only
com.google.gson.functional.InstanceCreatorTest.testInstanceCreatorReturnsSubTypeForField
"""
NOTES_ADDED = """\

GSON 1.x applies different rules for versioning for classes vs fields. So, if you deserialize a
   JSON into a field that is supposed to be skipped, the field is set to null (or default value).
   However, if you deserialize it to a top-level class, a default instance is returned.
GSON 2.x returns null for the top-level class.
com.google.gson.functional.VersioningTest.testIgnoreLaterVersionClassDeserialization
"""
NOTES_AFTER = NOTES_BEFORE + NOTES_ADDED

JAVA = "gson/src/test/java/com/google/gson/functional/VersioningTest.java"
JAVA_BEFORE = """\
  public void testIgnoreLaterVersionClassDeserialization() {
    Gson gson = builder.setVersion(1.0).create();
    String json = "{\\"a\\":3,\\"b\\":4,\\"c\\":5,\\"d\\":6}";
    Version1_2 version1_2 = gson.fromJson(json, Version1_2.class);
    // Since the class is versioned to be after 1.0, all fields should get set to
    // their default values.
    assertEquals(A, version1_2.a);
    assertEquals(B, version1_2.b);
    assertEquals(C, version1_2.c);
    assertEquals(D, version1_2.d);
  }
"""
JAVA_NEW_BODY = """\
    Version1_2 version1_2  = gson.fromJson(json, Version1_2.class);
    // Since the class is versioned to be after 1.0, we expect null
    // This is the new behavior in Gson 2.0
    assertNull(version1_2);
"""
JAVA_AFTER = "".join(JAVA_BEFORE.splitlines(True)[:3]) + JAVA_NEW_BODY + "  }\n"
FILES = {NOTES: NOTES_BEFORE, JAVA: JAVA_BEFORE}


def _whole(path_line: str, body: str) -> str:
    return f"{path_line}\n```\n{body}```\n\n"


def test_whole_files_with_a_spaced_path_in_backticks_are_both_written() -> None:
    """Before: the NOTES block was skipped (its path line was not read) and the Java file
    was written alone: a partial result."""
    answer = ("Here are the updated files.\n\n" + _whole(f"`{NOTES}`", NOTES_AFTER)
              + _whole(f"`{JAVA}`", JAVA_AFTER))  # fmt: skip
    assert apply_edits(FILES, answer) == {NOTES: NOTES_AFTER, JAVA: JAVA_AFTER}


def test_search_replace_under_a_bare_spaced_path_is_applied() -> None:
    """aider's layout, the path bare on the line before the fence. Before: 'a SEARCH block
    with no file path before it'."""
    last = NOTES_BEFORE.splitlines(True)[-1]
    answer = (f"{NOTES}\n```\n<<<<<<< SEARCH\n{last}=======\n{last}{NOTES_ADDED}"
              ">>>>>>> REPLACE\n```\n")  # fmt: skip
    assert apply_edits(FILES, answer) == {NOTES: NOTES_AFTER}


def test_a_backticked_name_that_is_no_file_is_refused_not_created_or_skipped() -> None:
    """Backticks may hold a command; a whole-file block under one that names no file is
    refused (before: skipped, and the Java edit applied alone)."""
    answer = ("Run it with\n\n" + _whole("`python run tests.py`", "OK (3 tests)\n")
              + _whole(f"`{JAVA}`", JAVA_AFTER))  # fmt: skip
    with pytest.raises(HunkMatchError) as info:
        apply_edits(FILES, answer)
    assert "'python run tests.py', which is no file in the repository" in str(info.value)


@pytest.mark.parametrize(
    ("line", "path"),
    [
        (f"`{NOTES}`", NOTES),
        (NOTES, NOTES),
        (f"**{NOTES}**", NOTES),
        ("File: GSON 2.0 NOTES.txt", "GSON 2.0 NOTES.txt"),
        ("`app/[id]/page.tsx`", "app/[id]/page.tsx"),
        ("Usage in app.py", None),  # a sentence, not a name
        ("**Usage in app.py**", None),
        ("Fixed in src/Foo Bar.py", None),
        ("`obj.method()`", None),  # code
        ("`python -m tests/run.py`", None),  # a command with an option
        ("`a /b.txt`", None),
    ],
)
def test_which_lines_with_spaces_name_a_file(line: str, path: str | None) -> None:
    assert path_from_line(line) == path


def test_only_names_outside_the_strict_shape_need_an_existing_file() -> None:
    assert loose_path(NOTES) and loose_path("app/[id]/page.tsx")
    assert not loose_path(JAVA)
