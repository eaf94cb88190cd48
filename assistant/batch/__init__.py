"""Many tasks at once: ``tome batch``.

- :mod:`.tasks`: the TASKS file, read and checked (it is untrusted);
- :mod:`.prompt`: one pack per repository shared by all its tasks (the same prefix bytes);
- :mod:`.pacer`: concurrency and one rate limit for all the requests;
- :mod:`.run`: the batch: direct requests, Batch API JSONL out, its output back in;
- :mod:`.branches`: each changeset committed to ``tome/<batch>/<id>`` in a worktree of its own.

The provider's Batch API itself is the model edge's (:mod:`assistant.model.batchapi`).
"""

from __future__ import annotations

from .branches import apply_to_branch, branch_name
from .pacer import Pacer
from .prompt import Shared, shared_pack
from .run import Batch, Outcome
from .tasks import Task, TasksError, batch_id, parse_tasks, safe_id

__all__ = [
    "Batch",
    "Outcome",
    "Pacer",
    "Shared",
    "Task",
    "TasksError",
    "apply_to_branch",
    "batch_id",
    "branch_name",
    "parse_tasks",
    "safe_id",
    "shared_pack",
]
