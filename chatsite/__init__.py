"""Project wiring only: settings (the only reader of os.environ), ASGI, root URLs, channel layer."""
