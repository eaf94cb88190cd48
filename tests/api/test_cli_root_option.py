"""``-C/--root`` is one option on every command and on the bare ``tome``; ``--path`` (its old
name in ``ask`` and ``models``) still works for one release, hidden from the help."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from assistant.cli import COMMANDS, build_parser, main

# `trust PATH` names a config file, not the folder a command works in
FOLDER_COMMANDS = sorted(set(COMMANDS) - {"trust"})


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:  # argparse has no public accessor for its subparsers
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


@pytest.mark.parametrize("command", FOLDER_COMMANDS)
def test_every_command_spells_the_folder_option_the_same(command: str) -> None:
    sub = _subparsers(build_parser())[command]
    options = {o: a.dest for a in sub._actions for o in a.option_strings}
    assert options.get("-C") == "root" and options.get("--root") == "root", options
    assert "--path" not in sub.format_help()  # the old spelling is hidden


def test_the_bare_command_has_it_too() -> None:
    parser = build_parser(only="")
    assert parser.parse_args(["-C", "somewhere"]).root == Path("somewhere")
    assert parser.parse_args([]).root is None


def test_a_root_before_the_command_is_not_overwritten_by_its_default(make_repo) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    args = build_parser(only="history").parse_args(["-C", str(root), "history"])
    assert args.root == root


def test_bare_tome_with_a_root_opens_the_tui_there(
    make_repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.app

    root = make_repo({"pkg/a.py": "x = 1\n"})
    opened: list[object] = []
    monkeypatch.setattr(tui.app, "run", lambda where=None, **_: opened.append(where) or 0)
    monkeypatch.setattr("assistant.cli._ui.not_terminals", lambda: [])  # as in a terminal
    assert main(["-C", str(root / "pkg")]) == 0
    assert opened == [root / "pkg"]


def test_pack_takes_the_folder_as_c_or_as_path_but_not_two(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"pkg/a.py": "def f():\n    return 1\n", "b.py": "y = 2\n"})
    assert main(["pack", "-C", str(root / "pkg"), "-o", "-"]) == 0
    by_option = capsys.readouterr().out
    assert main(["pack", str(root / "pkg"), "-o", "-"]) == 0
    assert capsys.readouterr().out == by_option and 'path="a.py"' in by_option
    assert "b.py" not in by_option
    assert main(["pack", str(root), "-C", str(root / "pkg"), "-o", "-"]) == 1
    assert "give the folder once" in capsys.readouterr().err


def test_the_old_path_spelling_still_works_and_says_so(
    make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    (root / ".tome.toml").write_text('backend = "gpt-4.1"\n')  # read only from that folder
    assert main(["models", "--json", "--root", str(root)]) == 0
    new = capsys.readouterr()
    assert main(["models", "--json", "--path", str(root)]) == 0
    old = capsys.readouterr()
    assert old.out == new.out and "--path is now -C/--root" in old.err
    assert "--path" not in new.err
    rows = [json.loads(line) for line in new.out.splitlines() if line.strip()]
    assert [r["name"] for r in rows if r["default"]] == ["gpt-4.1"], new.out
