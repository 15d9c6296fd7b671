"""`callqa staff`: agents needed for an interval's calls and a service-level goal (Erlang C, Erlang A)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from callqa.cli.console import err, out

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|min|h)?\s*$")
_UNIT_S = {None: 1.0, "s": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0}


def parse_duration(text: str) -> float:
    """'30m', '1h', '90s' or '900' (seconds) → seconds; typer.BadParameter otherwise."""
    match = _DURATION.match(text)
    if not match or float(match.group(1)) <= 0:
        raise typer.BadParameter(f"{text!r} is not a duration like 30m, 1h, 90s or 900")
    return float(match.group(1)) * _UNIT_S[match.group(2)]


def parse_service_level(text: str) -> tuple[float, float]:
    """'80/20' → (0.80 answered, within 20 s)."""
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*/\s*(\d+(?:\.\d+)?)\s*s?\s*$", text)
    if not match or not 0 < float(match.group(1)) <= 100:
        raise typer.BadParameter(f"{text!r} is not a service level like 80/20 (percent / seconds)")
    return float(match.group(1)) / 100.0, float(match.group(2))


def format_seconds(value: float) -> str:
    return "∞" if math.isinf(value) else f"{value:,.2f}"


def staff(
    calls: Annotated[float, typer.Option(help="Calls offered in one interval (forecast).")],
    interval: Annotated[str, typer.Option(help="Interval length: 30m, 1h, 900s.")] = "30m",
    aht: Annotated[float, typer.Option(help="Average handle time, seconds (talk + hold + wrap-up).")] = 180.0,
    sl: Annotated[
        str, typer.Option("--sl", help="Service-level goal: percent answered / within seconds.")
    ] = "80/20",
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time off the phones (breaks, training), 0-1.")
    ] = 0.0,
    max_occupancy: Annotated[float, typer.Option(help="Highest share of time on calls, 0-1.")] = 1.0,
    patience: Annotated[
        float | None, typer.Option(help="Mean caller patience, seconds: adds Erlang A (abandonment).")
    ] = None,
    max_abandonment: Annotated[
        float, typer.Option(help="Highest share of callers hanging up, 0-1 (Erlang A).")
    ] = 1.0,
    as_json: Annotated[bool, typer.Option("--json", help="The plans as JSON.")] = False,
) -> None:
    """Agents needed on the phones and to schedule (after shrinkage) for an interval's calls, with the
    service level, ASA, occupancy and abandonment they give: Erlang C, and Erlang A when --patience is
    given (callers who hang up lower the staffing Erlang C asks for)."""
    from routing.staffing import StaffingGoal, offered_load, plan_staffing

    interval_s = parse_duration(interval)
    goal_share, target_s = parse_service_level(sl)
    goal = StaffingGoal(goal_share, target_s, max_occupancy, max_abandonment)
    try:
        load = offered_load(calls, interval_s, aht)
        plans = [plan_staffing(calls, interval_s, aht, goal, shrinkage=shrinkage)]
        if patience is not None:
            plans.append(
                plan_staffing(calls, interval_s, aht, goal, shrinkage=shrinkage, patience_s=patience)
            )
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    if as_json:
        print(json.dumps([{**asdict(p), "load_erlangs": load} for p in plans]))
        return
    title = (
        f"{calls:g} calls per {interval} ({load:.2f} erlangs), AHT {aht:g} s, goal {goal_share:.0%} in "
        f"{target_s:g} s, shrinkage {shrinkage:.0%}, max occupancy {max_occupancy:.0%}"
        + (f", patience {patience:g} s" if patience is not None else "")
    )
    table = Table(title=title)
    columns = ("model", "agents", "scheduled", "service level", "ASA s", "queue time s", "P(wait)")
    for column in (*columns, "occupancy", "abandoned", "set by"):
        table.add_column(column)
    for plan in plans:
        f = plan.figures
        table.add_row(
            f.model,
            str(plan.agents),
            str(plan.scheduled),
            f"{f.service_level:.4f}",
            format_seconds(f.asa_s),
            format_seconds(f.mean_queue_s),
            f"{f.wait_probability:.4f}",
            f"{f.occupancy:.4f}",
            f"{f.abandonment:.2%}",
            plan.binding,
        )
    out.print(table)
    out.print(
        "agents: on the phones; scheduled: agents / (1 - shrinkage); ASA: mean wait of answered calls; "
        "queue time: mean wait of all callers, those who hung up included"
    )
