"""A batch: its tasks grouped by repository, each task a session, sent or queued.

:class:`Batch` holds the checked tasks (:mod:`.tasks`) and, per repository, an assistant
and the shared pack (:mod:`.prompt`). Three ways to run it:

- :meth:`Batch.run_direct`: requests to the backend, ``concurrency`` at once on threads,
  paced together (:mod:`.pacer`). Each task is a session (``tome review --session ID``)
  tagged with the batch and the task id. A task already answered in an earlier run of the
  same batch is not sent again (resume); setting ``cancel`` (Ctrl-C) stops the requests in
  flight (their sessions end ``cancelled``) and keeps every finished one.
- :meth:`Batch.queue`: each task's request as a line of Batch API JSONL (``custom_id`` =
  the task id), written to a file, and a session per task waiting (``queued``) for its
  answer; :meth:`Batch.import_lines` turns the output lines (OpenAI's or ``vllm run-batch``'s)
  into those sessions' answers, priced at the backend's batch rate.

Nothing is applied to the working tree here; :mod:`.branches` commits changesets to
branches of their own.
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import AssistantError, ConfigError
from ..history import History
from .pacer import Pacer
from .prompt import Shared, shared_pack
from .tasks import Task

if TYPE_CHECKING:
    from ..model import Backend, Client, ClientOptions, Usage
    from ..session import Assistant, Plan

__all__ = ["DONE", "Batch", "Outcome"]

DONE = ("answered", "truncated")
"""Stored statuses of a task that needs no new request when the batch runs again."""
ENDPOINT = "/v1/chat/completions"


@dataclass
class Outcome:
    """What became of one task in this run."""

    task: Task
    status: str
    """``answered``, ``truncated``, ``cancelled``, ``failed``, ``queued``; ``resumed`` for a
    task answered by an earlier run (not sent again)."""
    session_id: int | None = None
    usage: Usage | None = None
    cost: float | None = None
    error: str | None = None
    edits: int = 0
    problems: int = 0
    branch: str | None = None

    def as_json(self) -> dict[str, Any]:
        u = self.usage
        usage = None if u is None else {
            "prompt_tokens": u.prompt_tokens, "completion_tokens": u.completion_tokens,
            "cache_hit_tokens": u.cache_hit_tokens, "cache_miss_tokens": u.cache_miss_tokens,
        }  # fmt: skip
        out: dict[str, Any] = {
            "id": self.task.id, "session_id": self.session_id, "status": self.status,
            "usage": usage, "cost": self.cost, "edits": self.edits,
        }  # fmt: skip
        if self.error:
            out["error"] = self.error
        if self.branch:
            out["branch"] = self.branch
        return out


class _Tagged(History):
    """The repository's history, every session begun through it tagged with a batch task."""

    def __init__(self, history: History, batch: str, task: str) -> None:
        super().__init__(history.root, store=history.store)
        self._batch, self._task = batch, task

    def begin(self, **row: Any) -> int:
        session_id = super().begin(**row)
        self.store.tag_batch(session_id, self._batch, self._task)
        return session_id


@dataclass
class _Group:
    """The tasks of one repository folder, with its assistant and (once made) shared pack."""

    assistant: Assistant
    tasks: list[Task]
    shared: Shared | None = None


