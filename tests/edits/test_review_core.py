"""The review core (assistant/review.py): apply, undo and commit on a real git repository,
a file changed on disk since it was read, a rename; and that ``tome apply``, ``tome ask
--apply``, the TUI's review state and the core itself write the same journal for one patch.

The file under edit is a real module of this project (tui/advice.py), the patches are what
real git prints for a real change of it.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.edits import HunkState
from assistant.errors import ApplyConflict
from assistant.review import Review
from tui.state import ReviewState

SOURCE = (Path(__file__).parents[2] / "tui" / "advice.py").read_text(encoding="utf-8")
OLD_LINE = next(line for line in SOURCE.splitlines() if "def " in line)
NEW_LINE = OLD_LINE + "  # reviewed"


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


def _patch(root: Path, *, rename: str | None = None) -> str:
    """What ``git diff`` prints for changing OLD_LINE (and renaming), then the change undone."""
    target = root / "advice.py"
    target.write_text(SOURCE.replace(OLD_LINE, NEW_LINE, 1), encoding="utf-8")
    if rename:
        _git(root, "mv", "advice.py", rename)
    _git(root, "add", "-A")
    diff = _git(root, "diff", "-M", "--cached", "HEAD")
    _git(root, "reset", "-q", "--hard", "HEAD")
    assert "+" + NEW_LINE in diff
    return diff


def _journal(root: Path) -> list[tuple[str, str | None, str | None]]:
    """The files of the one journal under ``root`` (path, old blob, new blob)."""
    [jdir] = (root / ".tome" / "journal").iterdir()
    body = json.loads((jdir / "manifest.json").read_text())["manifest"]
    return [(f["path"], f["old"], f["new"]) for f in body["files"]]


def test_review_applies_undoes_and_commits_only_the_applied_paths(make_repo) -> None:
    root = make_repo({"advice.py": SOURCE, "other.py": "x = 1\n"})
    review = Review.from_patch(root, _patch(root))
    (root / "other.py").write_text("x = 2\n")  # the user's own change: never committed
    review.changeset.accept_all()
    done = review.apply()
    assert done.written == ("advice.py",) and done.journal
    assert (root / "advice.py").read_text() == SOURCE.replace(OLD_LINE, NEW_LINE, 1)
    assert review.changeset["advice.py"].hunks[0].state == HunkState.APPLIED
    undone = review.undo()
    assert undone is not None and undone.restored == ("advice.py",)
    assert (root / "advice.py").read_bytes() == SOURCE.encode()
    assert review.changeset["advice.py"].hunks[0].state == HunkState.ACCEPTED
    review.apply()
    sha = review.commit("tome: review core")
    assert _git(root, "rev-parse", "HEAD").strip() == sha
    assert _git(root, "show", "--name-only", "--format=", "HEAD").split() == ["advice.py"]
    assert _git(root, "status", "--porcelain").split() == ["M", "other.py"]


def test_review_refuses_a_file_changed_on_disk_since_it_was_read(make_repo) -> None:
    root = make_repo({"advice.py": SOURCE})
    review = Review.from_patch(root, _patch(root))
    theirs = SOURCE.replace(OLD_LINE, OLD_LINE + "  # the user's edit", 1)
    (root / "advice.py").write_text(theirs, encoding="utf-8")  # between plan and apply
    review.changeset.accept_all()
    with pytest.raises(ApplyConflict) as caught:
        review.apply()
    message = str(caught.value)
    assert "advice.py" in message and "changed on disk" in message
    assert "does not merge cleanly" in message
    assert (root / "advice.py").read_text() == theirs  # the user's change is untouched
    assert review.changeset["advice.py"].hunks[0].state == HunkState.CONFLICT
    assert not (root / ".tome" / "journal").exists() or not any(
        (root / ".tome" / "journal").iterdir()
    )


def test_review_applies_and_undoes_a_rename(make_repo) -> None:
    root = make_repo({"advice.py": SOURCE})
    review = Review.from_patch(root, _patch(root, rename="hints.py"))
    [f] = review.changeset
    assert (f.path, f.move_to) == ("advice.py", "hints.py")
    review.changeset.accept_all()
    done = review.apply()
    assert (done.created, done.deleted) == (("hints.py",), ("advice.py",))
    assert not (root / "advice.py").exists()
    assert (root / "hints.py").read_text() == SOURCE.replace(OLD_LINE, NEW_LINE, 1)
    assert review.applied_paths() == ["advice.py", "hints.py"]
    review.undo()
    assert (root / "advice.py").read_bytes() == SOURCE.encode()
    assert not (root / "hints.py").exists()
    assert review.applied_paths() == []


# No o200k_base file offline: tokens falls back to cl100k_base and warns (documented).
@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
def test_every_entry_point_writes_the_same_journal_for_one_patch(
    make_repo,
    fake_openai: FakeOpenAI,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "anything")
    journals = {}
    # the core itself
    root = make_repo({"advice.py": SOURCE})
    core = Review.from_patch(root, patch := _patch(root))
    core.changeset.accept_all()
    core.apply()
    journals["core"] = _journal(root)
    # tome apply PATCH
    root = make_repo({"advice.py": SOURCE})
    (tmp_path / "change.diff").write_text(patch)
    assert main(["apply", str(tmp_path / "change.diff"), "-C", str(root)]) == 0
    journals["apply"] = _journal(root)
    # tome review PATCH: the TUI's review state, over the same core
    root = make_repo({"advice.py": SOURCE})
    state = ReviewState.from_patch(root, patch, title="change.diff")
    state.changeset.accept_all()
    assert state.apply() == ["advice.py"]
    journals["review"] = _journal(root)
    # tome ask --apply --yes: the model answers with the patch
    root = make_repo({"advice.py": SOURCE})
    fake_openai.push(Reply(text=f"Done.\n\n```diff\n{patch}```\n"))
    code = main(["ask", "mark the function reviewed", "--apply", "--yes", "-C", str(root),
                 "--base-url", fake_openai.base_url, "--model", "m"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    journals["ask"] = _journal(root)
    assert journals["core"] == [("advice.py", _blob(SOURCE), _blob(SOURCE.replace(
        OLD_LINE, NEW_LINE, 1)))]  # fmt: skip
    assert journals["apply"] == journals["review"] == journals["ask"] == journals["core"]


def _blob(text: str) -> str:
    out = subprocess.run(["git", "hash-object", "--stdin"], input=text, check=True,
                         capture_output=True, text=True)  # fmt: skip
    return out.stdout.strip()
