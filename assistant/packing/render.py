"""Render a selection of files as one prompt: XML or Markdown, header first, task last.

Pure functions over values. The output is described as a sequence of *parts*: literal
strings (header, tags, fences) and :class:`Content` parts that stand for a file's text.
Keeping the two apart lets :mod:`assistant.packing.tally` count the whole output exactly from
cached per-file counts without re-encoding the files.

Layout (the order matters for provider prefix caches: nothing before the task depends on it,
unless a budget makes the choice of files depend on it):

    header (repository name, how to read the pack, directory tree with token counts and tiers)
    full files, by path
    skeleton files, by path
    footer
    git sections (``--diff``, ``--since``, ``--log``: they change more often than the files)
    the task (if any)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Literal

from ..lazytext import LazyText

if TYPE_CHECKING:
    from .gitctx import GitContext

Tier = Literal["full", "skeleton", "omitted"]
PackFormat = Literal["xml", "markdown"]
PACK_FORMATS: tuple[PackFormat, ...] = ("xml", "markdown")
TIERS: tuple[Tier, ...] = ("full", "skeleton", "omitted")


class _Shown(LazyText):
    """What the renderer shows of a file: its text, decoded on first use from ``data``
    (the text as UTF-8) when only that is given (:class:`~assistant.lazytext.LazyText`),
    and what the renderer asks of it, told from the bytes where they are there."""

    __slots__ = ()

    def needs_newline(self) -> bool:
        """Whether the renderer adds a newline after the text (one that does not end with
        one), told from the bytes when they are there."""
        if self._text is None and self.data is not None:
            return bool(self.data) and not self.data.endswith(b"\n")
        return bool(self.text) and not self.text.endswith("\n")

    def is_blank(self) -> bool:
        """``not text or text.isspace()``, from the bytes while the text is only ASCII
        whitespace or starts with an ASCII character."""
        if self._text is None and self.data is not None:
            rest = self.data.lstrip(_ASCII_SPACE)
            if not rest:
                return True
            if rest[0] < 0x80:
                return False
        return not self.text or self.text.isspace()

    def starts_with_space(self) -> bool:
        """``text[:1].isspace()``, from the first byte when it is ASCII."""
        if self._text is None and self.data is not None:
            if not self.data:
                return False
            if self.data[0] < 0x80:
                return chr(self.data[0]).isspace()
        return self.text[:1].isspace()

    def fence(self) -> str:
        """A backtick fence longer than any fence-like run in the text (:func:`_fence`),
        told from the bytes when they are there (the same runs: the pattern is ASCII)."""
        if self._text is None and self.data is not None:
            runs = _FENCE_RUN_BYTES.finditer(self.data)
            return "`" * max(3, max((len(m.group(1)) for m in runs), default=0) + 1)
        return _fence(self.text)


class Entry(_Shown):
    """One file as the renderer sees it."""

    __slots__ = ("key", "path", "shown_tokens", "tier", "tokens")
    _fields = ("path", "tier", "tokens", "text", "key", "shown_tokens")
    path: str
    tier: Tier
    tokens: int  # tokens of the whole file
    key: str  # content key for caching counts of ``text`` (blob sha, or skeleton key)
    shown_tokens: int  # tokens of ``text``

    def __init__(
        self,
        path: str,
        tier: Tier,
        tokens: int,
        text: str | None = "",  # what is shown: the file, its skeleton, or "" when omitted
        key: str = "",
        shown_tokens: int = 0,
        data: bytes | None = None,  # ``text`` as UTF-8; ``text`` None: decoded from it
    ) -> None:
        if text is None and data is None:
            raise ValueError("an Entry needs its text or its bytes")
        setter = object.__setattr__
        setter(self, "path", path)
        setter(self, "tier", tier)
        setter(self, "tokens", tokens)
        setter(self, "_text", text)
        setter(self, "key", key)
        setter(self, "shown_tokens", shown_tokens)
        setter(self, "data", data)


class Content(_Shown):
    """A part of the output that is a file's shown text, counted elsewhere."""

    __slots__ = ("key", "tokens")
    _fields = ("text", "tokens", "key")
    tokens: int
    key: str

    def __init__(self, text: str | None, tokens: int, key: str, data: bytes | None = None) -> None:
        if text is None and data is None:
            raise ValueError("a Content needs its text or its bytes")
        setter = object.__setattr__
        setter(self, "_text", text)
        setter(self, "tokens", tokens)
        setter(self, "key", key)
        setter(self, "data", data)

    @classmethod
    def of(cls, entry: Entry) -> Content:
        """The shown text of ``entry``, undecoded if it is."""
        return cls(entry._text, entry.shown_tokens, entry.key, entry.data)


Part = str | Content

# the ASCII characters str.isspace() counts as whitespace (bytes.isspace() knows only six)
_ASCII_SPACE = bytes(c for c in range(128) if chr(c).isspace())

