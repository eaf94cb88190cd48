"""``tome mcp`` end to end: the official SDK's client (``mcp.client.stdio``) spawns
``python3 -m assistant mcp`` as a real subprocess and speaks the real protocol to it.

The repository under ``root`` and the edits are untrusted: a path out of the repository, a
committed symlink out of it, a hunk that does not place and a CI edit are each a tool error
(``isError``) that says why, with nothing written; a root that is not a repository is one too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from greetkit import APP, MISSING, RENAME
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.types import CallToolResult, TextContent

TOP = Path(__file__).resolve().parents[2]
Call = Callable[..., Awaitable[CallToolResult]]


def _serve(scenario: Callable[[ClientSession], Awaitable[None]], *extra: str) -> None:
    """Run ``scenario`` against a fresh ``tome mcp`` subprocess (this worktree's code)."""
    env = {**os.environ, "PYTHONPATH": str(TOP)}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "assistant", "mcp", *extra], env=env
    )

    async def main() -> None:
        with open(os.devnull, "w") as quiet:  # the server's own log lines (stderr)
            async with (
                stdio_client(params, errlog=quiet) as (read, write),
                ClientSession(read, write) as session,
            ):
                await session.initialize()
                await scenario(session)

    anyio.run(main)


def _texts(result: CallToolResult) -> list[str]:
    return [c.text for c in result.content if isinstance(c, TextContent)]


