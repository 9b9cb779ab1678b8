"""The only HTTP client of a Responses API provider (chat and batch runs share it); no Django app.

Callers use `responses_client.client` (calls and typed errors) and `responses_client.usage`.
"""
