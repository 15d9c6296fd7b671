"""`callqa simulate`: the routing simulator, strategies side by side, beside Erlang C/A or on a replay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from callqa.cli.console import err, out, progress
from callqa.cli.staffing import format_seconds, parse_duration
from callqa.settings import get_settings

if TYPE_CHECKING:
    from routing.erlang import QueueFigures
    from routing.simulator import Scenario

SL_TARGET_S = 20.0
"""The service-level target the table reports (the simulator's `Scenario.sl_target_s` default)."""


def simulate(
    agents: Annotated[int, typer.Option(help="Agents in the group.")] = 14,
    load: Annotated[float, typer.Option(help="Offered traffic in erlangs (arrival rate x AHT).")] = 10.0,
    calls_per_interval: Annotated[
        float | None,
        typer.Option(help="Offered calls per --interval instead of --load (load = calls x AHT / interval)."),
    ] = None,
    interval: Annotated[str, typer.Option(help="Interval of --calls-per-interval: 30m, 1h, 900s.")] = "30m",
    aht: Annotated[float, typer.Option(help="Mean handle time, seconds.")] = 180.0,
    calls: Annotated[int, typer.Option(help="Calls to simulate per strategy.")] = 50_000,
    patience: Annotated[
        float | None, typer.Option(help="Mean caller patience (s); none: never hang up.")
    ] = None,
    lognormal_sigma: Annotated[
        float | None, typer.Option(help="Lognormal handle times with this shape.")
    ] = None,
    wrap_up: Annotated[float, typer.Option(help="Wrap-up after each call, seconds.")] = 0.0,
    strategy: Annotated[
        list[str] | None, typer.Option(help="Strategy to compare (repeatable); default all.")
    ] = None,
    replay_days: Annotated[
        float | None, typer.Option(help="Replay the hotline's calls of the last N days instead.")
    ] = None,
    add_agents: Annotated[int, typer.Option(help="What-if: this many more agents.")] = 0,
    add_skills: Annotated[
        str, typer.Option(help="Skills of the added agents (replay), e.g. 'billing=3,tech=2'.")
    ] = "",
    seed: int = 0,
) -> None:
    """Discrete-event simulation of the production router, strategies side by side (beside Erlang C, or
    Erlang A with --patience, for the single-group case), on random traffic or a replay of the hotline's
    history. Warns when the offered load is more than the agents can carry."""
    from routing.simulator import simulate as run
    from routing.simulator import single_group
    from routing.strategies import STRATEGY_NAMES

    if calls_per_interval is not None:
        load = calls_per_interval * aht / parse_duration(interval)
    theory: QueueFigures | None = None
    if replay_days is not None:
        scenario = _replay(replay_days, add_agents, add_skills, patience)
        title = f"replay: {scenario.n_calls} calls, {len(scenario.agents)} agents (+{add_agents} added)"
    else:
        agents += add_agents
        scenario = single_group(
            agents,
            load,
            aht,
            calls,
            patience=patience,
            handle_sigma=lognormal_sigma,
            wrap_up_s=wrap_up,
            warmup_calls=calls // 100,
            sl_target_s=SL_TARGET_S,
        )
        title = f"{agents} agents, {load:g} erlangs, AHT {aht:g} s, {calls} calls"
        if lognormal_sigma is None and wrap_up == 0:
            theory = _theory(agents, load, aht, patience)
        _warn_if_overloaded(agents, load, aht, patience)
    table = Table(title=title)
    for column in ("strategy", "SL 80/20", "ASA s", "P(wait)", "abandoned", "occupancy min-max"):
        table.add_column(column)
    if theory is not None:
        table.add_row(
            f"{theory.model} (theory)",
            f"{theory.service_level:.3f}",
            format_seconds(theory.asa_s),
            f"{theory.wait_probability:.3f}",
            f"{theory.abandonment:.3f}",
            f"{theory.occupancy:.3f}",
        )
    names = strategy or list(STRATEGY_NAMES)
    with progress() as bar:
        task = bar.add_task("simulating", total=len(names) * scenario.n_calls, status="")
        for name in names:
            bar.update(task, status=name)
            r = run(scenario, name, seed=seed, progress=lambda n: bar.advance(task, n)).summary()
            table.add_row(
                name,
                f"{r['service_level']:.3f}",
                f"{r['asa_s']:.2f}",
                f"{r['wait_probability']:.3f}",
                f"{r['abandon_rate']:.3f}",
                f"{r['occupancy_min']:.3f}-{r['occupancy_max']:.3f}",
            )
    out.print(table)


def _theory(agents: int, load: float, aht: float, patience: float | None) -> QueueFigures:
    from routing.staffing import figures_for

    return figures_for(agents, load, aht, SL_TARGET_S, patience)


def _warn_if_overloaded(agents: int, load: float, aht: float, patience: float | None) -> None:
    """Say so when `load` erlangs are more than `agents` can carry (the run's figures then describe its
    length, not a steady state), and how many agents the load needs."""
    if load < agents:
        return
    from routing.erlang import agents_for_service_level

    needed = agents_for_service_level(load, aht, SL_TARGET_S, 0.80)
    if patience is None:
        err.print(
            f"[bold yellow]warning: overloaded: {load:g} erlangs offered to {agents} agents (occupancy "
            f"would be {load / agents:.2f}). The queue grows for as long as the simulation runs, so the ASA "
            f"and waits below grow with --calls and describe no steady state. Erlang C needs {needed} "
            "agents for 80/20; or give --patience to model callers who hang up.[/bold yellow]"
        )
    else:
        err.print(
            f"[bold yellow]warning: overloaded: {load:g} erlangs offered to {agents} agents; at least "
            f"{1 - agents / load:.0%} of callers will hang up (patience {patience:g} s). Erlang C needs "
            f"{needed} agents for 80/20.[/bold yellow]"
        )


def _replay(replay_days: float, add_agents: int, add_skills: str, patience: float | None) -> Scenario:
    from datetime import UTC, datetime

    from callqa.runtime import open_database
    from routing.config import load_routing_config
    from routing.service import replay_scenario

    settings = get_settings()
    pairs = (p.split("=", 1) for p in add_skills.split(",") if p.strip())
    skills = {k.strip(): int(v) for k, v in pairs}
    with open_database(settings)() as session:
        try:
            return replay_scenario(
                session,
                load_routing_config(settings.routing_config_path),
                now=datetime.now(UTC),
                days=replay_days,
                extra_agents=add_agents,
                extra_skills=skills,
                patience=patience,
            )
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
