"""Where tome keeps user state: config, cache and state directories.

``TOME_HOME`` relocates all user state (``$TOME_HOME/config``, ``$TOME_HOME/cache``,
``$TOME_HOME/state``); ``TOME_CACHE_DIR`` relocates the cache alone. Otherwise platformdirs decides.
Nothing here touches the filesystem until a function is called.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "tome"


def cache_dir() -> Path:
    """The directory for caches (token counts, secrets verdicts, skeletons)."""
    if explicit := os.environ.get("TOME_CACHE_DIR"):
        return Path(explicit).expanduser()
    if home := os.environ.get("TOME_HOME"):
        return Path(home).expanduser() / "cache"
    import platformdirs  # loaded only when no variable says where

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def config_dir() -> Path:
    """The directory for the user config file (``config.toml``) and price overrides."""
    if home := os.environ.get("TOME_HOME"):
        return Path(home).expanduser() / "config"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def state_dir() -> Path:
    """The directory for the user's own records (the trust store, the journal key): not a
    cache, never in a repository. Whatever is here, the user (not a repository) put it."""
    if home := os.environ.get("TOME_HOME"):
        return Path(home).expanduser() / "state"
    import platformdirs

    return Path(platformdirs.user_state_dir(APP, appauthor=False))
