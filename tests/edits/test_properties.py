"""Property tests: an edit generated from (a, b) applied to a gives b, in every format;
accept-all gives the proposal and reject-all the original."""

from __future__ import annotations

import difflib

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.edits import Changeset, apply_edits

# Lines drawn from a pool where most lines are unique, with some blank and repeated ones,
# so that three lines of context always make a hunk unique.
_line = st.one_of(
    st.integers(0, 10**6).map(lambda i: f"    value_{i} = compute({i})"),
    st.sampled_from(["", "    pass", "}"]),
)


@st.composite
def before_after(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    a = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=40, unique=True))
    old = [f"line_{i} = {i}" for i in a]
    new = list(old)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["insert", "delete", "change"]))
        at = draw(st.integers(0, len(new)))
        if op == "insert":
            new[at:at] = draw(st.lists(_line, min_size=1, max_size=3))
        elif new and at < len(new):
            if op == "delete":
                del new[at]
            else:
                new[at] = draw(_line)
    return old, new


def _render(fmt: str, old: list[str], new: list[str], eol: str) -> str:
    if fmt == "whole":
        return "f.py\n```\n" + "\n".join(new) + "\n```\n"
    out = []
    groups = difflib.SequenceMatcher(None, old, new, autojunk=False).get_grouped_opcodes(3)
    if fmt == "udiff":
        out += ["--- a/f.py", "+++ b/f.py"]
    if fmt == "patch":
        out += ["*** Begin Patch", "*** Update File: f.py"]
    for group in groups:
        a_lines = [x for _t, i1, i2, _j1, _j2 in group for x in old[i1:i2]]
        ops = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                ops += [" " + x for x in old[i1:i2]]
            else:
                ops += ["-" + x for x in old[i1:i2]] + ["+" + x for x in new[j1:j2]]
        if fmt == "search-replace":
            b_lines = [x for _t, _i1, _i2, j1, j2 in group for x in new[j1:j2]]
            out += ["f.py", "<<<<<<< SEARCH", *a_lines, "=======", *b_lines, ">>>>>>> REPLACE"]
            continue
        out.append("@@ -1,1 +1,1 @@" if fmt == "udiff" else "@@")
        out += ops
    if fmt == "patch":
        out.append("*** End Patch")
    return "\n".join(out) + "\n"


@settings(max_examples=80, deadline=None)
@given(
    before_after(),
    st.sampled_from(["udiff", "search-replace", "patch", "whole"]),
    st.sampled_from(["\n", "\r\n"]),
    st.booleans(),
)
def test_edit_from_a_to_b_applied_to_a_gives_b(
    pair: tuple[list[str], list[str]], fmt: str, eol: str, final: bool
) -> None:
    old, new = pair
    if old == new or not new or (fmt == "whole" and not any(x.strip() for x in new)):
        return  # nothing to edit, or an empty fence (read as no file at all)
    a = eol.join(old) + (eol if final else "")
    eol = eol if eol in a else "\n"  # a file without any line ending gets "\n" lines
    b = eol.join(new) + (eol if final else "")
    text = _render(fmt, old, new, eol)
    assert {"f.py": a, **apply_edits({"f.py": a}, text)}["f.py"] == b
    cs = Changeset.from_text({"f.py": a}, text)
    cs.reject_all()
    assert cs.result() == {}
    cs2 = Changeset.from_text({"f.py": a}, text)
    cs2.accept_all()
    assert cs2.result() == {"f.py": b}
