"""Every command from a subfolder works on the repository root (issue 12, "undo fails from
a subfolder"): ``.tome/`` lives at the root only, never shows in ``git status``, and an
apply made from anywhere in the repository is undone from anywhere in it.

The repository is real git with real code: tome's own ``assistant/display.py`` is the
package module ``pkg/display.py``; the model is the fake OpenAI server on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import git
import pytest
from fakeopenai import FakeOpenAI, Reply

import assistant.display
from assistant.cache import Cache
from assistant.cli import main
from assistant.errors import ConfigError, PackError
from assistant.packing import pack
from assistant.session import Assistant

# The generic backend counts with o200k_base, which this machine (and CI) lacks offline:
# tokens falls back to cl100k_base and warns once, its documented behaviour.
pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

DISPLAY = Path(assistant.display.__file__).read_text(encoding="utf-8")
OLD = "from __future__ import annotations\n"
NEW = "from __future__ import annotations  # escaping for terminals\n"
assert DISPLAY.count(OLD) == 1
EDITED = DISPLAY.replace(OLD, NEW)
FILES = {"README.md": "# demo\n", "pkg/display.py": DISPLAY, "pkg/__init__.py": ""}


def _answer(path: str) -> str:
    """A SEARCH/REPLACE answer editing ``path`` (the model names the path the pack used)."""
    return f"Adding a comment.\n\n{path}\n```python\n<<<<<<< SEARCH\n{OLD}=======\n{NEW}>>>>>>> REPLACE\n```\n"


PATCH = (
    "--- a/pkg/display.py\n+++ b/pkg/display.py\n@@ -1 +1 @@\n"
    f"-{OLD}+{NEW}"
)  # a unified diff names paths from the root, as git does from any folder


def _ask(fake: FakeOpenAI, *extra: str) -> int:
    return main(["ask", "comment the import", "--base-url", fake.base_url, "--model", "m",
                 "--apply", "--yes", *extra])  # fmt: skip


def _clean(root: Path) -> None:
    """``.tome/`` is at the root only and git does not see it."""
    assert (root / ".tome").is_dir()
    assert not (root / "pkg" / ".tome").exists()
    status = git.Repo(root).git.status("--porcelain", "--untracked-files=all")
    assert ".tome" not in status


def _history(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    capsys.readouterr()
    assert main(["history", "--json", *extra]) == 0
    listing: dict[str, Any] = json.loads(capsys.readouterr().out)
    return listing


def test_pack_ask_history_undo_apply_from_a_subfolder(
    make_repo, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = make_repo(FILES)
    monkeypatch.chdir(root / "pkg")
    assert main(["pack"]) == 0  # packs pkg/ (the folder it starts in), writes the root's .tome
    assert (root / ".tome" / "pack.xml").is_file()
    _clean(root)

    fake_openai.push(Reply(text=_answer("pkg/display.py")))
    assert _ask(fake_openai) == 0
    assert "'tome undo' reverts" in capsys.readouterr().err
    # the model saw pkg's files only, named from the root: its edit names them so
    sent = fake_openai.requests[-1].messages[-1]["content"]
    assert 'path="pkg/display.py"' in sent and "README.md" not in sent
    assert (root / "pkg" / "display.py").read_text() == EDITED
    _clean(root)

    listing = _history(capsys)
    assert Path(listing["database"]) == root / ".tome" / "history.db"
    [session] = listing["sessions"]
    assert session["status"] == "applied" and session["files"] == 1

    assert main(["undo"]) == 0  # from pkg/: the apply made from pkg/
    assert (root / "pkg" / "display.py").read_text() == DISPLAY
    _clean(root)

    (root / "pkg" / "fix.diff").write_text(PATCH)  # a file argument: relative to the start
    assert main(["apply", "fix.diff"]) == 0
    assert (root / "pkg" / "display.py").read_text() == EDITED
    assert main(["undo"]) == 0
    assert (root / "pkg" / "display.py").read_text() == DISPLAY
    assert main(["undo"]) == 1  # both undone: nothing left, from any folder
    _clean(root)


def test_ask_with_C_subfolder_is_undone_from_that_subfolder(
    make_repo, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The issue's report: ``tome ask -C repo/pkg --apply --yes``, then ``tome undo`` in pkg."""
    root = make_repo(FILES)
    fake_openai.push(Reply(text=_answer("pkg/display.py")))
    assert _ask(fake_openai, "-C", str(root / "pkg")) == 0
    assert (root / "pkg" / "display.py").read_text() == EDITED
    _clean(root)
    monkeypatch.chdir(root / "pkg")
    assert main(["undo"]) == 0
    assert (root / "pkg" / "display.py").read_text() == DISPLAY
    _clean(root)


