"""The TASKS file is untrusted: every line is checked before anything is sent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from batchkit import FILES

from assistant.batch import TasksError, parse_tasks, safe_id
from assistant.errors import ConfigError


def test_json_and_plain_lines_become_tasks(make_repo) -> None:
    root = make_repo(FILES)
    text = '{"id": "r1", "task": "rename greet", "paths": ["greet.py"]}\n\ncount the items\n'
    tasks = parse_tasks(text, base=root)
    assert [(t.id, t.task, t.paths, t.line) for t in tasks] == [
        ("r1", "rename greet", ("greet.py",), 1),
        ("task-3", "count the items", (), 3),
    ]
    assert all(t.repo == root.resolve() for t in tasks)


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ('{"task": "x", "repo": "/etc"}', "not relative"),
        ('{"task": "x", "repo": "../.."}', "climbs out"),
        ('{"task": "x", "repo": "~/x"}', "not relative"),
        ('{"task": "x", "repo": "nope"}', "not a folder"),
        ('{"task": "x", "paths": ["../outside.py"]}', "path '../outside.py'"),
        ('{"task": "x", "paths": ["/etc/passwd"]}', "path '/etc/passwd'"),
        ('{"task": "x", "paths": [".git/config"]}', "path '.git/config'"),
        ('{"task": "x", "paths": ["missing.py"]}', "not a file"),
        ('{"task": "x", "paths": "greet.py"}', "must be a list"),
        ('{"task": "x", "extra": 1}', "unknown key 'extra'"),
        ('{"task": ""}', "the task is empty"),
        ('{"id": "x"}', 'needs "task"'),
        ('{"task": 3}', 'needs "task"'),
        ('{"task": "x", "id": "../.."}', "no letters or digits"),
        ('{"task": "x", "id": true}', '"id" must be a string'),
        ("{not json", "not valid JSON"),
        ("[1, 2]", None),  # a plain text task: does not start with '{'
        ('"just a string"', None),
    ],
)
def test_hostile_lines_are_refused_with_their_line_number(
    make_repo, line: str, said: str | None
) -> None:
    root = make_repo(FILES)
    if said is None:
        assert parse_tasks(line, base=root)[0].task == line
        return
    with pytest.raises(TasksError) as caught:
        parse_tasks(f"fine task\n{line}\n", base=root)
    assert caught.value.problems[0].startswith("line 2: ")
    assert said in caught.value.problems[0]
    assert "nothing was sent" in str(caught.value)


def test_a_symlinked_repo_or_path_out_of_the_base_is_refused(make_repo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    outside = make_repo({"secret.py": "KEY = 1\n"}, name="outside")
    os.symlink(outside, root / "elsewhere")
    os.symlink(outside / "secret.py", root / "leak.py")
    with pytest.raises(TasksError) as caught:
        parse_tasks(
            '{"task": "x", "repo": "elsewhere"}\n{"task": "y", "paths": ["leak.py"]}\n', base=root
        )
    first, second = caught.value.problems
    assert first.startswith("line 1:") and "leads out of" in first
    assert second.startswith("line 2:") and "leads out of the repository" in second


def test_every_bad_line_is_listed_and_duplicate_ids_refused(make_repo) -> None:
    root = make_repo(FILES)
    lines = ['{"id": "same", "task": "a"}', '{"id": "same", "task": "b"}', '{"task": ""}']
    with pytest.raises(TasksError) as caught:
        parse_tasks("\n".join(lines), base=root)
    assert [p.split(":")[0] for p in caught.value.problems] == ["line 2", "line 3"]
    assert "also the id of line 1" in caught.value.problems[0]


def test_an_empty_file_says_so(make_repo) -> None:
    with pytest.raises(ConfigError, match="no tasks"):
        parse_tasks("\n\n", base=make_repo(FILES))


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("fix/login bug", "fix-login-bug"),
        ("../../etc", "etc"),
        ("-rf", "rf"),
        ("a..b", "a.b"),
        ("topic.lock", "topic"),
        ("@{upstream}", "upstream"),
        ("x" * 100, "x" * 48),
        ("ünïcode", "n-code"),
        ("...", ""),
    ],
)
def test_ids_are_cut_to_a_safe_branch_component(raw: str, safe: str) -> None:
    assert safe_id(raw) == safe


def test_ids_are_safe_in_a_real_branch_name(make_repo) -> None:
    import subprocess

    root = make_repo(FILES)
    hostile = [
        "fix/login bug",
        "../../etc",
        "-rf",
        "a..b",
        "topic.lock",
        "@{u}",
        "a~1^2:b?*[",
        "ünïcode",
    ]
    lines = [json.dumps({"id": h, "task": "t"}) for h in hostile]
    for t in parse_tasks("\n".join(lines), base=root):
        name = f"tome/b1/{t.id}"
        ok = subprocess.run(["git", "check-ref-format", "--branch", name], cwd=root,
                            capture_output=True)  # fmt: skip
        assert ok.returncode == 0, name
