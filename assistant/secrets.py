"""Recognise files that hold secrets, so they never reach a prompt. Pure functions.

Two checks, both high-confidence (ordinary source must not trip them):

- by name: :func:`secret_by_name` (``.env``, private keys, keystores, credential files);
  ``.npmrc`` and ``.pypirc`` count only when they hold a token (:func:`secret_in_config`);
- by content: :func:`scan_content` finds private key blocks, AWS access key ids, ``sk-`` style
  API keys (OpenAI, Anthropic, DeepSeek ...), GitHub tokens and Slack tokens.

A finding names the kind and the line, never the secret itself. The content scan runs
three literal-led prefilter passes over the bytes (~500 MB/s together) and the per-kind
patterns only where one hits; a candidate must also look random, which rules out
placeholders such as ``AKIAIOSFODNN7EXAMPLE`` or ``sk-xxxxxxxx...``. Verdicts depend on
the bytes alone, so callers cache them by blob sha under :data:`CACHE_NAMESPACE`
(bump :data:`VERSION` whenever a pattern changes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

__all__ = [
    "CACHE_NAMESPACE",
    "VERSION",
    "SecretFinding",
    "decode_verdict",
    "encode_verdict",
    "scan_content",
    "secret_by_name",
    "secret_in_config",
]

VERSION = 1
CACHE_NAMESPACE = f"secrets/{VERSION}"


@dataclass(frozen=True, slots=True)
class SecretFinding:
    kind: str  # stable slug: "private-key", "aws-access-key-id", "env-file" ...
    what: str  # human phrase: "a private key block"
    line: int = 0  # 1-based line of the first hit; 0 when the name alone decided

    def describe(self) -> str:
        """A sentence for a skip report; it never quotes the secret."""
        if self.line:
            return f"line {self.line} holds {self.what}"
        return f"{self.what} (by its name)"


# --- by name ------------------------------------------------------------------------------

_ENV_TEMPLATES = frozenset({".env.example", ".env.sample", ".env.template", ".env.dist"})
_SECRET_NAMES: dict[str, str] = {
    ".netrc": "a .netrc credentials file",
    "_netrc": "a .netrc credentials file",
    ".pgpass": "a PostgreSQL password file",
    ".git-credentials": "a git credentials file",
    ".htpasswd": "an htpasswd password file",
    "credentials.json": "a credentials file",
}
_SECRET_SUFFIXES: dict[str, str] = {
    "pem": "a PEM key or certificate file",
    "key": "a private key file",
    "p12": "a PKCS#12 keystore",
    "pfx": "a PKCS#12 keystore",
    "jks": "a Java keystore",
    "keystore": "a keystore",
    "ppk": "a PuTTY private key",
}
_SSH_KEY_PREFIXES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")
_TOKEN_CONFIGS = frozenset({".npmrc", ".pypirc"})


def secret_by_name(path: str) -> SecretFinding | None:
    """The secret kind that ``path``'s name alone proves, or None. ``path`` is posix."""
    name = path.rpartition("/")[2]
    lower = name.lower()
    if lower == ".env" or (lower.startswith(".env.") and lower not in _ENV_TEMPLATES):
        return SecretFinding("env-file", "a .env file of environment secrets")
    if lower.startswith(_SSH_KEY_PREFIXES) and not lower.endswith(".pub"):
        return SecretFinding("ssh-private-key", "an SSH private key file")
    if what := _SECRET_NAMES.get(lower):
        return SecretFinding("credentials-file", what)
    if lower == "credentials" and PurePosixPath(path).parent.name == ".aws":
        return SecretFinding("credentials-file", "an AWS credentials file")
    stem, dot, suffix = lower.rpartition(".")
    if dot and stem and (what := _SECRET_SUFFIXES.get(suffix)):
        return SecretFinding("key-file", what)
    return None


def is_token_config(path: str) -> bool:
    """Whether ``path`` is a config file that is a secret only when it holds a token."""
    return path.rpartition("/")[2].lower() in _TOKEN_CONFIGS


# npm: `_authToken=`, `_auth=`, `_password=` with a literal value (not `${NPM_TOKEN}`);
# pypirc: `password =` with a literal value.
_CONFIG_TOKEN = re.compile(
    r"^[ \t]*(?:\S*:)?(?:_authToken|_auth|_password|password)[ \t]*[=:][ \t]*(?!\$\{)(\S+)",
    re.MULTILINE,
)


def secret_in_config(path: str, text: str) -> SecretFinding | None:
    """For ``.npmrc``/``.pypirc``: a finding when the file holds a literal token or password."""
    if not is_token_config(path):
        return None
    match = _CONFIG_TOKEN.search(text)
    if match is None:
        return None
    name = path.rpartition("/")[2]
    return SecretFinding(
        "token-config", f"a {name} with a literal token", text.count("\n", 0, match.start()) + 1
    )


