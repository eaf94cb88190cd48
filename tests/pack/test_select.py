"""Task-aware selection: ranking, tiers under a budget, and the cache-friendly prefix."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from assistant import tokens
from assistant.packing import pack, rank_files
from assistant.packing.lexical import query_terms, split_identifier
from assistant.packing.select import Candidate, fill

BILLING = '''"""Invoices and payments."""

import decimal


class InvoiceRenderer:
    """Render an invoice as HTML."""

    def render_line_items(self, invoice):
        rows = []
        for item in invoice.items:
            rows.append(f"<tr><td>{item.name}</td><td>{item.price}</td></tr>")
        return "".join(rows)


def compute_tax(amount, rate):
    """Tax owed on an amount."""
    return decimal.Decimal(amount) * decimal.Decimal(rate)
'''

USERS = '''"""User accounts."""


class UserProfile:
    def display_name(self):
        return self.first_name + " " + self.last_name

    def avatar_url(self, size=64):
        return f"https://example.invalid/{self.id}?s={size}"
'''

VIEWS = """from billing import compute_tax


def checkout(request):
    total = compute_tax(request.amount, 0.2)
    return {"total": total}
"""


def _filler(i: int) -> str:
    body = "\n".join(f"    value_{j} = {j} * {i}" for j in range(30))
    return f'"""Module {i}."""\n\n\ndef helper_{i}(x):\n{body}\n    return x\n'


@pytest.fixture
def repo(make_repo) -> Path:
    files = {"billing.py": BILLING, "users/profile.py": USERS, "shop/views.py": VIEWS}
    files.update({f"misc/mod{i:02d}.py": _filler(i) for i in range(20)})
    return make_repo(files)


def test_identifiers_split_the_way_people_search() -> None:
    assert split_identifier("getHTTPResponse_code") == (
        "get",
        "http",
        "response",
        "code",
        "gethttpresponse_code",
    )
    assert query_terms("Fix InvoiceRenderer.render_line_items") == [
        "fix",
        "invoice",
        "renderer",
        "invoicerenderer",
        "render",
        "line",
        "items",
        "render_line_items",
    ]


def test_rank_files_puts_the_defining_file_first(repo: Path) -> None:
    ranked = rank_files(repo, "add a currency argument to compute_tax", limit=3)
    assert ranked[0][0] == "billing.py"
    assert ranked[1][0] == "shop/views.py"  # it calls compute_tax
    assert ranked[0][1] > ranked[1][1] > 0


def test_rank_files_uses_path_parts(repo: Path) -> None:
    ranked = rank_files(repo, "users should be able to set a profile avatar size", limit=1)
    assert ranked == [("users/profile.py", ranked[0][1])]


def test_budget_fills_tiers_in_rank_order(repo: Path) -> None:
    whole = pack(repo, encoding="cl100k_base")
    budget = whole.tokens // 3
    result = pack(repo, encoding="cl100k_base", budget=budget, task="compute_tax for invoices")
    tiers = {f.path: f.tier for f in result.files}
    assert tiers["billing.py"] == "full"
    assert result.tiers["skeleton"] > 0 and result.tiers["omitted"] > 0
    assert result.tokens <= budget
    assert result.tokens == tokens.count(result.text, "cl100k_base")
    skeletons = [f for f in result.files if f.tier == "skeleton"]
    for f in skeletons:
        assert 0 < f.shown_tokens < f.tokens
        assert f'<file path="{f.path}" tokens="{f.tokens}" tier="skeleton">' in result.text
    shown = result.text.split(f'<file path="{skeletons[0].path}"', 1)[1].split("</file>", 1)[0]
    body = shown.split("\n", 1)[1]
    assert "lines elided" in body or "elided" in body
    ast.parse(body)  # a Python skeleton is still Python


def test_without_a_task_the_budget_fills_in_path_order(repo: Path) -> None:
    whole = pack(repo, encoding="cl100k_base")
    result = pack(repo, encoding="cl100k_base", budget=whole.tokens * 2 // 3)
    shown = [f.path for f in result.files if f.tier == "full"]
    assert shown[0] == "billing.py" and result.tokens <= whole.tokens * 2 // 3


def _common_prefix(a: str, b: str) -> str:
    n = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    return a[:n]


def test_two_tasks_share_the_pack_as_prefix_when_it_fits(repo: Path) -> None:
    a = pack(repo, encoding="cl100k_base", budget=1_000_000, task="rename compute_tax")
    b = pack(repo, encoding="cl100k_base", budget=1_000_000, task="make avatars bigger")
    common = _common_prefix(a.text, b.text)
    shared = tokens.count(common, "cl100k_base")
    assert a.stable_prefix_tokens >= 0.95 * a.tokens
    assert a.stable_prefix_tokens <= shared + 1
    assert a.text.endswith("<task>\nrename compute_tax\n</task>\n")


def test_stable_prefix_is_only_the_header_when_the_task_picks_the_files(repo: Path) -> None:
    whole = pack(repo, encoding="cl100k_base")
    a = pack(repo, encoding="cl100k_base", budget=whole.tokens // 2, task="compute_tax")
    b = pack(repo, encoding="cl100k_base", budget=whole.tokens // 2, task="avatar_url size")
    common = _common_prefix(a.text, b.text)
    assert a.stable_prefix_tokens <= tokens.count(common, "cl100k_base") + 1
    assert 0 < a.stable_prefix_tokens < a.tokens // 4


def test_fill_omits_what_does_not_fit_and_goes_on() -> None:
    cands = [Candidate("a", 50, 5), Candidate("b", 500, 5), Candidate("c", 10, 5)]
    assert fill(cands, 80) == {"a": "full", "b": "omitted", "c": "full"}
    assert fill(cands, None) == {"a": "full", "b": "full", "c": "full"}


RANK_SCRIPT = """
import sys
from assistant.cache import Cache
from assistant.packing.rank import Weights, rank
from assistant.workspace import discover
ws = discover(sys.argv[1], cache=Cache.disabled())
out = rank(ws.files, "compute_tax InvoiceRenderer render_line_items checkout", weights=Weights(def_terms=0.0, defs=0.0, max_tagged=4))
print([p for p, _ in out])
"""


def test_ranking_does_not_depend_on_hash_seeds(repo: Path) -> None:
    import subprocess
    import sys

    seen = set()
    for seed in ("1", "2", "3", "4", "5", "6"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", RANK_SCRIPT, str(repo)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        seen.add(proc.stdout)
    assert len(seen) == 1


def test_a_repeated_budgeted_pack_reuses_its_tiers(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import assistant.packing as packing

    whole = pack(repo, encoding="cl100k_base")
    first = pack(repo, encoding="cl100k_base", budget=whole.tokens // 3, task="compute_tax")

    def no_fit(*args: object, **kwargs: object) -> None:
        raise AssertionError("tiers should come from the cache")

    monkeypatch.setattr(packing, "fit_budget", no_fit)
    again = pack(repo, encoding="cl100k_base", budget=whole.tokens // 3, task="compute_tax")
    assert again.text == first.text and again.tokens == first.tokens
    with pytest.raises(AssertionError, match="from the cache"):  # a new budget fits afresh
        pack(repo, encoding="cl100k_base", budget=whole.tokens // 4, task="compute_tax")
