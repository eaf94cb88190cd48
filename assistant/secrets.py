"""Recognise secrets in files, so they never reach a prompt. Pure functions.

Two checks:

- by name: :func:`secret_by_name` (``.env``, private keys, keystores, credential files,
  kubeconfig, a Docker ``config.json``): such files are secrets by nature and are left out
  whole; ``.npmrc`` and ``.pypirc`` count only when they hold a token (:func:`secret_in_config`);
- by content: :func:`find_secrets` finds every secret in a file's bytes, with its span, so
  the caller can :func:`redact` the values and keep the rest of the file (or, when
  :func:`drops_whole_file` says the file is mostly secret or a secret by nature, leave it out).

The rules (:mod:`assistant.secretrules`) are a curated port of gitleaks' and
detect-secrets' rule sets, with attribution. Two families:

- tokens with a fixed prefix (``sk_live_``, ``AIza``, ``ghp_``, ``glpat-``, JWTs, private key
  blocks ...) whose body must also look random, which rules out placeholders such as
  ``sk_test_xxxx`` or ``AKIAIOSFODNN7EXAMPLE``;
- a keyword assignment (``password = "..."``, ``secret:``, ``token=``, ``define('DB_PASSWORD',
  ...)``, ``<password>``) or a password in a URL (``postgres://user:pass@host``), whose value
  must be a literal (not ``${VAR}``, ``os.environ[...]``, ``get_password()``, an identifier)
  with the entropy and character mix of a real secret and no placeholder word in it.

Speed (the scan runs over every file of a pack): as in gitleaks, every rule names a few
lower-case keywords, and one Aho-Corasick pass (``ahocorasick_rs``, Apache-2.0) over a
lower-cased copy finds them all; each hit then runs only its own rule, anchored at the hit.
A file without a keyword costs that one pass (~500 MB/s); Python's ``re`` cannot do this
in one pass (an alternation of literals is tried at every position, ~50-80 MB/s, and one
``in`` test per keyword is ~25 passes).

A finding names the kind and the line, never the secret itself. Verdicts depend on the
bytes alone, so callers cache them by blob sha under :data:`CACHE_NAMESPACE` (bump
:data:`VERSION` whenever a rule or the verdict encoding changes).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING

from .cache import VERSIONS, namespace

if TYPE_CHECKING:
    from .secretrules import Rule

__all__ = [
    "CACHE_NAMESPACE",
    "VERSION",
    "SecretFinding",
    "decode_verdict",
    "drops_whole_file",
    "encode_verdict",
    "find_secrets",
    "marker",
    "redact",
    "scan_content",
    "secret_by_name",
    "secret_in_config",
]

VERSION = int(VERSIONS["secrets"])
CACHE_NAMESPACE = namespace("secrets")


@dataclass(frozen=True, slots=True)
class SecretFinding:
    kind: str  # stable slug: "private-key", "aws-access-key-id", "env-file" ...
    what: str  # human phrase: "a private key block"
    line: int = 0  # 1-based line of the first hit; 0 when the name alone decided
    start: int = 0  # byte span of the secret value in the file (0, 0: by name)
    end: int = 0

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
    "kubeconfig": "a kubeconfig file",
}
_SECRET_SUFFIXES: dict[str, str] = {
    "pem": "a PEM key or certificate file",
    "key": "a private key file",
    "p12": "a PKCS#12 keystore",
    "pfx": "a PKCS#12 keystore",
    "jks": "a Java keystore",
    "keystore": "a keystore",
    "ppk": "a PuTTY private key",
    "kubeconfig": "a kubeconfig file",
}
_IN_FOLDER: dict[tuple[str, str], str] = {
    (".aws", "credentials"): "an AWS credentials file",
    (".kube", "config"): "a kubeconfig file",
    (".docker", "config.json"): "a Docker config file (registry logins)",
}
_SSH_KEY_PREFIXES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")
_TOKEN_CONFIGS = frozenset({".npmrc", ".pypirc"})


def secret_by_name(path: str) -> SecretFinding | None:
    """The secret kind that ``path``'s name alone proves, or None. ``path`` is posix."""
    folder, _, name = path.rpartition("/")
    lower = name.lower()
    if lower == ".env" or (lower.startswith(".env.") and lower not in _ENV_TEMPLATES):
        return SecretFinding("env-file", "a .env file of environment secrets")
    if lower.startswith(_SSH_KEY_PREFIXES) and not lower.endswith(".pub"):
        return SecretFinding("ssh-private-key", "an SSH private key file")
    if what := _SECRET_NAMES.get(lower):
        return SecretFinding("credentials-file", what)
    # the parent folder's name by string (a PurePosixPath per file cost ~50 us on every pack)
    if what := _IN_FOLDER.get((folder.rpartition("/")[2], lower)):
        return SecretFinding("credentials-file", what)
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


