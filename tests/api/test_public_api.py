"""The public API is exactly what ``__all__`` says, and each name resolves."""

from __future__ import annotations

import subprocess
import sys

import assistant


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert assistant.__all__ == sorted(assistant.__all__)
    public = {
        n
        for n in vars(assistant)
        if (not n.startswith("_") and n[0].isupper()) or n in ("pack", "rank_files")
    }
    public -= {"TYPE_CHECKING", "Any"}
    assert public | set(assistant._LAZY) == set(assistant.__all__)
    for name in assistant.__all__:
        assert getattr(assistant, name) is not None, name


def test_pack_is_callable_and_still_a_package(make_repo) -> None:
    import assistant.packing.lexical as lexical

    root = make_repo({"a.py": "x = 1\n"})
    result = assistant.pack(root, encoding="cl100k_base")
    assert isinstance(result, assistant.Pack) and [f.path for f in result.files] == ["a.py"]
    assert lexical.terms_of is assistant.packing.lexical.terms_of


def test_unknown_names_raise_attribute_error() -> None:
    try:
        assistant.no_such_thing  # noqa: B018
    except AttributeError as exc:
        assert "no_such_thing" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_importing_assistant_does_not_load_openai_or_textual() -> None:
    code = "import sys, assistant; print('openai' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
