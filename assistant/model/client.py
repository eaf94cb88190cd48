"""Talk to a backend through the official ``openai`` SDK: stream, retry, continue, account.

This is the only module that imports ``openai`` (and its HTTP transport) and the only place
their exceptions are translated into :mod:`assistant.errors`.

- Before sending, the prompt is counted with the backend's encoding and refused with numbers
  when prompt + reserved output exceed the window (:func:`~.usage.check_window`).
- The SDK's own retries are off; ours are bounded, exponential with jitter and honour
  ``Retry-After``. 429, 5xx, timeouts and dropped connections retry; 400/401/402/403/404/422
  are final with a message that says what to do.
- ``finish_reason == "length"`` continues automatically (DeepSeek: beta prefix completion
  with the partial answer as the assistant prefix; others: a follow-up message), up to
  ``max_continuations``; a reply still cut off is marked :attr:`Reply.truncated`. A stream
  dropped after some text resumes the same way, so what was already yielded stays valid.
- Time and memory are bounded whatever the server does: each request has a deadline
  (:meth:`~.retry.Timeouts.deadline_for`) checked on every chunk of bytes, stops when no new
  text arrives for the read timeout (keep-alive comments are not text), and an answer past
  ``max_answer_bytes`` is stopped. These end the reply with an error: a partial answer is
  never returned as a whole one.
- A 200 whose body is not an event stream (a JSON error, an HTML page from a proxy or a
  wrong base URL) is reported with the server's own words, escaped and shortened.
- Reasoning (DeepSeek's thinking mode streams ``reasoning_content`` deltas; vLLM and others
  ``reasoning``) is kept apart from the answer: :meth:`ReplyStream.events` yields it as
  :class:`ReasoningText`, never as text, and :attr:`Reply.reasoning` holds it, so nothing
  downstream can take it for the answer (or parse edits out of it). A request asks for the
  level of :attr:`ClientOptions.reasoning` (:func:`~.backend.reasoning_params`) and reserves
  output for it (:func:`~.usage.output_reserve`).
- A cut-off answer of a request that reasons: DeepSeek documents prefix completion and
  thinking mode, but not the two together (whether the prefix would be read as answer or as
  reasoning is not said), so tome never sends a prefix with thinking on. With DeepSeek's
  switch the continuation is a prefix completion with thinking *disabled*: the reasoning
  is done, the answer goes on from its last character, a documented non-thinking request
  (and it does not pay for thinking again). A backend that continues by prefix but has no
  such switch continues by a follow-up message instead: the partial answer as the
  assistant's turn (without its reasoning, :func:`history_message`) and "continue exactly
  where it stopped". A reply whose reasoning used the whole reserve before any answer
  arrived is not continued: it is :attr:`Reply.truncated` with :attr:`Reply.reasoning_cut`.
- Text deltas are yielded as they arrive; the :class:`Reply` (text, usage, cost) is on the
  stream object once it is exhausted. :meth:`ReplyStream.events` also yields a
  :class:`RetryNotice` before each wait, so a caller can say ``retrying in 4 s (429 rate
  limited)`` while it waits.

:class:`Client` is blocking; :class:`AsyncClient` is its twin for the TUI. Both run the same
:class:`_Exchange` state machine, which does no I/O.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import http
import json
import random
import re
import socket
import time
import zlib
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any

import openai

from ..config import Settings
from ..display import safe_name
from ..errors import (
    AuthError,
    BackendUnavailable,
    ConfigError,
    ContextLengthError,
    ModelError,
    RateLimitError,
)
from .backend import LEVELS, Backend, affinity_fields, reasoning_level, reasoning_params
from .retry import RetryPolicy, Timeouts, format_seconds, parse_retry_after
from .usage import (
    Estimate,
    Usage,
    check_window,
    cost,
    estimate,
    output_reserve,
    usage_from_api,
)

try:  # openai >= 3 moved to httpx2; older releases use httpx
    import httpx2 as _http
except ModuleNotFoundError:  # pragma: no cover - depends on the installed SDK
    import httpx as _http  # type: ignore[no-redef]

__all__ = [
    "AsyncClient",
    "AsyncReplyStream",
    "Client",
    "ClientOptions",
    "Message",
    "Prepared",
    "ReasoningText",
    "Reply",
    "ReplyStream",
    "RetryNotice",
    "count_prompt",
    "framing_tokens",
    "history_message",
    "prompt_overhead",
]

Message = Mapping[str, Any]
CONTINUE_PROMPT = (
    "Your previous answer was cut off. Continue exactly where it stopped: do not repeat "
    "anything, do not add any preamble, start with the next character."
)
NO_KEY = "not-needed"  # the SDK insists on a key; local servers ignore it
# tokens a chat template adds per message (role markers) and per reply; an over-estimate
PER_MESSAGE_TOKENS = 4
PER_REPLY_TOKENS = 3
_RETRY_STATUSES = frozenset({408, 409, 425, 500, 502, 503, 504, 520, 522, 524, 529})
DEFAULT_MAX_ANSWER_BYTES = 8 * 1024 * 1024
_BODY_KEPT = 64 * 1024  # bytes of a body that is not an event stream, kept to describe it
_MESSAGE_CHARS = 300  # characters of a server's message shown to the user


@dataclass(frozen=True)
class ClientOptions:
    """How hard to try: retries, timeouts, continuations, reserved output."""

    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_continuations: int = 4
    max_output: int | None = None  # reserved output per request; None: usage.output_reserve
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES  # UTF-8 bytes of one reply's text
    reasoning: str | None = None  # off, low, medium, high; None: the provider's default
    affinity_key: str | None = None  # the shared prefix's key for a router (Backend.affinity)

    def __post_init__(self) -> None:
        if self.reasoning is not None and self.reasoning not in LEVELS:
            raise ConfigError(
                f"client options: reasoning = {self.reasoning!r} is not one of {', '.join(LEVELS)}",
                setting="reasoning",
            )
        for name, value in (
            ("max_continuations", self.max_continuations),
            ("max_answer_bytes", self.max_answer_bytes),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"client options: {name} = {value!r} must be an integer >= 0")

    @classmethod
    def from_settings(cls, settings: Settings) -> ClientOptions:
        return cls(
            retry=RetryPolicy.from_settings(settings),
            timeouts=Timeouts.from_settings(settings),
            max_continuations=settings.max_continuations,
            max_output=settings.max_output,
            max_answer_bytes=settings.max_answer_bytes,
            reasoning=settings.reasoning,
        )


@dataclass(frozen=True)
class RetryNotice:
    """A retry about to happen: ``str()`` is the line to show (``retrying in 4 s (429 rate
    limited; retry 1 of 4)``). ``attempt`` counts retries from 1. The first notice comes
    right after the first failure, so a refused connection is said at once, not after
    the waits of every retry."""

    attempt: int
    delay: float
    reason: str
    limit: int = 0
    """The most retries the policy allows (0: not said)."""

    def __str__(self) -> str:
        count = f"; retry {self.attempt} of {self.limit}" if self.limit else ""
        return f"retrying in {format_seconds(self.delay)} ({self.reason}{count})"


@dataclass(frozen=True)
class ReasoningText:
    """A piece of the model's reasoning, as it arrives: shown apart, never the answer."""

    text: str


