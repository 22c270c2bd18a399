"""`migration-review serve` and `migration-review worker`: the app's processes.

`serve` runs the Starlette app under uvicorn and, unless `--no-worker`, a worker in the same process
(the embedded default: one process, one SQLite file). `worker` runs only the worker, against the same
store, for when reviews should not share a process with the receiver.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the app's modules load only when a server command runs, not for `review`
    from bot.app.jobs import Runner
    from bot.app.metrics import Metrics
    from bot.app.settings import Settings
    from bot.app.store import Store

log = logging.getLogger("migration_review")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `serve` and `worker` to the command line's subcommands."""
    serve = commands.add_parser("serve", help="run the GitHub App's webhook server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-worker", action="store_true", help="only receive; run `worker` separately")
    serve.set_defaults(handler=run_serve)
    worker = commands.add_parser("worker", help="run reviews queued by `serve --no-worker`")
    worker.add_argument("--metrics-port", type=int, default=0, help="serve /metrics on this port (0: do not)")
    worker.set_defaults(handler=run_worker)


def _settings() -> Settings | None:
    from bot.app.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        print(f"migration-review: {error}", file=sys.stderr)
        return None


def _logging() -> None:
    from bot.app import logs

    logs.configure()


def _open_store(settings: Settings) -> Store | None:
    """Check the key, the secret and the database, one line each; the store, or None when one failed."""
    from bot.app import startup
    from bot.app.store import Store

    opened: list[Store] = []
    checks = []
    if settings.configured:
        checks += [startup.check_key(settings), startup.check_secret(settings)]
    checks.append(
        startup.check_database(
            settings, lambda: opened.append(Store(settings.database_url, lease=settings.lease))
        )
    )
    for check in checks:
        print(f"migration-review: {check.line}", file=sys.stderr, flush=True)
    if not all(check.ok for check in checks):
        for store in opened:
            store.close()
        return None
    return opened[0]


def build_worker(
    settings: Settings, store: Store, metrics: Metrics | None = None, own_process: bool = False
) -> Runner:
    from bot.app import isolation, jobs, tasks
    from bot.app.github import GitHubApp
    from bot.app.metrics import Metrics
    from bot.app.store import Job

    metrics = metrics or Metrics()
    isolation.warm()  # before any job is claimed: a lease never waits for the imports
    context = tasks.Context(
        settings=settings, store=store, app=GitHubApp(settings, metrics=metrics, shared=store)
    )

    async def handle(job: Job) -> str:
        return await tasks.run(job, context)

    async def give_up(job: Job, error: str) -> None:
        await tasks.give_up(job, context, error)

    if store.engine:  # PostgreSQL: procrastinate runs the queue
        from bot.app.engine import EngineWorker

        return EngineWorker(
            settings.database_url,
            store,
            handle,
            give_up,
            concurrency=settings.workers,
            attempts=settings.job_attempts,
            metrics=metrics,
            install_signal_handlers=own_process,
        )
    return jobs.Worker(
        store, handle, give_up, concurrency=settings.workers, attempts=settings.job_attempts, metrics=metrics
    )


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app.metrics import Metrics
    from bot.app.web import create_app

    settings = _settings()
    if settings is None:
        return 2
    _logging()
    store = _open_store(settings)
    if store is None:
        return 2
    metrics = Metrics()
    worker = None
    if settings.configured and not args.no_worker:
        worker = build_worker(settings, store, metrics)
        log.info("%s unfinished jobs in the store", store.unfinished())
    elif not settings.configured:
        settings = _with_setup_token(settings)
        token = settings.setup_token.get_secret_value() if settings.setup_token else ""
        base = (settings.public_url or f"http://{args.host}:{args.port}").rstrip("/")
        log.warning("GITHUB_APP_ID is not set: only /setup and /healthz work")
        print(f"To create the GitHub App, open {base}/setup?token={token}", file=sys.stderr, flush=True)
    background = []
    if settings.configured and settings.redeliver_every > 0:
        from bot.app.github import GitHubApp
        from bot.app.redelivery import keep_redelivering

        github = GitHubApp(settings, metrics=metrics)
        background.append(lambda: keep_redelivering(github, store, settings.redeliver_every))
    app = create_app(settings, store, worker, background, metrics)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


def _with_setup_token(settings: Settings) -> Settings:
    """The one-time token that opens /setup: MIGRATION_REVIEW_SETUP_TOKEN, else a fresh one."""
    if settings.setup_token is not None:
        return settings
    import secrets

    from pydantic import SecretStr

    return settings.model_copy(update={"setup_token": SecretStr(secrets.token_urlsafe(24))})


def run_worker(args: argparse.Namespace) -> int:
    import anyio

    from bot.app import jobs
    from bot.app.metrics import Metrics

    settings = _settings()
    if settings is None:
        return 2
    if not settings.configured:
        print("migration-review: GITHUB_APP_ID is not set", file=sys.stderr)
        return 2
    _logging()
    store = _open_store(settings)
    if store is None:
        return 2
    log.info("%s unfinished jobs in the store", store.unfinished())
    metrics = Metrics()
    if args.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(args.metrics_port, addr="127.0.0.1", registry=metrics.registry)
    worker = build_worker(settings, store, metrics, own_process=True)

    async def work() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(jobs.checkpoints, store)
            await worker.run()  # until it is stopped (SIGTERM: the engine's worker ends gracefully)
            group.cancel_scope.cancel()

    with contextlib.suppress(KeyboardInterrupt):
        anyio.run(work)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="migration-review")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    raise SystemExit(main())
