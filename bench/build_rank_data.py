"""Build ``bench/data/rank_commits.json.xz``: real requests for ``bench/ranking.py``.

    python3 bench/build_rank_data.py [MIRROR_ROOT]     # default /work/.mirror

A request is a real commit of a public repository: the query is its message (subject and
body, trailers removed), the target is the set of files it modified, the pool is its parent's
tree. A conventional-commit subject (``fix(ranges): stop ...``, ``grep: add ...``) keeps its
scope word and loses its type (``ranges: stop ...``): a user names the part, not the kind
of change. Two kinds of case: ``commit`` (the message) and ``issue`` (a commit that says
``Fixes #123``: the issue's title cannot be fetched offline, so the query is the commit's
body without its subject and without the references, the closest stand-in for a report). Only the commit ids and messages are vendored; the benchmark reads the trees (and the
history before each commit, for the git signals) from the mirrors, bare clones named
``owner+name/repo`` as the ``fetch`` tool makes them.

Which commits: not merges, not bots; a subject of at least four words that is not a release,
version bump, typo fix, formatting or dependency update; 1 to 8 modified files that existed in
the parent (added, deleted and renamed files are not targets: they are not in the pool), not
counting changelog and news files, which the message does not predict. Sampled with a fixed
seed from each repository's history up to the pinned head, so a rebuild gives the same file.

The split is by repository: ``fit`` (for ``bench/fit_ranking.py``) and ``held`` (reported).
pallets/flask, encode/httpx and psf/requests are never used: they are the independent set.
"""

from __future__ import annotations

import json
import lzma
import random
import re
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "rank_commits.json.xz"
SEED = 20261202
PER_REPO = 34
PER_REPO_ISSUES = 8
MAX_TARGETS = 8

# repo: (split, pinned head). Both halves hold Python and other languages.
REPOS = {
    "more-itertools/more-itertools": ("fit", "2fe1b2eeb9d75f994113fe3ac76d14b6bcd6fb10"),
    "python-attrs/attrs": ("fit", "c1dc5dcba16ed827aa6dcad896b41a3afedb4e32"),
    "django/asgiref": ("fit", "a7cc976fe8a2395307834bc4aebb462b9f379d55"),
    "fastapi/typer": ("fit", "9a7b2e83f6b62c750d6026b0de9ebf2026a8b8fa"),
    "nedbat/coveragepy": ("fit", "210ade2b3bed97c089ba29255c9a342c5b7aee14"),
    "expressjs/express": ("fit", "a3714473feb3d2908add734d340e7755fd85e0a3"),
    "spf13/cobra": ("fit", "adbc8813901bba65827259daa8e22ff94ec1f30e"),
    "DaveGamble/cJSON": ("fit", "a29814f285cc531c00223743ad3c55cd38c0dc56"),
    "bottlepy/bottle": ("fit", "2a743a302a71460bfe4c0b8b7cb99a306b0328c6"),
    "falconry/falcon": ("fit", "ce0a35b8fd02747cc72710202886874906b0d47a"),
    "urllib3/urllib3": ("fit", "6a8536b6e1b0cbe69ae801337c599951e527ae29"),
    "hynek/structlog": ("fit", "025edaf799c6d6d511ab672d14c2ba8e885c4c36"),
    "marshmallow-code/marshmallow": ("fit", "341b927f219205704728c05cd61f04d7e9727523"),
    "serde-rs/serde": ("fit", "1023d077510b4aef36a41ef56fdb7798568a2654"),
    "rust-lang/log": ("fit", "037d7a58f6ad184abb3afc4db81d37c43a5696ec"),
    "square/javapoet": ("fit", "b9017a9503b76e11b4ad4c1a9f050e2d29112cb0"),
    "google/guice": ("fit", "621416a2408952eec8007e06e81f4dc21baa8ab0"),
    "go-chi/chi": ("fit", "735ae2b87f8c733d616e809ae86e0985c1bc3350"),
    "pypa/packaging": ("held", "053c884615f2e83d80705251b447769ec2599653"),
    "pytest-dev/pluggy": ("held", "e382e72789f8d791991c489d4322aa04e660b952"),
    "aio-libs/yarl": ("held", "7009e844cec7959e73741102ceadff49ed914291"),
    "Textualize/rich": ("held", "42899d8a0a96b121a514516f4be9db44ff7aeaf3"),
    "jazzband/pip-tools": ("held", "c58d5d945c0f20e9713e10f5fea2491a5c984f39"),
    "tokio-rs/tracing": ("held", "f40ccdaa03cf114c7ee1ef14949207626bf6be57"),
    "google/gson": ("held", "9835b6f90192f79cdf5300c528fc6212455fb6c1"),
    "BurntSushi/ripgrep": ("held", "3fce3b5bb0236da2df6d99672afb8a719642eca7"),
}
RESERVED = ("pallets/", "encode/httpx", "psf/requests")

