"""Tests of the project wiring."""
