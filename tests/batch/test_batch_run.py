"""tome batch against the real fake server: direct, resume, Ctrl-C, a 429 storm, --json,
the shared prefix, the affinity key and the history."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import git
import pytest
from batchkit import FILES, GREET, RENAME, Run, json_lines, tasks_file
from fakeopenai import FakeOpenAI, Reply

from assistant.batch import Batch, Pacer, parse_tasks
from assistant.config import load_settings
from assistant.history import History
from assistant.model import resolve_backend
from assistant.session import Assistant

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

TASKS = [
    {"id": "rename", "task": "rename greet to welcome", "paths": ["greet.py"]},
    "explain count",
    {"id": "third", "task": "tidy the readme"},
]


def test_each_task_is_a_session_and_nothing_is_applied(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    fake_openai.default = Reply(text=RENAME)
    code, out, err = run_batch(root, str(tasks_file(tmp_path, TASKS)), "--json")
    assert code == 0, err
    lines = json_lines(out)
    assert [x["id"] for x in lines] == ["rename", "task-2", "third"]
    assert {x["status"] for x in lines} == {"answered"}
    assert all(set(x) >= {"id", "session_id", "status", "usage"} for x in lines)
    assert all(x["usage"]["prompt_tokens"] > 0 for x in lines)  # type: ignore[index]
    assert len(fake_openai.requests) == 3
    assert (root / "greet.py").read_text() == GREET  # nothing applied by default
    history = History(root)
    for x in lines:
        result = history.load(int(x["session_id"]))  # type: ignore[arg-type]
        assert result.changeset["greet.py"].hunks  # reviewable: tome review --session ID
    listed = {s.session_id: s.batch for s in history.sessions()}
    batch = err.split("tome: batch ")[1].split(":")[0]
    assert sorted(listed.values()) == sorted(f"{batch}/{x['id']}" for x in lines)
    assert "shared prefix" in err and "packed once" in err
    assert "task " in err and "status" in err  # the summary table


def test_every_request_starts_with_the_same_bytes(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    code, _, err = run_batch(root, str(tasks_file(tmp_path, TASKS)))
    assert code == 0, err
    systems = {r.messages[0]["content"] for r in fake_openai.requests}
    users = [r.messages[1]["content"] for r in fake_openai.requests]
    assert len(systems) == 1
    shared = {u[: u.index("<task>")] for u in users}
    assert len(shared) == 1  # everything before the task is byte-identical
    assert all(u.endswith("</task>\n") for u in users)


def test_running_the_same_batch_again_resumes(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    tasks = tasks_file(tmp_path, TASKS)
    assert run_batch(root, str(tasks), "--name", "nightly")[0] == 0
    assert len(fake_openai.requests) == 3
    code, out, _ = run_batch(root, str(tasks), "--name", "nightly", "--json")
    assert code == 0 and len(fake_openai.requests) == 3  # nothing sent again
    assert {x["status"] for x in json_lines(out)} == {"resumed"}
    changed = [TASKS[0], "explain count differently", TASKS[2]]
    code, out, _ = run_batch(
        root, str(tasks_file(tmp_path, changed)), "--name", "nightly", "--json"
    )
    assert code == 0 and len(fake_openai.requests) == 4  # the changed task only
    assert [x["status"] for x in json_lines(out)] == ["resumed", "answered", "resumed"]


def _batch(root: Path, base_url: str, lines: list[object], tmp_path: Path) -> Batch:
    settings = load_settings(project=root)
    backend = resolve_backend(settings, base_url=base_url, model="fake-model")
    tasks = parse_tasks(tasks_file(tmp_path, lines).read_text(), base=root)
    return Batch.open(
        "b1", tasks, root, lambda f: Assistant.open(f, backend=backend, settings=settings)
    )


def test_ctrl_c_keeps_finished_sessions_and_a_rerun_sends_the_rest(
    make_repo, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    lines: list[object] = [f"task number {n}" for n in range(6)]
    fake_openai.push(Reply(text="ok"))  # the first answer is quick, the others take a while
    fake_openai.default = Reply(text="slow answer " * 40, first_byte_delay=0.5, chunk_chars=4)
    batch = _batch(root, fake_openai.base_url, lines, tmp_path)
    seen: list[str] = []

    def interrupt(outcome) -> None:  # type: ignore[no-untyped-def]
        seen.append(outcome.status)
        raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(KeyboardInterrupt):
        batch.run_direct(concurrency=2, cancel=threading.Event(), on_done=interrupt)
    sent = len(fake_openai.requests)
    assert seen == ["answered"] and sent < 6
    rows = History(root).store.batch_sessions("b1")
    answered = [r for r in rows if r["status"] == "answered"]
    assert answered and {r["status"] for r in rows} <= {"answered", "cancelled"}
    fake_openai.default = Reply(text="ok")
    again = _batch(root, fake_openai.base_url, lines, tmp_path)
    outcomes = again.run_direct(concurrency=2, cancel=threading.Event())
    assert len(fake_openai.requests) - sent == 6 - len(answered)
    assert sorted(o.status for o in outcomes) == sorted(
        ["resumed"] * len(answered) + ["answered"] * (6 - len(answered))
    )


def test_a_429_storm_slows_every_request(
    make_repo, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    storm = Reply(status=429, error="rate limited", headers=(("Retry-After", "0.05"),))
    fake_openai.push(*[storm] * 6)
    batch = _batch(root, fake_openai.base_url, [f"task {n}" for n in range(8)], tmp_path)
    pacer = Pacer(4)
    outcomes = batch.run_direct(concurrency=4, cancel=threading.Event(), pacer=pacer)
    assert [o.status for o in outcomes] == ["answered"] * 8
    assert len(fake_openai.requests) == 8 + 6
    assert pacer.pauses >= 1  # every 429 paused the whole batch
    assert pacer.peak <= 4 and pacer.limit <= 4


@pytest.mark.parametrize("where", ["user", "prompt_cache_key", "header:x-tome-prefix"])
def test_requests_sharing_a_prefix_carry_one_affinity_key(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path, where: str
) -> None:
    config = Path(os.environ["TOME_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f'[backends.openai-compatible]\naffinity = "{where}"\n')
    root = make_repo(FILES)
    assert run_batch(root, str(tasks_file(tmp_path, TASKS)))[0] == 0
    if where.startswith("header:"):
        keys = {r.headers.get("x-tome-prefix") for r in fake_openai.requests}
    else:
        keys = {r.body.get(where) for r in fake_openai.requests}
    assert len(keys) == 1 and str(next(iter(keys))).startswith("tome-")
    other = make_repo({"x.py": "X = 1\n"})  # another repository: another prefix, another key
    assert run_batch(other, str(tasks_file(tmp_path, ["t"], "other.jsonl")))[0] == 0
    last = fake_openai.requests[-1]
    assert (
        last.headers.get("x-tome-prefix") if where.startswith("header:") else last.body.get(where)
    ) not in keys


def test_hostile_tasks_send_nothing(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    hostile = ["fine", {"task": "x", "repo": "/etc"}, {"task": "y", "paths": ["../../etc/passwd"]}]
    code, _, err = run_batch(root, str(tasks_file(tmp_path, hostile)))
    assert code == 1 and fake_openai.requests == []
    assert "line 2" in err and "line 3" in err and "nothing was sent" in err


def test_a_failed_task_is_reported_and_the_rest_go_on(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    fake_openai.push(Reply(status=400, error="bad request"))
    code, out, err = run_batch(
        root, str(tasks_file(tmp_path, ["one"])), "--json", "--concurrency", "1"
    )
    assert code == 1
    assert json_lines(out)[0]["status"] == "failed" and "400" in err
    assert git.Repo(root).is_dirty() is False


def test_a_cut_pack_keeps_its_shared_part_first_and_each_task_its_own_files(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    config = Path(os.environ["TOME_HOME"]) / "config" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[backends.openai-compatible]\nwindow = 40000\nmax_output = 1000\n")
    body = "\n".join(f"def f{k}(x):\n    return x * {k}  # {'pad ' * 20}\n" for k in range(40))
    root = make_repo({f"mod{i}.py": body.replace("def f", f"def m{i}_f") for i in range(40)})
    tasks = [
        {"id": "a", "task": "fix m7_f3", "paths": ["mod7.py"]},
        {"id": "b", "task": "change m33_f2 in mod33", "paths": ["mod33.py"]},
    ]
    code, _, err = run_batch(root, str(tasks_file(tmp_path, tasks)), "--concurrency", "1")
    assert code == 0, err
    assert "cut to fit" in err
    users = {r.messages[1]["content"][-200:].split("<task>")[-1]: r.messages[1]["content"]
             for r in fake_openai.requests}  # fmt: skip
    a = next(u for k, u in users.items() if "m7_f3" in k)
    b = next(u for k, u in users.items() if "m33_f2" in k)
    shared = a[: a.index("</repository>") + len("</repository>\n")]
    assert b.startswith(shared)  # the shared part first, byte for byte
    assert '<file path="mod7.py"' not in shared and '<file path="mod33.py"' not in shared
    assert '<file path="mod7.py"' in a[len(shared) :] and '<file path="mod33.py"' not in a
    assert '<file path="mod33.py"' in b[len(shared) :]


def test_tasks_from_stdin_and_the_batch_in_tome_history(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    import io

    from assistant.cli import main

    root = make_repo(FILES)
    monkeypatch.setattr("sys.stdin", io.StringIO('{"id": "s1", "task": "from stdin"}\n'))
    code, _, err = run_batch(root, "-", "--name", "piped")
    assert code == 0, err
    assert fake_openai.requests[0].messages[1]["content"].endswith("from stdin\n</task>\n")
    capsys.readouterr()
    assert main(["history", "-C", str(root)]) == 0
    assert "[piped/s1] from stdin" in capsys.readouterr().out
