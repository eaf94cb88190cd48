"""Indentation drift with nothing removed: the added lines either moved with the context (a
block shifted as a whole) or were written right while the context drifted. Real files from
the benchmark's commits (tests/fixtures/drift/): cJSON's fuzzing/cjson_read_fuzzer.c (MIT),
ripgrep's appveyor.yml (MIT/Unlicense) and cobra's md_docs.go (Apache-2.0), with the
answers the benchmark rendered for those commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.edits import HunkMatchError, apply_edits, parse_edits
from assistant.edits.match import FileLines, Hint, Located, locate

DATA = Path(__file__).resolve().parents[1] / "fixtures" / "drift"


def real(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def sr(path: str, search: list[str], replace: list[str]) -> str:
    return (f"{path}\n```c\n<<<<<<< SEARCH\n" + "".join(x + "\n" for x in search) + "=======\n"
            + "".join(x + "\n" for x in replace) + ">>>>>>> REPLACE\n```\n")  # fmt: skip


def test_search_replace_block_indented_as_a_whole_moves_its_added_lines() -> None:
    # cJSON 73b0e739d0 as a SEARCH/REPLACE block every line of which is 4 spaces deeper than
    # the file: the #ifdef lines added in the middle move back with the block. Before, the
    # block's shift (4 spaces) was read as context drift and the added lines kept 4 spaces.
    path = "fuzzing/cjson_read_fuzzer.c"
    text = real("cjson_read_fuzzer.c")
    search = ["#include <stdint.h>", "#include <string.h>", "", '#include "../cJSON.h"']
    added = ["", "#ifdef __cplusplus", 'extern "C" {', "#endif"]
    replace = [*search[:2], *added, *search[2:]]
    pad = lambda xs: ["    " + x if x else x for x in xs]  # noqa: E731
    got = apply_edits({path: text}, sr(path, pad(search), pad(replace)))[path]
    assert got == text.replace(
        "#include <string.h>\n", "#include <string.h>\n" + "\n".join(added) + "\n", 1
    )


def test_search_replace_block_shifted_off_the_grid_moves_its_added_lines() -> None:
    # the commit's second block, every line 2 spaces deeper than the file (a 4-space file):
    # the lines it adds after the closing brace move back with it. Before, a shift off the
    # file's grid was read as context drift and the added lines kept their 2 spaces.
    path = "fuzzing/cjson_read_fuzzer.c"
    text = real("cjson_read_fuzzer.c")
    search = ["", "    return 0;", "}"]
    replace = [*search, "", "#ifdef __cplusplus", "}", "#endif"]
    pad = lambda xs: ["  " + x if x else x for x in xs]  # noqa: E731
    got = apply_edits({path: text}, sr(path, pad(search), pad(replace)))[path]
    assert got == text + "\n#ifdef __cplusplus\n}\n#endif\n"


YAML = "appveyor.yml"
YAML_DIFF = """\
--- a/appveyor.yml
+++ b/appveyor.yml
@@ -60,6 +60,7 @@
\x20
   branches:
     only:
+    - /\\d+\\.\\d+\\.\\d+/
       - master
       # - appveyor
       # - /\\d+\\.\\d+\\.\\d+/
"""


def test_yaml_insertion_that_reads_both_ways_is_refused() -> None:
    # ripgrep c767bccade: the context lines are 2 spaces deeper than the file, nothing is
    # removed, and the file is indented by 2: the added list item could be meant at 4
    # (as written: a sibling of "- master") or at 2 (moved with the context). Before, it
    # was moved with the context: silently wrong bytes.
    text = real("ripgrep_appveyor.yml")
    with pytest.raises(HunkMatchError) as info:
        apply_edits({YAML: text}, YAML_DIFF)
    failure = info.value.failures[0]
    assert failure.kind == "ambiguous"
    assert "could keep their indentation or move with the context" in failure.detail
    assert "line 60" in failure.detail


def test_yaml_insertion_with_right_context_is_applied() -> None:
    # the same hunk with the context as the file has it: one reading, applied
    text = real("ripgrep_appveyor.yml")
    diff = "".join(
        (" " + x[3:] if x.startswith("   ") else x) + "\n" for x in YAML_DIFF.splitlines()
    )
    got = apply_edits({YAML: text}, diff)[YAML]
    assert "  only:\n    - /\\d+\\.\\d+\\.\\d+/\n    - master\n" in got


GO = "md_docs.go"
GO_DIFF = """\
--- a/md_docs.go
+++ b/md_docs.go
@@ -47,6 +47,10 @@
   func (s byName) Less(i, j int) bool { return s[i].Name() < s[j].Name() }
