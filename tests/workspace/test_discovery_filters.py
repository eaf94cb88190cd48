"""What discovery leaves out on its own (reported) or on the user's word (silent)."""

from __future__ import annotations

import os
from pathlib import Path

from wsutil import Fakes

from assistant.cache import Cache
from assistant.secrets import CACHE_NAMESPACE
from assistant.workspace import DEFAULT_EXCLUDES, SKIP_REASONS, DiscoverOptions, discover


def paths(ws) -> list[str]:
    return [f.path for f in ws.files]


def skips(ws) -> dict[str, str]:
    return {s.path: s.reason for s in ws.skipped}


def test_binaries_and_encodings(make_repo) -> None:
    root = make_repo(
        {
            "ok.py": "x = 1\n",
            "bom.py": b"\xef\xbb\xbfx = 1\n",
            "nul.dat": b"abc\x00def",
            "late_nul.txt": b"a" * 20_000 + b"\x00",
            "big_late_nul.txt": b"a" * 100_000 + b"\x00",  # sniffed, then read whole
            "big.bin": b"\x00" + b"a" * 100_000,  # sniffed: 8 KiB suffice
            "big.py": "x = 1\n" * 20_000,
            "latin1.txt": "caf\u00e9\n".encode("latin-1"),
            "utf16.txt": "hello\n".encode("utf-16"),
            "utf16be.txt": b"\xfe\xff" + "hi".encode("utf-16-be"),
            "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        }
    )
    ws = discover(root)
    assert paths(ws) == ["big.py", "bom.py", "ok.py"]
    assert ws.files[0].text == "x = 1\n" * 20_000
    assert ws.files[1].text == "x = 1\n"
    details = {s.path: s.detail for s in ws.skipped}
    assert set(details) == {
        "big.bin",
        "big_late_nul.txt",
        "image.png",
        "late_nul.txt",
        "latin1.txt",
        "nul.dat",
        "utf16.txt",
        "utf16be.txt",
    }
    assert all(s.reason == "binary" for s in ws.skipped)
    assert "NUL byte at offset 3" in details["nul.dat"]
    assert "offset 20000" in details["late_nul.txt"]
    assert "offset 100000" in details["big_late_nul.txt"]
    assert "NUL byte at offset 0" in details["big.bin"]
    assert "not UTF-8" in details["latin1.txt"] and "0xe9" in details["latin1.txt"]
    assert "UTF-16" in details["utf16.txt"] and "convert it to UTF-8" in details["utf16.txt"]


def test_size_limit_is_checked_before_reading(tmp_path: Path) -> None:
    (tmp_path / "exact.txt").write_text("a" * 100)
    (tmp_path / "over.txt").write_text("a" * 101)
    with open(tmp_path / "huge.txt", "wb") as f:  # sparse 64 GiB: reading it would not end
        f.truncate(64 << 30)
    ws = discover(tmp_path, DiscoverOptions(max_file_bytes=100))
    assert paths(ws) == ["exact.txt"]
    assert skips(ws) == {"huge.txt": "too-large", "over.txt": "too-large"}
    detail = {s.path: s.detail for s in ws.skipped}
    assert detail["huge.txt"] == "64 GiB > limit 100 B (raise with --max-file-size)"
    ws = discover(tmp_path, DiscoverOptions(max_file_bytes=1 << 20))
    assert "1 MiB" in {s.path: s.detail for s in ws.skipped}["huge.txt"]


LOCKS_AND_GENERATED = {
    "package-lock.json": "{}\n",
    "web/yarn.lock": "# yarn\n",
    "poetry.lock": "# lock\n",
    "go.sum": "x h1:abc\n",
    "Cargo.lock": "# cargo\n",
    "static/app.min.js": "var a=1;\n",
    "static/app.js.map": "{}\n",
    "api/service_pb2.py": "# generated\n",
    "api/service.pb.go": "package api\n",
    "node_modules/left-pad/index.js": "module.exports = 1\n",
    "node_modules/left-pad/package.json": "{}\n",
    "dist/bundle.js": "bundle\n",
}


def test_default_excludes_are_reported_and_folders_once(make_repo) -> None:
    root = make_repo({"src/app.js": "app\n", **LOCKS_AND_GENERATED})
    ws = discover(root)
    assert paths(ws) == ["src/app.js"]
    reported = skips(ws)
    assert set(reported.values()) == {"default-exclude"}
    assert sorted(reported) == [
        "Cargo.lock",
        "api/service.pb.go",
        "api/service_pb2.py",
        "dist/",
        "go.sum",
        "node_modules/",  # one entry for the whole folder
        "package-lock.json",
        "poetry.lock",
        "static/app.js.map",
        "static/app.min.js",
        "web/yarn.lock",
    ]
    detail = {s.path: s.detail for s in ws.skipped}
    assert "'node_modules/'" in detail["node_modules/"]
    assert "'*.min.js'" in detail["static/app.min.js"]


def test_default_excludes_can_be_disabled_or_replaced(make_repo) -> None:
    root = make_repo({"src/app.js": "app\n", **LOCKS_AND_GENERATED})
    everything = discover(root, DiscoverOptions(default_excludes=()))
    assert len(everything.files) == len(LOCKS_AND_GENERATED) + 1
    assert everything.skipped == []
    custom = discover(root, DiscoverOptions(default_excludes=("*.lock",)))
    assert sorted(skips(custom)) == ["Cargo.lock", "poetry.lock", "web/yarn.lock"]


def test_include_names_win_over_default_excludes_but_broad_globs_do_not(make_repo) -> None:
    root = make_repo({"src/app.js": "app\n", **LOCKS_AND_GENERATED})

    ws = discover(root, DiscoverOptions(include=("package-lock.json", "src/")))
    assert paths(ws) == ["package-lock.json", "src/app.js"]

    ws = discover(root, DiscoverOptions(include=("dist/**",)))
    assert paths(ws) == ["dist/bundle.js"]

    ws = discover(root, DiscoverOptions(include=("*.min.js",)))
    assert paths(ws) == ["static/app.min.js"]

    ws = discover(root, DiscoverOptions(include=("**/*.js",)))
    assert paths(ws) == ["src/app.js"]  # node_modules/, dist/ and *.min.js stay out
    assert skips(ws)["static/app.min.js"] == "default-exclude"


def test_include_and_exclude_globs(make_repo) -> None:
    root = make_repo(
        {
            "src/a.py": "a\n",
            "src/b.ts": "b\n",
            "src/gen/c.py": "c\n",
            "tests/test_a.py": "t\n",
            "README.md": "r\n",
        }
    )
    ws = discover(root, DiscoverOptions(include=("*.py",)))
    assert paths(ws) == ["src/a.py", "src/gen/c.py", "tests/test_a.py"]
    assert ws.skipped == []  # not selected is not skipped

    ws = discover(root, DiscoverOptions(include=("src/",), exclude=("gen/", "*.ts")))
    assert paths(ws) == ["src/a.py"]

    ws = discover(root, DiscoverOptions(include=("./src/",)))
    assert paths(ws) == ["src/a.py", "src/b.ts", "src/gen/c.py"]

    ws = discover(root, DiscoverOptions(exclude=("/src/a.py", "tests")))
    assert paths(ws) == ["README.md", "src/b.ts", "src/gen/c.py"]
    assert ws.skipped == []


def test_secrets_by_name_and_content_are_skipped_unless_allowed(make_repo) -> None:
    token = "npm" + "_" + "Z9y8X7w6V5u4T3s2R1q0"
    files: dict[str, str | bytes] = {
        "app.py": "print('ok')\n",
        ".env": "DEBUG=1\n",
        ".env.example": "API_KEY=\n",
        "deploy/id_ed25519": "key\n",
        "deploy/id_ed25519.pub": "ssh-ed25519 AAAA\n",
        "certs/server.pem": "cert\n",
        ".npmrc": f"//registry.npmjs.org/:_authToken={token}\n",
        "web/.npmrc": "save-exact=true\n",
        "settings.py": f"DEBUG = True\n\nAWS_KEY = '{Fakes.aws}'\n",
        "client.ts": f"// config\nconst key = '{Fakes.openai}';\n",
        "notes.md": f"# tokens\n\n\n`{Fakes.github}`\n",
        "keys/server.txt": Fakes.private_key,
    }
    root = make_repo(files)

    ws = discover(root)

    assert paths(ws) == [".env.example", "app.py", "deploy/id_ed25519.pub", "web/.npmrc"]
    assert skips(ws) == {
        ".env": "secret-name",
        ".npmrc": "secret-name",
        "certs/server.pem": "secret-name",
        "deploy/id_ed25519": "secret-name",
        "settings.py": "secret-content",
        "client.ts": "secret-content",
        "notes.md": "secret-content",
        "keys/server.txt": "secret-content",
    }
    detail = {s.path: s.detail for s in ws.skipped}
    assert detail["settings.py"] == "line 3 holds an AWS access key id"
    assert detail["client.ts"] == "line 2 holds an sk- style API key"
    assert detail["notes.md"] == "line 4 holds a GitHub token"
    assert detail["keys/server.txt"] == "line 1 holds a private key block"
    for s in ws.skipped:
        for secret in (Fakes.aws, Fakes.openai, Fakes.github, token):
            assert secret not in s.detail and secret[:10] not in s.detail

    allowed = discover(root, DiscoverOptions(allow_secrets=True))
    assert len(allowed.files) == len(files)
    assert allowed.skipped == []


def test_secret_verdicts_are_cached_by_blob_sha(make_repo, tmp_path: Path) -> None:
    root = make_repo({"clean.py": "x = 1\n", "leak.py": f"k = '{Fakes.slack}'\n"})
    cache = Cache(tmp_path / "cache.sqlite3")
    first = discover(root, cache=cache)
    assert skips(first) == {"leak.py": "secret-content"}
    shas = {f.path: f.blob_sha for f in first.files}
    stored = cache.get_many(CACHE_NAMESPACE, [shas["clean.py"]])
    assert stored == {shas["clean.py"]: ""}

    # a warm run trusts the cache instead of rescanning: a planted verdict shows it
    cache.put(CACHE_NAMESPACE, shas["clean.py"], "aws-access-key-id:7:0:5")
    warm = discover(root, cache=cache)
    assert {s.path: s.detail for s in warm.skipped} == {
        "clean.py": "line 7 holds an AWS access key id",
        "leak.py": "line 1 holds a Slack token",
    }
    # a value this version did not write is a miss, rescanned and overwritten
    for value in ("garbage", "aws-access-key-id:7"):  # the second: version 1's shape
        cache.put(CACHE_NAMESPACE, shas["clean.py"], value)
        assert paths(discover(root, cache=cache)) == ["clean.py"]
        assert cache.get(CACHE_NAMESPACE, shas["clean.py"]) == ""
    cache.close()


def test_progress_reports_reading(make_repo) -> None:
    root = make_repo({f"m{i:03}.py": f"x = {i}\n" for i in range(300)})
    calls: list[tuple[int, int]] = []
    ws = discover(root, progress=lambda done, total: calls.append((done, total)))
    assert len(ws.files) == 300
    assert calls[-1] == (300, 300)
    assert all(total == 300 for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_special_files_do_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("a\n")
    os.mkfifo(tmp_path / "pipe")
    ws = discover(tmp_path)
    assert paths(ws) == ["a.py"]
    assert skips(ws) == {"pipe": "unreadable"}


def test_reasons_and_defaults_are_well_formed() -> None:
    assert len(set(SKIP_REASONS)) == len(SKIP_REASONS)
    assert all(r == r.lower() and " " not in r for r in SKIP_REASONS)
    for name in ("package-lock.json", "yarn.lock", "pnpm-lock.yaml", "poetry.lock", "uv.lock"):
        assert name in DEFAULT_EXCLUDES
