"""Generated assets are left out of a default pack with the reason, like lock files.

Real files: jQuery's minified build and Django's own admin JavaScript (from the Django
wheel, a test dependency), this repository's Textual snapshot SVGs, its one-line JSON
fixtures. An include glob that names a file packs it anyway: the user's explicit choice.
"""

from __future__ import annotations

import json
from pathlib import Path

import django
import pytest

from assistant import workspace
from assistant.cache import Cache
from assistant.cli import main
from assistant.packing import pack
from assistant.workspace import DiscoverOptions, discover, probe

REPO = Path(__file__).resolve().parents[2]
ADMIN_JS = Path(django.__file__).parent / "contrib/admin/static/admin/js"
JQUERY = (ADMIN_JS / "vendor/jquery/jquery.min.js").read_text()
CORE_JS = (ADMIN_JS / "core.js").read_text()  # hand-written: must stay
SNAPSHOT = next((REPO / "tests/tui/__snapshots__").rglob("*.svg")).read_text()
ONE_LINE_JSON = (REPO / "bench/answers/unattributed-whole-file/files.json").read_text()


@pytest.fixture
def assets_repo(make_repo) -> Path:
    return make_repo(
        {
            "src/app.py": "def main():\n    return 1\n",
            "static/vendor.js": JQUERY,  # minified under a plain name: told by content
            "static/core.js": CORE_JS,
            "tests/__snapshots__/test_app/test_screen.svg": SNAPSHOT,
            "docs/screen.svg": SNAPSHOT,
            "tests/data/answer.json": ONE_LINE_JSON,
        }
    )


def _skips(root: Path, **options: object) -> dict[str, str]:
    found = discover(root, DiscoverOptions(**options))  # type: ignore[arg-type]
    return {s.path: s.reason for s in found.skipped}


def test_minified_snapshots_and_svgs_are_skipped_with_a_reason(assets_repo: Path) -> None:
    result = pack(assets_repo, cache=Cache.disabled())
    packed = {f.path for f in result.files}
    assert packed == {"src/app.py", "static/core.js"}
    reasons = {s.path: (s.reason, s.detail) for s in result.skipped}
    assert reasons["static/vendor.js"][0] == "minified"
    assert "line break" in reasons["static/vendor.js"][1]
    assert reasons["tests/data/answer.json"][0] == "minified"
    assert reasons["tests/__snapshots__/"][0] == "default-exclude"
    assert "'__snapshots__/'" in reasons["tests/__snapshots__/"][1]
    assert reasons["docs/screen.svg"] == (
        "default-exclude",
        "matches the default exclude '*.svg'; name it in an include glob to pack it",
    )


def test_a_one_line_file_says_how_long_its_line_is(make_repo) -> None:
    one_line = JQUERY.replace("\n", " ")
    root = make_repo({"bundle.js": one_line, "a.py": "a = 1\n"})
    (skip,) = discover(root).skipped
    assert (skip.reason, skip.detail.split(";")[0]) == (
        "minified",
        f"one line of {len(one_line):,} characters",
    )


def test_a_large_data_file_is_a_data_dump(make_repo) -> None:
    rows = "".join(f"{n},{n * n},{n % 7}\n" for n in range(20_000))  # many short lines
    root = make_repo({"data/squares.csv": rows, "small.csv": "a,b\n1,2\n", "a.py": "a = 1\n"})
    skips = {s.path: s for s in discover(root).skipped}
    assert skips["data/squares.csv"].reason == "data-dump"
    assert "of CSV data" in skips["data/squares.csv"].detail
    assert "small.csv" not in skips


def test_an_include_that_names_the_file_packs_it(assets_repo: Path) -> None:
    named = ("static/vendor.js", "docs/screen.svg", "tests/data/answer.json", "src/*.py")
    found = discover(assets_repo, DiscoverOptions(include=named))
    assert {f.path for f in found.files} == {*named[:3], "src/app.py"}
    assert found.skipped == []
    # a broad glob is not a choice of that file: the content rule still applies
    assert _skips(assets_repo, include=("static/*.js",))["static/vendor.js"] == "minified"
    # and with the default excludes off, nothing is judged by content either
    assert _skips(assets_repo, default_excludes=()) == {}


def test_the_json_summary_lists_each_file_and_each_skip(
    assets_repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["pack", str(assets_repo), "--json", "-o", str(tmp_path / "p.xml")]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {(f["path"], f["tier"]) for f in summary["packed_files"]} == {
        ("src/app.py", "full"),
        ("static/core.js", "full"),
    }
    assert all(f["tokens"] > 0 for f in summary["packed_files"])
    skipped = {s["path"]: s["reason"] for s in summary["skipped_files"]}
    assert skipped == {
        "docs/screen.svg": "default-exclude",
        "static/vendor.js": "minified",
        "tests/__snapshots__/": "default-exclude",
        "tests/data/answer.json": "minified",
    }
    assert main(["pack", str(assets_repo), "-o", str(tmp_path / "p.xml")]) == 0
    screen = capsys.readouterr().out
    assert "  minified: 2\n" in screen
    assert "    static/vendor.js: minified or generated:" in screen


def test_a_warm_probe_knows_the_content_skips(
    assets_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stat memo remembers a generated file's verdict: the next discovery does not read
    it, and a probe (stat only) gives the same state, so an unchanged pack is reused."""
    monkeypatch.setattr(workspace._StatMemo, "_SETTLED_NS", -(10**12))
    cache = Cache(assets_repo.parent / "c.sqlite3")
    first = discover(assets_repo, cache=cache)
    reads: list[int] = []
    real_read = workspace._read

    def read(path: str, size: int, limit: int, sniff: bool = True) -> bytes:
        reads.append(size)
        return real_read(path, size, limit, sniff)

    monkeypatch.setattr(workspace, "_read", read)
    assert probe(assets_repo, cache=cache) == first.state
    again = discover(assets_repo, cache=cache)
    assert again.state == first.state and again.skipped == first.skipped
    assert len(JQUERY.encode()) not in reads  # the minified file was not read again
    # named in an include, the remembered verdict does not hold: it is read and packed
    included = discover(assets_repo, DiscoverOptions(include=("static/vendor.js",)), cache=cache)
    assert [f.path for f in included.files] == ["static/vendor.js"]


def test_a_package_named_coverage_is_source_its_reports_are_not(make_repo) -> None:
    """coverage.py's own source lives in ``coverage/``: the folder name alone said nothing
    (the whole package was left out); the report files a coverage run writes still are."""
    module = (REPO / "assistant/packing/priority.py").read_text()
    root = make_repo(
        {
            "coverage/__init__.py": module,
            "coverage/control.py": module,
            "web/coverage/lcov-report/index.html": "<html>" + "<td>1</td>\n" * 50 + "</html>\n",
            "web/coverage/lcov.info": "SF:src/app.js\nDA:1,1\nend_of_record\n",
            "web/src/app.js": CORE_JS,
        }
    )
    found = discover(root)
    assert {f.path for f in found.files} == {
        "coverage/__init__.py",
        "coverage/control.py",
        "web/src/app.js",
    }
    assert {s.path for s in found.skipped} == {
        "web/coverage/lcov-report/",
        "web/coverage/lcov.info",
    }
