"""Audit runs and check results arrive with the check engine; this app is its home."""