_SKIP_SUBJECT = re.compile(
    r"^\W*(release|bump|prepare|version|v?\d+\.\d+)|\brelease (version|v?\d)|"
    r"^(deps|changelog|release|pkg|ci\(deps\)|chore\(deps\)|build\(deps\))\b|\bbump\b|"
    r"\b(typos?|spelling|changelog|changes\.rst|"
    r"pre-commit|autoupdate|dependabot|black|isort|ruff format|reformat|whitespace|"
    r"copyright|readme|merge|revert)\b",
    re.I,
)
_BOT = re.compile(r"\[bot\]|dependabot|pre-commit-ci|renovate|github-actions", re.I)
_TRAILER = re.compile(
    r"^(signed-off-by|co-authored-by|reviewed-by|acked-by|tested-by|reported-by|suggested-by|"
    r"helped-by|cc|pr-url|change-id|refs?|see|fixes|closes|issue)\b.*$|"
    r"^[A-Z][a-z]+(-[A-Za-z]+)+: .+$|^\(cherry picked from .*\)$",
    re.I,
)
_CONVENTIONAL = re.compile(
    r"^(fix|feat|chore|refactor|perf|style|bugfix|feature|enh|bug)(\(([^)]{1,40})\))?!?:\s*", re.I
)
_FIXES = re.compile(r"\b(fix(es|ed)?|close[sd]?|resolve[sd]?)\s*:?\s*#\d+", re.I)
_REFERENCE = re.compile(r"\(?(PR|pull request|issue|gh-?)?\s*#\d+\)?,?", re.I)
# Changelog, news and history *documents* (CHANGES.md, HISTORY.rst, NEWS, AUTHORS) and the
# fragments of a changelog folder (changelog.d/123.bugfix.rst): not a source file that happens
# to be called history.py or lives in a package named news/.
_DOC = r"(\.(md|rst|txt|adoc|markdown|asciidoc))?"
_CODE = r"\.(py|pyi|pyx|js|mjs|cjs|ts|tsx|go|rs|java|kt|c|h|cc|cpp|hpp|rb|cs|swift|sh)"
_CHANGELOG = re.compile(
    rf"(^|/)(changelog|changes|history|news|authors|contributors){_DOC}$|"
    rf"(^|/)(changelog\.d|changes|newsfragments|news|changelog)/(?!.*{_CODE}$)",
    re.I,
)


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=True)
    return out.stdout.decode("utf-8", "replace")


def raw_message(repo: Path, sha: str) -> str:
    return git(repo, "log", "-1", "--format=%B", sha).strip()


def subject_query(subject: str) -> str:
    """``fix(ranges): stop x`` -> ``ranges: stop x``; ``feat: add y`` -> ``add y``."""
    found = _CONVENTIONAL.match(subject)
    if not found:
        return subject
    scope = found.group(3)
    return (f"{scope}: " if scope else "") + subject[found.end() :]


def message(text: str) -> str:
    """Subject (its conventional type dropped) and body, without trailers (Signed-off-by,
    Co-authored-by, Fixes #1, ...): the subject is always kept."""
    lines = text.splitlines() or [""]
    kept = [line for line in lines[1:] if not _TRAILER.match(line.strip())]
    return "\n".join([subject_query(lines[0]), *kept]).strip()[:2000]


def issue_query(text: str) -> str | None:
    """The body of a commit that fixes an issue, references and trailers removed (None if
    it does not say it fixes one, or its body is too short to stand for a report)."""
    if not _FIXES.search(text):
        return None
    lines = text.splitlines()[1:]
    kept = [_REFERENCE.sub("", line) for line in lines if not _TRAILER.match(line.strip())]
    kept = [line for line in kept if not _FIXES.search(line)]
    body = "\n".join(kept).strip()
    return body[:2000] if len(body.split()) >= 8 else None


def candidates(repo: Path, head: str) -> list[dict]:
    log = git(repo, "log", "--no-merges", "--no-renames", "--name-status",
              "--format=@%H %P%x09%an <%ae>%x09%s", head)  # fmt: skip
    out: list[dict] = []
    current: dict | None = None

    def flush() -> None:
        if current is None or current["bad"]:
            return
        targets = [p for p in current["modified"] if not _CHANGELOG.search(p)]
        if 1 <= len(targets) <= MAX_TARGETS:
            out.append({"sha": current["sha"], "parent": current["parent"], "targets": targets})

    for line in log.splitlines():
        if line.startswith("@"):
            flush()
            head_part, author, subject = [*line[1:].split("\t", 2), "", ""][:3]
            shas = head_part.split()
            bad = (
                len(shas) != 2
                or len(subject.split()) < 4
                or bool(_SKIP_SUBJECT.search(subject))
                or bool(_BOT.search(author))
            )
            current = {"sha": shas[0], "parent": shas[-1], "modified": [], "bad": bad}
        elif line.strip() and current is not None:
            status, _, path = line.partition("\t")
            if status == "M":
                current["modified"].append(path)
    flush()
    return out


def build(mirrors: Path) -> list[dict]:
    cases: list[dict] = []
    for name, (split, head) in REPOS.items():
        assert not name.startswith(RESERVED), name
        repo = mirrors / name.replace("/", "+") / "repo"
        found = candidates(repo, head)
        rng = random.Random(f"{SEED}/{name}")
        rng.shuffle(found)
        picked: list[dict] = []
        issues = 0
        for case in found:  # issue cases first met, up to their share; commits up to theirs
            text = raw_message(repo, case["sha"])
            query = issue_query(text) if issues < PER_REPO_ISSUES else None
            if query is not None:
                issues += 1
                picked.append({**case, "kind": "issue", "message": query})
            elif len(picked) - issues < PER_REPO:
                picked.append({**case, "kind": "commit", "message": message(text)})
            if issues >= PER_REPO_ISSUES and len(picked) - issues >= PER_REPO:
                break
        for case in sorted(picked, key=lambda c: c["sha"]):
            cases.append({"repo": name, "split": split, **case})
        print(f"{name:32} {split:4} {len(found):5} eligible, {len(picked)} taken "
              f"({issues} issues)", file=sys.stderr)  # fmt: skip
    return cases


def main() -> None:
    mirrors = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror")
    cases = build(mirrors)
    payload = {"repos": {k: {"split": s, "head": h} for k, (s, h) in REPOS.items()}, "cases": cases}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(lzma.compress(json.dumps(payload, indent=0, sort_keys=True).encode()))
    print(f"{len(cases)} commits -> {OUT} ({OUT.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
