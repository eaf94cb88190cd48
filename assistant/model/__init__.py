"""Model backends: presets and configured endpoints, the streaming client, usage and cost.

    from assistant.config import load_settings
    from assistant.model import Client, ClientOptions, resolve_backend

    settings = load_settings()
    backend = resolve_backend(settings)            # deepseek-v4-flash unless configured
    with Client(backend, options=ClientOptions.from_settings(settings)) as client:
        stream = client.stream([{"role": "user", "content": "Hello"}])
        for delta in stream:
            print(delta, end="")
        print(stream.reply.usage)

Nothing here reads files, env or the network at import time.
"""

from __future__ import annotations

from .backend import (
    LEVELS,
    Backend,
    Prices,
    affinity_fields,
    available_backends,
    backend_names,
    load_presets,
    reasoning_level,
    reasoning_params,
    resolve_backend,
)
from .client import (
    AsyncClient,
    AsyncReplyStream,
    Client,
    ClientOptions,
    Message,
    Prepared,
    ReasoningText,
    Reply,
    ReplyStream,
    RetryNotice,
    count_prompt,
    framing_tokens,
    history_message,
    prompt_overhead,
)
from .retry import RetryPolicy, Timeouts, parse_retry_after
from .usage import (
    Estimate,
    Usage,
    check_window,
    cost,
    estimate,
    format_estimate,
    format_usage,
    output_reserve,
    reserve_note,
    usage_from_api,
)

__all__ = [
    "LEVELS",
    "AsyncClient",
    "AsyncReplyStream",
    "Backend",
    "Client",
    "ClientOptions",
    "Estimate",
    "Message",
    "Prepared",
    "Prices",
    "ReasoningText",
    "Reply",
    "ReplyStream",
    "RetryNotice",
    "RetryPolicy",
    "Timeouts",
    "Usage",
    "affinity_fields",
    "available_backends",
    "backend_names",
    "check_window",
    "cost",
    "count_prompt",
    "estimate",
    "format_estimate",
    "format_usage",
    "framing_tokens",
    "history_message",
    "load_presets",
    "output_reserve",
    "parse_retry_after",
    "prompt_overhead",
    "reasoning_level",
    "reasoning_params",
    "reserve_note",
    "resolve_backend",
    "usage_from_api",
]
