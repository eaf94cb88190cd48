"""Repair rounds against the scripted fake server: failed hunks and failed checks go back to
the model on the same prompt prefix, bounded, the best round kept (assistant.rounds)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from fakeopenai import FakeOpenAI, Reply
from sessiondata import AssistantFactory

from assistant.checks import CheckReport, CheckRun
from assistant.edits import HunkState
from assistant.rounds import Round, stop_note
from assistant.session import Finished

# A small real module and its tests: rounds run real pytest on the changed texts.
CALC = '''"""Arithmetic helpers."""


def add(a, b):
    """The sum of a and b."""
    return a + b


def scale(values, factor):
    """Each value times factor."""
    return [v * factor for v in values]


def total(values):
    """The sum of values."""
    result = 0
    for v in values:
        result = add(result, v)
    return result
'''
TESTS = """from calc import add, scale, total


def test_add():
    assert add(2, 3) == 5


def test_scale():
    assert scale([1, 2], 3) == [3, 6]


def test_total():
    assert total([1, 2, 3]) == 6
"""
REPO = {"calc.py": CALC, "test_calc.py": TESTS, "README.md": "# calc\n"}


def _block(path: str, search: str, replace: str) -> str:
    return f"{path}\n```python\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


# round 1: the docstring hunk places, the scale hunk does not (the model misremembers it)
GOOD_DOC = _block("calc.py", '    """The sum of a and b."""\n', '    """Return a + b."""\n')
BAD_SCALE = _block(
    "calc.py",
    "def scale(vals, factor):\n    return [v * factor for v in vals]\n",
    "def scale(vals, factor):\n    return [v * factor for v in vals if v]\n",
)
GOOD_SCALE = _block(
    "calc.py",
    "    return [v * factor for v in values]\n",
    "    return [v * factor for v in values if v]\n",
)
RENAME_CALC = _block("calc.py", "def add(a, b):\n", "def plus(a, b):\n") + _block(
    "calc.py", "        result = add(result, v)\n", "        result = plus(result, v)\n"
)
RENAME_TESTS = _block("test_calc.py", "from calc import add, scale, total\n",
                      "from calc import plus, scale, total\n") + _block(
    "test_calc.py", "    assert add(2, 3) == 5\n", "    assert plus(2, 3) == 5\n"
)  # fmt: skip


class PytestChecker:
    """A real checker: the repository copied to a temp folder, the new texts written over
    it, ``python3 -m pytest`` run there in a subprocess; failures counted from its summary."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[dict[str, str | None]] = []

    def check(self, texts: Mapping[str, str | None]) -> CheckReport:
        self.calls.append(dict(texts))
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp) / "work"
            shutil.copytree(self.root, work, ignore=shutil.ignore_patterns(".git", ".tome"))
            for path, text in texts.items():
                target = work / path
                if text is None:
                    target.unlink(missing_ok=True)
                else:
                    target.write_text(text)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                cwd=work, capture_output=True, text=True, timeout=120, env=env,
            )  # fmt: skip
        out = done.stdout + done.stderr
        found = re.search(r"(\d+) (failed|error)", out)
        failures = int(found.group(1)) if found else (0 if done.returncode == 0 else 1)
        run = CheckRun("test", "python3 -m pytest -q", done.returncode, out[-3000:], 0.0, failures)
        return CheckReport((run,))


def _events(assistant, task: str, **kwargs):  # type: ignore[no-untyped-def]
    return list(assistant.stream(task, **kwargs))


def _finished(events) -> object:  # type: ignore[no-untyped-def]
    finished = [e for e in events if isinstance(e, Finished)]
    assert len(finished) == 1, "one Finished, last"
    assert events[-1] is finished[0]
    return finished[0].result


