"""An evaluation's history, comment thread, acknowledgement and notifications over JSON: the same
service functions as the call page, the same scope (another agent's call answers 404)."""

from __future__ import annotations

from tests.api.conftest import ApiEnv
from tests.api.test_reviews import RUDE, scored


def test_thread_history_acknowledgement_and_notifications(api: ApiEnv) -> None:
    call_id, review_id = scored(api, api.agent_id, RUDE)
    ann_call, _ = scored(api, api.other_agent_id, RUDE)
    c = api.client
    qa, tom, ann = api.token("qa"), api.token("tom"), api.token("ann")

    saved = c.post(
        f"/api/reviews/{review_id}",
        json={"decisions": {"courtesy": {"passed": True, "comment": "Polite throughout"}}},
        headers=qa,
    )
    assert saved.status_code == 200, saved.text
    history = c.get(f"/api/calls/{call_id}/history", headers=tom).json()
    change = next(e for e in history if e["item"] == "courtesy")
    assert (change["kind"], change["before"], change["after"], change["note"]) == (
        "verdict",
        "fail",
        "pass",
        "Polite throughout",
    )
    assert c.get(f"/api/calls/{ann_call}/history", headers=tom).status_code == 404

    # Tom was told the evaluation was released; he reads it, asks, and acknowledges.
    notes = c.get("/api/notifications", headers=tom).json()
    assert notes["unread"] >= 1 and notes["notifications"][0]["kind"] == "evaluation_released"
    first = notes["notifications"][0]["id"]
    assert c.post(f"/api/notifications/{first}/read", headers=ann).status_code == 404  # not hers
    read = c.post(f"/api/notifications/{first}/read", headers=tom).json()
    assert read["read_at"] is not None
    assert c.get("/api/notifications", headers=tom).json()["unread"] == notes["unread"] - 1

    posted = c.post(f"/api/calls/{call_id}/comments", json={"body": "Which part was rude?"}, headers=tom)
    assert posted.status_code == 201, posted.text
    assert c.post(f"/api/calls/{ann_call}/comments", json={"body": "hi"}, headers=tom).status_code == 404
    thread = c.get(f"/api/calls/{call_id}/comments", headers=qa).json()
    assert [m["body"] for m in thread] == ["Which part was rude?"]
    qa_notes = c.get("/api/notifications", headers=qa).json()["notifications"]
    assert any(n["kind"] == "comment" and n["call_id"] == call_id for n in qa_notes)

    acked = c.post(f"/api/calls/{call_id}/acknowledge", headers=tom)
    assert acked.status_code == 201 and acked.json()["kind"] == "acknowledged"
    assert c.post(f"/api/calls/{call_id}/acknowledge", headers=tom).status_code == 409  # already
    assert c.post(f"/api/calls/{call_id}/acknowledge", headers=qa).status_code == 422  # not the agent
    assert c.post("/api/notifications/read", headers=qa).json()["unread"] == 0
