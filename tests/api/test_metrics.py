"""`/metrics`: request latency per route, jobs, calls, verdicts and the hotline, in Prometheus format."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from callqa.services.ingest import ingest_recording
from tests.api.conftest import ApiEnv
from tests.conftest import create_scored_call, write_tone_call


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_report_requests_jobs_calls_verdicts_and_the_hotline(api: ApiEnv, tmp_path: Path) -> None:
    with api.factory() as s:
        ingest_recording(
            s,
            source=write_tone_call(tmp_path / "t.wav"),
            recordings_dir=tmp_path / "rec",
            agent_id=api.agent_id,
        )
        create_scored_call(s, api.agent_id, {"greeting": True, "closing": False})
        s.commit()
    qa = api.token("qa")
    for _ in range(3):
        assert api.client.get("/api/reviews", headers=qa).status_code == 200
    resp = api.client.get("/metrics")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/plain")
    samples = _samples(resp.text)

    def value(name: str, **labels: str) -> float:
        return samples[(name, frozenset(labels.items()))]

    route = {"method": "GET", "route": "/api/reviews", "status": "200"}
    assert value("callqa_http_request_duration_seconds_count", **route) == 3
    assert value("callqa_jobs", status="queued") == 1 and value("callqa_jobs", status="running") == 0
    assert value("callqa_calls", status="queued") == 1 and value("callqa_calls", status="done") == 1
    assert value("callqa_oldest_queued_job_age_seconds") >= 0
    assert value("callqa_verdicts", kind="check", state="pass") >= 1
    assert value("callqa_verdicts", kind="check", state="fail") >= 1
    assert value("callqa_hotline_leader") == 1 and value("callqa_hotline_waiting_calls") == 0
    assert ("callqa_decode_real_time_factor_count", frozenset()) in samples
