"""One request end to end: pack, ask, parse the edits as they stream, review, apply, undo.

The only place the pipeline is assembled. Everything it does is recorded in the
repository's history (:mod:`assistant.history`, ``<root>/.tome/history.db``), which
also undoes applies and needs no backend.

    from assistant.session import Assistant

    assistant = Assistant.open("path/to/repo", backend="deepseek-v4-flash")
    result = assistant.ask("rename greet to welcome")      # or: for event in .stream(...)
    print(result.answer)
    for f in result.changeset:                             # review, hunk by hunk
        f.accept()
    record = assistant.apply(result, commit=True)          # journaled; committed alone
    assistant.undo(result.session_id)                      # byte for byte

**The prompt.** Two messages: the system message is the fixed :data:`SYSTEM` text plus the
edit-format instructions for the backend (:mod:`assistant.edits.formats`); the user message
is the pack, whose last section is the task. Nothing before the task depends on the task
when the budget holds the whole repository, so two requests share their prompt prefix and
a provider's prefix cache bills it at the cache-hit price.

**Safety.** A reply still cut off after the client's automatic continuations is
``Result.truncated`` and :meth:`Assistant.apply` refuses it unless forced. Edits are
located in the text the model was shown (the packed version of each file); a file changed
on disk since the pack is merged three ways at apply time, or refused
(:func:`assistant.worktree.apply_changes`). Paths outside the repository are refused and
listed in ``Result.problems``.

**Reasoning.** A model that reasons (DeepSeek's thinking mode) streams its reasoning apart
from the answer: it comes as :class:`ReasoningDelta` events, is never fed to the edit
parser and is not part of ``Result.answer``, so a diff in the reasoning makes no edit. A
follow-up sends the previous answer back by the provider's rule
(:func:`assistant.model.history_message`: without its reasoning).

**Repair rounds.** Hunks that do not place (and, with a ``checker``, failing checks) go
back to the model on the same prompt prefix, at most ``max_rounds`` times
(:mod:`assistant.rounds`); each round is a session whose ``parent_id`` is the round before,
and the result is the best round's.

**Threads.** :meth:`Assistant.stream` is a blocking generator: the TUI runs it in a thread
worker and sets the ``cancel`` event to stop it (checked after every text delta). The store
opens a connection per call, so any thread may use it.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import conversation, repo, worktree
from .cache import Cache
from .config import Settings, load_settings
from .edits import (
    Changeset,
    EditParser,
    FileConflict,
    FileEdit,
    FileReview,
    HunkReview,
    HunkState,
    check_path,
    default_format,
    instructions,
)
from .errors import (
    ApplyConflict,
    AssistantError,
    ConfigError,
    ContextLengthError,
    EditError,
    GitError,
    PackError,
)
from .history import (
    ApplyRecord,
    History,
    Manifest,
    ManifestEntry,
    Result,
    SessionSummary,
    UndoRecord,
    revert,
)
from .packing import GitOptions, Pack, PackOptions, pack
from .packing.render import PackFormat
from .review import Baseline, Review
from .rounds import Round, run_rounds
from .store import Decision

if TYPE_CHECKING:  # the model (and with it openai) loads when a request is made, not before
    from collections.abc import Callable

    from .checks import Checker
    from .model import (
        Backend,
        Client,
        ClientOptions,
        Estimate,
        ReasoningText,
        Reply,
        RetryNotice,
    )
    from .model.client import Message

__all__ = [
    "NO_EDITS",
    "SYSTEM",
    "SYSTEM_ASK",
    "ApplyRecord",
    "Assistant",
    "Event",
    "FileEdited",
    "Finished",
    "Manifest",
    "ManifestEntry",
    "Plan",
    "ReasoningDelta",
    "Result",
    "Retrying",
    "Round",
    "SessionSummary",
    "TextDelta",
    "UndoRecord",
    "feedback",
    "hunk_key",
    "revert",
    "system_prompt",
]

SYSTEM = (
    "You are a careful senior engineer. The user message holds a repository, packed as one "
    "document (a directory tree, then files; files cut to their skeleton say so), and a task "
    "at the end. Answer the task using only what the repository shows. When it needs code "
    "changes, say briefly what you change and why, then give every change as an edit in the "
    "format described below."
)

NO_EDITS = "none"
"""The edit format of ask mode (``tome ask --no-edits``, ``edits=False``): the prompt asks
for an explanation, nothing of the answer is parsed as an edit, nothing can be applied."""

SYSTEM_ASK = (
    "You are a careful senior engineer. The user message holds a repository, packed as one "
    "document (a directory tree, then files; files cut to their skeleton say so), and a "
    "question at the end. Answer the question using only what the repository shows: explain, "
    "and name the files, functions and lines you rely on. Do not propose edits: write no "
    "diffs, patches or edit blocks; if a change would help, describe it in words. Write the "
    "answer in Markdown."
)


def system_prompt(edit_format: str, project: str = "") -> str:
    """The system message: :data:`SYSTEM`, then the instructions of ``edit_format``
    (:data:`SYSTEM_ASK` alone for :data:`NO_EDITS`), then ``project``: the repository's
    instruction files as rendered by the pack (:attr:`Pack.instructions_text
    <assistant.packing.Pack>`), the same for every task of the repository."""
    head = SYSTEM_ASK if edit_format == NO_EDITS else f"{SYSTEM}\n\n{instructions(edit_format)}"
    return f"{head}\n\n{project}" if project else head


# -- values -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A request ready to send (:meth:`Assistant.plan`): nothing was sent yet."""

    pack: Pack
    messages: tuple[Message, ...]
    """The system message, then the user message (the pack, the task last)."""
    estimate: Estimate | None
    """Cost with the prompt uncached and fully cached (None: the backend has no prices)."""
    backend: Backend
    prompt_tokens: int
    """Tokens of the whole prompt (messages and their overhead)."""
    max_output: int
    """Output tokens reserved."""
    edit_format: str
    paths: tuple[str, ...] | None = None
    """The pack was restricted to these paths (None: the whole repository)."""
    parent_id: int | None = None
    """A follow-up: the session it continues (:meth:`Assistant.plan`'s ``continue_from``)."""
    message: str | None = None
    """A follow-up: the user message it ends with, as sent (with the note of what changed)."""
    dropped: int = 0
    """A follow-up: the oldest exchanges left out to fit the window."""

    @property
    def edits(self) -> bool:
        """Whether the prompt asks for edits (False in ask mode, :data:`NO_EDITS`)."""
        return self.edit_format != NO_EDITS

    @property
    def manifest(self) -> Manifest:
        return Manifest.of(self.pack)

    @property
    def fits(self) -> bool:
        """Whether prompt plus reserved output fit the backend's window."""
        return self.prompt_tokens + self.max_output <= self.backend.window

    @property
    def cut(self) -> str | None:
        """What the pack cut to fit its budget, said before sending: ``"40 of 55 files
        whole, 3 as skeletons, 12 omitted"`` (None: every file is whole)."""
        tiers = self.pack.tiers
        if not tiers["skeleton"] and not tiers["omitted"]:
            return None
        return (
            f"{tiers['full']:,} of {len(self.pack.files):,} files whole, "
            f"{tiers['skeleton']:,} as skeletons, {tiers['omitted']:,} omitted"
        )


