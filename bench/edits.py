"""Edit engine benchmark: real Django files, realistic edits, the mistakes models make.

    python3 bench/edits.py                 # ~1 minute on 2 cores
    python3 bench/edits.py --adversarial   # only the hostile answers, a few seconds

Tasks come from Django 5.1.4 source files (``bench/_django.py``): changed function bodies,
added parameters, moved methods, and identifiers renamed across files. Each task is rendered
in every format (unified diff, SEARCH/REPLACE, ``*** Begin Patch``, whole file), then one
mistake is injected. Every (mistake, format) row reports:

- exact: the result is byte-identical to the intended files;
- clean failure: an ``EditError`` was raised (nothing would be written);
- silently wrong: a result came back and it is not the intended one.

Targets: >= 99% exact among tasks whose edit carries enough information to be unique (every
hunk's lines, or every elided segment, occur once in the file), and 0 silently wrong in
every row. Also: apply a 500-file edit in under 1 s, against ``git apply --check`` on the
same diff as a peer measured in the same run.

Adversarial answers (``--adversarial``): inputs of up to 1 MB built to hit quadratic or
exponential paths (markers followed by a megabyte of spaces, SEARCH blocks that match
nothing, hunks over files of equal lines, whole files of repeated lines, 20,000 blocks on
one file, a long line or blank run streamed in small chunks). Each must parse and apply or
be refused in under 1 s; the ratio is against reading the answer once (its lines and a
sha-256) in the same run.
"""

from __future__ import annotations

import os
import sys

# Run as a script, this folder comes first on sys.path, where a sibling module may shadow
# the standard library (bench/select.py shadows ``select``): use the repository root instead.
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, os.path.dirname(_HERE))

import difflib  # noqa: E402
import hashlib  # noqa: E402
import itertools  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, replace  # noqa: E402
from pathlib import Path  # noqa: E402

from assistant.edits import EditParser, apply_edits, plan_edits  # noqa: E402
from assistant.edits.parse import search_replace_ops  # noqa: E402
from assistant.errors import EditError  # noqa: E402
from bench._django import django_tree  # noqa: E402

SEED = 20241204
N_FILES = 70
Group = list[tuple[str, str]]  # (op, text)


@dataclass(frozen=True)
class FileDiff:
    path: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    groups: tuple[
        tuple[int, int, tuple[tuple[str, str], ...]], ...
    ]  # (old_start0, new_start0, ops)
    dropped: tuple[tuple[int, int], ...] = ()  # (group, index in ops) of a dropped context line


@dataclass(frozen=True)
class Task:
    kind: str
    files: dict[str, str]
    intended: dict[str, str]


# -- tasks from real code ------------------------------------------------------------------

_DEF = re.compile(r"^(\s*)def (\w+)\((.*)\):\s*$")


