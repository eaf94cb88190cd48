"""One table of cache namespaces and versions (``cache.VERSIONS``): every namespace a real
pack reads or writes is ``namespace(kind, ...)`` of a kind in that table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from assistant.cache import VERSIONS, Cache, Value, namespace
from assistant.packing import pack

SOURCE = {
    "billing/tax.py": "def compute_tax(amount, rate):\n    return amount * rate\n",
    "billing/invoice.py": (
        "from billing.tax import compute_tax\n\n\nclass Invoice:\n"
        '    """An invoice."""\n\n    def total(self, amount):\n'
        "        return amount + compute_tax(amount, 0.2)\n"
    ),
    "README.md": "# billing\n\nTaxes and invoices.\n",
}


class Recording(Cache):
    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.seen: set[str] = set()

    def get_many(self, ns: str, keys: Iterable[str]) -> dict[str, Value]:
        self.seen.add(ns)
        return super().get_many(ns, keys)

    def put_many(self, ns: str, items: Mapping[str, Value]) -> None:
        self.seen.add(ns)
        super().put_many(ns, items)


def test_every_namespace_a_pack_uses_is_in_the_table(make_repo, tmp_path: Path) -> None:
    root = make_repo(SOURCE)
    cache = Recording(tmp_path / "cache.sqlite")
    whole = pack(root, encoding="cl100k_base", cache=cache)
    pack(root, encoding="cl100k_base", cache=cache, task="compute_tax", budget=whole.tokens - 20)
    assert len(cache.seen) >= 3, cache.seen
    for ns in cache.seen:
        kind, *rest = ns.split("/")
        assert kind in VERSIONS, ns
        assert ns == namespace(kind, *rest[:-1]), ns


def test_namespace_puts_the_version_last() -> None:
    assert namespace("tokens", "cl100k_base") == f"tokens/cl100k_base/{VERSIONS['tokens']}"
    assert namespace("secrets") == f"secrets/{VERSIONS['secrets']}"
