"""Pack a repository into one prompt: discover, count, select, render, tally.

``pack(root, budget=..., encoding=..., format=..., task=...) -> Pack`` is the whole stage;
the pieces (:mod:`.select`, :mod:`.render`, :mod:`.tally`) are pure and usable alone.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .. import tokens as tok
from ..cache import Cache
from ..display import safe_name
from ..errors import ConfigError, PackError
from ..workspace import (
    DiscoverOptions,
    Redacted,
    Skipped,
    SourceFile,
    discover,
    probe,
    rebase,
    stat_stamp,
    tree_digest,
)
from .render import (
    PACK_FORMATS,
    Entry,
    PackFormat,
    Part,
    Tier,
    join,
    render,
    task_section,
    tree_start,
)
from .select import Candidate, fill, shrink
from .tally import tally

__all__ = ["Pack", "PackOptions", "PackedFile", "pack", "rank_files"]

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
    """A rendered pack: the prompt (as parts; ``text`` joins them) and its manifest."""

    parts: tuple[Part, ...] = field(repr=False)
    tokens: int
    encoding: str
    format: PackFormat
    budget: int | None
    root: Path
    files: list[PackedFile]
    skipped: list[Skipped]
    task: str | None = None
    stable_prefix_tokens: int = 0  # leading tokens any other task's pack of this tree shares
    timings: dict[str, float] = field(default_factory=dict, compare=False, repr=False)
    state: str = field(default="", compare=False, repr=False)  # the Workspace.state packed
    redacted: list[Redacted] = field(default_factory=list)  # secrets replaced by a marker

    @functools.cached_property
    def text(self) -> str:
        """The whole prompt. Joined on first use: writing a big pack with :meth:`write`
        never holds it in memory at once."""
        return join(self.parts)

    def write(self, fh: TextIO) -> None:
        """Write the prompt to a text stream, part by part."""
        for part in self.parts:
            fh.write(part if isinstance(part, str) else part.text)

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
            # which secrets were replaced by a marker and which files were left out for one
            "redacted": [{"path": r.path, "kind": r.kind, "line": r.line} for r in self.redacted],
            "secret_skipped": [
                {"path": s.path, "reason": s.reason, "detail": s.detail}
                for s in self.skipped
                if s.reason.startswith("secret")
            ],
            "tiers": self.tiers,
            "stable_prefix_tokens": self.stable_prefix_tokens,
        }


def _overhead_estimate(path: str) -> int:
    """Tokens of a file's tag/heading and its tree line, a slight overestimate."""
    return 16 + len(path) // 2


