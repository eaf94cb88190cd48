"""Pack a repository into one prompt: discover, count, select, render, tally.

``pack(root, budget=..., encoding=..., format=..., task=...) -> Pack`` is the whole stage;
the pieces (:mod:`.select`, :mod:`.render`, :mod:`.tally`) are pure and usable alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import Cache
from .. import tokens as tok
from ..errors import ConfigError, PackError
from ..workspace import DiscoverOptions, Skipped, SourceFile, discover
from .render import FORMATS, Entry, Format, Part, Tier, join, render
from .select import Candidate, fill, shrink
from .tally import tally

__all__ = ["Pack", "PackOptions", "PackedFile", "pack"]

DEFAULT_ENCODING = "deepseek-v4"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class PackOptions:
    """The knobs of a pack that are not the root, budget, encoding, format or task."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = 1_048_576
    allow_secrets: bool = False
    default_excludes: tuple[str, ...] | None = None

    def discover_options(self) -> DiscoverOptions:
        return DiscoverOptions(
            max_file_bytes=self.max_file_bytes,
            include=self.include,
            exclude=(*self.exclude, ".tome/"),
            default_excludes=self.default_excludes,
            allow_secrets=self.allow_secrets,
        )


@dataclass(frozen=True, slots=True)
class PackedFile:
    path: str
    tokens: int  # tokens of the whole file
    tier: Tier
    blob_sha: str
    shown_tokens: int  # tokens of what the pack shows (0 when omitted)


@dataclass(frozen=True)
class Pack:
    """A rendered pack: the prompt text and its manifest."""

    text: str
    tokens: int
    encoding: str
    format: Format
    budget: int | None
    root: Path
    files: list[PackedFile]
    skipped: list[Skipped]
    task: str | None = None
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @property
    def tiers(self) -> dict[str, int]:
        counts = {"full": 0, "skeleton": 0, "omitted": 0}
        for f in self.files:
            counts[f.tier] += 1
        return counts

    @property
    def skipped_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.skipped:
            out[s.reason] = out.get(s.reason, 0) + 1
        return dict(sorted(out.items()))

    def summary(self) -> dict[str, object]:
        """The machine-readable summary that ``tome pack --json`` prints."""
        return {
            "files": len(self.files),
            "tokens": self.tokens,
            "encoding": self.encoding,
            "budget": self.budget,
            "output": None,
            "skipped": self.skipped_by_reason,
            "tiers": self.tiers,
        }


def _overhead_estimate(path: str) -> int:
    """Tokens of a file's tag/heading and its tree line, a slight overestimate."""
    return 16 + len(path) // 2


def pack(
    root: str | Path = ".",
    *,
    budget: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    format: Format = "xml",
    task: str | None = None,
    options: PackOptions | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
) -> Pack:
    """Pack the repository (or folder) at ``root`` into one prompt.

    ``budget`` caps the tokens of the whole output; files that do not fit are omitted and
    listed in the tree. ``cache`` defaults to the user cache (``Cache.disabled()`` for none).
    ``progress(stage, done, total)`` is called as work advances.
    """
    if format not in FORMATS:
        raise ConfigError(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")
    if encoding not in tok.ENCODINGS:
        raise ConfigError(f"unknown encoding {encoding!r}; choose one of: {', '.join(tok.ENCODINGS)}")
    if budget is not None and budget <= 0:
        raise ConfigError(f"budget must be a positive number of tokens, not {budget}")
    opts = options or PackOptions()
    cache = Cache() if cache is None else cache
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    workspace = discover(
        root,
        opts.discover_options(),
        cache=cache,
        progress=(lambda done, total: progress("read", done, total)) if progress else None,
    )
    timings["discover"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    files = workspace.files
    counter = tok.TokenCounter(encoding, cache=cache)
    counts = _count(counter, files, progress)
    timings["count"] = time.perf_counter() - t0

    t0 = time.perf_counter()

    def count_batch(texts: Sequence[str]) -> list[int]:
        return tok.count_batch(texts, encoding)

    name = workspace.root.name or str(workspace.root)
    by_path = dict(zip((f.path for f in files), counts, strict=True))
    sources = {f.path: f for f in files}
    candidates = [Candidate(f.path, by_path[f.path], _overhead_estimate(f.path)) for f in files]
    order = [c.path for c in candidates]

    def build(tiers: dict[str, Tier]) -> tuple[list[Part], int]:
        entries = [_entry(sources[p], by_path[p], tiers[p]) for p in order]
        parts = render(entries, name=name, format=format, encoding=encoding, task=task)
        return parts, tally(parts, encoding=encoding, count_batch=count_batch, cache=cache)

    if budget is None:
        tiers = fill(candidates, None)
        parts, total = build(tiers)
    else:
        parts, total, tiers = _fit(candidates, budget, build)
    timings["render"] = time.perf_counter() - t0

    packed = [
        PackedFile(
            path=f.path,
            tokens=by_path[f.path],
            tier=tiers[f.path],
            blob_sha=f.blob_sha,
            shown_tokens=by_path[f.path] if tiers[f.path] == "full" else 0,
        )
        for f in files
    ]
    return Pack(
        text=join(parts),
        tokens=total,
        encoding=encoding,
        format=format,
        budget=budget,
        root=workspace.root,
        files=packed,
        skipped=workspace.skipped,
        task=task,
        timings=timings,
    )


_CHUNK_CHARS = 4 << 20  # text per counting call: small enough to show progress


def _count(counter: tok.TokenCounter, files: Sequence[SourceFile], progress: Progress | None) -> list[int]:
    """Token counts of the files, in chunks so a long cold count can report progress."""
    counts: list[int] = []
    start = 0
    while start < len(files):
        end, size = start, 0
        while end < len(files) and (size < _CHUNK_CHARS or end == start):
            size += len(files[end].text)
            end += 1
        counts += counter.counts([(f.blob_sha, f.text) for f in files[start:end]])
        start = end
        if progress:
            progress("count", start, len(files))
    return counts


def _entry(source: SourceFile, tokens: int, tier: Tier) -> Entry:
    if tier == "full":
        return Entry(source.path, tier, tokens, source.text, source.blob_sha, tokens)
    return Entry(source.path, tier, tokens)


def _fit(
    candidates: Sequence[Candidate],
    budget: int,
    build: Callable[[dict[str, Tier]], tuple[list[Part], int]],
) -> tuple[list[Part], int, dict[str, Tier]]:
    """Fill the budget, render, and shrink until the exact total fits."""
    order = [c.path for c in candidates]
    cost = {c.path: c.tokens + c.overhead for c in candidates}
    # The header (tree, intro) is paid whatever is shown: measure it with nothing shown.
    empty: dict[str, Tier] = {p: "omitted" for p in order}
    _, fixed = build(empty)
    if fixed > budget:
        raise PackError(
            f"the budget of {budget:,} tokens does not even hold the pack's header and tree "
            f"({fixed:,} tokens for {len(order):,} files); raise --budget or narrow the pack "
            "with --include/--exclude"
        )
    tiers = fill(candidates, budget - fixed)
    for _ in range(8):
        parts, total = build(tiers)
        if total <= budget:
            return parts, total, tiers
        tiers = shrink(tiers, order, total - budget, cost)
    raise PackError(f"could not fit the pack into {budget:,} tokens")  # pragma: no cover
