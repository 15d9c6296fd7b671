"""`callqa simulate`: the routing simulator, strategies side by side, beside Erlang C or on a replay."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from callqa.cli.console import err, out
from callqa.settings import get_settings


def simulate(
    agents: Annotated[int, typer.Option(help="Agents in the group.")] = 14,
    load: Annotated[float, typer.Option(help="Offered traffic in erlangs (arrival rate x AHT).")] = 10.0,
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
    """Discrete-event simulation of the production router, strategies side by side (beside Erlang C for
    the single-group case), on random traffic or a replay of the hotline's history."""
    from routing.erlang import average_speed_of_answer, erlang_c, service_level
    from routing.simulator import simulate as run
    from routing.simulator import single_group
    from routing.strategies import STRATEGY_NAMES

    if replay_days is not None:
        from datetime import UTC, datetime

        from callqa.runtime import open_database
        from routing.config import load_routing_config
        from routing.service import replay_scenario

        settings = get_settings()
        pairs = (p.split("=", 1) for p in add_skills.split(",") if p.strip())
        skills = {k.strip(): int(v) for k, v in pairs}
        with open_database(settings)() as session:
            try:
                scenario = replay_scenario(
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
        )
        title = f"{agents} agents, {load:g} erlangs, AHT {aht:g} s, {calls} calls"
    table = Table(title=title)
    for column in ("strategy", "SL 80/20", "ASA s", "P(wait)", "abandoned", "occupancy min-max"):
        table.add_column(column)
    if replay_days is None and patience is None and lognormal_sigma is None and wrap_up == 0:
        table.add_row(
            "Erlang C (theory)",
            f"{service_level(agents, load, aht, 20.0):.3f}",
            f"{average_speed_of_answer(agents, load, aht):.2f}",
            f"{erlang_c(agents, load):.3f}",
            "0",
            f"{load / agents:.3f}",
        )
    for name in strategy or STRATEGY_NAMES:
        r = run(scenario, name, seed=seed).summary()
        table.add_row(
            name,
            f"{r['service_level']:.3f}",
            f"{r['asa_s']:.2f}",
            f"{r['wait_probability']:.3f}",
            f"{r['abandon_rate']:.3f}",
            f"{r['occupancy_min']:.3f}-{r['occupancy_max']:.3f}",
        )
    out.print(table)