def test_apply_at_the_root_is_undone_from_a_subfolder(make_repo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    patch = tmp_path / "fix.diff"
    patch.write_text(PATCH)
    assert main(["apply", str(patch), "-C", str(root)]) == 0
    assert main(["undo", "-C", str(root / "pkg")]) == 0
    assert (root / "pkg" / "display.py").read_text() == DISPLAY
    _clean(root)


def test_apply_with_C_subfolder_reads_patch_paths_from_the_root(
    make_repo, tmp_path: Path, capsys
) -> None:
    root = make_repo(FILES)
    patch = tmp_path / "fix.diff"
    patch.write_text(PATCH)
    assert main(["apply", str(patch), "-C", str(root / "pkg")]) == 0
    assert (root / "pkg" / "display.py").read_text() == EDITED
    assert _history(capsys, "-C", str(root / "pkg"))["database"] == str(
        root / ".tome" / "history.db"
    )
    assert main(["undo", "-C", str(root)]) == 0
    assert (root / "pkg" / "display.py").read_text() == DISPLAY
    _clean(root)


def test_review_from_a_subfolder_opens_the_session_asked_there(
    make_repo, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """``tome review`` (the terminal UI, run headless) from pkg/ finds the root's history."""
    from tui.app import TomeApp
    from tui.screens.review import ReviewScreen

    root = make_repo(FILES)
    fake_openai.push(Reply(text=_answer("pkg/display.py")))
    monkeypatch.chdir(root / "pkg")
    assert main(["ask", "comment the import", "--base-url", fake_openai.base_url,
                 "--model", "m"]) == 0  # fmt: skip
    seen: list[tuple[Path, list[str]]] = []

    async def look(pilot: Any) -> None:
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        seen.append((screen.state.root, [f.path for f in screen.state.changeset]))
        pilot.app.exit(0)

    real_run = TomeApp.run
    monkeypatch.setattr(
        TomeApp, "run", lambda app: real_run(app, headless=True, size=(100, 30), auto_pilot=look)
    )
    monkeypatch.setattr("assistant.cli._ui.not_terminals", lambda: [])  # as in a terminal
    assert main(["review"]) == 0
    assert seen == [(root, ["pkg/display.py"])]
    _clean(root)


def test_a_linked_worktree_is_a_root_of_its_own(
    make_repo, fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """A ``git worktree add`` checkout: its ``.git`` is a file; its state stays in it, the
    exclude line goes into the main repository's ``info/exclude`` (which git reads)."""
    main_root = make_repo(FILES)
    linked = tmp_path / "linked"
    git.Repo(main_root).git.worktree("add", "-b", "side", str(linked))
    assert (linked / ".git").is_file()
    monkeypatch.chdir(linked / "pkg")
    fake_openai.push(Reply(text=_answer("pkg/display.py")))
    assert _ask(fake_openai) == 0
    assert (linked / "pkg" / "display.py").read_text() == EDITED
    _clean(linked)
    assert not (main_root / ".tome").exists()
    assert ".tome/" in (main_root / ".git" / "info" / "exclude").read_text().splitlines()
    assert _history(capsys)["database"] == str(linked / ".tome" / "history.db")
    assert main(["undo"]) == 0
    assert (linked / "pkg" / "display.py").read_text() == DISPLAY
    _clean(linked)


def test_one_rule_finds_the_root(make_repo, tmp_path: Path) -> None:
    from assistant import repo  # the git edge (before it: three rules in three places)

    root = make_repo(FILES)
    assert repo.find_root(root / "pkg") == root.resolve()
    assert repo.find_root(root) == root.resolve()
    outside = tmp_path / "plain" / "deep"
    outside.mkdir(parents=True)
    assert repo.find_root(outside) == outside.resolve()  # outside git: the folder itself
    with pytest.raises(ConfigError, match="no such folder"):
        repo.find_root(tmp_path / "missing")
    a = Assistant.open(root / "pkg", backend="deepseek-v4-flash")
    assert (a.root, a.scope) == (root.resolve(), "pkg")
    assert a.store.path == root.resolve() / ".tome" / "history.db"


def test_a_scope_packs_the_subfolder_with_paths_from_the_root(make_repo) -> None:
    root = make_repo({**FILES, "pkg/.tomeignore": "__init__.py\n.tomeignore\n"})
    alone = pack(root / "pkg", cache=Cache.disabled())
    scoped = pack(root, scope="pkg", cache=Cache.disabled())
    assert [f.path for f in alone.files] == ["display.py"]  # pkg's own .tomeignore applies
    assert [f.path for f in scoped.files] == ["pkg/display.py"]
    assert scoped.root == root.resolve() and 'path="pkg/display.py"' in scoped.text
    assert [f.blob_sha for f in scoped.files] == [f.blob_sha for f in alone.files]
    for outside in ("..", "../elsewhere", str(root.parent)):
        with pytest.raises(PackError, match="not a folder inside"):
            pack(root, scope=outside, cache=Cache.disabled())
