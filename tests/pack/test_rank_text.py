"""Three ranking signals of the request's text: past commits that read like it (``similar``),
the words of the top files (``feedback``), and BM25 with weak length normalisation (``flat``)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from gitkit import commit, new_repo

from assistant.cache import Cache
from assistant.code import CodeIndex
from assistant.packing import history as hist
from assistant.packing import lexical
from assistant.packing.history import History, read_history, similar_scores
from assistant.packing.lexical import bm25, build_index, feedback_terms, terms_of
from assistant.packing.rank import LEXICAL_ONLY, features, lexical_index, rank
from assistant.workspace import discover

# --- similar: the files of the past commits that read like the request ----------------------


def similar_repo(tmp_path: Path) -> Path:
    """``ledger.py`` and ``receipt.py`` were changed together by a commit about rounding
    cents; no file's text says so, and ``ledger.py`` was also touched by commits about other
    things (so the subjects pooled per file say less of it)."""
    root = new_repo(tmp_path)
    base = {f"{n}.py": f"def {n}_value(x):\n    return x\n" for n in ("ledger", "receipt", "bin")}
    commit(root, base, "start")
    commit(
        root,
        {"ledger.py": base["ledger.py"] + "# 1\n", "receipt.py": base["receipt.py"] + "# 1\n"},
        "Round currency amounts to the cent\n\nThe total was off by one cent.",
    )
    for i in range(3):
        commit(root, {"ledger.py": base["ledger.py"] + f"# {i + 2}\n"}, f"Speed up sums {i}")
    commit(root, {"bin.py": base["bin.py"] + "# 1\n"}, "Rename the bin helper")
    return root


def test_similar_commits_credit_their_files(tmp_path: Path) -> None:
    found = read_history(similar_repo(tmp_path))
    assert found is not None
    said = similar_scores(found, ["cent", "currency", "rounding"])
    assert said["ledger.py"] == said["receipt.py"] == 1.0
    assert "bin.py" not in said
    assert similar_scores(found, ["nothing", "matches"]) == {}


def test_similar_lifts_the_files_of_a_look_alike_commit(tmp_path: Path) -> None:
    root = similar_repo(tmp_path)
    files = discover(root).files
    task = "The value is off by a cent: currency rounding"
    only = replace(LEXICAL_ONLY, similar=1.0)
    with_similar = [p for p, _ in rank(files, task, root=root, weights=only)]
    without = [p for p, _ in rank(files, task, root=root, weights=LEXICAL_ONLY)]
    assert set(with_similar[:2]) == {"ledger.py", "receipt.py"}
    assert without[0] == "bin.py"  # all tie on "value": by path


def test_similar_keeps_the_best_commits_and_shares_a_big_one() -> None:
    """Only the best ``top`` commits vote; a commit of many files gives each less."""
    commits = [("a.py",), ("b.py", "c.py", "d.py", "e.py")] + [(f"x{i}.py",) for i in range(20)]
    subjects = ["parse dates", "parse dates"] + [f"parse item {i}" for i in range(20)]
    found = History(commits, subjects=subjects, bodies=[""] * len(commits))
    said = similar_scores(found, ["parse", "dates"], top=2)
    assert said["a.py"] == 1.0 and said["b.py"] == 0.5
    assert set(said) == {"a.py", "b.py", "c.py", "d.py", "e.py"}


def test_similar_of_hostile_messages_is_bounded(tmp_path: Path) -> None:
    """A message of megabytes is read only to its bounds; the signal still answers."""
    root = new_repo(tmp_path)
    commit(root, {"a.py": "x = 1\n", "b.py": "y = 1\n"}, "start")
    commit(root, {"a.py": "x = 2\n"}, "cent " * 200_000 + "\n\n" + "rounding " * 300_000)
    found = read_history(root)
    assert found is not None
    assert all(len(s) <= hist.MAX_SUBJECT for s in found.subjects)
    assert all(len(b) <= hist.MAX_BODY for b in found.bodies)
    index = hist._commit_message_index(found)
    assert max(index.lengths) <= (hist.MAX_SUBJECT + hist.MAX_BODY) // 2
    assert similar_scores(found, ["cent"]) == {"a.py": 1.0}


# --- feedback: the words of the top files ---------------------------------------------------


def corpus() -> dict[str, str]:
    """``orders.py`` matches the request; ``shipping.py`` shares its distinctive words only;
    ``common`` is in every file (says nothing), ``lonely`` in one (finds no other)."""
    texts = {
        "orders.py": "def place_order(order):\n    warehouse_quota(order)\n    pallet = 1\n"
        "    lonely = 2\n    common = 3\n",
        "shipping.py": "def ship():\n    warehouse_quota(pallet)\n    common = 1\n",
    }
    for i in range(30):
        texts[f"noise{i}.py"] = f"def noise_{i}():\n    common = {i}\n"
    return texts


def index_of(texts: dict[str, str]) -> lexical.Index:
    return build_index((p, terms_of(t)) for p, t in sorted(texts.items()))


def test_feedback_terms_are_the_top_files_distinctive_words() -> None:
    texts = corpus()
    index = index_of(texts)
    words = feedback_terms(index, [(texts["orders.py"], 1.0)], ["place", "order"])
    assert "warehouse" in words and "pallet" in words and "quota" in words
    assert not {"place", "order", "lonely", "common"} & set(words)
    assert len(words) <= lexical.FEEDBACK_TERMS


def test_feedback_lifts_the_file_sharing_the_top_files_words(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    commit(root, corpus(), "start")
    files = discover(root).files
    index = lexical_index(files)
    task = "place an order"
    got = features(index, files, task, code=CodeIndex(Cache.disabled()), weights=LEXICAL_ONLY,
                   every=True)  # fmt: skip
    at = {p: d for d, p in enumerate(index.paths)}
    assert got["feedback"][at["shipping.py"]] == 1.0
    assert at["shipping.py"] not in got["lex"]
    only = replace(LEXICAL_ONLY, feedback=0.5)
    assert [p for p, _ in rank(files, task, root=root, weights=only)][:2] == [
        "orders.py",
        "shipping.py",
    ]
    assert "shipping.py" not in [p for p, _ in rank(files, task, weights=LEXICAL_ONLY)][:2]


def test_feedback_of_a_huge_or_binary_top_file_is_bounded() -> None:
    """Words past the first part of a top file are not read; NULs and bytes say nothing."""
    texts = corpus()
    index = index_of({**texts, "late.py": "zebra_marker = 1\n", "late2.py": "zebra_marker\n"})
    hostile = "\0\xff" * 1000 + "filler " * 2_000_000 + "zebra_marker " * 1000
    words = feedback_terms(index, [(hostile, 1.0), (texts["orders.py"], 0.5)], ["order"])
    assert "zebra" not in words and "zebra_marker" not in words
    assert "warehouse" in words


# --- flat: BM25 with weak length normalisation --------------------------------------------


def test_flat_keeps_a_long_file_with_many_matches_first() -> None:
    """Full length normalisation puts a short file with one match over a long file full of
    them; b = 0.25 does not."""
    long_text = (
        "def token_stream():\n" + "    token = read_token(token)\n" * 10 + "pad = 1\n" * 2000
    )
    texts = {"lexer.py": long_text, "small.py": "token = 1\n"}
    texts.update({f"n{i}.py": f"value_{i} = {i}\n" for i in range(20)})
    index = index_of(texts)
    at = {p: d for d, p in enumerate(index.paths)}
    full = bm25(index, ["token"], path_weight=0.0)
    flat = bm25(index, ["token"], b=0.25, path_weight=0.0)
    assert full[at["small.py"]] > full[at["lexer.py"]]
    assert flat[at["lexer.py"]] > flat[at["small.py"]]


def test_flat_signal_ranks_the_long_file_over_the_short_one(tmp_path: Path) -> None:
    root = new_repo(tmp_path)
    long_text = (
        "def token_stream():\n" + "    token = read_token(token)\n" * 10 + "pad = 1\n" * 2000
    )
    commit(root, {"lexer.py": long_text, "small.py": "token = 1\n"}
           | {f"n{i}.py": f"value_{i} = {i}\n" for i in range(20)}, "start")  # fmt: skip
    files = discover(root).files
    only = replace(LEXICAL_ONLY, path=0.0, flat=2.0)
    plain = replace(LEXICAL_ONLY, path=0.0)
    assert [p for p, _ in rank(files, "token", weights=only)][:2] == ["lexer.py", "small.py"]
    assert [p for p, _ in rank(files, "token", weights=plain)][:2] == ["small.py", "lexer.py"]


# --- headline: the first line of the request alone -------------------------------------------


def test_headline_lifts_the_file_the_first_line_names(tmp_path: Path) -> None:
    """The body's words match ``notes.py`` more, the subject names ``invoice.py``."""
    root = new_repo(tmp_path)
    commit(
        root,
        {
            "invoice.py": "def invoice_total(invoice):\n    return invoice\n",
            "notes.py": "def note(): pass  # context reviewer context reviewer asked\n",
        },
        "start",
    )
    files = discover(root).files
    task = "Invoice total\n\nContext: the reviewer asked, context reviewer context asked reviewer"
    only = replace(LEXICAL_ONLY, headline=2.0)
    assert rank(files, task, weights=only)[0][0] == "invoice.py"
    assert rank(files, task, weights=LEXICAL_ONLY)[0][0] == "notes.py"
    huge = "x" * 5_000_000 + " invoice\nnotes"  # a first line of megabytes: read to a bound
    found = features(lexical_index(files), files, huge, code=CodeIndex(Cache.disabled()),
                     weights=only)  # fmt: skip
    assert found["headline"] == {} and found["lex"]
