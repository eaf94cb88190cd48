"""Shared values for the session tests: the repository, the scripted answer, the backend.

A module of its own (not ``conftest``): several test folders have a conftest, so
``from conftest import ...`` would pick whichever loaded first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import modelkit
from fakeopenai import FakeOpenAI

from assistant.model import Backend, ClientOptions, RetryPolicy, Timeouts
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
    """The shared test backend, counting with cl100k_base (available offline)."""
    return modelkit.backend_for(fake, **{"encoding": "cl100k_base", **changes})


AssistantFactory = Callable[..., Assistant]
