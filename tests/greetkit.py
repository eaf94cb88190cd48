"""The one-function repository and the one-hunk answer the headless and MCP tests share:
``app.py`` with ``greet``, and a SEARCH/REPLACE block that renames it to ``welcome``."""

from __future__ import annotations

APP = 'def greet(name):\n    return "hi " + name\n'


def rename(path: str = "app.py", lead: str = "Renamed.\n\n") -> str:
    """A SEARCH/REPLACE block of ``path`` that renames ``greet`` to ``welcome``, after
    ``lead`` (the answer's prose). The headless, MCP, batch, TUI and security tests use it."""
    return f"{lead}{path}\n```python\n<<<<<<< SEARCH\ndef greet(name):\n=======\ndef welcome(name):\n>>>>>>> REPLACE\n```\n"


RENAME = rename()
MISSING = RENAME.replace("def greet(name):\n=======", "def nowhere(x):\n=======")
"""The same block with a SEARCH text that is nowhere in ``app.py``: the hunk fails."""