def _assignment(
    rules: ModuleType, data: bytes, lower: bytes, at: int, kind: str, what: str
) -> SecretFinding | None:
    match = rules.ASSIGN.match(data, at, at + rules.LINE_REACH)
    if match is None:
        return None
    group = "qv" if match.group("qv") else "xv" if match.group("xv") else "v"
    value = match.group(group)
    line_start = lower.rfind(b"\n", 0, at) + 1
    line = lower[line_start : match.end()]
    if rules.AWS_SECRET.fullmatch(value) and (
        b"aws" in line or b"secretaccesskey" in line.replace(b"_", b"")
    ):  # AWS secret keys are 40 base64 characters; a "/" in one does not make it a path
        if not rules.looks_random(value):
            return None
        kind, what = "aws-secret-access-key", "an AWS secret access key"
    elif not rules.looks_like_password(value):
        return None
    if match.group("comma") and b"define" not in lower[line_start:at]:
        return None  # a list of names, not PHP's define('NAME', 'value')
    if kind == "registry-auth" and b"auths" not in lower:
        return None
    return _finding(data, kind, what, match.start(group), match.end(group))


# --- the scan ------------------------------------------------------------------------------
#
# One Aho-Corasick pass over a lower-cased copy finds every keyword of every rule (as
# gitleaks does); a file without one costs that pass and nothing more. Each hit then runs
# only its own rule, anchored near the hit.

_URL = (b"://", "url", "")


@functools.cache
def _scanner() -> tuple[
    ModuleType, tuple[tuple[bytes, Rule | str, str], ...], object, frozenset[str]
]:
    """The rules, the keyword table, its automaton and the generic kinds: built on the first
    scan (a warm pack, whose verdicts are all remembered, never loads the rules)."""
    import ahocorasick_rs

    from . import secretrules as rules

    table: tuple[tuple[bytes, Rule | str, str], ...] = (
        *((kw, rule, "") for rule in rules.TOKEN_RULES for kw in rule.keywords),
        *((kw, kind, what) for kw, kind, what in rules.KEYWORDS),
        _URL,
    )
    automaton = ahocorasick_rs.BytesAhoCorasick([kw for kw, _, _ in table])
    generic = frozenset({kind for _, kind, _ in rules.KEYWORDS} | {"url-password"})
    return rules, table, automaton, generic


_WHOLE_FILE_KINDS = frozenset({"kubeconfig-client-key", "registry-auth"})
_MOSTLY_SECRET = 0.5  # of a file's non-blank bytes: then nothing useful is left


def _finding(data: bytes, kind: str, what: str, start: int, end: int) -> SecretFinding:
    return SecretFinding(kind, what, data.count(b"\n", 0, start) + 1, start, end)


def _key_block_end(data: bytes, body_end: int) -> int:
    """Where a private key block ends: after its END line, else after its base64 body."""
    end = data.find(b"-----END", body_end, body_end + 20_000)
    if end == -1:
        return body_end
    close = data.find(b"-----", end + 8, end + 80)
    return body_end if close == -1 else close + 5


def _token(
    rules: ModuleType, data: bytes, rule: Rule, at: int, done: dict[Rule, int]
) -> SecretFinding | None:
    if rule.back or rule.reach:  # the keyword is not the token's prefix: look around it
        start = max(0, at - rule.back, done.get(rule, 0))
        match = rule.pattern.search(data, start, at + rule.reach + rules.LONGEST)
    else:
        match = rule.pattern.match(data, at)
    if match is None:
        if rule.back or rule.reach:  # every start up to here was tried: skip it next time
            done[rule] = max(done.get(rule, 0), at + rule.reach + 1)
        return None
    done[rule] = match.end()
    group = "v" if "v" in rule.pattern.groupindex else 0
    value = match.group(group)
    if rule.check is not None and not rule.check(value[rule.body :]):
        return None
    start, end = match.span(group)
    if rule.kind == "private-key":
        end = _key_block_end(data, end)
    return _finding(data, rule.kind, rule.what, start, end)


def _url(rules: ModuleType, data: bytes, at: int) -> SecretFinding | None:
    match = rules.URL_PASSWORD.match(data, at)
    if match is None:
        return None
    value = match.group("v")
    if value == match.group("user") or not rules.url_password(value):
        return None
    return _finding(data, "url-password", "a password in a URL", *match.span("v"))


