"""Small samples for the tests, made in code (no fixture files): a PNG, a batch configuration."""

from __future__ import annotations

import struct
import zlib


def png_bytes() -> bytes:
    """A valid 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# One configuration of a batch run, every setting left to the provider.
BATCH_CONFIG = {
    "model": "m1",
    "temperature": None,
    "instructions": "",
    "reasoning_effort": None,
    "max_output_tokens": None,
}
