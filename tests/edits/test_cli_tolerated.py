"""``tome apply`` and ``tome ask --apply`` say which hunks were placed by a tolerance.

A real file (CPython's ``textwrap.py``) in a real git repository, with trailing whitespace
on two lines, and a real ``git diff`` of it made from the clean file: hunk 1 matches
exactly, hunk 2 only with trailing whitespace ignored. Both are applied; the report names
hunk 2's tolerance and nothing for hunk 1.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply
from tolerancekit import DRIFTED, EXPECTED, PATCH, STARTS

from assistant.cli import main

pytestmark = pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")


def _patch(tmp_path: Path) -> Path:
    path = tmp_path / "change.diff"
    path.write_text(PATCH, encoding="utf-8")
    return path


def test_apply_json_names_the_tolerance_of_each_hunk(make_repo, capsys, tmp_path) -> None:
    root = make_repo({"textwrap.py": DRIFTED})
    code = main(["apply", str(_patch(tmp_path)), "--json", "-C", str(root)])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True
    (only,) = report["files"]
    exact, loose = only["hunks"]
    assert (exact["start"], exact["tolerated"]) == (STARTS[0], [])
    assert (loose["start"], loose["tolerated"]) == (STARTS[1], ["trailing whitespace ignored"])
    assert report["tolerated"] == 1
    assert (root / "textwrap.py").read_text(encoding="utf-8") == EXPECTED


def test_exact_hunks_have_empty_lists_and_no_mark(make_repo, capsys, tmp_path) -> None:
    root = make_repo({"textwrap.py": DRIFTED.replace("  \n", "\n")})
    assert main(["apply", str(_patch(tmp_path)), "--json", "--check", "-C", str(root)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [h["tolerated"] for h in report["files"][0]["hunks"]] == [[], []]
    assert report["tolerated"] == 0
    assert main(["apply", str(_patch(tmp_path)), "-C", str(root)]) == 0
    out = capsys.readouterr().out
    assert "~" not in out and "tolerance" not in out
    assert "M textwrap.py  (+2 -2, 2 hunks)" in out


@pytest.mark.parametrize("check", [False, True])
def test_apply_summary_marks_the_tolerated_hunk(make_repo, capsys, tmp_path, check) -> None:
    root = make_repo({"textwrap.py": DRIFTED})
    code = main(["apply", str(_patch(tmp_path)), "-C", str(root), *(["--check"] * check)])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    at = lines.index("M textwrap.py  (+2 -2, 2 hunks)")
    assert lines[at + 1] == f"    ~ hunk 2 at line {STARTS[1]}: trailing whitespace ignored"
    assert "~ hunk 1" not in out
    assert "1 hunk was placed by a tolerance, not an exact match (~ above)" in out
    written = (root / "textwrap.py").read_text(encoding="utf-8")
    assert written == (DRIFTED if check else EXPECTED)


ANSWER = """I simplify shorten and indent.

textwrap.py
```python
<<<<<<< SEARCH
    w = TextWrapper(width=width, max_lines=1, **kwargs)
    return w.fill(' '.join(text.strip().split()))
=======
    w = TextWrapper(width=width, max_lines=1, **kwargs)
    return w.fill(" ".join(text.split()))
>>>>>>> REPLACE
```

textwrap.py
```python
<<<<<<< SEARCH
    def prefixed_lines():
        for line in text.splitlines(True):
            yield (prefix + line if predicate(line) else line)
=======
    def prefixed_lines():
        for line in text.splitlines(True):
            yield prefix + line if predicate(line) else line
>>>>>>> REPLACE
```
"""
"""The same two edits as SEARCH/REPLACE blocks, as a model writes them (no trailing spaces)."""


def test_ask_apply_summary_marks_the_tolerated_hunk(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo({"textwrap.py": DRIFTED})
    fake_openai.push(Reply(text=ANSWER))
    code = main(["ask", "simplify", "-C", str(root), "--base-url", fake_openai.base_url,
                 "--model", "m", "--apply", "--yes"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    lines = err.splitlines()
    at = lines.index("  M textwrap.py  (+2 -2, 2 hunks)")
    start = DRIFTED.splitlines().index("    def prefixed_lines():  ") + 1
    assert lines[at + 1] == f"      ~ hunk 2 at line {start}: trailing whitespace ignored"
    assert "~ hunk 1" not in err
    assert "tome: 1 hunk was placed by a tolerance, not an exact match (~ above)" in err
    assert (root / "textwrap.py").read_text(encoding="utf-8") == EXPECTED
