"""Recognise secrets in files, so they never reach a prompt. Pure functions.

Two checks:

- by name: :func:`secret_by_name` (``.env``, private keys, keystores, credential files,
  kubeconfig, a Docker ``config.json``): such files are secrets by nature and are left out
  whole; ``.npmrc`` and ``.pypirc`` count only when they hold a token (:func:`secret_in_config`);
- by content: :func:`find_secrets` finds every secret in a file's bytes, with its span, so
  the caller can :func:`redact` the values and keep the rest of the file (or, when
  :func:`drops_whole_file` says the file is mostly secret or a secret by nature, leave it out).

The rules are a curated port of the rule sets the field maintains, each with a comment
naming its source: gitleaks (https://github.com/gitleaks/gitleaks, ``config/gitleaks.toml``,
MIT licence, rule ids as there) and detect-secrets (https://github.com/Yelp/detect-secrets,
``detect_secrets/plugins/``, Apache-2.0, plugin names as there). Two families:

- tokens with a fixed prefix (``sk_live_``, ``AIza``, ``ghp_``, ``glpat-``, JWTs, private key
  blocks ...) whose body must also look random, which rules out placeholders such as
  ``sk_test_xxxx`` or ``AKIAIOSFODNN7EXAMPLE``;
- a keyword assignment (``password = "..."``, ``secret:``, ``token=``, ``define('DB_PASSWORD',
  ...)``, ``<password>``) or a password in a URL (``postgres://user:pass@host``), whose value
  must be a literal (not ``${VAR}``, ``os.environ[...]``, ``get_password()``, an identifier)
  with the entropy and character mix of a real secret and no placeholder word in it.

Speed (the scan runs over every file of a pack): a regex that is tried at every position
crawls (~50 MB/s), while one that opens with a single literal character jumps from one
occurrence of it to the next in C. So the token rules are grouped by a *pivot* character
each of them contains (``_``, ``-``, ``.``, ``A``, ``K``) and one prefilter pass per pivot
checks the rest of the prefix with look-arounds; the keyword rules look for their keywords
in one lower-cased copy with ``in``; only the rules of a group whose prefilter hit run on a
file. Most files cost those few passes and nothing else.

A finding names the kind and the line, never the secret itself. Verdicts depend on the
bytes alone, so callers cache them by blob sha under :data:`CACHE_NAMESPACE` (bump
:data:`VERSION` whenever a rule or the verdict encoding changes).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

import ahocorasick_rs

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

VERSION = 2
CACHE_NAMESPACE = f"secrets/{VERSION}"


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
    name = path.rpartition("/")[2]
    lower = name.lower()
    if lower == ".env" or (lower.startswith(".env.") and lower not in _ENV_TEMPLATES):
        return SecretFinding("env-file", "a .env file of environment secrets")
    if lower.startswith(_SSH_KEY_PREFIXES) and not lower.endswith(".pub"):
        return SecretFinding("ssh-private-key", "an SSH private key file")
    if what := _SECRET_NAMES.get(lower):
        return SecretFinding("credentials-file", what)
    if what := _IN_FOLDER.get((PurePosixPath(path).parent.name, lower)):
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


# --- what looks like a secret --------------------------------------------------------------

# Words that mark a value as a placeholder, a fixture or documentation, never a live secret.
_PLACEHOLDER_WORDS = (
    b"example",
    b"sample",
    b"dummy",
    b"fake",
    b"test",
    b"mock",
    b"demo",
    b"placeholder",
    b"changeme",
    b"change_me",
    b"change-me",
    b"replace",
    b"redacted",
    b"password",
    b"passwd",
    b"secret",
    b"xxxx",
    b"****",
    b"....",
    b"your",
    b"todo",
    b"default",
    b"foobar",
    b"12345",
    b"abcdef",
    b"qwerty",
    b"lorem",
    b"tome: redacted",
)
# `${VAR}`, `$VAR`, `%(name)s`, `%VAR%`, `{{ var }}`, `<password>`, `#{var}`, `@VAR@`, `****`
_TEMPLATE = re.compile(
    rb"\$\{[A-Za-z_]|\$\([A-Za-z_]|^\$[A-Za-z_]|%\([A-Za-z_]\w*\)[sdr]|^%[A-Za-z_]+%"
    rb"|\{\{\s*[\w.|]+\s*\}\}|\{%.*%\}|^<[^>]*>$|#\{[\w.]+\}|^@[A-Za-z_]+@$|^\*+$"
)
_PATH = re.compile(rb"(?:\.|~)?(?:/[\w.-]+){2,}/?")
_UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _template(value: bytes) -> bool:
    """A reference to a value kept elsewhere (a variable, a template), or a path or URL."""
    return (
        _TEMPLATE.search(value) is not None
        or _PATH.fullmatch(value) is not None
        or value[:4].lower() == b"http"
        or _UUID.fullmatch(value) is not None
    )


def _entropy(value: bytes) -> float:
    """Shannon entropy in bits per character."""
    n = len(value)
    counts: dict[int, int] = {}
    for c in value:
        counts[c] = counts.get(c, 0) + 1
    return -sum(k / n * math.log2(k / n) for k in counts.values())


def _classes(value: bytes) -> int:
    return (
        any(0x30 <= c <= 0x39 for c in value)
        + any(0x41 <= c <= 0x5A for c in value)
        + any(0x61 <= c <= 0x7A for c in value)
        + any(not (c < 0x80 and chr(c).isalnum()) for c in value)
    )


def _alphabet_run(value: bytes, n: int = 5) -> bool:
    """Whether ``value`` holds ``n`` consecutive characters in order (``bcdef``, ``34567``):
    typed by a person writing a fixture, next to never drawn at random."""
    run = 1
    for a, b in itertools.pairwise(value):
        run = run + 1 if b == a + 1 else 1
        if run >= n:
            return True
    return False


_FILLERS = (b"xxxx", b"****", b"....")
_LONG_WORDS = _FILLERS + tuple(w for w in _PLACEHOLDER_WORDS if len(w) >= 6)


def _placeholder(value: bytes) -> bool:
    """A placeholder word in a value, or filler; in a long random value a word can occur by
    chance, so there only filler counts."""
    lower = value.lower()
    words = _PLACEHOLDER_WORDS if len(value) < 48 else _LONG_WORDS
    return any(word in lower for word in words)


def _looks_random(body: bytes) -> bool:
    """A token body is random: mixed character classes, many distinct characters."""
    if _placeholder(body) or len(body) < 8:
        return False
    hexish = all(c in b"0123456789abcdefABCDEF" for c in body)
    if hexish:  # random hex of 32 has 3.7 bits a character; filler and runs have far less
        return _entropy(body) >= 2.5 and not _alphabet_run(body, 6)
    return _classes(body) >= 2 and len(set(body)) >= min(10, len(body) // 3)


# a name, not a value: `user_password`, `+dollarToken`, `X-Auth-Token`, `django-insecure-`
_IDENTIFIER = re.compile(rb"[+!~*&-]?[A-Za-z_$][A-Za-z_$]*(?:[.:/-][A-Za-z_$][A-Za-z_$]*)*[.:/-]?")
_SNAKE = re.compile(rb"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
_DOTTED = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+(?:\(\))?")
_HASH_SCHEMES = (b"pbkdf2_", b"argon2", b"bcrypt", b"sha1$", b"md5$", b"$2", b"sha256$", b"crypt$")


def _looks_like_password(value: bytes) -> bool:
    """A literal assigned to a secret keyword: long enough, mixed, random, no placeholder.

    After detect-secrets' KeywordDetector and gitleaks' generic-api-key (entropy 3.5 for a
    long value): identifiers, dotted names, paths, URLs, templates and placeholder words
    are not secrets.
    """
    if len(value) < 8 or _template(value):
        return False
    if any(p.fullmatch(value) for p in (_IDENTIFIER, _SNAKE, _DOTTED)) or _placeholder(value):
        return False
    if _alphabet_run(value):
        return False
    if value.startswith(_HASH_SCHEMES) or len(set(value)) < min(6, len(value) // 2):
        return False
    if all(c in b"0123456789abcdefABCDEF" for c in value):  # hex: an auth token or a hash
        return len(value) >= 20 and _entropy(value) >= 3.0
    if value.isdigit():
        return False
    threshold = 3.5 if len(value) >= 24 else min(3.0, math.log2(len(value)) * 0.7)
    return _classes(value) >= 2 and _entropy(value) >= threshold


# --- token rules ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    kind: str
    what: str
    keywords: tuple[bytes, ...]  # lower-case; the rule runs only near one of them
    pattern: re.Pattern[bytes]  # group "v", if any, is the secret; otherwise the whole match
    check: Callable[[bytes], bool] | None = None  # is the secret value real?
    body: int = 0  # bytes of fixed prefix the check skips
    back: int = 0  # how far before its keyword a match may start
    reach: int = 0  # how far after its keyword a match may start (0: a token's prefix)


def _rule(
    kind: str,
    what: str,
    keywords: tuple[bytes, ...],
    pattern: bytes,
    check: Callable[[bytes], bool] | None = None,
    body: int = 0,
    back: int = 0,
    reach: int = 0,
) -> _Rule:
    return _Rule(kind, what, keywords, re.compile(pattern), check, body, back, reach)


_END = rb"(?![A-Za-z0-9_-])"  # a token ends where its alphabet does
_BREAK = rb"(?:\\[rn]|\s)+"  # real line breaks, or `\n` escapes inside a string literal

_TOKEN_RULES: tuple[_Rule, ...] = (
    # gitleaks stripe-access-token (live and prod keys; test keys reach no money)
    _rule(
        "stripe-key",
        "a Stripe secret key",
        (b"sk_live_", b"rk_live_", b"sk_prod_", b"rk_prod_"),
        rb"(?<![\w-])[sr]k_(?:live|prod)_[A-Za-z0-9]{10,99}" + _END,
        _looks_random,
        8,
    ),
    # gitleaks gcp-api-key
    _rule(
        "google-api-key",
        "a Google API key",
        (b"aiza",),
        rb"(?<![\w-])AIza[\w-]{35}" + _END,
        _looks_random,
        4,
    ),
    # gitleaks jwt; detect-secrets JwtTokenDetector
    _rule(
        "jwt",
        "a JSON web token",
        (b"eyj",),
        rb"(?<![\w-])eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}" + _END,
    ),
    # gitleaks aws-access-token; detect-secrets AWSKeyDetector
    _rule(
        "aws-access-key-id",
        "an AWS access key id",
        (b"akia", b"asia"),
        rb"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Za-z0-9])",
        lambda v: b"EXAMPLE" not in v and len(set(v)) >= 8,
    ),
    # detect-secrets AzureStorageKeyDetector
    _rule(
        "azure-storage-key",
        "an Azure storage account key",
        (b"accountkey=",),
        rb"AccountKey=(?P<v>[A-Za-z0-9+/]{40,}={0,2})",
        _looks_random,
    ),
    # a kubeconfig user's key (the base64 of a PEM private key)
    _rule(
        "kubeconfig-client-key",
        "a kubeconfig client key",
        (b"client-key-data",),
        rb"client-key-data:[ \t]*[\"']?(?P<v>[A-Za-z0-9+/]{40,}={0,2})",
        _looks_random,
    ),
    # gitleaks sendgrid-api-token; detect-secrets SendGridDetector
    _rule(
        "sendgrid-key",
        "a SendGrid API key",
        (b"sg.",),
        rb"(?<![\w-])SG\.[\w-]{16,32}\.[\w-]{16,64}" + _END,
        _looks_random,
        3,
    ),
    # detect-secrets TwilioKeyDetector (account SID and API key); gitleaks twilio-api-key.
    # Near "twilio" or a "sid" name only: "ac" and "sk" alone are in too many words.
    _rule(
        "twilio-key",
        "a Twilio key",
        (b"twilio", b"_sid", b"accountsid"),
        rb"(?:AC(?<![A-Za-z0-9]AC)[0-9a-f]{32}|SK(?<![A-Za-z0-9]SK)[0-9a-fA-F]{32})"
        rb"(?![A-Za-z0-9])",
        _looks_random,
        2,
        back=200,
        reach=300,
    ),
    # gitleaks gitlab-pat
    _rule(
        "gitlab-token",
        "a GitLab token",
        (b"glpat-",),
        rb"(?<![\w-])glpat-[\w-]{20,}" + _END,
        _looks_random,
        6,
    ),
    # gitleaks huggingface-access-token
    _rule(
        "huggingface-token",
        "a Hugging Face token",
        (b"hf_",),
        rb"(?<![\w-])hf_[A-Za-z]{34}" + _END,
        _looks_random,
        3,
    ),
    # gitleaks vault-service-token, vault-batch-token
    _rule(
        "vault-token",
        "a HashiCorp Vault token",
        (b"hvs.", b"hvb."),
        rb"(?<![\w-])hv[sb]\.[\w-]{90,200}" + _END,
        _looks_random,
        4,
    ),
    # gitleaks pypi-upload-token
    _rule(
        "pypi-token",
        "a PyPI upload token",
        (b"pypi-ageichlwas5vcmc",),
        rb"pypi-AgEIcHlwaS5vcmc[\w-]{50,1000}",
    ),
    # gitleaks digitalocean-pat, digitalocean-access-token, digitalocean-refresh-token
    _rule(
        "digitalocean-token",
        "a DigitalOcean token",
        (b"dop_v1_", b"doo_v1_", b"dor_v1_"),
        rb"(?<![\w-])do[opr]_v1_[a-f0-9]{64}" + _END,
        _looks_random,
        7,
    ),
    # gitleaks shopify-access-token, -shared-secret, -custom-access-token, -private-app-...
    _rule(
        "shopify-token",
        "a Shopify token",
        (b"shpat_", b"shpss_", b"shpca_", b"shppa_"),
        rb"(?<![\w-])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}" + _END,
        _looks_random,
        6,
    ),
    # gitleaks telegram-bot-api-token (without its keyword: the shape is specific enough)
    _rule(
        "telegram-token",
        "a Telegram bot token",
        (b":aa",),
        rb"(?<![\w:])[0-9]{8,10}:AA[\w-]{33}" + _END,
        lambda v: _looks_random(v.partition(b":")[2]),
        back=10,
    ),
    # gitleaks slack-webhook-url
    _rule(
        "slack-webhook",
        "a Slack webhook URL",
        (b"hooks.slack.com",),
        rb"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<v>[A-Za-z0-9+/_-]{30,80})",
        _looks_random,
    ),
    # gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-config-*-token
    _rule(
        "slack-token",
        "a Slack token",
        (b"xox",),
        rb"(?<![\w-])xox[abposer]-(?:[0-9]{6,}-)?[0-9A-Za-z-]{10,}" + _END,
        _looks_random,
        5,
    ),
    # gitleaks slack-app-token
    _rule(
        "slack-token",
        "a Slack token",
        (b"xapp-",),
        rb"(?<![\w-])xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-z0-9]{20,}" + _END,
        _looks_random,
        5,
    ),
    # gitleaks github-pat, github-oauth, github-app-token, github-refresh-token,
    # github-fine-grained-pat
    _rule(
        "github-token",
        "a GitHub token",
        (b"ghp_", b"gho_", b"ghu_", b"ghs_", b"ghr_", b"github_pat_"),
        rb"(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})"
        + _END,
        _looks_random,
        4,
    ),
    # gitleaks anthropic-api-key, anthropic-admin-api-key
    _rule(
        "anthropic-api-key",
        "an Anthropic API key",
        (b"sk-ant-",),
        rb"(?<![\w-])sk-ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_-]{80,}" + _END,
        _looks_random,
        14,
    ),
    # gitleaks openai-api-key (without its T3BlbkFJ marker: DeepSeek and others use sk- too)
    _rule(
        "sk-api-key",
        "an sk- style API key",
        (b"sk-",),
        rb"(?<![\w-])sk-(?!ant-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{32,})"
        + _END,
        _looks_random,
        3,
    ),
    # gitleaks private-key; detect-secrets PrivateKeyDetector
    _rule(
        "private-key",
        "a private key block",
        (b"-----begin",),
        rb"-----BEGIN[A-Z0-9 ]{0,40} PRIVATE KEY(?: BLOCK)?-----"
        + _BREAK
        + rb"(?:[A-Za-z-]+:[^\n\\]*"  # PEM headers such as Proc-Type: 4,ENCRYPTED
        + _BREAK
        + rb")*[A-Za-z0-9+/=]{32,}",
    ),
)

# detect-secrets BasicAuthDetector: a password between `scheme://user:` and `@host`
_LONGEST = 100  # bytes: no token rule with a keyword beside it (back, reach) is longer

_URL_PASSWORD = re.compile(
    rb"://(?<=[A-Za-z0-9]://)(?P<user>[^\s:/@'\"<>]{0,64}):(?P<v>[^\s/@'\"<>]{1,128})@"
    rb"(?=[A-Za-z0-9\[])"
)

# --- keyword rules -------------------------------------------------------------------------
#
# detect-secrets KeywordDetector and gitleaks generic-api-key: a keyword in a name, an
# assignment, and a literal value, matched on the original bytes from the keyword on.

_KEYWORDS: tuple[tuple[bytes, str, str], ...] = (
    (b"passw", "password", "a password"),
    (b"pwd", "password", "a password"),
    (b"secret", "secret", "a secret"),
    (b"token", "token", "a token"),
    (b"api_key", "api-key", "an API key"),
    (b"apikey", "api-key", "an API key"),
    (b"api-key", "api-key", "an API key"),
    (b'"auth"', "registry-auth", "a registry login"),
    (b"_key'", "api-key", "a key"),  # wp-config.php: define('AUTH_KEY', '...')
)
_ASSIGN = re.compile(
    rb"[\w.-]{0,30}?['\"]?[ \t]{0,3}"
    rb"(?:"
    rb":[ \t]*[A-Za-z_][\w.\[\]| ]{0,30}=(?![=~])"  # `password: str = ...`
    rb"|=>|:=|\|\||=(?![=~])|:(?!:)"
    rb"|(?<=['\"])(?P<comma>[ \t]*,)"  # define('DB_PASSWORD', ...)
    rb"|(?P<xml>>)"  # <password>...</password>
    rb")[ \t]{0,16}"
    rb"(?:(?P<q>['\"\x60])(?P<qv>[^'\"\x60\s\\\x00-\x1f\x7f]{8,200})(?P=q)"
    rb"|(?(xml)(?P<xv>[^<\s\x00-\x1f\x7f]{8,200})</"
    rb"|(?P<v>[^\s'\"\x60;,(){}\[\]<>\x00-\x1f\x7f]{8,200})(?=[\s;,]|$)))"
)
_AWS_SECRET = re.compile(rb"[A-Za-z0-9/+]{40}")
_LINE_REACH = 320  # how far past its keyword an assignment's value may end


def _assignment(data: bytes, lower: bytes, at: int, kind: str, what: str) -> SecretFinding | None:
    match = _ASSIGN.match(data, at, at + _LINE_REACH)
    if match is None:
        return None
    group = "qv" if match.group("qv") else "xv" if match.group("xv") else "v"
    value = match.group(group)
    line_start = lower.rfind(b"\n", 0, at) + 1
    line = lower[line_start : match.end()]
    if _AWS_SECRET.fullmatch(value) and (
        b"aws" in line or b"secretaccesskey" in line.replace(b"_", b"")
    ):  # AWS secret keys are 40 base64 characters; a "/" in one does not make it a path
        if not _looks_random(value):
            return None
        kind, what = "aws-secret-access-key", "an AWS secret access key"
    elif not _looks_like_password(value):
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
_TABLE: tuple[tuple[bytes, _Rule | str, str], ...] = (
    *((kw, rule, "") for rule in _TOKEN_RULES for kw in rule.keywords),
    *((kw, kind, what) for kw, kind, what in _KEYWORDS),
    _URL,
)
_AUTOMATON = ahocorasick_rs.BytesAhoCorasick([kw for kw, _, _ in _TABLE])

_GENERIC_KINDS = frozenset({kind for _, kind, _ in _KEYWORDS} | {"url-password"})
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


def _token(data: bytes, rule: _Rule, at: int, done: dict[_Rule, int]) -> SecretFinding | None:
    if rule.back or rule.reach:  # the keyword is not the token's prefix: look around it
        start = max(0, at - rule.back, done.get(rule, 0))
        match = rule.pattern.search(data, start, at + rule.reach + _LONGEST)
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


def _url(data: bytes, at: int) -> SecretFinding | None:
    match = _URL_PASSWORD.match(data, at)
    if match is None:
        return None
    value = match.group("v")
    if value == match.group("user") or not _url_password(value):
        return None
    return _finding(data, "url-password", "a password in a URL", *match.span("v"))


def find_secrets(data: bytes) -> list[SecretFinding]:
    """Every secret in a file's bytes, by position, spans not overlapping."""
    lower = data.lower()  # same offsets as data
    hits = _AUTOMATON.find_matches_as_indexes(lower, overlapping=True)
    if not hits:
        return []
    found: list[SecretFinding] = []
    done: dict[_Rule, int] = {}  # per token rule: where its last match ended
    for index, at, _ in hits:
        _, rule, what = _TABLE[index]
        if isinstance(rule, _Rule):
            finding = _token(data, rule, at, done)
        elif rule == "url":
            finding = _url(data, at)
        else:
            finding = _assignment(data, lower, at + (lower[at] == 0x22), rule, what)
        if finding is not None:
            found.append(finding)
    # by position; of two finds of one span, the named kind before the generic one
    found.sort(key=lambda f: (f.start, -f.end, f.kind in _GENERIC_KINDS))
    kept: list[SecretFinding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue  # inside a secret already found (a JWT assigned to `token = `)
        kept.append(finding)
    return kept


def _url_password(value: bytes) -> bool:
    if _template(value) or _placeholder(value) or len(value) < 6:
        return False
    return _classes(value) >= 2 or (len(value) >= 12 and _entropy(value) >= 3.0)


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


def marker(finding: SecretFinding) -> str:
    """What stands in a prompt where the secret was: its kind and line, never its value."""
    return f"[tome: redacted {finding.kind} secret, line {finding.line}]"


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

_WHAT = {rule.kind: rule.what for rule in _TOKEN_RULES}
_WHAT.update({kind: what for _, kind, what in _KEYWORDS})
_WHAT.update(
    {"url-password": "a password in a URL", "aws-secret-access-key": "an AWS secret access key"}
)


def encode_verdict(findings: Sequence[SecretFinding]) -> str:
    """A cache value for a scan verdict: ``""`` for clean, else ``kind:line:start:end``
    entries joined by ``;``."""
    return ";".join(f"{f.kind}:{f.line}:{f.start}:{f.end}" for f in findings)


def decode_verdict(value: str) -> list[SecretFinding]:
    """The inverse of :func:`encode_verdict`; ValueError for a value it did not write."""
    if not value:
        return []
    out = []
    for entry in value.split(";"):
        kind, *numbers = entry.split(":")
        what = _WHAT.get(kind)
        if what is None or len(numbers) != 3 or not all(n.isdigit() for n in numbers):
            raise ValueError(f"not a secrets verdict: {value!r}")
        line, start, end = map(int, numbers)
        if not (line >= 1 and start < end):
            raise ValueError(f"not a secrets verdict: {value!r}")
        out.append(SecretFinding(kind, what, line, start, end))
    return out
