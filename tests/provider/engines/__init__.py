"""Tests of provider.engines: the scripted contract, the local model and their helpers."""