@dataclass
class Batch:
    """The tasks of one batch and, per repository folder, the assistant that runs them."""

    id: str
    tasks: list[Task]
    base: Path
    groups: list[_Group] = field(default_factory=list)
    pack_seconds: float = 0.0

    @classmethod
    def open(
        cls, batch_id: str, tasks: Sequence[Task], base: Path,
        opener: Callable[[Path], Assistant],
    ) -> Batch:  # fmt: skip
        """The batch of ``tasks`` (read below ``base``); ``opener(folder)`` gives the
        assistant of a folder."""
        by_folder: dict[Path, list[Task]] = {}
        for t in tasks:
            by_folder.setdefault(t.repo, []).append(t)
        groups = [_Group(opener(folder), ts) for folder, ts in by_folder.items()]
        return cls(batch_id, list(tasks), base.resolve(), groups)

    @property
    def backend(self) -> Backend:
        return self.groups[0].assistant.backend

    def pack(self) -> list[Shared]:
        """Pack every repository once (timed in :attr:`pack_seconds`)."""
        import time

        started = time.perf_counter()
        for g in self.groups:
            if g.shared is None:
                g.shared = shared_pack(g.assistant)
        self.pack_seconds += time.perf_counter() - started
        return [g.shared for g in self.groups if g.shared is not None]

    def save(self, via: str, *, remote: str | None = None) -> None:
        """Record the batch (its tasks as checked) in every repository's history."""
        tasks = json.dumps({
            "base": str(self.base),
            "tasks": [{**t.as_json(), "digest": t.digest} for t in self.tasks],
        })  # fmt: skip
        for g in self.groups:
            g.assistant.store.save_batch(
                self.id, via=via, backend=g.assistant.backend.name, tasks=tasks, remote=remote
            )

    # -- resume --

    def finished(self) -> dict[str, Outcome]:
        """Tasks answered by an earlier run of this batch (by task id): not sent again."""
        done: dict[str, Outcome] = {}
        for g in self.groups:
            mine = {t.id: t for t in g.tasks}
            stored = g.assistant.store.batch(self.id)
            digests = _digests(stored)
            for row in g.assistant.store.batch_sessions(self.id):
                task = mine.get(row["batch_task"])
                if task is None or row["status"] not in DONE:
                    continue
                if digests.get(task.id, task.digest) != task.digest:
                    continue  # the same id asks something else now: send it again
                done[task.id] = Outcome(task, "resumed", row["id"], _usage(row), row["cost"])
        return done

    def queued(self) -> dict[str, tuple[_Group, Task, int]]:
        """Tasks waiting for an answer from an offline run (by task id): group, task, session."""
        waiting: dict[str, tuple[_Group, Task, int]] = {}
        for g in self.groups:
            mine = {t.id: t for t in g.tasks}
            for row in g.assistant.store.batch_sessions(self.id):
                task = mine.get(row["batch_task"])
                if task is not None and row["status"] == "queued":
                    waiting[task.id] = (g, task, row["id"])
        return waiting

    # -- direct --

    def run_direct(
        self,
        *,
        concurrency: int,
        cancel: threading.Event,
        on_done: Callable[[Outcome], None] = lambda o: None,
        pacer: Pacer | None = None,
    ) -> list[Outcome]:
        """Send every task not finished before, ``concurrency`` at once; the outcome of each
        task (in the order of the tasks). ``on_done`` is called as each one ends."""
        shared = {id(g): s for g, s in zip(self.groups, self.pack(), strict=True)}
        done = self.finished()
        for outcome in done.values():
            on_done(outcome)
        work: queue.SimpleQueue[tuple[_Group, Task] | None] = queue.SimpleQueue()
        todo = [(g, t) for g in self.groups for t in g.tasks if t.id not in done]
        for item in todo:
            work.put(item)
        pacer = pacer or Pacer(concurrency)
        results: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        workers = [
            threading.Thread(
                target=self._worker,
                args=(work, results, shared, pacer, cancel),
                name=f"tome-batch-{n}",
                daemon=True,
            )
            for n in range(min(concurrency, len(todo)))
        ]
        for _ in workers:
            work.put(None)
        for w in workers:
            w.start()
        ended: dict[str, Outcome] = dict(done)
        try:
            while len(ended) < len(self.tasks):
                outcome = results.get()
                ended[outcome.task.id] = outcome
                on_done(outcome)
        finally:
            cancel.set()  # on Ctrl-C: the requests in flight stop after their next piece
            for w in workers:
                w.join()
            while not results.empty():
                outcome = results.get()
                ended.setdefault(outcome.task.id, outcome)
        return [ended[t.id] for t in self.tasks if t.id in ended]

    def _worker(
        self,
        work: queue.SimpleQueue[tuple[_Group, Task] | None],
        results: queue.SimpleQueue[Outcome],
        shared: Mapping[int, Shared],
        pacer: Pacer,
        cancel: threading.Event,
    ) -> None:
        clients: dict[int, Client] = {}
        try:
            while (item := work.get()) is not None:
                group, task = item
                if cancel.is_set():
                    results.put(Outcome(task, "cancelled", error="interrupted before sending"))
                    continue
                s = shared[id(group)]
                client = clients.get(id(group))
                if client is None:
                    client = clients[id(group)] = _client(s, pacer)
                results.put(self._send(group, s, task, client, pacer, cancel))
        finally:
            for c in clients.values():
                c.close()

    def _send(
        self, group: _Group, s: Shared, task: Task, client: Client, pacer: Pacer,
        cancel: threading.Event,
    ) -> Outcome:  # fmt: skip
        from ..session import Finished

        assistant = _tagged(group.assistant, self.id, task.id, client)
        try:
            with pacer.slot():
                if cancel.is_set():
                    return Outcome(task, "cancelled", error="interrupted before sending")
                plan = s.plan(task)
                result = None
                for event in assistant.send(plan, cancel=cancel, max_rounds=0):
                    if isinstance(event, Finished):
                        result = event.result
                del plan
        except AssistantError as exc:
            return Outcome(task, "failed", _last_session(group, self.id, task), error=str(exc))
        if result is None:  # pragma: no cover - send always ends with Finished
            return Outcome(task, "failed", error="no answer")
        pacer.succeeded()
        status = (
            "cancelled" if result.cancelled else "truncated" if result.truncated else "answered"
        )
        return Outcome(
            task, status, result.session_id, result.usage, result.cost,
            edits=len(result.changeset), problems=len(result.problems),
        )  # fmt: skip

    # -- offline: Batch API JSONL --

    def queue(self, out: IO[str]) -> list[Outcome]:
        """Write each task's request as Batch API JSONL to ``out`` (one line a task,
        ``custom_id`` = its id) and record its session, ``queued`` for the answer. Tasks
        answered before (resume) are left out."""
        from ..model import affinity_fields

        shared = self.pack()
        done = self.finished()
        outcomes: list[Outcome] = list(done.values())
        for g, s in zip(self.groups, shared, strict=True):
            _, fields = affinity_fields(s.assistant.backend, s.affinity_key)  # no headers in JSONL
            for task in g.tasks:
                if task.id in done:
                    continue
                plan = s.plan(task)
                line = _line(f"{self.id}:{task.id}", plan, fields)
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
                tagged = _tagged(g.assistant, self.id, task.id, None)
                sid = tagged.sessions.begin(
                    task=task.task, backend=plan.backend.name, model=plan.backend.model,
                    manifest=plan.manifest, paths=plan.paths, edit_format=plan.edit_format,
                )  # fmt: skip
                g.assistant.store.mark(sid, "queued")
                outcomes.append(Outcome(task, "queued", sid))
                del plan
        return outcomes

    def import_lines(self, lines: Iterable[str], *, batch_rate: bool) -> list[Outcome]:
        """Record the answers in ``lines`` (Batch API output JSONL: OpenAI's or ``vllm
        run-batch``'s) as the answers of the queued sessions, matched by ``custom_id``.
        A line for no queued task, or an id twice, is reported, never recorded twice."""
        waiting = self.queued()
        shared = {id(g): s for g, s in zip(self.groups, self.pack(), strict=True)}
        outcomes: list[Outcome] = []
        for number, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                custom_id, reply, error = _parse_output(raw, self.backend, batch_rate=batch_rate)
            except ValueError as exc:
                raise ConfigError(f"batch output line {number}: {exc}") from None
            batch, _, ident = custom_id.partition(":")
            if batch != self.id or ident not in waiting:
                continue  # answered already, or not a task of this batch: nothing to record
            group, task, sid = waiting.pop(ident)
            if reply is None:
                group.assistant.store.fail(sid, status="failed", error=error)
                outcomes.append(Outcome(task, "failed", sid, error=error))
                continue
            outcomes.append(_record(group, shared[id(group)], task, sid, reply))
        for _group, task, sid in waiting.values():
            outcomes.append(Outcome(task, "queued", sid, error="no answer in the output yet"))
        return outcomes


