"""``tome ask --diff`` prints the diff the edits make to the files: before applying with
``--apply --yes`` (a script's log shows what was written), after ``--print`` (nothing is
written); on stderr, so stdout keeps only the answer. ``--apply`` without ``--yes`` shows
it once, before the y/N prompt."""

from __future__ import annotations

import io

import pytest
from fakeopenai import FakeOpenAI, Reply
from sessiondata import APP, RENAME, REPO

from assistant.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

HUNK = "+++ b/app.py\n@@ -1,6 +1,6 @@\n-def greet(name):\n+def welcome(name):\n"


def _ask(fake: FakeOpenAI, root: object, *extra: str) -> int:
    return main(["ask", "rename greet", "-C", str(root), "--base-url", fake.base_url,
                 "--model", "m", *extra])  # fmt: skip


def test_apply_yes_diff_prints_the_diff_then_applies(
    fake_openai: FakeOpenAI, make_repo, capsys
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assert _ask(fake_openai, root, "--apply", "--yes", "--diff") == 0
    out, err = capsys.readouterr()
    assert HUNK in err and "+def add(a: int, b: int) -> int:" in err
    assert err.index(HUNK) < err.index("tome: changed 2 files")  # before it is written
    assert "--- a/app.py" not in out  # stdout keeps only the answer
    assert (root / "app.py").read_text() == APP.replace("greet", "welcome")


def test_apply_yes_without_diff_prints_none(fake_openai: FakeOpenAI, make_repo, capsys) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assert _ask(fake_openai, root, "--apply", "--yes") == 0
    assert "--- a/app.py" not in capsys.readouterr().err


def test_print_diff_shows_it_and_writes_nothing(fake_openai: FakeOpenAI, make_repo, capsys) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    assert _ask(fake_openai, root, "--diff") == 0
    out, err = capsys.readouterr()
    assert HUNK in err and "<<<<<<< SEARCH" in out
    assert (root / "app.py").read_text() == APP


def test_apply_diff_without_yes_shows_it_once_before_asking(
    fake_openai: FakeOpenAI, make_repo, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=RENAME))
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))
    assert _ask(fake_openai, root, "--apply", "--diff") == 0
    err = capsys.readouterr().err
    assert err.count(HUNK) == 1 and err.index(HUNK) < err.index("Apply these changes? [y/N]")
    assert (root / "app.py").read_text() == APP.replace("greet", "welcome")


def test_diff_with_review_is_refused(fake_openai: FakeOpenAI, make_repo, capsys) -> None:
    root = make_repo(REPO)
    assert _ask(fake_openai, root, "--review", "--diff") == 2
    assert "--diff goes with --apply or --print" in capsys.readouterr().err
    assert fake_openai.requests == []  # refused before anything was sent
