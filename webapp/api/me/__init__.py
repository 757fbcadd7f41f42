"""The caller's own account and tokens."""
