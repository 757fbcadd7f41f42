"""Corrective actions: list, raise, read, their lifecycle as POST actions, history."""
