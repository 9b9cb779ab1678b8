"""The embedded, stateful OpenAI-compatible Responses API server (the Django app `provider`)."""
