"""The KPIs as the pages and the JSON API show them: `routing.kpis.compute_kpis` with this installation's
settings (first-contact window, satisfied-from digit) and the complaints stored per call when each was
analysed (`callqa.services.complaints`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from callqa.services.complaints import complained_hotline_calls
from callqa.settings import Settings
from routing.kpis import KpiReport, compute_kpis


def center_kpis(
    session: Session,
    settings: Settings,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    sl_target_s: float,
    agent_id: int | None = None,
    team_id: int | None = None,
) -> KpiReport:
    """The KPIs of hotline calls arriving in [since, until) for the center, one agent or one team (see
    `routing.kpis` for the definitions); `sl_target_s` is the hotline's service-level target (s)."""
    return compute_kpis(
        session,
        since=since,
        until=until,
        now=now,
        fcr_window=timedelta(days=settings.fcr_window_days),
        sl_target_s=sl_target_s,
        satisfied_from=settings.csat_satisfied_from,
        agent_id=agent_id,
        team_id=team_id,
        detect_complaints=lambda ids: complained_hotline_calls(session, ids),
    )