@dataclass(frozen=True)
class TextDelta:
    """A piece of the answer, as it arrives."""

    text: str


@dataclass(frozen=True)
class ReasoningDelta:
    """A piece of the model's reasoning, as it arrives: shown apart from the answer (the
    CLI dims it on stderr, the TUI folds it above the answer), never parsed for edits."""

    text: str


@dataclass(frozen=True)
class FileEdited:
    """An edit of one file, as soon as the parser has all of it."""

    edit: FileEdit


@dataclass(frozen=True)
class Finished:
    """The last event of a stream: the whole result (already in the store)."""

    result: Result


@dataclass(frozen=True)
class Retrying:
    """The backend failed in a way worth retrying; the request waits, then tries again.
    ``str(notice)`` is the line to show: ``retrying in 4 s (429 rate limited)``."""

    notice: RetryNotice


Event = TextDelta | ReasoningDelta | FileEdited | Retrying | Round | Finished


def hunk_key(path: str, index: int) -> str:
    """The key of one hunk in :meth:`Assistant.resend`'s ``rejected`` mapping."""
    return f"{path}#{index}"


# -- feedback (pure) ----------------------------------------------------------------------


def feedback(
    items: Sequence[tuple[FileReview, HunkReview, str]],
    *,
    applied: bool,
    only: Sequence[str] | None = None,
) -> str:
    """The follow-up message that sends rejected hunks back: each quoted, with the reason.
    ``only``: the repository above shows only these files (a send-back re-packed to fit)."""
    out = [
        "I reviewed your edits and rejected the changes below. For each one: the file, the "
        "change as you proposed it, and my reason.",
        "",
    ]
    for f, h, reason in items:
        out.append(f"### {f.path} (change {h.index})")
        if h.failure is not None:
            out.append("This edit could not be applied: " + h.failure.for_model())
        else:
            out += ["```diff", f.hunk_diff(h.index).rstrip("\n"), "```"]
        out += [f"Reason: {reason.strip() or '(none given)'}", ""]
    note = (
        "The changes I accepted are applied already, so the repository above shows the "
        "files as they are now. "
        if applied
        else "Everything else you proposed stays as it was. "
    )
    if only is not None:
        note += (
            "To fit the window, the repository above now shows only the files concerned "
            f"({', '.join(only)}). "
        )
    out.append(
        note + "Propose new edits for the rejected changes only, in the same edit format, "
        "against the files as shown above."
    )
    return "\n".join(out)


def _followup_budget(window: int, reserve: int, overhead: int, followup: int) -> int:
    """Tokens a send-back's pack may take: the window less the output reserve, the prompt's
    overhead (system message, framing) and the ``followup`` (previous answer and feedback)."""
    return window - reserve - overhead - followup


def _whole(packed: Pack, paths: Sequence[str]) -> bool:
    """Whether every one of ``paths`` is in ``packed`` whole."""
    tiers = {f.path: f.tier for f in packed.files}
    return all(tiers.get(p) == "full" for p in paths)


def _with_followup(
    plan: Plan,
    items: Sequence[conversation.Exchange],
    extra: int,
    *,
    parent_id: int,
    message: str,
    dropped: int = 0,
) -> Plan:
    """``plan`` with the exchanges ``items`` after its pack (``extra``: their tokens and
    framing), the new message last: a follow-up of session ``parent_id`` that sends
    ``message`` (as recorded: without the note of ``dropped`` exchanges)."""
    messages = (*plan.messages, *conversation.to_messages(items))
    return dataclasses.replace(
        plan, messages=messages, prompt_tokens=plan.prompt_tokens + extra,
        parent_id=parent_id, message=message, dropped=dropped,
    )  # fmt: skip


def _as_child(plan: Plan, messages: Sequence[Message], parent_id: int | None) -> Plan:
    """``plan`` recorded as a child of ``parent_id`` (a repair round's: the round before),
    its own message the last of ``messages``, as sent; ``plan`` itself without one."""
    if parent_id is None or parent_id == plan.parent_id:
        return plan
    last = messages[-1].get("content") if messages else None
    text = last if isinstance(last, str) else None
    return dataclasses.replace(plan, parent_id=parent_id, message=text)


def _shas(manifest: Manifest) -> dict[str, str]:
    return {e.path: e.blob_sha for e in manifest.entries}


_GLOB = re.compile(r"[][*?!\\#]")  # characters an include pattern would read as a glob


