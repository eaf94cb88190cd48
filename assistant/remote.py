"""Remote repositories for ``tome pack URL``: a shallow copy in tome's cache, kept up to date.

Anything ``git clone`` accepts names a remote (``https://``, ``ssh://``, ``git@host:path``,
``file://``, a path to a bare repository); a folder with a work tree is packed where it is.
The first pack of a URL makes ``cache_dir()/remotes/<digest of the URL>`` (``git init`` and a
fetch of depth 1), a later one fetches into it again: a branch, tag or commit (``--ref``) or
the remote's HEAD, checked out detached.

Trust: the URL and ref are the user's, but they are handed to git after ``--`` or checked
first, so neither is read as an option; the ``ext::`` transport (which runs a command) is
refused, by name and through git's ``protocol.ext.allow=never``. What is fetched is a
repository like any other: untrusted, packed with the same rules; no hook or filter of it
runs (:data:`assistant.repo.GIT_SAFETY`, and a fresh clone has no config of its own).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from . import repo
from .errors import ConfigError, PackError
from .paths import cache_dir

__all__ = ["fetch", "is_remote"]

_SCP = re.compile(r"^[A-Za-z0-9._-]+@[^/:]+:|^[A-Za-z0-9.-]+:(?!//)[^\\]")
_REFUSE = ("-c", "protocol.ext.allow=never", "-c", "protocol.fd.allow=never")
_TIMEOUT = 600


def is_remote(where: str) -> bool:
    """Whether ``where`` names a repository to fetch rather than a folder to pack."""
    path = Path(where).expanduser()
    if path.is_dir():
        return repo.work_tree_of(path) is None and (path / "HEAD").is_file()  # a bare repo
    return "://" in where or where.startswith("ext::") or bool(_SCP.match(where))


def fetch(url: str, ref: str | None = None) -> Path:
    """The work tree of ``url`` at ``ref`` (default: its HEAD), cloned or fetched again."""
    _check(url, "URL")
    if ref is not None:
        _check(ref, "--ref")
    where = Path(url).expanduser()
    source = str(where.resolve()) if where.is_dir() else url
    dest = cache_dir() / "remotes" / hashlib.sha256(source.encode()).hexdigest()[:16]
    fresh = not (dest / ".git").is_dir()
    if fresh:
        shutil.rmtree(dest, ignore_errors=True)  # a copy a failed first fetch left
        dest.mkdir(parents=True)
        _git(dest, url, "init", "-q")
    _git(dest, url, *_REFUSE, "fetch", "-q", "--depth", "1", "--no-tags", "--", source,
         ref or "HEAD")  # fmt: skip
    _git(dest, url, "checkout", "-q", "--force", "--detach", "FETCH_HEAD")
    _git(dest, url, "clean", "-q", "-d", "-f", "-x")  # nothing left of an earlier ref
    return dest


def _check(value: str, what: str) -> None:
    if not value or value.startswith("-") or any(c in value for c in "\0\n\r"):
        raise ConfigError(
            f"{what} {value!r} cannot be passed to git: it may not be empty, start with '-' "
            "or hold a line break"
        )
    if value.lower().startswith(("ext::", "fd::")):
        raise ConfigError(
            f"{what} {value!r} uses the {value.split('::')[0]}:: transport, which runs a "
            "command; tome does not fetch through it (give an https://, ssh:// or file:// URL)"
        )


def _git(dest: Path, url: str, *args: str) -> None:
    done = repo.run(args, dest, timeout=_TIMEOUT, env={"GIT_TERMINAL_PROMPT": "0"})
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        said = [line for line in lines if line.startswith("fatal:")] or lines
        step = next(a for a in args if not a.startswith("-") and "=" not in a)
        raise PackError(
            f"cannot fetch {url}: git {step} failed: {said[0] if said else 'no message'}"
        )
