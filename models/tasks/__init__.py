"""Tasks: entities, the operations that change them, generation from plans, queries and figures."""
