"""Count the tokens of a rendered pack exactly, without encoding the files again.

The total of a concatenation is the sum of its parts' counts when every boundary between
parts is also a boundary of the encoding's pre-tokenizer. The renderer arranges that: each
file's text follows a line that ends in a newline and is followed by a line that starts with
``<`` or a backtick fence. Two cases break it, and only those are measured here:

* text that starts with whitespace (a leading blank line joins the newline before it);
* text that does not end with a newline (the renderer adds one, which joins the last line).

For such a boundary the correction is ``count(left + right) - count(left) - count(right)``
over a window of whole lines on each side: pre-tokens never span the non-blank line that
bounds a window, so what the window cuts off cancels out. ``tests/pack`` checks the result
against encoding the whole output, for every encoding, on adversarial files.

The literal parts and the corrections depend only on the literal text and the content keys,
so their total is cached under a digest of both; a warm pack needs no encoder at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from ..cache import VERSIONS, Cache, namespace
from .render import Content, Part

CountBatch = Callable[[Sequence[str]], list[int]]

_VERSION = VERSIONS["tally"]
_WINDOW_CAP = 4096


def _head(text: str) -> str:
    """From the start through the end of the first line that holds a non-blank character."""
    stripped = len(text) - len(text.lstrip())
    end = text.find("\n", stripped)
    end = len(text) if end < 0 else end + 1
    return text[: min(end, max(_WINDOW_CAP, stripped + 1))]


def _tail(text: str) -> str:
    """From the start of the last line that holds a non-blank character to the end."""
    body = text.rstrip()
    start = body.rfind("\n") + 1
    start = max(start, len(body) - _WINDOW_CAP)
    return text[start:]


def normalise(parts: Sequence[Part]) -> list[Part]:
    """Fold blank contents into the literals and merge adjacent literals, so literals never touch."""
    out: list[Part] = []
    for part in parts:
        if isinstance(part, Content) and part.is_blank():
            part = part.text  # blank text: counted with the literals around it
        if isinstance(part, str) and out and isinstance(out[-1], str):
            out[-1] = out[-1] + part
        elif isinstance(part, str) and not part:
            continue
        else:
            out.append(part)
    return out


def overhead_key(parts: Sequence[Part], encoding: str) -> str:
    digest = hashlib.sha1(f"tally/{_VERSION}/{encoding}".encode())
    for part in parts:
        if isinstance(part, str):
            digest.update(b"\x00L")
            digest.update(part.encode("utf-8", "surrogatepass"))
        else:
            digest.update(b"\x00C")
            digest.update(part.key.encode())
    return digest.hexdigest()


def overhead(parts: Sequence[Part], count_batch: CountBatch) -> int:
    """Tokens of all literal parts plus the boundary corrections (``parts`` normalised)."""
    literals = [p for p in parts if isinstance(p, str)]
    probes: list[tuple[str, str]] = []  # (left window, right window) pairs to correct
    for i, part in enumerate(parts):
        if not isinstance(part, Content):
            continue
        before = parts[i - 1] if i > 0 else None
        after = parts[i + 1] if i + 1 < len(parts) else None
        if isinstance(before, str) and part.starts_with_space():
            probes.append((_tail(before) if before.strip() else before, _head(part.text)))
        if isinstance(after, str) and part.needs_newline():
            probes.append((_tail(part.text), _head(after)))
    texts = literals + [a + b for a, b in probes] + [a for a, _ in probes] + [b for _, b in probes]
    counts = count_batch(texts) if texts else []
    n, m = len(literals), len(probes)
    total = sum(counts[:n])
    for j in range(m):
        total += counts[n + j] - counts[n + m + j] - counts[n + 2 * m + j]
    return total


def tally(
    parts: Sequence[Part],
    *,
    encoding: str,
    count_batch: CountBatch,
    cache: Cache | None = None,
) -> int:
    """Exact token count of ``"".join(parts)`` from the contents' known counts."""
    parts = normalise(parts)
    content_tokens = sum(p.tokens for p in parts if isinstance(p, Content))
    ns = namespace("tally")
    key = overhead_key(parts, encoding)
    if cache is not None:
        hit = cache.get(ns, key)
        if isinstance(hit, int):
            return content_tokens + hit
    extra = overhead(parts, count_batch)
    if cache is not None:
        cache.put(ns, key, extra)
    return content_tokens + extra
