"""Server-sent events decoding per the WHATWG event-stream interpretation (pure, no I/O).

Lines end in CR, LF or CRLF; several `data:` lines join with LF; `:` lines are comments; an
event completes at a blank line, and one cut off by EOF is discarded.

Lines are split on bytes, before decoding: in UTF-8 the bytes of CR and LF never occur inside
another character, and one split and one decode per event costs a fraction of a per-character
regex and an incremental decoder (this runs for every token of every stream).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

BOM = b"\xef\xbb\xbf"


def _normalised(buffer: bytes) -> tuple[bytes, bytes]:
    """The buffer with CRLF and CR turned to LF, and a trailing CR kept back (its LF may follow)."""
    if b"\r" not in buffer:
        return buffer, b""
    held = b""
    if buffer.endswith(b"\r"):
        buffer, held = buffer[:-1], b"\r"
    return buffer.replace(b"\r\n", b"\n").replace(b"\r", b"\n"), held


def _decode(lines: list[bytes]) -> str:
    return b"\n".join(lines).decode("utf-8", errors="replace")


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Yield the data of each dispatched event of an SSE byte stream."""
    data: list[bytes] = []
    rest, start = b"", True
    async for chunk in chunks:
        if start:
            rest += chunk
            if len(rest) < len(BOM) and BOM.startswith(rest):
                continue  # a BOM split across chunks
            chunk, rest, start = rest.removeprefix(BOM), b"", False
        text, held = _normalised(rest + chunk)
        *lines, rest = text.split(b"\n")
        rest += held
        for line in lines:
            if not line:
                if data and (payload := _decode(data)):
                    yield payload
                data = []
            elif line.startswith(b"data"):
                field, _, value = line.partition(b":")
                if field == b"data":
                    data.append(value[1:] if value.startswith(b" ") else value)
    # A CR held back at EOF ends its line, and a blank line completes the event. An unterminated
    # last line belongs to an event that never completed: WHATWG discards it.
    if rest == b"\r" and data and (payload := _decode(data)):
        yield payload
