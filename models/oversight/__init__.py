"""Inspections and supervision: inspections, findings, corrective actions, their queries."""
