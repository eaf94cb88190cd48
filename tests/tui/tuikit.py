"""Shared values for the TUI tests: a small repository, a patch against it, screen text."""

from __future__ import annotations

from textual.app import App

A_PY = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(40))
B_TXT = "one\ntwo\nthree\n"

PATCH = "\n".join(
    [
        "--- a/a.py",
        "+++ b/a.py",
        "@@ -1,3 +1,3 @@",
        " def f0(x):",
        "-    return x + 0",
        "+    return x + 100",
        " ",
        "@@ -31,3 +31,4 @@",
        " def f10(x):",
        "-    return x + 10",
        "+    return x * 10",
        "+    # changed",
        " ",
        "--- a/b.txt",
        "+++ b/b.txt",
        "@@ -1,3 +1,3 @@",
        " one",
        "-two",
        "+TWO",
        " three",
        "",
    ]
)


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as plain text (one line per row)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)