def _digests(stored: Mapping[str, Any] | None) -> dict[str, str]:
    if not stored:
        return {}
    try:
        return {t["id"]: t.get("digest", "") for t in json.loads(stored["tasks"])["tasks"]}
    except (ValueError, TypeError, KeyError):
        return {}


def _usage(row: Mapping[str, Any]) -> Usage | None:
    from ..model import Usage

    if row.get("prompt_tokens") is None:
        return None
    return Usage(prompt_tokens=row["prompt_tokens"], completion_tokens=row["completion_tokens"],
                 cache_hit_tokens=row["cache_hit_tokens"],
                 cache_miss_tokens=row["prompt_tokens"] - row["cache_hit_tokens"])  # fmt: skip


def _client(s: Shared, pacer: Pacer) -> Client:
    """A client of the group's backend that sends the prefix's affinity key and waits
    through the shared pacer."""
    import dataclasses

    from ..model import Client

    options: ClientOptions = dataclasses.replace(s.assistant.options, affinity_key=s.affinity_key)
    return Client(s.assistant.backend, options=options, sleep=pacer.pause)


def _tagged(a: Assistant, batch: str, task: str, client: Client | None) -> Assistant:
    from ..session import Assistant

    return Assistant(
        a.root, settings=a.settings, backend=a.backend, options=a.options,
        sessions=_Tagged(a.sessions, batch, task), edit_format=a.edit_format, scope=a.scope,
        cache=a.cache, client=client, format=a.format,
    )  # fmt: skip


