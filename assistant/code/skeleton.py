"""Skeletons: a file cut down to what a reader needs to call into it.

Imports, class and function signatures (whole, with decorators, annotations and multi-line
parameter lists), docstrings and top-level statements stay, with their original indentation;
every function or method body long enough to matter becomes ONE marker line at the body's
indentation, in the language's comment syntax, saying how many lines went::

    def parse(self, text: str) -> Tree:
        \"\"\"Parse ``text``.\"\"\"
        ...  # ⋯ 42 lines elided

    public Tree parse(String text) {
        /* ⋯ 42 lines elided */
    }

Only whole lines are cut, and only when no syntax crosses the cut, so a skeleton parses again
in its language (a Python body keeps a ``...`` statement). A body is replaced only when the
marker is shorter than what it replaces, and never when it is one line (the marker would
say less, in about as many tokens). Class bodies are kept (their methods are cut), and so
are top-level function expressions that act as modules (an IIFE, a UMD factory, a top-level
callback); functions nested in an elided body go with it.

Python takes a fast path (:mod:`assistant.code.pyscan`) that is checked by re-parsing the
skeleton with tree-sitter; every other language, and any Python file the fast path declines,
is cut from its tree-sitter parse. Files without a grammar keep their first lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import tree_sitter

from . import pyscan
from .registry import grammar, language_for, parser
from .tags import encode

HEAD_LINES = 40

Style = Literal["python", "braces", "end"]


@dataclass(frozen=True, slots=True)
class Skeleton:
    """A skeleton's text, how many source lines it left out, and the language it was read as."""

    text: str
    elided_lines: int
    language: str | None


@dataclass(frozen=True, slots=True)
class _Spec:
    style: Style
    marker: str  # a format string with {count}
    bodies: str  # a query capturing @body on every function-like body


_C_MARKER = "/* ⋯ {count} elided */"
_JS_BODIES = " ".join(
    f"({kind} body: (statement_block) @body)"
    for kind in (
        "function_declaration",
        "function_expression",
        "generator_function_declaration",
        "generator_function",
        "arrow_function",
        "method_definition",
    )
)
_SPECS: dict[str, _Spec] = {
    "python": _Spec(
        "python", "...  # ⋯ {count} elided", "(function_definition body: (block) @body)"
    ),
    "javascript": _Spec("braces", _C_MARKER, _JS_BODIES),
    "typescript": _Spec("braces", _C_MARKER, _JS_BODIES),
    "tsx": _Spec("braces", _C_MARKER, _JS_BODIES),
    "go": _Spec(
        "braces",
        _C_MARKER,
        "(function_declaration body: (block) @body) (method_declaration body: (block) @body)"
        " (func_literal body: (block) @body)",
    ),
    "rust": _Spec(
        "braces",
        _C_MARKER,
        "(function_item body: (block) @body) (closure_expression body: (block) @body)",
    ),
    "java": _Spec(
        "braces",
        _C_MARKER,
        "(method_declaration body: (block) @body)"
        " (constructor_declaration body: (constructor_body) @body)"
        " (compact_constructor_declaration body: (block) @body)"
        " (lambda_expression body: (block) @body)",
    ),
    "c": _Spec("braces", _C_MARKER, "(function_definition body: (compound_statement) @body)"),
    "cpp": _Spec(
        "braces",
        _C_MARKER,
        "(function_definition body: (compound_statement) @body)"
        " (lambda_expression body: (compound_statement) @body)",
    ),
    "csharp": _Spec(
        "braces",
        _C_MARKER,
        " ".join(
            f"({kind} body: (block) @body)"
            for kind in (
                "method_declaration",
                "constructor_declaration",
                "destructor_declaration",
                "operator_declaration",
                "conversion_operator_declaration",
                "local_function_statement",
                "accessor_declaration",
                "lambda_expression",
            )
        ),
    ),
    "php": _Spec(
        "braces",
        _C_MARKER,
        "(function_definition body: (compound_statement) @body)"
        " (method_declaration body: (compound_statement) @body)"
        " (anonymous_function body: (compound_statement) @body)",
    ),
    "ruby": _Spec(
        "end", "# ⋯ {count} elided", "(method body: (_) @body) (singleton_method body: (_) @body)"
    ),
}

# A function expression reached from the top level only through these nodes is a module
# in disguise (an IIFE, a UMD factory, ``describe(..., () => {...})``): keep its body.
_MODULE_WRAPPERS = frozenset(
    {
        "expression_statement",
        "parenthesized_expression",
        "call_expression",
        "arguments",
        "unary_expression",
    }
)
_FUNCTION_EXPRESSIONS = frozenset({"function_expression", "arrow_function", "function"})


