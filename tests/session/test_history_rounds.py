"""``tome history`` groups a request's repair rounds under it: one row per request, an
indented line per round with its usage as billed and what it did; ``--json`` nests them;
``--limit`` counts requests; follow-ups stay rows of their own (assistant.cli.history,
the ``rounds`` table of history schema 8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from test_rounds_loop import BAD_SCALE, GOOD_DOC, GOOD_SCALE, REPO
from test_verify_cli import BREAK, PYTEST
from verifykit import INDENT, PACKAGE

from assistant.cli import main
from assistant.history import History

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _ask(fake: FakeOpenAI, root: Path, task: str, *extra: str) -> int:
    return main(["ask", task, "-C", str(root), "--base-url", fake.base_url, "--model", "m",
                 *extra])  # fmt: skip


def _history(root: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["history", "-C", str(root), *extra]) == 0
    return capsys.readouterr().out


def test_rounds_are_lines_under_their_request_with_their_usage(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.prefix_cache = True
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1", "--apply", "--yes") == 0

    lines = _history(root, capsys).splitlines()

    assert len(lines) == 5, lines  # header, the request, its two rounds, the footer
    request, one, two = lines[1:4]
    assert request.split()[0] == "1" and "tidy calc" in request and "↳" not in request
    assert request.split()[3] == "applied"  # the request's outcome: its taken round's
    rounds = json.loads(_history(root, capsys, "--json"))["sessions"][0]["rounds"]
    files = [r["files"] for r in rounds]
    assert files[0] >= 1 and files[1] >= 1  # each round's changeset edits files
    words = [f"{n} file{'s' * (n != 1)}" for n in files]  # as the request row says them
    assert one.startswith(f"       round 1  #1  answered  {words[0]}  prompt ")
    assert one.endswith(" · 1 failed")
    assert two.startswith(f"       round 2  #2  applied  {words[1]}  prompt ")
    assert two.endswith(" · 1 fixed · taken")
    billed = [r.usage for r in History(root).load(2).rounds]
    assert billed[1] is not None and billed[1].cache_hit_tokens > 0  # the prefix cache hit
    cached = f"({billed[1].cache_hit_tokens:,} cached) · {billed[1].completion_tokens:,} out"
    assert cached in two
    assert lines[-1].startswith("history: 2 sessions, ")


def test_json_nests_the_rounds_with_their_usage_and_cost(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1") == 0

    doc = json.loads(_history(root, capsys, "--json"))

    [request] = doc["sessions"]
    assert request["session_id"] == 1 and request["stopped"] == "placed"
    one, two = request["rounds"]
    assert (one["number"], one["session_id"], one["reason"]) == (1, 1, "first")
    assert (two["number"], two["session_id"], two["reason"]) == (2, 2, "placement")
    assert (one["failed"], two["failed"], two["fixed"]) == (1, 0, 1)
    assert (one["taken"], two["taken"]) == (False, True)
    for r in (one, two):
        assert r["prompt_tokens"] > 0 and r["output_tokens"] > 0 and r["cached_tokens"] >= 0
        assert "cost" in r  # None here: the model "m" has no prices
    stored = History(root).load(2).rounds
    assert [r["prompt_tokens"] for r in (one, two)] == [u.usage.prompt_tokens for u in stored]
    assert doc["sessions_total"] == 2


def test_limit_counts_requests_and_a_follow_up_is_its_own_row(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1") == 0
    fake_openai.push(Reply(text="The docstrings are short now.\n"))
    assert _ask(fake_openai, root, "now explain it", "--continue", "--no-edits") == 0

    lines = _history(root, capsys, "--limit", "2").splitlines()

    follow_up, request = lines[1], lines[2]
    assert follow_up.split()[0] == "3" and "↳ #2 now explain it" in follow_up
    assert request.split()[0] == "1" and "tidy calc" in request
    assert [ln.split()[:2] for ln in lines[3:5]] == [["round", "1"], ["round", "2"]]
    assert lines[-1].startswith("history: 3 sessions, ")
    one = _history(root, capsys, "--limit", "1").splitlines()
    assert len(one) == 3 and one[1].split()[0] == "3"  # the newest request, not a round
    assert one[-1].startswith("history: 1 of 3 sessions")


def test_check_rounds_say_how_the_checks_went_and_the_reports_are_stored(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(PACKAGE)
    fixed = "# indent, as CPython's textwrap has it\n" + INDENT
    fake_openai.push(Reply(text=BREAK), Reply(text=f"textkit/indent.py\n```python\n{fixed}```\n"))
    assert _ask(fake_openai, root, "simplify indent", "--test-cmd", PYTEST) == 0
    assert (root / "textkit/indent.py").read_text() == INDENT  # checked in the scratch only

    lines = _history(root, capsys).splitlines()

    assert lines[2].endswith(" · checks failed")
    assert lines[3].endswith(" · checks passed · taken")
    loaded = History(root).load(1)  # round 1, loaded: its loop comes back with the reports
    assert [r.checks for r in loaded.rounds] == ["failed", "passed"]
    assert (loaded.round, loaded.stopped) == (1, "passed")
    first = loaded.rounds[0].report
    assert first is not None and not first.passed
    [run] = first.runs
    assert run.command == PYTEST and run.returncode == 1 and run.seconds > 0
    assert "FAILED tests/test_indent.py::test_indent_default" in run.output
    assert run.full.startswith(".F") and not run.output.startswith(".F")  # whole, and trimmed
    assert [b.returncode for b in first.baseline] == [0]  # the untouched tree passed


def test_a_round_whose_request_failed_is_listed_under_its_request(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(status=400, error="bad request"))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1") != 0

    lines = _history(root, capsys).splitlines()

    assert lines[1].split()[0] == "1"
    assert lines[3].startswith("       round 2  #2  failed  0 files  no usage · - · no answer")


def test_a_damaged_round_report_is_a_history_error_and_the_listing_still_reads(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """``.tome/`` comes with the repository (untrusted): a report tome never wrote is a
    HistoryError saying what to do, never a traceback; ``tome history`` reads no report."""
    import sqlite3

    from assistant.errors import HistoryError

    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1") == 0
    history = History(root)
    with sqlite3.connect(history.store.path) as con:
        con.execute('UPDATE rounds SET report = \'{"runs": [{"name": 1}]}\' WHERE number = 1')
    con.close()

    with pytest.raises(HistoryError, match=r"session 2 .* cannot be read.*move it away"):
        history.load(2)
    assert "round 2  #2" in _history(root, capsys)
    assert main(["review", "--session", "2", "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tome: ") and "cannot be read" in err and "Traceback" not in err


README_NOTE = (
    "README.md\n```markdown\n<<<<<<< SEARCH\n# calc\n=======\n# calc\n\nSmall helpers.\n"
    ">>>>>>> REPLACE\n```\n"
)


def test_the_request_row_counts_the_files_of_the_taken_round(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Round 1 edits calc.py only; round 2 fixes its hunk and edits README.md too: the
    request's row says what the user got (the taken round's changeset, 2 files)."""
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE + README_NOTE))
    assert _ask(fake_openai, root, "tidy calc", "--max-rounds", "1") == 0
    assert [f.path for f in History(root).load(1).changeset] == ["calc.py"]  # the premise
    assert sorted(f.path for f in History(root).load(2).changeset) == ["README.md", "calc.py"]

    lines = _history(root, capsys).splitlines()

    assert lines[1].split()[0] == "1" and "  2 files  " in lines[1], lines[1]
    [request] = json.loads(_history(root, capsys, "--json"))["sessions"]
    assert request["files"] == 2
    assert [r["files"] for r in request["rounds"]] == [1, 2]


