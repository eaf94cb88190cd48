"""The MCP server of ``tome mcp``: :mod:`assistant.mcp.tools` served over stdio with the
official SDK (``mcp``, MIT), imported here only, so no other command pays for it.

Each tool answers with one text block of JSON (``pack`` adds the packed text itself as a
second block when it is returned inline, so the model reads it as it is, not as a JSON
string). A refused call (a root that is not a repository, an edit that does not place, a
path out of the repository, a config edit) is a tool error, ``isError`` with the reason as
its text; the SDK sends a bad argument (a string for ``budget``) as one too. Calls run one
at a time (a worker thread each, under one lock): two applies never interleave.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, ContentBlock, TextContent, ToolAnnotations

from ..errors import AssistantError
from . import tools

INSTRUCTIONS = """\
tome packs a git repository into one prompt (pack, rank_files) and applies edits to it
safely (apply_edits: any diff format, every hunk must place or nothing is written, paths
confined to the repository, journaled; undo reverts the last apply; history lists the
sessions). Give root as the repository's absolute path."""


def build(only: Sequence[Path] = ()) -> MCPServer:
    """The server, its five tools bound to the folders it may serve (``only``)."""
    scope = tools.scope_of(only)
    lock = threading.Lock()
    server: MCPServer = MCPServer("tome", instructions=INSTRUCTIONS, version=_version())

    def call(job: Callable[[], dict[str, Any]]) -> CallToolResult:
        with lock:
            try:
                payload = job()
            except AssistantError as exc:
                raise ToolError(str(exc)) from exc
        text = payload.pop("text", None)
        # compact: with an indent, json encodes in Python (a 5,000-file pack summary: 0.1 s)
        blocks: list[ContentBlock] = [TextContent(type="text", text=json.dumps(payload))]
        if text is not None:
            blocks.append(TextContent(type="text", text=text))
        return CallToolResult(content=blocks)

    reads = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=True, open_world_hint=False)

    @server.tool(annotations=reads)
    def pack(
        root: str, task: str | None = None, budget: int | None = None, encoding: str | None = None
    ) -> CallToolResult:
        """Pack the git repository at root into one prompt (files ranked for task when given,
        cut to budget tokens: whole, as skeletons, or omitted). Returns the token counts, the
        tier of every file, and the packed text (up to 20,000 tokens; a larger pack is
        written to <root>/.tome/pack.xml and its path returned)."""
        return call(lambda: tools.pack(scope, root, task=task, budget=budget, encoding=encoding))

    @server.tool(annotations=reads)
    def rank_files(root: str, task: str, limit: int = 20) -> CallToolResult:
        """The files of the git repository at root most relevant to task, best first, with
        their scores (at most limit)."""
        return call(lambda: tools.rank_files(scope, root, task, limit=limit))

    @server.tool(annotations=writes)
    def apply_edits(root: str, edits: str, check: bool = False) -> CallToolResult:
        """Apply edits (a unified diff, SEARCH/REPLACE blocks, a *** Begin Patch block or
        whole files) to the git repository at root, all or none: a per-hunk report. With
        check, validate only and write nothing. Edits to .tome.toml, .tomeignore or CI
        workflows are refused. Undo reverts it."""
        return call(lambda: tools.apply_edits(scope, root, edits, check=check))

    @server.tool(annotations=writes)
    def undo(root: str) -> CallToolResult:
        """Revert the last apply in the git repository at root, byte for byte."""
        return call(lambda: tools.undo(scope, root))

    @server.tool(annotations=reads)
    def history(root: str, limit: int = 20) -> CallToolResult:
        """The latest tome sessions of the git repository at root, newest first."""
        return call(lambda: tools.history(scope, root, limit=limit))

    return server


def serve(only: Sequence[Path] = ()) -> None:
    """Serve over stdio until the client closes the connection."""
    build(only).run("stdio")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tome")
    except PackageNotFoundError:
        return "0"
