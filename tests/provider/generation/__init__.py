"""Tests of provider.generation: one response's run, passes, reasoning, prompt and window."""
