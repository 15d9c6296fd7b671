"""Stateful services of a deployment, around the database: ingest, the job queue and its worker, the job
handlers that run the pipeline for stored calls, the hotline coordinator, leader lease, health, metrics,
users and demo data. Services flush; their callers (CLI commands, API routes, the worker) commit.

Services may use `callqa.pipeline`; they never import `callqa.cli`."""
