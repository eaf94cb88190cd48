"""A real OpenAI-compatible HTTP server on 127.0.0.1 for tests and benchmarks.

It speaks the chat-completions wire protocol well enough that the official ``openai`` SDK
talks to it exactly as it talks to a provider:

- ``POST /v1/chat/completions``: JSON, or SSE (``stream: true``) in small chunks with
  ``: keep-alive`` comments, a usage chunk when ``stream_options.include_usage`` is set
  (DeepSeek or OpenAI field names), and ``data: [DONE]``;
- ``POST /beta/chat/completions``: DeepSeek's prefix completion (the last message must be an
  assistant message with ``"prefix": true``);
- ``GET /v1/models``.

Replies are scripted (:class:`Reply`, consumed first in first out) and can inject faults:
an error status with ``Retry-After``, a connection dropped mid-stream, a slow first byte,
``finish_reason: length``; a reasoning model's thinking (``reasoning``: streamed as
``reasoning_content`` deltas before the answer, as DeepSeek's thinking mode does, and counted in
``completion_tokens_details.reasoning_tokens``); and the hostile ones: keep-alive comments and nothing else
(``pings``), the stream dripped a byte at a time (``drip``), a text that never ends
(``endless``), a 200 whose body is anything (``raw_body``: a JSON error, an HTML page). Every request is recorded (:class:`Received`) so a test asserts on
what the server got as well as on what the client returned.

Use :func:`serve` as a context manager, or the ``fake_openai`` fixture in
``tests/model/conftest.py``. Streams use chunked transfer encoding, so a dropped connection
is a protocol error on the client side, as it is with a real provider.

Or start it on its own, to run tome or the examples against it with no key and no network
(every request gets the same reply: the text of ANSWER, or ``ok``; ``--reply`` repeated
scripts one answer per request, the last one repeating; ``--prefix-cache`` reports the
prompt prefix shared with an earlier request as cache hits)::

    python3 tests/fakeopenai.py [--port 8000] [--reply ANSWER.md ...] [--prefix-cache]
                                [--reasoning THOUGHTS.md]
    tome ask "rename greet" --base-url http://127.0.0.1:8000/v1 --model fake-model

It prints its base URL on the first line and serves until Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

__all__ = ["FakeOpenAI", "Received", "Reply", "serve"]


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Defaults give a short, complete, streamed reply."""

    text: str = "ok"
    finish_reason: str = "stop"
    status: int = 200
    error: str = ""  # message of the error body when status != 200
    error_type: str = "invalid_request_error"
    headers: tuple[tuple[str, str], ...] = ()
    chunk_chars: int = 8  # characters of text per SSE event
    usage_style: Literal["deepseek", "openai"] = "deepseek"
    prompt_tokens: int | None = None  # default: characters of the prompt / 4
    completion_tokens: int | None = None  # default: characters of the text / 4
    cached_tokens: int = 0
    include_usage: bool | None = None  # None: as the request asked (stream_options)
    first_byte_delay: float = 0.0  # seconds before the status line
    keepalives: int = 1  # ": keep-alive" comments before the first event
    drop_after: int | None = None  # close the connection after this many text events
    batch_events: int = 1  # events per TCP write (benchmarks raise it)
    pings: float | None = None  # send only ": keep-alive" comments, one every this many s
    drip: float | None = None  # send the stream one byte at a time, this many s apart
    endless: bool = False  # stream ``text`` again and again, never finishing
    raw_body: str | None = None  # a 200 with this body (and raw_type) instead of a stream
    raw_type: str = "application/json"
    raw_encoding: str | None = None  # send raw_data with this Content-Encoding instead
    raw_data: bytes = b""  # the encoded body sent with raw_encoding
    reasoning: str = ""  # streamed first, as reasoning_content deltas (a thinking model)
    reasoning_field: str = "reasoning_content"  # DeepSeek's name; vLLM's newer one: reasoning
    reasoning_tokens: int | None = None  # default: characters of the reasoning / 4


