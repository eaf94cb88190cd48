"""tome batch --via openai-batch and --via jsonl / --import, and --apply-to-branches."""

from __future__ import annotations

import json
import os
from pathlib import Path

import git
import pytest
from batchkit import FILES, GREET, RENAME, Run, json_lines, tasks_file
from fakeopenai import FakeOpenAI, Reply

from assistant.history import History
from assistant.model import Prices, cost

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")

TASKS = [{"id": "rename", "task": "rename greet to welcome"}, {"id": "count", "task": "explain"}]


def test_openai_batch_uploads_creates_waits_and_imports_at_half_price(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    root = make_repo(FILES)
    fake_openai.default = Reply(text=RENAME, usage_style="openai")
    code, out, err = run_batch(root, str(tasks_file(tmp_path, TASKS)), "--via", "openai-batch",
                               "--backend", "gpt-4.1", "--wait", "--poll", "0.01", "--json")  # fmt: skip
    assert code == 0, err
    state = fake_openai.batches
    ((file_id, purpose),) = state.purposes.items()
    assert purpose == "batch"
    (created,) = state.created
    assert created["endpoint"] == "/v1/chat/completions" and created["completion_window"] == "24h"
    uploaded = [json.loads(x) for x in state.files[file_id].decode().splitlines()]
    assert [x["custom_id"].split(":")[1] for x in uploaded] == ["rename", "count"]
    assert all(x["url"] == "/v1/chat/completions" and "stream" not in x["body"] for x in uploaded)
    assert out.splitlines()[0] == "batch_1"  # its id, printed
    lines = json_lines(out)
    assert [x["status"] for x in lines] == ["answered", "answered"]
    history = History(root)
    result = history.load(int(lines[0]["session_id"]))  # type: ignore[arg-type]
    assert result.changeset["greet.py"].hunks
    assert (root / "greet.py").read_text() == GREET
    u = result.usage
    assert u is not None
    full = cost(u, Prices(cache_hit=0.5, cache_miss=2.0, output=8.0))
    assert result.cost == pytest.approx(full * 0.5)  # the Batch API's price


def test_status_and_collect_later(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    root = make_repo(FILES)
    tasks = str(tasks_file(tmp_path, TASKS))
    code, out, _ = run_batch(root, tasks, "--via", "openai-batch", "--backend", "gpt-4.1")
    assert code == 0
    remote = out.splitlines()[0]
    assert {
        r["status"]
        for r in History(root).store.batch_sessions(History(root).store.batch(remote)["id"])
    } == {"queued"}  # type: ignore[index]
    code, out, _ = run_batch(root, "--status", remote, "--backend", "gpt-4.1")
    assert code == 0 and "in_progress" in out
    code, out, _ = run_batch(
        root, "--collect", remote, "--backend", "gpt-4.1", "--poll", "0.01", "--json"
    )
    assert code == 0
    assert [x["status"] for x in json_lines(out)] == ["answered", "answered"]
    # a second collect records nothing twice; the same batch run again sends nothing
    code, out, _ = run_batch(root, "--collect", remote, "--backend", "gpt-4.1", "--poll", "0.01")
    assert code == 0
    assert len(History(root).sessions()) == 2
    code, out, _ = run_batch(root, tasks, "--via", "openai-batch", "--backend", "gpt-4.1")
    assert "every task is answered already" in _ and len(fake_openai.batches.created) == 1


def _vllm_output(requests: list[dict[str, object]], text: str) -> str:
    """What ``vllm run-batch -o`` writes: BatchRequestOutput lines."""
    out = []
    for n, r in enumerate(requests):
        body = {
            "id": f"chatcmpl-{n}",
            "object": "chat.completion",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
        }
        out.append({"id": f"vllm-{n}", "custom_id": r["custom_id"],
                    "response": {"status_code": 200, "request_id": f"vllm-batch-{n}", "body": body},
                    "error": None})  # fmt: skip
    return "\n".join(json.dumps(x) for x in out) + "\n"


def test_jsonl_for_vllm_run_batch_and_import(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    target = tmp_path / "in.jsonl"
    code, _, err = run_batch(
        root, str(tasks_file(tmp_path, TASKS)), "--via", "jsonl", "--output", str(target)
    )
    assert code == 0 and "vllm run-batch -i" in err
    assert fake_openai.requests == []  # nothing sent: an offline engine runs it
    requests = [json.loads(x) for x in target.read_text().splitlines()]
    assert [r["method"] for r in requests] == ["POST", "POST"]
    first, second = (r["body"]["messages"][1]["content"] for r in requests)  # type: ignore[index]
    assert first[: first.index("<task>")] == second[: second.index("<task>")]
    produced = tmp_path / "out.jsonl"
    produced.write_text(_vllm_output(requests, RENAME))
    code, out, err = run_batch(root, "--import", str(produced), "--json")
    assert code == 0, err
    lines = json_lines(out)
    assert [x["status"] for x in lines] == ["answered", "answered"]
    assert lines[0]["usage"]["prompt_tokens"] == 100  # type: ignore[index]
    assert History(root).load(int(lines[0]["session_id"])).changeset["greet.py"].hunks  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["not json\n", '{"custom_id": 3}\n', "[]\n"])
def test_import_refuses_what_is_not_batch_output(
    make_repo, run_batch: Run, tmp_path: Path, bad: str
) -> None:
    root = make_repo(FILES)
    produced = tmp_path / "out.jsonl"
    produced.write_text(bad)
    code, _, err = run_batch(root, "--import", str(produced))
    assert code == 1 and "not the output of a tome batch" in err


def test_an_error_line_fails_its_task_only(make_repo, run_batch: Run, tmp_path: Path) -> None:
    root = make_repo(FILES)
    target = tmp_path / "in.jsonl"
    assert (
        run_batch(
            root, str(tasks_file(tmp_path, TASKS)), "--via", "jsonl", "--output", str(target)
        )[0]
        == 0
    )
    requests = [json.loads(x) for x in target.read_text().splitlines()]
    good = _vllm_output(requests[:1], "fine")
    bad = json.dumps({"id": "x", "custom_id": requests[1]["custom_id"], "response": None,
                      "error": {"message": "engine died"}})  # fmt: skip
    produced = tmp_path / "out.jsonl"
    produced.write_text(good + bad + "\n")
    code, out, err = run_batch(root, "--import", str(produced), "--json")
    assert code == 1
    assert [x["status"] for x in json_lines(out)] == ["answered", "failed"]
    assert "engine died" in err


def test_apply_to_branches_commits_each_task_apart(
    make_repo, run_batch: Run, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(FILES)
    config_edit = '.tome.toml\n```toml\n<<<<<<< SEARCH\n=======\nbase_url = "http://evil"\n>>>>>>> REPLACE\n```\n'
    escape = "../outside.py\n```python\n<<<<<<< SEARCH\n=======\nx = 1\n>>>>>>> REPLACE\n```\n"
    fake_openai.push(Reply(text=RENAME), Reply(text=config_edit), Reply(text=escape))
    tasks = [
        {"id": "fix/greet", "task": "rename"},
        {"id": "cfg", "task": "c"},
        {"id": "out", "task": "o"},
    ]
    _, out, err = run_batch(root, str(tasks_file(tmp_path, tasks)), "--name", "n1",
                               "--apply-to-branches", "--concurrency", "1", "--json")  # fmt: skip
    repo = git.Repo(root)
    assert repo.active_branch.name == "main" and not repo.is_dirty(untracked_files=False)
    assert (root / "greet.py").read_text() == GREET
    branches = sorted(h.name for h in repo.heads)
    assert branches == ["main", "tome/n1/fix-greet"]
    commit = repo.heads["tome/n1/fix-greet"].commit
    assert "def welcome" in (commit.tree / "greet.py").data_stream.read().decode()
    assert commit.parents[0] == repo.heads["main"].commit
    assert "Tome-Batch: n1/fix-greet" in commit.message
    assert "allow-config-edits" in err  # the config edit is refused, as tome ask --yes does
    assert not (tmp_path / "outside.py").exists()
    assert next(line.get("branch") for line in json_lines(out)) == "committed to tome/n1/fix-greet"
    assert repo.git.worktree("list").count("\n") == 0  # the temporary worktrees are gone
    assert not os.path.exists(root / ".." / "outside.py")
