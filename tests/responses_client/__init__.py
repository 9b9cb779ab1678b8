"""Tests of the provider client: calls, SSE parsing, retries, typed errors, usage."""