def test_round_two_places_the_hunk_that_did_not_place(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    first = "I tidy calc.\n\n" + GOOD_DOC + BAD_SCALE
    fake_openai.push(Reply(text=first), Reply(text="Here it is again.\n\n" + GOOD_SCALE))
    assistant = make_assistant(root)

    events = _events(assistant, "tidy calc")

    result = _finished(events)
    rounds = [e for e in events if isinstance(e, Round)]
    assert [(r.number, r.reason, r.failed) for r in rounds] == [(2, "placement", 1)]
    assert str(rounds[0]).startswith("round 2: 1 hunk did not place; asking again (cache: ")
    assert len(fake_openai.requests) == 2
    one, two = (r.messages for r in fake_openai.requests)
    assert two[: len(one)] == one  # byte-identical prefix: no re-pack
    assert two[len(one)] == {"role": "assistant", "content": first}
    followup = two[len(one) + 1]["content"]
    assert "calc.py, hunk 2 of 2 could not be applied" in followup
    assert "def scale(values, factor):" in followup  # the closest region, as the file has it
    assert result.stopped == "placed" and result.round == 2
    assert [i.reason for i in result.rounds] == ["first", "placement"]
    assert [(i.failed, i.fixed) for i in result.rounds] == [(1, 0), (0, 1)]
    assert result.rounds[1].stable_prefix_tokens == result.rounds[0].prompt_tokens > 0
    assert result.rounds[1].prompt_tokens > result.rounds[0].prompt_tokens
    assert not result.changeset.failures
    hunks = result.changeset["calc.py"].hunks
    assert [h.new_lines[0] for h in hunks] == ['    """Return a + b."""',
                                               "    return [v * factor for v in values if v]"]  # fmt: skip
    # stored: the round is a child session, and reviewing it opens the merged changeset
    assert result.parent_id == result.rounds[0].session_id
    loaded = assistant.load(result.session_id)
    assert [h.new_lines for h in loaded.changeset["calc.py"].hunks] == [h.new_lines for h in hunks]
    result.changeset.accept_all()
    assistant.apply(result)
    text = (root / "calc.py").read_text()
    assert '"""Return a + b."""' in text and "for v in values if v]" in text


def test_round_two_fixes_what_broke_a_check(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text="Renamed.\n\n" + RENAME_CALC),
                     Reply(text="The tests too.\n\n" + RENAME_TESTS))  # fmt: skip
    checker = PytestChecker(root)
    assistant = make_assistant(root)

    events = _events(assistant, "rename add to plus", checker=checker)

    result = _finished(events)
    rounds = [e for e in events if isinstance(e, Round)]
    assert [(r.number, r.reason) for r in rounds] == [(2, "checks")]
    assert rounds[0].check_failures >= 1
    assert "the checks failed" in str(rounds[0])
    followup = fake_openai.requests[1].messages[-1]["content"]
    assert "ImportError" in followup or "cannot import name 'add'" in followup
    assert [i.checks for i in result.rounds] == ["failed", "passed"]
    assert result.stopped == "passed" and result.round == 2
    assert len(checker.calls) == 2 and set(checker.calls[1]) == {"calc.py", "test_calc.py"}
    result.changeset.accept_all()
    assistant.apply(result)
    assert "def plus(a, b):" in (root / "calc.py").read_text()
    assert "from calc import plus" in (root / "test_calc.py").read_text()


def test_a_loop_that_never_converges_stops_at_max_rounds_with_the_best(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(*[Reply(text=f"Try {n}.\n\n" + GOOD_DOC + BAD_SCALE) for n in range(3)])
    assistant = make_assistant(root)

    events = _events(assistant, "tidy calc", max_rounds=2)

    result = _finished(events)
    assert len(fake_openai.requests) == 3
    assert [r.number for r in events if isinstance(r, Round)] == [2, 3]
    msgs = [r.messages for r in fake_openai.requests]
    assert msgs[1][: len(msgs[0])] == msgs[0] and msgs[2][: len(msgs[1])] == msgs[1]
    assert result.stopped == "max-rounds"
    assert result.round == 1 and result.session_id == result.rounds[0].session_id
    assert [i.failed for i in result.rounds] == [1, 1, 1]
    note = stop_note(result)
    assert note == "3 rounds, round 1 of 3 taken (the best): the rounds are spent"
    assert [h.state for h in result.changeset["calc.py"].hunks] == [
        HunkState.PENDING,
        HunkState.FAILED,
    ]


def test_a_worse_round_is_not_taken(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    worse = BAD_SCALE + _block("calc.py", "def totl(values):\n", "def total(values, start=0):\n")
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=worse), Reply(text=GOOD_SCALE))
    assistant = make_assistant(root)

    result = assistant.ask("tidy calc")

    assert len(fake_openai.requests) == 2  # stopped at the worse round; the third never sent
    assert [i.failed for i in result.rounds] == [1, 2]
    assert result.stopped == "worse" and result.round == 1
    assert result.session_id == result.rounds[0].session_id
    assert stop_note(result) == "2 rounds, round 1 of 2 taken (the best): a round made things worse"


