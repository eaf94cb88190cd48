"""The fast term counting and index building give what the plain loops give."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.packing import lexical
from assistant.packing.lexical import Index, build_index, path_terms, split_identifier, terms_of


def plain_terms(text: str) -> Counter[str]:
    out: Counter[str] = Counter()
    for ident, n in Counter(lexical._IDENT.findall(text)).items():
        for term in split_identifier(ident):
            out[term] += n
    return out


def plain_index(docs: Iterable[tuple[str, Mapping[str, int]]]) -> Index:
    paths, lengths = [], []
    postings: dict[str, list[int]] = {}
    in_paths: dict[str, list[int]] = {}
    for doc, (path, tf) in enumerate(docs):
        paths.append(path)
        lengths.append(sum(tf.values()))
        for term, n in tf.items():
            postings.setdefault(term, []).extend((doc, n))
        for term, n in path_terms(path).items():
            in_paths.setdefault(term, []).extend((doc, n))
    return Index(
        paths,
        lengths,
        {t: lexical._pack(p) for t, p in postings.items()},
        {t: lexical._pack(p) for t, p in in_paths.items()},
    )


TRICKY = [
    "get_user GET_USER get_user getUser user User self self x y_",
    "a_b A_B a_b aB AB ab ab",  # a term that is also the name of another identifier
    "__init__ _private HTTPResponse http_response httpResponse2 x1 _1 __",
    "naïve café_au_lait Ωmega",
    "0x1F 123abc 1_000 9 __2 é9x x9é 2024 utf8 a\x00b\ud800c tab\tnew\nline",  # digits first
]

words = st.sampled_from(
    ["get", "user", "User", "_", "self", "HTTP", "x", "2", "a_b", "Ab", " ", "é", "0x", "-", "\n"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(words, max_size=6).map("".join), max_size=30).map(" ".join))
def test_terms_are_those_of_the_plain_loop(text: str) -> None:
    assert terms_of(text) == plain_terms(text)
    assert terms_of(text) == plain_terms(text)  # and again, with what was learned


def test_tricky_texts_twice_and_in_either_order() -> None:
    for text in TRICKY + TRICKY[::-1]:
        assert terms_of(text) == plain_terms(text), text


def test_the_plain_identifier_memory_is_bounded(monkeypatch) -> None:
    monkeypatch.setattr(lexical, "_PLAIN", set())
    monkeypatch.setattr(lexical, "_SPLITS", {})
    monkeypatch.setattr(lexical, "_PLAIN_MAX", 3)
    split_identifier.cache_clear()  # plain identifiers are learned when first split
    text = " ".join(f"word{chr(97 + i)}" for i in range(26))
    text += " " + " ".join(f"get_{chr(97 + i)}{chr(97 + i)}" for i in range(26))
    assert terms_of(text) == plain_terms(text)
    assert len(lexical._PLAIN) == 3 and len(lexical._SPLITS) == 3
    assert terms_of(text) == plain_terms(text)
    split_identifier.cache_clear()


def test_split_identifier_fast_path_is_the_regex_one() -> None:
    for ident in ["user", "get_user", "__init__", "a_b_c", "naïve", "x", "self", "_", "ab__cd_"]:
        parts = [p.lower() for chunk in ident.split("_") for p in lexical._PARTS.findall(chunk)]
        terms = [p for p in parts if len(p) > 1 and p not in lexical.STOPWORDS]
        whole = ident.lower().strip("_")
        if len(parts) > 1 and whole not in lexical.STOPWORDS:
            terms.append(whole)
        assert split_identifier(ident) == tuple(terms), ident


def test_the_index_is_that_of_the_plain_loop() -> None:
    docs = [
        (f"pkg/mod_{i}/file{i}.py", dict(terms_of(text)))
        for i, text in enumerate(TRICKY * 3 + ["", "one"])
    ]
    built = build_index(docs)
    plain = plain_index(docs)
    assert built == plain
    assert built.posting("user") == plain.posting("user") != {}