_INTRO = (
    "This is a packed snapshot of a code repository, made by tome for a coding model. "
    "It holds a directory tree with the token count of every file, then the files. "
    "Files in the 'skeleton' tier show only imports, signatures, docstrings and constants; "
    "their bodies are elided with a marker saying how many lines were left out. "
    "Omitted files appear in the tree only. Do not invent the contents of elided or "
    "omitted code: ask for it, or leave it unchanged."
)

_TIER_MARK = {"full": "", "skeleton": " [skeleton]", "omitted": " [omitted]"}


def render(
    entries: Sequence[Entry],
    *,
    name: str,
    format: PackFormat = "xml",
    encoding: str,
    task: str | None = None,
    git: str = "",
) -> list[Part]:
    """Return the parts of the rendered pack, in order. ``"".join`` them for the text.

    ``git`` is the text of the git sections (:func:`git_sections`), placed after the
    repository and before the task."""
    if format not in PACK_FORMATS:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(PACK_FORMATS)}")
    by_path = sorted(entries, key=lambda e: e.path)
    shown = [e for e in by_path if e.tier == "full"] + [e for e in by_path if e.tier == "skeleton"]
    tree = render_tree(by_path)
    if format == "xml":
        parts = _render_xml(by_path, shown, tree=tree, name=name, encoding=encoding, task=task)
    else:
        parts = _render_markdown(by_path, shown, tree=tree, name=name, encoding=encoding, task=task)
    if git:  # the task stays last
        closing = parts[-1]
        assert isinstance(closing, str)
        after = task_section(task, format) if task is not None else ""
        parts[-1] = closing[: len(closing) - len(after)] + git + after
    return parts


def git_sections(git: GitContext, format: PackFormat) -> str:
    """The git sections of a pack: uncommitted diff, changes since a ref, recent commits.
    Their text is the repository's: escaped in XML, fenced past any fence it holds."""
    out: list[str] = []
    files = "".join(f"{p}\n" for p in git.since_files)
    if format == "xml":
        if git.diff:
            out.append(f'<git-diff base="HEAD">\n{escape(git.diff)}</git-diff>\n')
        if git.since is not None:
            out.append(
                f"<git-since ref={_attr(git.since)} commit={_attr(git.since_commit)}>\n"
                f"<files>\n{escape(files)}</files>\n{escape(git.since_diff)}</git-since>\n"
            )
        if git.log:
            lines = "".join(f"{line}\n" for line in git.log)
            out.append(f'<git-log commits="{len(git.log)}">\n{escape(lines)}</git-log>\n')
        return "".join(out)
    if git.diff:
        fence = _fence(git.diff)
        out.append(f"## Uncommitted changes (git diff HEAD)\n\n{fence}diff\n{git.diff}{fence}\n\n")
    if git.since is not None:
        fence = _fence(files + git.since_diff)
        out.append(
            f"## Changes since {git.since} ({git.since_commit[:12]})\n\n"
            f"{fence}text\n{files}{fence}\n\n{fence}diff\n{git.since_diff}{fence}\n\n"
        )
    if git.log:
        lines = "".join(f"{line}\n" for line in git.log)
        fence = _fence(lines)
        out.append(f"## Recent commits touching these files\n\n{fence}text\n{lines}{fence}\n\n")
    return "".join(out)


def render_tree(entries: Sequence[Entry]) -> str:
    """A directory tree, two spaces per level, with token counts (folders: totals) and tiers."""
    # by path components (a folder's files before a sibling such as "a-b/"): the order of
    # the paths with "/" as NUL, which no path holds, sorted as plain strings
    ordered = sorted(entries, key=lambda e: e.path.replace("/", "\0"))
    folder_tokens: dict[str, int] = {}
    for entry in ordered:
        path, tokens = entry.path, entry.tokens
        cut = path.find("/")
        while cut != -1:
            folder = path[:cut]
            folder_tokens[folder] = folder_tokens.get(folder, 0) + tokens
            cut = path.find("/", cut + 1)
    lines: list[str] = []
    opened = ""  # the folder of the previous file, as a path ("" for the top)
    opened_parts: list[str] = []
    for entry in ordered:
        path = entry.path
        cut = path.rfind("/")
        folder = path[:cut] if cut != -1 else ""
        if folder != opened:
            # open the folders this file is in that the previous file was not in
            parts = folder.split("/") if folder else []
            same = 0
            top = min(len(opened_parts), len(parts))
            while same < top and opened_parts[same] == parts[same]:
                same += 1
            for depth in range(same, len(parts)):
                total = folder_tokens["/".join(parts[: depth + 1])]
                lines.append(f"{'  ' * depth}{parts[depth]}/ {total:,}")
            opened, opened_parts = folder, parts
        indent = "  " * len(opened_parts)
        lines.append(f"{indent}{path[cut + 1 :]} {entry.tokens:,}{_TIER_MARK[entry.tier]}")
    return "\n".join(lines) + "\n" if lines else ""


