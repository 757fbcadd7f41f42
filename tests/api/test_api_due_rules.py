"""The API's task shows its due rule, the roll, the data period (issue 14)."""

from tests.webapp.test_due_rules_page import february_task


def test_the_task_carries_its_rule_roll_and_data_period(as_role, world, session):
    task_id = february_task(session)
    body = as_role("officer").get(f"/tasks/{task_id}").get_json()
    assert body["due_on"] == "2026-02-13" and body["nominal_due_on"] == "2026-02-20"
    assert body["due_roll"] == "back"
    assert body["due_rule"] == {"rule": "day_of_last_month", "day": 20, "cutoff": 15}
    assert (body["data_from"], body["data_to"]) == ("2026-01-15", "2026-02-14")
    assert body["event_on"] is None
