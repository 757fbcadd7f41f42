"""Prefect flows: thin schedules over the operations in `models/`."""
