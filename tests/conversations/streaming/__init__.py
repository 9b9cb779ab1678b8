"""Tests of one turn's live path."""
