"""Server-sent events decoding per the WHATWG event-stream interpretation (pure, no I/O).

Lines end in CR, LF or CRLF; several `data:` lines join with LF; `:` lines are comments; an
event completes at a blank line, and one cut off by EOF is discarded.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import AsyncIterator

_NEWLINE = re.compile(r"\r\n|\r|\n")


def _split_lines(buffer: str, *, final: bool) -> tuple[list[str], str]:
    """Split on CR, LF or CRLF; keep a trailing CR back in case its LF is in the next chunk."""
    lines, start = [], 0
    for match in _NEWLINE.finditer(buffer):
        if match.group() == "\r" and match.end() == len(buffer) and not final:
            break
        lines.append(buffer[start : match.start()])
        start = match.end()
    return lines, buffer[start:]


async def _lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Decode UTF-8 incrementally (chunks split characters; a BOM is dropped), yield lines."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    buffer = ""
    async for chunk in chunks:
        lines, buffer = _split_lines(buffer + decoder.decode(chunk), final=False)
        for line in lines:
            yield line
    # An unterminated last line belongs to an event that never completed: WHATWG discards it.
    lines, _ = _split_lines(buffer + decoder.decode(b"", final=True), final=True)
    for line in lines:
        yield line


async def sse_data(chunks: AsyncIterator[bytes]) -> AsyncIterator[str]:
    """Yield the data of each dispatched event of an SSE byte stream."""
    data: list[str] = []
    async for line in _lines(chunks):
        if not line:
            if data and (payload := "\n".join(data)):
                yield payload
            data = []
            continue
        field, _, value = line.partition(":")
        if field == "data":
            data.append(value.removeprefix(" "))