def _ok(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, _texts(result)
    report: dict[str, Any] = json.loads(_texts(result)[0])
    return report


def _refused(result: CallToolResult) -> str:
    assert result.is_error, _texts(result)
    return " ".join(_texts(result))


def test_the_five_tools_take_the_argument_names_of_the_issue() -> None:
    seen: dict[str, list[str]] = {}

    async def scenario(s: ClientSession) -> None:
        for tool in (await s.list_tools()).tools:
            seen[tool.name] = sorted(tool.input_schema["properties"])

    _serve(scenario)
    assert seen == {
        "pack": ["budget", "encoding", "root", "task"],
        "rank_files": ["limit", "root", "task"],
        "apply_edits": ["check", "edits", "root"],
        "undo": ["root"],
        "history": ["limit", "root"],
    }


def test_pack_returns_the_text_with_token_counts_and_tiers(make_repo) -> None:
    root = make_repo({"app.py": APP, "notes/todo.md": "# todo\n- rename greet\n"})
    got: list[CallToolResult] = []

    async def scenario(s: ClientSession) -> None:
        got.append(await s.call_tool("pack", {"root": str(root), "task": "rename greet"}))
        got.append(await s.call_tool("pack", {"root": str(root / "notes"), "budget": 10}))

    _serve(scenario)
    whole, tiny = got
    report = _ok(whole)
    text = _texts(whole)[1]  # the pack itself, as its own block
    assert report["root"] == str(root) and report["tiers"]["full"] == 2
    assert report["tokens"] > 0 and report["output"] is None
    assert {f["path"]: f["tier"] for f in report["packed_files"]} == {
        "app.py": "full",
        "notes/todo.md": "full",
    }
    assert "def greet(name):" in text and '<file path="app.py"' in text
    assert "budget" in _refused(tiny)  # 10 tokens cannot hold even the header


BIG = "".join(f"def step_{i}(value):\n    return value * {i} + {i * 7}\n\n" for i in range(2500))


def test_a_pack_too_big_to_return_is_written_to_a_file(make_repo, tmp_path: Path) -> None:
    root = make_repo({"big.py": BIG})
    outside = tmp_path / "outside"
    outside.mkdir()
    planted = make_repo({"big.py": BIG}, name="planted")
    (planted / ".tome").symlink_to(outside)  # hostile: the state folder is a link out
    got: list[CallToolResult] = []

    async def scenario(s: ClientSession) -> None:
        got.append(await s.call_tool("pack", {"root": str(root)}))
        got.append(await s.call_tool("pack", {"root": str(planted)}))

    _serve(scenario)
    report = _ok(got[0])
    assert report["tokens"] > 20_000 and len(_texts(got[0])) == 1
    out = Path(report["output"])
    assert out == root / ".tome" / "pack.xml" and "def step_2499(value):" in out.read_text()
    assert "cannot write the pack into" in _refused(got[1])
    assert list(outside.iterdir()) == []


def test_rank_files_puts_the_relevant_file_first(make_repo) -> None:
    root = make_repo({
        "auth.py": "def login(user, password):\n    return check_password(user, password)\n",
        "db.py": "def connect(url):\n    return open_connection(url)\n",
        "util.py": "def add(a, b):\n    return a + b\n",
    })  # fmt: skip
    got: list[CallToolResult] = []

    async def scenario(s: ClientSession) -> None:
        args = {"root": str(root), "task": "fix the login password check", "limit": 2}
        got.append(await s.call_tool("rank_files", args))

    _serve(scenario)
    files = _ok(got[0])["files"]
    assert len(files) == 2 and files[0]["path"] == "auth.py"


def test_apply_edits_checks_applies_journals_and_undo_reverts(make_repo) -> None:
    root = make_repo({"app.py": APP})
    got: dict[str, CallToolResult] = {}

    async def scenario(s: ClientSession) -> None:
        args = {"root": str(root), "edits": RENAME}
        got["check"] = await s.call_tool("apply_edits", {**args, "check": True})
        got["checked_text"] = await s.call_tool("history", {"root": str(root)})
        assert (root / "app.py").read_text() == APP  # check writes nothing
        got["apply"] = await s.call_tool("apply_edits", args)
        assert (root / "app.py").read_text().startswith("def welcome(name):")
        got["undo"] = await s.call_tool("undo", {"root": str(root)})
        got["again"] = await s.call_tool("undo", {"root": str(root)})

    _serve(scenario)
    checked = _ok(got["check"])
    assert checked["ok"] is True and checked["check"] is True
    [hunk] = checked["files"][0]["hunks"]
    assert hunk["state"] == "accepted" and hunk["start"] == 1
    applied = _ok(got["apply"])
    assert applied["files"][0]["hunks"][0]["state"] == "applied" and applied["journal"]
    assert _ok(got["undo"])["restored"] == ["app.py"]
    assert (root / "app.py").read_bytes() == APP.encode()
    assert "nothing to undo" in _refused(got["again"])
    assert _ok(got["checked_text"])["sessions"] == []


def test_hostile_edits_are_tool_errors_that_say_why(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = make_repo({"app.py": APP, ".github/workflows/ci.yml": "on: push\n"})
    (root / "out").symlink_to(outside)
    subprocess.run(["git", "add", "out"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "a link out"], cwd=root, check=True)
    traversal = "../escaped.py\n```python\nprint('owned')\n```\n"
    through_link = "out/planted.py\n```python\nprint('owned')\n```\n"
    workflow = (
        ".github/workflows/ci.yml\n```yaml\n<<<<<<< SEARCH\non: push\n=======\n"
        "on: push\njobs: {steal: {runs-on: ubuntu-latest, steps: [{run: env}]}}\n"
        ">>>>>>> REPLACE\n```\n"
    )
    got: dict[str, CallToolResult] = {}

    async def scenario(s: ClientSession) -> None:
        for name, edits in [("traversal", traversal), ("link", through_link),
                            ("missing", MISSING), ("workflow", workflow)]:  # fmt: skip
            got[name] = await s.call_tool("apply_edits", {"root": str(root), "edits": edits})
        got["empty"] = await s.call_tool("apply_edits", {"root": str(root), "edits": "hello"})

    _serve(scenario)
    assert "refused path '../escaped.py': '..' would leave the repository" in _refused(
        got["traversal"]
    )
    assert "'out/planted.py': runs through a symbolic link that leaves the repository" in (
        _refused(got["link"])
    )
    assert "cannot be applied" in _refused(got["missing"])
    assert "nothing was written" in _refused(got["missing"])
    assert "steer later runs" in _refused(got["workflow"])
    assert "apply_edits: cannot read the edit:\n  no edit found" in _refused(got["empty"])
    assert not (tmp_path / "escaped.py").exists() and list(outside.iterdir()) == []
    assert (root / "app.py").read_text() == APP
    assert (root / ".github/workflows/ci.yml").read_text() == "on: push\n"


def test_a_root_that_is_not_a_repository_is_refused(tmp_path: Path, make_repo) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "secret.txt").write_text("not for the agent\n")
    repo = make_repo({"app.py": APP})
    got: dict[str, CallToolResult] = {}

    async def scenario(s: ClientSession) -> None:
        for tool in ("pack", "history", "undo"):
            got[tool] = await s.call_tool(tool, {"root": str(plain)})
        got["git_dir"] = await s.call_tool("pack", {"root": str(repo / ".git")})
        got["missing"] = await s.call_tool("pack", {"root": str(tmp_path / "nope")})
        got["edit"] = await s.call_tool("apply_edits", {"root": str(plain), "edits": RENAME})
        got["bad_type"] = await s.call_tool("pack", {"root": str(repo), "budget": "lots"})

    _serve(scenario)
    for tool in ("pack", "history", "undo", "edit", "git_dir"):
        assert "is not in a git work tree" in _refused(got[tool]), tool
    assert "no such folder" in _refused(got["missing"])
    assert "budget" in _refused(got["bad_type"])
    assert not (plain / ".tome").exists()


def test_only_keeps_the_agent_inside_the_folders_the_user_gave(make_repo, tmp_path) -> None:
    served = make_repo({"app.py": APP})
    other_parent = tmp_path / "elsewhere"
    other_parent.mkdir()
    other = other_parent / "repo"
    other.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=other, check=True)
    got: dict[str, CallToolResult] = {}

    async def scenario(s: ClientSession) -> None:
        got["served"] = await s.call_tool("history", {"root": str(served)})
        got["other"] = await s.call_tool("history", {"root": str(other)})

    _serve(scenario, "--only", str(served))
    assert _ok(got["served"])["sessions"] == []
    assert "outside the folders this server serves" in _refused(got["other"])


def test_other_commands_never_import_the_sdk() -> None:
    code = (
        "import sys\nfrom assistant.cli import main\n"
        "for argv in (['--help'], ['ask', '--help'], ['pack', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print('mcp' in sys.modules, 'assistant.mcp' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(TOP)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines()[-1] == "False False"
