"""What a pack is made of and what it returns: its options, its files, the rendered pack.

Plain data, apart from the pack orchestration (:mod:`assistant.packing`) and the reuse of an
unchanged output (:mod:`.reuse`), which both build a :class:`Pack`.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TextIO

from ..workspace import DiscoverOptions, Redacted, Skipped
from .gitctx import GitContext, GitOptions
from .instructions import Instruction, section
from .render import PackFormat, Part, Tier, join

__all__ = ["Pack", "PackOptions", "PackedFile"]


@dataclass(frozen=True, slots=True)
class PackOptions:
    """The knobs of a pack that are not the root, budget, encoding, format or task."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_file_bytes: int = 1_048_576
    allow_secrets: bool = False
    default_excludes: tuple[str, ...] | None = None
    instructions: bool = True
    """Read the project's instruction files (:mod:`.instructions`) apart from the files."""
    instruction_files: tuple[str, ...] = ()
    """Instruction file names besides the defaults (``instruction_files`` in config)."""
    git: GitOptions = field(default_factory=GitOptions)
    """The git sections to add (``--diff``, ``--since``, ``--log``; :mod:`.gitctx`)."""

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
    why: str = ""  # in a budgeted pack, why this tier (its rank, a neighbour of a top file)


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
    instructions: tuple[Instruction, ...] = ()  # the project's instruction files, read
    instructions_text: str = ""  # them as the system message shows them ("" for none)
    instruction_tokens: int = 0  # tokens of instructions_text, taken from the budget
    instructions_left_out: tuple[Skipped, ...] = ()  # instruction files not read, with why
    git: GitContext = field(
        default_factory=GitContext
    )  # the git sections shown after the files (none: empty)
    git_tokens: int = 0  # their tokens, in ``tokens`` and taken from the budget

    @functools.cached_property
    def text(self) -> str:
        """The whole prompt. Joined on first use: writing a big pack with :meth:`write`
        never holds it in memory at once."""
        return join(self.parts)

    def write(self, fh: TextIO) -> None:
        """Write the pack as a document for another tool (``tome pack``), part by part: the
        instruction files first, in a section of their own (:func:`.instructions.section`;
        tome itself puts them in the system message, so :attr:`text` has none), then the
        repository."""
        fh.write(section(self.instructions_text, self.format))
        for part in self.parts:
            fh.write(part if isinstance(part, str) else part.text)

    def write_bytes(self, fh: BinaryIO) -> None:
        """:meth:`write` as UTF-8 to a binary file: the same bytes, a file's text written
        from the bytes read where it is those (not encoded again: on Django, a warm pack
        to a new file spent a fifth of its time encoding 33 MB it had just decoded), in a
        few ``writev`` calls where ``fh`` is a real file."""
        chunks = [section(self.instructions_text, self.format).encode("utf-8")]
        for part in self.parts:
            if isinstance(part, str):
                chunks.append(part.encode("utf-8"))
            else:
                chunks.append(part.data if part.data is not None else part.text.encode("utf-8"))
        write_all(fh, chunks)

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
            # the project's instruction files: in the system message, not in the file list
            "instruction_tokens": self.instruction_tokens,
            "instructions": [{"path": i.path, "tokens": i.tokens} for i in self.instructions],
            "instructions_left_out": [
                {"path": s.path, "detail": s.detail} for s in self.instructions_left_out
            ],
            # the git sections after the files: what they hold and their tokens
            "git": {
                "tokens": self.git_tokens,
                "diff": bool(self.git.diff),
                "since": self.git.since,
                "since_commit": self.git.since_commit or None,
                "since_files": list(self.git.since_files),
                "log": list(self.git.log),
            },
            # every file of the pack with its tier, and every file left out with why
            "packed_files": [
                {"path": f.path, "tier": f.tier, "tokens": f.tokens, "shown_tokens": f.shown_tokens}
                | ({"why": f.why} if f.why else {})
                for f in self.files
            ],
            "skipped_files": [
                {"path": s.path, "reason": s.reason, "detail": s.detail} for s in self.skipped
            ],
        }


_IOV_MAX = 1024  # buffers per writev call (Linux and the BSDs take at least this many)


def write_all(fh: BinaryIO, chunks: list[bytes]) -> None:
    """Write ``chunks`` in order: by ``os.writev`` on ``fh``'s descriptor (after what
    ``fh`` holds buffered), a few calls for thousands of chunks; by ``fh.write`` where
    there is no descriptor (an in-memory file) or no ``writev``."""
    try:
        fd = fh.fileno()
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0 or not hasattr(os, "writev"):
        for chunk in chunks:
            fh.write(chunk)
        return
    fh.flush()
    start = 0
    while start < len(chunks):
        batch = chunks[start : start + _IOV_MAX]
        written = os.writev(fd, batch)
        start += len(batch)
        total = sum(map(len, batch))
        if written < total:  # a short write (a pipe, a full disk is an OSError): go on
            rest = b"".join(batch)[written:]
            while rest:
                rest = rest[os.write(fd, rest) :]
