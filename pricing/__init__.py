"""Model prices (per 1M tokens), edited in the admin, and the cost of a response's usage."""
