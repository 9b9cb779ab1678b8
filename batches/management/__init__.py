"""Shell commands for batch runs."""
