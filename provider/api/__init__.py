"""The HTTP surface of the embedded /v1 API: views, URLs, request parsing and validation."""
