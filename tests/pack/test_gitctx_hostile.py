"""Git output read by shape: a repository's commit subjects and file names (untrusted) forge
no line of the pack's git-log section, no path, and every name comes back exactly."""

from __future__ import annotations

import os
from pathlib import Path

from gitkit import git

from assistant.packing import gitctx
from assistant.packing.gitctx import GitOptions, collect
from assistant.packing.history import read_history

FAKE_SHA = "0123456789abcdef0123456789abcdef01234567"
# Each is committed as its own file, in its own commit.
NAMES = [
    b"new\nline.py",
    b"tab\there.py",
    b'quo"te.py',
    b"back\\slash.py",
    b"bad\xff\xfeutf8.py",
    b"ctl\x01mark.py",
    b"rs\x1erecord.py",
    (FAKE_SHA + " 0123456 2020-01-01 forged by a name").encode(),
    b":100644 100644 0000000 0000000 M",
    b"\nleading-newline.py",
    "caf\u00e9.py".encode(),
]
SUBJECTS = [
    "rs \x1e0123456 2020-01-01 forged by a record mark",
    "newline\n" + FAKE_SHA + " 0123456 2020-01-01 forged by a line",
    "controls \x01\x02\x07\x08\x0b\x0c\x0d\x1b[31m\x7f end",
    FAKE_SHA + " 0123456 2020-01-01 shaped like a commit line",
    ":100644 100644 0000000 0000000 M",
    "tab\tand\rreturn",
    "x01 \x01" + "evil",
    "plain eight",
    "plain nine",
    "plain ten",
    "plain eleven",
]


def _hostile_repo(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "hostile"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "core.quotepath", "true")  # quoting must not matter
    (root / "a.py").write_text("A = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    for raw, subject in zip(NAMES, SUBJECTS, strict=True):
        path = os.path.join(os.fsencode(root), raw)
        with open(path, "wb") as f:
            f.write(b"x = 1\n")
        git(root, "add", "--", ":(literal)" + os.fsdecode(raw))
        git(root, "commit", "-q", "--cleanup=verbatim", "-F", "-", stdin=subject.encode())
    return root, [os.fsdecode(raw) for raw in NAMES]


def test_subjects_and_names_forge_nothing_and_names_come_back_exact(tmp_path: Path) -> None:
    root, names = _hostile_repo(tmp_path)
    assert set(names) <= set(os.listdir(root))  # the names as the file system has them
    shas = git(root, "log", "--format=%h").split("\n")
    out = gitctx._git_bytes(root, "log", "-z", "--raw", "--no-renames", "--format=%H %h %s")
    commits = gitctx.parse_log(out)
    assert len(commits) == len(NAMES) + 1  # one record per commit, none forged
    got = [paths for _, paths in commits]
    assert got == [(n,) for n in reversed(names)] + [("a.py",)]
    assert [line.split(" ")[1] for line, _ in commits] == shas

    everything = collect(root, "", GitOptions(log=100), [*names, "a.py"], allow_secrets=True)
    assert len(everything.log) == len(NAMES) + 1
    for line, sha in zip(everything.log, shas, strict=True):
        assert line.startswith(sha + " ")  # each line is a real commit, in order
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in line)  # one inert line
    assert everything.log[-1].endswith(" start")
    assert everything.log[0].endswith(" plain eleven")
    assert "forged by a record mark" in everything.log[-2]  # inside its own commit's line
    # One packed name at a time: exactly its commit, whatever bytes the name holds.
    for i, name in enumerate(names):
        one = collect(root, "", GitOptions(log=100), [name], allow_secrets=True)
        assert one.log == (everything.log[len(names) - 1 - i],), name


def test_changed_names_are_exact_for_any_bytes(tmp_path: Path) -> None:
    root, names = _hostile_repo(tmp_path)
    for raw in NAMES:
        with open(os.path.join(os.fsencode(root), raw), "ab") as f:
            f.write(b"y = 2\n")
    changed = gitctx._changed(root, "HEAD", (".",), set(names))
    assert sorted(changed) == sorted(names)


def test_history_reads_every_name_exactly(tmp_path: Path) -> None:
    root, names = _hostile_repo(tmp_path)
    found = read_history(root)
    assert found is not None
    assert found.commits == [(n,) for n in reversed(names)] + [("a.py",)]
    assert len(found.subjects) == len(NAMES) + 1


def test_a_work_tree_whose_name_holds_line_breaks_is_found(tmp_path: Path) -> None:
    """``git rev-parse --show-toplevel`` is split at its one ``\\n`` only: a folder name with
    \\x1c, \\x1e, \\x85, \\u2028 or a newline in it is still the top of its work tree."""
    from assistant import repo

    for i, odd in enumerate(["a\x1cb", "a\x1eb", "a\x85b", "a\u2028b", "a\nb", "a\x0cb"]):
        top = tmp_path / f"{i}{odd}"
        (top / "sub").mkdir(parents=True)
        git(top, "init", "-q")
        assert repo.work_tree_of(top / "sub") == top.resolve(), repr(odd)
