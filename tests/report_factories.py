"""The seed plan in March 2026 as the coordinator meets it: on time, late, missing, nil, findings.

Tasks due in March 2026 (as_of 23/03/2026): the quarterly reports of the advisory bodies and of
the party committees directly under (due 20/03) and the coordinator's own quarterly report (due
25/03). In the quarter: also January's and February's monthly reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models.org.users import User
from models.oversight.corrective_actions import raise_action
from models.oversight.entities import Inspection
from models.oversight.inspections import change_inspection_status, create_inspection, log_finding
from models.plans.entities import Item, Plan
from models.tasks.entities import Task
from models.tasks.generation import generate_tasks
from models.tasks.operations import change_status
from tests.factories import T0, agency, load_seed, person

PLAN = "516-KH/TU"
AS_OF = date(2026, 3, 23)
NOTE_ON_TIME = "Đã tổ chức 02 hội nghị quán triệt Chỉ thị 47-CT/TW trong quý."
# "<" and "&" must reach the document as written (the template escapes them)
NOTE_LATE = "Báo cáo gửi chậm do thay đổi nhân sự phụ trách (< 1 tuần) & đã bổ sung."
NOTE_NIL = "Trong tháng không có nội dung phát sinh."


def utc(day: int, month: int, hour: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class ReportWorld:
    users: dict[str, User]
    inspection: Inspection

    def __getitem__(self, role: str) -> User:
        return self.users[role]


def task(session: Session, item: str, agency_code: str, due_month: int) -> Task:
    return session.scalar(
        sa.select(Task).join(Item, Task.item_id == Item.id)
        .where(Item.code == item, Task.agency_id == agency(session, agency_code).id,
               sa.extract("month", Task.due_on) == due_month,
               sa.extract("year", Task.due_on) == 2026))


def make_report_world(session: Session) -> ReportWorld:
    """Seed plan and agencies, tasks through March 2026, reports and one inspection."""
    load_seed(session)
    generate_tasks(session, through=date(2026, 3, 31), now=T0)
    users = {
        "coordinator": person(session, "coord@btgdv.example.org", "coordinator", "BTGDV"),
        "admin": person(session, "admin@example.org", "admin"),
        "inspector": person(session, "insp@example.org", "inspector", name="Thanh tra"),
        "viewer": person(session, "viewer@example.org", "viewer"),
        "VPTU": person(session, "o@vptu.example.org", "officer", "VPTU"),
        "BTCTU": person(session, "o@btctu.example.org", "officer", "BTCTU"),
        "UBKTTU": person(session, "o@ubkttu.example.org", "officer", "UBKTTU"),
        "DUCA": person(session, "o@duca.example.org", "officer", "DUCA"),
    }
    # on time, with a note (March quarterly)
    change_status(session, users["VPTU"], task(session, "III1-RPT-Q", "VPTU", 3), "submitted",
                  note=NOTE_ON_TIME, now=utc(18, 3))
    # late, with a note
    change_status(session, users["BTCTU"], task(session, "III1-RPT-Q", "BTCTU", 3), "submitted",
                  note=NOTE_LATE, now=utc(21, 3))
    # the party committee of the police: on time, then accepted
    duca = task(session, "III3-RPT-Q", "DUCA", 3)
    change_status(session, users["DUCA"], duca, "submitted", now=utc(19, 3))
    change_status(session, users["coordinator"], duca, "accepted", now=utc(20, 3))
    # a nil return in February (the quarter shows it) and one started in January
    change_status(session, users["UBKTTU"], task(session, "III1-RPT-M", "UBKTTU", 2),
                  "submitted", nil_return=True, note=NOTE_NIL, now=utc(20, 2))
    change_status(session, users["UBKTTU"], task(session, "III1-RPT-M", "UBKTTU", 1),
                  "submitted", now=utc(16, 1))
    # the coordinator has started its own quarterly report (due 25/03): in progress in the term
    change_status(session, users["coordinator"], task(session, "III2-RPT-Q", "BTGDV", 3),
                  "in_progress", now=utc(22, 3))
    # an inspection of the internal affairs commission with a finding and a corrective action
    plan = session.scalar(sa.select(Plan).where(Plan.code == PLAN))
    item = session.scalar(sa.select(Item).where(Item.code == "III1-RPT-Q"))
    inspection = create_inspection(
        session, users["inspector"], kind="inspection",
        title="Kiểm tra việc thực hiện chế độ báo cáo quý I năm 2026",
        agency_ids=[agency(session, "BNCTU").id], planned_on=date(2026, 3, 5), plan_id=plan.id,
        item_ids=[item.id], now=utc(2, 3))
    change_inspection_status(session, users["inspector"], inspection, "in_progress",
                             now=utc(5, 3))
    finding = log_finding(session, users["inspector"], inspection,
                          agency_id=agency(session, "BNCTU").id,
                          text="Chưa xây dựng kế hoạch cụ thể hoá Chỉ thị 47-CT/TW",
                          severity="major", item_id=item.id, now=utc(10, 3))
    raise_action(session, users["inspector"], finding,
                 description="Ban hành kế hoạch cụ thể hoá và gửi về Ban Tuyên giáo và Dân vận",
                 due_on=date(2026, 3, 31), now=utc(10, 3))
    log_finding(session, users["inspector"], inspection, agency_id=agency(session, "BNCTU").id,
                text="Hồ sơ lưu báo cáo tháng đầy đủ", severity="observation", now=utc(11, 3))
    change_inspection_status(session, users["inspector"], inspection, "concluded",
                             conclusion="Ban Nội chính Tỉnh uỷ thực hiện đầy đủ chế độ báo cáo "
                                        "tháng.\nCần ban hành kế hoạch cụ thể hoá.",
                             now=utc(12, 3))
    session.flush()
    return ReportWorld(users, inspection)
