"""Batch runs: a prompt set x configurations, run concurrently by task workers."""
