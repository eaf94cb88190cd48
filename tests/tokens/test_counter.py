"""Counting: single texts, batches, and TokenCounter's cache of counts by blob sha."""

from __future__ import annotations

import hashlib
import importlib.util
import multiprocessing
import random
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant import paths, tokens
from assistant.cache import Cache
from assistant.tokens import TokenCounter, counting, resolve
from assistant.tokens import ahead as ahead_module

ENC = "deepseek-v4"


def blob(text: str) -> tuple[str, str]:
    """(git blob sha, text), as the workspace hands them over."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest(), text


class CountingBatch:
    """Wraps count_batch to record every text it is asked to count."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[list[str]] = []
        self._real = tokens.count_batch
        monkeypatch.setattr(counting, "count_batch", self)

    def __call__(self, texts: Sequence[str], encoding: str, **options: Any) -> list[int]:
        self.calls.append(list(texts))
        return self._real(texts, encoding, **options)


def test_count_is_encode_ordinary() -> None:
    enc = tokens.get_encoding(ENC)
    text = "print('héllo, 世界')  # 42\n"
    assert tokens.count(text, ENC) == len(enc.encode_ordinary(text))
    assert tokens.count("", ENC) == 0


def test_batch_equals_single_counts_in_order() -> None:
    texts = [f"line {i}\n" * (i % 7) + "數字 123456" * (i % 3) for i in range(200)]
    expected = [tokens.count(text, ENC) for text in texts]
    assert tokens.count_batch(texts, ENC) == expected
    assert tokens.count_batch(texts, ENC, num_threads=1) == expected
    assert tokens.count_batch(texts[:1], ENC) == expected[:1]
    assert tokens.count_batch([], ENC) == []


def test_batch_equals_tiktoken_batch() -> None:
    enc = tokens.get_encoding(ENC)
    texts = ["a" * 5000, "", "x = 1\n" * 300, "中文 " * 700, "z"]
    assert tokens.count_batch(texts, ENC) == [len(ids) for ids in enc.encode_ordinary_batch(texts)]


def test_second_call_is_served_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(paths.cache_dir() / "counts.sqlite3")
    batch = CountingBatch(monkeypatch)
    items = [blob("def a():\n    pass\n"), blob("x = 1\n"), blob("def a():\n    pass\n")]
    counter = TokenCounter(ENC, cache=cache)
    first = counter.counts(items)
    assert first == [tokens.count(text, ENC) for _, text in items]
    assert batch.calls == [["def a():\n    pass\n", "x = 1\n"]]  # one call, each blob once
    stored = cache.get_many(counter.namespace, [sha for sha, _ in items])
    assert stored == {sha: n for (sha, _), n in zip(items, first, strict=True)}

    # a new counter (a later run) over the same cache file: nothing is encoded again
    later = TokenCounter(ENC, cache=Cache(cache.path))
    assert later.counts(items) == first
    assert len(batch.calls) == 1
    # only the new blob is counted
    assert later.counts([*items, blob("y = 2\n")])[-1] == tokens.count("y = 2\n", ENC)
    assert batch.calls[1:] == [["y = 2\n"]]


def test_namespace_names_encoding_and_version() -> None:
    counter = TokenCounter(ENC, cache=Cache.disabled())
    assert counter.namespace == f"tokens/{tokens.encoding_info(ENC).id}/{tokens.VERSION}"
    assert counter.namespace.startswith("tokens/deepseek-v4-")


def test_values_that_are_not_counts_are_recounted(monkeypatch: pytest.MonkeyPatch) -> None:
    cache = Cache(paths.cache_dir() / "counts.sqlite3")
    counter = TokenCounter(ENC, cache=cache)
    sha, text = blob("hello world")
    cache.put_many(counter.namespace, {sha: "garbage"})
    assert counter.counts([(sha, text)]) == [2]
    assert cache.get(counter.namespace, sha) == 2


def test_disabled_cache_still_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = CountingBatch(monkeypatch)
    counter = TokenCounter(ENC, cache=Cache.disabled())
    items = [blob("a b c")]
    assert counter.counts(items) == counter.counts(items) == [3]
    assert len(batch.calls) == 2
    assert counter.counts([]) == []


def _write_counts(
    path: str,
    offset: int,
    start: threading.Barrier,
    result: multiprocessing.Queue[list[int]],
) -> None:
    """Runs in a child process: counts an overlapping set of blobs into the shared cache."""
    counter = TokenCounter(ENC, cache=Cache(path))  # the encoding loads before the barrier
    start.wait(timeout=60)
    total: list[int] = []
    for round_ in range(15):
        items = [blob(f"value = {i}  # {offset} {round_}\n" * 3) for i in range(40)]
        items += [blob(f"shared = {i}\n") for i in range(40)]  # both processes write these
        total += counter.counts(items)
    result.put(total)


