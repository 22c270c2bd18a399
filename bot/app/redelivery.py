"""Ask GitHub again for the webhooks it failed to hand us.

GitHub never retries a failed delivery on its own (a restart, a deploy, a network fault): it keeps them
for three days and redelivers on request, with the same delivery id. Every `MIGRATION_REVIEW_REDELIVER_EVERY`
seconds the receiver lists the app's recent deliveries, and for each one that failed and that the store
has never recorded, asks for it again. A redelivery that does arrive twice is dropped by the delivery
id like any repeat.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import anyio

from bot.app.github import GitHubApp
from bot.app.store import Store

log = logging.getLogger("migration_review.redelivery")

WINDOW = timedelta(days=3)  # how long github.com keeps deliveries for redelivery
MAX_PER_ROUND = 50


async def redeliver_failed(app: GitHubApp, store: Store, window: timedelta = WINDOW) -> int:
    """Ask for each recently failed delivery we never received; returns how many were asked for."""
    asked = 0
    for delivery_id, guid in await app.failed_deliveries(datetime.now(UTC) - window):
        if asked >= MAX_PER_ROUND:
            break
        if store.seen_delivery(guid):
            continue
        await app.redeliver(delivery_id)
        asked += 1
        log.info("asked GitHub to redeliver %s", guid)
    return asked


async def keep_redelivering(app: GitHubApp, store: Store, every: float) -> None:
    while True:
        try:
            await redeliver_failed(app, store)
        except Exception as error:  # GitHub unreachable: try again next round
            log.warning("could not look for failed deliveries: %s", error)
        await anyio.sleep(every)