def test_max_rounds_zero_sends_one_request(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))
    checker = PytestChecker(root)

    result = make_assistant(root).ask("tidy calc", max_rounds=0, checker=checker)

    assert len(fake_openai.requests) == 1
    assert result.stopped == "off" and len(result.changeset.failures) == 1
    assert checker.calls == []  # placement was not clean: nothing to check


def test_max_rounds_zero_in_the_user_config_sends_one_request(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI, _isolated_state: Path
) -> None:
    (_isolated_state / "config").mkdir(exist_ok=True)
    (_isolated_state / "config" / "config.toml").write_text("max_rounds = 0\n")
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_SCALE))

    result = make_assistant(root).ask("tidy calc")

    assert len(fake_openai.requests) == 1 and result.stopped == "off"


def test_a_hostile_round_is_refused_as_round_one_is(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI, tmp_path: Path
) -> None:
    root = make_repo(REPO)
    outside = tmp_path / "outside.py"
    hostile = (
        _block("../outside.py", "", "import os\n")
        + _block("calc.py", '    """The sum of a and b."""\n', '    """Owned."""\n')
        + GOOD_SCALE
    )
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=hostile))
    assistant = make_assistant(root)

    result = assistant.ask("tidy calc", max_rounds=1)

    assert result.stopped == "max-rounds" and [i.failed for i in result.rounds] == [1, 1]
    second = assistant.load(result.rounds[1].session_id)  # the round's own session
    assert any("refused path '../outside.py'" in p for p in second.problems)
    failures = second.changeset.failures
    assert [(f.kind, f.hunk) for f in failures] == [("overlap", 2)]  # the re-edit of hunk 1
    assert "overlaps hunk 1" in failures[0].detail
    hunks = second.changeset["calc.py"].hunks
    assert hunks[0].new_lines == ('    """Return a + b."""',)  # round 1's placed hunk stays
    assert hunks[2].new_lines == ("    return [v * factor for v in values if v]",)
    second.changeset.accept_all()
    assistant.apply(second)
    assert not outside.exists()
    text = (root / "calc.py").read_text()
    assert "Owned" not in text and '"""Return a + b."""' in text and "if v]" in text


def test_an_answer_without_edits_ends_the_loop(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text="I cannot find it."))

    result = make_assistant(root).ask("tidy calc", max_rounds=2)

    assert len(fake_openai.requests) == 2 and result.stopped == "stuck"
    assert result.round == 1 and len(result.changeset.failures) == 1


def test_a_round_that_sends_a_placed_edit_again_is_not_refused_for_it(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=GOOD_DOC + GOOD_SCALE))

    result = make_assistant(root).ask("tidy calc", max_rounds=1)

    assert result.stopped == "placed" and result.round == 2
    assert len(result.changeset["calc.py"].hunks) == 2 and not result.changeset.failures


def test_a_whole_file_after_a_placement_round_keeps_the_placed_hunks(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    whole = "calc.py\n```python\n" + CALC.replace("def add", "def plus") + "```\n"
    fake_openai.push(Reply(text=GOOD_DOC + BAD_SCALE), Reply(text=whole))

    result = make_assistant(root).ask("tidy calc", max_rounds=1)

    second = result.rounds[1]
    assert second.failed == 1  # the rewrite was refused: the scale hunk still fails
    loaded = make_assistant(root).load(second.session_id)
    assert any("rewrote calc.py whole" in p for p in loaded.problems)
    assert loaded.changeset["calc.py"].hunks[0].new_lines == ('    """Return a + b."""',)


def test_a_whole_file_after_a_checks_round_replaces_the_earlier_edits_of_it(
    make_repo, make_assistant: AssistantFactory, fake_openai: FakeOpenAI
) -> None:
    root = make_repo(REPO)
    whole = "calc.py\n```python\n" + CALC.replace('"""The sum of a and b."""', '"""a + b."""')
    fake_openai.push(Reply(text=RENAME_CALC), Reply(text=whole + "```\n"))
    checker = PytestChecker(root)

    result = make_assistant(root).ask("rename add to plus", checker=checker, max_rounds=1)

    assert [i.checks for i in result.rounds] == ["failed", "passed"]
    assert result.stopped == "passed" and result.round == 2
    texts = {p: t for f in result.changeset for p, t in f.plan.texts().items()}
    assert texts == {"calc.py": CALC.replace('"""The sum of a and b."""', '"""a + b."""')}
