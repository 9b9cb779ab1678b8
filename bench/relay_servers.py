"""The two server processes of bench/relay.py: a fast fake provider and the chat app.

Run by bench/relay.py, not by hand:
  relay_servers.py provider PORT TOKENS INTERVAL   the fake provider
  relay_servers.py chat PORT COUNTS_FILE           daphne serving chatsite, counting SQL writes
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import re
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# ------------------------------------------------------------------ fake provider (own process)
async def _provider_serve(port: int, tokens: int, interval: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # The direct-TTFT client hangs up after the first delta.
        with contextlib.suppress(ConnectionError):
            await respond(reader, writer)

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n"
        )
        rid = f"resp_{uuid.uuid4().hex}"

        def send(n: int, event: dict) -> None:
            writer.write(f"data: {json.dumps({**event, 'sequence_number': n})}\n\n".encode())

        send(0, {"type": "response.created", "response": {"id": rid, "status": "in_progress"}})
        text = []
        for i in range(tokens):
            await asyncio.sleep(interval)
            delta = f"[{i}@{time.time():.6f}]"
            text.append(delta)
            send(i + 1, {"type": "response.output_text.delta", "delta": delta})
            await writer.drain()
        output = [{"type": "message", "content": [{"type": "output_text", "text": "".join(text)}]}]
        usage = {"input_tokens": 5, "output_tokens": tokens}
        response = {"id": rid, "status": "completed", "output": output, "usage": usage}
        send(tokens + 1, {"type": "response.completed", "response": response})
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    async with server:
        await server.serve_forever()


# ------------------------------------------------------------------ chat server (own process)
def _serve_chat(port: int, counts: Path) -> None:
    """Run daphne in this process, counting the SQL writes and lock errors of every connection."""
    import django
    from django.db import OperationalError
    from django.db.backends.signals import connection_created

    django.setup()
    tally = {"writes": 0, "locked": 0}

    def count(execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            tally["writes"] += 1
        try:
            return execute(sql, params, many, context)
        except OperationalError as exc:
            tally["locked"] += "locked" in str(exc)
            raise

    def wrap(connection, **kwargs) -> None:
        # The wrapper object outlives its connections (CONN_MAX_AGE = 0): add the counter once.
        if count not in connection.execute_wrappers:
            connection.execute_wrappers.append(count)

    connection_created.connect(wrap, weak=False)

    def flush() -> None:
        # Written aside and renamed, so the bench never reads a half-written file.
        counts.with_suffix(".tmp").write_text(json.dumps(tally))
        counts.with_suffix(".tmp").replace(counts)

    def flush_forever() -> None:
        # Only when the counts changed: this thread runs inside the process being measured.
        written = None
        while True:
            if tally != written:
                written = dict(tally)
                flush()
            time.sleep(0.1)

    atexit.register(flush)

    threading.Thread(target=flush_forever, daemon=True).start()
    from daphne.cli import CommandLineInterface

    if os.environ.get("BENCH_PROFILE"):  # where the chat server's CPU goes, for a person to read
        import cProfile

        profile = cProfile.Profile()
        profile.enable()
        atexit.register(lambda: profile.dump_stats(os.environ["BENCH_PROFILE"]))

    CommandLineInterface().run(["-b", "127.0.0.1", "-p", str(port), "chatsite.asgi:application"])


def main() -> None:
    role, port, *rest = sys.argv[1:]
    if role == "provider":
        asyncio.run(_provider_serve(int(port), int(rest[0]), float(rest[1])))
    else:
        _serve_chat(int(port), Path(rest[0]))


if __name__ == "__main__":
    main()
