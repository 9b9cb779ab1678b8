"""The staff audit console behind /admin/: inspect, input items, tokens, delete, cancel, usage."""
