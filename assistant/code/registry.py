"""Which grammar reads which file: extensions and file names mapped to tree-sitter languages.

Every language is backed by an official grammar wheel (``tree-sitter-python`` ...), loaded
lazily and once per process. Tags queries are the ``queries/tags.scm`` that each wheel ships,
plus a few patterns of our own where the shipped query says nothing about something we rank
on (see ``_EXTRA_TAGS``). TypeScript's ``tags.scm`` only adds the TypeScript-specific
patterns to JavaScript's, so both are used for ``typescript`` and ``tsx``, as the grammar
intends.

``.h`` is read as C++: the C++ grammar parses nearly all C headers (it fails only on C++
keywords used as identifiers, rare in headers and local when it happens), while the C grammar
fails on every class, namespace and template of a C++ header.
"""

from __future__ import annotations

import importlib
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import tree_sitter


@dataclass(frozen=True, slots=True)
class Grammar:
    """A language we can parse: the wheel's module, its language function, the tags files."""

    name: str
    module: str
    function: str = "language"
    tags_from: tuple[str, ...] = ()  # modules whose queries/tags.scm are used, in order


GRAMMARS: dict[str, Grammar] = {
    g.name: g
    for g in (
        Grammar("python", "tree_sitter_python", tags_from=("tree_sitter_python",)),
        Grammar("javascript", "tree_sitter_javascript", tags_from=("tree_sitter_javascript",)),
        Grammar(
            "typescript",
            "tree_sitter_typescript",
            "language_typescript",
            tags_from=("tree_sitter_javascript", "tree_sitter_typescript"),
        ),
        Grammar(
            "tsx",
            "tree_sitter_typescript",
            "language_tsx",
            tags_from=("tree_sitter_javascript", "tree_sitter_typescript"),
        ),
        Grammar("go", "tree_sitter_go", tags_from=("tree_sitter_go",)),
        Grammar("rust", "tree_sitter_rust", tags_from=("tree_sitter_rust",)),
        Grammar("java", "tree_sitter_java", tags_from=("tree_sitter_java",)),
        Grammar("c", "tree_sitter_c", tags_from=("tree_sitter_c",)),
        Grammar("cpp", "tree_sitter_cpp", tags_from=("tree_sitter_cpp",)),
        Grammar("ruby", "tree_sitter_ruby", tags_from=("tree_sitter_ruby",)),
        Grammar("csharp", "tree_sitter_c_sharp", tags_from=("tree_sitter_c_sharp",)),
        Grammar("php", "tree_sitter_php", "language_php", tags_from=("tree_sitter_php",)),
    )
}

EXTENSIONS: dict[str, str] = {
    **dict.fromkeys((".py", ".pyi", ".pyw"), "python"),
    **dict.fromkeys((".js", ".mjs", ".cjs", ".jsx"), "javascript"),
    **dict.fromkeys((".ts", ".mts", ".cts"), "typescript"),
    ".tsx": "tsx",
    ".go": "go",
    ".rs": "rust",
    ".java": "java",
    ".c": "c",
    **dict.fromkeys(
        (".h", ".cc", ".cpp", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".inl"),
        "cpp",
    ),
    **dict.fromkeys((".rb", ".rake", ".gemspec", ".ru"), "ruby"),
    **dict.fromkeys((".cs", ".csx"), "csharp"),
    **dict.fromkeys((".php", ".phtml"), "php"),
}

FILENAMES: dict[str, str] = {
    **dict.fromkeys(
        ("Rakefile", "Gemfile", "Guardfile", "Podfile", "Vagrantfile", "Brewfile"), "ruby"
    ),
    **dict.fromkeys(("SConstruct", "SConscript"), "python"),
}