def lines_word(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def skeleton(path: str, text: str, *, head_lines: int = HEAD_LINES) -> Skeleton:
    """The skeleton of ``text`` read as ``path``; the first ``head_lines`` without a grammar."""
    language = language_for(path)
    if language is None:
        return head(text, head_lines=head_lines)
    return skeleton_for_language(language, text)


def skeleton_for_language(language: str, text: str) -> Skeleton:
    """The skeleton of ``text`` in a language that has a grammar."""
    if language == "python":
        fast = pyscan.skeleton(text)
        if fast is not None:
            fast_text, elided = fast
            if elided == 0 or not parser("python").parse(encode(fast_text)).root_node.has_error:
                return Skeleton(fast_text, elided, language)
    return tree_skeleton(language, text)


def head(text: str, *, head_lines: int = HEAD_LINES) -> Skeleton:
    """The first ``head_lines`` lines and a marker saying how many more there were."""
    lines = text.splitlines(keepends=True)
    if len(lines) <= head_lines + 1:  # one line more is kept rather than said by a marker
        return Skeleton(text, 0, None)
    rest = len(lines) - head_lines
    kept = "".join(lines[:head_lines])
    if not kept.endswith("\n"):
        kept += "\n"
    return Skeleton(f"{kept}⋯ {rest} more {'line' if rest == 1 else 'lines'} elided\n", rest, None)


@cache
def _bodies_query(language: str) -> tree_sitter.Query:
    return tree_sitter.Query(grammar(language), _SPECS[language].bodies)


def tree_skeleton(language: str, text: str) -> Skeleton:
    """The skeleton cut from a full tree-sitter parse (every language; Python's slow path)."""
    spec = _SPECS[language]
    tree = parser(language).parse(encode(text))
    bodies = tree_sitter.QueryCursor(_bodies_query(language)).captures(tree.root_node).get("body")
    if not bodies:
        return Skeleton(text, 0, language)
    lines = text.split("\n")
    cuts: list[tuple[int, int, str]] = []  # (first row, last row, marker line)
    covered_until = -1
    for body in sorted(bodies, key=lambda node: node.start_byte):
        if body.start_point.row <= covered_until:
            continue
        region = _region(spec.style, body)
        if region is None:
            continue
        first, last = region
        if first <= covered_until:
            continue
        owner = body.parent
        if owner is not None and owner.type in _FUNCTION_EXPRESSIONS and _acts_as_module(owner):
            continue
        count = last - first + 1
        indent = _indent_of_first_code_line(lines, first, last)
        marker = indent + spec.marker.format(count=lines_word(count))
        if count == 1 or sum(map(len, lines[first : last + 1])) + count - 1 <= len(marker):
            continue  # a one-line body says more than a marker; or the marker is no shorter
        cuts.append((first, last, marker))
        covered_until = last
    return _assemble(lines, cuts, language)


def _region(style: Style, body: tree_sitter.Node) -> tuple[int, int] | None:
    """The rows of ``body`` that can be cut whole without cutting through any syntax."""
    if style == "python":
        return _python_region(body)
    children = body.named_children
    if not children:
        return None
    if style == "braces":
        open_row, close_row = body.start_point.row, body.end_point.row
        first, last = open_row + 1, close_row - 1
        if first > last:
            return None
        for child in children:
            start, end = child.start_point.row, _end_row(child)
            inside = first <= start and end <= last
            if not (inside or end == open_row or start == close_row):
                return None
        return first, last
    # style == "end": the body is exactly the statements between the header and ``end``
    owner = body.parent
    header = body.prev_sibling
    if owner is None or header is None:
        return None
    first, last = body.start_point.row, _end_row(body)
    if header.end_point.row >= first or owner.end_point.row <= last:
        return None
    return first, last


def _python_region(block: tree_sitter.Node) -> tuple[int, int] | None:
    colon = block.prev_sibling
    if colon is None:
        return None
    kept_until = colon.end_point.row
    statements = [child for child in block.named_children if child.type != "comment"]
    if not statements:
        return None
    docstring = statements[0]
    if docstring.type == "expression_statement" and docstring.named_child_count == 1:
        only = docstring.named_children[0]
        if only.type in ("string", "concatenated_string"):
            kept_until = max(kept_until, docstring.end_point.row)
    rest = [s for s in statements if s.start_point.row > kept_until or s.end_point.row > kept_until]
    for statement in rest:  # a statement that starts on a kept row keeps its rows too
        if statement.start_point.row <= kept_until:
            kept_until = max(kept_until, _end_row(statement))
    remaining = [s for s in rest if s.start_point.row > kept_until]
    if not remaining:
        return None
    return remaining[0].start_point.row, max(_end_row(s) for s in remaining)


def _end_row(node: tree_sitter.Node) -> int:
    """The last row holding part of ``node`` (a node may end at column 0 of the next row)."""
    end = node.end_point
    if end.column == 0 and end.row > node.start_point.row:
        return end.row - 1
    return end.row


def _acts_as_module(function: tree_sitter.Node) -> bool:
    node = function.parent
    for _ in range(8):
        if node is None:
            return False
        if node.type == "program":
            return True
        if node.type not in _MODULE_WRAPPERS:
            return False
        node = node.parent
    return False


def _indent_of_first_code_line(lines: list[str], first: int, last: int) -> str:
    for row in range(first, last + 1):
        line = lines[row]
        stripped = line.lstrip()
        if stripped:
            return line[: len(line) - len(stripped)]
    return ""


def _assemble(lines: list[str], cuts: list[tuple[int, int, str]], language: str) -> Skeleton:
    out: list[str] = []
    position = 0
    elided = 0
    for first, last, marker in cuts:
        out.extend(lines[position:first])
        out.append(marker)
        position = last + 1
        elided += last - first + 1
    out.extend(lines[position:])
    return Skeleton("\n".join(out), elided, language)
