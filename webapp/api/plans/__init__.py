"""Plans with their sections and items (read-only)."""
