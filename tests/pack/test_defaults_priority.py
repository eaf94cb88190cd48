"""Without a task, a budget goes first to what a model needs to understand the project:
the README, source (entry points, the most imported modules), then tests, docs, config.

The tree is a real layout: files of this repository (its README, library modules that
import each other, a test, an example, its docs and CI script) with the dot-folders a
project carries (a dev container, issue templates) that sort before everything by path.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.cache import Cache
from assistant.packing import pack
from assistant.packing.priority import DOCS, OTHER_CODE, README, REST, SOURCE, TESTS, category

REPO = Path(__file__).resolve().parents[2]
REAL = {  # laid out as a src/ project (attrs, many others): source sorts after docs
    "README.md": "README.md",
    "docs/architecture.md": "ARCHITECTURE.md",
    "docs/guide.md": "README.md",
    "pyproject.toml": "pyproject.toml",
    ".ci/run": ".ci/run",
    "src/tome/__main__.py": "assistant/__main__.py",
    "src/tome/errors.py": "assistant/errors.py",
    "src/tome/pathrules.py": "assistant/pathrules.py",
    "src/tome/fsio.py": "assistant/fsio.py",
    "src/tome/repo.py": "assistant/repo.py",
    "src/tome/workspace.py": "assistant/workspace.py",
    "examples/pack_repo.py": "examples/pack_repo.py",
    "tests/pack/test_pack.py": "tests/pack/test_pack.py",
}
DOT_FOLDERS = {
    ".devcontainer/devcontainer.json": '{\n  "name": "tome",\n  "image": "python:3.12"\n}\n',
    ".github/ISSUE_TEMPLATE/bug.md": "---\nname: Bug report\n---\n\n" + "Describe it.\n" * 40,
}


@pytest.fixture
def layout(make_repo) -> Path:
    files = {path: (REPO / real).read_text() for path, real in REAL.items()}
    return make_repo({**files, **DOT_FOLDERS})


def test_the_budget_goes_to_source_before_dot_folders_and_docs(layout: Path) -> None:
    whole = pack(layout, cache=Cache.disabled())
    budget = whole.tokens // 2
    result = pack(layout, budget=budget, cache=Cache.disabled())
    tiers = {f.path: f.tier for f in result.files}
    assert result.tokens <= budget
    # the most imported module goes in whole (errors: by fsio, repo and workspace), and the
    # entry point; of fsio and repo (each imported by two, fsio by repo's lazy import deep in
    # the file), the first by path, fsio, also goes in whole before the others
    for module in ("src/tome/errors.py", "src/tome/fsio.py", "src/tome/__main__.py"):
        assert tiers[module] == "full", module
    assert tiers["src/tome/repo.py"] != "omitted"
    assert tiers["README.md"] == "full"
    # most of the budget is source, not the docs and dot-folders that sort before it
    source = sum(f.shown_tokens for f in result.files if category(f.path) == SOURCE)
    assert source > 0.5 * sum(f.shown_tokens for f in result.files)
    assert tiers["docs/guide.md"] != "full"


def test_the_pack_stays_in_path_order_and_the_same_for_the_same_tree(layout: Path) -> None:
    budget = pack(layout, cache=Cache.disabled()).tokens // 2
    first = pack(layout, budget=budget, cache=Cache.disabled())
    again = pack(layout, budget=budget, cache=Cache.disabled())
    assert again.text == first.text
    shown = [line.split('"')[1] for line in first.text.splitlines() if line.startswith("<file ")]
    full = [f.path for f in first.files if f.tier == "full"]
    skeleton = [f.path for f in first.files if f.tier == "skeleton"]
    assert shown == sorted(full) + sorted(skeleton)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("README.md", README),
        ("docs/README.md", DOCS),
        ("src/attr/_make.py", SOURCE),
        ("assistant/cli/__init__.py", SOURCE),
        ("examples/pack_repo.py", OTHER_CODE),
        ("bench/pack.py", OTHER_CODE),
        ("tests/pack/test_pack.py", TESTS),
        ("src/app.test.ts", TESTS),
        ("pkg/store_test.go", TESTS),
        ("typing_tests/baseline.py", TESTS),
        ("docs/conf.py", OTHER_CODE),
        ("CHANGELOG.md", DOCS),
        ("pyproject.toml", REST),
        (".github/workflows/ci.yml", REST),
        (".devcontainer/devcontainer.json", REST),
    ],
)
def test_each_path_falls_in_its_kind(path: str, kind: int) -> None:
    assert category(path) == kind
