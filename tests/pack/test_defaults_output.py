"""What ``tome pack`` prints about a pack: each secret once, the largest files as packed,
and skeletons that keep a one-line body as it is."""

from __future__ import annotations

from pathlib import Path

import django
import pytest

from assistant.cache import Cache
from assistant.cli import main
from assistant.code.skeleton import skeleton
from assistant.packing import pack

REPO = Path(__file__).resolve().parents[2]
DJANGO = Path(django.__file__).parent
STRIPE = "sk_" + "live_4eC39HqLyjWDarjtT1zdp7dc"  # assembled: tome's own tree holds none
SAMPLE_JAVA = (REPO / "tests/fixtures/code/Sample.java").read_text()


def test_each_secret_is_named_once(
    make_repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_repo(
        {
            ".env": "API_TOKEN=abc\n",
            "settings.py": f'import os\n\nSTRIPE_KEY = "{STRIPE}"\n'
            + (REPO / "examples/pack_repo.py").read_text(),
            "a.py": "x = 1\n",
        }
    )
    assert main(["pack", str(root), "-o", str(tmp_path / "p.xml"), "--no-cache"]) == 0
    out = capsys.readouterr().out
    assert out.count("  .env: ") == 1 and "(.env)" not in out
    assert out.count("settings.py:3") == 1
    assert "secret-name: 1\n" in out


def test_largest_files_are_what_the_pack_shows(
    make_repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    big = (DJANGO / "db/models/query.py").read_text()
    root = make_repo({"query.py": big, "small.py": "def f():\n    return 1\n"})
    budget = pack(root, cache=Cache.disabled()).tokens // 2
    result = pack(root, budget=budget, cache=Cache.disabled())
    (query,) = [f for f in result.files if f.path == "query.py"]
    assert query.tier == "skeleton"
    argv = ["pack", str(root), "--budget", str(budget), "-o", str(tmp_path / "p.xml")]
    assert main([*argv, "--no-cache"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("Largest files") : out.index("Largest files") + 400]
    row = next(line for line in table.splitlines() if "query.py" in line)
    assert row.split()[0] == f"{query.shown_tokens:,}"  # the skeleton's tokens, not the file's
    assert f"skeleton (file: {query.tokens:,})" in row
    share = float(row.split()[1].rstrip("%"))
    assert share == pytest.approx(100 * query.shown_tokens / result.tokens, abs=0.05)


def test_a_one_line_body_is_kept_as_it_is() -> None:
    java = skeleton("Sample.java", SAMPLE_JAVA)
    assert "return Integer.compare(repository.size(), other.repository.size());" in java.text
    assert "⋯ 1 line elided" not in java.text
    models = skeleton("base.py", (DJANGO / "db/models/base.py").read_text())
    assert "⋯ 1 line elided" not in models.text and "lines elided" in models.text
    assert '        return "%s object (%s)" % (self.__class__.__name__, self.pk)\n' in models.text
    notes = "".join(f"line {n}\n" for n in range(41))
    assert skeleton("notes.txt", notes).text == notes  # 40 lines and one: no marker
