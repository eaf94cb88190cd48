"""The Compose screen's file tree: token counts per file and folder, include/exclude toggles."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from assistant.display import safe_name


@dataclass
class Entry:
    """A file or folder: its path, its tokens (a folder's: the sum), whether it is in."""

    path: str
    tokens: int = 0
    included: bool = True
    children: dict[str, Entry] = field(default_factory=dict)

    @property
    def is_dir(self) -> bool:
        return bool(self.children)

    def files(self) -> Iterable[Entry]:
        if not self.children:
            yield self
        for child in self.children.values():
            yield from child.files()

    def included_tokens(self) -> int:
        return sum(f.tokens for f in self.files() if f.included)


def build(files: Iterable[tuple[str, int]]) -> Entry:
    """A tree of entries from ``(path, tokens)`` pairs; folders sum their files."""
    root = Entry("")
    for path, tokens in files:
        node = root
        parts = path.split("/")
        for depth, part in enumerate(parts):
            key = "/".join(parts[: depth + 1])
            node = node.children.setdefault(part, Entry(key))
            node.tokens += tokens
        root.tokens += tokens
    return root


def _settle(entry: Entry) -> None:
    """A folder is included while any file in it is."""
    for child in entry.children.values():
        if child.is_dir:
            _settle(child)
            child.included = any(f.included for f in child.files())


def _nodes(node: TreeNode[Entry]) -> Iterable[TreeNode[Entry]]:
    for child in node.children:
        yield child
        yield from _nodes(child)


class FileTree(Tree[Entry]):
    """Files under the root; space toggles the file or folder under the cursor."""

    class Toggled(Message):
        """Files were included or excluded."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    # named by the tree's border ("space: include/exclude"), not the footer: with it the
    # footer was 99 columns and lost ^g Help and ^q Quit at 80
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_include", "Include/exclude", show=False)
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(".", data=Entry(""), id=id)
        self.show_root = False
        self.guide_depth = 2

    def set_files(self, files: Iterable[tuple[str, int]]) -> None:
        """Show ``files`` (``(path, tokens)`` pairs). A recount (another backend counts with
        another tokenizer) keeps what was chosen: a file excluded before stays excluded, a
        folder open before stays open."""
        excluded = {f.path for f in self.entry.files() if not f.included}
        opened = {n.data.path for n in _nodes(self.root) if n.is_expanded and n.data is not None}
        entry = build(files)
        for f in entry.files():
            f.included = f.path not in excluded
        _settle(entry)
        self.clear()
        self.root.data = entry
        self._add(self.root, entry, opened)
        self.root.expand()

    def _add(self, node: TreeNode[Entry], entry: Entry, opened: set[str]) -> None:
        kids = sorted(entry.children.items(), key=lambda kv: (not kv[1].is_dir, kv[0]))
        for name, child in kids:
            label = self._label(name, child)
            if child.is_dir:
                branch = node.add(label, data=child, expand=child.path in opened)
                self._add(branch, child, opened)
            else:
                node.add_leaf(label, data=child)

    @staticmethod
    def _label(name: str, entry: Entry) -> Text:
        tokens = entry.included_tokens() if entry.is_dir else entry.tokens
        mark = "■" if entry.included else "□"
        shown = safe_name(name) + ("/" if entry.is_dir else "")  # a name from the repository
        text = Text.assemble(f"{mark} ", shown, "  ")
        text.append(f"{tokens:,}", style="dim")
        if not entry.included:
            text.stylize("strike dim")
        return text

    def action_toggle_include(self) -> None:
        if self.cursor_node is None and self.root.children:  # tabbed in, not moved yet:
            self.cursor_line = 0  # the key acts on the first row (Textual starts at none)
        node = self.cursor_node
        if node is None or node.data is None:
            return
        entry = node.data
        state = not entry.included
        for f in entry.files():
            f.included = state
        entry.included = state
        self._relabel(self.root)
        self.post_message(self.Toggled(entry))

    def _relabel(self, node: TreeNode[Entry]) -> None:
        for child in node.children:
            entry = child.data
            if entry is None:
                continue
            if entry.is_dir:
                entry.included = any(f.included for f in entry.files())
            child.set_label(self._label(entry.path.rsplit("/", 1)[-1], entry))
            self._relabel(child)

    @property
    def entry(self) -> Entry:
        assert self.root.data is not None
        return self.root.data

    def included_paths(self) -> list[str] | None:
        """The included files, or None when every file is (no restriction)."""
        files = list(self.entry.files())
        chosen = [f.path for f in files if f.included]
        return None if len(chosen) == len(files) else chosen
