"""A corpus of realistic FAKE secrets and of look-alikes, generated with random values.

``secrets_corpus(seed)`` gives :class:`Sample` files, each holding one fake secret of a
kind in the setting it is usually found in (a settings module, ``database.yml``,
``wp-config.php``, a kubeconfig ...); ``lookalikes(seed)`` gives files that hold no secret
but look like one (UUIDs, hashes, placeholders, environment lookups, test fixtures).

Every value is drawn from a seeded RNG in the format the issuer uses, so none is a real
credential; the fixed prefixes are assembled from pieces so that this file itself holds no
secret-looking literal (tome must not flag its own tests, nor any other scanner).
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import string
import uuid
from dataclasses import dataclass

LOWER = string.ascii_lowercase
UPPER = string.ascii_uppercase
DIGITS = string.digits
ALNUM = LOWER + UPPER + DIGITS
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "_-"
PUNCT = "!#%^*-_=+~"


@dataclass(frozen=True)
class Sample:
    kind: str  # what the sample stands for (for reports of misses)
    text: str  # the file's content
    value: str  # the secret: must not survive redaction


def _j(*parts: str) -> str:
    return "".join(parts)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def password(self, n: int | None = None, punct: str = PUNCT) -> str:
        """A random password with letters, digits and (usually) a symbol."""
        n = n or self.rng.randint(12, 24)
        chars = [self.rng.choice(LOWER), self.rng.choice(UPPER), self.rng.choice(DIGITS)]
        if punct and self.rng.random() < 0.7:
            chars.append(self.rng.choice(punct))
        chars += [self.rng.choice(ALNUM + punct) for _ in range(n - len(chars))]
        self.rng.shuffle(chars)
        first = next(i for i, c in enumerate(chars) if c.isalnum())
        chars.insert(0, chars.pop(first))  # a password seldom opens with a symbol
        return "".join(chars)

    def b64url(self, raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def jwt(self) -> str:
        head = self.b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        body = self.b64url(
            json.dumps(
                {"sub": str(self.rng.randint(10**6, 10**9)), "iat": self.rng.randint(1, 2**31)}
            ).encode()
        )
        return f"{head}.{body}.{self.b64url(self.rng.randbytes(32))}"

    def pem_body(self, lines: int = 12) -> str:
        return "\n".join(base64.b64encode(self.rng.randbytes(48)).decode() for _ in range(lines))


def _private_key(g: _Gen, label: str) -> str:
    begin = _j("-----", "BEGIN ", label, " PRIVATE", " KEY-----")
    end = _j("-----", "END ", label, " PRIVATE", " KEY-----")
    return f"{begin}\n{g.pem_body()}\n{end}\n"


def _samples(g: _Gen) -> list[Sample]:
    out: list[Sample] = []

    def add(kind: str, value: str, text: str) -> None:
        out.append(Sample(kind, text, value))

    # --- tokens with a fixed prefix
    v = _j("sk", "_live_", g.s(ALNUM, g.rng.randint(24, 99)))
    add("stripe-sk", v, f'import stripe\n\nstripe.api_key = "{v}"\n')
    v = _j("rk", "_live_", g.s(ALNUM, 24))
    add("stripe-rk", v, f"const stripe = require('stripe')('{v}');\n")
    v = _j("AI", "za", g.s(URLSAFE, 35))
    add("google-api-key", v, f'{{\n  "apiKey": "{v}",\n  "authDomain": "app.web.app"\n}}\n')
    v = _j("AI", "za", g.s(URLSAFE, 35))
    add("google-api-key", v, f'<script src="https://maps.example.org/js?key={v}"></script>\n')
    v = g.jwt()
    add("jwt", v, f'headers = {{"Authorization": "Bearer {v}"}}\n')
    v = g.jwt()
    add("jwt", v, f"curl -H 'x-session: {v}' https://api.internal/\n")
    v = g.s(B64, 40)
    add("aws-secret", v, f"[default]\naws_secret_access_key = {v}\nregion = eu-west-1\n")
    v = g.s(B64, 40)
    add("aws-secret", v, f'AWS_SECRET_ACCESS_KEY = "{v}"\nBUCKET = "assets"\n')
    v = g.s(B64, 40)
    add("aws-secret", v, f"s3:\n  region: us-east-1\n  secret_access_key: {v}\n")
    v = _j("AK", "IA", g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
    add("aws-key-id", v, f"aws_access_key_id = {v}\n")
    v = _j("AS", "IA", g.s("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16))
    add("aws-key-id", v, f'const creds = {{ accessKeyId: "{v}" }};\n')
    v = _j("SG", ".", g.s(URLSAFE, 22), ".", g.s(URLSAFE, 43))
    add("sendgrid", v, f'SENDGRID_API_KEY = "{v}"\n')
    v = _j("A", "C", g.s(HEX, 32))
    add("twilio-sid", v, f"account_sid = '{v}'\nclient = Client(account_sid, auth_token)\n")
    v = _j("S", "K", g.s(HEX, 32))
    add("twilio-api-key", v, f'TWILIO_API_KEY_SID = "{v}"\n')
    v = g.s(HEX, 32)
    add("twilio-auth-token", v, f'TWILIO_AUTH_TOKEN = "{v}"\n')
    v = g.s(HEX, 32)
    add("twilio-auth-token", v, f"twilio:\n  auth_token: {v}\n")
    v = _j("gl", "pat-", g.s(URLSAFE, 20))
    add("gitlab", v, f'GITLAB_TOKEN="{v}" glab repo clone group/app\n')
    v = _j("h", "f_", g.s(LOWER + UPPER, 34))
    add("huggingface", v, f'from huggingface_hub import login\nlogin(token="{v}")\n')
    v = _j("hv", "s.", g.s(URLSAFE, 95))
    add("vault", v, f"export VAULT_TOKEN={v}\nvault kv get secret/app\n")
    v = _j("py", "pi-", "AgEIcHlwaS5vcmc", g.s(URLSAFE, 70))
    add("pypi", v, f"[pypi]\n  username = __token__\n  password = {v}\n")
    v = _j("py", "pi-", "AgEIcHlwaS5vcmc", g.s(URLSAFE, 70))
    add("pypi", v, f"- run: twine upload -u __token__ -p {v} dist/*\n")
    v = _j("do", "p_v1_", g.s(HEX, 64))
    add("digitalocean", v, f'provider "digitalocean" {{\n  token = "{v}"\n}}\n')
    v = _j("shp", "at_", g.s(HEX, 32))
    add("shopify-shpat", v, f"SHOPIFY_ACCESS = '{v}'\n")
    v = _j("shp", "ss_", g.s(HEX, 32))
    add("shopify-shpss", v, f"shopify:\n  shared: {v}\n")
    v = _j(str(g.rng.randint(10**8, 10**10 - 1)), ":", "AA", g.s(URLSAFE, 33))
    add("telegram", v, f'bot = telebot.TeleBot("{v}")\n')
    v = _j(
        "https://hooks.", "slack.com/services/T", g.s(UPPER + DIGITS, 8), "/B",
        g.s(UPPER + DIGITS, 10), "/", g.s(ALNUM, 24),
    )  # fmt: skip
    add("slack-webhook", v, f'WEBHOOK = "{v}"\nrequests.post(WEBHOOK, json=msg)\n')
    v = _j("xo", "xb-", g.s(DIGITS, 12), "-", g.s(DIGITS, 13), "-", g.s(ALNUM, 24))
    add("slack-xoxb", v, f"SLACK_BOT_TOKEN = '{v}'\n")
    v = _j("xa", "pp-1-A", g.s(UPPER + DIGITS, 10), "-", g.s(DIGITS, 13), "-", g.s(HEX, 64))
    add("slack-xapp", v, f'app = App(token=bot, app_token="{v}")\n')
    v = _j("gh", "p_", g.s(ALNUM, 36))
    add("github-ghp", v, f"git clone https://x:{v}@github.com/org/repo.git\n")
    v = _j("github", "_pat_", g.s(ALNUM, 22), "_", g.s(ALNUM, 59))
    add("github-pat", v, f'gh = Github("{v}")\n')
    v = _j("sk", "-proj-", g.s(URLSAFE, 100))
    add("openai", v, f'client = OpenAI(api_key="{v}")\n')
    v = _j("sk", "-", g.s(HEX, 32))
    add("deepseek", v, f"DEEPSEEK_API_KEY={v!r}\n")
    v = _j("sk", "-ant-api03-", g.s(URLSAFE, 93), "AA")
    add("anthropic", v, f'anthropic.Anthropic(api_key="{v}")\n')
    for label in ("RSA", "EC", "OPENSSH"):
        v = _private_key(g, label)
        add("private-key", v.split("\n")[3], f'KEY = """\n{v}"""\n\n\ndef sign(data):\n    ...\n')

    # --- passwords in configuration
    for scheme in ("postgres", "mysql", "mongodb+srv", "redis"):
        pw = g.password(punct="!#%^*-_=+~")
        url = f"{scheme}://app_{g.s(LOWER, 4)}:{pw}@db-{g.s(LOWER, 5)}.internal:5432/main"
        add("db-url", pw, f'DATABASE_URL = "{url}"\nDEBUG = False\n')
    pw = g.password()
    add(
        "database.yml",
        pw,
        "default: &default\n  adapter: postgresql\n  pool: 5\n\nproduction:\n  <<: *default\n"
        f"  database: app_production\n  username: app\n  password: {pw}\n",
    )
    pw = g.password()
    add(
        "database.yml",
        pw,
        f'production:\n  adapter: mysql2\n  username: root\n  password: "{pw}"\n  host: db\n',
    )
    pw = g.password()
    add(
        "application.properties",
        pw,
        "spring.datasource.url=jdbc:postgresql://db:5432/app\n"
        f"spring.datasource.username=app\nspring.datasource.password={pw}\n",
    )
    pw = g.password()
    add("application.yml", pw, f"spring:\n  datasource:\n    password: '{pw}'\n")
    pw = g.password(punct="!#%^*-_=+~")
    add(
        "wp-config.php",
        pw,
        "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\n"
        f"define( 'DB_PASSWORD', '{pw}' );\ndefine( 'DB_HOST', 'localhost' );\n",
    )
    salt = g.s(ALNUM + "!#%^*-_=+~()[]{}|;:<>,.?/", 64)
    salt = salt.replace("'", "")
    add("wp-config.php", salt, f"define('AUTH_KEY',         '{salt}');\n")
    v = g.s(B64, 86) + "=="
    add(
        "azure-connection-string",
        v,
        'AZURE_STORAGE_CONNECTION_STRING = (\n    "DefaultEndpointsProtocol=https;AccountName='
        f'acct{g.s(LOWER, 6)};AccountKey={v};EndpointSuffix=core.windows.net"\n)\n',
    )
    v = base64.b64encode(_private_key(g, "RSA").encode()).decode()
    add(
        "kubeconfig",
        v,
        "apiVersion: v1\nkind: Config\nusers:\n- name: admin\n  user:\n"
        f"    client-certificate-data: {g.s(B64, 60)}\n    client-key-data: {v}\n",
    )
    user_pass = f"{g.s(LOWER, 6)}:{g.password(punct='')}"
    v = base64.b64encode(user_pass.encode()).decode()
    add(
        "docker-config",
        v,
        json.dumps({"auths": {"registry.example.com": {"auth": v}}}, indent="\t") + "\n",
    )

    # --- generic keyword assignments
    pw = g.password()
    add("generic-password", pw, f'DB_PASSWORD = "{pw}"\n\n\ndef connect():\n    ...\n')
    pw = g.password()
    add("generic-password", pw, f"db.connect(host='db', password='{pw}')\n")
    v = g.s(ALNUM, 32)
    add("generic-secret", v, f"oauth:\n  client_id: web\n  client_secret: {v}\n")
    v = g.s(HEX, 40)
    add("generic-token", v, f"[service]\ntoken={v}\nurl=https://api.internal\n")
    v = g.s(ALNUM, 40)
    add("generic-api-key", v, f'const config = {{ api_key: "{v}", region: "eu" }};\n')
    v = g.password(30)
    add("generic-secret", v, f'{{"client_secret": "{v}", "grant_type": "client_credentials"}}\n')
    pw = g.password(punct="!#%^*-_=+~")
    add(
        "maven-settings",
        pw,
        f"<server>\n  <id>repo</id>\n  <username>ci</username>\n  <password>{pw}</password>\n"
        "</server>\n",
    )
    v = _j("django-insecure-", g.password(50, punct="!#%^*-_=+()"))
    add("django-secret-key", v, f"SECRET_KEY = '{v}'\n")
    return out


def secrets_corpus(seed: int = 0, rounds: int = 3) -> list[Sample]:
    """``rounds`` random fakes of every kind (each round draws new values)."""
    return [s for r in range(rounds) for s in _samples(_Gen(seed * 1000 + r))]


def lookalikes(seed: int = 0) -> list[str]:
    """Files that hold no secret but look like one."""
    g = _Gen(seed + 7)
    sha1 = hashlib.sha1(g.rng.randbytes(20)).hexdigest()
    sha256 = hashlib.sha256(g.rng.randbytes(20)).hexdigest()
    return [
        f'REQUEST_ID = "{uuid.UUID(int=g.rng.getrandbits(128), version=4)}"\n',
        f"id: {uuid.UUID(int=g.rng.getrandbits(128), version=4)}\n",
        f"token_id = '{uuid.UUID(int=g.rng.getrandbits(128), version=4)}'\n",
        f"commit {sha1}\nAuthor: A <a@b.c>\n",
        f'revision = "{sha1}"\n',
        f"sha256 = {sha256}\n",
        f'"checksum": "sha256:{sha256}"\n',
        f'"integrity": "sha512-{base64.b64encode(g.rng.randbytes(64)).decode()}"\n',
        f'<img src="data:image/png;base64,{base64.b64encode(g.rng.randbytes(90)).decode()}">\n',
        _j('stripe.api_key = "sk', "_test_", "x" * 24, '"\n'),
        _j("STRIPE = 'sk", "_live_", "X" * 24, "'\n"),
        _j("publishable = 'pk", "_live_", g.s(ALNUM, 24), "'\n"),
        "password: ${DB_PASSWORD}\n",
        "DATABASE_URL=postgres://${DB_USER}:${DB_PASS}@${DB_HOST}:5432/app\n",
        "DATABASE_URL = 'postgres://postgres:postgres@localhost:5432/test'\n",
        "url = 'postgres://user:password@localhost/db'\n",
        "url: mysql://<user>:<password>@<host>/<db>\n",
        'password = "changeme"\n',
        "password: <password>\n",
        'password = os.environ["DB_PASSWORD"]\n',
        "password = get_password()\n",
        "secret = settings.SECRET_KEY\n",
        'api_key = "dummy-api-key-for-tests"\n',
        'token = "example-token-0123456789"\n',
        _j("aws_access_key_id = AK", "IAIOSFODNN7", "EXAMPLE\n"),
        _j("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY", "EXAMPLE", "KEY\n"),
        'self.client.login(username="admin", password="testpass123")\n',
        'user = User.objects.create_user("bob", password="hunter2")\n',
        "PASSWORD_FIELD = 'password'\nTOKEN_HEADER = 'X-Auth-Token'\n",
        'API_KEY_ENV = "OPENAI_API_KEY"\nkey = os.getenv(API_KEY_ENV)\n',
        "def check_password(self, raw_password):\n    return check(raw_password, self.password)\n",
        'token_type = "bearer"\nrefresh_token_url = "https://auth.example.org/token"\n',
        "password: str = field(default='')\n",
        "password = hashlib.sha256(raw.encode()).hexdigest()\n",
        '"password": forms.CharField(widget=forms.PasswordInput)\n',
        "secret_file: /run/secrets/db_password\n",
        'hf_token = os.getenv("HF_TOKEN")\npath = hf_hub_download(repo, "model.bin")\n',
        _j("SLACK_TOKEN = 'xo", "xb-your-token-here'\n"),
        _j("slack_webhook: https://hooks.", "slack.com/services/XXX/YYY/ZZZ\n"),
        '{"auths": {"registry.example.com": {"auth": ""}}}\n',
        "client-key-data: REDACTED\n",
        _j("KEY_HEADER = '-----", "BEGIN PRIVATE", " KEY-----'\n"),
        "started = '12:34:56'\nratio = 123456789\n",
        "background-color: #fff; mask-image: url(x.svg);\n",
        "git@github.com:org/repo.git\nhttps://github.com/org/repo\n",
        "http://user@example.org:8080/path\n",
        'version = "4.2.17"\nname = "secret-santa"\n',
        "<password>${env.REPO_PASSWORD}</password>\n",
        'password_reset_timeout = 3600\ntoken_generator = "default_token_generator"\n',
        f'etag = W/"{g.s(HEX, 32)}"\n',
    ]
