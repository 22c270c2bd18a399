"""Checks made once at start-up, so a bad key, secret or database stops the server with one line each.

Without them a garbage private key or an unreachable database would surface only when the first job
ran, as a failed check run on somebody's pull request. Each check gives one line for the operator:
what it checked and whether it is usable (never the secret itself, never a password).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.app.settings import Settings

MIN_SECRET = 16  # characters: shorter webhook secrets can be guessed


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    @property
    def line(self) -> str:
        return f"{self.name}: {'ok' if self.ok else 'FAILED'}: {self.detail}"


def key_problem(settings: Settings) -> str | None:
    """Why the app's private key cannot sign GitHub's tokens, or None when it can."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(settings.private_key.encode(), password=None)
    except Exception as error:
        return f"not a usable PEM private key ({type(error).__name__})"
    if not isinstance(key, rsa.RSAPrivateKey):
        return "GitHub Apps sign with an RSA key; this is another kind"
    return None


def check_key(settings: Settings) -> Check:
    problem = key_problem(settings)
    name = (
        "private key (GITHUB_PRIVATE_KEY)"
        if settings.github_private_key
        else "private key (GITHUB_PRIVATE_KEY_PATH)"
    )
    return Check(name, problem is None, problem or "an RSA key GitHub's tokens can be signed with")


def check_secret(settings: Settings) -> Check:
    secrets = settings.webhook_secrets
    if not secrets:
        return Check("webhook secret (GITHUB_WEBHOOK_SECRET)", False, "not set")
    previous = " (and the previous one, during a rotation)" if len(secrets) > 1 else ""
    weak = (
        f"; shorter than {MIN_SECRET} characters, easy to guess: choose a longer one"
        if any(len(s) < MIN_SECRET for s in secrets)
        else ""
    )
    return Check("webhook secret (GITHUB_WEBHOOK_SECRET)", True, f"set{previous}{weak}")


def where(url: str) -> str:
    """The database named without its credentials."""
    if url.startswith("sqlite:///"):
        return url
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or 'localhost'}{port}{parts.path}"


def check_database(settings: Settings, open_store: Callable[[], object]) -> Check:
    name = "database (DATABASE_URL)"
    try:
        open_store()
    except Exception as error:
        return Check(name, False, f"{where(settings.database_url)} cannot be used: {type(error).__name__}")
    return Check(name, True, where(settings.database_url))
