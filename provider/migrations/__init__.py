"""Schema migrations of the provider app (label `provider`)."""
