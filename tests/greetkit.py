"""The one-function repository and the one-hunk answer the headless and MCP tests share:
``app.py`` with ``greet``, and a SEARCH/REPLACE block that renames it to ``welcome``."""

from __future__ import annotations

APP = 'def greet(name):\n    return "hi " + name\n'
RENAME = """Renamed.

app.py
```python
<<<<<<< SEARCH
def greet(name):
=======
def welcome(name):
>>>>>>> REPLACE
```
"""
MISSING = RENAME.replace("def greet(name):\n=======", "def nowhere(x):\n=======")
"""The same block with a SEARCH text that is nowhere in ``app.py``: the hunk fails."""