HOSTILE_SECONDS = 20.0  # a hostile stream stops by itself after this, if the client did not


@dataclass(frozen=True)
class Received:
    """What the server got: the path, the bearer key and the JSON body."""

    path: str
    api_key: str | None
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def model(self) -> str | None:
        return self.body.get("model")


@dataclass
class FakeOpenAI:
    """The running server's handle: its URLs, the reply script and the request log."""

    host: str
    port: int
    models: tuple[str, ...] = ("fake-model",)
    default: Reply = field(default_factory=Reply)
    require_key: str | None = None
    script: deque[Reply] = field(default_factory=deque)
    requests: list[Received] = field(default_factory=list)
    send_seconds: list[float] = field(default_factory=list)  # per streamed reply
    # how the server counts a request's prompt tokens for its usage (default: characters / 4;
    # a Reply's prompt_tokens wins): a test gives a real tokenizer and a chat template's cost
    count_prompt: Callable[[list[dict[str, Any]]], int] | None = None
    # answer 400 to a request whose messages carry reasoning_content without tool calls, as
    # deepseek-reasoner does ("remove reasoning_content before the next request")
    refuse_reasoning_input: bool = False
    # a provider's prefix cache: a reply without its own cached_tokens reports the prompt's
    # prefix shared with an earlier request as cache hits (characters / 4, as prompt counts)
    prefix_cache: bool = False
    # benchmarks (tome batch): every chat request takes ``latency`` seconds before its first
    # byte, and at most ``max_concurrent`` are served at once (the rest wait their turn)
    latency: float = 0.0
    max_concurrent: int | None = None
    # the Batch API (/v1/files, /v1/batches): see the "Batch API" section below
    batches: BatchAPIState = field(default_factory=lambda: BatchAPIState())
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def beta_url(self) -> str:
        return f"http://{self.host}:{self.port}/beta"

    def push(self, *replies: Reply) -> None:
        """Queue replies; each request takes the next one (then :attr:`default`)."""
        with self._lock:
            self.script.extend(replies)

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            return self.script.popleft() if self.script else self.default


def _prompt_chars(body: dict[str, Any]) -> int:
    total = 0
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            total += len(content)
    return total


def _prompt_text(messages: list[dict[str, Any]]) -> str:
    return "".join(
        f"{m.get('role')}\x00{m.get('content')}\x00" if isinstance(m.get("content"), str) else ""
        for m in messages
    )


