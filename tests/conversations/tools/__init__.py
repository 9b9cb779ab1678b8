"""Tests of the function tools chatsite runs."""
