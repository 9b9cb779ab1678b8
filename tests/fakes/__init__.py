"""Test doubles: a fake OpenAI-shaped provider and admin users."""
