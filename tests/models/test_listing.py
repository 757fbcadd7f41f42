"""Task lists with period, category, text, sort and pages; the export rows' category in SQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from models.tasks import listing, periods
from models.tasks.entities import Task
from models.tasks.exports import Column, Table, csv_chunks
from models.tasks.generation import generate_tasks
from models.tasks.listing import TaskListFilter, export_query, list_query, page_of
from models.tasks.operations import change_status
from models.tasks.periods import parse_period
from tests.factories import T0, load_mini, make_user

AS_OF = date(2025, 10, 15)


def _world(session):
    load_mini(session)
    generate_tasks(session, through=date(2025, 12, 31), now=T0)
    coordinator = make_user(session, email="c@example.org", role="coordinator", agency="COORD")
    tasks = session.scalars(sa.select(Task).order_by(Task.due_on, Task.id)).all()
    change_status(session, coordinator, tasks[0], "submitted",
                  now=datetime(2025, 9, 2, 2, tzinfo=UTC))
    change_status(session, coordinator, tasks[1], "submitted",
                  now=datetime(2025, 12, 30, 2, tzinfo=UTC))
    change_status(session, coordinator, tasks[-1], "in_progress",
                  now=datetime(2025, 9, 2, 2, tzinfo=UTC))
    session.flush()
    return coordinator, tasks


def test_the_sql_category_of_each_export_row_is_the_python_rule(session):
    coordinator, tasks = _world(session)
    rows = session.execute(export_query(coordinator, TaskListFilter(), AS_OF)).all()
    by_id = {t.id: t for t in tasks}
    assert len(rows) == len(tasks)
    assert all(r.category == periods.classify(by_id[r.id], AS_OF).value for r in rows)
    assert len({r.category for r in rows}) == 5  # every category occurs in this world


def test_filters_combine_and_pages_cover_the_list_exactly(session):
    coordinator, tasks = _world(session)
    q4 = parse_period("2025-Q3")
    f = TaskListFilter(period=q4, category="overdue")
    ids = [t.id for t, *_ in session.execute(list_query(coordinator, f, AS_OF))]
    expected = [t.id for t in tasks if q4.contains(t.due_on)
                and periods.classify(t, AS_OF) is periods.Category.OVERDUE]
    assert sorted(ids) == sorted(expected) and ids
    every = list_query(coordinator, TaskListFilter(), AS_OF, sort="-due")
    seen = []
    for n in range(1, 10):
        page = page_of(session, every, n, 25)
        seen += [t.id for t, *_ in page.rows]
        if n == page.pages:
            break
    assert seen == [t.id for t, *_ in session.execute(every)]  # no overlap, no gap
    dues = [session.get(Task, i).due_on for i in seen]
    assert dues == sorted(dues, reverse=True)
    found = session.execute(list_query(coordinator, TaskListFilter(search="đơn vị b"), AS_OF))
    assert {a for _t, a, _i, _p in found} == {"AG-B"}  # by the agency's name, any case
    nothing = TaskListFilter(search="100%_")  # LIKE wildcards are taken literally
    assert session.execute(list_query(coordinator, nothing, AS_OF)).all() == []
    assert listing.count(session, list_query(coordinator, TaskListFilter(), AS_OF)) == len(tasks)


def test_csv_streams_in_chunks_with_a_bom_and_the_heading_above(session):
    rows = ((i, date(2025, 9, 1), "Đơn vị A") for i in range(1200))
    table = Table(title="Nhiệm vụ", heading=[("Kỳ báo cáo", "quý IV năm 2025")],
                  columns=[Column("STT", kind="int"), Column("Hạn", kind="date"),
                           Column("Đơn vị")], rows=rows)
    chunks = list(csv_chunks(table))
    assert len(chunks) > 2  # yielded as it goes, not built in one piece
    text = b"".join(chunks).decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == "\ufeffNhiệm vụ" and lines[1] == "Kỳ báo cáo,quý IV năm 2025"
    assert lines[3] == "STT,Hạn,Đơn vị" and lines[4] == "0,01/09/2025,Đơn vị A"
    assert len(lines) == 4 + 1200


class _InterleavingCursor:
    """A DB-API cursor over fixed code tables that lets another thread's page be named while
    this one waits on its query: a worker's threads share one `Codes`."""

    def __init__(self, on_items=None):
        self.on_items, self.result = on_items, []

    def execute(self, sql, params):
        ids = params[0]
        if "FROM agency" in sql:
            self.result = [(i, f"A{i}") for i in ids]
        else:
            self.result = [(i, f"I{i}", "P") for i in ids]
            if self.on_items:
                self.on_items()

    def fetchall(self):
        return self.result


def test_codes_shared_by_threads_name_a_page_while_another_starts_afresh():
    codes = listing.Codes(limit=3)
    codes.name(_InterleavingCursor(), [(1, 10, 20, "rest")])  # 2 codes kept
    page = [(2, 11, 21, "rest"), (3, 12, 22, "rest")]  # 2 more agencies: past the limit
    other = [(4, 13, 23, "rest")]

    def other_thread():  # past the limit: it starts new maps while the first page is named
        assert codes.name(_InterleavingCursor(), other) == [(4, "P", "A23", "I13", "rest")]

    named = codes.name(_InterleavingCursor(on_items=other_thread), page + [(5, 10, 20, "x")])
    assert named == [(2, "P", "A21", "I11", "rest"), (3, "P", "A22", "I12", "rest"),
                     (5, "P", "A20", "I10", "x")]
