"""``tome pack URL``: a shallow copy in the cache, fetched again; hostile URLs refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from gitkit import git

from assistant import paths, remote
from assistant.cli import main
from assistant.errors import ConfigError, PackError


@pytest.fixture
def bare(make_repo, tmp_path: Path) -> Path:
    src = make_repo({"app.py": "VERSION = 1\n"}, name="src")
    git(src, "tag", "v1")
    (src / "app.py").write_text("VERSION = 2\n")
    git(src, "commit", "-qam", "two")
    git(src, "branch", "old", "v1")
    git(tmp_path, "clone", "-q", "--bare", str(src), str(tmp_path / "bare.git"))
    return tmp_path / "bare.git"


def pack_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["pack", *argv, "--json", "--encoding", "cl100k_base"]) == 0, capsys.readouterr()
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("spelling", ["path", "file-url"])
def test_pack_of_a_bare_repository_and_a_file_url(
    bare: Path, spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    url = str(bare) if spelling == "path" else bare.as_uri()
    summary = pack_json(capsys, url)
    assert summary["files"] == 1
    text = Path(summary["output"]).read_text()
    assert "VERSION = 2" in text
    assert Path(summary["output"]).is_relative_to(paths.cache_dir() / "remotes")


def test_ref_picks_a_branch_a_tag_or_a_commit(
    bare: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = git(bare, "rev-parse", "v1")
    for ref in ("old", "v1", first, "main"):
        summary = pack_json(capsys, bare.as_uri(), "--ref", ref)
        want = "VERSION = 2" if ref == "main" else "VERSION = 1"
        assert want in Path(summary["output"]).read_text(), ref


def test_a_second_pack_fetches_into_the_same_copy(bare: Path, make_repo, tmp_path: Path) -> None:
    dest = remote.fetch(bare.as_uri())
    marker = dest / ".git" / "tome-test-marker"
    marker.write_text("kept")  # a fresh clone would not have it
    src = tmp_path / "src"
    (src / "app.py").write_text("VERSION = 3\n")
    git(src, "commit", "-qam", "three")
    git(src, "push", "-q", str(bare), "HEAD:main")
    again = remote.fetch(bare.as_uri())
    assert again == dest and marker.read_text() == "kept"
    assert (dest / "app.py").read_text() == "VERSION = 3\n"
    assert git(dest, "rev-parse", "--is-shallow-repository") == "true"


@pytest.mark.parametrize(
    "url", ["--upload-pack=touch pwned", "-x", "ext::sh -c touch% pwned", "EXT::sh -c x"]
)
def test_hostile_urls_are_refused(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError, match=r"cannot be passed to git|transport, which runs"):
        remote.fetch(url)
    assert not (tmp_path / "pwned").exists()


def test_ext_is_refused_by_git_too(bare: Path, tmp_path: Path) -> None:
    """Past tome's own check (a URL that reaches git as ext:: some other way), git refuses."""
    dest = remote.fetch(bare.as_uri())
    done = subprocess.run(
        ["git", *remote._REFUSE, "fetch", "--", f"ext::sh -c touch% {tmp_path}/pwned", "HEAD"],
        cwd=dest,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode != 0 and "not allowed" in done.stderr
    assert not (tmp_path / "pwned").exists()


def test_a_hostile_ref_is_refused(bare: Path) -> None:
    with pytest.raises(ConfigError, match="--ref '--output=x' cannot be passed to git"):
        remote.fetch(bare.as_uri(), "--output=x")


def test_a_failed_clone_says_why(
    bare: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = (tmp_path / "missing.git").as_uri()
    assert main(["pack", missing]) == 1
    err = capsys.readouterr().err
    assert f"cannot fetch {missing}: git fetch failed: fatal:" in err
    with pytest.raises(PackError, match="couldn't find remote ref no-such-branch"):
        remote.fetch(bare.as_uri(), "no-such-branch")


def test_ref_without_a_url_is_refused(make_repo, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo({"a.py": "x = 1\n"})
    assert main(["pack", str(root), "--ref", "main"]) == 1
    assert "--ref goes with a URL" in capsys.readouterr().err