def shared_prefix_chars(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> int:
    """Characters of message content two requests share from the start (roles included in
    the comparison, so a changed role breaks the prefix as it does a provider's cache)."""
    x, y = _prompt_text(a), _prompt_text(b)
    n = min(len(x), len(y))
    i = 0
    while i < n and x[i] == y[i]:
        i += 1
    return i - x[:i].count("\x00")


def _cached(fake: FakeOpenAI, body: dict[str, Any]) -> int:
    """Cache-hit tokens of a request under :attr:`FakeOpenAI.prefix_cache`."""
    with fake._lock:
        earlier = [r.messages for r in fake.requests[:-1]]
    messages = list(body.get("messages", []))
    best = max((shared_prefix_chars(messages, e) for e in earlier), default=0)
    return best // 4


def _usage(reply: Reply, body: dict[str, Any], fake: FakeOpenAI) -> dict[str, Any]:
    prompt = reply.prompt_tokens
    if prompt is None:
        counter = fake.count_prompt
        prompt = counter(body.get("messages", [])) if counter else _prompt_chars(body) // 4
    reasoning = (
        reply.reasoning_tokens if reply.reasoning_tokens is not None else len(reply.reasoning) // 4
    )
    completion = (
        reply.completion_tokens
        if reply.completion_tokens is not None
        else len(reply.text) // 4 + reasoning  # providers count reasoning as output
    )
    usage: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    cached = reply.cached_tokens
    if not cached and fake.prefix_cache:
        cached = min(prompt, _cached(fake, body))
    if reply.reasoning or reply.reasoning_tokens is not None:
        usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    if reply.usage_style == "deepseek":
        usage["prompt_cache_hit_tokens"] = cached
        usage["prompt_cache_miss_tokens"] = prompt - cached
    else:
        usage["prompt_tokens_details"] = {"cached_tokens": cached}
    return usage


def _event_bytes(model: Any, delta: dict[str, Any], finish: str | None) -> bytes:
    """One SSE event holding a chat.completion.chunk."""
    chunk = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return b"data: " + json.dumps(chunk).encode() + b"\n\n"


def _completion(reply: Reply, body: dict[str, Any], fake: FakeOpenAI) -> dict[str, Any]:
    """A non-streamed chat.completion for ``reply`` (also the body of a Batch API answer)."""
    payload = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model"),
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": reply.text,
                    **({"reasoning_content": reply.reasoning} if reply.reasoning else {}),
                },
                "finish_reason": reply.finish_reason,
            }
        ],
        "usage": _usage(reply, body, fake),
    }
    return payload


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet under pytest
        pass

    # -- plumbing ---------------------------------------------------------------------------
    def _json(self, status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str, headers=()) -> None:  # type: ignore[no-untyped-def]
        self._json(status, {"error": {"message": message, "type": kind, "code": None}}, headers)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    # -- routes -----------------------------------------------------------------------------
    def do_GET(self) -> None:
        fake = self.server.fake
        if self.path.startswith(("/v1/files", "/v1/batches")):
            _batch_get(self, fake)
            return
        if self.path.rstrip("/") == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"} for m in fake.models
            ]
            self._json(200, {"object": "list", "data": data})
        else:
            self._error(404, f"no route {self.path}", "not_found")

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        if self.path.startswith(("/v1/files", "/v1/batches")):
            _batch_post(self, fake, self.rfile.read(length))
            return
        body = json.loads(self.rfile.read(length) or b"{}")
        auth = self.headers.get("Authorization", "")
        key = auth.removeprefix("Bearer ") if auth.startswith("Bearer ") else None
        path = self.path.rstrip("/")
        if path not in ("/v1/chat/completions", "/beta/chat/completions"):
            self._error(404, f"no route {self.path}", "not_found")
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = fake._next(Received(path=path, api_key=key, body=body, headers=headers))
        with _served(fake):
            self._answer(fake, reply, body, key, path)

    def _answer(self, fake: FakeOpenAI, reply: Reply, body: dict[str, Any], key: str | None,
                path: str) -> None:  # fmt: skip
        if reply.first_byte_delay:
            time.sleep(reply.first_byte_delay)  # the fault being simulated, not synchronisation
        if fake.require_key is not None and key != fake.require_key:
            self._error(401, "Authentication Fails (invalid api key)", "authentication_error")
            return
        last = (body.get("messages") or [{}])[-1]
        is_prefix = last.get("role") == "assistant" and last.get("prefix") is True
        if path.startswith("/beta") != is_prefix:
            self._error(400, "prefix completion needs /beta and a final prefix message", "invalid")
            return
        if fake.refuse_reasoning_input and any(
            "reasoning_content" in m and not m.get("tool_calls") for m in body.get("messages", [])
        ):
            self._error(400, "reasoning_content is not allowed in input messages", "invalid")
            return
        if reply.status != 200:
            self._error(
                reply.status, reply.error or "scripted error", reply.error_type, reply.headers
            )
            return
        if reply.raw_encoding is not None:
            self._raw_bytes(reply.raw_data, reply.raw_type, reply.raw_encoding)
        elif reply.raw_body is not None:
            self._raw(reply.raw_body, reply.raw_type)
        elif body.get("stream"):
            self._stream(reply, body)
        else:
            self._complete(reply, body)

    def _complete(self, reply: Reply, body: dict[str, Any]) -> None:
        self._json(200, _completion(reply, body, self.server.fake), reply.headers)

    def _raw_bytes(self, data: bytes, content_type: str, encoding: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client may stop reading early: the test's point
            self.wfile.write(data)

    def _raw(self, text: str, content_type: str) -> None:
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _until_the_client_leaves(self, pieces: Iterator[bytes], pause: float) -> None:
        """Write ``pieces`` as chunks, ``pause`` s apart, until the client closes (the
        fault under test) or :data:`HOSTILE_SECONDS` pass."""
        ends = time.monotonic() + HOSTILE_SECONDS
        try:
            for piece in pieces:
                if time.monotonic() > ends:
                    break
                self._chunk(piece)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)  # the drip being simulated, not synchronisation
        except (ConnectionError, OSError):
            pass
        self.close_connection = True

    @staticmethod
    def _events(reply: Reply, body: dict[str, Any]) -> bytes:
        """The whole normal stream of ``reply`` as bytes (for the drip)."""
        model, step = body.get("model"), max(1, reply.chunk_chars)
        out = [
            _event_bytes(model, {"content": reply.text[i : i + step]}, None)
            for i in range(0, len(reply.text), step)
        ]
        out.append(_event_bytes(model, {}, reply.finish_reason))
        return b"".join(out) + b"data: [DONE]\n\n"

    def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
        fake = self.server.fake
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        started = time.perf_counter()
        if reply.pings is not None:  # the text (never finished), then pings for ever
            step = max(1, reply.chunk_chars)
            for start in range(0, len(reply.text), step):
                delta = {"content": reply.text[start : start + step]}
                self._chunk(_event_bytes(body.get("model"), delta, None))
            self._until_the_client_leaves(iter(lambda: b": keep-alive\n\n", None), reply.pings)
            return
        if reply.drip is not None:
            whole = self._events(reply, body)
            self._until_the_client_leaves((whole[i : i + 1] for i in range(len(whole))), reply.drip)
            return
        for _ in range(reply.keepalives):
            self._chunk(b": keep-alive\n\n")
        model = body.get("model")
        if reply.endless:
            piece = _event_bytes(model, {"content": reply.text}, None) * 64
            self._until_the_client_leaves(iter(lambda: piece, None), 0.0)
            return

        def event(delta: dict[str, Any], finish: str | None = None) -> bytes:
            return _event_bytes(model, delta, finish)

        text, step = reply.text, max(1, reply.chunk_chars)
        pending: list[bytes] = [event({"role": "assistant", "content": ""})]
        thinking = [
            ({"content": None, reply.reasoning_field: reply.reasoning[i : i + step]})
            for i in range(0, len(reply.reasoning), step)
        ]  # thinking first, apart; drop_after counts its events too
        answer = [{"content": text[i : i + step]} for i in range(0, len(text), step)]
        for sent, delta in enumerate(thinking + answer):
            if reply.drop_after is not None and sent >= reply.drop_after:
                if pending:  # an empty chunk would end the body cleanly: not a drop
                    self._chunk(b"".join(pending))
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            pending.append(event(delta))
            if len(pending) >= reply.batch_events:
                self._chunk(b"".join(pending))
                pending = []
        pending.append(event({}, reply.finish_reason))
        wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        if reply.include_usage if reply.include_usage is not None else wants_usage:
            usage_chunk = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": 0,
                "model": model,
                "choices": [],
                "usage": _usage(reply, body, self.server.fake),
            }
            pending.append(b"data: " + json.dumps(usage_chunk).encode() + b"\n\n")
        pending.append(b"data: [DONE]\n\n")
        self._chunk(b"".join(pending))
        self.wfile.write(b"0\r\n\r\n")
        fake.send_seconds.append(time.perf_counter() - started)


