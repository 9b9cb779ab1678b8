"""Tests of the chat product."""
