"""Shared values for the session tests: the repository, the scripted answer, the backend.

A module of its own (not ``conftest``): several test folders have a conftest, so
``from conftest import ...`` would pick whichever loaded first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from fakeopenai import FakeOpenAI

from assistant.model import Backend, ClientOptions, Prices, RetryPolicy, Timeouts
from assistant.session import Assistant

FAST = ClientOptions(
    retry=RetryPolicy(max_retries=2, base=0.001, cap=1.0),
    timeouts=Timeouts(connect=2.0, read=5.0, read_per_mtok=0.0),
    max_continuations=2,
)

APP = 'def greet(name):\n    return "hi " + name\n\n\ndef main():\n    print(greet("world"))\n'
UTIL = "def add(a, b):\n    return a + b\n"
REPO = {"app.py": APP, "util.py": UTIL, "README.md": "# demo\n"}

RENAME = """I rename greet to welcome and make add keyword-friendly.

app.py
```python
<<<<<<< SEARCH
def greet(name):
    return "hi " + name
=======
def welcome(name):
    return "hi " + name
>>>>>>> REPLACE
```

app.py
```python
<<<<<<< SEARCH
    print(greet("world"))
=======
    print(welcome("world"))
>>>>>>> REPLACE
```

util.py
```python
<<<<<<< SEARCH
def add(a, b):
=======
def add(a: int, b: int) -> int:
>>>>>>> REPLACE
```
"""
"""A scripted answer with three hunks: app.py#1, app.py#2, util.py#1."""


def backend_for(fake: FakeOpenAI, **changes: Any) -> Backend:
    """A DeepSeek-like backend on ``fake``, counting with cl100k_base (available offline)."""
    backend = Backend(
        name="test",
        base_url=fake.base_url,
        model="fake-model",
        window=100_000,
        max_output=1_000,
        encoding="cl100k_base",
        api_key_env="TEST_MODEL_KEY",
        key_required=False,
        prices=Prices(cache_hit=0.028, cache_miss=0.14, output=0.28),
        continuation="prefix",
        prefix_base_url=fake.beta_url,
    )
    return dataclasses.replace(backend, **changes)


AssistantFactory = Callable[..., Assistant]