def test_concurrent_writers_share_one_cache(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    context = multiprocessing.get_context("spawn")
    result: multiprocessing.Queue[list[int]] = context.Queue()
    start = context.Barrier(2)
    workers = [
        context.Process(target=_write_counts, args=(str(path), offset, start, result))
        for offset in (1, 2)
    ]
    for worker in workers:
        worker.start()
    outputs = [result.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert all(len(out) == 15 * 80 for out in outputs)
    counter = TokenCounter(ENC, cache=Cache(path))
    shared = [blob(f"shared = {i}\n") for i in range(40)]
    stored = Cache(path).get_many(counter.namespace, [sha for sha, _ in shared])
    assert stored == {sha: tokens.count(text, ENC) for sha, text in shared}


def test_count_batch_reports_progress_to_the_end() -> None:
    seen: list[tuple[int, int]] = []
    texts = [f"text number {i}\n" * (i + 1) for i in range(130)]
    counts = tokens.count_batch(texts, "cl100k_base", progress=lambda d, t: seen.append((d, t)))
    assert counts == [tokens.count(t, "cl100k_base") for t in texts]
    assert seen == [(64, 130), (128, 130), (130, 130)]


def test_count_ahead_gives_the_counter_s_counts_and_fills_the_cache(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    items = [blob(f"def f{i}():\n    return {i} * 'x'\n" * (i % 7 + 1)) for i in range(600)]
    ahead = tokens.CountAhead(TokenCounter(ENC, cache=cache))
    for sha, text in items[:500]:  # the last 100 are never announced
        ahead.add(sha, text)
    got = ahead.counts(items)
    assert got == [tokens.count(text, ENC) for _, text in items]
    stored = cache.get_many(TokenCounter(ENC, cache=cache).namespace, [s for s, _ in items])
    assert len(stored) == len({s for s, _ in items})


def test_count_ahead_encodes_nothing_when_every_count_is_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Cache(tmp_path / "c.sqlite3")
    items = [blob(f"line {i}\n") for i in range(300)]
    TokenCounter(ENC, cache=cache).counts(items)
    encoded: list[str] = []
    real = ahead_module._count_many
    monkeypatch.setattr(
        ahead_module, "_count_many", lambda ts, e: encoded.extend(ts) or real(ts, e)
    )
    ahead = tokens.CountAhead(TokenCounter(ENC, cache=cache))
    for sha, text in items:
        ahead.add(sha, text)
    assert ahead.counts(items) == [tokens.count(t, ENC) for _, t in items]
    assert encoded == []


def counting_ahead(tmp_path: Path) -> tuple[tokens.CountAhead, list[tuple[str, str]]]:
    """A CountAhead that has been handed 300 uncached texts (its threads are counting)."""
    items = [blob(f"value_{i} = {i}\n" * 40) for i in range(300)]
    ahead = tokens.CountAhead(TokenCounter(ENC, cache=Cache(tmp_path / "c.sqlite3")))
    for sha, text in items:
        ahead.add(sha, text)
    return ahead, items


def test_count_ahead_leaves_the_switch_interval_to_the_entry_points(tmp_path: Path) -> None:
    # How often the GIL changes hands is the process's: only the CLI may set it
    own = sys.getswitchinterval()
    ahead, items = counting_ahead(tmp_path)
    assert sys.getswitchinterval() == own
    with ahead.sharing_a_core():  # the caller keeps a core and never waits for it
        assert ahead._reserved == 1
    assert ahead.counts(items) == [tokens.count(t, ENC) for _, t in items]
    assert sys.getswitchinterval() == own


def test_count_ahead_abandoned_stops(tmp_path: Path) -> None:
    ahead, _ = counting_ahead(tmp_path)
    ahead.close()
    assert ahead._pool is None and ahead._running == []


JOIN_EDGES = [
    "",
    " ",
    "\n\n",
    "trailing spaces   ",
    "   leading spaces",
    "x",
    "123456789",
    "数一数",
    "ends in a letter",
    "'s and 're",
    "\t\tdef f():\n\t\treturn 1\n\n\n",
    "<|endofprompt",
    "|>",
    "<｜place▁holder",
    "for▁pointer▁replace｜>",
    "holds the joint <|endofprompt|> in its text",
    "and <｜place▁holder▁for▁pointer▁replace｜> too",
]


@pytest.mark.parametrize("encoding", ["deepseek-v4", "cl100k_base"])
def test_joined_counting_is_exact_at_every_joint(encoding: str) -> None:
    loaded = resolve.resolve(encoding)
    assert loaded.joiner is not None
    rng = random.Random(5)
    for _ in range(200):
        texts = rng.choices(JOIN_EDGES, k=rng.randint(2, 12))
        assert ahead_module._count_many(texts, encoding) == [
            tokens.count(t, encoding) for t in texts
        ]


@given(st.lists(st.text(alphabet=" \n\tab1_<|>｜▁数'", max_size=12), min_size=2, max_size=8))
@settings(max_examples=300, deadline=None)
def test_joined_counting_equals_counting_alone(texts: list[str]) -> None:
    assert ahead_module._count_many(texts, ENC) == [tokens.count(t, ENC) for t in texts]


def test_joined_counting_is_exact_on_real_code() -> None:
    spec = importlib.util.find_spec("django")  # located, never imported
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    texts = [p.read_text(encoding="utf-8") for p in sorted(root.rglob("*.py"))[:600]]
    for encoding in ("deepseek-v4", "cl100k_base"):
        alone = [tokens.count(t, encoding) for t in texts]
        joined = [
            n
            for i in range(0, len(texts), 16)
            for n in ahead_module._count_many(texts[i : i + 16], encoding)
        ]
        assert joined == alone