# -- Batch API (/v1/files, /v1/batches) and the benchmark's latency -------------------------
#
# ``POST /v1/files`` (multipart: ``purpose`` and ``file``) stores a file; ``GET
# /v1/files/ID/content`` returns it. ``POST /v1/batches`` (``input_file_id``, ``endpoint``,
# ``completion_window``) runs every line of the input through the reply script (each line is
# logged in ``requests`` as its body, as a chat request is) and writes the output file as
# OpenAI does: ``{"id", "custom_id", "response": {"status_code", "request_id", "body"},
# "error"}`` a line. ``GET /v1/batches/ID`` reports ``validating``, then ``in_progress``,
# then ``completed`` (one step per poll; ``BatchAPIState.polls`` polls in all).


@dataclass
class BatchAPIState:
    """Files and batches held by the fake server."""

    files: dict[str, bytes] = field(default_factory=dict)
    purposes: dict[str, str] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    polls: int = 2  # retrieves before a batch reads "completed"
    created: list[dict[str, Any]] = field(default_factory=list)  # the bodies of batch creates
    gate: threading.Semaphore | None = None  # max_concurrent's, made on first use
    served: list[tuple[float, float]] = field(default_factory=list)  # (start, end) per request


@contextmanager
def _served(fake: FakeOpenAI) -> Iterator[None]:
    """A chat request's turn: wait for one of ``max_concurrent`` places, take ``latency``."""
    state = fake.batches
    with fake._lock:
        if fake.max_concurrent is not None and state.gate is None:
            state.gate = threading.Semaphore(fake.max_concurrent)
        gate = state.gate
    if gate is not None:
        gate.acquire()
    start = time.monotonic()
    try:
        if fake.latency:
            time.sleep(fake.latency)  # the latency being simulated, not synchronisation
        yield
    finally:
        with fake._lock:
            state.served.append((start, time.monotonic()))
        if gate is not None:
            gate.release()