def find_secrets(data: bytes) -> list[SecretFinding]:
    """Every secret in a file's bytes, by position, spans not overlapping."""
    rules, table, automaton, generic = _scanner()
    lower = data.lower()  # same offsets as data
    hits = automaton.find_matches_as_indexes(lower, overlapping=True)  # type: ignore[attr-defined]
    if not hits:
        return []
    found: list[SecretFinding] = []
    done: dict[Rule, int] = {}  # per token rule: where its last match ended
    for index, at, _ in hits:
        _, rule, what = table[index]
        if isinstance(rule, rules.Rule):
            finding = _token(rules, data, rule, at, done)
        elif rule == "url":
            finding = _url(rules, data, at)
        else:
            assert isinstance(rule, str)
            finding = _assignment(rules, data, lower, at + (lower[at] == 0x22), rule, what)
        if finding is not None:
            found.append(finding)
    # by position; of two finds of one span, the named kind before the generic one
    found.sort(key=lambda f: (f.start, -f.end, f.kind in generic))
    kept: list[SecretFinding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue  # inside a secret already found (a JWT assigned to `token = `)
        kept.append(finding)
    return kept


def scan_content(data: bytes) -> SecretFinding | None:
    """The first (by position) secret in a file's bytes, or None."""
    found = find_secrets(data)
    return found[0] if found else None


def drops_whole_file(data: bytes, findings: Sequence[SecretFinding]) -> SecretFinding | None:
    """The finding that makes the whole file a secret, or None when redacting its values
    leaves useful code: a kind that marks a secrets file (a kubeconfig user key, a Docker
    registry login), or secrets that are most of the file (a key block, a service account)."""
    if not findings:
        return None
    for finding in findings:
        if finding.kind in _WHOLE_FILE_KINDS:
            return finding
    secret = sum(f.end - f.start for f in findings)
    content = len(data) - sum(data.count(c) for c in (b" ", b"\n", b"\t", b"\r"))
    return findings[0] if secret >= _MOSTLY_SECRET * max(content, 1) else None


MARKER_PREFIX = "[tome: redacted "
"""How every :func:`marker` begins; an edit that writes one back is refused (worktree)."""


def marker(finding: SecretFinding) -> str:
    """What stands in a prompt where the secret was: its kind and line, never its value."""
    return f"{MARKER_PREFIX}{finding.kind} secret, line {finding.line}]"


def redact(data: bytes, findings: Sequence[SecretFinding]) -> bytes:
    """``data`` with each finding's span replaced by its :func:`marker`. A span over several
    lines keeps its line breaks after the marker, so later line numbers do not move."""
    out: list[bytes] = []
    done = 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < done or finding.end <= finding.start:
            continue
        out.append(data[done : finding.start])
        out.append(marker(finding).encode())
        out.append(b"\n" * data.count(b"\n", finding.start, finding.end))
        done = finding.end
    out.append(data[done:])
    return b"".join(out)


# --- cache encoding -----------------------------------------------------------------------


@functools.cache
def _what() -> dict[str, str]:
    """Each kind a scan finds, with its phrase (for a verdict that names a secret)."""
    from . import secretrules as rules

    what = {rule.kind: rule.what for rule in rules.TOKEN_RULES}
    what.update({kind: what for _, kind, what in rules.KEYWORDS})
    what.update(
        {"url-password": "a password in a URL", "aws-secret-access-key": "an AWS secret access key"}
    )
    return what


def encode_verdict(findings: Sequence[SecretFinding]) -> str:
    """A cache value for a scan verdict: ``""`` for clean, else ``kind:line:start:end``
    entries joined by ``;``."""
    return ";".join(f"{f.kind}:{f.line}:{f.start}:{f.end}" for f in findings)


def decode_verdict(value: str) -> list[SecretFinding]:
    """The inverse of :func:`encode_verdict`; ValueError for a value it did not write."""
    if not value:
        return []
    out = []
    phrases = _what()
    for entry in value.split(";"):
        kind, *numbers = entry.split(":")
        what = phrases.get(kind)
        if what is None or len(numbers) != 3 or not all(n.isdigit() for n in numbers):
            raise ValueError(f"not a secrets verdict: {value!r}")
        line, start, end = map(int, numbers)
        if not (line >= 1 and start < end):
            raise ValueError(f"not a secrets verdict: {value!r}")
        out.append(SecretFinding(kind, what, line, start, end))
    return out
