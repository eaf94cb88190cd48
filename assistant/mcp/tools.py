"""The tools of ``tome mcp``, as plain functions over the library (no MCP SDK here).

Each takes the arguments an agent sends and returns plain data (the server sends it as JSON
text), or raises an :class:`~assistant.errors.AssistantError` whose message says why (a
refused argument or edit: a ``ConfigError``): the server turns both into a tool error (``isError``).

Trust: ``root`` is the agent's, standing in for the user (a choice, like ``-C DIR``), but it
must be a folder in a git work tree (never ``/`` or a home folder packed by accident, never
a ``.git`` folder), and under one of the server's ``--only`` folders when the user gave any.
Everything under it is the repository's, untrusted, and goes through the CLI's own checks:
the same pack (ignore rules, secret scan, no link followed out), the same apply
(:func:`assistant.cli.apply.apply_patch`: paths confined to the root, no symlink escape,
every hunk must place or nothing is written, config and CI edits refused, journaled,
``undo`` reverts). The edit text is untrusted in any format. An agent cannot pass
``--allow-config-edits`` or ``--force``: those stay the user's, on the command line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ConfigError as Refused  # a call that cannot be served as asked

INLINE_TOKENS = 20_000
"""A pack up to this many tokens comes back as text; a larger one is written to
``<root>/.tome/pack.xml`` and its path comes back (Claude Code, for one, cuts a tool's
answer at 25,000 tokens by default: ``MAX_MCP_OUTPUT_TOKENS``)."""

MAX_LIMIT = 1000


@dataclasses.dataclass(frozen=True)
class Scope:
    """Where the server may work: under these folders (empty: wherever the agent asks)."""

    only: tuple[Path, ...] = ()

    def repository(self, root: str) -> Path:
        """The top of the git work tree at ``root``, or :class:`Refused` saying why not."""
        from ..repo import work_tree_of

        if not isinstance(root, str) or not root.strip():
            raise Refused("root: give the repository's folder (an absolute path)")
        folder = Path(root).expanduser()
        if not folder.is_dir():
            said = "is not a folder" if folder.exists() else "no such folder"
            raise Refused(f"root {root!r}: {said}")
        top = work_tree_of(folder)
        if top is None:
            raise Refused(
                f"root {root!r} is not in a git work tree; tome mcp works on repositories "
                "(run git init there first, or give the repository's folder)"
            )
        if self.only and not any(top == d or d in top.parents for d in self.only):
            allowed = ", ".join(str(d) for d in self.only)
            raise Refused(f"root {root!r} is outside the folders this server serves ({allowed})")
        return top


def pack(
    scope: Scope,
    root: str,
    task: str | None = None,
    budget: int | None = None,
    encoding: str | None = None,
) -> dict[str, Any]:
    """The repository packed into one prompt: its summary (tokens, tiers, every file with
    its tier), and the text itself up to :data:`INLINE_TOKENS`, else the path it was
    written to. As ``tome pack`` does, a pack already in that file (the same tree and
    request, the file as tome left it) is left there, not made again."""
    from ..cache import Cache
    from ..cli.pack import _default_output, _write
    from ..packing import DEFAULT_ENCODING, PackOptions
    from ..packing import pack as pack_repository
    from ..packing.reuse import remember_output, reuse_output

    top = scope.repository(root)
    if budget is not None and budget < 1:
        raise Refused(f"budget: give a number of tokens above 0, not {budget}")
    cache = Cache()
    request: dict[str, Any] = {
        "budget": budget,
        "encoding": encoding or DEFAULT_ENCODING,
        "format": "xml",
        "task": task,
        "options": PackOptions(),
        "cache": cache,
    }
    out = _default_output(top, "xml")
    result = reuse_output(top, out, **request)
    if result is None or result.tokens <= INLINE_TOKENS:  # inline: the text is needed
        result = pack_repository(top, **request)
        if result.tokens > INLINE_TOKENS:
            _write(out, result, root=top)
            remember_output(
                result, out, encoding=request["encoding"], options=PackOptions(), cache=cache
            )
    summary = result.summary()
    summary["root"] = str(top)
    if result.tokens <= INLINE_TOKENS:
        summary["text"] = result.text
        return summary
    summary["output"] = str(out)
    summary["note"] = (
        f"{result.tokens:,} tokens: written to the file (read it in parts), not returned inline"
    )
    return summary


def rank_files(scope: Scope, root: str, task: str, limit: int = 20) -> dict[str, Any]:
    """The repository's files by relevance to ``task``, best first, with their scores."""
    from ..packing import rank_files as rank

    top = scope.repository(root)
    if not isinstance(task, str) or not task.strip():
        raise Refused("task: say what the files should be relevant to")
    if not 1 <= limit <= MAX_LIMIT:
        raise Refused(f"limit: give 1 to {MAX_LIMIT}, not {limit}")
    ranked = rank(top, task, limit=limit)
    return {"root": str(top), "files": [{"path": p, "score": round(s, 6)} for p, s in ranked]}


def apply_edits(scope: Scope, root: str, edits: str, check: bool = False) -> dict[str, Any]:
    """``tome apply`` on ``edits`` (any format): the per-hunk report; :class:`Refused` with
    every reason when nothing was written (the report after them)."""
    from ..cli.apply import apply_patch
    from ..display import safe

    top = scope.repository(root)
    if not isinstance(edits, str) or not edits.strip():
        raise Refused("edits: give the edit text (a diff, SEARCH/REPLACE blocks, a patch)")
    outcome = apply_patch(top, edits, check=check, allow_config_edits=False)
    if not outcome.ok:
        import json

        why = safe("\n".join(line.removeprefix("tome: ").removeprefix("error: ")
                              for line in outcome.lines))  # fmt: skip
        raise Refused(f"{why}\n\nreport: {json.dumps(outcome.payload)}")
    return {"root": str(top), **outcome.payload}


def undo(scope: Scope, root: str) -> dict[str, Any]:
    """``tome undo``: the last apply reverted byte for byte (a file changed since is a
    conflict, refused: ``tome undo --force`` is the user's)."""
    from ..history import revert

    top = scope.repository(root)
    done = revert(top, None, force=False)
    if done is None:
        raise Refused("nothing to undo: no apply of this repository is left to revert")
    return {
        "root": str(top), "journal": done.journal, "restored": list(done.restored),
        "removed": list(done.removed), "recovered": done.recovered,
        "session": done.session_id, "commit": done.commit,
    }  # fmt: skip


def history(scope: Scope, root: str, limit: int = 20) -> dict[str, Any]:
    """``tome history --json``: the latest sessions, newest first."""
    from ..history import History

    top = scope.repository(root)
    if not 1 <= limit <= MAX_LIMIT:
        raise Refused(f"limit: give 1 to {MAX_LIMIT}, not {limit}")
    found = History(top)
    sessions = found.sessions(limit=limit)
    return {"root": str(top), "sessions": [dataclasses.asdict(s) for s in sessions]}


def scope_of(only: Sequence[Path]) -> Scope:
    """The server's :class:`Scope` from ``--only`` folders (the user's: trusted, resolved)."""
    return Scope(tuple(Path(d).expanduser().resolve() for d in only))
