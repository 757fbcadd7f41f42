"""Findings of inspections: list, log, read."""
