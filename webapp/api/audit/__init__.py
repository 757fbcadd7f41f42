"""Audit events (admins only)."""
