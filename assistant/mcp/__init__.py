"""``tome mcp``: tome's pack, rank and safe apply as Model Context Protocol tools, so other
agents (Claude Code, Codex, Cursor ...) can call them over stdio.

:mod:`assistant.mcp.tools` holds the tools as plain functions over the library (which input
is trusted and which is not is said there); :mod:`assistant.mcp.server` serves them with the
official ``mcp`` SDK, imported only when the server starts.
"""
