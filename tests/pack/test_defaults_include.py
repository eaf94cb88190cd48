"""An include glob that matches nothing is an error, in the library, ``tome pack`` and
``tome ask``: packing without the files asked for would send a prompt about nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fakeopenai import FakeOpenAI, Reply

from assistant.cli import main
from assistant.errors import PackError
from assistant.packing import PackOptions, pack
from assistant.workspace import DiscoverOptions, discover

FILES = {
    "src/app.py": "def main():\n    return 1\n",
    "src/util.py": "def add(a, b):\n    return a + b\n",
    "README.md": "# demo\n",
}


def test_the_library_names_the_glob_that_matched_nothing(make_repo) -> None:
    root = make_repo(FILES)
    with pytest.raises(PackError) as caught:
        discover(root, DiscoverOptions(include=("src/*.py", "src/ap.py")))
    message = str(caught.value)
    assert "'src/ap.py'" in message and "'src/*.py'" not in message
    assert "matches no file" in message
    with pytest.raises(PackError, match="'lib/'"):
        pack(root, options=PackOptions(include=("lib/",)))
    # every glob that matches something: fine
    assert len(discover(root, DiscoverOptions(include=("src/", "README.md"))).files) == 3


def test_an_include_of_an_excluded_file_matches_nothing(make_repo) -> None:
    root = make_repo(FILES)
    options = DiscoverOptions(include=("src/app.py",), exclude=("src/",))
    with pytest.raises(PackError, match=re.escape("'src/app.py'")):
        discover(root, options)


def test_tome_pack_says_so_and_exits_non_zero(
    make_repo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = make_repo(FILES)
    code = main(["pack", str(root), "--include", "scr/**", "-o", str(tmp_path / "p.xml")])
    err = capsys.readouterr().err
    assert code != 0
    assert "'scr/**'" in err and "Traceback" not in err
    assert not (tmp_path / "p.xml").exists()


@pytest.mark.filterwarnings("ignore::assistant.tokens.EncodingFallbackWarning")
def test_tome_ask_says_so_and_sends_nothing(
    fake_openai: FakeOpenAI, make_repo, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_repo(FILES)
    fake_openai.push(Reply(text="nothing to do"))
    code = main(["ask", "rename main", "-C", str(root), "--include", "src/mian.py",
                 "--base-url", fake_openai.base_url, "--model", "m"])  # fmt: skip
    err = capsys.readouterr().err
    assert code != 0
    assert "'src/mian.py'" in err and "matches no file" in err
    assert fake_openai.requests == []
