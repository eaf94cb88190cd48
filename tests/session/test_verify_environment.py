"""A check runs against the edit, with the project's environment: the ignored virtualenv and
node_modules of the user's tree are linked into the scratch (not copied), and a package
installed editable (its ``src/`` on every ``sys.path``) cannot make a test import the
user's tree instead of the scratch (a false pass)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from verifykit import fingerprint

from assistant import verify
from assistant.commands import Command
from assistant.errors import PathRefused
from assistant.scratch import Scratch, scratch_path

SETUP = (
    "from setuptools import find_packages, setup\n\n"
    "setup(name='srckit', version='0.1', package_dir={'': 'src'}, packages=find_packages('src'))\n"
)
SRC_LAYOUT = {
    ".gitignore": ".venv/\n*.egg-info/\n",
    "setup.py": SETUP,
    "src/srckit/__init__.py": "def answer():\n    return 42\n",
    "tests/test_answer.py": "from srckit import answer\n\n\ndef test_answer():\n    assert answer() == 42\n",
}


def _editable_venv(root: Path) -> Path:
    """``root/.venv`` with the project installed editable (setuptools ``develop``: a
    ``.pth`` naming ``root/src``, what ``pip install -e .`` writes for a src layout)."""
    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(venv)], check=True)  # fmt: skip
    python = venv / "bin" / "python"
    subprocess.run([str(python), "setup.py", "-q", "develop"], cwd=root, check=True,
                   capture_output=True)  # fmt: skip
    return python


def test_an_editable_src_layout_install_does_not_hide_a_broken_edit(make_repo, tmp_path) -> None:
    root = make_repo(SRC_LAYOUT)
    python = _editable_venv(root)
    # The premise: from anywhere, the venv imports the user's src/ (the .pth).
    where = subprocess.run([str(python), "-c", "import srckit; print(srckit.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True)  # fmt: skip
    assert where.stdout.strip() == str(root / "src/srckit/__init__.py")
    before = fingerprint(root)
    test = Command("test", ".venv/bin/python -m pytest -q -p no:cacheprovider tests", None, "t")
    checker = verify.Verifier(root, [test])
    broken = checker.check({"src/srckit/__init__.py": "def answer():\n    return 41\n"})
    assert not broken.passed and broken.runs[0].failures == 1, broken.runs[0].output
    assert "assert 41 == 42" in broken.runs[0].output
    assert broken.baseline_failures == 0
    assert checker.check({"tests/test_more.py": "def test_more():\n    pass\n"}).passed
    assert (scratch_path(root) / ".venv").is_symlink()  # linked, not copied
    assert fingerprint(root) == before


def _finder_venv(root: Path) -> Path:
    """``root/.venv`` with the project installed the way ``pip install -e .`` does it in
    setuptools' strict editable mode (PEP 660): no path in a ``.pth``, but an import hook
    (a ``MetaPathFinder``, written by setuptools' own template) mapping ``srckit`` to
    ``root/src/srckit``, installed by a ``.pth`` at start-up."""
    from setuptools.command.editable_wheel import _finder_template

    venv = root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages",
                    str(venv)], check=True)  # fmt: skip
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
    name = "__editable___srckit_0_1_finder"
    finder = _finder_template(name, {"srckit": str(root / "src" / "srckit")}, {})
    Path(site, f"{name}.py").write_text(finder)
    Path(site, "__editable__.srckit-0.1.pth").write_text(f"import {name}; {name}.install()\n")
    return python


def test_an_editable_install_by_import_hook_does_not_hide_a_broken_edit(
    make_repo, tmp_path
) -> None:
    root = make_repo(SRC_LAYOUT)
    python = _finder_venv(root)
    where = subprocess.run([str(python), "-c", "import srckit; print(srckit.__file__)"],
                           cwd=tmp_path, check=True, capture_output=True, text=True)  # fmt: skip
    assert where.stdout.strip() == str(root / "src/srckit/__init__.py")  # the hook's doing
    before = fingerprint(root)
    test = Command("test", ".venv/bin/python -m pytest -q -p no:cacheprovider tests", None, "t")
    checker = verify.Verifier(root, [test])
    broken = checker.check({"src/srckit/__init__.py": "def answer():\n    return 41\n"})
    assert not broken.passed and "assert 41 == 42" in broken.runs[0].output
    assert broken.baseline_failures == 0
    fixed = checker.check({"src/srckit/__init__.py": "def answer():\n    return 6 * 7\n"})
    assert fixed.passed, fixed.runs[0].output
    assert fingerprint(root) == before


def test_ignored_environments_are_linked_and_a_repository_link_is_not_followed(
    make_repo, tmp_path
) -> None:
    outside = tmp_path / "outside"
    (outside / "bin").mkdir(parents=True)
    (outside / "pyvenv.cfg").write_text("home = /usr/bin\n")
    root = make_repo(
        {".gitignore": "node_modules/\nvenvlink\nbuild/\n", "package.json": "{}\n"},
        untracked={"node_modules/kit/index.js": "module.exports = 1;\n", "build/out.o": "x"},
    )
    (root / "venvlink").symlink_to(outside, target_is_directory=True)  # hostile: a link out
    before = fingerprint(root)
    probe = "test -f node_modules/kit/index.js && test ! -e venvlink && test ! -e build"
    report = verify.Verifier(root, [Command("test", probe, None, "t")]).check({})
    assert report.passed, report.runs[0].output
    scratch = scratch_path(root)
    assert os.readlink(scratch / "node_modules") == str(root / "node_modules")
    assert (scratch / ".git/info/exclude").read_text() == "/node_modules\n"
    # A changeset cannot write through the link into the user's node_modules.
    bad = verify.Verifier(root, [Command("test", "true", None, "t")])
    with pytest.raises(PathRefused, match="symbolic link that leaves"):
        bad.check({"node_modules/kit/index.js": "pwned\n"})
    assert (root / "node_modules/kit/index.js").read_text() == "module.exports = 1;\n"
    assert fingerprint(root) == before


def test_the_commands_environment_points_at_the_scratch(make_repo, tmp_path) -> None:
    root = make_repo({"pyproject.toml": "[project]\nname = 'x'\n", "src/x/__init__.py": ""})
    scratch = Scratch(root, tmp_path / "scratch")
    (scratch.path / "src").mkdir(parents=True)
    (scratch.path / "pyproject.toml").write_text("")
    env = scratch.environ({
        "PATH": f"{root}/.venv/bin{os.pathsep}/usr/bin",
        "PYTHONPATH": f"{root}{os.pathsep}/opt/lib",
        "VIRTUAL_ENV": f"{root}/.venv",
        "HOME": str(root),
    })  # fmt: skip
    assert env["PATH"] == f"{scratch.path}/.venv/bin{os.pathsep}/usr/bin"
    assert env["PYTHONPATH"].split(os.pathsep) == [
        f"{scratch.path}/src",
        str(scratch.path),
        str(scratch.path),
        "/opt/lib",
    ]
    assert env["VIRTUAL_ENV"] == f"{scratch.path}/.venv"
    assert env["HOME"] == str(root)  # only the paths a command looks code up by
    assert scratch.environ({}) == {"PYTHONPATH": f"{scratch.path}/src{os.pathsep}{scratch.path}"}
