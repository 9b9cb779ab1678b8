"""The chat product: conversations and turns, pages, services (writes) and selectors (reads)."""
