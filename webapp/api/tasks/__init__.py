"""Tasks: lists with filters, detail with ETag, status changes and history."""
