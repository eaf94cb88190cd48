"""What a secret looks like: the value checks and the rule tables :mod:`assistant.secrets`
scans with. Pure data and small pure functions.

The rules are a curated port of the rule sets the field maintains, each with a comment
naming its source: gitleaks (https://github.com/gitleaks/gitleaks, ``config/gitleaks.toml``,
MIT licence, rule ids as there) and detect-secrets (https://github.com/Yelp/detect-secrets,
``detect_secrets/plugins/``, Apache-2.0, plugin names as there). Each rule names the
lower-case keywords near which it runs (gitleaks' design: one keyword pass decides which
rules run at all). Changing a rule changes verdicts: bump :data:`assistant.secrets.VERSION`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass

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
# `${VAR}`, `$VAR`, `%(name)s`, `%VAR%`, `{{ var }}`, `<password>`, `#{var}`, `@VAR@`, `****`,
# `{field}`, `1_000`
_TEMPLATE = re.compile(
    rb"\$\{[A-Za-z_]|\$\([A-Za-z_]|^\$[A-Za-z_]|%\([A-Za-z_]\w*\)[sdr]|^%[A-Za-z_]+%"
    rb"|\{\{\s*[\w.|]+\s*\}\}|\{%.*%\}|^<[^>]*>$|#\{[\w.]+\}|^@[A-Za-z_]+@$|^\*+$"
    rb"|^\{[\w.\[\]()'\"!:]+\}$|^[0-9_.,]+$"  # an f-string field `{entry.tokens}`, a number
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


_FILLERS = (b"xxxx", b"****", b"...", "\u2026".encode())  # an ellipsis elides a value
_LONG_WORDS = _FILLERS + tuple(w for w in _PLACEHOLDER_WORDS if len(w) >= 6)


def _placeholder(value: bytes) -> bool:
    """A placeholder word in a value, or filler; in a long random value a word can occur by
    chance, so there only filler counts."""
    lower = value.lower()
    words = _PLACEHOLDER_WORDS + _FILLERS if len(value) < 48 else _LONG_WORDS
    return any(word in lower for word in words)


def looks_random(body: bytes) -> bool:
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


# a regular expression, not a value: `[a-zA-Z_]`, `\d+`
_REGEX = re.compile(
    rb"\[\^?(?:[\w\\.$+/]|[A-Za-z0-9]-[A-Za-z0-9])*[A-Za-z0-9]-[A-Za-z0-9][\w\\.$+/-]*\]|\\[dwsDWS]"
)
_SEGMENT = re.compile(rb"[A-Za-z0-9]+")
_WORD = re.compile(rb"[a-z]+[0-9]*|[A-Z][a-z]*[0-9]*|[A-Z]+[0-9]*|[0-9]+")


def _wordy(value: bytes) -> bool:
    """Words joined by punctuation (`urn:ietf:params:oauth:token-type:jwt`, `Content-Type`,
    `api-v2.internal`): a name a person wrote. Random text mixes case inside its runs."""
    segments = _SEGMENT.findall(value)
    return len(segments) >= 2 and all(
        _WORD.fullmatch(s) and (len(s) >= 3 or s.isdigit()) for s in segments
    )


def looks_like_password(value: bytes) -> bool:
    """A literal assigned to a secret keyword: long enough, mixed, random, no placeholder.

    After detect-secrets' KeywordDetector and gitleaks' generic-api-key (entropy 3.5 for a
    long value): identifiers, dotted names, paths, URLs, templates and placeholder words
    are not secrets.
    """
    if len(value) < 8 or _template(value):
        return False
    if any(p.fullmatch(value) for p in (_IDENTIFIER, _SNAKE, _DOTTED)) or _placeholder(value):
        return False
    if _alphabet_run(value) or _REGEX.search(value) or _wordy(value):
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
class Rule:
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
) -> Rule:
    return Rule(kind, what, keywords, re.compile(pattern), check, body, back, reach)


_END = rb"(?![A-Za-z0-9_-])"  # a token ends where its alphabet does
_BREAK = rb"(?:\\[rn]|\s)+"  # real line breaks, or `\n` escapes inside a string literal

TOKEN_RULES: tuple[Rule, ...] = (
    # gitleaks stripe-access-token (live and prod keys; test keys reach no money)
    _rule(
        "stripe-key",
        "a Stripe secret key",
        (b"sk_live_", b"rk_live_", b"sk_prod_", b"rk_prod_"),
        rb"(?<![\w-])[sr]k_(?:live|prod)_[A-Za-z0-9]{10,99}" + _END,
        looks_random,
        8,
    ),
    # gitleaks gcp-api-key
    _rule(
        "google-api-key",
        "a Google API key",
        (b"aiza",),
        rb"(?<![\w-])AIza[\w-]{35}" + _END,
        looks_random,
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
        looks_random,
    ),
    # a kubeconfig user's key (the base64 of a PEM private key)
    _rule(
        "kubeconfig-client-key",
        "a kubeconfig client key",
        (b"client-key-data",),
        rb"client-key-data:[ \t]*[\"']?(?P<v>[A-Za-z0-9+/]{40,}={0,2})",
        looks_random,
    ),
    # gitleaks sendgrid-api-token; detect-secrets SendGridDetector
    _rule(
        "sendgrid-key",
        "a SendGrid API key",
        (b"sg.",),
        rb"(?<![\w-])SG\.[\w-]{16,32}\.[\w-]{16,64}" + _END,
        looks_random,
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
        looks_random,
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
        looks_random,
        6,
    ),
    # gitleaks huggingface-access-token
    _rule(
        "huggingface-token",
        "a Hugging Face token",
        (b"hf_",),
        rb"(?<![\w-])hf_[A-Za-z]{34}" + _END,
        looks_random,
        3,
    ),
    # gitleaks vault-service-token, vault-batch-token
    _rule(
        "vault-token",
        "a HashiCorp Vault token",
        (b"hvs.", b"hvb."),
        rb"(?<![\w-])hv[sb]\.[\w-]{90,200}" + _END,
        looks_random,
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
        looks_random,
        7,
    ),
    # gitleaks shopify-access-token, -shared-secret, -custom-access-token, -private-app-...
    _rule(
        "shopify-token",
        "a Shopify token",
        (b"shpat_", b"shpss_", b"shpca_", b"shppa_"),
        rb"(?<![\w-])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}" + _END,
        looks_random,
        6,
    ),
    # gitleaks telegram-bot-api-token (without its keyword: the shape is specific enough)
    _rule(
        "telegram-token",
        "a Telegram bot token",
        (b":aa",),
        rb"(?<![\w:])[0-9]{8,10}:AA[\w-]{33}" + _END,
        lambda v: looks_random(v.partition(b":")[2]),
        back=10,
    ),
    # gitleaks slack-webhook-url
    _rule(
        "slack-webhook",
        "a Slack webhook URL",
        (b"hooks.slack.com",),
        rb"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<v>[A-Za-z0-9+/_-]{30,80})",
        looks_random,
    ),
    # gitleaks slack-bot-token, slack-user-token, slack-legacy-*, slack-config-*-token
    _rule(
        "slack-token",
        "a Slack token",
        (b"xox",),
        rb"(?<![\w-])xox[abposer]-(?:[0-9]{6,}-)?[0-9A-Za-z-]{10,}" + _END,
        looks_random,
        5,
    ),
    # gitleaks slack-app-token
    _rule(
        "slack-token",
        "a Slack token",
        (b"xapp-",),
        rb"(?<![\w-])xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-z0-9]{20,}" + _END,
        looks_random,
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
        looks_random,
        4,
    ),
    # gitleaks anthropic-api-key, anthropic-admin-api-key
    _rule(
        "anthropic-api-key",
        "an Anthropic API key",
        (b"sk-ant-",),
        rb"(?<![\w-])sk-ant-(?:api|admin|oat)\d\d-[A-Za-z0-9_-]{80,}" + _END,
        looks_random,
        14,
    ),
    # gitleaks openai-api-key (without its T3BlbkFJ marker: DeepSeek and others use sk- too)
    _rule(
        "sk-api-key",
        "an sk- style API key",
        (b"sk-",),
        rb"(?<![\w-])sk-(?!ant-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,}|[A-Za-z0-9]{32,})"
        + _END,
        looks_random,
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
LONGEST = 100  # bytes: no token rule with a keyword beside it (back, reach) is longer

URL_PASSWORD = re.compile(
    rb"://(?<=[A-Za-z0-9]://)(?P<user>[^\s:/@'\"<>]{0,64}):(?P<v>[^\s/@'\"<>]{1,128})@"
    rb"(?=[A-Za-z0-9\[])"
)

# --- keyword rules -------------------------------------------------------------------------
#
# detect-secrets KeywordDetector and gitleaks generic-api-key: a keyword in a name, an
# assignment, and a literal value, matched on the original bytes from the keyword on.

KEYWORDS: tuple[tuple[bytes, str, str], ...] = (
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
ASSIGN = re.compile(
    rb"[\w.-]{0,30}?['\"]?[ \t]{0,3}"
    rb"(?:"
    rb":[ \t]*[A-Za-z_][\w.\[\]| ]{0,30}=(?![=~])"  # `password: str = ...`
    rb"|=>|:=|\|\||=(?![=~])|:(?!:)"
    rb"|(?<=['\"])(?P<comma>[ \t]*,)"  # define('DB_PASSWORD', ...)
    rb"|(?P<xml>>)"  # <password>...</password>
    rb")[ \t]{0,16}"
    rb"(?:(?P<q>['\"\x60])(?P<qv>[^'\"\x60\s\\\x00-\x1f\x7f]{8,200})(?P=q)"
    rb"|(?(xml)(?P<xv>[^<\s\x00-\x1f\x7f]{8,200})</"
    rb"|(?P<v>[^\s'\"\x60;,(){}\[\]<>\\\x00-\x1f\x7f]{8,200})(?=[\s;,]|$)))"
)
AWS_SECRET = re.compile(rb"[A-Za-z0-9/+]{40}")
LINE_REACH = 320  # how far past its keyword an assignment's value may end


def url_password(value: bytes) -> bool:
    if _template(value) or _placeholder(value) or len(value) < 6:
        return False
    return _classes(value) >= 2 or (len(value) >= 12 and _entropy(value) >= 3.0)
