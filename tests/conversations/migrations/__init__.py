"""Tests of the conversations migrations."""
