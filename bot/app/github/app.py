"""The app's identity: its JWT-authenticated client, narrowed installation sessions, and the manifest flow."""

from __future__ import annotations

import ssl
from collections.abc import AsyncGenerator, AsyncIterator, Generator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import httpx
from githubkit import AppAuthStrategy, AppInstallationAuthStrategy, GitHub

from bot.app import logs
from bot.app.github.policy import Pacer, counted, decide, json_of, timing_hooks, version_hooks
from bot.app.github.repository import Repository
from bot.app.github.shared import Shared, TokenCacheStrategy, Tokens
from bot.app.metrics import Metrics
from bot.app.settings import Settings

log = logs.get("migration_review.github")

PERMISSIONS: Any = {
    "checks": "write",
    "contents": "read",
    "metadata": "read",
    "pull_requests": "write",
}


@cache
def _ssl_context() -> ssl.SSLContext:
    """The TLS settings httpx would build for each client (its CA bundle, SSL_CERT_FILE or SSL_CERT_DIR),
    built once: every job opens a client of its own, and loading the CA bundle each time cost a quarter
    of a worker's CPU in the scale test."""
    return httpx.create_ssl_context()


class _RenewingAuth(httpx.Auth):
    """An installation's authentication that survives a token GitHub no longer takes.

    GitHub answers 401 to a revoked token, or one that expired before the cache thought it would: the
    token is dropped from every process's cache and the request is sent once more with a fresh one.
    """

    requires_request_body = True  # the request may be sent twice

    def __init__(self, inner: httpx.Auth, tokens: Tokens) -> None:
        self.inner = inner
        self.tokens = tokens

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield from self.inner.sync_auth_flow(request)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        for last_try in (False, True):
            flow = self.inner.async_auth_flow(request)
            sent = await flow.__anext__()
            while True:  # the token request when none is cached, then the request itself
                response = yield sent
                try:
                    sent = await flow.asend(response)
                except StopAsyncIteration:
                    break
            used = request.headers.get("Authorization", "")
            if last_try or response.status_code != 401 or not used.startswith("token "):
                return
            log.warning("GitHub refused the installation token; asking for a new one", path=request.url.path)
            await self.tokens.drop(used.removeprefix("token "))


@dataclass
class _Installation(AppInstallationAuthStrategy):
    """githubkit's installation strategy, its flow wrapped in `_RenewingAuth`."""

    def get_auth_flow(self, github: Any) -> httpx.Auth:
        flow = super().get_auth_flow(github)
        tokens = github.config.cache_strategy.get_cache_storage()
        return _RenewingAuth(flow, tokens) if isinstance(tokens, Tokens) else flow


class GitHubApp:
    """The app's identity: a JWT-authenticated client, and sessions per installation and repository."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.AsyncBaseTransport | None = None,
        metrics: Metrics | None = None,
        shared: Shared | None = None,
    ) -> None:
        """`shared`: the store, so that every process reuses one token and one pace per installation."""
        self.settings = settings
        self._shared = shared
        started, answered = timing_hooks(metrics)
        self._app = GitHub(
            AppAuthStrategy(app_id=settings.app_id, private_key=settings.private_key),
            base_url=settings.github_api_url,
            http_cache=False,
            auto_retry=counted(metrics),
            timeout=httpx.Timeout(settings.github_timeout, connect=min(10.0, settings.github_timeout)),
            follow_redirects=True,
            ssl_verify=_ssl_context(),  # one for every session: loading the CA bundle costs milliseconds
            async_transport=transport,
            user_agent="migration-review",
            # tokens of this app only, not a process-wide cache; shared with the app's other processes
            cache_strategy=TokenCacheStrategy(shared),
            async_event_hooks={
                "request": [*version_hooks(settings.api_version), started],
                "response": [answered],
            },
        )
        self._login: str | None = None
        self._pacers: dict[int, Pacer] = {}

    async def bot_login(self) -> str:
        """`<slug>[bot]`, the login our comments are written under."""
        if self._login is None:
            response = await self._app.rest.apps.async_get_authenticated()
            self._login = f"{json_of(response)['slug']}[bot]"
        return self._login

    async def failed_deliveries(self, since: datetime) -> list[tuple[int, str]]:
        """(delivery id, guid) of webhooks GitHub could not hand us since `since`, one per guid."""
        pages = self._app.rest.paginate(
            self._app.rest.apps.async_list_webhook_deliveries, map_func=json_of, per_page=100
        )
        failed: dict[str, int] = {}
        delivered: set[str] = set()
        async for item in pages:  # newest first
            if datetime.fromisoformat(str(item["delivered_at"]).replace("Z", "+00:00")) < since:
                break
            guid = str(item["guid"])
            if 200 <= int(item.get("status_code") or 0) < 300:
                delivered.add(guid)
            elif guid not in delivered:
                failed.setdefault(guid, int(item["id"]))
        return [(delivery, guid) for guid, delivery in failed.items() if guid not in delivered]

    async def redeliver(self, delivery_id: int) -> None:
        await self._app.rest.apps.async_redeliver_webhook_delivery(delivery_id)

    @asynccontextmanager
    async def repository(self, installation_id: int, owner: str, name: str) -> AsyncIterator[Repository]:
        auth = self._app.auth
        assert isinstance(auth, AppAuthStrategy)
        narrowed = self._app.with_auth(
            _Installation(
                auth.app_id,
                auth.private_key,
                installation_id,
                auth.client_id,
                auth.client_secret,
                repositories=[name],
                permissions=PERMISSIONS,
            )
        )
        pacer = self._pacers.setdefault(
            installation_id,
            Pacer(self.settings.write_interval, installation_id=installation_id, shared=self._shared),
        )
        async with narrowed:
            yield Repository(narrowed, owner, name, pacer, self.settings)


async def convert_manifest(api_url: str, code: str, transport: httpx.AsyncBaseTransport | None = None) -> Any:
    """Finish GitHub's manifest flow: trade the one-hour `code` for the new app's id, key and secret."""
    gh = GitHub(base_url=api_url, http_cache=False, auto_retry=decide, async_transport=transport)
    response = await gh.rest.apps.async_create_from_manifest(code)
    return json_of(response)
