"""The Starlette app: the webhook receiver, health, metrics and the setup page. Routes only.

`POST /webhooks/github` does plumbing and nothing else: refuse bodies over 25 MB, verify the
signature on the raw body, record the delivery id (a repeat is answered 200 and not processed), route
the (event, action) pair, enqueue, and answer 202.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.app import jobs, setup
from bot.app.metrics import Counters
from bot.app.settings import Settings
from bot.app.store import Store
from bot.app.webhooks import IGNORED, Unroutable, action_of, route, verify

log = logging.getLogger("migration_review.web")

MAX_BODY = 25 * 1024 * 1024  # GitHub never sends more


class _TooLarge(Exception):
    pass


def create_app(
    settings: Settings,
    store: Store,
    worker: jobs.Worker | None = None,
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = (),
) -> Starlette:
    """The app; `worker` and the `background` loops run for as long as it serves."""
    counters = Counters()
    counters.describe("migration_review_webhooks_total", "Webhook deliveries by event and outcome.")
    counters.gauge("migration_review_jobs", "Jobs in the store by state.", lambda: _by_state(store))
    if worker is not None:
        counters.gauge(
            "migration_review_jobs_finished",
            "Jobs this process finished since it started, by outcome.",
            lambda: {(("state", state),): float(count) for state, count in worker.finished.items()},
        )

    async def receive(request: Request) -> Response:
        outcome, response = await _receive(request, settings, store, worker)
        counters.add(
            "migration_review_webhooks_total",
            event=request.headers.get("x-github-event", ""),
            outcome=outcome,
        )
        return response

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "unfinished_jobs": store.unfinished()})

    async def metrics(request: Request) -> Response:
        return PlainTextResponse(counters.render(), media_type="text/plain; version=0.0.4")

    routes = [
        Route("/webhooks/github", receive, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/metrics", metrics, methods=["GET"]),
        *setup.routes(settings),
    ]
    loops = [lambda: jobs.checkpoints(store), *background, *([worker.run] if worker else [])]
    return Starlette(routes=routes, lifespan=_lifespan(loops))


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


def _by_state(store: Store) -> dict[tuple[tuple[str, str], ...], float]:
    return {(("state", state),): float(count) for state, count in store.job_counts().items()}


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
    request: Request, settings: Settings, store: Store, worker: jobs.Worker | None
) -> tuple[str, Response]:
    try:
        body = await _body(request)
    except _TooLarge:
        return "too_large", JSONResponse({"error": "payload too large"}, status_code=413)
    if not settings.configured:
        return "unconfigured", JSONResponse(
            {"error": "the app is not configured; see /setup"}, status_code=503
        )
    if not verify(body, request.headers.get("x-hub-signature-256"), settings.webhook_secrets):
        log.warning("refused a delivery with a bad signature: %s", request.headers.get("x-github-delivery"))
        return "bad_signature", JSONResponse({"error": "bad signature"}, status_code=401)
    event = request.headers.get("x-github-event", "")
    guid = request.headers.get("x-github-delivery", "")
    if not event or not guid:
        return "malformed", JSONResponse(
            {"error": "missing X-GitHub-Event or X-GitHub-Delivery"}, status_code=400
        )
    action = action_of(body)
    if not store.record_delivery(guid, event, action):
        log.info("delivery %s seen before; not processed again", guid)
        return "duplicate", JSONResponse({"status": "duplicate"}, status_code=200)
    try:
        task = route(event, action, body, settings.app_id)
    except Unroutable as error:
        log.warning("delivery %s ignored: %s", guid, error)
        return "unroutable", JSONResponse({"status": "ignored"}, status_code=202)
    if task is None:
        known = "ignored" if event in IGNORED else "unknown"
        log.info("delivery %s %s.%s %s", guid, event, action, known)
        return known, JSONResponse({"status": "ignored"}, status_code=202)
    job = jobs.submit(store, replace(task, delivery=guid))
    if job is not None and worker is not None:
        worker.wake()
    log.info("delivery %s %s.%s queued as job %s", guid, event, action, job)
    return "queued", JSONResponse({"status": "queued", "job": job}, status_code=202)
