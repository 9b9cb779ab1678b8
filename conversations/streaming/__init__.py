"""One turn's live path: websocket consumer, generation jobs, relay, endings, reaper."""
