"""One language table: the Markdown fence tag of a file with a grammar is the language
``code.registry`` reads it as (``.h`` was C in the pack and C++ in the code index)."""

from __future__ import annotations

import pytest

from assistant.code.registry import EXTENSIONS, FILENAMES, language_for
from assistant.packing.render import language_tag


@pytest.mark.parametrize("ext", sorted(EXTENSIONS))
def test_every_grammar_extension_fences_as_its_registry_language(ext: str) -> None:
    assert language_tag(f"src/file{ext}") == language_for(f"src/file{ext}") == EXTENSIONS[ext]


def test_a_header_is_one_language_everywhere() -> None:
    assert language_tag("include/list.h") == language_for("include/list.h") == "cpp"


def test_special_file_names_and_languages_without_a_grammar_still_fence() -> None:
    assert language_tag("Rakefile") == FILENAMES["Rakefile"] == "ruby"
    assert language_tag("conf/app.yaml") == "yaml" and language_tag("Makefile") == "makefile"
    assert language_tag("data.unknownext") == ""
