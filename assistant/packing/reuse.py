"""What a pack may reuse from a previous one: its output file, and the tiers it chose.

* An unchanged output file: ``tome pack`` leaves its output alone when packing again would
  write the same bytes (:func:`reuse_output`, :func:`remember_output`).
* The count memo: the token counts of the files of the last pack of a folder, by content
  key, in one file beside the cache (:func:`remembered_counts`, :func:`remember_counts`):
  a warm pack reads one file instead of asking the cache about every file.
* The tier memo: a budgeted pack of the same tree, task, budget and encoding starts from
  the tiers the last one chose (:func:`remembered_tiers`, :func:`remember_tiers`), checked
  again against the budget by the caller.

Both live in the user :class:`~assistant.cache.Cache`; a damaged entry is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .. import tokens as tok
from ..cache import Cache, namespace, write_file
from ..workspace import Redacted, Skipped, SourceFile, probe, stat_stamp, tree_digest
from .instructions import Instruction
from .render import PACK_FORMATS, PackFormat, Tier
from .result import Pack, PackedFile, PackOptions

__all__ = [
    "remember_counts",
    "remember_output",
    "remember_tiers",
    "remembered_counts",
    "remembered_tiers",
    "reuse_output",
    "tiers_key",
]

# --- the count memo ------------------------------------------------------------------------

_COUNTS_VERSION = 1


def _counts_file(cache: Cache, root: Path, counts_ns: str) -> Path | None:
    suffix = "-" + hashlib.sha1(counts_ns.encode()).hexdigest()[:12] + ".marshal"
    return cache.folder_file("counts", root, suffix)


def remembered_counts(cache: Cache, root: Path, counts_ns: str) -> dict[str, int]:
    """The token counts (namespace ``counts_ns``) of the files of the last pack of ``root``,
    by content key; {} when there are none or the file is not one this version wrote.
    Counts depend on the content key alone, so any of them is right for any tree."""
    where = _counts_file(cache, root, counts_ns)
    if where is None:
        return {}
    try:
        version, ns, counts = marshal.loads(where.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if version != _COUNTS_VERSION or ns != counts_ns or not isinstance(counts, dict):
        return {}
    if not all(type(k) is str and type(v) is int for k, v in counts.items()):
        return {}
    return counts


def remember_counts(
    cache: Cache, root: Path, counts_ns: str, counts: Mapping[str, int], known: Mapping[str, int]
) -> None:
    """Keep ``counts`` (this pack's files) as the memo of ``root``, unless it is ``known``."""
    where = _counts_file(cache, root, counts_ns)
    if where is None or counts == known:
        return
    write_file(where, marshal.dumps((_COUNTS_VERSION, counts_ns, dict(counts))))


# --- an unchanged output file --------------------------------------------------------------

_OUTPUTS_NS = "outputs/4"  # per output file: its key, its stat when written, its meta's key
_META_VERSION = b"1"
_META_KEY_BYTES = 40  # a sha1 in hex, at the head of the meta file


def _meta_file(cache: Cache, root: str, request: str) -> Path | None:
    """Where the meta of a pack of ``root`` is kept: one file per folder and ``request``
    (:func:`_request_key`), so bounded; the packs of one tree to many output files share
    it, and it is rewritten only when what it holds changes."""
    return cache.folder_file("outputs", Path(root), "-" + request[:16] + ".marshal")


def _meta_key(key: str, root: str) -> str:
    """The meta's key: the output key (tree state, request, code) and the folder's path
    decide every field of the meta."""
    text = f"{_META_VERSION.decode()}\0{key}\0{root}"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def _read_meta(where: Path | None, meta_key: str) -> Any:
    """The meta in ``where`` if it is the one keyed ``meta_key``; else None."""
    if where is None:
        return None
    data = where.read_bytes()
    if data[:_META_KEY_BYTES] != meta_key.encode():
        return None
    return marshal.loads(data[_META_KEY_BYTES:])


def _holds(where: Path, meta_key: str) -> bool:
    """Whether the meta file ``where`` holds the meta keyed ``meta_key`` (its head alone)."""
    try:
        with open(where, "rb") as f:
            return f.read(_META_KEY_BYTES) == meta_key.encode()
    except OSError:
        return False


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
    where: Path | None = None
    try:
        key, stamp, top, meta_key = marshal.loads(hit)
        if stamp != _stamp(output):
            return None
        state = probe(root, options.discover_options(), cache=cache)
        if state is None:
            return None  # a file changed, or is new: only reading it would tell
        counts_ns = tok.TokenCounter(encoding, cache=cache).namespace
        request = _request_key(encoding, counts_ns, format, task, budget, options)
        if key != _output_key(state, request) or meta_key != _meta_key(key, top):
            return None
        where = _meta_file(cache, top, request)
        meta = _read_meta(where, meta_key)
        if meta is None:
            return None  # replaced since by the meta of another state of the tree
        tokens, real_encoding, top, files, skipped, stable, redacted, project = meta
        used, text, used_tokens, left = project
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
            instructions=tuple(Instruction(*i) for i in used),
            instructions_text=text,
            instruction_tokens=used_tokens,
            instructions_left_out=tuple(Skipped(*k) for k in left),
        )
    except (OSError, ValueError, TypeError, EOFError):
        if where is not None:  # a damaged meta: gone, so this pack writes it again
            with contextlib.suppress(OSError):
                where.unlink()
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
    request = _request_key(encoding, counts_ns, result.format, result.task, result.budget, options)
    key = _output_key(result.state, request)
    top = str(result.root)
    try:
        stamp = _stamp(output)
    except (OSError, ValueError):
        return  # gone already, or not a file: nothing to remember
    meta_key = _meta_key(key, top)
    where = _meta_file(cache, top, request)
    if where is not None and not _holds(where, meta_key):
        write_file(where, meta_key.encode() + marshal.dumps(_meta(result, top)))
    cache.put(_OUTPUTS_NS, _output_slot(output), marshal.dumps((key, stamp, top, meta_key)))


