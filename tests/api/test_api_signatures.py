"""Every public function shows its real parameters to ``inspect.signature`` and ``help()``
(no ``*args, **kwargs`` wrapper from the lazy loading of ``assistant``)."""

from __future__ import annotations

import inspect

import assistant


def test_pack_shows_its_parameters() -> None:
    params = inspect.signature(assistant.pack).parameters
    assert list(params)[:1] == ["root"]
    for name in ("budget", "task", "options", "format", "encoding"):
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, name


def test_no_public_function_hides_its_parameters() -> None:
    hidden = []
    for name in assistant.__all__:
        obj = getattr(assistant, name)
        if not inspect.isfunction(obj):
            continue
        kinds = {p.kind for p in inspect.signature(obj).parameters.values()}
        if kinds == {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}:
            hidden.append(name)
    assert hidden == []
