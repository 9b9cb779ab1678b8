"""Tests of the embedded Responses API server, mirroring provider/."""
