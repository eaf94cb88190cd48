"""The secret rules as pure functions: names, config tokens, content patterns, verdicts."""

from __future__ import annotations

import pytest
from wsutil import Fakes

from assistant import secrets


@pytest.mark.parametrize(
    "path",
    [
        ".env",
        "app/.env.local",
        ".env.production",
        "certs/server.pem",
        "tls/private.key",
        "id_rsa",
        "home/.ssh/id_ed25519",
        "id_ecdsa_work",
        "id_dsa",
        "store.p12",
        "cert.PFX",
        ".netrc",
        ".pgpass",
        "config/credentials.json",
        "home/.aws/credentials",
        ".git-credentials",
        "release.jks",
    ],
)
def test_secret_names(path: str) -> None:
    finding = secrets.secret_by_name(path)
    assert finding is not None
    assert finding.line == 0
    assert "by its name" in finding.describe()


@pytest.mark.parametrize(
    "path",
    [
        ".env.example",
        ".env.sample",
        "deploy/.env.template",
        "id_rsa.pub",
        "id_ed25519.pub",
        "environment.py",
        "env.py",
        "keys.py",
        "monkey",
        "key",
        ".pem",  # a dotfile named like the suffix, not a .pem file
        "credentials",  # only .aws/credentials is a known file
        "credentials.py",
        "src/aws/credentials.go",
        ".npmrc",  # only with a token: decided by content
        "README.md",
    ],
)
def test_ordinary_names(path: str) -> None:
    assert secrets.secret_by_name(path) is None


def test_npmrc_and_pypirc_count_only_with_a_literal_token() -> None:
    token = "npm" + "_" + "a1B2c3D4e5F6g7H8i9J0"
    npmrc = f"registry=https://registry.npmjs.org/\n//registry.npmjs.org/:_authToken={token}\n"
    finding = secrets.secret_in_config("web/.npmrc", npmrc)
    assert finding is not None and finding.line == 2
    assert token not in finding.describe()
    env_ref = "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"
    assert secrets.secret_in_config(".npmrc", env_ref) is None
    assert secrets.secret_in_config(".npmrc", "save-exact=true\n") is None

    pypirc = (
        "[distutils]\nindex-servers = pypi\n\n[pypi]\nusername = __token__\npassword = pypi-x\n"
    )
    hit = secrets.secret_in_config(".pypirc", pypirc)
    assert hit is not None and hit.line == 6
    assert secrets.secret_in_config(".pypirc", "[pypi]\nusername = me\n") is None
    # other files are not judged by this rule
    assert secrets.secret_in_config("notes.txt", npmrc) is None


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (Fakes.aws, "aws-access-key-id"),
        (Fakes.openai, "sk-api-key"),
        (Fakes.openai_legacy, "sk-api-key"),
        (Fakes.deepseek, "sk-api-key"),
        (Fakes.anthropic, "anthropic-api-key"),
        (Fakes.github, "github-token"),
        (Fakes.github_pat, "github-token"),
        (Fakes.slack, "slack-token"),
        (Fakes.private_key, "private-key"),
    ],
)
def test_each_kind_is_found_with_its_line(value: str, kind: str) -> None:
    text = f"import os\n\n\ndef client():\n    key = {value!r}\n    return key\n"
    finding = secrets.scan_content(text.encode())
    assert finding is not None
    assert finding.kind == kind
    assert finding.line == 5
    assert "line 5" in finding.describe()
    assert value not in finding.describe() and value[:12] not in finding.describe()
    # a raw block (not a string literal) at the very top is found too
    raw = secrets.scan_content((value + "\n").encode())
    assert raw is not None and raw.kind == kind and raw.line == 1


def test_private_key_inside_a_json_string_is_found() -> None:
    blob = Fakes.private_key.replace("\n", "\\n")
    text = '{\n  "type": "service_account",\n  "private_key": "' + blob + '"\n}\n'
    finding = secrets.scan_content(text.encode())
    assert finding is not None and finding.kind == "private-key" and finding.line == 3


def test_first_secret_by_position_wins() -> None:
    text = f"a = '{Fakes.github}'\nb = '{Fakes.aws}'\n"
    finding = secrets.scan_content(text.encode())
    assert finding is not None and (finding.kind, finding.line) == ("github-token", 1)


@pytest.mark.parametrize(
    "text",
    [
        "AK" + "IAIOSFODNN7" + "EXAMPLE",  # AWS's documented example id
        "AK" + "IA" + "X" * 16,
        "sk" + "-" + "x" * 48,
        "sk" + "-proj-" + "your-api-key-goes-here-please-replace-it-now",
        "sk" + "-" + "abcdefghijklmnopqrstuvwxyzabcdefgh",  # letters only: not random
        "gh" + "p_" + "x" * 36,
        "task" + "-" + "a1" * 20,  # 'sk-' inside a word
        "-----" + "BEGIN PRIVATE" + " KEY-----",  # a header alone, as in a PEM parser
        "PEM_HEADER = '-----" + "BEGIN RSA PRIVATE" + " KEY-----'\nbody = load()\n",
        "xo" + "xb-" + "your-token-here",
        "background-color: #fff; mask-image: url(x.svg)",
    ],
)
def test_placeholders_and_lookalikes_are_not_secrets(text: str) -> None:
    assert secrets.scan_content(text.encode()) is None


def test_longer_tokens_are_not_cut_to_fit() -> None:
    # 40 alnum after ghp_ is not a GitHub token (those are exactly 36)
    assert secrets.scan_content(("gh" + "p_" + Fakes.github[4:] + "Zz9Q").encode()) is None


def test_verdicts_round_trip_through_the_cache_encoding() -> None:
    assert secrets.encode_verdict([]) == ""
    assert secrets.decode_verdict("") == []
    found = secrets.find_secrets(f"\n\nx = '{Fakes.slack}'\ny = '{Fakes.github}'\n".encode())
    assert [f.kind for f in found] == ["slack-token", "github-token"]
    assert secrets.decode_verdict(secrets.encode_verdict(found)) == found
    for value in ("no-such-kind:3:0:4", "slack-token:3", "slack-token:3:9:2", "slack-token:x:1:2"):
        with pytest.raises(ValueError):
            secrets.decode_verdict(value)
    assert f"secrets/{secrets.VERSION}" == secrets.CACHE_NAMESPACE
