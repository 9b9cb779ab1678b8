"""A worker's side of a run: its asyncio loop, one request through responses_client, AIMD."""
