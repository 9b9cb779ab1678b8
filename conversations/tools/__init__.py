"""Function tools chatsite runs for the model: the registry, the built-in tools, running a call."""
