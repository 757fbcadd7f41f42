"""Agencies (read-only)."""