def _three_requests(fake: FakeOpenAI, root: Path) -> None:
    """Sessions 1-2: a request and its repair round; 3: a plain request; 4-5: another
    request with a round (the newest)."""
    fake.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake, root, "first", "--max-rounds", "1") == 0
    fake.push(Reply(text="Nothing to change.\n"))
    assert _ask(fake, root, "second", "--no-edits") == 0
    fake.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    assert _ask(fake, root, "third", "--max-rounds", "1") == 0


def _ids(root: Path) -> list[int]:
    return sorted(s.session_id for s in History(root).sessions(limit=100))


def test_prune_keep_counts_requests_and_keeps_a_requests_rounds_with_it(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(REPO)
    _three_requests(fake_openai, root)
    assert _ids(root) == [1, 2, 3, 4, 5]

    out = _history(root, capsys, "--prune", "--keep", "2")

    assert out.startswith("pruned 2 sessions: 1 request and its repair rounds\n"), out
    assert _ids(root) == [3, 4, 5]  # "second" and "third" with its round: two requests
    out = _history(root, capsys, "--prune", "--keep", "1")
    assert out.startswith("pruned 1 session\n"), out  # a request of one session
    assert _ids(root) == [4, 5]  # the newest request and its round, never the round alone
    assert [r.session_id for r in History(root).load(4).rounds] == [4, 5]
    lines = _history(root, capsys).splitlines()
    assert [ln.split()[:2] for ln in lines[2:4]] == [["round", "1"], ["round", "2"]]
    doc = json.loads(_history(root, capsys, "--prune", "--keep", "0", "--json"))
    assert (doc["pruned"], doc["pruned_requests"], doc["sessions"]) == (2, 1, [])
    assert _ids(root) == []


def test_prune_older_than_drops_a_request_with_its_rounds_by_the_requests_age(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    """Round 2 of the oldest request is recent (its round 1 is 10 days old): the request is
    10 days old, and both go; a round is never left without its request."""
    import sqlite3

    root = make_repo(REPO)
    _three_requests(fake_openai, root)
    path = History(root).store.path
    with sqlite3.connect(path) as con:
        con.execute("UPDATE sessions SET created = created - 10 * 86400 WHERE id IN (1, 4)")
    con.close()

    out = _history(root, capsys, "--prune", "--older-than", "5")

    assert out.startswith("pruned 4 sessions: 2 requests and their repair rounds\n"), out
    assert _ids(root) == [3]
    doc = json.loads(_history(root, capsys, "--json"))
    assert [s["session_id"] for s in doc["sessions"]] == [3] and doc["sessions_total"] == 1
