"""Secrets a repository holds do not reach the prompt: recall on a corpus of realistic fake
secrets, few false alarms on look-alikes, and redaction in place in a real pack."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from secretcorpus import lookalikes, secrets_corpus

from assistant import secrets
from assistant.cache import Cache
from assistant.cli import main
from assistant.packing import PackOptions, pack


def _caught(text: str, value: str) -> bool:
    """The scan finds the secret: redacting what it found leaves no trace of the value."""
    data = text.encode()
    if not hasattr(secrets, "find_secrets"):  # the scanner before redaction: any hit counts
        return secrets.scan_content(data) is not None
    found = secrets.find_secrets(data)
    return bool(found) and value.encode() not in secrets.redact(data, found)


def test_recall_on_realistic_fake_secrets_and_few_false_alarms() -> None:
    corpus = [s for seed in (1, 2) for s in secrets_corpus(seed)]
    kinds = Counter(s.kind for s in corpus)
    assert len(kinds) >= 40 and len(corpus) >= 300
    missed = Counter(s.kind for s in corpus if not _caught(s.text, s.value))
    recall = 1 - sum(missed.values()) / len(corpus)

    looks = lookalikes(1) + lookalikes(2)
    alarms = [t for t in looks if secrets.scan_content(t.encode())]
    per_kind = ", ".join(f"{k} {n}/{kinds[k]}" for k, n in sorted(missed.items()))
    assert recall >= 0.95, f"recall {recall:.1%}; missed per kind: {per_kind}"
    assert len(alarms) * 25 <= len(looks), f"{len(alarms)} false alarms: {alarms}"


@pytest.mark.parametrize("kind", sorted({s.kind for s in secrets_corpus(3, rounds=1)}))
def test_every_kind_of_the_corpus_is_caught(kind: str) -> None:
    for sample in secrets_corpus(3):
        if sample.kind == kind:
            assert _caught(sample.text, sample.value), sample.text


def test_findings_name_kind_and_line_never_the_secret() -> None:
    for sample in secrets_corpus(4, rounds=1):
        found = secrets.find_secrets(sample.text.encode())
        # the corpus is ASCII: bytes and str agree; a value's tail is secret (a webhook's path)
        at = sample.text.index(sample.value) + len(sample.value) - 1
        (covering,) = [f for f in found if f.start <= at < f.end]
        assert covering.line == sample.text.count("\n", 0, covering.start) + 1
        for finding in found:
            for said in (finding.describe(), secrets.marker(finding), finding.kind):
                assert sample.value not in said and sample.value[:10] not in said


def _module(value: str) -> str:
    return (
        '"""Billing: charge a card."""\n'
        "import stripe\n"
        "\n"
        f'stripe.api_key = "{value}"\n'
        "\n"
        "\n"
        "def charge(amount: int) -> str:\n"
        '    return stripe.Charge.create(amount=amount, currency="eur").id\n'
    )


def test_a_redacted_file_keeps_its_code_in_a_real_pack(make_repo, tmp_path: Path) -> None:
    stripe = next(s.value for s in secrets_corpus(5, rounds=1) if s.kind == "stripe-sk")
    database = next(s for s in secrets_corpus(5, rounds=1) if s.kind == "database.yml")
    root = make_repo(
        {
            "billing.py": _module(stripe),
            "config/database.yml": database.text,
            "clean.py": "x = 1\n",
            "deploy/kubeconfig": "apiVersion: v1\nkind: Config\n",
        }
    )
    result = pack(root, encoding="cl100k_base", cache=Cache(tmp_path / "c.sqlite3"))

    text = result.text
    assert stripe not in text and database.value not in text
    assert "def charge(amount: int) -> str:" in text  # the code is there
    assert 'stripe.api_key = "[tome: redacted stripe-key secret, line 4]"' in text
    assert "username: app" in text and "[tome: redacted password secret, line" in text
    assert [(r.path, r.kind, r.line) for r in result.redacted] == [
        ("billing.py", "stripe-key", 4),
        ("config/database.yml", "password", database.text.count("\n")),
    ]
    assert {f.path for f in result.files} == {"billing.py", "clean.py", "config/database.yml"}
    assert {s.path: s.reason for s in result.skipped} == {"deploy/kubeconfig": "secret-name"}
    # the count is of what was written, markers included
    from assistant import tokens

    assert result.tokens == tokens.count(text, "cl100k_base")

    # --allow-secrets keeps today's meaning: no scan, no redaction
    allowed = pack(
        root,
        encoding="cl100k_base",
        options=PackOptions(allow_secrets=True),
        cache=Cache(tmp_path / "c.sqlite3"),
    )
    assert stripe in allowed.text and allowed.redacted == []
    assert allowed.tokens == tokens.count(allowed.text, "cl100k_base")
    # and the cache serves neither run's text or counts to the other
    again = pack(root, encoding="cl100k_base", cache=Cache(tmp_path / "c.sqlite3"))
    assert again.text == text and again.tokens == result.tokens


def test_the_pack_report_says_redacted_or_skipped_never_the_secret(
    make_repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stripe = next(s.value for s in secrets_corpus(6, rounds=1) if s.kind == "stripe-sk")
    key = next(s for s in secrets_corpus(6, rounds=1) if s.kind == "private-key")
    pem = key.text.split('"""')[1].lstrip("\n")
    root = make_repo({"billing.py": _module(stripe), "keys/signing.txt": pem})

    out = tmp_path / "pack.xml"
    assert main(["pack", str(root), "--json", "-o", str(out), "--encoding", "cl100k_base"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads(printed)
    assert summary["redacted"] == [{"path": "billing.py", "kind": "stripe-key", "line": 4}]
    assert summary["secret_skipped"] == [
        {
            "path": "keys/signing.txt",
            "reason": "secret-content",
            "detail": "line 1 holds a private key block",
        }
    ]
    assert stripe not in printed and stripe not in out.read_text()

    assert main(["pack", str(root), "-o", str(out), "--encoding", "cl100k_base"]) == 0
    printed = capsys.readouterr().out
    assert "Redacted 1 secrets in 1 files" in printed
    assert "billing.py:4: a stripe-key secret" in printed
    assert "keys/signing.txt: line 1 holds a private key block" in printed
    assert stripe not in printed and key.value not in printed
    # reused output (nothing changed) reports the same
    assert main(["pack", str(root), "--json", "-o", str(out), "--encoding", "cl100k_base"]) == 0
    assert json.loads(capsys.readouterr().out)["redacted"] == summary["redacted"]


def test_old_cache_verdicts_are_not_misread(make_repo, tmp_path: Path) -> None:
    stripe = next(s.value for s in secrets_corpus(7, rounds=1) if s.kind == "stripe-sk")
    root = make_repo({"billing.py": _module(stripe)})
    cache = Cache(tmp_path / "c.sqlite3")
    from assistant.workspace import blob_sha

    sha = blob_sha(_module(stripe).encode())
    cache.put("secrets/1", sha, "")  # version 1 said "clean" (it missed sk_live_ keys)
    result = pack(root, encoding="cl100k_base", cache=cache)
    assert stripe not in result.text
    assert secrets.CACHE_NAMESPACE != "secrets/1"


def test_a_key_block_in_code_is_redacted_and_later_lines_keep_their_numbers(make_repo) -> None:
    sample = next(s for s in secrets_corpus(8, rounds=1) if s.kind == "private-key")
    helpers = "".join(
        f"\n\ndef check_{i}(data: bytes) -> bool:\n    return sign(data) == {i}\n"
        for i in range(30)
    )
    source = sample.text + helpers + "\n\ndef verify(data):\n    return sign(data)\n"
    root = make_repo({"signing.py": source})
    result = pack(root, encoding="cl100k_base", cache=Cache.disabled())
    (packed,) = result.files  # the code outweighs the key: kept, the key redacted
    shown = result.text[result.text.index('KEY = """') :]
    assert sample.value not in result.text and "BEGIN RSA PRIVATE" not in result.text
    assert shown.startswith('KEY = """\n[tome: redacted private-key secret, line 2]\n')
    lines = source.splitlines()
    assert shown.splitlines()[lines.index("def verify(data):")] == "def verify(data):"
    assert [(r.kind, r.line) for r in result.redacted] == [("private-key", 2)]
    assert packed.path == "signing.py"


def test_tomes_own_tree_has_no_findings() -> None:
    """tome packs itself without a redaction: its tests assemble fakes at run time, and
    its code names secrets (`tokens="..."`, `prompt_tokens=1_000`) without holding one."""
    root = Path(__file__).resolve().parents[2]
    hits = []
    for folder in ("assistant", "tests", "tui", "bench"):
        for path in sorted((root / folder).rglob("*.py")):
            if any(part.startswith(".") for part in path.relative_to(root).parts):
                continue  # bench/.work holds a downloaded Django, with its test fixtures
            for finding in secrets.find_secrets(path.read_bytes()):
                hits.append(f"{path.relative_to(root)}: {finding.describe()}")
    assert hits == []


def test_an_edit_that_writes_the_marker_back_is_refused(make_repo, tmp_path: Path, capsys) -> None:
    """The model saw the marker, not the secret: a whole-file rewrite of a redacted file must
    not replace the real value with the marker (an untouched marker line is no edit)."""
    stripe = next(s.value for s in secrets_corpus(7, rounds=1) if s.kind == "stripe-sk")
    root = make_repo({"billing.py": _module(stripe)})
    packed = pack(root, encoding="cl100k_base", cache=Cache(tmp_path / "c.sqlite3"))
    seen = packed.text.split('stripe.api_key = "', 1)[1].split('"', 1)[0]
    assert seen.startswith(secrets.MARKER_PREFIX)
    original = (root / "billing.py").read_bytes()
    rewritten = original.decode().replace(stripe, seen) + "\nTIMEOUT = 30\n"
    answer = tmp_path / "answer.md"
    answer.write_text(f"billing.py\n```python\n{rewritten}```\n")

    assert main(["apply", str(answer), "-C", str(root)]) == 1
    err = capsys.readouterr().err
    assert "redaction marker" in err and stripe not in err
    assert (root / "billing.py").read_bytes() == original
    # a hunk that leaves the secret's line alone still applies
    patch = tmp_path / "p.diff"
    patch.write_text(
        "--- a/billing.py\n+++ b/billing.py\n@@ -1,1 +1,2 @@\n"
        f"+# billing\n {original.decode().splitlines()[0]}\n"
    )
    assert main(["apply", str(patch), "-C", str(root)]) == 0
    assert stripe in (root / "billing.py").read_text()


@pytest.mark.parametrize(
    "line",
    [
        b'singular=[<Text token: "content...">, <Var token: "variable...">]\n',
        b'password = "hunter\xe2\x80\xa6"\n',
    ],
)
def test_an_elided_value_is_not_a_secret(line: bytes) -> None:
    """Seen in Django's tests: a value cut short with an ellipsis is an example, not a key."""
    assert secrets.find_secrets(line) == []
