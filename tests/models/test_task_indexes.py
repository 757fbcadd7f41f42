"""The task table's indexes: each one is written on every task insert and status change."""

from models.tasks.entities import Task


def _columns(index) -> tuple[str, frozenset]:
    include = index.dialect_options["postgresql"].get("include") or ()
    names = [c.name for c in index.columns] + [getattr(c, "name", c) for c in include]
    return names[0], frozenset(names)


def test_no_task_index_repeats_another():
    """Two whole-table indexes that lead with the same column and hold the same columns answer
    the same queries from the index alone: the second only costs writes."""
    seen = {}
    for index in Task.__table__.indexes:
        if index.unique or index.dialect_options["postgresql"].get("where") is not None:
            continue
        key = _columns(index)
        assert key not in seen, f"{index.name} holds the same columns as {seen[key]}"
        seen[key] = index.name
