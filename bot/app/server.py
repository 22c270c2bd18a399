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
    from bot.app.jobs import Worker
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
    worker.set_defaults(handler=run_worker)


def _settings() -> Settings | None:
    from bot.app.settings import SettingsError, load_settings

    try:
        return load_settings()
    except SettingsError as error:
        print(f"migration-review: {error}", file=sys.stderr)
        return None


def _logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def build_worker(settings: Settings, store: Store) -> Worker:
    from bot.app import isolation, jobs, tasks
    from bot.app.github import GitHubApp
    from bot.app.store import Job

    isolation.warm()  # before any job is claimed: a lease never waits for the imports
    context = tasks.Context(settings=settings, store=store, app=GitHubApp(settings))

    async def handle(job: Job) -> str:
        return await tasks.run(job, context)

    async def give_up(job: Job, error: str) -> None:
        await tasks.give_up(job, context, error)

    return jobs.Worker(store, handle, give_up, concurrency=settings.workers, attempts=settings.job_attempts)


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.app.store import Store
    from bot.app.web import create_app

    settings = _settings()
    if settings is None:
        return 2
    _logging()
    store = Store(settings.database_url, lease=settings.lease)
    worker = None
    if settings.configured and not args.no_worker:
        worker = build_worker(settings, store)
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

        github = GitHubApp(settings)
        background.append(lambda: keep_redelivering(github, store, settings.redeliver_every))
    app = create_app(settings, store, worker, background)
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
    from bot.app.store import Store

    settings = _settings()
    if settings is None:
        return 2
    if not settings.configured:
        print("migration-review: GITHUB_APP_ID is not set", file=sys.stderr)
        return 2
    _logging()
    store = Store(settings.database_url, lease=settings.lease)
    log.info("%s unfinished jobs in the store", store.unfinished())
    worker = build_worker(settings, store)

    async def work() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(jobs.checkpoints, store)
            group.start_soon(worker.run)

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
