"""Tests of sign-up, login and the first account."""
