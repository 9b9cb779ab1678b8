"""Tests of conversations.services."""
