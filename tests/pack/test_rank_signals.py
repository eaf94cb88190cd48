"""The ranking's signals beyond BM25: git history (co-change, churn), test <-> source pairs,
files a task names, and a budgeted task pack's neighbours and reasons."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from gitkit import commit, new_repo

from assistant.cache import Cache
from assistant.packing import history as hist
from assistant.packing import pack, rank_files
from assistant.packing.history import History, parse_log, read_history
from assistant.packing.pairing import mentions, pair_key, pairs
from assistant.packing.rank import LEXICAL_ONLY, Weights, rank
from assistant.workspace import discover

# --- history ---------------------------------------------------------------------------------


def test_history_reads_which_files_changed_together(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n", "b.py": "y = 1\n", "c.py": "z = 1\n"}, "start")
    for i in range(3):
        commit(root, {"a.py": f"x = {i + 2}\n", "b.py": f"y = {i + 2}\n"}, f"change {i}")
    commit(root, {"c.py": "z = 2\n"}, "only c")
    found = read_history(root)
    assert found is not None
    assert found.commits[0] == ("c.py",)  # newest first
    assert found.changes("a.py") == 4
    near = found.cochanged("a.py")
    assert near["b.py"] > near["c.py"] > 0
    churn = found.churn(["a.py", "c.py", "missing.py"])
    assert churn["a.py"] > churn["c.py"] and "missing.py" not in churn


def test_history_of_a_folder_names_files_from_it(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, {"pkg/a.py": "x = 1\n", "other/b.py": "y = 1\n"}, "start")
    found = read_history(root / "pkg")
    assert found is not None and found.commits == [("a.py",)]


def test_no_repository_or_no_commit_is_no_history(tmp_path: Path) -> None:
    assert read_history(tmp_path) is None
    assert read_history(new_repo(tmp_path)) is None  # a repository without a commit


def test_hostile_history_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit of thousands of files is left out; odd names come through whole; a history
    longer than the byte cap is cut, not read to the end."""
    root = new_repo(tmp_path)
    commit(
        root, {f"gen/f{i}.py": f"v = {i}\n" for i in range(hist.MAX_FILES_PER_COMMIT + 1)}, "bulk"
    )
    odd = 'we\nird "name".py'
    commit(root, {odd: "x = 1\n", "plain.py": "y = 1\n"}, "odd names")
    found = read_history(root)
    assert found is not None
    assert found.commits == [(odd, "plain.py")] or found.commits == [("plain.py", odd)]
    for i in range(30):
        commit(root, {"plain.py": f"y = {i}\n"}, f"more {i}")
    monkeypatch.setattr(hist, "MAX_BYTES", 64)
    cut = read_history(root)
    assert cut is not None and 0 < len(cut.commits) < 10


def test_parse_log_drops_a_record_cut_mid_way() -> None:
    assert parse_log(b"\x01\0\na.py\0b.py\0\x01\0\nc.p") == [("", "", ("a.py", "b.py"))]
    assert parse_log(b"\x01fix it\0\na.py\0") == [("fix it", "", ("a.py",))]
    assert parse_log(b"\x01fix it\x02why\nSigned-off-by: x\n\0\na.py\0") == [
        ("fix it", "why", ("a.py",))
    ]
    assert parse_log(b"") == []


