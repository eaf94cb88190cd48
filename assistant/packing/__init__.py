"""Pack a repository into one prompt: discover, count, select, render, tally.

``pack(root, budget=..., encoding=..., format=..., task=...) -> Pack`` is the whole stage;
this module only orchestrates it. The pieces (:mod:`.select` fits the budget, :mod:`.render`,
:mod:`.tally`) are pure and usable alone; :mod:`.reuse` remembers outputs and tiers,
:mod:`.skeletons` makes skeletons on demand, :mod:`.result` holds the data types.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import tokens as tok
from ..cache import Cache, namespace
from ..display import safe_name
from ..errors import ConfigError, PackError
from ..workspace import Skipped, SourceFile, Workspace, discover, rebase, tree_digest
from .gitctx import GitContext, GitOptions, check_ref, collect
from .instructions import BUDGET as INSTRUCTION_BUDGET
from .instructions import (
    Instruction,
    is_instruction,
    names_of,
    read_instructions,
    render_instructions,
)
from .instructions import candidates as instruction_paths
from .render import (
    PACK_FORMATS,
    Entry,
    PackFormat,
    Part,
    Tier,
    git_sections,
    render,
    task_section,
    tree_start,
)
from .result import Pack, PackedFile, PackOptions
from .reuse import (
    remember_counts,
    remember_tiers,
    remembered_counts,
    remembered_tiers,
    tiers_key,
)
from .select import Candidate, fill, fit_budget, reasons
from .skeletons import Skeletons
from .tally import tally

__all__ = ["GitOptions", "Pack", "PackOptions", "PackedFile", "check_ref", "pack", "rank_files"]

DEFAULT_ENCODING = "deepseek-v4"
_PRIORITY_NS = namespace("priority")
_NEAR_TOP = 10  # a budgeted task pack shows these top files' graph neighbours as skeletons first

Progress = Callable[[str, int, int], None]


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
    opts = options or PackOptions()
    _check_request(root, budget=budget, encoding=encoding, format=format, scope=scope, git=opts)
    cache = Cache() if cache is None else cache
    timings: dict[str, float] = {}
    counter = tok.TokenCounter(encoding, cache=cache)
    read = _read_and_count(root, scope, opts, task, counter, cache, progress, timings)
    read, project = _instructions(root, scope, opts, read, counter, budget)
    files = read.workspace.files
    git, git_text, git_tokens = _git_context(read, scope, opts, format, counter)
    budget = _files_budget(budget, project.tokens, git_tokens)
    t0 = time.perf_counter()
    sources = {f.path: f for f in files}
    skeletons = Skeletons(sources, counter, cache)
    name = safe_name(read.workspace.root.name or str(read.workspace.root))  # the prompt is UTF-8

    count_batch = functools.partial(tok.count_batch, encoding=encoding)

    def build(tiers: Mapping[str, Tier]) -> tuple[list[Part], int]:
        entries = [_entry(sources[p], read.tokens[p], tiers[p], skeletons) for p in read.order]
        parts = render(
            entries, name=name, format=format, encoding=encoding, task=task, git=git_text
        )
        return parts, tally(parts, encoding=encoding, count_batch=count_batch, cache=cache)

    candidates = _candidates(read, budget, task, cache, git.since_files)
    ranked = bool(task and task.strip())
    near = _neighbours(read, budget, ranked, cache)
    key = tiers_key(files, task, budget, counter.namespace, format) if budget is not None else ""
    parts, total, tiers = _fit_remembered(
        candidates, budget, build, skeletons, cache, key, files, list(near)
    )
    stable = _stable_prefix(parts, total, tiers, task, format, counter, cache, git_text)
    timings["render"] = time.perf_counter() - t0
    why = reasons([c.path for c in candidates], tiers, near, ranked=ranked) if budget else {}

    return Pack(
        parts=tuple(parts),
        tokens=total,
        encoding=counter.info.name,  # what really counted, if the requested one fell back
        format=format,
        budget=project.budget,
        root=read.workspace.root,
        files=_manifest(files, read.tokens, tiers, skeletons, why),
        skipped=read.workspace.skipped,
        task=task,
        stable_prefix_tokens=stable,
        timings=timings,
        state=read.workspace.state,
        redacted=[*read.workspace.redacted, *git.redacted],
        instructions=tuple(project.items),
        instructions_text=project.text,
        instruction_tokens=project.tokens,
        instructions_left_out=tuple(project.left_out),
        git=git,
        git_tokens=git_tokens,
    )


def _git_context(
    read: _Read, scope: str, opts: PackOptions, format: PackFormat, counter: tok.TokenCounter
) -> tuple[GitContext, str, int]:
    """The git sections (:mod:`.gitctx`) for the files read, as text, and their tokens."""
    if not opts.git:
        return GitContext(), "", 0
    packed = {f.path for f in read.workspace.files}
    git = collect(read.workspace.root, scope, opts.git, packed, allow_secrets=opts.allow_secrets)
    text = git_sections(git, format)
    return git, text, tok.count(text, counter.encoding) if text else 0


_INSTRUCTION_MARGIN = 8  # tokens: joining the instructions to the system text may add a few


def _files_budget(budget: int | None, instruction_tokens: int, git_tokens: int) -> int | None:
    """What the budget leaves for the files once the instructions and git sections are in."""
    if budget is None:
        return None
    if instruction_tokens:
        budget = max(1, budget - instruction_tokens - _INSTRUCTION_MARGIN)
    if git_tokens >= budget:
        raise PackError(
            f"the git sections take {git_tokens:,} tokens, more than the budget leaves "
            f"for the pack ({budget:,}); raise --budget or drop --diff, --since or --log"
        )
    return budget - git_tokens


def _candidates(
    read: _Read, budget: int | None, task: str | None, cache: Cache, first: Sequence[str]
) -> list[Candidate]:
    """The files in the order the budget goes to them: ranked for a task, by priority for
    none, and the files changed since ``--since`` before all (kept whole first)."""
    candidates = [Candidate(p, read.tokens[p], _overhead_estimate(p)) for p in read.order]
    if budget is not None and not (task and task.strip()):
        candidates = _by_priority(candidates, read.workspace.files, budget, cache)
    if first:
        ahead = set(first)
        candidates = [c for c in candidates if c.path in ahead] + [
            c for c in candidates if c.path not in ahead
        ]
    return candidates


@dataclass(frozen=True, slots=True)
class _Project:
    """The instruction files of a pack, and the budget it was asked for."""

    items: list[Instruction]
    left_out: list[Skipped]
    text: str
    tokens: int
    budget: int | None


def _instructions(
    root: str | Path,
    scope: str,
    opts: PackOptions,
    read: _Read,
    counter: tok.TokenCounter,
    budget: int | None,
) -> tuple[_Read, _Project]:
    """The instruction files (:mod:`.instructions`) read apart, and ``read`` without them."""
    if not opts.instructions:
        return read, _Project([], [], "", 0, budget)
    names = names_of(opts.instruction_files)
    listed = [f.path for f in read.workspace.files]
    paths = instruction_paths(listed, names, complete=not opts.include and not scope)
    cap = INSTRUCTION_BUDGET if budget is None else min(INSTRUCTION_BUDGET, budget // 4)
    items, left = read_instructions(
        Path(root).resolve(), paths, encoding=counter.encoding, budget=cap
    )
    text = render_instructions(items)
    tokens = tok.count(text, counter.encoding) if text else 0
    kept = [f for f in read.workspace.files if not is_instruction(f.path, names)]
    if len(kept) != len(listed):
        workspace = dataclasses.replace(read.workspace, files=kept)
        order = [p for p in read.order if not is_instruction(p, names)]
        read = _Read(workspace, order, {p: read.tokens[p] for p in order})
    return read, _Project(items, left, text, tokens, budget)


def _by_priority(
    candidates: list[Candidate], files: Sequence[SourceFile], budget: int, cache: Cache
) -> list[Candidate]:
    """Without a task, a budget that cannot hold every file goes first to what a model needs
    to understand the project (:mod:`.priority`); the pack keeps its path order. The order
    is kept in the cache by tree (a second budgeted pack of the tree does not read imports)."""
    if sum(c.tokens + c.overhead for c in candidates) <= budget:
        return candidates
    from .priority import priority

    key = tree_digest(files)
    hit = cache.get(_PRIORITY_NS, key)
    order: list[int] | None = None
    if isinstance(hit, bytes):
        try:
            order = marshal.loads(hit)
        except (ValueError, EOFError, TypeError):
            order = None
    if not isinstance(order, list) or sorted(order) != list(range(len(files))):
        index = {f.path: i for i, f in enumerate(files)}
        order = [index[p] for p in priority(files)]
        cache.put(_PRIORITY_NS, key, marshal.dumps(order))
    by_path = {c.path: c for c in candidates}
    return [by_path[files[i].path] for i in order]


def _check_request(
    root: str | Path,
    *,
    budget: int | None,
    encoding: str,
    format: str,
    scope: str,
    git: PackOptions,
) -> None:
    """Refuse a pack that cannot be made before reading anything."""
    if git.git.since is not None:
        check_ref(git.git.since)
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


@dataclass(frozen=True, slots=True)
class _Read:
    """The tree as read: its files, their order (ranked for a task) and token counts."""

    workspace: Workspace
    order: list[str]
    tokens: dict[str, int]


def _read_and_count(
    root: str | Path,
    scope: str,
    opts: PackOptions,
    task: str | None,
    counter: tok.TokenCounter,
    cache: Cache,
    progress: Progress | None,
    timings: dict[str, float],
) -> _Read:
    """Discover, rank and count: the counting runs on other cores while files are read."""
    t0 = time.perf_counter()
    top = _resolved(Path(root, scope) if scope else Path(root))
    known = remembered_counts(cache, top, counter.namespace) if top is not None else {}
    # counts on other cores while files are still read; those of the last pack are known
    ahead = tok.CountAhead(counter, known=known)
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
        t0 = time.perf_counter()
        if task and task.strip():
            from .rank import rank  # tree-sitter and the index load only for a task

            # ranking runs here while the counting ahead still runs on the other cores
            with ahead.sharing_a_core():
                order = [path for path, _ in rank(files, task, root=workspace.root, cache=cache)]
        else:
            order = [f.path for f in files]
        timings["rank"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        counts = ahead.counts(
            [(f.content_key, f.decoded) for f in files],  # decoded only for a cache miss
            progress=(lambda done, total: progress("count", done, total)) if progress else None,
        )
    except BaseException:
        ahead.close()  # no thread goes on counting for nobody
        raise
    timings["count"] = time.perf_counter() - t0
    if top is not None:
        by_key = dict(zip((f.content_key for f in files), counts, strict=True))
        remember_counts(cache, top, counter.namespace, by_key, known)
    return _Read(workspace, order, dict(zip((f.path for f in files), counts, strict=True)))


def _resolved(folder: Path) -> Path | None:
    """``folder`` resolved, or None where it cannot be (discovery then says why)."""
    try:
        return folder.resolve(strict=True)
    except (OSError, RuntimeError):
        return None


def _neighbours(read: _Read, budget: int | None, ranked: bool, cache: Cache) -> dict[str, str]:
    """For a budgeted task pack that cannot hold every file, the top files' neighbours in
    the reference graph (shown as skeletons first), each with the top file it neighbours."""
    if not ranked or budget is None or sum(read.tokens.values()) <= budget:
        return {}
    from .rank import neighbours

    files = read.workspace.files
    return neighbours(files, read.order[:_NEAR_TOP], root=read.workspace.root, cache=cache)


def _fit_remembered(
    candidates: Sequence[Candidate],
    budget: int | None,
    build: Callable[[Mapping[str, Tier]], tuple[list[Part], int]],
    skeletons: Skeletons,
    cache: Cache,
    key: str,
    files: Sequence[SourceFile],
    prefer: Sequence[str] = (),
) -> tuple[list[Part], int, dict[str, Tier]]:
    """Fit the budget, starting from the tiers an identical pack chose if there was one;
    with no budget, every file whole."""
    if budget is None:
        tiers = fill(candidates, None)
        return (*build(tiers), tiers)
    remembered = remembered_tiers(cache, key, files)
    if remembered is not None:  # the same tree, task and budget as before: same tiers
        skeletons.load([p for p, t in remembered.items() if t == "skeleton"])
        parts, total = build(remembered)
        if total <= budget:
            return parts, total, remembered
    parts, total, tiers = fit_budget(candidates, budget, build, skeletons, prefer)
    remember_tiers(cache, key, files, tiers)
    return parts, total, tiers


def _stable_prefix(
    parts: Sequence[Part],
    total: int,
    tiers: Mapping[str, Tier],
    task: str | None,
    format: PackFormat,
    counter: tok.TokenCounter,
    cache: Cache,
    git: str = "",
) -> int:
    """Leading tokens that a pack of this tree for any other task (and without the git
    sections, which come after the files) shares with this one."""

    def cached_count(text: str) -> int:
        key = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()
        hit = cache.get(counter.namespace, key)
        if isinstance(hit, int):
            return hit
        n = tok.count(text, counter.encoding)
        cache.put(counter.namespace, key, n)
        return n

    if bool(task and task.strip()) and any(t != "full" for t in tiers.values()):
        # The choice of files depends on the task: only the header before the tree is shared.
        head = parts[0]
        assert isinstance(head, str)
        return cached_count(head[: head.index(tree_start(format))])
    after = git + (task_section(task, format) if task else "")
    return total - (cached_count(after) if after else 0)


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


def _entry(source: SourceFile, tokens: int, tier: Tier, skeletons: Skeletons) -> Entry:
    if tier == "full":
        text = None if source.data is not None else source.text  # the bytes, undecoded
        return Entry(source.path, tier, tokens, text, source.content_key, tokens, source.data)
    if tier == "skeleton":
        path = source.path
        return Entry(
            path, tier, tokens, skeletons.text[path], skeletons.key(path), skeletons.tokens[path]
        )
    return Entry(source.path, tier, tokens)


def _manifest(
    files: Sequence[SourceFile],
    tokens: Mapping[str, int],
    tiers: Mapping[str, Tier],
    skeletons: Skeletons,
    why: Mapping[str, str],
) -> list[PackedFile]:
    return [
        PackedFile(
            path=f.path,
            tokens=tokens[f.path],
            tier=tiers[f.path],
            blob_sha=f.blob_sha,
            shown_tokens=_shown(tiers[f.path], tokens[f.path], skeletons, f.path),
            why=why.get(f.path, ""),
        )
        for f in files
    ]


def _shown(tier: Tier, tokens: int, skeletons: Skeletons, path: str) -> int:
    return tokens if tier == "full" else skeletons.tokens[path] if tier == "skeleton" else 0
