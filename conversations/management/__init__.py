"""Management commands of the chat product."""
