"""Tests with two real daphne processes sharing real Redis and PostgreSQL servers."""
