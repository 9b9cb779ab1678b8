"""Tests of the price table."""
