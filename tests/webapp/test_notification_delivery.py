"""A person chooses which kinds come at once instead of in the morning digest."""

from models.core.audit import AuditEvent
from models.org.users import User


def test_an_officer_takes_overdue_notices_at_once(app, world, as_user, session):
    client = as_user("officer_a")
    page = client.get("/notifications/delivery")
    assert page.status_code == 200 and b'value="overdue"' in page.data
    assert client.post("/notifications/delivery",
                       data={"immediate": ["overdue", "escalation"]}).status_code == 302
    user = session.get(User, world["users"]["officer_a"])
    session.refresh(user)
    assert user.notify_immediate == ["overdue", "escalation"]
    assert b'value="overdue" checked' in client.get("/notifications/delivery").data
    assert session.query(AuditEvent).filter_by(action="user.notify_immediate").count() == 1
    # an unknown kind is refused in Vietnamese, and nothing changes
    refused = client.post("/notifications/delivery", data={"immediate": ["weekly"]})
    assert refused.status_code == 422
    assert "Chỉ chọn trong các loại" in refused.get_data(as_text=True)
    session.refresh(user)
    assert user.notify_immediate == ["overdue", "escalation"]