def _meta(result: Pack, top: str) -> tuple[Any, ...]:
    """What :func:`reuse_output` rebuilds the pack from (the file holds its text)."""
    return (
        result.tokens,
        result.encoding,
        top,
        [(f.path, f.tokens, f.tier, f.blob_sha, f.shown_tokens, f.why) for f in result.files],
        [(k.path, k.reason, k.detail) for k in result.skipped],
        result.stable_prefix_tokens,
        [(r.path, r.kind, r.line) for r in result.redacted],
        (  # the instruction files: the output leaves them out, its summary names them
            [(i.path, i.text, i.tokens) for i in result.instructions],
            result.instructions_text,
            result.instruction_tokens,
            [(k.path, k.reason, k.detail) for k in result.instructions_left_out],
        ),
    )


def _output_slot(output: Path) -> str:
    return str(Path(os.path.abspath(output)))


def _stamp(path: Path) -> tuple[int, int, int, int]:
    """The output's stat; only a regular file can be left alone (a FIFO's reader waits for
    the bytes, a device holds nothing to compare), so anything else is a ValueError."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise ValueError(f"{path} is not a regular file")
    return stat_stamp(st)


def _request_key(
    encoding: str,
    counts_ns: str,
    format: str,
    task: str | None,
    budget: int | None,
    options: PackOptions,
) -> str:
    """A digest of what a pack was asked for, and of the code that makes it."""
    parts = "\0".join(map(str, (_code_stamp(), encoding, counts_ns, format, task, budget, options)))
    return hashlib.sha1(parts.encode("utf-8", "surrogatepass")).hexdigest()


def _output_key(state: str, request: str) -> str:
    return hashlib.sha1(f"{state}\0{request}".encode()).hexdigest()


@functools.cache
def _code_stamp() -> str:
    """The code that makes a pack, as of now (an upgrade or an edit changes the stamp)."""
    here = Path(__file__).parent
    sources = sorted(here.glob("*.py")) + sorted((here.parent / "code").glob("*.py"))
    sources += sorted((here.parent / "tokens").glob("*.py"))
    sources += [
        here.parent / n for n in ("workspace.py", "pathrules.py", "secrets.py", "secretrules.py")
    ]
    stamps = []
    for source in sources:
        try:
            info = source.stat()
        except OSError:
            continue
        stamps.append(f"{source.name}:{info.st_size}:{info.st_mtime_ns}")
    return ";".join(stamps)


# --- the tier memo -----------------------------------------------------------------------

_TIERS_NS = namespace(
    "tiers"
)  # a budgeted pack's tier per file, by tree, task, budget and encoding
_TIER_CODES: dict[Tier, int] = {"full": 0, "skeleton": 1, "omitted": 2}
_TIER_NAMES: tuple[Tier, ...] = ("full", "skeleton", "omitted")


def tiers_key(
    files: Sequence[SourceFile], task: str | None, budget: int, counts_ns: str, format: str
) -> str:
    parts = f"{tree_digest(files)}\0{task}\0{budget}\0{counts_ns}\0{format}"
    return hashlib.sha1(parts.encode("utf-8", "surrogatepass")).hexdigest()


def remembered_tiers(cache: Cache, key: str, files: Sequence[SourceFile]) -> dict[str, Tier] | None:
    """The tiers a previous identical pack chose (checked again against the budget)."""
    hit = cache.get(_TIERS_NS, key)
    if not isinstance(hit, bytes):
        return None
    try:
        codes = marshal.loads(hit)
        return {f.path: _TIER_NAMES[c] for f, c in zip(files, codes, strict=True)}
    except (ValueError, EOFError, TypeError, IndexError):
        return None


def remember_tiers(
    cache: Cache, key: str, files: Sequence[SourceFile], tiers: Mapping[str, Tier]
) -> None:
    """Record the tiers a budgeted pack chose, for :func:`remembered_tiers`."""
    cache.put(_TIERS_NS, key, marshal.dumps([_TIER_CODES[tiers[f.path]] for f in files]))
