"""Shared fixtures: isolated user state and real git repositories built on the fly."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import git
import pytest
from fakeopenai import FakeOpenAI, serve


@pytest.fixture(autouse=True)
def _isolated_state(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point all user state (config, cache) at a temp dir and drop real API keys."""
    home = tmp_path_factory.mktemp("tome-home")
    monkeypatch.setenv("TOME_HOME", str(home))
    monkeypatch.delenv("TOME_CACHE_DIR", raising=False)
    for key in ("DEEPSEEK_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(key, raising=False)
    # git must not read the developer's config (signing, hooks, templates)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (home / "gitconfig").write_text("[user]\n\tname = Test\n\temail = test@example.com\n")
    return home


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake OpenAI-compatible server on 127.0.0.1 (see tests/fakeopenai.py)."""
    with serve() as fake:
        yield fake


RepoFactory = Callable[..., Path]


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode("utf-8"))


@pytest.fixture
def make_repo(tmp_path: Path) -> RepoFactory:
    """Build a real git repository: ``make_repo({"a.py": "..."}, untracked={...})``.

    Files in ``files`` are committed; ``untracked`` are written but not added.
    """
    counter = iter(range(1000))

    def factory(
        files: Mapping[str, str | bytes],
        *,
        untracked: Mapping[str, str | bytes] | None = None,
        name: str | None = None,
    ) -> Path:
        root = tmp_path / (name or f"repo{next(counter)}")
        root.mkdir(parents=True)
        repo = git.Repo.init(root, initial_branch="main")
        write_tree(root, files)
        if files:
            repo.git.add(A=True)
            repo.index.commit("initial")
        if untracked:
            write_tree(root, untracked)
        repo.close()
        return root

    return factory
