"""Submissions of reports with evidence files, and access-checked downloads."""