def _blocks(lines: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, indent) of every def whose signature fits on one line."""
    out = []
    for i, line in enumerate(lines):
        m = _DEF.match(line)
        if not m:
            continue
        indent = m.group(1)
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(indent + " ")):
            j += 1
        while j > i + 1 and not lines[j - 1].strip():
            j -= 1
        out.append((i, j, indent))
    return out


def _body_edit(lines: list[str], rng: random.Random) -> list[str] | None:
    blocks = [b for b in _blocks(lines) if b[1] - b[0] >= 5]
    if not blocks:
        return None
    s, e, _ = rng.choice(blocks)
    body = [
        i
        for i in range(s + 2, e)
        if lines[i].strip() and not lines[i].strip().startswith(('"', "'"))
    ]
    if not body:
        return None
    i = rng.choice(body)
    new = list(lines)
    indent = re.match(r"\s*", lines[i]).group(0)  # type: ignore[union-attr]
    if lines[i].strip().startswith("return ") and lines[i].rstrip().endswith(")") is False:
        new[i] = lines[i].replace("return ", "return (", 1) + ")"
    else:
        new[i] = lines[i] + "  # reviewed"
    new.insert(i + 1, f"{indent}_trace({rng.randrange(1000)})")
    return new


def _param_edit(lines: list[str], rng: random.Random) -> list[str] | None:
    blocks = [b for b in _blocks(lines) if b[1] - b[0] >= 3]
    if not blocks:
        return None
    s, _e, indent = rng.choice(blocks)
    m = _DEF.match(lines[s])
    assert m
    args = m.group(3)
    extra = "strict=False" if not args else (", strict=False" if "**" not in args else None)
    if extra is None:
        return None
    new = list(lines)
    new[s] = f"{indent}def {m.group(2)}({args}{extra}):"
    body = s + 1
    while body < len(lines) and not lines[body].strip():
        body += 1
    inner = re.match(r"\s*", lines[body]).group(0)  # type: ignore[union-attr]
    if lines[body].strip().startswith(('"""', "'''", 'r"""')):  # keep the docstring first
        q = lines[body].strip()[:3] if not lines[body].strip().startswith("r") else '"""'
        end = body
        if lines[body].strip().count(q) < 2:
            end = body + 1
            while end < len(lines) and q not in lines[end]:
                end += 1
        body = end + 1
    new.insert(
        body, f"{inner}self._strict = strict" if "self" in args else f"{inner}_strict = strict"
    )
    return new


def _move_edit(lines: list[str], rng: random.Random) -> list[str] | None:
    blocks = _blocks(lines)
    pairs = []
    for a, b in itertools.pairwise(blocks):
        if a[2] == b[2] and a[1] <= b[0] and all(not x.strip() for x in lines[a[1] : b[0]]):
            pairs.append((a, b))
    if not pairs:
        return None
    (s1, e1, _), (s2, e2, _) = rng.choice(pairs)
    gap = lines[e1:s2]
    return lines[:s1] + lines[s2:e2] + gap + lines[s1:e1] + lines[e2:]


def _rename_edit(
    texts: dict[str, list[str]], path: str, rng: random.Random
) -> dict[str, list[str]] | None:
    names = [m.group(2) for line in texts[path] if (m := _DEF.match(line))]
    names = [n for n in names if len(n) >= 8 and not n.startswith("__")]
    if not names:
        return None
    name = rng.choice(names)
    word = re.compile(rf"\b{name}\b")
    out = {}
    others = [p for p in texts if p != path and word.search("\n".join(texts[p]))]
    for p in [path, *others[:3]]:
        out[p] = [word.sub(name + "_v2", line) for line in texts[p]]
    return out


def build_tasks(root: Path) -> list[Task]:
    rng = random.Random(SEED)
    paths = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "django").rglob("*.py")
        if 120 <= p.read_text(encoding="utf-8").count("\n") <= 1500
    )
    chosen = rng.sample(paths, N_FILES)
    texts = {p: (root / p).read_text(encoding="utf-8").split("\n")[:-1] for p in chosen}
    tasks = []
    for i, path in enumerate(chosen):
        lines = texts[path]
        kind = ("body", "param", "move", "rename")[i % 4]
        if kind == "rename":
            renamed = _rename_edit(texts, path, rng)
            if renamed:
                files = {p: "\n".join(texts[p]) + "\n" for p in renamed}
                intended = {p: "\n".join(v) + "\n" for p, v in renamed.items()}
                tasks.append(Task(kind, files, intended))
            continue
        fn: Callable[[list[str], random.Random], list[str] | None] = {
            "body": _body_edit, "param": _param_edit, "move": _move_edit}[kind]  # fmt: skip
        new = fn(lines, rng)
        if new and new != lines:
            tasks.append(Task(kind, {path: "\n".join(lines) + "\n"}, {path: "\n".join(new) + "\n"}))
    return tasks


# -- rendering -----------------------------------------------------------------------------