def test_history_is_cached_by_head(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n"}, "start")
    cache = Cache(tmp_path / "cache.sqlite3")
    first = read_history(root, cache=cache)
    commit(root, {"b.py": "y = 1\n"}, "second")
    second = read_history(root, cache=cache)
    assert first is not None and second is not None
    assert first.key != second.key and second.commits[0] == ("b.py",)


def test_co_change_pulls_up_the_file_that_changes_with_the_match(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    base = {
        "invoice.py": "def render_invoice(order):\n    return order.total\n",
        "registry.py": "HANDLERS = {}\n",
        "colors.py": "PALETTE = ['red']\n",
    }
    commit(root, base, "start")
    for i in range(4):
        commit(
            root,
            {
                "invoice.py": base["invoice.py"] + f"# {i}\n",
                "registry.py": f"HANDLERS = {{{i}: 1}}\n",
            },
            f"c{i}",
        )
    for i in range(2):
        commit(root, {"colors.py": f"PALETTE = [{i}]\n"}, f"colors {i}")
    files = discover(root).files
    task = "render the invoice total"
    with_history = [
        p
        for p, _ in rank(
            files,
            task,
            root=root,
            weights=Weights(churn=0.0, recent=0.0, cochange=0.3, near=0.0, subjects=0.0),
        )
    ]
    without = [p for p, _ in rank(files, task, root=root, weights=LEXICAL_ONLY)]
    assert with_history[:2] == ["invoice.py", "registry.py"]
    assert without[0] == "invoice.py" and without[1:] == [
        "colors.py",
        "registry.py",
    ]  # ties by path


# --- pairs and mentions -----------------------------------------------------------------------


def test_pair_keys_of_tests_and_sources() -> None:
    assert pair_key("src/attr/_make.py") == (("make", "py"), False)
    assert pair_key("tests/test_make.py") == (("make", "py"), True)
    assert pair_key("lib/router.js") == (("router", "js"), False)
    assert pair_key("test/router.test.ts") == (("router", "js"), True)
    assert pair_key("cmd/root_test.go") == (("root", "go"), True)
    assert pair_key("src/test/java/JsonReaderTest.java") == (("jsonreader", "jvm"), True)
    assert pair_key("README.md") is None
    assert pair_key("__init__.py") is None and pair_key("src/index.js") is None  # no package
    assert pair_key("pkg/__init__.py") == (("pkg", "py"), False)  # the package pkg
    assert pair_key("lib/router/index.js") == (("router", "js"), False)
    assert pair_key("src/printer/mod.rs") == (("printer", "rs"), False)
    assert pair_key("tests/__init__.py") is None


def test_pairs_credit_the_partner_of_a_top_file() -> None:
    paths = ["src/make.py", "tests/test_make.py", "lib/router.js", "test/router.test.js", "x.py"]
    assert pairs(paths, {0: 1.0, 3: 0.5}) == {1: 1.0, 2: 0.5}
    many = ["a/util2.py"] + [f"t{i}/test_util2.py" for i in range(6)]
    assert pairs(many, {0: 1.0}) == {}  # more partners than the bound: says nothing


def test_mentions_of_paths_modules_and_names() -> None:
    paths = ["src/attr/_make.py", "attr/filters.py", "gson/JsonReader.java", "docs/readme.md"]
    found = mentions(paths, "Fix attr.filters.include and JsonReader; see src/attr/_make.py")
    assert found[0] == 1.0 and found[1] == 1.0 and found[2] == 0.7
    assert 3 not in found
    assert mentions(paths, "`" * 50_000 + "a/" * 20_000) == {}  # hostile text: bounded, nothing


def test_a_named_file_ranks_first(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(
        root,
        {
            "core/engine.py": "def run():\n    pass\n",
            "core/speed.py": "def engine_speed():\n    engine = 1\n    return engine\n",
        },
        "start",
    )
    ranked = rank_files(root, "the bug in core/engine.py", cache=Cache.disabled())
    assert ranked[0][0] == "core/engine.py"


# --- a budgeted pack with a task --------------------------------------------------------------

TOP = '''"""Checkout: turns a cart into an order."""

from pricing import apply_discount_rules


def checkout_cart(cart):
    """Check out a cart."""
    total = apply_discount_rules(cart)
    return {"checkout": total, "cart": cart}
''' + "".join(
    f"\n\ndef checkout_step_{i}(cart):\n    return cart  # checkout cart step\n" for i in range(40)
)

PRICING = (
    '''"""Prices."""


def apply_discount_rules(cart):
    """The discount of a cart."""
'''
    + "".join(
        f"    rule_{i} = {i} * len(cart)  # a long body the skeleton drops\n" for i in range(150)
    )
    + "    return 0\n"
)


def test_budgeted_task_pack_keeps_the_top_file_whole_and_its_neighbour_as_a_skeleton(
    tmp_path: Path,
) -> None:
    files = {"checkout.py": TOP, "pricing.py": PRICING}
    files |= {f"filler{i}.py": f"# unrelated module {i}\n" + "x = 1\n" * 300 for i in range(4)}
    root = new_repo(tmp_path)
    commit(root, files, "start")
    result = pack(root, task="checkout the cart", budget=4500, cache=Cache.disabled())
    by_path = {f.path: f for f in result.files}
    assert by_path["checkout.py"].tier == "full"
    assert by_path["checkout.py"].why.startswith("rank 1 of")
    assert by_path["pricing.py"].tier == "skeleton"
    assert "neighbour of checkout.py" in by_path["pricing.py"].why
    omitted = [f for f in result.files if f.tier == "omitted"]
    assert omitted and all("over the budget" in f.why for f in omitted)
    listed = {f["path"]: f for f in result.summary()["packed_files"]}  # type: ignore[union-attr]
    assert "neighbour of" in listed["pricing.py"]["why"]


def test_cli_summary_and_json_say_what_was_left_out(tmp_path: Path) -> None:
    files = {"checkout.py": TOP, "pricing.py": PRICING}
    files |= {f"filler{i}.py": f"# unrelated module {i}\n" + "x = 1\n" * 300 for i in range(4)}
    root = new_repo(tmp_path)
    commit(root, files, "start")
    args = [sys.executable, "-m", "assistant", "pack", str(root), "--task", "checkout the cart"]
    args += ["--budget", "4500", "-o", str(tmp_path / "out.txt")]
    text = subprocess.run(args, capture_output=True, text=True, check=True)
    summary = text.stdout + text.stderr
    assert "skeletons: 1 neighbours of the top files" in summary
    assert "left out: " in summary and "over the budget" in summary
    as_json = subprocess.run(
        [*args[:-1], str(tmp_path / "o2.txt"), "--json"], capture_output=True, text=True, check=True
    )
    entries = json.loads(as_json.stdout)["packed_files"]
    assert any(e["tier"] == "omitted" and "over the budget" in e["why"] for e in entries)


def test_history_signals_in_a_history_object() -> None:
    found = History([("a.py", "b.py"), ("a.py",)])
    assert found.changes("a.py") == 2 and found.cochanged("a.py") == {"b.py": 1 / 3}


def test_the_peers_have_no_signal_but_bm25() -> None:
    from assistant.packing.rank import PLAIN_BM25, SIGNALS

    assert all(getattr(LEXICAL_ONLY, s) == 0 and getattr(PLAIN_BM25, s) == 0 for s in SIGNALS)
    assert PLAIN_BM25.path == 0 and LEXICAL_ONLY.path > 0
    assert not LEXICAL_ONLY.uses_history


def test_reasons_say_rank_neighbour_and_budget() -> None:
    from assistant.packing.select import reasons

    tiers = {"a.py": "full", "b.py": "skeleton", "c.py": "skeleton", "d.py": "omitted"}
    why = reasons(["a.py", "b.py", "c.py", "d.py"], tiers, {"b.py": "a.py"}, ranked=True)  # type: ignore[arg-type]
    assert why["a.py"] == "rank 1 of 4"
    assert why["b.py"] == "rank 2 of 4; a neighbour of a.py in the reference graph, as a skeleton"
    assert why["c.py"] == "rank 3 of 4; as a skeleton, its whole text did not fit"
    assert why["d.py"] == "rank 4 of 4; left out, over the budget"
    assert reasons(["a.py"], {"a.py": "full"}, {}, ranked=False)["a.py"] == "priority 1 of 1"
