"""Inspections and supervisions: list, plan, start, conclude, timeline."""
