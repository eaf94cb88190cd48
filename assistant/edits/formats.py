"""What we ask models for: the edit-format instructions that go into the system prompt.

An edit format is data (a name and the instructions) plus the one parser that reads every
format back (``parse.EditParser``), so a model that answers in another format still works.
The default per backend is a format with no line numbers to get wrong: SEARCH/REPLACE for
most models, ``*** Begin Patch`` for models trained on it (OpenAI's GPT-4.1/GPT-5 family).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..errors import ConfigError

FormatName = Literal["search-replace", "patch", "udiff", "whole"]


@dataclass(frozen=True)
class EditFormat:
    name: FormatName
    instructions: str
    """Text for the system prompt: how to write edits in this format."""


_COMMON = """\
Only edit files you were shown in full. Paths are relative to the repository root.
Copy the lines you change, and a few unchanged lines around them, exactly as they are
in the file, including indentation. Every edit must match exactly one place in its file:
if the lines occur more than once, include more surrounding lines."""

SEARCH_REPLACE = EditFormat(
    "search-replace",
    f"""\
Answer with SEARCH/REPLACE blocks. For each change, write the file path alone on a line,
then a fenced block:

path/to/file.py
```python
<<<<<<< SEARCH
lines copied exactly from the file
=======
the lines that replace them
>>>>>>> REPLACE
```

{_COMMON}
Keep each SEARCH section short: the lines to change and two or three lines around them.
Use several blocks for several changes; each block is applied independently.
To create a file, give its path and a block with an empty SEARCH section.
To delete code, leave the REPLACE section empty.
A line holding only `...` in both SEARCH and REPLACE, at the same place, stands for
unchanged lines you leave out.""",
)

PATCH = EditFormat(
    "patch",
    f"""\
Answer with one patch in this format:

*** Begin Patch
*** Update File: path/to/file.py
@@ def enclosing_function():
 an unchanged line (a leading space)
-a removed line
+an added line
 an unchanged line
*** Add File: path/to/new_file.py
+every line of the new file, each prefixed with +
*** Delete File: path/to/old_file.py
*** End Patch

{_COMMON}
Give three unchanged lines before and after each change. When that is not unique, add
`@@` lines naming the class or function the change is in. Hunks of a file go in file
order. To rename a file, add `*** Move to: new/path.py` right after its Update line.
Use `*** End of File` after a hunk that ends at the end of the file. No line numbers.""",
)

UDIFF = EditFormat(
    "udiff",
    f"""\
Answer with a unified diff, like `git diff` prints, in a ```diff fence:

```diff
--- a/path/to/file.py
+++ b/path/to/file.py
@@ -12,7 +12,8 @@
 unchanged line
-removed line
+added line
```

{_COMMON}
Use `--- /dev/null` for a new file and `+++ /dev/null` for a deleted one. Line numbers
are only hints; the unchanged lines are what places each hunk.""",
)

WHOLE = EditFormat(
    "whole",
    """\
Answer with the complete new content of each file you change: the file path alone on a
line, then a fenced block with the whole file. Never leave anything out or write
"rest unchanged": everything not in the block is deleted.""",
)

EDIT_FORMATS: dict[str, EditFormat] = {f.name: f for f in (SEARCH_REPLACE, PATCH, UDIFF, WHOLE)}

_PATCH_MODELS = ("gpt-4.1", "gpt-5", "o3", "o4", "codex")


def default_format(model: str) -> EditFormat:
    """The format to ask ``model`` for: ``*** Begin Patch`` for OpenAI's patch-trained models,
    SEARCH/REPLACE for everything else (DeepSeek included)."""
    name = model.lower().rsplit("/", 1)[-1]
    if name.startswith(_PATCH_MODELS):
        return PATCH
    return SEARCH_REPLACE


def instructions(name: str) -> str:
    """The system-prompt text for the format called ``name``."""
    try:
        return EDIT_FORMATS[name].instructions
    except KeyError:
        valid = ", ".join(sorted(EDIT_FORMATS))
        raise ConfigError(f"unknown edit format {name!r}; choose one of: {valid}") from None
