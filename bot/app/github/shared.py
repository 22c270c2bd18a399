"""What every web and worker process shares through the database: installation tokens and the pace of
writes to each installation.

An installation token is asked for once and reused by every process until shortly before it expires:
the process that finds none takes a short claim on asking for it, the others wait for the token it
saves. A token GitHub refuses (revoked, expired early, the installation's permissions changed) is
dropped from this process's memory and from the database, so that the next request of any process asks
for a fresh one. Writes to one installation draw on one budget in the database, whichever process
makes them. When the database cannot answer, a process falls back on its own memory and its own pace.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Protocol

import anyio
from githubkit.cache import MemCacheStrategy
from githubkit.cache.mem_cache import MemCache

from bot.app import logs

log = logs.get("migration_review.github")

CLAIM = 10.0  # seconds one process may take to ask GitHub for a token before another one may ask
_WAIT = 0.05  # seconds between looks for the token another process is asking for
_INSTALLATION = ":installation:"  # in githubkit's cache key of an installation token


class Shared(Protocol):
    """The store, as the GitHub client uses it (bot/app/store.py)."""

    def token(self, key: str) -> tuple[str, float] | None: ...

    def claim_token(self, key: str, seconds: float) -> bool: ...

    def save_token(self, key: str, value: str, expires_at: float) -> None: ...

    def drop_token(self, value: str) -> int: ...

    def pace(self, installation_id: int, interval: float, burst: float) -> float: ...


class Tokens(MemCache):
    """githubkit's token cache: this process's memory, in front of the tokens every process shares when
    there is a `shared` store."""

    def __init__(self, shared: Shared | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.shared = shared
        self._values: dict[str, str] = {}  # key -> value, to find what to drop by the value GitHub refused

    def set(self, key: str, value: str, ex: timedelta) -> None:
        super().set(key, value, ex)
        self._values[key] = value

    async def drop(self, value: str) -> None:
        """Forget a token GitHub refused, here and in the store (only that value: a fresh token another
        process saved meanwhile stays)."""
        for key in [key for key, known in self._values.items() if known == value]:
            super().set(key, value, timedelta(seconds=-1))  # expired: the next look asks for a new one
            del self._values[key]
        if self.shared is not None:
            try:
                await anyio.to_thread.run_sync(self.shared.drop_token, value)
            except Exception as error:
                log.warning("shared tokens unreachable", error=f"{type(error).__name__}: {error}")

    async def aget(self, key: str) -> str | None:
        local = self.get(key)
        if local is not None or _INSTALLATION not in key or self.shared is None:
            return local
        deadline = time.monotonic() + CLAIM
        while time.monotonic() < deadline:
            try:
                found = await anyio.to_thread.run_sync(self.shared.token, key)
                if found is not None:
                    self.set(key, found[0], timedelta(seconds=found[1] - time.time()))
                    return found[0]
                if await anyio.to_thread.run_sync(self.shared.claim_token, key, CLAIM):
                    return None  # ours to ask for; githubkit saves it with aset
            except Exception as error:
                log.warning("shared tokens unreachable", error=f"{type(error).__name__}: {error}")
                return None
            await anyio.sleep(_WAIT)
        return None

    async def aset(self, key: str, value: str, ex: timedelta) -> None:
        self.set(key, value, ex)
        if _INSTALLATION in key and self.shared is not None:
            try:
                await anyio.to_thread.run_sync(
                    self.shared.save_token, key, value, time.time() + ex.total_seconds()
                )
            except Exception as error:
                log.warning("shared tokens unreachable", error=f"{type(error).__name__}: {error}")


class TokenCacheStrategy(MemCacheStrategy):
    """githubkit's cache strategy with our token cache (shared through the store when there is one)."""

    def __init__(self, shared: Shared | None = None) -> None:
        super().__init__()
        self.tokens = Tokens(shared)

    def get_cache_storage(self) -> Tokens:
        return self.tokens

    async def get_async_cache_storage(self) -> Tokens:
        return self.get_cache_storage()