def _counts_line(entries: Sequence[Entry]) -> str:
    tiers = {t: sum(1 for e in entries if e.tier == t) for t in TIERS}
    return f"{len(entries)} files: {tiers['full']} full, {tiers['skeleton']} skeleton, {tiers['omitted']} omitted"


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for XML text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    """A double-quoted XML attribute value."""
    return '"' + escape(value).replace('"', "&quot;") + '"'


def _render_xml(
    entries: Sequence[Entry],
    shown: Sequence[Entry],
    *,
    tree: str,
    name: str,
    encoding: str,
    task: str | None,
) -> list[Part]:
    parts: list[Part] = []
    head = (
        f"<repository name={_attr(name)} encoding={_attr(encoding)}>\n"
        f"<about>\n{_INTRO}\n</about>\n"
        f"{tree_start('xml')}{escape(tree)}</tree>\n"
    )
    pending = head
    for entry in shown:
        tier_attr = ' tier="skeleton"' if entry.tier == "skeleton" else ""
        pending += f'<file path={_attr(entry.path)} tokens="{entry.tokens}"{tier_attr}>\n'
        parts.append(pending)
        parts.append(Content.of(entry))
        pending = ("\n" if entry.needs_newline() else "") + "</file>\n"
    pending += f"<summary>{_counts_line(entries)}</summary>\n</repository>\n"
    if task is not None:
        pending += task_section(task, "xml")
    parts.append(pending)
    return parts


# fence tags of languages without a grammar; those with one come from code.registry
_LANGS = {
    ".kt": "kotlin",
    ".swift": "swift",
    ".scala": "scala",
    ".sh": "bash",
    ".bash": "bash",
    ".zsh": "zsh",
    ".ps1": "powershell",
    ".sql": "sql",
    ".html": "html",
    ".htm": "html",
    ".css": "css",
    ".scss": "scss",
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".ini": "ini",
    ".cfg": "ini",
    ".xml": "xml",
    ".md": "markdown",
    ".rst": "rst",
    ".txt": "text",
    ".lua": "lua",
    ".r": "r",
    ".dart": "dart",
    ".ex": "elixir",
    ".exs": "elixir",
    ".erl": "erlang",
    ".hs": "haskell",
    ".ml": "ocaml",
    ".vue": "vue",
    ".svelte": "svelte",
    ".tf": "hcl",
    ".proto": "protobuf",
    ".po": "po",
}
_NAMES = {"Dockerfile": "dockerfile", "Makefile": "makefile", "CMakeLists.txt": "cmake"}
_FENCE_RUN = re.compile(r"^[ \t]*(`{3,}|~{3,})", re.MULTILINE)
_FENCE_RUN_BYTES = re.compile(_FENCE_RUN.pattern.encode(), re.MULTILINE)


def language_tag(path: str) -> str:
    """The Markdown fence language for a path ("" when unknown)."""
    pure = PurePosixPath(path)
    named = _NAMES.get(pure.name)
    if named:
        return named
    from ..code.registry import language_for  # the one table of languages with a grammar

    return language_for(path) or _LANGS.get(pure.suffix.lower(), "")


def _fence(text: str) -> str:
    """A backtick fence longer than any fence-like run inside the text."""
    longest = max((len(m.group(1)) for m in _FENCE_RUN.finditer(text)), default=0)
    return "`" * max(3, longest + 1)


def _render_markdown(
    entries: Sequence[Entry],
    shown: Sequence[Entry],
    *,
    tree: str,
    name: str,
    encoding: str,
    task: str | None,
) -> list[Part]:
    parts: list[Part] = []
    tree_fence = _fence(tree)
    pending = (
        f"# Repository: {name}\n\n{_INTRO}\n\n"
        f"Encoding: {encoding}.\n\n"
        f"{tree_start('markdown')}{tree_fence}text\n{tree}{tree_fence}\n\n"
    )
    for entry in shown:
        fence = entry.fence()
        tier = ", skeleton" if entry.tier == "skeleton" else ""
        pending += (
            f"## {entry.path} ({entry.tokens:,} tokens{tier})\n\n"
            f"{fence}{language_tag(entry.path)}\n"
        )
        parts.append(pending)
        parts.append(Content.of(entry))
        pending = ("\n" if entry.needs_newline() else "") + f"{fence}\n\n"
    pending += f"## Summary\n\n{_counts_line(entries)}.\n\n"
    if task is not None:
        pending += task_section(task, "markdown")
    parts.append(pending)
    return parts


def tree_start(format: PackFormat) -> str:
    """The text that opens the tree: everything before it is the same for any task."""
    return "<tree>\n" if format == "xml" else "## Tree\n\n"


def task_section(task: str, format: PackFormat) -> str:
    """The closing task section: the only part of a pack that always depends on the task."""
    if format == "xml":
        return f"<task>\n{task.strip()}\n</task>\n"
    return f"## Task\n\n{task.strip()}\n"


def join(parts: Sequence[Part]) -> str:
    return "".join(p if isinstance(p, str) else p.text for p in parts)
