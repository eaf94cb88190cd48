"""A library call leaves the process as it found it; tree-sitter parsers are per thread.

Process-wide tweaks (the GIL switch interval, warning hooks, the collector) belong to the
entry points (``assistant.cli``, ``tui.app``): a script that imports ``assistant`` and packs
a repository must find its interpreter unchanged, while the pack runs and after.
"""

from __future__ import annotations

import gc
import sys
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

import assistant
from assistant.cache import Cache
from assistant.code.registry import parser

HERE = Path(__file__).resolve().parents[2]
RepoFactory = Callable[..., Path]


def _real_sources(count: int) -> dict[str, str]:
    """Real Python files of this project, enough for the counting threads to start."""
    files = sorted((HERE / "assistant").rglob("*.py"))[:count]
    return {str(f.relative_to(HERE)): f.read_text(encoding="utf-8") for f in files}


def test_packing_leaves_the_switch_interval_and_the_warning_hook_alone(
    make_repo: RepoFactory,
) -> None:
    root = make_repo(_real_sources(40))
    interval, hook = sys.getswitchinterval(), warnings.showwarning
    seen: list[tuple[str, float, object]] = []

    def progress(stage: str, done: int, total: int) -> None:
        seen.append((stage, sys.getswitchinterval(), warnings.showwarning))

    result = assistant.pack(
        root,
        encoding="cl100k_base",
        task="fit the pack into its budget",
        budget=20_000,
        cache=Cache.disabled(),
        progress=progress,
    )
    assert result.tokens <= 20_000 and result.tiers["skeleton"] > 0
    assert {stage for stage, _, _ in seen} >= {"read", "count"}  # the threads counted
    assert {(i, h) for _, i, h in seen} == {(interval, hook)}
    assert (sys.getswitchinterval(), warnings.showwarning) == (interval, hook)


def test_the_cli_sets_the_switch_interval_only_while_it_runs(make_repo: RepoFactory) -> None:
    from assistant import cli

    root = make_repo(_real_sources(5))
    interval = sys.getswitchinterval()
    assert cli.main(["pack", str(root), "--no-cache", "-o", str(root / "out.xml")]) == 0
    assert sys.getswitchinterval() == interval
    assert (root / "out.xml").read_text(encoding="utf-8").startswith("<")


def test_the_cli_pauses_the_collector_for_a_pack_only_and_only_while_it_runs(
    make_repo: RepoFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant import cli
    from assistant.cli import pack as pack_command

    root = make_repo(_real_sources(5))
    during: list[bool] = []
    real_pack = pack_command.pack

    def watched(*args: object, **kwargs: object) -> object:
        during.append(gc.isenabled())
        return real_pack(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_command, "pack", watched)
    assert gc.isenabled()
    assert cli.main(["pack", str(root), "--no-cache", "-o", str(root / "out.xml")]) == 0
    assert during == [False] and gc.isenabled()  # paused for the pack, then back on
    seen: list[bool] = []
    monkeypatch.setattr(cli, "_main", lambda argv: seen.append(gc.isenabled()) or 0)
    assert cli.main(["config"]) == 0 and seen == [True]  # other commands: left alone
    gc.disable()
    try:  # a caller that had it off finds it off
        assert cli.main(["pack", str(root), "-o", str(root / "out.xml")]) == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_parser_is_never_shared_between_threads() -> None:
    mine = parser("python")
    assert parser("python") is mine  # reused within a thread
    theirs: list[object] = []
    worker = threading.Thread(target=lambda: theirs.append(parser("python")))
    worker.start()
    worker.join()
    assert len(theirs) == 1 and theirs[0] is not mine
    tree = mine.parse(b"def f():\n    return 1\n")
    assert tree.root_node.type == "module" and not tree.root_node.has_error
