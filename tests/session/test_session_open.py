"""Opening an assistant: :meth:`Assistant.open` finds the repository, loads the settings,
resolves the backend and opens the history, and says clearly what is wrong; the
constructor only keeps parts already resolved; :meth:`Assistant.with_backend` makes a
second assistant and leaves the first as it was when the new backend does not resolve.
"""

from __future__ import annotations

import pytest

from assistant import repo
from assistant.config import Settings, load_settings
from assistant.errors import ConfigError
from assistant.history import History
from assistant.model import ClientOptions, resolve_backend
from assistant.session import Assistant

FILES = {"pkg/mod.py": "def greet(name):\n    return f'hello {name}'\n", "README": "hi\n"}


@pytest.fixture(autouse=True)
def _no_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TOME_BACKEND", "TOME_MODEL", "TOME_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


def test_the_constructor_keeps_what_it_is_given_and_looks_nothing_up(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_repo(FILES)
    settings = Settings()
    backend = resolve_backend(settings, name="deepseek-v4-pro")
    history = History(root)
    options = ClientOptions()

    def refused(*_: object, **__: object) -> None:
        raise AssertionError("the constructor looked something up")

    monkeypatch.setattr(repo, "find_root", refused)
    monkeypatch.setattr("assistant.session.load_settings", refused)
    monkeypatch.setattr("assistant.model.resolve_backend", refused)
    a = Assistant(
        root, settings=settings, backend=backend, options=options, sessions=history,
        edit_format="search-replace", scope="pkg",
    )  # fmt: skip
    assert (a.root, a.scope, a.settings, a.backend) == (root, "pkg", settings, backend)
    assert a.sessions is history and a.store is history.store and a.options is options
    assert a.edit_format == "search-replace"
    assert not (root / ".tome").exists()  # nothing written either


def test_open_from_a_subfolder_finds_the_root_and_packs_the_folder(make_repo) -> None:
    root = make_repo(FILES)
    a = Assistant.open(root / "pkg", backend="deepseek-v4-pro")
    assert a.root == root.resolve() and a.scope == "pkg"
    assert a.sessions.root == a.root
    assert a.backend.name == "deepseek-v4-pro" and a.edit_format == "search-replace"
    assert a.settings == load_settings(project=root)
    assert [f.path for f in a.plan("rename greet").pack.files] == ["pkg/mod.py"]


def test_open_says_what_is_wrong(make_repo) -> None:
    root = make_repo(FILES)
    with pytest.raises(ConfigError, match=r"unknown backend 'nope'; choose one of: .*gpt-4\.1"):
        Assistant.open(root, backend="nope")
    with pytest.raises(ConfigError, match="unknown edit format 'xml-ish'; choose one of"):
        Assistant.open(root, edit_format="xml-ish")
    with pytest.raises(ConfigError, match="'openai-compatible' has no model id"):
        Assistant.open(root, backend="openai-compatible")


def test_with_backend_makes_a_second_assistant_only_when_it_resolves(make_repo) -> None:
    root = make_repo(FILES)
    a = Assistant.open(root / "pkg", backend="deepseek-v4-flash")
    with pytest.raises(ConfigError, match="unknown backend 'nope'"):
        a.with_backend("nope")
    with pytest.raises(ConfigError, match="has no model id"):
        a.with_backend("openai-compatible")
    assert a.backend.name == "deepseek-v4-flash" and a.edit_format == "search-replace"
    b = a.with_backend("gpt-4.1")
    assert b is not a and a.backend.name == "deepseek-v4-flash"
    assert (b.backend.name, b.edit_format) == ("gpt-4.1", "patch")
    assert (b.root, b.scope, b.settings, b.cache) == (a.root, a.scope, a.settings, a.cache)
    assert b.sessions is a.sessions and b.options == a.options