def _first_line(task: str) -> str:
    line = task.strip().splitlines()[0] if task.strip() else "edit"
    return line if len(line) <= 72 else line[:71] + "…"


def _backend(settings: Settings, backend: str | Backend | None) -> Backend:
    """``backend`` as a :class:`Backend`: a name (None: the configured default) resolved."""
    from .model import Backend, resolve_backend

    return backend if isinstance(backend, Backend) else resolve_backend(settings, name=backend)


def _check_reasoning(backend: Backend, options: ClientOptions) -> None:
    """Fail now, not mid-request, when ``backend`` cannot reason at the level asked for."""
    from .model import reasoning_params

    reasoning_params(backend, options.reasoning)


def _edit_format(name: str | None, backend: Backend) -> str:
    """The edit format to ask ``backend`` for: ``name`` or the backend's default; an unknown
    name fails here, not mid-request."""
    name = name or default_format(backend.model).name
    instructions(name)
    return name


# -- the assistant ------------------------------------------------------------------------


class Assistant:
    """Sessions on one repository: plan, ask or stream, apply, undo, history, resend.

    Open one with :meth:`open`, which finds the repository, loads the settings and resolves
    the backend, and fails there (:class:`~assistant.errors.ConfigError`: an unknown backend,
    a broken config, an unknown edit format) before anything is packed or sent. The
    constructor only keeps parts already resolved, so it cannot fail; :meth:`with_backend`
    gives a second assistant on the same repository that asks another backend.

    :attr:`root` is the repository root, where ``.tome/`` (history, journal) lives and every
    path of an edit is relative to; :attr:`scope` is the folder packed, relative to that root
    ("" for the whole repository). ``client`` (optional) is used instead of a client made per
    request and is not closed here. ``format`` is the pack's format; ``edit_format`` the edit
    format asked for.
    """

    def __init__(
        self,
        root: Path,
        *,
        settings: Settings,
        backend: Backend,
        options: ClientOptions,
        sessions: History,
        edit_format: str,
        scope: str = "",
        cache: Cache | None = None,
        client: Client | None = None,
        format: PackFormat = "xml",
    ) -> None:
        self.root = root
        self.scope = scope
        self.settings = settings
        self.backend = backend
        self.options = options
        self.sessions = sessions
        """The history and undo of the repository (needs no backend)."""
        self.store = sessions.store
        self.edit_format = edit_format
        self.cache = cache
        self.format: PackFormat = format
        self._client = client

    @classmethod
    def open(
        cls,
        root: str | Path,
        *,
        backend: str | Backend | None = None,
        settings: Settings | None = None,
        cache: Cache | None = None,
        client: Client | None = None,
        format: PackFormat = "xml",
        edit_format: str | None = None,
    ) -> Assistant:
        """The assistant on the repository around ``root`` (any folder of it: only that
        folder is packed, its files named from the repository root,
        :func:`assistant.repo.find_root`).

        ``backend`` is a name from ``tome models``, a :class:`Backend`, or None for the
        configured default; ``settings`` default to :func:`~assistant.config.load_settings`
        of the repository; with a ``client`` its backend and options are used.
        ``edit_format`` defaults to the backend's (:func:`assistant.edits.default_format`).
        """
        from .model import ClientOptions

        top = repo.find_root(root)
        scope = Path(root).resolve().relative_to(top).as_posix()
        settings = settings if settings is not None else load_settings(project=top)
        if client is not None:
            chosen, options = client.backend, client.options
        else:
            chosen = _backend(settings, backend)
            options = ClientOptions.from_settings(settings)
        _check_reasoning(chosen, options)
        return cls(
            top,
            settings=settings,
            backend=chosen,
            options=options,
            sessions=History(top),
            edit_format=_edit_format(edit_format, chosen),
            scope="" if scope == "." else scope,
            cache=cache,
            client=client,
            format=format,
        )

    def with_backend(self, backend: str | Backend) -> Assistant:
        """A new assistant on the same repository, scope, settings, history and cache that
        asks ``backend`` (a name from ``tome models`` or a :class:`Backend`) in its default
        edit format. Resolving it may fail (:class:`~assistant.errors.ConfigError`); this
        assistant is left as it was, so a front end switches only once the new one exists."""
        chosen = _backend(self.settings, backend)
        _check_reasoning(chosen, self.options)
        return Assistant(
            self.root,
            settings=self.settings,
            backend=chosen,
            options=self.options,
            sessions=self.sessions,
            edit_format=_edit_format(None, chosen),
            scope=self.scope,
            cache=self.cache,
            format=self.format,
        )

    def with_reasoning(self, level: str | None) -> Assistant:
        """A new assistant like this one that asks for reasoning ``level`` (``off``, ``low``,
        ``medium``, ``high``; None: the provider's default). A level the backend cannot
        honour is a :class:`~assistant.errors.ConfigError`; this assistant is unchanged."""
        options = dataclasses.replace(self.options, reasoning=level)
        _check_reasoning(self.backend, options)
        return Assistant(
            self.root, settings=self.settings, backend=self.backend, options=options,
            sessions=self.sessions, edit_format=self.edit_format, scope=self.scope,
            cache=self.cache, format=self.format,
        )  # fmt: skip

    @property
    def reasoning_level(self) -> str:
        """The level requests reason at: the one asked for, else the provider's default."""
        from .model import reasoning_level

        return reasoning_level(self.backend, self.options.reasoning)

    def __repr__(self) -> str:
        return f"Assistant(root={str(self.root)!r}, backend={self.backend.name!r})"

    @property
    def reserve(self) -> int:
        """Output tokens each request reserves (its ``max_tokens``), by the rule the client
        sends with (:func:`~assistant.model.output_reserve` of the same options and backend,
        which :attr:`Client.reserve <assistant.model.Client.reserve>` gives too): what a plan
        prices and checks, what the TUI's meter shows, what is sent."""
        from .model import output_reserve

        b = self.backend
        return output_reserve(self.options.max_output, max_output=b.max_output, window=b.window,
                              reasoning=self.reasoning_level)  # fmt: skip

    @property
    def prompt_overhead(self) -> int:
        """Tokens the prompt adds to the pack: the system message (fixed text and the edit
        format's instructions) and the chat framing (:func:`~assistant.model.prompt_overhead`).
        The repository's instruction files add their own (:attr:`Plan.prompt_tokens` has all)."""
        return self._overhead(self.edit_format)

    def _overhead(self, edit_format: str, project: str = "") -> int:
        from .model import prompt_overhead

        return prompt_overhead(system_prompt(edit_format, project), self.backend.encoding)

    # -- planning --

    def plan(
        self,
        task: str,
        *,
        paths: Sequence[str] | None = None,
        budget: int | None = None,
        continue_from: int | Result | None = None,
        edits: bool = True,
        git: GitOptions | None = None,
    ) -> Plan:
        """Pack the repository for ``task`` and price the request; sends nothing.

        ``paths`` restricts the pack to those paths (patterns as ``tome pack --include``).
        ``budget`` caps the pack's tokens (default: the window less the reserved output).
        ``edits=False`` is ask mode: the prompt asks for an explanation, not edits
        (:data:`NO_EDITS`), and nothing of the answer is parsed as an edit.

        ``continue_from`` (a session id or its :class:`Result`) makes ``task`` a follow-up
        message in that session's conversation (:mod:`assistant.conversation`): the first
        request's pack again (its paths, budget and task: the same prompt prefix when no file
        changed), every answer and message since, then ``task``, opened by a note of the files
        changed since and whether the previous edits were applied. The oldest exchanges are
        dropped to fit the window. ``paths`` and ``budget`` are the conversation's then.

        ``git`` adds git sections after the files (:class:`~assistant.packing.GitOptions`:
        the uncommitted diff, the changes since a ref, the recent log); a first request only.
        """
        task = task.strip()
        if not task:
            raise EditError("the task is empty: say what to change")
        edit_format = self.edit_format if edits else NO_EDITS
        if continue_from is None:
            return self._plan(task, paths=paths, budget=budget, edit_format=edit_format, git=git)
        if git:
            raise EditError(
                "a follow-up packs what its conversation packed and notes the files changed "
                "since: the git sections (diff, since, log) go with a new session"
            )
        if paths is not None or budget is not None:
            raise EditError(
                "a follow-up packs what its conversation packed: give no paths or budget with "
                "continue_from (start a new session to pack other files)"
            )
        return self._follow_up(continue_from, task, edit_format)

    def _plan(
        self,
        task: str,
        *,
        paths: Sequence[str] | None,
        budget: int | None,
        edit_format: str,
        git: GitOptions | None = None,
    ) -> Plan:
        """The plan of a first request (:meth:`plan` without ``continue_from``)."""
        from .model import estimate

        backend = self.backend
        reserve = self.reserve
        budget = budget or max(1, backend.window - reserve - self._overhead(edit_format))
        options = self._pack_options(paths, git)
        packed = pack(
            self.root,
            scope=self.scope,
            budget=budget,
            encoding=backend.encoding,
            format=self.format,
            task=task,
            options=options,
            cache=self.cache,
        )
        system = system_prompt(edit_format, packed.instructions_text)
        messages: tuple[Message, ...] = (
            {"role": "system", "content": system},
            {"role": "user", "content": packed.text},
        )
        prompt_tokens = packed.tokens + self._overhead(edit_format, packed.instructions_text)
        prices = backend.prices
        est = (
            estimate(prompt_tokens, reserve, prices, reasoning=self.reasoning_level)
            if prices is not None
            else None
        )
        return Plan(
            packed,
            messages,
            est,
            backend,
            prompt_tokens,
            reserve,
            edit_format,
            tuple(paths) if paths else None,
        )

    def _pack_options(
        self, paths: Sequence[str] | None, git: GitOptions | None = None
    ) -> PackOptions:
        """The pack's options: ``paths`` included, the configured instruction files."""
        names = tuple(self.settings.instruction_files)
        return PackOptions(
            include=tuple(paths or ()), instruction_files=names, git=git or GitOptions()
        )

    def _follow_up(self, continue_from: int | Result, message: str, edit_format: str) -> Plan:
        """The plan of a follow-up message (:meth:`plan` with ``continue_from``)."""
        parent = continue_from if isinstance(continue_from, Result) else self.load(continue_from)
        if not parent.answer.strip():
            raise EditError(
                f"session {parent.session_id} has no answer to follow up on (it failed or was "
                "cancelled before any text came); ask again as a new session"
            )
        chain = self._chain(parent)
        first = chain[0]

        def repack(budget: int | None) -> Plan:
            budget = budget if budget is not None else first.manifest.budget
            return self._plan(first.task, paths=first.paths, budget=budget, edit_format=edit_format)

        base = repack(None)
        note = conversation.changes_note(
            _shas(parent.manifest), _shas(base.manifest), applied=self._applied(parent)
        )
        text = f"{note}\n\n{message}" if note else message
        items = conversation.exchanges(chain, text)
        return self._fit_conversation(base, items, repack, parent_id=parent.session_id)

    def _chain(self, result: Result) -> list[Result]:
        """The conversation ``result`` ends: its sessions, oldest first, back to the first
        request (the first one without a message of its own)."""
        chain = [result]
        seen = {result.session_id}
        parent = result.parent_id if result.message is not None else None
        while parent is not None and parent not in seen:  # a loop: a damaged history
            seen.add(parent)
            chain.insert(0, self.load(parent))
            parent = chain[0].parent_id if chain[0].message is not None else None
        return chain

    def _applied(self, result: Result) -> bool | None:
        """Whether some edit of ``result`` is applied (None: it had no edits)."""
        if not len(result.changeset):
            return None
        rows = self.store.load(result.session_id)
        return rows is not None and any(not a.undone for a in rows.applies)

    def _fit_conversation(
        self,
        base: Plan,
        items: Sequence[conversation.Exchange],
        repack: Callable[[int | None], Plan],
        *,
        parent_id: int,
    ) -> Plan:
        """``base`` with as many of the newest ``items`` as the window holds: the oldest
        dropped first, with a note; when not even the last fits beside the pack, the
        repository packed into what the window leaves beside it."""
        window, reserve = base.backend.window, base.max_output
        note = self._exchange_tokens(conversation.Exchange("", conversation.dropped_note(99)))
        fitted = conversation.fit(
            items, window - base.prompt_tokens - reserve, self._exchange_tokens, note=note
        )
        if fitted is None:
            last = self._exchange_tokens(items[-1]) + note
            overhead = base.prompt_tokens - base.pack.tokens
            room = window - reserve - overhead - last
            if room > 0:
                try:
                    base = repack(room)
                except PackError as exc:
                    if exc.needed is None:
                        raise
                else:
                    fitted = [items[-1]], len(items) - 1
            if fitted is None or not base.fits:
                raise ContextLengthError(
                    f"the follow-up does not fit the window of {window:,} tokens of "
                    f"{base.backend.name}: the last answer and the new message take "
                    f"{last:,} tokens beside the output reserve of {reserve:,}; start a new "
                    "session",
                    backend=base.backend.name,
                    prompt_tokens=overhead + last,
                    max_output=reserve,
                    window=window,
                    followup=True,
                )
        kept, dropped = fitted
        message = kept[-1].message
        if dropped:
            shown = f"{conversation.dropped_note(dropped)}\n\n{message}"
            kept[-1] = conversation.Exchange(kept[-1].answer, shown)
        extra = sum(self._exchange_tokens(e) for e in kept)
        return _with_followup(
            base, kept, extra, parent_id=parent_id, message=message, dropped=dropped
        )

    def _exchange_tokens(self, e: conversation.Exchange) -> int:
        return self._followup_tokens(e.answer, e.message)

    # -- asking --

    def ask(
        self,
        task: str,
        *,
        paths: Sequence[str] | None = None,
        budget: int | None = None,
        continue_from: int | Result | None = None,
        edits: bool = True,
        max_rounds: int | None = None,
        checker: Checker | None = None,
    ) -> Result:
        """Send ``task`` with the packed repository; the finished (recorded) result.
        ``continue_from`` and ``edits`` as in :meth:`plan`; ``max_rounds`` and ``checker`` as
        in :meth:`send`."""
        return _last(
            self.stream(
                task,
                paths=paths,
                budget=budget,
                continue_from=continue_from,
                edits=edits,
                max_rounds=max_rounds,
                checker=checker,
            )
        )

    def stream(
        self,
        task: str,
        *,
        paths: Sequence[str] | None = None,
        budget: int | None = None,
        cancel: threading.Event | None = None,
        continue_from: int | Result | None = None,
        edits: bool = True,
        max_rounds: int | None = None,
        checker: Checker | None = None,
    ) -> Iterator[Event]:
        """Like :meth:`ask`, yielding :class:`TextDelta` as the answer arrives,
        :class:`FileEdited` as soon as each edit is complete, and :class:`Finished` last.

        Setting ``cancel`` (or closing the generator) stops the request; a cancelled
        stream still ends with :class:`Finished`, its result ``cancelled`` and ``truncated``.
        A missing key fails before anything is packed; a prompt that does not fit fails
        before anything is sent (:class:`~assistant.errors.ContextLengthError`).
        """
        self.backend.require_key()  # a missing key fails before the repository is packed
        plan = self.plan(task, paths=paths, budget=budget, continue_from=continue_from, edits=edits)
        yield from self.send(plan, cancel=cancel, max_rounds=max_rounds, checker=checker)

    def send(
        self,
        plan: Plan,
        *,
        cancel: threading.Event | None = None,
        max_rounds: int | None = None,
        checker: Checker | None = None,
    ) -> Iterator[Event]:
        """Send a request planned with :meth:`plan` (the TUI shows the plan first); yields
        like :meth:`stream`, with a :class:`Round` before each repair round. A follow-up's
        plan records a session whose parent is the one it continues.

        Repair rounds (:mod:`assistant.rounds`): hunks that did not place, and, once every
        hunk places, the failures ``checker`` reports on the texts the changeset would write,
        go back to the model on the same prompt prefix, at most ``max_rounds`` times
        (default: the ``max_rounds`` setting; 0: one request). ``Finished`` comes once, last,
        with the best round's result (``Result.rounds``, ``round``, ``stopped``)."""
        rounds = self.settings.max_rounds if max_rounds is None else max_rounds
        if rounds < 0:
            raise ConfigError(f"max_rounds is {rounds}; give 0 (no repair rounds) or more")
        client, owned = self._open_client()
        try:
            yield from run_rounds(
                self, client, plan, max_rounds=rounds, checker=checker, cancel=cancel
            )
        finally:
            if owned:
                client.close()

    def resend(
        self,
        result: Result,
        rejected: Mapping[str, str],
        *,
        cancel: threading.Event | None = None,
    ) -> Iterator[Event]:
        """Send rejected hunks back to the model with the user's reasons; yields like
        :meth:`stream`, for a new session whose ``parent_id`` is ``result.session_id``.

        ``rejected`` maps :func:`hunk_key` (``"path#N"``, one hunk) or a bare path (every
        rejected or failed hunk of that file) to the reason. Hunks named that were pending
        or accepted are rejected first; failed hunks are sent with why they failed. The
        repository is packed again as it is now (the same prompt prefix as before if
        nothing was applied), followed by the previous answer and the follow-up message
        (:func:`feedback`), all budgeted to fit the window (:meth:`_followup`: when the
        first pack filled it, a smaller pack that keeps the files concerned whole).
        """
        items = self._rejected(result, rejected)
        self.store.decide(
            result.session_id,
            [Decision(f.path, h.index, str(h.state), reason) for f, h, reason in items],
        )
        applied = any(h.state == HunkState.APPLIED for f in result.changeset for h in f.hunks)
        client, owned = None, False
        try:  # a send-back that fails before it is sent (no key, no pack) is recorded too
            client, owned = self._open_client()
            plan, refusal = self._followup(result, items, applied=applied)
        except AssistantError as exc:
            if owned and client is not None:
                client.close()
            self._unsent(result, exc)
            raise
        try:
            yield from self._run(client, plan, plan.messages, cancel=cancel, refusal=refusal)
        finally:
            if owned:
                client.close()

    def _followup(self, result: Result, items: Sequence[tuple[FileReview, HunkReview, str]],
                  *, applied: bool) -> tuple[Plan, ContextLengthError | None]:  # fmt: skip
        """The plan of a send-back, budgeted to fit the window with the previous answer and
        the follow-up message on top (:func:`_followup_budget`):

        1. the first request's pack again, when it still fits: the same prompt prefix, so a
           provider's prefix cache bills it at the cache-hit price;
        2. else the repository packed again into what the window has left, if that keeps
           every file the rejected hunks touch whole;
        3. else only those files, whole.

        When not even those files fit: the first attempt, and the refusal to record and
        raise (:class:`~assistant.errors.ContextLengthError` with the numbers, ``followup``
        set)."""
        backend = self.backend
        touched = {f.path for f, _, _ in items}  # still packed, still there: kept whole
        concerned = sorted(p for p in touched if result.manifest.sha(p) and self._exists(p))
        text = feedback(items, applied=applied)
        chain = self._chain(result)  # a send-back in a conversation keeps its history

        def conversed(message: str) -> tuple[list[conversation.Exchange], int]:
            turns = conversation.exchanges(chain, message)
            return turns, sum(self._exchange_tokens(e) for e in turns)

        def followed(plan: Plan, message: str) -> Plan:
            turns, tokens = conversed(message)
            return _with_followup(plan, turns, tokens, parent_id=result.session_id, message=message)

        _, extra = conversed(text)
        plan = self._plan(result.task, paths=result.paths, budget=result.manifest.budget,
                          edit_format=self.edit_format)  # fmt: skip
        if plan.prompt_tokens + extra + plan.max_output <= backend.window:
            return followed(plan, text), None
        attempts = [(result.paths, text)]
        if concerned:
            attempts.append((self._literal(concerned), feedback(items, applied=applied,
                                                                only=concerned)))  # fmt: skip
        overhead = plan.prompt_tokens - plan.pack.tokens
        for paths, message in attempts:
            _, tokens = conversed(message)
            room = _followup_budget(backend.window, plan.max_output, overhead, tokens)
            if room <= 0:
                continue
            try:
                repacked = self._plan(result.task, paths=paths, budget=room,
                                      edit_format=self.edit_format)  # fmt: skip
            except PackError as exc:
                if exc.needed is None:
                    raise
                continue  # not even the pack's header fits: try fewer files
            if _whole(repacked.pack, concerned):
                return followed(repacked, message), None
        needed = sum(e.tokens for e in result.manifest.entries if e.path in concerned)
        refusal = ContextLengthError(
            f"the send-back does not fit the window of {backend.window:,} tokens of "
            f"{backend.name}: the previous answer and the feedback take {extra:,} tokens, the "
            f"{len(concerned)} file(s) the rejected hunks touch {needed:,}, the output reserve "
            f"{plan.max_output:,}; send back fewer hunks at a time",
            backend=backend.name,
            prompt_tokens=overhead + extra + needed,
            max_output=plan.max_output,
            window=backend.window,
            followup=True,
        )
        return followed(plan, text), refusal

    def _exists(self, path: str) -> bool:
        return worktree.read_file(self.root, path, raw=True) is not None

    def _followup_tokens(self, answer: str, text: str) -> int:
        """Tokens the previous answer and the follow-up message add to a plan's prompt."""
        from .model import framing_tokens
        from .tokens import count

        enc = self.backend.encoding
        return count(answer, enc) + count(text, enc) + framing_tokens(2, reply=False)

    def _literal(self, paths: Sequence[str]) -> tuple[str, ...]:
        """Include patterns that match exactly ``paths`` (root-relative), relative to the
        packed folder and anchored, with the glob characters escaped."""
        cut = len(self.scope) + 1 if self.scope else 0
        return tuple("/" + _GLOB.sub(r"\\\g<0>", p[cut:]) for p in paths)

    def _unsent(self, result: Result, exc: BaseException) -> None:
        """Record a send-back of ``result`` that failed before anything was packed."""
        self.sessions.unsent(
            task=result.task, backend=self.backend.name, model=self.backend.model,
            encoding=self.backend.encoding, paths=result.paths, edit_format=self.edit_format,
            parent_id=result.session_id, error=str(exc),
        )  # fmt: skip

    def _rejected(
        self, result: Result, rejected: Mapping[str, str]
    ) -> list[tuple[FileReview, HunkReview, str]]:
        cs = result.changeset
        paths = {f.path for f in cs}
        items: list[tuple[FileReview, HunkReview, str]] = []
        for key, reason in rejected.items():
            if key in paths:
                f = cs[key]
                hunks = [h for h in f.hunks if h.state in (HunkState.REJECTED, HunkState.FAILED)]
                if not hunks:
                    f.reject()
                    hunks = [h for h in f.hunks if h.state == HunkState.REJECTED]
            else:
                path, _, index = key.rpartition("#")
                if path not in paths or not index.isdigit():
                    raise EditError(
                        f"{key!r} names no file or hunk of session {result.session_id}; use a "
                        f"path ({', '.join(sorted(paths)) or 'none'}) or hunk_key(path, N)"
                    )
                f = cs[path]
                h = f.hunk(int(index))
                if h.state in (HunkState.PENDING, HunkState.ACCEPTED):
                    f.reject(h.index)
                elif h.state not in (HunkState.REJECTED, HunkState.FAILED):
                    raise EditError(f"{key} is {h.state}; only a rejected hunk can be sent back")
                hunks = [h]
            items += [(f, h, reason) for h in hunks]
        if not items:
            raise EditError("nothing to send back: name at least one rejected hunk")
        return items

    def _open_client(self) -> tuple[Client, bool]:
        from .model import Client

        if self._client is not None:
            return self._client, False
        return Client(self.backend, options=self.options), True

    def _run(
        self,
        client: Client,
        plan: Plan,
        messages: Sequence[Message],
        *,
        cancel: threading.Event | None,
        parent_id: int | None = None,
        refusal: AssistantError | None = None,
        combine: Callable[[list[FileEdit], list[str]], list[FileEdit]] | None = None,
    ) -> Iterator[Event]:
        """Record a session for ``plan``, send it, stream it, record the result. A
        ``refusal`` is recorded as the session's failure and raised instead of sending.
        ``combine`` (a repair round's, :mod:`assistant.rounds`) turns the parsed edits and
        problems into the changeset's: the rounds before merged with this answer. In ask mode
        (:data:`NO_EDITS`) nothing of the answer is parsed as an edit. ``parent_id`` (a
        repair round's: the round before) overrides the plan's; the session's own message is
        then the last one of ``messages``, as sent."""
        plan = _as_child(plan, messages, parent_id)
        manifest = plan.manifest
        task = plan.pack.task or ""
        backend = plan.backend
        parent_id = plan.parent_id
        session_id = self.sessions.begin(  # first: a send refused below is recorded too
            task=task, backend=backend.name, model=backend.model, manifest=manifest,
            paths=plan.paths, edit_format=plan.edit_format, parent_id=parent_id,
            message=plan.message,
        )  # fmt: skip
        try:
            if refusal is not None:
                raise refusal
            prepared = client.prepare(
                messages, max_output=plan.max_output, prompt_tokens=plan.prompt_tokens
            )
        except BaseException as exc:
            self.store.fail(session_id, status="failed", error=str(exc))
            raise
        parser = EditParser() if plan.edits else None
        edits: list[FileEdit] = []
        parts: list[str] = []
        cancelled = False
        stream = client.stream(messages, prepared=prepared)
        deltas = stream.events()
        try:
            for delta in deltas:
                if not isinstance(delta, str):
                    yield _aside(delta)  # reasoning (shown apart, never parsed) or a retry
                    continue
                parts.append(delta)
                yield TextDelta(delta)
                for edit in parser.feed(delta) if parser is not None else ():
                    edits.append(edit)
                    yield FileEdited(edit)
                if cancel is not None and cancel.is_set():
                    cancelled = True
                    break
        except (GeneratorExit, KeyboardInterrupt):
            self.store.fail(session_id, status="cancelled", error="interrupted")
            raise
        except BaseException as exc:
            self.store.fail(session_id, status="failed", error=str(exc))
            raise
        finally:
            close = getattr(deltas, "close", None)
            if close is not None:
                close()  # drops the HTTP stream when we stopped early
        for edit in parser.close() if parser is not None else ():
            edits.append(edit)
            yield FileEdited(edit)
        reply: Reply | None = None if cancelled else stream.reply
        problems = [f"line {p.line}: {p.message}" for p in parser.problems] if parser else []
        if combine is not None:
            edits = combine(edits, problems)
        yield Finished(
            self._record(
                plan, session_id, parent_id, reply, "".join(parts), edits, problems, cancelled
            )
        )

    def _record(
        self,
        plan: Plan,
        session_id: int,
        parent_id: int | None,
        reply: Reply | None,
        streamed: str,
        edits: list[FileEdit],
        problems: list[str],
        cancelled: bool,
    ) -> Result:
        """The finished exchange as a :class:`Result`, recorded in the history. Without a
        ``reply`` (the stream was cancelled) what was ``streamed`` so far is the answer."""
        manifest, backend = plan.manifest, plan.backend
        task = plan.pack.task or ""
        answer = reply.text if reply is not None else streamed
        usable, originals, bases, stale = self._sources(edits, manifest, problems)
        result = Result(
            session_id=session_id,
            task=task,
            manifest=manifest,
            answer=answer,
            usage=reply.usage if reply else None,
            cost=reply.cost if reply else None,
            changeset=Changeset.from_edits(originals, usable),
            truncated=cancelled or (reply is not None and reply.truncated),
            backend=backend.name,
            model=backend.model,
            edit_format=plan.edit_format,
            paths=plan.paths,
            finish_reason=reply.finish_reason if reply else None,
            continuations=reply.continuations if reply else 0,
            retries=reply.retries if reply else 0,
            cancelled=cancelled,
            problems=tuple(problems),
            originals=originals,
            bases=bases,
            stale=stale,
            parent_id=parent_id,
            message=plan.message,
            reasoning=reply.reasoning if reply is not None else "",
        )
        status = "cancelled" if cancelled else "truncated" if result.truncated else "answered"
        self.sessions.finish(result, usable, status=status)
        return result

    def _sources(
        self, edits: Sequence[FileEdit], manifest: Manifest, problems: list[str]
    ) -> tuple[list[FileEdit], dict[str, str], dict[str, str | None], tuple[str, ...]]:
        """The edits that can be used, and for each file they touch: the text to locate
        them in (the packed version), the blob sha it must have on disk, and which texts
        are not the packed version (it was gone)."""
        usable: list[FileEdit] = []
        originals: dict[str, str] = {}
        bases: dict[str, str | None] = {}
        stale: list[str] = []
        refused: set[str] = set()
        for edit in edits:
            try:
                names = [check_path(p) for p in edit.paths]
                for name in names:
                    if name in bases or name in refused:
                        continue
                    self._source(name, manifest, originals, bases, stale)
            except ApplyConflict as exc:  # refused paths, binaries, directories, links
                if str(exc) not in problems:
                    problems.append(str(exc))
                refused.add(getattr(exc, "path", edit.path))
                continue
            if not refused.intersection(names):
                usable.append(edit)
        return usable, originals, bases, tuple(stale)

    def _source(
        self,
        path: str,
        manifest: Manifest,
        originals: dict[str, str],
        bases: dict[str, str | None],
        stale: list[str],
    ) -> None:
        disk = worktree.read_file(self.root, path)
        packed = manifest.sha(path)
        if disk is None:
            bases[path] = packed  # deleted since the pack: a conflict if the edit needs it
            return
        if packed is None or disk.sha == packed:
            originals[path] = disk.text
            bases[path] = disk.sha
            return
        bases[path] = packed
        blob = worktree.packed_blob(self.root, packed)
        if blob is not None:
            originals[path] = worktree.decode(path, blob)[0]
        else:
            originals[path] = disk.text
            stale.append(path)

    # -- applying --

    def apply(self, result: Result, *, commit: bool = False, force: bool = False) -> ApplyRecord:
        """Write the accepted hunks of ``result``: all of them or none, journaled.

        Each file must still be what was packed; one changed since is merged three ways
        with the packed version, or refused (:class:`~assistant.errors.ApplyConflict`, the
        file marked ``conflict``). A truncated answer is refused unless ``force``.
        ``commit=True`` then commits exactly the applied paths, with the message
        ``tome: <first line of the task>``; the rest of the index and the refs are left
        alone (:func:`assistant.repo.commit_paths`). The apply and every hunk's state are
        recorded in the store.
        """
        if result.truncated and not force:
            why = "was cancelled" if result.cancelled else "is cut off (finish_reason=length)"
            raise EditError(
                f"the answer of session {result.session_id} {why}; its edits may be "
                "incomplete. Ask again (raise the output reserve or narrow the task); a script "
                "may apply it anyway with force=True after reviewing every hunk"
            )
        cs = result.changeset
        review = self.review(result)
        changes, _ = review.changes()
        if not changes:
            if not len(cs) and result.problems:  # every edit was refused: say why
                raise EditError(
                    f"nothing to apply in session {result.session_id}: no edit of the answer "
                    "can be used:\n" + "\n".join(f"  {p}" for p in result.problems)
                )
            raise EditError(
                f"nothing to apply in session {result.session_id}: no accepted hunk changes "
                "a file (accept some first)"
            )
        try:
            done = review.apply()
        except FileConflict:
            self.sessions.save(result)
            raise
        written = [key for key in review.batches[-1] if key[1]]
        paths = (*done.written, *done.created, *done.deleted)
        apply_id = self.sessions.record_apply(
            result, journal=done.journal or "", paths=paths, merged=done.merged, hunks=written
        )
        sha = None
        if commit:
            sha = self.commit(result, paths, apply_id=apply_id)
        return ApplyRecord(result.session_id, apply_id, done.journal or "", paths, done.merged, sha)

    def review(self, result: Result) -> Review:
        """The review core for ``result``: its changeset, bound to the packed versions of
        the files it edits (a file that was gone from git is merged against the disk)."""
        texts = {p: t for p, t in result.originals.items() if p not in result.stale}
        return Review(self.root, result.changeset, Baseline(dict(result.bases), texts),
                      list(result.problems))  # fmt: skip

    def commit(self, result: Result, paths: Sequence[str], *, apply_id: int | None = None) -> str:
        """Commit ``paths`` (as they are on disk) with a message naming the task; the sha."""
        body = f"Applied by tome from session {result.session_id} ({result.backend}"
        body += f", {result.model})." if result.model else ")."
        message = f"tome: {_first_line(result.task)}\n\n{body}\n\nTask:\n{result.task.strip()}\n"
        try:
            sha = self.review(result).commit(message, paths)
        except GitError as exc:
            raise GitError(
                f"the edits are applied ('tome undo' reverts them) but not committed: {exc}"
            ) from exc
        if apply_id is not None:
            self.store.record_commit(apply_id, sha)
        return sha

    def save(self, result: Result) -> None:
        """Record the review state of every hunk (so :meth:`load` reopens it as left)."""
        self.sessions.save(result)

    def decline(self, result: Result) -> None:
        """Record that the user declined to apply ``result`` (it shows as ``declined``)."""
        self.sessions.decline(result)

    # -- undoing --

    def undo(self, session_id: int | None = None, *, force: bool = False) -> UndoRecord:
        """Revert the last apply byte for byte; see :func:`revert`. Raises when there is
        nothing to undo."""
        done = self.sessions.undo(session_id, force=force)
        if done is None:
            raise AssistantError("nothing to undo: no apply is recorded in this repository")
        return done

    # -- history --

    def history(self, *, limit: int = 50) -> list[SessionSummary]:
        """The newest ``limit`` sessions, newest first."""
        return self.sessions.sessions(limit=limit)

    def requests(self, *, limit: int = 50) -> list[SessionSummary]:
        """The newest ``limit`` requests, newest first, each with its repair rounds
        (:meth:`assistant.history.History.requests`)."""
        return self.sessions.requests(limit=limit)

    def load(self, session_id: int) -> Result:
        """A past session as a :class:`Result`, with its review state as it was left."""
        return self.sessions.load(session_id)


def _aside(delta: ReasoningText | RetryNotice) -> ReasoningDelta | Retrying:
    """The event for what the client streams beside the answer's text."""
    from .model import ReasoningText

    return ReasoningDelta(delta.text) if isinstance(delta, ReasoningText) else Retrying(delta)


def _last(events: Iterator[Event]) -> Result:
    result: Result | None = None
    for event in events:
        if isinstance(event, Finished):
            result = event.result
    assert result is not None, "a stream always ends with Finished"
    return result
