"""Which encoding counts for a name, in this process: resolved once, offline, thread-safe.

``deepseek-v4`` comes from :mod:`.deepseek`; ``o200k_base`` and ``cl100k_base`` from
:mod:`.openai_files`. A name whose file is not on this machine is counted with the next
encoding that is (``o200k_base`` -> ``cl100k_base`` -> ``deepseek-v4``), saying so with one
:class:`~assistant.errors.EncodingFallbackWarning` the first time on this machine (a marker
in the user cache dir; :attr:`EncodingInfo.fallback` says it every time). Encodings are built once per process
and shared by every thread.
"""

from __future__ import annotations

import functools
import threading
import warnings
from typing import TYPE_CHECKING

from ..errors import ConfigError, EncodingFallbackWarning
from . import deepseek, openai_files
from .ranks import EncodingInfo, Loaded

if TYPE_CHECKING:
    import tiktoken

ENCODINGS: tuple[str, ...] = ("deepseek-v4", "o200k_base", "cl100k_base")

# What to count with when an encoding is not available offline, best first.
_FALLBACKS: dict[str, tuple[str, ...]] = {
    "deepseek-v4": (),
    "o200k_base": ("cl100k_base", "deepseek-v4"),
    "cl100k_base": ("deepseek-v4",),
}

_lock = threading.Lock()
_resolved: dict[str, Loaded] = {}  # requested name -> what counts for it
_built: dict[str, Loaded | None] = {}  # real encoding name -> built, or None if unavailable


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding for ``name``, built once per process (thread-safe).

    Never touches the network. If ``name`` is not available offline, returns the encoding
    that counts in its place and warns once (:class:`EncodingFallbackWarning`).
    """
    return resolve(name).encoding


def encoding_info(name: str) -> EncodingInfo:
    """Which encoding counts for ``name`` and where it came from (resolving it if needed)."""
    return resolve(name).info


def resolve(name: str) -> Loaded:
    loaded = _resolved.get(name)
    if loaded is not None:
        return loaded
    if name not in _FALLBACKS:
        raise ConfigError(f"unknown encoding {name!r}; choose one of: {', '.join(ENCODINGS)}")
    with _lock:
        loaded = _resolved.get(name)
        if loaded is None:
            loaded = _choose(name)
            _resolved[name] = loaded
    return loaded


def _choose(name: str) -> Loaded:
    for candidate in (name, *_FALLBACKS[name]):
        built = _build(candidate)
        if built is None:
            continue
        info = EncodingInfo(name, built.info.name, built.info.id, built.info.source)
        if candidate != name and _first_time(name, candidate):
            warnings.warn(_fallback_message(name, candidate), EncodingFallbackWarning, 4)
        # build the real encoding only when the fallback is really used to count
        return Loaded(info, functools.partial(getattr, built, "encoding"))
    raise AssertionError("deepseek-v4 is last in every fallback chain and never None")


def _first_time(name: str, used: str) -> bool:
    """Whether this machine has not yet said that ``used`` counts for ``name``: a marker in
    the user cache dir (:func:`assistant.paths.cache_dir`) makes the warning once per
    machine, not once per command. A marker that cannot be written warns every time."""
    from ..paths import cache_dir

    marker = cache_dir() / "notices" / f"encoding-fallback-{name}-{used}"
    try:
        if marker.exists():
            return False
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass
    return True


def _fallback_message(name: str, used: str) -> str:
    spec = openai_files.OPENAI[name]
    where = openai_files.tiktoken_cache_dir()
    cache = f"{where}/{spec.cache_key}" if where else "(tiktoken's cache is disabled)"
    return (
        f"encoding {name!r} is not available offline, so tome counts with {used!r} instead "
        f"(counts differ by a few percent). To get {name!r}, run once with network access: "
        f"python3 -c \"import tiktoken; tiktoken.get_encoding('{name}')\" "
        f"with TIKTOKEN_CACHE_DIR set to a lasting directory (tiktoken saves it as {cache})."
    )


def _build(name: str) -> Loaded | None:
    """Build a real encoding (no fallback), once; None if its source is not on this machine."""
    if name not in _built:
        _built[name] = deepseek.build() if name == "deepseek-v4" else openai_files.build(name)
    return _built[name]


def clear() -> None:
    """Forget every built encoding (tests change the environment between resolutions)."""
    with _lock:
        _resolved.clear()
        _built.clear()
