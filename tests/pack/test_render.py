from __future__ import annotations

from assistant.packing.render import Entry, join, language_tag, render, render_tree


def _e(path: str, text: str, tier: str = "full", tokens: int = 3) -> Entry:
    return Entry(path, tier, tokens, text if tier != "omitted" else "", path, tokens)  # type: ignore[arg-type]


def test_tree_has_folder_totals_tiers_and_stable_order() -> None:
    tree = render_tree(
        [_e("b/z.py", "", tokens=5), _e("a.py", "", tokens=2), _e("b/c/d.py", "", "omitted", 7)]
    )
    assert tree.splitlines() == ["a.py 2", "b/ 12", "  c/ 7", "    d.py 7 [omitted]", "  z.py 5"]


def test_xml_has_header_tree_files_by_path_and_task_last() -> None:
    entries = [_e("src/b.py", "b = 1\n"), _e("a.py", "a = 1"), _e("big.py", "", "omitted", 999)]
    text = join(render(entries, name="demo", format="xml", encoding="o200k_base", task="do it"))
    assert text.startswith('<repository name="demo" encoding="o200k_base">\n')
    assert text.index('<file path="a.py"') < text.index('<file path="src/b.py"')
    assert '<file path="big.py"' not in text and "big.py 999 [omitted]" in text
    assert '<file path="a.py" tokens="3">\na = 1\n</file>\n' in text  # newline added, not lost
    assert text.endswith(
        "<summary>3 files: 2 full, 0 skeleton, 1 omitted</summary>\n</repository>\n"
        "<task>\ndo it\n</task>\n"
    )


def test_xml_escapes_paths_in_attributes() -> None:
    text = join(render([_e('we"ird&<.py', "x\n")], name="r", format="xml", encoding="e"))
    assert '<file path="we&quot;ird&amp;&lt;.py"' in text


def test_markdown_fence_outgrows_backticks_inside_the_file() -> None:
    text = join(
        render([_e("README.md", "```py\nx\n```\n")], name="r", format="markdown", encoding="e")
    )
    assert "## README.md (3 tokens)\n\n````markdown\n```py\nx\n```\n````\n" in text
    assert language_tag("x/y.tsx") == "tsx" and language_tag("Makefile") == "makefile"


def test_rendering_is_byte_identical_for_the_same_input_in_any_order() -> None:
    a = [_e("x.py", "1\n"), _e("y/z.py", "2\n"), _e("w.py", "", "omitted")]
    assert join(render(a, name="r", encoding="e")) == join(render(a[::-1], name="r", encoding="e"))
