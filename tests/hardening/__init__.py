"""Faults, abuse and attacks tried on purpose; each case adds a line to the printed table."""
