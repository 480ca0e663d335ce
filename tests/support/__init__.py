"""Helpers the test modules share (fixtures are in tests/conftest.py)."""