def pack(
    root: str | Path = ".",
    *,
    budget: int | None = None,
    encoding: str = DEFAULT_ENCODING,
    format: PackFormat = "xml",
    task: str | None = None,
    options: PackOptions | None = None,
    cache: Cache | None = None,
    progress: Progress | None = None,
    scope: str = "",
) -> Pack:
    """Pack the repository (or folder) at ``root`` into one prompt.

    ``budget`` caps the tokens of the whole output; files that do not fit are omitted and
    listed in the tree. ``cache`` defaults to the user cache (``Cache.disabled()`` for none).
    ``progress(stage, done, total)`` is called as work advances. ``scope`` (a folder below
    ``root``, relative to it) packs that folder alone, exactly as ``pack(root / scope)``
    would, but names its files from ``root`` (``pkg/a.py``): the paths an edit of them must
    use to apply at ``root``. ``include`` patterns stay relative to the packed folder.
    """
    if format not in PACK_FORMATS:
        raise ConfigError(f"unknown format {format!r}; choose one of: {', '.join(PACK_FORMATS)}")
    if encoding not in tok.ENCODINGS:
        raise ConfigError(
            f"unknown encoding {encoding!r}; choose one of: {', '.join(tok.ENCODINGS)}"
        )
    if budget is not None and budget <= 0:
        raise ConfigError(f"budget must be a positive number of tokens, not {budget}")
    if scope:
        top, folder = Path(root).resolve(), Path(root, scope).resolve()
        if folder != top and top not in folder.parents:
            raise PackError(f"cannot pack {scope!r}: it is not a folder inside {top}")
    opts = options or PackOptions()
    cache = Cache() if cache is None else cache
    timings: dict[str, float] = {}

    t0 = time.perf_counter()
    counter = tok.TokenCounter(encoding, cache=cache)
    ahead = tok.CountAhead(counter)  # counts on other cores while files are still read
    try:
        workspace = discover(
            Path(root, scope) if scope else root,
            opts.discover_options(),
            cache=cache,
            progress=(lambda done, total: progress("read", done, total)) if progress else None,
            on_text=ahead.add,
        )
        if scope:
            workspace = rebase(workspace, Path(root))
        timings["discover"] = time.perf_counter() - t0

        files = workspace.files
        ranked = bool(task and task.strip())
        t0 = time.perf_counter()
        if ranked:
            assert task is not None
            from .rank import rank  # tree-sitter and the index load only for a task

            # ranking runs here while the counting ahead still runs on the other cores
            with ahead.sharing_a_core():
                order = [path for path, _ in rank(files, task, root=workspace.root, cache=cache)]
        else:
            order = [f.path for f in files]
        timings["rank"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        counts = ahead.counts(
            [(f.content_key, f.text) for f in files],
            progress=(lambda done, total: progress("count", done, total)) if progress else None,
        )
    except BaseException:
        ahead.close()  # no thread goes on counting for nobody
        raise
    timings["count"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    sources = {f.path: f for f in files}
    by_path = dict(zip((f.path for f in files), counts, strict=True))
    skeletons = _Skeletons(sources, counter, cache)
    name = safe_name(workspace.root.name or str(workspace.root))  # the prompt is UTF-8

    def count_batch(texts: Sequence[str]) -> list[int]:
        return tok.count_batch(texts, encoding)

    def build(tiers: Mapping[str, Tier]) -> tuple[list[Part], int]:
        entries = [_entry(sources[p], by_path[p], tiers[p], skeletons) for p in order]
        parts = render(entries, name=name, format=format, encoding=encoding, task=task)
        return parts, tally(parts, encoding=encoding, count_batch=count_batch, cache=cache)

    candidates = [Candidate(p, by_path[p], _overhead_estimate(p)) for p in order]
    if budget is None:
        tiers = fill(candidates, None)
        parts, total = build(tiers)
    else:
        key = _tiers_key(files, task, budget, counter.namespace, format)
        remembered = _remembered_tiers(cache, key, files)
        if remembered is not None:  # the same tree, task and budget as before: same tiers
            skeletons.load([p for p, t in remembered.items() if t == "skeleton"])
            parts, total = build(remembered)
            tiers = remembered
        if remembered is None or total > budget:
            parts, total, tiers = _fit(candidates, budget, build, skeletons)
            cache.put(_TIERS_NS, key, marshal.dumps([_TIER_CODES[tiers[f.path]] for f in files]))

    def cached_count(text: str) -> int:
        key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        hit = cache.get(counter.namespace, key)
        if isinstance(hit, int):
            return hit
        n = tok.count(text, encoding)
        cache.put(counter.namespace, key, n)
        return n

    if ranked and any(t != "full" for t in tiers.values()):
        # The choice of files depends on the task: only the header before the tree is shared.
        head = parts[0]
        assert isinstance(head, str)
        stable = cached_count(head[: head.index(tree_start(format))])
    else:
        stable = total - (cached_count(task_section(task, format)) if task else 0)
    timings["render"] = time.perf_counter() - t0

    packed = [
        PackedFile(
            path=f.path,
            tokens=by_path[f.path],
            tier=tiers[f.path],
            blob_sha=f.blob_sha,
            shown_tokens=_shown(tiers[f.path], by_path[f.path], skeletons, f.path),
        )
        for f in files
    ]
    return Pack(
        parts=tuple(parts),
        tokens=total,
        encoding=counter.info.name,  # what really counted, if the requested one fell back
        format=format,
        budget=budget,
        root=workspace.root,
        files=packed,
        skipped=workspace.skipped,
        task=task,
        stable_prefix_tokens=stable,
        timings=timings,
        state=workspace.state,
        redacted=workspace.redacted,
    )


# --- an unchanged output file --------------------------------------------------------------

_OUTPUTS_NS = "outputs/2"  # per output file: what it holds, and its stat when written


def reuse_output(
    root: str | Path,
    output: Path,
    *,
    budget: int | None,
    encoding: str,
    format: PackFormat,
    task: str | None,
    options: PackOptions,
    cache: Cache,
) -> Pack | None:
    """The pack already in ``output``, if packing again would write the same bytes there.

    True when the tree is unchanged (:func:`~assistant.workspace.probe`: every file known
    by its stat, nothing read), the request is the same, and ``output`` is as tome left it
    (its size, mtime, ctime and inode). The result's ``parts`` are empty: its text is the
    file. Used by ``tome pack``, which then leaves the file alone.
    """
    if cache.path is None or encoding not in tok.ENCODINGS or format not in PACK_FORMATS:
        return None
    hit = cache.get(_OUTPUTS_NS, _output_slot(output))
    if not isinstance(hit, bytes):
        return None
    try:
        key, stamp, meta = marshal.loads(hit)
        if stamp != _stamp(output):
            return None
        state = probe(root, options.discover_options(), cache=cache)
        if state is None:
            return None  # a file changed, or is new: only reading it would tell
        counts_ns = tok.TokenCounter(encoding, cache=cache).namespace
        if key != _output_key(state, encoding, counts_ns, format, task, budget, options):
            return None
        tokens, real_encoding, top, files, skipped, stable, redacted = meta
        return Pack(
            parts=(),
            tokens=tokens,
            encoding=real_encoding,
            format=format,
            budget=budget,
            root=Path(top),
            files=[PackedFile(*f) for f in files],
            skipped=[Skipped(*k) for k in skipped],
            task=task,
            stable_prefix_tokens=stable,
            state=state,
            redacted=[Redacted(*r) for r in redacted],
        )
    except (OSError, ValueError, TypeError, EOFError):
        return None


def remember_output(
    result: Pack, output: Path, *, encoding: str, options: PackOptions, cache: Cache
) -> None:
    """Record that ``output`` now holds ``result`` (just written), for :func:`reuse_output`.

    ``encoding`` and ``options`` are what the pack was asked for.
    """
    if cache.path is None or not result.state:
        return
    counts_ns = tok.TokenCounter(encoding, cache=cache).namespace
    key = _output_key(
        result.state, encoding, counts_ns, result.format, result.task, result.budget, options
    )
    meta = (
        result.tokens,
        result.encoding,
        str(result.root),
        [(f.path, f.tokens, f.tier, f.blob_sha, f.shown_tokens) for f in result.files],
        [(k.path, k.reason, k.detail) for k in result.skipped],
        result.stable_prefix_tokens,
        [(r.path, r.kind, r.line) for r in result.redacted],
    )
    try:
        stamp = _stamp(output)
    except (OSError, ValueError):
        return  # gone already, or not a file: nothing to remember
    cache.put(_OUTPUTS_NS, _output_slot(output), marshal.dumps((key, stamp, meta)))


def _output_slot(output: Path) -> str:
    return str(Path(os.path.abspath(output)))


def _stamp(path: Path) -> tuple[int, int, int, int]:
    """The output's stat; only a regular file can be left alone (a FIFO's reader waits for
    the bytes, a device holds nothing to compare), so anything else is a ValueError."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path} is not a regular file")
    return stat_stamp(st)


def _output_key(
    state: str,
    encoding: str,
    counts_ns: str,
    format: str,
    task: str | None,
    budget: int | None,
    options: PackOptions,
) -> str:
    parts = "\0".join(
        map(str, (_code_stamp(), state, encoding, counts_ns, format, task, budget, options))
    )
    return hashlib.sha1(parts.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def _code_stamp() -> str:
    """The code that makes a pack, as of now (an upgrade or an edit changes the stamp)."""
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py")) + sorted((here.parent / "code").glob("*.py"))
    sources += [
        here.parent / n
        for n in ("workspace.py", "pathrules.py", "secrets.py", "secretrules.py", "tokens.py")
    ]
    stamps = []
    for source in sources:
        try:
            info = source.stat()
        except OSError:
            continue
        stamps.append(f"{source.name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps)


def rank_files(
    root: str | Path,
    task: str,
    *,
    limit: int | None = None,
    options: PackOptions | None = None,
    cache: Cache | None = None,
) -> list[tuple[str, float]]:
    """The files of ``root`` (paths relative to it) by relevance to ``task``, best first."""
    cache = Cache() if cache is None else cache
    workspace = discover(root, (options or PackOptions()).discover_options(), cache=cache)
    from .rank import rank

    ranked = rank(workspace.files, task, root=workspace.root, cache=cache)
    return ranked if limit is None else ranked[:limit]


class _Skeletons:
    """Skeletons of files and their token counts, made on demand and cached by blob sha."""

    def __init__(
        self, sources: Mapping[str, SourceFile], counter: tok.TokenCounter, cache: Cache
    ) -> None:
        self.sources = sources
        self.counter = counter
        self.cache = cache
        self.text: dict[str, str] = {}
        self.tokens: dict[str, int] = {}

    def key(self, path: str) -> str:
        from ..code.index import VERSION

        return f"skeleton:{VERSION}:{self.sources[path].content_key}"

    def load(self, paths: Sequence[str]) -> dict[str, int]:
        """Token counts of the skeletons of ``paths`` (made and counted in one batch)."""
        todo = [p for p in paths if p not in self.tokens]
        if todo:
            from ..code import CodeIndex  # tree-sitter loads only when a skeleton is needed

            made = CodeIndex(self.cache).skeletons_many(
                (p, self.sources[p].content_key, self.sources[p].text) for p in todo
            )
            counts = self.counter.counts([(self.key(p), made[p].text) for p in todo])
            for p, n in zip(todo, counts, strict=True):
                self.text[p] = made[p].text
                self.tokens[p] = n
        return {p: self.tokens[p] for p in paths}


_TIERS_NS = "tiers/1"  # a budgeted pack's tier per file, by tree, task, budget and encoding
_TIER_CODES: dict[Tier, int] = {"full": 0, "skeleton": 1, "omitted": 2}
_TIER_NAMES: tuple[Tier, ...] = ("full", "skeleton", "omitted")


def _tiers_key(
    files: Sequence[SourceFile], task: str | None, budget: int, counts_ns: str, format: str
) -> str:
    parts = f"{tree_digest(files)}\0{task}\0{budget}\0{counts_ns}\0{format}"
    return hashlib.sha1(parts.encode("utf-8", "surrogatepass")).hexdigest()


def _remembered_tiers(
    cache: Cache, key: str, files: Sequence[SourceFile]
) -> dict[str, Tier] | None:
    """The tiers a previous identical pack chose (checked again against the budget)."""
    hit = cache.get(_TIERS_NS, key)
    if not isinstance(hit, bytes):
        return None
    try:
        codes = marshal.loads(hit)
        return {f.path: _TIER_NAMES[c] for f, c in zip(files, codes, strict=True)}
    except (ValueError, EOFError, TypeError, IndexError):
        return None


def _entry(source: SourceFile, tokens: int, tier: Tier, skeletons: _Skeletons) -> Entry:
    if tier == "full":
        return Entry(source.path, tier, tokens, source.text, source.content_key, tokens)
    if tier == "skeleton":
        path = source.path
        return Entry(
            path, tier, tokens, skeletons.text[path], skeletons.key(path), skeletons.tokens[path]
        )
    return Entry(source.path, tier, tokens)


def _shown(tier: Tier, tokens: int, skeletons: _Skeletons, path: str) -> int:
    return tokens if tier == "full" else skeletons.tokens[path] if tier == "skeleton" else 0


FULL_SHARE = 0.8  # of a budget that cannot hold every file, what whole files may use
_SKELETON_BATCH = 256


def _fit(
    candidates: Sequence[Candidate],
    budget: int,
    build: Callable[[Mapping[str, Tier]], tuple[list[Part], int]],
    skeletons: _Skeletons,
) -> tuple[list[Part], int, dict[str, Tier]]:
    """Fill the budget in tiers, render, and shrink until the exact total fits.

    Whole files first, in the given order, up to :data:`FULL_SHARE` of the budget; then
    skeletons of the files that follow, in order, while they fit; then whole files again
    for whatever budget is left. If everything fits whole, everything is whole.
    """
    order = [c.path for c in candidates]
    # The header (tree, intro) is paid whatever is shown: measure it with nothing shown.
    empty: dict[str, Tier] = {p: "omitted" for p in order}
    _, fixed = build(empty)
    if fixed > budget:
        raise PackError(
            f"the budget of {budget:,} tokens does not even hold the pack's header and tree "
            f"({fixed:,} tokens for {len(order):,} files); give it a larger budget or pack "
            "fewer files",
            budget=budget,
            needed=fixed,
        )
    avail = budget - fixed
    if sum(c.tokens + c.overhead for c in candidates) <= avail:
        tiers = fill(candidates, avail)
    else:
        tiers = fill(candidates, int(avail * FULL_SHARE))
        left = avail - sum(c.tokens + c.overhead for c in candidates if tiers[c.path] == "full")
        rest = [c for c in candidates if tiers[c.path] == "omitted"]
        enough = max(256, avail // 200)  # left over when the skeleton pass may stop
        for start in range(0, len(rest), _SKELETON_BATCH):
            if left <= enough:
                break
            batch = rest[start : start + _SKELETON_BATCH]
            sizes = skeletons.load([c.path for c in batch])
            placed = 0
            for c in batch:
                skeleton_cost = sizes[c.path] + c.overhead
                if sizes[c.path] < c.tokens and skeleton_cost <= left:
                    tiers[c.path] = "skeleton"
                    left -= skeleton_cost
                    placed += 1
            if not placed:
                break  # the budget left holds no skeleton of this many candidates
        for c in candidates:
            if tiers[c.path] == "omitted" and c.tokens + c.overhead <= left:
                tiers[c.path] = "full"
                left -= c.tokens + c.overhead
    for _ in range(8):
        parts, total = build(tiers)
        if total <= budget:
            return parts, total, tiers
        cost = {
            c.path: c.overhead
            + (c.tokens if tiers[c.path] == "full" else skeletons.tokens.get(c.path, 0))
            for c in candidates
        }
        tiers = shrink(tiers, order, total - budget, cost)
    raise PackError(f"could not fit the pack into {budget:,} tokens")  # pragma: no cover