def diff_of(path: str, old: str, new: str, context: int = 3) -> FileDiff:
    a, b = old.split("\n")[:-1], new.split("\n")[:-1]
    groups = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        ops: list[tuple[str, str]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                ops += [(" ", x) for x in a[i1:i2]]
            else:
                ops += [("-", x) for x in a[i1:i2]] + [("+", x) for x in b[j1:j2]]
        groups.append((group[0][1], group[0][3], tuple(ops)))
    return FileDiff(path, tuple(a), tuple(b), tuple(groups))


def _header(old_start: int, new_start: int, ops: Group, how: str, rng: random.Random) -> str:
    n_old = sum(1 for o, _ in ops if o != "+")
    n_new = sum(1 for o, _ in ops if o != "-")
    a, b = old_start + 1, new_start + 1
    if how == "bare":
        return "@@ ... @@"
    if how == "wrong-lines":
        shift = rng.choice([-40, -7, -3, 5, 12, 60])
        a, b = max(1, a + shift), max(1, b + shift)
    if how == "bad-counts":
        n_old, n_new = n_old + rng.choice([-2, -1, 1, 4]), n_new + rng.choice([-2, 1, 3])
    if how == "no-counts":
        return f"@@ -{a} +{b} @@"
    return f"@@ -{a},{n_old} +{b},{n_new} @@"


def render(diffs: list[FileDiff], fmt: str, *, header: str, rng: random.Random) -> str:
    out = ["Here are the changes.", ""]
    for d in diffs:
        if fmt == "udiff":
            out += ["```diff", f"--- a/{d.path}", f"+++ b/{d.path}"]
            for a, b, ops in d.groups:
                out.append(_header(a, b, list(ops), header, rng))
                out += [op + text for op, text in ops]
            out += ["```", ""]
        elif fmt == "search-replace":
            for _a, _b, ops in d.groups:
                out += [d.path, "```python", "<<<<<<< SEARCH"]
                out += [t for o, t in ops if o != "+"]
                out += ["======="]
                out += [t for o, t in ops if o != "-"]
                out += [">>>>>>> REPLACE", "```", ""]
        elif fmt == "patch":
            out += ["*** Begin Patch", f"*** Update File: {d.path}"]
            for _a, _b, ops in d.groups:
                out.append("@@")
                out += [op + text for op, text in ops]
            out += ["*** End Patch", ""]
        elif fmt == "whole":
            out += [f"`{d.path}`", "```python", *d.new, "```", ""]
    out.append("Let me know if you want more.")
    return "\n".join(out) + "\n"


# -- mistakes --------------------------------------------------------------------------------


def _map_ops(
    d: FileDiff, fn: Callable[[int, tuple[tuple[str, str], ...]], tuple[tuple[str, str], ...]]
) -> FileDiff:
    return replace(d, groups=tuple((a, b, fn(k, ops)) for k, (a, b, ops) in enumerate(d.groups)))


def trailing_ws(d: FileDiff, rng: random.Random) -> FileDiff:
    return _map_ops(d, lambda _k, ops: tuple(
        (o, t + rng.choice(["", " ", "  ", "\t"]) if o != "+" and t.strip() else t) for o, t in ops
    ))  # fmt: skip


def indent_drift(d: FileDiff, rng: random.Random) -> FileDiff:
    return _map_ops(d, lambda _k, ops: tuple((o, "    " + t if t.strip() else t) for o, t in ops))


def outdent(d: FileDiff, rng: random.Random) -> FileDiff:
    def fn(_k: int, ops: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        widths = [len(t) - len(t.lstrip()) for _o, t in ops if t.strip()]
        cut = min(widths) if widths else 0
        return tuple((o, t[cut:] if t.strip() else t) for o, t in ops)

    return _map_ops(d, fn)


def drop_context(d: FileDiff, rng: random.Random) -> FileDiff:
    dropped = []

    def fn(k: int, ops: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        spots = [i for i in range(1, len(ops) - 1)
                 if ops[i - 1][0] == ops[i][0] == ops[i + 1][0] == " "]  # fmt: skip
        if not spots:
            return ops
        i = rng.choice(spots)
        dropped.append((k, i))
        return ops[:i] + ops[i + 1 :]

    out = _map_ops(d, fn)
    return replace(out, dropped=tuple(dropped))


def _dropped_is_placeable(d: FileDiff, original: FileDiff, fmt: str) -> bool:
    """Whether the edit still says where each dropped context line goes.

    It does when the line sits between two context lines with nothing added between them,
    and, if it repeats a neighbour (one of a run of blank lines, say), no change touches
    that run: otherwise any line of the run could be the one left out, and the readings
    differ. A SEARCH/REPLACE block does not say which lines are context; that is read off
    its two sides, so it is judged on that reading.
    """
    for k, i in d.dropped:
        ops = list(original.groups[k][2])
        t = sum(1 for o, _ in ops[:i] if o != "+")  # index of the dropped line among before
        if fmt == "search-replace":
            ops = list(search_replace_ops([x for o, x in ops if o != "+"],
                                          [x for o, x in ops if o != "-"]))  # fmt: skip
        at = [j for j, (o, _) in enumerate(ops) if o != "+"]
        text = [x for o, x in ops if o != "+"]
        lo, hi = t - 1, t + 1
        if any(ops[at[j]][0] != " " for j in (lo, t, hi)) or at[hi] - at[lo] != 2:
            return False
        if text[t] in (text[lo], text[hi]):
            while lo > 0 and text[lo - 1] == text[t]:
                lo -= 1
            while hi < len(text) - 1 and text[hi + 1] == text[t]:
                hi += 1
            span = ops[max(0, at[lo] - 1) : at[hi] + 2]
            if any(o != " " for o, _ in span):
                return False
    return True


def elide(d: FileDiff, rng: random.Random) -> FileDiff:
    def fn(_k: int, ops: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
        lead = 0
        while lead < len(ops) and ops[lead][0] == " ":
            lead += 1
        if lead < 6:
            return ops
        return (*ops[:2], (" ", "..."), *ops[4:])

    return _map_ops(d, fn)


def _segments_unique(text: str, ops: tuple[tuple[str, str], ...]) -> bool:
    lines = text.split("\n")[:-1]
    segs: list[list[str]] = [[]]
    for o, t in ops:
        if o == " " and t == "...":
            segs.append([])
        elif o != "+":
            segs[-1].append(t)
    for seg in segs:
        if not seg:
            continue
        n = len(seg)
        hits = sum(1 for i in range(len(lines) - n + 1) if lines[i : i + n] == seg)
        if hits != 1:
            return False
    return True


MISTAKES: dict[str, tuple[set[str], Callable[[FileDiff, random.Random], FileDiff] | None, str]] = {
    # name: (formats, transform of the hunks, @@ header style)
    "none": ({"udiff", "search-replace", "patch", "whole"}, None, "right"),
    "wrong line numbers": ({"udiff"}, None, "wrong-lines"),
    "bad hunk counts": ({"udiff"}, None, "bad-counts"),
    "missing hunk counts": ({"udiff"}, None, "no-counts"),
    "bare @@ ... @@": ({"udiff"}, None, "bare"),
    "trailing whitespace drift": ({"udiff", "search-replace", "patch"}, trailing_ws, "right"),
    "indentation drift": ({"udiff", "search-replace", "patch"}, indent_drift, "right"),
    "hunk outdented": ({"udiff", "search-replace", "patch"}, outdent, "right"),
    "dropped context line": ({"udiff", "search-replace", "patch"}, drop_context, "right"),
    "CRLF file": ({"udiff", "search-replace", "patch", "whole"}, None, "right"),
    "no final newline": ({"udiff", "search-replace", "patch", "whole"}, None, "right"),
    "... elision": ({"udiff", "search-replace", "patch"}, elide, "right"),
}
FORMATS = ("udiff", "search-replace", "patch", "whole")


def run_case(task: Task, mistake: str, fmt: str, rng: random.Random) -> tuple[str, bool]:
    """('exact' | 'failed' | 'wrong', informative)."""
    _formats, transform, header = MISTAKES[mistake]
    context = 6 if mistake == "... elision" else 3
    diffs = [diff_of(p, task.files[p], task.intended[p], context) for p in task.files]
    informative = fmt == "whole" or all(
        _segments_unique(task.files[d.path], ops) for d in diffs for _a, _b, ops in d.groups
    )
    if transform is not None:
        originals = diffs
        diffs = [transform(d, rng) for d in diffs]
        if mistake == "dropped context line":
            informative = informative and all(
                _dropped_is_placeable(d, o, fmt) for d, o in zip(diffs, originals, strict=True)
            )
    files, intended = dict(task.files), dict(task.intended)
    if mistake == "CRLF file":
        files = {p: t.replace("\n", "\r\n") for p, t in files.items()}
        intended = {p: t.replace("\n", "\r\n") for p, t in intended.items()}
    elif mistake == "no final newline":
        files = {p: t[:-1] for p, t in files.items()}
        intended = {p: t[:-1] for p, t in intended.items()}
    if mistake == "... elision":
        informative = all(
            _segments_unique(task.files[d.path], ops) for d in diffs for _a, _b, ops in d.groups
        )
    text = render(diffs, fmt, header=header, rng=rng)
    try:
        got = apply_edits(files, text)
    except EditError:
        return "failed", informative
    result = {**files, **got}
    return ("exact" if result == {**files, **intended} else "wrong"), informative


def accuracy(tasks: list[Task]) -> bool:
    rng = random.Random(SEED + 1)
    print(f"{len(tasks)} tasks from Django {Counter(t.kind for t in tasks)}")
    print(f"{'mistake':<26} {'format':<15} {'n':>4} {'uniq':>5} {'exact':>6} {'exact%':>7} "
          f"{'failed':>6} {'wrong':>5}  verdict")  # fmt: skip
    ok = True
    totals = Counter()
    for mistake, (formats, _t, _h) in MISTAKES.items():
        for fmt in FORMATS:
            if fmt not in formats:
                continue
            c: Counter[str] = Counter()
            for task in tasks:
                outcome, informative = run_case(task, mistake, fmt, rng)
                c[outcome] += 1
                c["n"] += 1
                if informative:
                    c["uniq"] += 1
                    c["uniq_exact"] += outcome == "exact"
            pct = 100.0 * c["uniq_exact"] / c["uniq"] if c["uniq"] else 100.0
            good = pct >= 99.0 and c["wrong"] == 0
            ok &= good
            totals.update(c)
            print(f"{mistake:<26} {fmt:<15} {c['n']:>4} {c['uniq']:>5} {c['exact']:>6} "
                  f"{pct:>6.1f}% {c['failed']:>6} {c['wrong']:>5}  {'PASS' if good else 'FAIL'}")  # fmt: skip
    pct = 100.0 * totals["uniq_exact"] / max(1, totals["uniq"])
    print(f"{'all':<26} {'':<15} {totals['n']:>4} {totals['uniq']:>5} {totals['exact']:>6} "
          f"{pct:>6.1f}% {totals['failed']:>6} {totals['wrong']:>5}")  # fmt: skip
    return ok


def speed(root: Path) -> bool:
    rng = random.Random(SEED + 2)
    paths = sorted(p.relative_to(root).as_posix() for p in (root / "django").rglob("*.py"))
    files: dict[str, str] = {}
    intended: dict[str, str] = {}
    for path in paths:
        if len(files) == 500:
            break
        text = (root / path).read_text(encoding="utf-8")
        lines = text.split("\n")[:-1]
        new = _body_edit(lines, rng)
        d = diff_of(path, text, "\n".join(new) + "\n") if new else None
        if new and d and all(_segments_unique(text, ops) for _a, _b, ops in d.groups):
            files[path], intended[path] = text, "\n".join(new) + "\n"
    diffs = [diff_of(p, files[p], intended[p]) for p in files]
    patch = render(diffs, "udiff", header="right", rng=rng)
    sr = render(diffs, "search-replace", header="right", rng=rng)
    timings = {}
    for name, text in (("udiff", patch), ("search-replace", sr)):
        best = float("inf")
        for _ in range(3):
            t0 = time.perf_counter()
            got = apply_edits(files, text)
            best = min(best, time.perf_counter() - t0)
        assert all(got[p] == intended[p] for p in files), name
        timings[name] = best
    raw = "".join(
        "".join(
            difflib.unified_diff(
                files[p].splitlines(True), intended[p].splitlines(True), f"a/{p}", f"b/{p}"
            )
        )
        for p in files
    )
    t0 = time.perf_counter()
    done = subprocess.run(["git", "apply", "--check", "-"], cwd=root, input=raw.encode(),
                          capture_output=True, check=False)  # fmt: skip
    git_time = time.perf_counter() - t0
    size = sum(len(t) for t in files.values()) / 1e6
    print(
        f"\n500-file edit ({len(files)} files, {size:.1f} MB of source, {len(patch) / 1e3:.0f} kB diff):"
    )
    for name, t in timings.items():
        print(f"  apply_edits {name:<15} {t * 1000:7.1f} ms")
    ok_git = "ok" if done.returncode == 0 else f"exit {done.returncode}"
    print(f"  git apply --check (peer)    {git_time * 1000:7.1f} ms ({ok_git}); "
          f"ratio udiff/git {timings['udiff'] / git_time:.1f}x")  # fmt: skip
    good = max(timings.values()) < 1.0
    print(f"  target < 1 s: {'PASS' if good else 'FAIL'}")
    return good


# -- adversarial answers ---------------------------------------------------------------------

MB = 1_000_000


def _lines(prefix: str, n: int) -> str:
    return "".join(f"{prefix}{i}\n" for i in range(n))


def _fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def _sr(path: str, search: str, replace: str) -> str:
    return f"{path}\n```\n<<<<<<< SEARCH\n{search}=======\n{replace}>>>>>>> REPLACE\n```\n"


def adversarial_cases() -> list[tuple[str, dict[str, str], str, int]]:
    """(name, files, answer, chunk) with answers of up to 1 MB; chunk > 0: streamed in
    pieces of that many characters, as a model's answer arrives."""
    code = _lines("value = compute(", 2000)
    same = "x = 1\n" * 100_000
    cases = [
        ("'>>>>>>>' + 1 MB of spaces in a block",
         {"a.py": "x\n"}, "a.py\n<<<<<<< SEARCH\nx\n=======\n>>>>>>>" + " " * MB + "x\n", 0),
        ("fence + 1 MB of spaces", {}, "a.py\n```" + " " * MB + "`\n", 0),
        ("'*** Update File:' + 1 MB of spaces", {},
         "*** Begin Patch\n*** Update File: a" + " " * MB + "b\n*** End Patch\n", 0),
        ("'diff --git' + 1 MB of ' a'", {}, "diff --git" + " a" * (MB // 2) + "\n", 0),
        ("'@@ -1' + 1 MB of spaces", {"a.py": "x\n"},
         "--- a/a.py\n+++ b/a.py\n@@ -1" + " " * MB + "x\n-x\n+y\n", 0),
        ("SEARCH of 20k lines, no match", {"a.py": code},
         _sr("a.py", _lines("missing = line(", 20_000), "x\n"), 0),
        ("hunk of 140k lines over equal lines", {"a.py": same},
         "--- a/a.py\n+++ b/a.py\n@@\n" + " x = 1\n" * 140_000 + "-x = 1\n+y = 2\n", 0),
        ("whole file of 50k lines, repeats", {"a.py": _lines("old(", 50_000)},
         "a.py\n```\n" + "}\n\n" * 25_000 + _lines("new(", 25_000) + "```\n", 0),
        ("SEARCH of long lines, no match (closest)", {"a.py": _lines("a" * 200, 2000)},
         _sr("a.py", _lines("b" * 200, 4000), "x\n"), 0),
        ("10 refused 231-line hunks of braces (closest)", {"a.c": "}\n  }\n" * 3000},
         "".join("--- a/a.c\n+++ b/a.c\n@@\n" + "   }\n" * 230 + f"-gone {i}\n+x\n"
                 for i in range(10)), 0),
        ("20k SEARCH blocks on one file", {"a.py": _lines("line ", 40_000)},
         "".join(_sr("a.py", f"line {i}\n", f"row {i}\n") for i in range(0, 40_000, 2))[:MB], 0),
        ("one 1 MB line, streamed by 16", {}, _fill("a", MB), 16),
        ("1 MB of blank lines after a fence, streamed by 16", {"a.py": "x\n"},
         "a.py\n```\n" + "\n" * MB, 16),
        ("1 MB of '+' lines in a hunk, streamed by 64", {"a.py": "x\n"},
         "--- a/a.py\n+++ b/a.py\n@@\n x\n" + _fill("+y\n", MB), 64),
    ]  # fmt: skip
    return cases


def _outcome(files: dict[str, str], answer: str, chunk: int) -> str:
    if chunk:
        parser = EditParser()
        edits = [
            e for i in range(0, len(answer), chunk) for e in parser.feed(answer[i : i + chunk])
        ]
        edits += parser.close()
        if parser.problems and not edits:
            return f"refused ({len(parser.problems)} problem(s))"
        try:
            plans = plan_edits(files, edits)
        except EditError:
            return "refused"
        failed = sum(len(p.failures) for p in plans)
        return f"{len(edits)} edit(s), {failed} refused hunk(s)"
    try:
        got = apply_edits(files, answer)
    except EditError as exc:
        lines = str(exc).split("\n")
        return "refused: " + (lines[1] if len(lines) > 1 else lines[0]).strip()[:60]
    return f"applied ({len(got)} file(s))"


def _floor(answer: str) -> float:
    """Reading the answer once: its lines and a sha of it."""
    t0 = time.perf_counter()
    answer.splitlines()
    hashlib.sha256(answer.encode()).hexdigest()
    return time.perf_counter() - t0


def adversarial() -> bool:
    print("\nadversarial answers (parse + apply or refuse; target < 1 s each):")
    print(f"  {'case':<50} {'size':>8} {'time':>9} {'floor':>8} {'ratio':>7}  verdict  outcome")
    ok = True
    for name, files, answer, chunk in adversarial_cases():
        t0 = time.perf_counter()
        outcome = _outcome(files, answer, chunk)
        took = time.perf_counter() - t0
        floor = _floor(answer)
        good = took < 1.0
        ok &= good
        print(f"  {name:<50} {len(answer) / 1e3:>6.0f}kB {took * 1000:>7.0f}ms "
              f"{floor * 1000:>6.1f}ms {took / floor:>6.0f}x  {'PASS' if good else 'FAIL':<7}  "
              f"{outcome}")  # fmt: skip
    print(f"  adversarial: {'PASS' if ok else 'FAIL'}")
    return ok


def main() -> int:
    if "--adversarial" in sys.argv[1:]:
        return 0 if adversarial() else 1
    root = django_tree()
    t0 = time.perf_counter()
    tasks = build_tasks(root)
    ok = accuracy(tasks)
    print(f"accuracy: {'PASS' if ok else 'FAIL'} (>= 99% exact where unique, 0 silently wrong)"
          f"  [{time.perf_counter() - t0:.1f} s]")  # fmt: skip
    fast = speed(root)
    hard = adversarial()
    return 0 if ok and fast and hard else 1


if __name__ == "__main__":
    raise SystemExit(main())
