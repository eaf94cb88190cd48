"""ARCHITECTURE.md stays true: every module it lists exists, and every module of
``assistant/`` and ``tui/`` is listed (one line per module or package in its Layout block)."""

from __future__ import annotations

from pathlib import Path

TOP = Path(__file__).resolve().parents[2]
PACKAGES = ("assistant", "tui")


def layout_block(text: str) -> list[str]:
    after = text.split("## Layout", 1)[1]
    return after.split("```", 2)[1].splitlines()[1:]


def listed_modules(text: str) -> set[str]:
    """``assistant/packing/select.py`` ... for every module the Layout block names."""
    listed: set[str] = set()
    top = ""
    for line in layout_block(text):
        if not line.strip():
            continue
        if not line.startswith(" "):  # `assistant/`, `tui/`
            top = line.strip().rstrip("/")
            continue
        names = line.strip().split("  ")[0].split()
        if names[0].endswith("/"):  # `packing/  __init__ select ...  what it does`
            package = names[0].rstrip("/")
            rest = line.strip()[len(names[0]) :].strip().split("  ")[0].split()
            listed |= {f"{top}/{package}/{name}.py" for name in rest}
        else:  # `repo.py fsio.py  what they do`
            listed |= {f"{top}/{name}" for name in names}
    return listed


def actual_modules(top: Path) -> set[str]:
    return {
        p.relative_to(top).as_posix()
        for package in PACKAGES
        for p in (top / package).rglob("*.py")
        if "__pycache__" not in p.parts
    }


def test_every_listed_module_exists_and_every_module_is_listed() -> None:
    listed = listed_modules((TOP / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    actual = actual_modules(TOP)
    assert sorted(listed - actual) == [], "listed in ARCHITECTURE.md but missing"
    assert sorted(actual - listed) == [], "modules missing from ARCHITECTURE.md"


def test_the_parser_reads_packages_and_files() -> None:
    text = "## Layout\n\n```\nassistant/\n  a.py b.py  two\n  pkg/  __init__ x  things\n```\n"
    assert listed_modules(text) == {
        "assistant/a.py",
        "assistant/b.py",
        "assistant/pkg/__init__.py",
        "assistant/pkg/x.py",
    }
