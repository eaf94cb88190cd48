"""A context line the model left out, on real files where the engine refused answers that
have one reading: at the end of a file, next to a line that equals it once stripped, and in
a SEARCH/REPLACE pair that re-indents lines. Files are the real ones vendored in bench/data/
(google/gson, Apache-2.0; pypa/packaging, BSD-2-Clause); answers as the benchmark renders
them with one line left out."""

from __future__ import annotations

import pytest

from assistant.edits import apply_edits
from bench._edit_data import commit_cases


def _before(case: str, path: str) -> str:
    c = next(c for c in commit_cases() if c.id == case)
    return next(f.before for f in c.files if f.path == path)


STRING_MAP = "gson/src/main/java/com/google/gson/internal/StringMap.java"
MAP_TEST = "gson/src/test/java/com/google/gson/functional/MapTest.java"
TAGS = "packaging/tags.py"


@pytest.mark.parametrize("ending", ["", "   "])
def test_left_out_line_at_the_end_of_the_file(ending: str) -> None:
    # google/gson@5e3f5a6bbe: the last hunk adds the file's final newline, and the method's
    # "  }" before the class's "}" is left out; stripped, "}" also matches that "  }", one
    # line short of the end, so the window with the line left out was never read
    text = _before("gson@5e3f5a6bbe", STRING_MAP)
    assert text.endswith("\n  }\n}")
    files = {STRING_MAP: text.replace("\n  }\n}", f"\n  }}{ending}\n}}")}
    answer = (
        "*** Begin Patch\n"
        f"*** Update File: {STRING_MAP}\n"
        "@@\n"
        "     h ^= (h >>> 20) ^ (h >>> 12);\n"
        "     return h ^ (h >>> 7) ^ (h >>> 4);\n"
        "-}\n"
        "\\ No newline at end of file\n"
        "+}\n"
        "*** End of File\n"
        "*** End Patch\n"
    )
    assert apply_edits(files, answer) == {STRING_MAP: files[STRING_MAP] + "\n"}


def test_left_out_brace_is_read_verbatim_before_stripped() -> None:
    # google/gson@81d15f545d: "    }" then "  }" with the "  }" left out; stripped, the
    # answer's "    }" could also stand for the file's "  }" with the "    }" left out
    # before it, which put the hunk at two readings of one place
    text = _before("gson@81d15f545d", MAP_TEST)
    answer = (
        "*** Begin Patch\n"
        f"*** Update File: {MAP_TEST}\n"
        "@@\n"
        " \n"
        "     @Override\n"
        "     public Set<Entry<K, V>> entrySet() {\n"
        "-      return Set.of();\n"
        "+      return Collections.emptySet();\n"
        "     }\n"
        " \n"
        "*** End Patch\n"
    )
    assert text.count("      return Set.of();\n") == 1
    want = text.replace("      return Set.of();\n", "      return Collections.emptySet();\n")
    assert apply_edits({MAP_TEST: text}, answer) == {MAP_TEST: want}


SEARCH = """\
def _mac_binary_formats(version, cpu_arch):
    formats = [cpu_arch]
        if version >= (10, 4):
            formats.extend(["intel", "fat64", "fat32"])
        else:
            return []
    elif cpu_arch == "i386":
"""
REPLACE = """\
def _mac_binary_formats(version, cpu_arch):
    formats = [cpu_arch]
        if version < (10, 4):
            return []
        formats.extend(["intel", "fat64", "fat32"])

    elif cpu_arch == "i386":
"""
LEFT_OUT = '    if cpu_arch == "x86_64":\n'


def test_left_out_line_before_re_indented_lines_of_a_search_replace_pair() -> None:
    # pypa/packaging@95a71a8211: SEARCH and REPLACE leave out the `if cpu_arch == "x86_64":`
    # after `formats = [cpu_arch]`; compared stripped, the re-indented `formats.extend(...)`
    # made an equally good diff in which the line sits after the new `if`, so it was refused
    text = _before("packaging@95a71a8211", TAGS)
    old = SEARCH.replace("    formats = [cpu_arch]\n", "    formats = [cpu_arch]\n" + LEFT_OUT)
    new = REPLACE.replace("    formats = [cpu_arch]\n", "    formats = [cpu_arch]\n" + LEFT_OUT)
    assert text.count(old) == 1
    answer = f"{TAGS}\n```python\n<<<<<<< SEARCH\n{SEARCH}=======\n{REPLACE}>>>>>>> REPLACE\n```\n"
    assert apply_edits({TAGS: text}, answer) == {TAGS: text.replace(old, new)}


BUILDER_TEST = "gson/src/test/java/com/google/gson/GsonBuilderTest.java"
IMPORTS_OLD = """\
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import junit.framework.TestCase;

/**
"""
IMPORTS_NEW = """\
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;

import junit.framework.TestCase;

import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;

/**
"""


def test_left_out_line_of_a_pair_whose_own_diff_is_not_the_best() -> None:
    # google/gson@e9b576c456: imports reordered, the `package` line between two blank lines
    # left out of SEARCH and REPLACE; the pair's own diff kept the two moved imports and put
    # five added lines between the blank lines, where the left-out line then had no place
    text = _before("gson@e9b576c456", BUILDER_TEST)  # a CRLF file, the answer LF

    def crlf(x: str) -> str:
        return x.replace("\n", "\r\n")

    head = "\n\npackage com.google.gson;\n\n"
    assert text.count(crlf(head + IMPORTS_OLD)) == 1
    answer = (
        f"{BUILDER_TEST}\n```java\n<<<<<<< SEARCH\n\n\n{IMPORTS_OLD}=======\n\n\n{IMPORTS_NEW}"
        ">>>>>>> REPLACE\n```\n"
    )
    want = text.replace(crlf(head + IMPORTS_OLD), crlf(head + IMPORTS_NEW))
    assert apply_edits({BUILDER_TEST: text}, answer) == {BUILDER_TEST: want}
