"""The `callqa` command line: `app` (in `callqa.cli.app`) and one module per command group.

`callqa.cli:app` is the console-script entry point; the CLI may use the pipeline and the services, never the
other way round (tests/test_architecture.py)."""

from callqa.cli.app import app

__all__ = ["app"]