def _multipart(content_type: str, data: bytes) -> dict[str, bytes]:
    import email
    import email.policy

    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + data, policy=email.policy.HTTP
    )
    fields: dict[str, bytes] = {}
    for part in message.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = part.get_payload(decode=True) or b""
    return fields


def _batch_post(handler: _Handler, fake: FakeOpenAI, data: bytes) -> None:
    state = fake.batches
    path = handler.path.rstrip("/")
    if path == "/v1/files":
        fields = _multipart(handler.headers.get("Content-Type", ""), data)
        with fake._lock:
            file_id = f"file-{len(state.files) + 1}"
            state.files[file_id] = fields.get("file", b"")
            state.purposes[file_id] = fields.get("purpose", b"").decode()
        handler._json(
            200,
            {
                "id": file_id,
                "object": "file",
                "bytes": len(state.files[file_id]),
                "created_at": 0,
                "filename": "input.jsonl",
                "purpose": state.purposes[file_id],
                "status": "processed",
            },
        )
        return
    if path != "/v1/batches":
        handler._error(404, f"no route {handler.path}", "not_found")
        return
    body = json.loads(data or b"{}")
    state.created.append(body)
    source = state.files.get(body.get("input_file_id", ""))
    if source is None or body.get("endpoint") != "/v1/chat/completions" or body.get(
            "completion_window") != "24h":  # fmt: skip
        handler._error(400, "input_file_id, endpoint and completion_window are required", "invalid")
        return
    lines = []
    for n, raw in enumerate(source.decode().splitlines()):
        request = json.loads(raw)
        reply = fake._next(Received(path=request["url"], api_key=None, body=request["body"]))
        if reply.status != 200:
            response = {
                "status_code": reply.status,
                "request_id": f"req-{n}",
                "body": {"error": {"message": reply.error or "scripted error"}},
            }
        else:
            response = {
                "status_code": 200,
                "request_id": f"req-{n}",
                "body": _completion(reply, request["body"], fake),
            }
        lines.append(
            json.dumps(
                {
                    "id": f"batch_req_{n}",
                    "custom_id": request["custom_id"],
                    "response": response,
                    "error": None,
                }
            )
        )
    with fake._lock:
        batch_id = f"batch_{len(state.batches) + 1}"
        out_id = f"file-out-{len(state.files) + 1}"
        state.files[out_id] = ("\n".join(lines) + "\n").encode()
        state.batches[batch_id] = {
            "id": batch_id, "object": "batch", "endpoint": body["endpoint"], "errors": None,
            "input_file_id": body["input_file_id"], "completion_window": "24h",
            "status": "validating", "output_file_id": None, "error_file_id": None,
            "created_at": 0, "metadata": body.get("metadata"), "_polls": 0, "_out": out_id,
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
        }  # fmt: skip
    handler._json(200, _shown_batch(state.batches[batch_id]))