\x20
   func GenMarkdown(cmd *Command, out *bytes.Buffer) {
+\tGenMarkdownCustom(cmd, out, func(s string) string { return s })
+}
+
+func GenMarkdownCustom(cmd *Command, out *bytes.Buffer, linkHandler func(string) string) {
   \tname := cmd.CommandPath()
\x20
   \tshort := cmd.Short
"""


def test_spaces_of_drift_in_a_tab_indented_file_keep_the_added_lines() -> None:
    # cobra 1d99c8ff6d: context lines 2 spaces off in a file indented with tabs, the added
    # lines right. Two spaces are no whole step of a tab-indented file: drift, so the added
    # lines are kept as written. Before, the shift counted as a block shift (the file's step
    # is 1 character), the added lines could not be moved by it, and the hunk was refused.
    text = real("cobra_md_docs.go")
    got = apply_edits({GO: text}, GO_DIFF)[GO]
    assert got == text.replace(
        "func GenMarkdown(cmd *Command, out *bytes.Buffer) {\n",
        "func GenMarkdown(cmd *Command, out *bytes.Buffer) {\n"
        "\tGenMarkdownCustom(cmd, out, func(s string) string { return s })\n}\n\n"
        "func GenMarkdownCustom(cmd *Command, out *bytes.Buffer, linkHandler func(string) "
        "string) {\n",
        1,
    )


def test_block_of_a_tab_indented_file_shifted_by_spaces_moves_back() -> None:
    # the same file, the whole hunk (added lines too) 2 spaces deeper, as a patch: the added
    # lines then carry the 2 spaces and only the block reading sits like its neighbours
    text = real("cobra_md_docs.go")
    body = [x for x in GO_DIFF.splitlines()[3:]]
    patch = (
        "*** Begin Patch\n*** Update File: md_docs.go\n@@\n"
        + "".join((x[0] + "  " + x[1:] if x[0] == "+" and x[1:] else x) + "\n" for x in body)
        + "*** End Patch\n"
    )
    got = apply_edits({GO: text}, patch)[GO]
    assert got == apply_edits({GO: text}, GO_DIFF)[GO]


def test_place_without_a_reading_is_still_a_place() -> None:
    # two places hold the hunk's context; at the stated one the added lines have no
    # plausible reading (off the grid, neither way sits like its neighbours): the other
    # place must not become the only one
    lines = ["class A:", "    def f(self):", "        x = [1,", "             2]", "",
             "class B:", "    def g(self):", "        x = [1,", "             2]"]  # fmt: skip
    edit = parse_edits("--- a/m.py\n+++ b/m.py\n@@ -8,2 +8,3 @@\n"
                       "          x = [1,\n               2]\n+      y = 3\n")[0]  # fmt: skip
    fl = FileLines(lines)
    found = locate(fl, edit.hunks[0], hint=Hint(8))
    assert not isinstance(found, Located)
    assert found.kind == "ambiguous"


def test_search_replace_copy_of_a_drifted_line_is_the_files_line() -> None:
    # packaging 75966a8c81 as SEARCH/REPLACE with trailing whitespace added to some of the
    # unchanged lines (the answer the benchmark rendered, kept verbatim). "shell: bash"
    # repeats, so SEARCH and REPLACE pair up otherwise than the commit did and the REPLACE
    # copy of a drifted line, "shell: bash ", became an added line: before, written with
    # the space the file does not have.
    path = ".github/workflows/test.yml"
    text = real("packaging_test.yml")
    answer = real("packaging_test.yml.answer")
    assert "        shell: bash \n" in answer and "        shell: bash \n" not in text
    got = apply_edits({path: text}, answer)[path]
    assert got == real("packaging_test.yml.after")
    assert "        shell: bash \n" not in got


def test_patch_block_shifted_off_the_grid_at_end_of_file_moves_back() -> None:
    # cJSON bd1a375028 as *** Begin Patch, every line 2 spaces deeper than the file (indented
    # by 4), at the end of a file without a final newline (the benchmark's answer, verbatim).
    # Before, the added if() block kept the 2 spaces: a shift off the grid was read as drift
    # whether or not the added lines then sat like their neighbours.
    path = "fuzzing/CMakeLists.txt"
    text = real("cjson_fuzzing_CMakeLists.txt")
    got = apply_edits({path: text}, real("cjson_fuzzing_CMakeLists.txt.answer"))[path]
    assert got == real("cjson_fuzzing_CMakeLists.txt.after")
    assert got.endswith("\n\nif(ENABLE_CJSON_TEST)\n    ADD_EXECUTABLE(fuzz_main fuzz_main.c)\n"
                        "    TARGET_LINK_LIBRARIES(fuzz_main cjson)\nendif()")  # fmt: skip
