"""The Starlette app: the webhook receiver, health, metrics and the setup page. Routes only.

`POST /webhooks/github` does plumbing and nothing else: refuse bodies over 25 MB, verify the
signature on the raw body, record the delivery id (a repeat is answered 200 and not processed), route
the (event, action) pair, enqueue, and answer 202.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.app import jobs, logs, setup, startup
from bot.app.metrics import CONTENT_TYPE, Metrics
from bot.app.settings import Settings
from bot.app.store import Store
from bot.app.webhooks import IGNORED, Task, Unroutable, action_of, route, verify

log = logs.get("migration_review.web")

MAX_BODY = 25 * 1024 * 1024  # GitHub never sends more


class _TooLarge(Exception):
    pass


def create_app(
    settings: Settings,
    store: Store,
    worker: jobs.Runner | None = None,
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = (),
    metrics: Metrics | None = None,
) -> Starlette:
    """The app; `worker` and the `background` loops run for as long as it serves."""
    metrics = metrics or (worker.metrics if worker is not None and worker.metrics else Metrics())
    metrics.queue(store.queue)
    key_problem = startup.key_problem(settings) if settings.configured else None

    async def receive(request: Request) -> Response:
        started = time.monotonic()
        outcome, verified, response = await _receive(request, settings, store, worker)
        event = request.headers.get("x-github-event", "")
        metrics.webhook(event, outcome, time.monotonic() - started, verified)
        return response

    async def healthz(request: Request) -> Response:
        """Alive: the process answers. The queue's size when the database answers too."""
        try:
            unfinished: int | None = await anyio.to_thread.run_sync(store.unfinished)
        except Exception:
            unfinished = None
        return JSONResponse({"status": "ok", "unfinished_jobs": unfinished})

    async def readyz(request: Request) -> Response:
        """Ready: the database answers, the private key is usable and a worker is running."""
        checks = {
            "database": await _database_ok(store),
            "key": settings.configured and key_problem is None,
            "worker": await _worker_ok(store, worker),
        }
        ready = all(checks.values())
        body = {
            "status": "ready" if ready else "not ready",
            **{k: "ok" if v else "failing" for k, v in checks.items()},
        }
        return JSONResponse(body, status_code=200 if ready else 503)

    async def metrics_page(request: Request) -> Response:
        return Response(await anyio.to_thread.run_sync(metrics.render), media_type=CONTENT_TYPE)

    routes = [
        Route("/webhooks/github", receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_page, methods=["GET"]),
        *setup.routes(settings),
    ]
    loops = [lambda: jobs.checkpoints(store), *background, *([worker.run] if worker else [])]
    return Starlette(routes=routes, lifespan=_lifespan(loops))


async def _database_ok(store: Store) -> bool:
    try:
        await anyio.to_thread.run_sync(store.ping)
    except Exception:
        return False
    return True


async def _worker_ok(store: Store, worker: jobs.Runner | None) -> bool:
    if worker is not None:
        return worker.ready
    try:
        return await anyio.to_thread.run_sync(store.workers_alive) > 0
    except Exception:
        return False


def _lifespan(
    loops: Sequence[Callable[[], Coroutine[Any, Any, None]]],
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as group:
            for loop in loops:
                group.start_soon(loop)
            yield
            group.cancel_scope.cancel()

    return lifespan


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        raise _TooLarge
    chunks = bytearray()
    async for chunk in request.stream():
        chunks += chunk
        if len(chunks) > MAX_BODY:
            raise _TooLarge
    return bytes(chunks)


async def _receive(
    request: Request, settings: Settings, store: Store, worker: jobs.Runner | None
) -> tuple[str, bool, Response]:
    """(outcome, whether the signature was verified, the answer)."""
    try:
        body = await _body(request)
    except _TooLarge:
        return "too_large", False, JSONResponse({"error": "payload too large"}, status_code=413)
    if not settings.configured:
        return (
            "unconfigured",
            False,
            JSONResponse({"error": "the app is not configured; see /setup"}, status_code=503),
        )
    if not verify(body, request.headers.get("x-hub-signature-256"), settings.webhook_secrets):
        log.warning("refused a delivery with a bad signature")
        return "bad_signature", False, JSONResponse({"error": "bad signature"}, status_code=401)
    event = request.headers.get("x-github-event", "")
    guid = request.headers.get("x-github-delivery", "")
    if not event or not guid:
        return (
            "malformed",
            True,
            JSONResponse({"error": "missing X-GitHub-Event or X-GitHub-Delivery"}, status_code=400),
        )
    action = action_of(body)
    with logs.context(delivery=guid):
        outcome, response = await _accept(store, worker, settings, event, action, body, guid)
    return outcome, True, response


async def _accept(
    store: Store,
    worker: jobs.Runner | None,
    settings: Settings,
    event: str,
    action: str,
    body: bytes,
    guid: str,
) -> tuple[str, Response]:
    task: Task | None = None
    outcome = "queued"
    try:
        task = route(event, action, body, settings.app_id)
    except Unroutable as error:
        log.warning("delivery ignored", github_event=event, action=action, reason=str(error))
        outcome = "unroutable"
    if task is None and outcome == "queued":
        outcome = "ignored" if event in IGNORED else "unknown"
    if task is not None:
        task = replace(task, delivery=guid)
    try:
        new, job = await anyio.to_thread.run_sync(store.receive, guid, event, action, task)
    except Exception as error:  # GitHub keeps the delivery as failed; redelivery brings it back
        log.error("could not record the delivery", error=f"{type(error).__name__}: {error}")
        return "unavailable", JSONResponse({"error": "the job store is unavailable"}, status_code=503)
    if not new:
        log.info("delivery seen before; not processed again")
        return "duplicate", JSONResponse({"status": "duplicate"}, status_code=200)
    if task is None:
        log.info("delivery not queued", github_event=event, action=action, outcome=outcome)
        return outcome, JSONResponse({"status": "ignored"}, status_code=202)
    if job is not None and worker is not None:
        worker.wake()
    with logs.context(repository=f"{task.owner}/{task.repo}" if task.repo else "", pull_request=task.number):
        log.info("delivery queued", github_event=event, action=action, job=job)
    return "queued", JSONResponse({"status": "queued", "job": job}, status_code=202)