# Our own patterns, appended to the shipped tags.scm where it is silent on something
# the symbol graph needs: references in C and C++ (the shipped queries have none), base
# classes in Python, and a few declaration kinds missing from the Go, Rust, Java, C#
# and TypeScript queries.
_EXTRA_TAGS: dict[str, str] = {
    "python": """
(class_definition superclasses: (argument_list [
  (identifier) @name
  (attribute attribute: (identifier) @name)])) @reference.class
""",
    "typescript": """
(type_alias_declaration name: (type_identifier) @name) @definition.type
(enum_declaration name: (identifier) @name) @definition.type
""",
    "go": """
(source_file (const_declaration (const_spec name: (identifier) @name) @definition.constant))
(source_file (var_declaration (var_spec name: (identifier) @name) @definition.variable))
""",
    "rust": """
(const_item name: (identifier) @name) @definition.constant
(static_item name: (identifier) @name) @definition.constant
""",
    "java": """
(enum_declaration name: (identifier) @name) @definition.type
(record_declaration name: (identifier) @name) @definition.class
(constructor_declaration name: (identifier) @name) @definition.method
""",
    "c": """
(call_expression function: (identifier) @name) @reference.call
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
""",
    "cpp": """
(call_expression function: [
  (identifier) @name
  (field_expression field: (field_identifier) @name)
  (qualified_identifier name: (identifier) @name)]) @reference.call
(namespace_definition name: (namespace_identifier) @name) @definition.module
(preproc_def name: (identifier) @name) @definition.constant
(preproc_function_def name: (identifier) @name) @definition.macro
""",
    "csharp": """
(struct_declaration name: (identifier) @name) @definition.class
(record_declaration name: (identifier) @name) @definition.class
(enum_declaration name: (identifier) @name) @definition.type
(constructor_declaration name: (identifier) @name) @definition.method
(property_declaration name: (identifier) @name) @definition.field
(invocation_expression function: (identifier) @name) @reference.call
""",
}
_EXTRA_TAGS["tsx"] = _EXTRA_TAGS["typescript"]


def language_for(path: str) -> str | None:
    """The language name for a repository path, or None when no grammar reads it."""
    name = path_name(path)
    by_name = FILENAMES.get(name)
    if by_name is not None:
        return by_name
    return EXTENSIONS.get(name_suffix(name).lower())


def path_parts(path: str) -> list[str]:
    """``PurePosixPath(path).parts`` in plain string operations (a ranking asks for every
    file of a tree, and pathlib costs ten times as much): empty and ``.`` parts dropped."""
    parts = [part for part in path.split("/") if part and part != "."]
    return ["/", *parts] if path.startswith("/") else parts


def path_name(path: str) -> str:
    """``PurePosixPath(path).name``: the last part, or ``""``."""
    name = path.rpartition("/")[2]
    if name and name != ".":
        return name
    parts = path_parts(path)
    return parts[-1] if parts and parts[-1] != "/" else ""


def name_suffix(name: str) -> str:
    """``PurePosixPath`` ``.suffix`` of a file name: from its last dot, not a leading or
    trailing one."""
    at = name.rfind(".")
    return name[at:] if 0 < at < len(name) - 1 else ""


def name_stem(name: str) -> str:
    """``PurePosixPath`` ``.stem`` of a file name: the name without :func:`name_suffix`."""
    at = name.rfind(".")
    return name[:at] if 0 < at < len(name) - 1 else name


@cache
def grammar(name: str) -> tree_sitter.Language:
    """The tree-sitter language for ``name``, loaded from its wheel on first use."""
    spec = GRAMMARS[name]
    module = importlib.import_module(spec.module)
    return tree_sitter.Language(getattr(module, spec.function)())


_per_thread = threading.local()


def parser(name: str) -> tree_sitter.Parser:
    """One parser per language per thread: a parser holds the state of the parse it runs,
    so two threads (a TUI worker packing while another ranks) never share one."""
    parsers: dict[str, tree_sitter.Parser] = _per_thread.__dict__.setdefault("parsers", {})
    found = parsers.get(name)
    if found is None:
        found = parsers[name] = tree_sitter.Parser(grammar(name))
    return found


def _shipped_tags(module_name: str) -> str:
    module = importlib.import_module(module_name)
    assert module.__file__ is not None
    package_dir = Path(module.__file__).parent
    # tree-sitter-c-sharp installs its queries beside the package, in "tree_sitter_c-sharp/"
    suffix = package_dir.name.removeprefix("tree_sitter_")
    sibling = package_dir.with_name("tree_sitter_" + suffix.replace("_", "-"))
    for folder in (package_dir, sibling):
        candidate = folder / "queries" / "tags.scm"
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8")
    raise FileNotFoundError(f"{module_name} ships no queries/tags.scm (looked in {package_dir})")


def tags_source(name: str) -> str:
    """The full tags query text for a language: shipped files, then our additions."""
    parts = [_shipped_tags(module) for module in GRAMMARS[name].tags_from]
    parts.append(_EXTRA_TAGS.get(name, ""))
    return "\n".join(parts)


@cache
def tags_query(name: str) -> tree_sitter.Query:
    """The compiled tags query for a language (compiled once per process)."""
    return tree_sitter.Query(grammar(name), tags_source(name))
