"""`callqa pbx ami`: follow an Asterisk through its manager interface and drive the hotline with it (see
`callqa.services.ami`). The AMI login and the hotline key come from the environment, never defaults."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Annotated

import typer

from callqa.cli.console import err, out
from callqa.settings import get_settings

pbx_app = typer.Typer(help="Connect a telephone system (PBX).", no_args_is_help=True)


def _queue_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        queue, sep, choice = pair.partition("=")
        if not sep or not queue or not choice:
            raise typer.BadParameter(f"--queue takes QUEUE=IVR_CHOICE, not {pair!r}")
        mapping[queue] = choice
    return mapping


@pbx_app.command("ami")
def ami(
    queue: Annotated[
        list[str],
        typer.Option("--queue", help="Asterisk queue=IVR choice, e.g. callqa-billing=1 (repeatable)."),
    ],
    host: Annotated[str, typer.Option(help="Asterisk host (manager.conf bindaddr).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="AMI port.")] = 5038,
    url: Annotated[
        str, typer.Option(help="The callqa server running the hotline.")
    ] = "http://127.0.0.1:8000",
    dial_context: Annotated[str, typer.Option(help="Context that dials ${CALLQA_AGENT}.")] = "callqa-agent",
    refused_context: Annotated[
        str, typer.Option(help="Context for refused calls (${CALLQA_REFUSAL} holds the reason).")
    ] = "callqa-refused",
    hold_context: Annotated[
        str, typer.Option(help="Context where a caller waits after their agent escalated the call.")
    ] = "callqa-hold",
    poll_s: Annotated[float, typer.Option("--poll", min=0.1, help="Seconds between looks for offers.")] = 1.0,
    reconnect_s: Annotated[int, typer.Option("--reconnect", min=1, help="Seconds between reconnects.")] = 2,
) -> None:
    """Asterisk events (QueueCallerJoin, DialEnd, Hangup, QueueCallerAbandon) become hotline arrivals,
    answers, rejects, ends and abandons; the agent callqa offers is dialled through a Redirect. Needs
    CALLQA_AMI_USERNAME, CALLQA_AMI_SECRET and CALLQA_HOTLINE_KEY. Stops on SIGTERM or Ctrl-C."""
    from callqa.services.ami import AmiAdapter, AmiConfig, HotlineApi

    settings = get_settings()
    missing = [
        name
        for name, value in (
            ("CALLQA_AMI_USERNAME", settings.ami_username),
            ("CALLQA_AMI_SECRET", settings.ami_secret),
            ("CALLQA_HOTLINE_KEY", settings.hotline_key),
        )
        if not value
    ]
    if missing:
        err.print(f"[red]set {', '.join(missing)} in the environment[/red]")
        raise typer.Exit(code=2)
    assert settings.ami_username and settings.ami_secret and settings.hotline_key
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = AmiConfig(
        host=host,
        port=port,
        username=settings.ami_username,
        secret=settings.ami_secret,
        queues=_queue_map(queue),
        dial_context=dial_context,
        refused_context=refused_context,
        hold_context=hold_context,
        poll_s=poll_s,
        reconnect_s=reconnect_s,
        language=settings.language,
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        hotline = HotlineApi(url, settings.hotline_key or "")
        try:
            await AmiAdapter(config, hotline).run(stop)
        finally:
            await hotline.aclose()

    out.print(f"following Asterisk at {host}:{port} for the hotline at {url}")
    asyncio.run(main())
