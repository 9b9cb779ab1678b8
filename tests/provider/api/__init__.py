"""Tests of provider.api: the /v1 endpoints through the openai SDK and raw HTTP, and parsing."""