# --- by content ---------------------------------------------------------------------------
#
# Python's regex engine finds a pattern that starts with a literal character with a fast skip
# loop (1-2.5 GB/s); one alternation over every kind, or a pattern that opens with a
# lookbehind, is tried at every position and crawls (~10-100 MB/s). So every pattern opens
# with its literal prefix and checks its left boundary with a lookbehind placed after it;
# three prefilter passes decide whether a file needs the per-kind patterns at all.

_PREFILTERS = (
    re.compile(rb"-(?:(?<=sk-)|(?<=xox[bpars]-)|----BEGIN)"),  # sk- keys, Slack, key blocks
    re.compile(rb"gh[pousr]_|github_pat_"),
    re.compile(rb"A[KS]IA"),
)

_BREAK = rb"(?:\\[rn]|\s)+"  # real line breaks, or `\n` escapes inside a string literal
# (kind, what, pattern, whether the token must look random)
_RULES: tuple[tuple[str, str, re.Pattern[bytes], bool], ...] = (
    (
        "private-key",
        "a private key block",
        re.compile(
            rb"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
            + _BREAK
            + rb"(?:[A-Za-z-]+:[^\n\\]*"  # PEM headers such as Proc-Type: 4,ENCRYPTED
            + _BREAK
            + rb")*[A-Za-z0-9+/=]{32,}"
        ),
        False,
    ),
    (
        "aws-access-key-id",
        "an AWS access key id",
        re.compile(rb"A[KS]IA(?<![A-Za-z0-9]A[KS]IA)[A-Z2-7]{16}(?![A-Za-z0-9])"),
        True,
    ),
    (
        "anthropic-api-key",
        "an Anthropic API key",
        re.compile(rb"sk-(?<![A-Za-z0-9_-]sk-)ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_-]{80,}"),
        True,
    ),
    (
        "sk-api-key",
        "an sk- style API key",
        re.compile(
            rb"sk-(?<![A-Za-z0-9_-]sk-)"
            rb"(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{32,})(?![A-Za-z0-9_-])"
        ),
        True,
    ),
    (
        "github-token",
        "a GitHub token",
        re.compile(
            rb"gh[pousr]_(?<![A-Za-z0-9_]gh[pousr]_)[A-Za-z0-9]{36}(?![A-Za-z0-9_])"
            rb"|github_pat_(?<![A-Za-z0-9_]github_pat_)[A-Za-z0-9]{22}_[A-Za-z0-9]{59}"
            rb"(?![A-Za-z0-9_])"
        ),
        True,
    ),
    (
        "slack-token",
        "a Slack token",
        re.compile(rb"xox[bpars]-(?<![A-Za-z0-9]xox[bpars]-)[0-9]{6,}-[A-Za-z0-9-]{10,}"),
        True,
    ),
)
_WHAT = {kind: what for kind, what, _, _ in _RULES}
_KNOWN_PREFIX = re.compile(
    rb"sk-(?:ant-[a-z]+\d\d-|proj-|svcacct-|admin-)?|xox.-|gh._|github_pat_|A[KS]IA"
)


def _looks_random(token: bytes) -> bool:
    """Keys are random: mixed character classes, many distinct characters, no placeholder."""
    prefix = _KNOWN_PREFIX.match(token)
    tail = token[prefix.end() :] if prefix else token
    upper = tail.upper()
    if b"EXAMPLE" in upper or b"XXXX" in upper:
        return False
    classes = (
        any(0x30 <= c <= 0x39 for c in tail)
        + any(0x41 <= c <= 0x5A for c in tail)
        + any(0x61 <= c <= 0x7A for c in tail)
    )
    # AWS ids are upper-case base32: one class is normal there
    needed = 1 if token.startswith((b"AKIA", b"ASIA")) else 2
    return classes >= needed and len(set(tail)) >= min(10, len(tail) // 3)


def scan_content(data: bytes) -> SecretFinding | None:
    """The first (by position) high-confidence secret in a file's bytes, or None."""
    if not any(prefilter.search(data) for prefilter in _PREFILTERS):
        return None
    first: tuple[int, str, str] | None = None
    for kind, what, pattern, random in _RULES:
        for match in pattern.finditer(data):
            if first is not None and match.start() >= first[0]:
                break
            if random and not _looks_random(match.group()):
                continue
            first = (match.start(), kind, what)
            break
    if first is None:
        return None
    start, kind, what = first
    return SecretFinding(kind, what, data.count(b"\n", 0, start) + 1)


# --- cache encoding -----------------------------------------------------------------------


def encode_verdict(finding: SecretFinding | None) -> str:
    """A cache value for a scan verdict: ``""`` for clean, ``"kind:line"`` for a hit."""
    return "" if finding is None else f"{finding.kind}:{finding.line}"


def decode_verdict(value: str) -> SecretFinding | None:
    """The inverse of :func:`encode_verdict`; ValueError for a value it did not write."""
    if not value:
        return None
    kind, _, line = value.rpartition(":")
    what = _WHAT.get(kind)
    if what is None or not line.isdigit():
        raise ValueError(f"not a secrets verdict: {value!r}")
    return SecretFinding(kind, what, int(line))
