"""One pack for every task of a repository: the shared prefix, then each task's own part.

The repository is packed once (:func:`shared_pack`), without a task, so its text is the
same bytes for every task. A task's request (:meth:`Shared.plan`) is the system message,
that pack, then what is the task's own: the files it needs that the shared pack could not
hold whole (its ``paths``, else the files ranked for its text), packed alone in a second,
small pack, then the task. A prefix cache (a provider's, vLLM's, SGLang's) so sees the same
prefix in every request; :attr:`Shared.prefix_tokens` is its size.

When the repository fits the budget whole, the shared pack has every file and a task adds
only its text. When it does not, the shared pack leaves :data:`TASK_SHARE` of the budget to
the tasks' own files.

Memory: a task's user message is the shared text and two short strings, joined only when
the request is sent (:meth:`Shared.messages`), so the prompts of waiting tasks are not held.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..packing import Pack, PackedFile, PackOptions, pack, rank_files
from ..packing.render import task_section
from ..tokens import count

if TYPE_CHECKING:
    from ..model import Message
    from ..session import Assistant, Plan
    from .tasks import Task

__all__ = ["TASK_SHARE", "Shared", "shared_pack"]

TASK_SHARE = 8
"""When the repository does not fit whole: 1/8 of the budget is left for each task's files."""
RANKED = 12  # files ranked for a task's text that may join its own part


@dataclass
class Shared:
    """The shared pack of one repository and how to make each task's request from it."""

    assistant: Assistant
    pack: Pack
    system: str
    whole: bool
    """Every file is whole in the shared pack: a task adds only its text."""
    task_budget: int
    prefix_tokens: int
    """Tokens every request of this repository starts with: system message and pack."""

    @property
    def text(self) -> str:
        return self.pack.text

    @functools.cached_property
    def affinity_key(self) -> str:
        """The same for every request that starts with this prefix (a router's key)."""
        h = hashlib.sha256(self.system.encode())
        h.update(b"\0")
        h.update(self.pack.text.encode())
        return "tome-" + h.hexdigest()[:24]

    def own_part(self, task: Task) -> tuple[str, list[PackedFile]]:
        """The task's own files (text and manifest rows), "" when the shared pack has them."""
        if self.whole:
            return "", []
        a = self.assistant
        scope = a.scope
        full = {f.path for f in self.pack.files if f.tier == "full"}
        wanted = [f"{scope}/{p}" if scope else p for p in task.paths]
        if not wanted:
            ranked = rank_files(a.root / scope if scope else a.root, task.task, limit=RANKED,
                                cache=a.cache)  # fmt: skip
            wanted = [f"{scope}/{p}" if scope else p for p, _ in ranked]
        missing = [p for p in wanted if p not in full]
        if not missing:
            return "", []
        include = tuple(p[len(scope) + 1 :] if scope else p for p in missing)
        own = pack(
            a.root, scope=scope, budget=self.task_budget, encoding=a.backend.encoding,
            format=a.format, options=PackOptions(include=include), cache=a.cache,
        )  # fmt: skip
        return own.text, [f for f in own.files if f.tier != "omitted"]

    def plan(self, task: Task) -> Plan:
        """The task's request, priced; nothing is sent. Its user message is joined here:
        make a plan just before it is sent (or written) and let it go after."""
        from ..model import estimate
        from ..session import Plan

        a = self.assistant
        own, files = self.own_part(task)
        closing = own + task_section(task.task, a.format)
        by_path = {f.path: f for f in self.pack.files}
        by_path.update({f.path: f for f in files})
        packed = dataclasses.replace(
            self.pack,
            parts=(*self.pack.parts, closing),
            files=sorted(by_path.values(), key=lambda f: f.path),
            task=task.task,
            tokens=self.pack.tokens + count(closing, a.backend.encoding),
        )
        prompt = self.prefix_tokens + (packed.tokens - self.pack.tokens)
        reserve = a.reserve
        prices = a.backend.prices
        est = estimate(prompt, reserve, prices, reasoning=a.reasoning_level) if prices else None
        paths = tuple(f.path for f in files) or None
        messages: tuple[Message, ...] = (
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.pack.text + closing},
        )
        return Plan(packed, messages, est, a.backend, prompt, reserve, a.edit_format, paths)


def shared_pack(assistant: Assistant, *, budget: int | None = None) -> Shared:
    """Pack the repository of ``assistant`` once for all its tasks (see the module)."""
    from ..session import system_prompt

    a = assistant
    limit = budget or max(1, a.backend.window - a.reserve - a.prompt_overhead)
    options = PackOptions(instruction_files=tuple(a.settings.instruction_files))

    def packed(at: int) -> Pack:
        return pack(a.root, scope=a.scope, budget=at, encoding=a.backend.encoding,
                    format=a.format, options=options, cache=a.cache)  # fmt: skip

    first = packed(limit)
    whole = first.tiers["full"] == len(first.files)
    task_budget = 0 if whole else max(1, limit // TASK_SHARE)
    shared = first if whole else packed(limit - task_budget)
    system = system_prompt(a.edit_format, shared.instructions_text)
    overhead = a._overhead(a.edit_format, shared.instructions_text)
    return Shared(a, shared, system, whole, task_budget, shared.tokens + overhead)


def prefix_of(texts: Sequence[str]) -> int:
    """Characters all ``texts`` share from the start (for reports and the benchmark)."""
    if not texts:
        return 0
    first = min(texts)
    last = max(texts)
    n = 0
    for x, y in zip(first, last, strict=False):
        if x != y:
            break
        n += 1
    return n
