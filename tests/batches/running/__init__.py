"""Tests of a worker's loop and its throttle."""
