"""The dead-letter list and queueing a dead job again."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from callqa.services.jobs import bury, enqueue
from callqa.services.tasks import make_celery, send_job
from callqa.settings import Settings
from models import Call
from models.migrate import upgrade_database
from tests.api.conftest import ApiEnv
from tests.conftest import own_redis


def test_dead_jobs_are_listed_for_staff_and_an_admin_queues_one_again(api: ApiEnv) -> None:
    with api.factory() as s:
        call = Call(agent_id=api.agent_id, status="queued")
        s.add(call)
        s.flush()
        job = enqueue(s, kind="process_call", call_id=call.id)
        assert bury(s, job.id, "gave up after 6 tries: RecordingUnreadable: recording x is not readable")
        s.commit()
        job_id, call_id = job.id, call.id
    qa, admin = api.token("qa"), api.token("admin")
    dead = api.client.get("/api/jobs", headers=qa)
    assert dead.status_code == 200, dead.text
    [row] = dead.json()
    assert (row["id"], row["call_id"], row["status"]) == (job_id, call_id, "dead")
    assert "not readable" in row["error"]
    shown = api.client.get(f"/api/calls/{call_id}", headers=qa).json()
    assert shown["status"] == "failed" and "not readable" in shown["error"]
    assert api.client.get("/api/jobs", headers=api.token("tom")).status_code == 403
    assert api.client.post(f"/api/jobs/{job_id}/retry", headers=qa).status_code == 403

    again = api.client.post(f"/api/jobs/{job_id}/retry", headers=admin)
    assert again.status_code == 200, again.text
    assert (again.json()["status"], again.json()["attempts"]) == ("queued", 0)
    assert api.client.get(f"/api/calls/{call_id}", headers=qa).json()["status"] == "queued"
    assert api.client.get("/api/jobs", headers=qa).json() == []
    assert api.client.post(f"/api/jobs/{job_id}/retry", headers=admin).status_code == 409
    assert api.client.post("/api/jobs/99999/retry", headers=admin).status_code == 404


def test_metrics_count_dead_re_run_and_unsent_jobs(api: ApiEnv) -> None:
    with api.factory() as s:
        calls = [Call(agent_id=api.agent_id, status="queued") for _ in range(3)]
        s.add_all(calls)
        s.flush()
        dead, rerun, _queued = (enqueue(s, kind="process_call", call_id=c.id) for c in calls)
        bury(s, dead.id, "worker died 3 times while running this job")
        rerun.attempts = 2
        s.commit()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(api.client.get("/metrics").text)
        for sample in family.samples
    }
    assert samples[("callqa_jobs", (("status", "dead"),))] == 1
    assert samples[("callqa_jobs", (("status", "queued"),))] == 2
    assert samples[("callqa_jobs_rerun", ())] == 1
    assert samples[("callqa_jobs_unsent", ())] == 2  # queued, no message sent (no broker here)
    assert ("callqa_broker_waiting_messages", ()) not in samples


@pytest.mark.broker
def test_with_a_broker_the_server_runs_no_worker_and_reports_the_broker_queue(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'callqa.db'}"
    upgrade_database(url)
    redis = own_redis()
    try:
        settings = Settings(data_dir=tmp_path, database_url=url, broker_url=redis.url, dev_mode=True)
        for job_id in (1, 2):
            send_job(make_celery(settings), job_id)
        with TestClient(create_app(settings)) as client:
            samples = {
                s.name: s.value
                for family in text_string_to_metric_families(client.get("/metrics").text)
                for s in family.samples
            }
            assert samples["callqa_broker_waiting_messages"] == 2
            health = client.get("/health")
            assert health.status_code == 503  # no worker node has beaten yet
            assert health.json()["worker"] == {"alive": 0, "heartbeat_age_s": None, "embedded": None}
    finally:
        redis.stop()