def _last_session(group: _Group, batch: str, task: Task) -> int | None:
    rows = [r for r in group.assistant.store.batch_sessions(batch) if r["batch_task"] == task.id]
    return rows[-1]["id"] if rows else None


def _line(custom_id: str, plan: Plan, fields: Mapping[str, str]) -> dict[str, Any]:
    """One request of Batch API JSONL: the body ``tome ask`` would send, not streamed."""
    from ..model import reasoning_params

    b = plan.backend
    body: dict[str, Any] = {
        "model": b.model,
        "messages": [dict(m) for m in plan.messages],
        b.max_tokens_param: plan.max_output,
        **reasoning_params(b, None),
        **fields,
    }
    return {"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body}


def _parse_output(raw: str, backend: Backend, *, batch_rate: bool) -> tuple[str, Any, str | None]:
    """``(custom_id, reply or None, error)`` of one output line. OpenAI writes
    ``{"custom_id", "response": {"status_code", "body"}, "error"}``; ``vllm run-batch``
    writes the same (older versions put the completion in ``response`` itself)."""
    from ..model import Reply, cost, usage_from_api

    try:
        data = json.loads(raw)
    except ValueError:
        raise ValueError("not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("custom_id"), str):
        raise ValueError("not a batch output object (no custom_id)")
    custom_id = data["custom_id"]
    if data.get("error"):
        err = data["error"]
        message = err.get("message") if isinstance(err, dict) else str(err)
        return custom_id, None, f"the batch refused this request: {str(message)[:300]}"
    response = data.get("response")
    if not isinstance(response, dict):
        return custom_id, None, "the output has no response for this request"
    status = response.get("status_code", 200)
    body = response.get("body", response if "choices" in response else None)
    if status != 200 or not isinstance(body, dict):
        said = body.get("error", {}).get("message") if isinstance(body, dict) else None
        return custom_id, None, f"the request failed with status {status}: {str(said)[:300]}"
    choices = body.get("choices") or []
    first = choices[0] if choices and isinstance(choices[0], dict) else {}
    message = first.get("message") or {}
    text = message.get("content") if isinstance(message, dict) else None
    if not isinstance(text, str):
        return custom_id, None, "the response has no message text"
    raw_usage = body.get("usage")
    usage = usage_from_api(raw_usage if isinstance(raw_usage, dict) else {})
    finish = first.get("finish_reason")
    prices = backend.prices
    price = None
    if prices is not None:
        factor = (backend.batch_price or 1.0) if batch_rate else 1.0
        price = cost(usage, prices) * factor
    reply = Reply(text=text, usage=usage, finish_reason=finish if isinstance(finish, str) else None,
                  truncated=finish == "length", continuations=0, retries=0, cost=price)  # fmt: skip
    return custom_id, reply, None


def _record(group: _Group, s: Shared, task: Task, session_id: int, reply: Any) -> Outcome:
    """Record ``reply`` as the answer of the queued session, parsed for edits as a
    streamed answer is (the same checks as ``tome ask``)."""
    from ..edits import EditParser

    a = _tagged(group.assistant, "", task.id, None)
    plan = s.plan(task)
    parser = EditParser()
    edits = [*parser.feed(reply.text), *parser.close()]
    problems = [f"line {p.line}: {p.message}" for p in parser.problems]
    result = a._record(plan, session_id, None, reply, reply.text, edits, problems, False)
    status = "truncated" if result.truncated else "answered"
    return Outcome(task, status, session_id, result.usage, result.cost,
                   edits=len(result.changeset), problems=len(result.problems))  # fmt: skip


def output_batch(lines: Sequence[str]) -> str | None:
    """The tome batch id that the first request of an output file names (``custom_id`` is
    ``<batch>:<task>``), or None."""
    for raw in lines:
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        custom = data.get("custom_id") if isinstance(data, dict) else None
        return custom.partition(":")[0] if isinstance(custom, str) and ":" in custom else None
    return None


def stored_tasks(row: Mapping[str, Any]) -> tuple[Path, str]:
    """The base folder and the TASKS lines of a stored batch, to be checked again."""
    data = json.loads(row["tasks"])
    lines = [json.dumps({k: t[k] for k in ("id", "task", "paths", "repo")}) for t in data["tasks"]]
    return Path(data["base"]), "\n".join(lines)