@dataclass(frozen=True)
class Prepared:
    """A request that fits: its size, reserved output and (when prices are known) cost."""

    prompt_tokens: int
    max_output: int
    estimate: Estimate | None


@dataclass(frozen=True)
class Reply:
    """A finished answer. ``truncated`` means it is still cut off: do not apply it as is."""

    text: str
    usage: Usage
    finish_reason: str | None
    truncated: bool
    continuations: int
    retries: int
    cost: float | None
    reasoning: str = ""
    """The reasoning the model streamed before (and between) its answer, apart from it."""
    reasoning_cut: bool = False
    """The reasoning used the whole output reserve before the answer began."""

    @property
    def complete(self) -> bool:
        return not self.truncated


def history_message(
    reply: Reply | str, *, tool_calls: Sequence[Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The assistant message that stands for ``reply`` (or an answer's text) in the
    messages of a later request: a follow-up round, a send-back, a continuation.

    The one rule for what goes back (DeepSeek, https://api-docs.deepseek.com/guides/
    thinking_mode and reasoning_model): the reasoning of a turn without tool calls is not
    sent back (``deepseek-reasoner`` answers 400 when ``reasoning_content`` is in the input;
    the V4 thinking mode ignores it), only the answer. A turn that made tool calls must carry
    its ``reasoning_content`` in every later request, so with ``tool_calls`` it does (tome
    makes none today; the rule is here for the day it does)."""
    if isinstance(reply, str):
        content, reasoning = reply, ""
    else:
        content, reasoning = reply.text, reply.reasoning
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = [dict(call) for call in tool_calls]
        message["reasoning_content"] = reasoning
    return message


def count_prompt(messages: Sequence[Message], encoding: str) -> int:
    """Tokens of a chat prompt in ``encoding`` (message overhead included, rounded up)."""
    from .. import tokens  # here, not at import: tiktoken loads only when a prompt is counted

    texts = [m["content"] for m in messages if isinstance(m.get("content"), str)]
    counts = tokens.count_batch(texts, encoding)
    return sum(counts) + framing_tokens(len(messages))


def framing_tokens(messages: int, *, reply: bool = True) -> int:
    """Tokens the chat template adds around ``messages`` messages (role markers) and, with
    ``reply``, before the reply: counted into every prompt, so the estimate is the request."""
    return PER_MESSAGE_TOKENS * messages + (PER_REPLY_TOKENS if reply else 0)


def prompt_overhead(system: str, encoding: str) -> int:
    """Tokens a ``[system, user]`` prompt costs beyond the user message: the ``system`` text
    in ``encoding`` and the framing of both messages and of the reply. A plan adds it to the
    pack's tokens; :func:`count_prompt` of the two messages gives the same sum."""
    from .. import tokens  # here, not at import: tiktoken loads only when a prompt is counted

    return tokens.count(system, encoding) + framing_tokens(2)


# ---------------------------------------------------------------------------------------------
# Error translation: the one seam between openai/http exceptions and ours.


@dataclass(frozen=True)
class _Failure:
    error: ModelError
    retry: bool
    retry_after: float | None = None
    reason: str = ""  # why, in a few words, for the retry notice ("429 rate limited")
    said: str = ""  # the message without advice, for a refusal to retry


def _printable(text: str, limit: int = _MESSAGE_CHARS) -> str:
    """A server's words made safe to print on one line: whitespace runs folded, then every
    non-printable character escaped as for a name (:func:`~assistant.display.safe_name`: no
    terminal escapes, no bidi overrides), at most ``limit`` chars."""
    shown = safe_name(" ".join(text.split())[: limit + 1])  # escaping only lengthens
    return shown if len(shown) <= limit else shown[:limit] + "…"


_TITLE = re.compile(r"<title[^>]*>([^<]*)</title", re.IGNORECASE)


def _describe_body(body: str) -> tuple[str, bool]:
    """What a body that should have been an OpenAI response holds, in the server's words:
    (description, whether the server reported an error itself)."""
    text = body.strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, dict) and error.get("message"):
            error = error["message"]
        if not error and isinstance(parsed.get("message"), str):
            error = parsed["message"]
        if error:
            return _printable(str(error)), True
        return f"JSON that is not an OpenAI response: {_printable(text, 200)}", False
    head = text[:2048].lower()
    if head.startswith("<") and ("<html" in head or "<!doctype" in head or "<title" in head):
        title = _TITLE.search(text[:_BODY_KEPT])
        named = f" (title: {_printable(html.unescape(title.group(1)), 120)})" if title else ""
        return f"an HTML page{named}, not an OpenAI-compatible response", False
    return f"something that is not an OpenAI response: {_printable(text, 200)}", False


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, Mapping):
        inner = body.get("error", body)
        if isinstance(inner, Mapping) and isinstance(inner.get("message"), str):
            return _printable(str(inner["message"]))
        if isinstance(body.get("message"), str):
            return _printable(str(body["message"]))
    if isinstance(body, str) and body.strip():
        return _describe_body(body)[0]
    return _printable(exc.message)


def _status_reason(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase.lower()}"
    except ValueError:
        return str(status)


def _is_context_overflow(message: str) -> bool:
    text = message.lower()
    return ("context" in text or "token" in text) and any(
        word in text for word in ("length", "maximum", "too long", "exceed", "too many")
    )


def _connection_failure(exc: BaseException) -> tuple[str, str]:
    """Why a connection failed, in a few words, and the deepest cause's own words: the SDK
    says only "Connection error." for a refused connection and an unknown host alike."""
    seen: list[BaseException] = []
    cause: BaseException | None = exc
    while cause is not None and cause not in seen and len(seen) < 16:
        seen.append(cause)
        cause = cause.__cause__ or cause.__context__
    root = seen[-1]
    if isinstance(root, ConnectionRefusedError):
        return "connection refused", f"{root}; is the server running?"
    if isinstance(root, socket.gaierror):
        return "host not found", str(root)
    if isinstance(root, ConnectionResetError):
        return "connection reset", str(root)
    if any(isinstance(e, _http.ConnectError) for e in seen):
        return "cannot connect", str(root)
    return "connection dropped", str(root if str(root) else exc)


def _translate(exc: BaseException, backend: Backend) -> _Failure:
    where = f"{backend.name} ({backend.base_url})"
    if isinstance(exc, openai.APITimeoutError | _http.TimeoutException):
        said = f"{where}: timed out waiting for the model"
        return _Failure(BackendUnavailable(said), True, reason="timed out", said=said)
    if isinstance(exc, openai.APIConnectionError | _http.TransportError):
        reason, detail = _connection_failure(exc)
        said = f"{where}: {reason} ({_printable(detail)})"
        return _Failure(BackendUnavailable(said), True, reason=reason, said=said)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = _server_message(exc)
        said = f"{where} answered {status}: {message}"
        if status == 429:
            after = parse_retry_after(dict(exc.response.headers))
            return _Failure(
                RateLimitError(
                    f"{said}; wait and retry, or lower the request rate", retry_after=after
                ),
                True,
                after,
                reason="429 rate limited",
                said=said,
            )
        if status in (401, 403):
            env = backend.api_key_env or "the key variable"
            return _Failure(AuthError(f"{said}; check the key in ${env}"), False)
        if status == 402:
            return _Failure(
                ModelError(
                    f"{said}; the account is out of credit: top it up or pick another backend",
                    backend=backend.name,
                    status=402,
                ),
                False,
            )
        if status == 404:
            return _Failure(
                ModelError(
                    f"{said}; check the model id {backend.model!r} and the base URL of "
                    f"backend {backend.name!r}",
                    backend=backend.name,
                    status=404,
                ),
                False,
            )
        if status == 400 and _is_context_overflow(message):
            return _Failure(
                ContextLengthError(f"{said}; pack less of the repository or reserve less output"),
                False,
            )
        if status in _RETRY_STATUSES or status >= 500:
            after = parse_retry_after(dict(exc.response.headers))
            return _Failure(
                BackendUnavailable(f"{said}; try again later"),
                True,
                after,
                reason=_status_reason(status),
                said=said,
            )
        return _Failure(ModelError(f"{said}; the request was refused as sent"), False)
    if isinstance(exc, openai.APIError):
        return _Failure(ModelError(f"{where}: {_printable(exc.message)}"), False)
    if isinstance(exc, openai.OpenAIError):
        return _Failure(ModelError(f"{where}: {_printable(str(exc))}"), False)
    raise TypeError(f"not a backend error: {exc!r}")  # pragma: no cover - programming error


_CAUGHT: tuple[type[BaseException], ...] = (openai.OpenAIError, _http.HTTPError)


# ---------------------------------------------------------------------------------------------
# The exchange: one logical reply, over as many HTTP requests as retries and continuations take.


@dataclass(frozen=True)
class _Call:
    prefix: bool  # send to the prefix-completion endpoint
    kwargs: dict[str, Any]
    timeout: openai.Timeout


class _Text:
    """Accumulates deltas without one object per delta (memory stays ~1x the text)."""

    __slots__ = ("blocks", "parts", "size")

    def __init__(self) -> None:
        self.blocks: list[str] = []
        self.parts: list[str] = []
        self.size = 0

    def add(self, delta: str) -> None:
        self.parts.append(delta)
        self.size += len(delta)
        if len(self.parts) >= 512:
            self.blocks.append("".join(self.parts))
            self.parts = []

    def value(self) -> str:
        if self.parts:
            self.blocks.append("".join(self.parts))
            self.parts = []
        if len(self.blocks) > 1:
            self.blocks = ["".join(self.blocks)]
        return self.blocks[0] if self.blocks else ""


class _Exchange:
    """The state machine shared by the sync and async clients (no I/O here)."""

    def __init__(
        self,
        backend: Backend,
        options: ClientOptions,
        messages: Sequence[Message],
        prepared: Prepared,
        stream_usage: bool,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.params = reasoning_params(backend, options.reasoning)  # the body's fields
        self.thinking = reasoning_level(backend, options.reasoning) != "off"
        self.clock = clock
        self.options = options
        self.messages = [dict(m) for m in messages]
        self.prepared = prepared
        self.stream_usage = stream_usage
        self.text = _Text()
        self.reasoning = _Text()  # apart from the answer, never parsed
        self.reasoning_cut = False
        self.usage = Usage()
        self.retries = 0
        self.continuations = 0
        self.finish: str | None = None
        self.done = False
        self.truncated = False
        self.answer_bytes = 0  # UTF-8 bytes of the text, against options.max_answer_bytes
        self.waited = 0.0  # seconds of retry waits so far, against retry.max_total
        self.notice: RetryNotice | None = None  # the retry about to happen, for the caller
        # per attempt
        self._attempt_chars = 0
        self._attempt_reasoning = 0
        self._attempt_finish: str | None = None
        self._attempt_usage: Usage | None = None
        self._sse = _SSE(options.max_answer_bytes + _BODY_KEPT)
        self._started = 0.0
        self._last_text = 0.0
        self._deadline = 0.0
        self._stall = 0.0
        self.attempt_done = False  # the server said [DONE]

    # -- requests --------------------------------------------------------------------------
    def next_call(self) -> _Call | None:
        if self.done:
            return None
        self._attempt_chars = 0
        self._attempt_reasoning = 0
        self._attempt_finish = None
        self._attempt_usage = None
        self._sse = _SSE(self.options.max_answer_bytes + _BODY_KEPT)
        self.attempt_done = False
        messages: list[dict[str, Any]] = list(self.messages)
        prefix = False
        max_output = self.prepared.max_output
        params = self.params
        if not self.text.size:
            self.reasoning = _Text()  # asked again from the start: so is the reasoning
        if self.text.size:
            partial = self.text.value()
            switch = self.backend.reasoning_control == "deepseek"
            if self.backend.continuation == "prefix" and (not self.reasons or switch):
                prefix = True
                messages.append({"role": "assistant", "content": partial, "prefix": True})
                if self.reasons:  # never a prefix with thinking on: the answer goes on
                    params = {"thinking": {"type": "disabled"}}
            else:  # a follow-up turn; the reasoning is not sent back (history_message)
                messages.append(history_message(partial))
                messages.append({"role": "user", "content": CONTINUE_PROMPT})
            used = self.prepared.prompt_tokens + self.usage.completion_tokens
            max_output = max(1, min(max_output, self.backend.window - used))
        kwargs: dict[str, Any] = {
            "model": self.backend.model,
            "messages": messages,
            "stream": True,
            self.backend.max_tokens_param: max_output,
            "extra_headers": {"Accept-Encoding": _ACCEPTED_ENCODINGS},
        }
        if self.stream_usage:
            kwargs["stream_options"] = {"include_usage": True}
        headers, fields = affinity_fields(self.backend, self.options.affinity_key)
        kwargs["extra_headers"].update(headers)
        if params or fields:
            kwargs["extra_body"] = {**params, **fields}
        t = self.options.timeouts
        prompt = self.prepared.prompt_tokens + self.text.size // 4
        self._stall = t.read_for(prompt)
        self._deadline = t.deadline_for(prompt, max_output)
        self._started = self._last_text = self.clock()
        read = min(self._stall, self._deadline)  # a silent socket ends by the deadline too
        timeout = openai.Timeout(read, connect=t.connect, read=read, write=read, pool=t.connect)
        return _Call(prefix=prefix, kwargs=kwargs, timeout=timeout)

    @property
    def reasons(self) -> bool:
        """Whether this reply reasons: asked to, or reasoning text arrived anyway."""
        return self.thinking or self.reasoning.size > 0

    # -- bytes -----------------------------------------------------------------------------
    def receive(self, chunk: bytes) -> list[str | ReasoningText]:
        """Bytes of the body as they arrive: the text deltas they complete. Checks the
        request's deadline and the time since the last text on every chunk, so a server
        that drips bytes or only sends keep-alives is stopped on time."""
        try:
            events = self._sse.feed(chunk)
        except _LineTooLong as exc:
            raise _too_large(self.backend, self.options.max_answer_bytes, self.text.size) from exc
        texts = [t for data in events for t in self._event(data)]
        self._check_time()
        return texts

    def body_ended(self) -> list[str | ReasoningText]:
        """The body ended: the text of a last event that had no blank line after it."""
        return [t for data in self._sse.close() for t in self._event(data)]

    def _event(self, data: str) -> list[str | ReasoningText]:
        if self.attempt_done:
            return []
        if data == _SSE.DONE:
            self.attempt_done = True
            return []
        pieces = self.feed(data)
        if pieces:  # reasoning is progress too: a long think is not a stall
            self._last_text = self.clock()
        return pieces

    def _check_time(self) -> None:
        now = self.clock()
        if now - self._started > self._deadline:
            raise BackendUnavailable(
                self._late(f"passed its deadline of {format_seconds(self._deadline)}")
            )
        if now - self._last_text > self._stall:
            what = "nothing" if not self._attempt_chars + self._attempt_reasoning else "no new text"
            raise BackendUnavailable(
                self._late(f"sent {what} for {format_seconds(self._stall)} (only keep-alives)")
            )

    def _late(self, what: str) -> str:
        where = f"{self.backend.name} ({self.backend.base_url})"
        got = f"; {self.text.size:,} characters had arrived, not used" if self.text.size else ""
        subject = "the request" if what.startswith("passed") else "the backend"
        return (
            f"{where}: {subject} {what}{got}; try again later, or raise request_deadline / "
            "read_timeout if the model is just slow"
        )

    def _not_a_stream(self) -> ModelError:
        where = f"{self.backend.name} ({self.backend.base_url})"
        body, own = _describe_body(self._sse.junk.decode("utf-8", "replace"))
        if own:
            return ModelError(f"{where}: the backend answered 200 with an error: {body}")
        return ModelError(f"{where}: the backend answered with {body}; check base_url")

    # -- responses -------------------------------------------------------------------------
    def feed(self, data: str) -> list[str | ReasoningText]:
        """One SSE ``data:`` payload (a chat.completion.chunk as JSON): the reasoning and the
        text it adds, in that order."""
        try:
            chunk = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"{self.backend.name} ({self.backend.base_url}) streamed something that is not "
                f"JSON: {data[:120]!r}; is the base URL an OpenAI-compatible endpoint?"
            ) from exc
        if not isinstance(chunk, dict):
            return []
        if chunk.get("error"):
            error = chunk["error"]
            message = error.get("message", error) if isinstance(error, dict) else error
            raise ModelError(
                f"{self.backend.name} ({self.backend.base_url}): {_printable(str(message))}"
            )
        raw_usage = chunk.get("usage")
        if isinstance(raw_usage, dict):
            self._attempt_usage = usage_from_api(raw_usage)
        pieces: list[str | ReasoningText] = []
        for choice in chunk.get("choices") or ():
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            thought = delta.get("reasoning_content") or delta.get("reasoning")
            if thought and isinstance(thought, str):
                self._count_bytes(thought)
                self.reasoning.add(thought)
                self._attempt_reasoning += len(thought)
                pieces.append(ReasoningText(thought))
            content = delta.get("content")
            if content and isinstance(content, str):
                self._count_bytes(content)
                self.text.add(content)
                self._attempt_chars += len(content)
                pieces.append(content)
            if choice.get("finish_reason"):
                self._attempt_finish = choice["finish_reason"]
        return pieces

    def _count_bytes(self, content: str) -> None:
        # len() is a lower bound of the UTF-8 size; encode only when it could matter
        size = len(content)
        if self.answer_bytes + 4 * size > self.options.max_answer_bytes:
            size = len(content.encode("utf-8", "surrogatepass"))
        self.answer_bytes += size
        if self.answer_bytes > self.options.max_answer_bytes:
            raise _too_large(self.backend, self.options.max_answer_bytes, self.text.size)

    def _account_attempt(self) -> None:
        if self._attempt_usage is not None:
            self.usage = self.usage + self._attempt_usage
        elif self._attempt_chars or self._attempt_reasoning or self._attempt_finish:
            # nothing reported (a drop, or a server without usage): count it ourselves
            reasoning = self._attempt_reasoning // 4
            self.usage = self.usage + Usage(
                prompt_tokens=self.prepared.prompt_tokens,
                completion_tokens=max(1, self._attempt_chars // 4 + reasoning),
                cache_miss_tokens=self.prepared.prompt_tokens,
                estimated=True,
                reasoning_tokens=reasoning,
            )

    def ended(self) -> float | None:
        """The stream ended cleanly. Returns a delay before the next call, or None."""
        self._account_attempt()
        finish = self._attempt_finish
        if (
            finish is None
            and self._sse.junk
            and not self._attempt_chars
            and not self._attempt_reasoning
        ):
            raise self._not_a_stream()  # a 200 that is a JSON error or an HTML page
        if finish is None:  # the body ended without a finish_reason: a silent drop
            said = (
                f"{self.backend.name} ({self.backend.base_url}): the stream ended without "
                "a finish reason (connection dropped)"
            )
            failure = _Failure(
                BackendUnavailable(said), True, reason="connection dropped", said=said
            )
            return self._retry(failure, None)
        self.finish = finish
        if finish == "length":
            can_continue = self.backend.continuation != "none" and self.text.size > 0
            room = self.backend.window - self.prepared.prompt_tokens - self.usage.completion_tokens
            if can_continue and self.continuations < self.options.max_continuations and room > 0:
                self.continuations += 1
                return 0.0
            self.truncated = True
            self.reasoning_cut = self.text.size == 0 and self.reasoning.size > 0
        self.done = True
        return None

    def failed(self, exc: BaseException) -> float:
        """A request raised. Returns the delay before retrying, or raises the final error."""
        self._account_attempt()
        if self._sse.junk and not self._attempt_chars and isinstance(exc, _http.HTTPError):
            raise self._not_a_stream() from exc  # a page, then the connection closed
        if self._started and self.clock() - self._started > self._deadline:
            late = f"passed its deadline of {format_seconds(self._deadline)}"
            raise BackendUnavailable(self._late(late)) from exc
        failure = _translate(exc, self.backend)
        if not failure.retry:
            raise failure.error from exc
        return self._retry(failure, exc)

    def _retry(self, failure: _Failure, cause: BaseException | None) -> float:
        error, after = failure.error, failure.retry_after
        if self.text.size and self.backend.continuation == "none":
            raise ModelError(
                f"{error}; {self.text.size:,} characters had arrived and {self.backend.name} "
                "cannot continue a partial answer: send again"
            ) from cause
        policy = self.options.retry
        delay = policy.delay(self.retries, retry_after=after, rand=random.random())
        refusal = policy.refusal(
            retries=self.retries, waited=self.waited, delay=delay, retry_after=after
        )
        if refusal is not None:
            if after is not None and after > policy.wait_limit:
                message = f"{failure.said or error}; {refusal}"
            else:
                message = f"{error} ({refusal})"
            if isinstance(error, RateLimitError):
                raise RateLimitError(message, retry_after=error.retry_after) from cause
            raise type(error)(message) from cause
        self.retries += 1
        self.waited += delay
        self.notice = RetryNotice(
            attempt=self.retries, delay=delay, reason=failure.reason, limit=policy.max_retries
        )
        return delay

    def take_notice(self) -> RetryNotice | None:
        """The retry about to happen (once), so the stream can show it before it waits."""
        notice, self.notice = self.notice, None
        return notice

    def reply(self) -> Reply:
        prices = self.backend.prices
        return Reply(
            text=self.text.value(),
            usage=self.usage,
            finish_reason=self.finish,
            truncated=self.truncated,
            continuations=self.continuations,
            retries=self.retries,
            cost=cost(self.usage, prices) if prices is not None else None,
            reasoning=self.reasoning.value(),
            reasoning_cut=self.reasoning_cut,
        )


def format_size(n: int) -> str:
    """``8 MiB``, ``512 KiB``, ``1,000 bytes``."""
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:,} bytes"


def _too_large(backend: Backend, limit: int, chars: int) -> ModelError:
    return ModelError(
        f"{backend.name} ({backend.base_url}): the answer passed the {format_size(limit)} cap "
        f"(max_answer_bytes) after {chars:,} characters and was stopped; nothing of it is used: "
        "narrow the task, or raise max_answer_bytes"
    )


_ACCEPTED_ENCODINGS = "gzip, deflate"
_PIECE = 64 * 1024  # the most bytes one decoded piece may hold


class _Decoder:
    """The body's bytes as the server encoded them -> decoded pieces of at most
    :data:`_PIECE` bytes, so the answer cap is checked between pieces and a compressed
    bomb (a few kilobytes that inflate to gigabytes) cannot fill memory first. Only the
    encodings tome asks for are read; anything else is refused with the server's word."""

    def __init__(self, headers: Any, backend: Backend) -> None:
        encoding = str(headers.get("content-encoding", "") or "").strip().lower()
        if encoding in ("", "identity"):
            self._inflate: Any = None
        elif encoding in ("gzip", "x-gzip", "deflate"):
            self._inflate = zlib.decompressobj(wbits=47 if "gzip" in encoding else 15)
        else:
            raise ModelError(
                f"{backend.name} ({backend.base_url}): the answer came encoded as "
                f"{_printable(encoding)[:40]!r}, which tome did not ask for ({_ACCEPTED_ENCODINGS})"
            )

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._inflate is None:
            for at in range(0, len(data), _PIECE):
                yield data[at : at + _PIECE]
            return
        try:
            while data:
                piece = self._inflate.decompress(data, _PIECE)
                data = self._inflate.unconsumed_tail
                if piece:
                    yield piece
        except zlib.error as exc:
            raise _http.DecodingError(f"the compressed answer is damaged: {exc}") from exc


def _decoded(chunks: Iterable[bytes], headers: Any, backend: Backend) -> Iterator[bytes]:
    decoder = _Decoder(headers, backend)
    for data in chunks:
        yield from decoder.feed(data)


async def _adecoded(
    chunks: AsyncIterator[bytes], headers: Any, backend: Backend
) -> AsyncIterator[bytes]:
    decoder = _Decoder(headers, backend)
    async for data in chunks:
        for piece in decoder.feed(data):
            yield piece


class _SSE:
    """Server-sent events from raw bytes: returns each event's data once the event ends.

    Bytes, not lines, so the caller regains control on every chunk (a server dripping one
    byte a second never completes a line). Comments (``: keep-alive``) and the other SSE
    fields are skipped; ``[DONE]`` is returned as data for the caller to stop on. Lines
    that are no SSE field at all (a JSON error body, an HTML page) are kept, up to
    :data:`_BODY_KEPT` bytes, in :attr:`junk` for the error message. A line longer than
    ``limit`` bytes raises :class:`_LineTooLong`: memory stays bounded."""

    __slots__ = ("buffer", "data", "junk", "limit")
    DONE = "[DONE]"
    FIELDS = frozenset({b"data", b"event", b"id", b"retry"})

    def __init__(self, limit: int) -> None:
        self.buffer = bytearray()
        self.data: list[str] = []
        self.junk = bytearray()
        self.limit = limit

    def feed(self, chunk: bytes) -> list[str]:
        self.buffer += chunk
        if b"\n" not in chunk:  # the common drip: no line ends here, nothing to scan
            if len(self.buffer) > self.limit:
                raise _LineTooLong(self.limit)
            return []
        *lines, rest = self.buffer.split(b"\n")
        self.buffer = bytearray(rest)
        if len(self.buffer) > self.limit:
            raise _LineTooLong(self.limit)
        return [d for line in lines if (d := self._line(bytes(line))) is not None]

    def close(self) -> list[str]:
        """The body ended: the last line (without its newline) and the last event."""
        rest, self.buffer = bytes(self.buffer), bytearray()
        events = [d for line in (rest, b"") if (d := self._line(line)) is not None]
        return events

    def _line(self, line: bytes) -> str | None:
        if line.endswith(b"\r"):
            line = line[:-1]
        if not line:
            if not self.data:
                return None
            data, self.data = "\n".join(self.data), []
            return data
        if line.startswith(b":"):
            return None  # a comment: keep-alive
        name, colon, value = line.partition(b":")
        if name == b"data" and colon:
            self.data.append(
                (value[1:] if value.startswith(b" ") else value).decode("utf-8", "replace")
            )
        elif name not in self.FIELDS and len(self.junk) < _BODY_KEPT:
            self.junk += line[: _BODY_KEPT - len(self.junk)] + b"\n"
        return None


class _LineTooLong(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _stream_options_refused(exc: BaseException) -> bool:
    return isinstance(exc, openai.BadRequestError) and "stream_options" in str(exc.message)


# ---------------------------------------------------------------------------------------------
# Clients


class _Base:
    def __init__(
        self,
        backend: Backend,
        *,
        options: ClientOptions | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.backend = backend
        self.options = options or ClientOptions()
        self._key = backend.require_key(env) or NO_KEY
        self._stream_usage = backend.stream_usage
        reasoning_params(backend, self.options.reasoning)  # a level it cannot honour fails here

    def __repr__(self) -> str:
        key = f"${self.backend.api_key_env} (redacted)" if self.backend.api_key_env else "none"
        return (
            f"{type(self).__name__}(backend={self.backend.name!r}, "
            f"base_url={self.backend.base_url!r}, model={self.backend.model!r}, key={key})"
        )

    @property
    def reserve(self) -> int:
        """Output tokens each request reserves (its ``max_tokens``) unless a call asks for
        another number: :func:`~.usage.output_reserve` of the options and the backend."""
        return self.reserve_for(None)

    def reserve_for(self, max_output: int | None) -> int:
        """The reserve of a request that asks for ``max_output`` (None: the options')."""
        b = self.backend
        wanted = max_output or self.options.max_output
        return output_reserve(
            wanted, max_output=b.max_output, window=b.window, reasoning=self.reasoning_level
        )

    @property
    def reasoning_level(self) -> str:
        """The level requests reason at: the options', else the provider's default."""
        return reasoning_level(self.backend, self.options.reasoning)

    def prompt_overhead(self, system: str) -> int:
        """Tokens a ``[system, user]`` prompt costs beyond the user message, in this
        backend's encoding (:func:`prompt_overhead`)."""
        return prompt_overhead(system, self.backend.encoding)

    def prepare(
        self,
        messages: Sequence[Message],
        *,
        max_output: int | None = None,
        prompt_tokens: int | None = None,
    ) -> Prepared:
        """Count (unless ``prompt_tokens`` is given), check the window, estimate the cost."""
        reserve = self.reserve_for(max_output)
        tokens = (
            prompt_tokens
            if prompt_tokens is not None
            else count_prompt(messages, self.backend.encoding)
        )
        check_window(
            prompt_tokens=tokens,
            max_output=reserve,
            window=self.backend.window,
            backend=self.backend.name,
        )
        prices = self.backend.prices
        level = self.reasoning_level
        est = estimate(tokens, reserve, prices, reasoning=level) if prices is not None else None
        return Prepared(prompt_tokens=tokens, max_output=reserve, estimate=est)

    def _exchange(self, messages: Sequence[Message], prepared: Prepared) -> _Exchange:
        return _Exchange(self.backend, self.options, messages, prepared, self._stream_usage)

    def _sdk_args(self, prefix: bool) -> dict[str, Any]:
        base = self.backend.base_url
        if prefix:
            base = self.backend.prefix_base_url or base
        return {"base_url": base, "api_key": self._key, "max_retries": 0}


class ReplyStream:
    """Iterate for text deltas; :attr:`reply` holds the finished :class:`Reply` afterwards."""

    def __init__(self, client: Client, exchange: _Exchange) -> None:
        self._client = client
        self._exchange = exchange
        self.prepared = exchange.prepared
        self.reply: Reply | None = None

    def __iter__(self) -> Iterator[str]:
        with contextlib.closing(self.events()) as events:  # closed with us: drops the HTTP
            for event in events:
                if isinstance(event, str):
                    yield event

    def events(self) -> Generator[str | ReasoningText | RetryNotice, None, None]:
        """Text deltas, :class:`ReasoningText` as the model reasons, and a
        :class:`RetryNotice` before each retry's wait."""
        ex = self._exchange
        while (call := ex.next_call()) is not None:
            delay: float | None
            try:
                sdk = self._client._sdk(call.prefix)
                create = sdk.chat.completions.with_streaming_response.create
                with create(**call.kwargs, timeout=call.timeout) as response:
                    raw = response.http_response
                    for chunk in _decoded(raw.iter_raw(), raw.headers, ex.backend):
                        yield from ex.receive(chunk)
                        if ex.attempt_done:
                            break
                    else:
                        yield from ex.body_ended()
            except _CAUGHT as exc:
                if _stream_options_refused(exc) and ex.stream_usage:
                    ex.stream_usage = self._client._stream_usage = False
                    continue
                delay = ex.failed(exc)
            else:
                delay = ex.ended()
            if (notice := ex.take_notice()) is not None:
                yield notice
            if delay:
                self._client._sleep(delay)
        self.reply = ex.reply()


class Client(_Base):
    """Blocking client. ``sleep`` is injectable so tests observe the backoff without waiting."""

    def __init__(
        self,
        backend: Backend,
        *,
        options: ClientOptions | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(backend, options=options, env=env)
        self._sleep = sleep
        self._clients: dict[bool, openai.OpenAI] = {}

    def _sdk(self, prefix: bool) -> openai.OpenAI:
        if prefix not in self._clients:
            self._clients[prefix] = openai.OpenAI(**self._sdk_args(prefix))
        return self._clients[prefix]

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_output: int | None = None,
        prompt_tokens: int | None = None,
        prepared: Prepared | None = None,
    ) -> ReplyStream:
        """Check and start a reply; raises :class:`ContextLengthError` before any I/O."""
        ready = prepared or self.prepare(
            messages, max_output=max_output, prompt_tokens=prompt_tokens
        )
        return ReplyStream(self, self._exchange(messages, ready))

    def complete(
        self,
        messages: Sequence[Message],
        *,
        max_output: int | None = None,
        prompt_tokens: int | None = None,
    ) -> Reply:
        """The whole reply at once (streamed underneath, so long answers never time out)."""
        stream = self.stream(messages, max_output=max_output, prompt_tokens=prompt_tokens)
        for _ in stream:
            pass
        assert stream.reply is not None
        return stream.reply

    def list_models(self) -> list[str]:
        """Model ids the server offers (``GET /models``)."""
        try:
            return sorted(m.id for m in self._sdk(False).models.list())
        except _CAUGHT as exc:
            raise _translate(exc, self.backend).error from exc

    def close(self) -> None:
        for sdk in self._clients.values():
            sdk.close()
        self._clients.clear()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncReplyStream:
    """``async for`` text deltas; :attr:`reply` holds the finished :class:`Reply` afterwards."""

    def __init__(self, client: AsyncClient, exchange: _Exchange) -> None:
        self._client = client
        self._exchange = exchange
        self.prepared = exchange.prepared
        self.reply: Reply | None = None

    async def __aiter__(self) -> AsyncIterator[str]:
        async with contextlib.aclosing(self.events()) as events:
            async for event in events:
                if isinstance(event, str):
                    yield event

    async def events(self) -> AsyncGenerator[str | ReasoningText | RetryNotice, None]:
        """Text deltas, :class:`ReasoningText` as the model reasons, and a
        :class:`RetryNotice` before each retry's wait."""
        ex = self._exchange
        while (call := ex.next_call()) is not None:
            delay: float | None
            try:
                sdk = self._client._sdk(call.prefix)
                create = sdk.chat.completions.with_streaming_response.create
                async with create(**call.kwargs, timeout=call.timeout) as response:
                    raw = response.http_response
                    async for chunk in _adecoded(raw.aiter_raw(), raw.headers, ex.backend):
                        for text in ex.receive(chunk):
                            yield text
                        if ex.attempt_done:
                            break
                    else:
                        for text in ex.body_ended():
                            yield text
            except _CAUGHT as exc:
                if _stream_options_refused(exc) and ex.stream_usage:
                    ex.stream_usage = self._client._stream_usage = False
                    continue
                delay = ex.failed(exc)
            else:
                delay = ex.ended()
            if (notice := ex.take_notice()) is not None:
                yield notice
            if delay:
                await self._client._sleep(delay)
        self.reply = ex.reply()


class AsyncClient(_Base):
    """The asyncio twin of :class:`Client` (same options, same errors)."""

    def __init__(
        self,
        backend: Backend,
        *,
        options: ClientOptions | None = None,
        env: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(backend, options=options, env=env)
        self._sleep = sleep
        self._clients: dict[bool, openai.AsyncOpenAI] = {}

    def _sdk(self, prefix: bool) -> openai.AsyncOpenAI:
        if prefix not in self._clients:
            self._clients[prefix] = openai.AsyncOpenAI(**self._sdk_args(prefix))
        return self._clients[prefix]

    def stream(
        self,
        messages: Sequence[Message],
        *,
        max_output: int | None = None,
        prompt_tokens: int | None = None,
        prepared: Prepared | None = None,
    ) -> AsyncReplyStream:
        ready = prepared or self.prepare(
            messages, max_output=max_output, prompt_tokens=prompt_tokens
        )
        return AsyncReplyStream(self, self._exchange(messages, ready))

    async def complete(
        self,
        messages: Sequence[Message],
        *,
        max_output: int | None = None,
        prompt_tokens: int | None = None,
    ) -> Reply:
        stream = self.stream(messages, max_output=max_output, prompt_tokens=prompt_tokens)
        async for _ in stream:
            pass
        assert stream.reply is not None
        return stream.reply

    async def aclose(self) -> None:
        for sdk in self._clients.values():
            await sdk.close()
        self._clients.clear()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
