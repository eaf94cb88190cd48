"""Streaming cost of the model client: time and memory per streamed megabyte.

    python3 bench/stream.py [--chunk N]

Against the fake OpenAI server (tests/fakeopenai.py, a real HTTP server on 127.0.0.1) this
streams answers of 0.5, 1, 2 and 4 MB as SSE events of CHUNK characters each and measures:

- time: the full client (openai SDK + tome's Client: retries, accounting, stitching) against
  a floor measured in the same run, a bare httpx read of the identical response that only
  drains the bytes. Client overhead per MB = (client - floor) / MB; the server's own send
  time is printed too. Target: overhead < 0.2 s per MB for the 2 MB answer.
- memory: tracemalloc peak while streaming, per byte of answer. The client must keep the
  answer (to continue a cut-off reply and to hand it on), so "flat" means the peak per answer
  byte does not grow with the answer. Target: peak/size at 4 MB within 1.25x of 0.5 MB.

Each figure is the best of REPEATS runs (timings), one run (memory).
"""

from __future__ import annotations

import gc
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from fakeopenai import FakeOpenAI, Reply, serve

from assistant.model import Backend, Client, ClientOptions
from assistant.model.client import _http  # the SDK's own transport, for the floor

MB = 1024 * 1024
SIZES_MB = (0.5, 1.0, 2.0, 4.0)
CHUNK = 256  # characters per SSE event
REPEATS = 3
TARGET_OVERHEAD_S_PER_MB = 0.2
FLAT_TOLERANCE = 1.25
MESSAGES = [{"role": "user", "content": "write a lot"}]
LINE = "    result = compute(alpha, beta)  # a line of code, more or less\n"


def answer(size: int) -> str:
    return (LINE * (size // len(LINE) + 1))[:size]


def backend(fake: FakeOpenAI) -> Backend:
    return Backend(
        name="bench",
        base_url=fake.base_url,
        model="fake-model",
        window=10_000_000,
        max_output=5_000_000,
        encoding="o200k_base",
        key_required=False,
    )


def client_run(client: Client, size: int) -> float:
    started = time.perf_counter()
    stream = client.stream(MESSAGES, prompt_tokens=10)
    for _ in stream:
        pass
    elapsed = time.perf_counter() - started
    assert stream.reply is not None and len(stream.reply.text) == size
    return elapsed


def floor_run(http: _http.Client, url: str, size: int) -> float:
    body = {"model": "fake-model", "messages": MESSAGES, "stream": True}
    started = time.perf_counter()
    received = 0
    with http.stream("POST", url + "/chat/completions", json=body) as response:
        for data in response.iter_bytes():
            received += len(data)
    elapsed = time.perf_counter() - started
    assert received > size
    return elapsed


def main() -> int:
    global CHUNK
    if "--chunk" in sys.argv:
        CHUNK = int(sys.argv[sys.argv.index("--chunk") + 1])
    failures = 0
    with serve() as fake:
        client = Client(backend(fake), options=ClientOptions(max_continuations=0))
        http = _http.Client(timeout=60.0)
        print(f"streaming answers as SSE events of {CHUNK} characters, best of {REPEATS}")
        print(
            f"{'size':>6}  {'floor s':>8}  {'client s':>8}  {'server s':>8}  {'ovh s/MB':>9}  ratio"
        )
        overhead_at: dict[float, float] = {}
        for size_mb in SIZES_MB:
            size = int(size_mb * MB)
            fake.default = Reply(text=answer(size), chunk_chars=CHUNK, keepalives=0)
            floors, clients, sends = [], [], []
            for _ in range(REPEATS):
                floors.append(floor_run(http, fake.base_url, size))
                clients.append(client_run(client, size))
                sends.append(fake.send_seconds[-1])
            floor, took = min(floors), min(clients)
            overhead_at[size_mb] = (took - floor) / size_mb
            print(
                f"{size_mb:>5}M  {floor:>8.3f}  {took:>8.3f}  {min(sends):>8.3f}  "
                f"{overhead_at[size_mb]:>9.3f}  {took / floor:>4.2f}x floor"
            )
        ok = overhead_at[2.0] < TARGET_OVERHEAD_S_PER_MB
        failures += not ok
        print(
            f"{'PASS' if ok else 'FAIL'} time: client overhead {overhead_at[2.0]:.3f} s per MB at 2 MB "
            f"(target < {TARGET_OVERHEAD_S_PER_MB} s; {overhead_at[2.0] / TARGET_OVERHEAD_S_PER_MB:.2f}x of it)"
        )

        print(f"\n{'size':>6}  {'peak MB':>8}  peak/size")
        per_byte: dict[float, float] = {}
        for size_mb in SIZES_MB:
            size = int(size_mb * MB)
            fake.default = Reply(text=answer(size), chunk_chars=CHUNK, keepalives=0)
            gc.collect()
            tracemalloc.start()
            client_run(client, size)
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            per_byte[size_mb] = peak / size
            print(f"{size_mb:>5}M  {peak / MB:>8.2f}  {per_byte[size_mb]:>6.2f}x")
        growth = per_byte[SIZES_MB[-1]] / per_byte[SIZES_MB[0]]
        ok = growth <= FLAT_TOLERANCE
        failures += not ok
        print(
            f"{'PASS' if ok else 'FAIL'} memory: peak per answer byte at 4 MB is {growth:.2f}x "
            f"that at 0.5 MB (target <= {FLAT_TOLERANCE}x: flat in answer size)"
        )
        http.close()
        client.close()
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