def _shown_batch(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


def _batch_get(handler: _Handler, fake: FakeOpenAI) -> None:
    state = fake.batches
    parts = handler.path.strip("/").split("/")  # v1 files ID content | v1 batches ID
    if len(parts) == 4 and parts[1] == "files" and parts[3] == "content":
        data = state.files.get(parts[2])
        if data is None:
            handler._error(404, f"no file {parts[2]}", "not_found")
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "application/octet-stream")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)
        return
    if len(parts) == 3 and parts[1] == "batches" and parts[2] in state.batches:
        with fake._lock:
            batch = state.batches[parts[2]]
            batch["_polls"] += 1
            if batch["_polls"] >= state.polls:
                counts = batch["request_counts"]
                batch.update(status="completed", output_file_id=batch["_out"])
                counts["completed"] = counts["total"]
            else:
                batch["status"] = "in_progress"
        handler._json(200, _shown_batch(batch))
        return
    handler._error(404, f"no route {handler.path}", "not_found")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test) leaves a broken pipe behind: expected here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve(
    *,
    models: tuple[str, ...] = ("fake-model",),
    require_key: str | None = None,
    default: Reply | None = None,
    port: int = 0,
) -> Iterator[FakeOpenAI]:
    """Run the server on 127.0.0.1 (``port``, or a free one) in a thread for the ``with``
    block."""
    server = _Server(("127.0.0.1", port), _Handler)
    host, port = server.server_address[:2]
    fake = FakeOpenAI(host=str(host), port=int(port), models=models, require_key=require_key)
    if default is not None:
        fake.default = default
    server.fake = fake
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-openai", daemon=True
    )
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def main(argv: list[str] | None = None) -> int:
    """Serve on 127.0.0.1 until interrupted, answering every request with one reply."""
    parser = argparse.ArgumentParser(description="A fake OpenAI-compatible server on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument(
        "--reply",
        metavar="FILE",
        action="append",
        help="the answer to give (default: 'ok'); repeated: one per request in order, the "
        "last one for every request after",
    )
    parser.add_argument("--model", default="fake-model", help="the model /v1/models lists")
    parser.add_argument(
        "--reasoning", metavar="FILE", help="reasoning to stream first (reasoning_content)"
    )
    parser.add_argument(
        "--prefix-cache", action="store_true", help="report shared prompt prefixes as cache hits"
    )
    args = parser.parse_args(argv)
    texts = ["ok"]
    if args.reply:
        texts = []
        for name in args.reply:
            with open(name, encoding="utf-8") as fh:
                texts.append(fh.read())
    thoughts = ""
    if args.reasoning:
        with open(args.reasoning, encoding="utf-8") as fh:
            thoughts = fh.read()
    default = Reply(text=texts[-1], reasoning=thoughts)
    with serve(models=(args.model,), default=default, port=args.port) as fake:
        fake.prefix_cache = args.prefix_cache
        fake.push(*(Reply(text=t, reasoning=thoughts) for t in texts[:-1]))
        print(fake.base_url, flush=True)
        print(f"model {args.model}; Ctrl-C stops it", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
