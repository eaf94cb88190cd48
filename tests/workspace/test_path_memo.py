"""Discovery remembers the path rules' verdicts on a listing: a second discovery of the same
listing with the same rules judges no path, and gives what judging them gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import workspace
from assistant.cache import Cache, namespace
from assistant.workspace import DiscoverOptions, Workspace, discover

TREE: dict[str, str | bytes] = {
    "app.py": "print('app')\n",
    "pkg/mod.py": "x = 1\n",
    "node_modules/dep/index.js": "module.exports = 1\n",
    "package-lock.json": "{}\n",
    ".env": "KEY=value\n",
    "docs/guide.md": "# guide\n",
    "build/out.py": "y = 2\n",
}


@pytest.fixture
def judged(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many paths each call of the real path judging was given."""
    calls: list[int] = []
    real = workspace._kept

    def spy(paths, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(paths))
        return real(paths, *args, **kwargs)

    monkeypatch.setattr(workspace, "_kept", spy)
    return calls


def seen(ws: Workspace) -> tuple[list[str], list[tuple[str, str, str]]]:
    return [f.path for f in ws.files], [(s.path, s.reason, s.detail) for s in ws.skipped]


def test_a_second_discovery_judges_no_path_and_gives_the_same(
    make_repo, tmp_path: Path, judged: list[int]
) -> None:
    root = make_repo(TREE, untracked={"new.py": "z = 3\n"})
    cache = Cache(tmp_path / "c.sqlite3")
    first = discover(root, cache=cache)
    assert judged and sum(judged) >= len(TREE)
    judged.clear()
    again = discover(root, cache=cache)
    assert judged == []
    assert seen(again) == seen(first) == seen(discover(root, cache=Cache.disabled()))
    assert again.state == first.state
    assert ("node_modules/", "default-exclude") in {(s.path, s.reason) for s in again.skipped}
    assert ".env" in {s.path for s in again.skipped if s.reason == "secret-name"}


def test_other_rules_or_another_listing_are_judged_again(
    make_repo, tmp_path: Path, judged: list[int]
) -> None:
    root = make_repo(TREE)
    cache = Cache(tmp_path / "c.sqlite3")
    discover(root, cache=cache)
    judged.clear()
    excluded = discover(root, DiscoverOptions(exclude=("docs/",)), cache=cache)
    assert judged and "docs/guide.md" not in seen(excluded)[0]
    judged.clear()
    (root / ".tomeignore").write_text("pkg/\n")
    ignored = discover(root, cache=cache)
    assert judged and "pkg/mod.py" not in seen(ignored)[0]
    judged.clear()
    (root / "more.py").write_text("w = 4\n")  # untracked: a new listing
    assert "more.py" in seen(discover(root, cache=cache))[0] and judged
    judged.clear()
    allowed = discover(root, DiscoverOptions(allow_secrets=True), cache=cache)
    assert judged and ".env" in seen(allowed)[0]


def test_an_include_glob_that_matches_nothing_still_fails_on_a_hit(
    make_repo, tmp_path: Path
) -> None:
    root = make_repo(TREE)
    cache = Cache(tmp_path / "c.sqlite3")
    only = DiscoverOptions(include=("pkg/*.py", "nothing/*.rs"))
    for _ in range(2):
        with pytest.raises(workspace.PackError, match="nothing/"):
            discover(root, only, cache=cache)
    hit = discover(root, DiscoverOptions(include=("pkg/*.py",)), cache=cache)
    again = discover(root, DiscoverOptions(include=("pkg/*.py",)), cache=cache)
    assert seen(hit) == seen(again) and seen(hit)[0] == ["pkg/mod.py"]


@pytest.mark.parametrize(
    "value",
    [
        b"not marshal",
        b"\xe9\x00",
        __import__("marshal").dumps(([99], [], [], [])),  # an index past the listing
        __import__("marshal").dumps(([0], [(1, 2, 3)], [], [])),  # skips of the wrong type
        __import__("marshal").dumps("a string"),
        __import__("marshal").dumps(([0], [], [("a", "b", "c")], [])),  # bad folder pairs
    ],
)
def test_a_damaged_entry_is_a_miss(
    make_repo, tmp_path: Path, judged: list[int], value: bytes
) -> None:
    """The cache is the user's, but a damaged or foreign entry must not change a pack."""
    root = make_repo(TREE)
    cache = Cache(tmp_path / "c.sqlite3")
    first = discover(root, cache=cache)
    ns = namespace("paths")
    conn = cache._connect()
    assert conn is not None
    (count,) = conn.execute("SELECT count(*) FROM entries WHERE ns = ?", (ns,)).fetchone()
    assert count == 1
    conn.execute("UPDATE entries SET value = ? WHERE ns = ?", (value, ns))
    judged.clear()
    again = discover(root, cache=cache)
    assert judged  # judged again
    assert seen(again) == seen(first)


def test_a_remembered_listing_compiles_no_rule(
    make_repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rules compile on first use: a hit needs none of them (nor pathspec)."""
    from assistant.pathrules import Rules

    compiled: list[tuple[str, ...]] = []
    real = Rules._compile

    def spy(self: Rules) -> None:
        compiled.append(self.lines)
        real(self)

    monkeypatch.setattr(Rules, "_compile", spy)
    root = make_repo(TREE)
    cache = Cache(tmp_path / "c.sqlite3")
    first = discover(root, cache=cache)
    assert compiled
    compiled.clear()
    assert seen(discover(root, cache=cache)) == seen(first)
    assert compiled == []
