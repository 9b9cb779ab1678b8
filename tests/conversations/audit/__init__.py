"""Tests of the staff audit console."""
