"""`GET /setup`: register the GitHub App from `app.yml` through GitHub's manifest flow.

The page posts the manifest (with this server's URLs filled in) to GitHub; GitHub creates the app and
sends the browser back to `/setup/callback?code=…`, where the code is traded for the app's id, private
key and webhook secret. The key is written to a file readable only by this user (next to the database),
and the page lists the settings to restart the server with.

Setup is for the operator who started the server, once: it answers only while the app is unconfigured
and no key file exists, only to a browser that brings the one-time token printed at start-up (the state
GitHub hands back is issued only to that browser), and it closes after the first app is created. It
never overwrites a key file and never shows a configured app's id or secrets.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

import jinja2
import yaml
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.app.github import convert_manifest
from bot.app.settings import Settings

KEY_FILE = "migration-review.private-key.pem"
_PACKAGE = Path(__file__).resolve().parents[1]  # bot/
_SOURCE = _PACKAGE.parent


def _resource(name: str, folder: str = "templates") -> Path:
    """A file of the source tree, or the same file installed in the bot.templates package."""
    local = _SOURCE / folder / name if folder else _SOURCE / name
    return local if local.exists() else _PACKAGE / "templates" / name


_pages = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(_resource("setup.html.j2").parent)),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
)


def manifest(base_url: str) -> dict[str, Any]:
    """app.yml with this server's webhook and callback URLs."""
    data: dict[str, Any] = yaml.safe_load(_resource("app.yml", folder="").read_text(encoding="utf-8"))
    base = base_url.rstrip("/")
    data["hook_attributes"] = {**data.get("hook_attributes", {}), "url": f"{base}/webhooks/github"}
    data["redirect_url"] = f"{base}/setup/callback"
    return data


CLOSED = "Setup is closed: this server is configured, or was set up already. Restart it unconfigured to set up again."
NO_TOKEN = "Open the /setup link with the one-time token printed in the server's log when it started."
KEY_EXISTS = "A private key file exists at {path}; it is never overwritten. Move it away and start again."


def routes(settings: Settings) -> list[Route]:
    states: set[str] = set()
    finished: list[bool] = []
    key_path = (settings.data_dir / KEY_FILE).resolve()
    token = settings.setup_token.get_secret_value() if settings.setup_token is not None else ""

    def refusal(request: Request) -> Response | None:
        if settings.configured or finished or key_path.exists():
            return PlainTextResponse(CLOSED, status_code=404)
        given = request.query_params.get("token", "")
        if not token or not secrets.compare_digest(given.encode(), token.encode()):
            return PlainTextResponse(NO_TOKEN, status_code=403)
        return None

    async def page(request: Request) -> Response:
        if (refused := refusal(request)) is not None:
            return refused
        base = settings.public_url or str(request.base_url)
        org = request.query_params.get("org", "").strip()
        state = secrets.token_urlsafe(16)
        states.add(state)
        web = settings.github_web_url.rstrip("/")
        owner = f"/organizations/{org}" if org else ""
        data = manifest(base)
        html = _pages.get_template("setup.html.j2").render(
            manifest=data,
            manifest_json=json.dumps(data),
            action=f"{web}{owner}/settings/apps/new?state={state}",
            org=org,
            token=token,
        )
        return HTMLResponse(html, headers=_PRIVATE)

    async def callback(request: Request) -> Response:
        if settings.configured or finished or key_path.exists():
            return PlainTextResponse(CLOSED, status_code=404)
        code = request.query_params.get("code", "")
        state = request.query_params.get("state", "")
        if not code or state not in states:
            return PlainTextResponse("This link is not from a setup started on this server.", status_code=400)
        states.clear()
        app = await convert_manifest(settings.github_api_url, code)
        if not _write_private(key_path, str(app["pem"])):
            return PlainTextResponse(KEY_EXISTS.format(path=key_path), status_code=409)
        finished.append(True)
        html = _pages.get_template("setup_done.html.j2").render(
            slug=app.get("slug", ""),
            app_id=app["id"],
            key_path=key_path,
            webhook_secret=app.get("webhook_secret", ""),
            api_url=settings.github_api_url,
            install_url=f"{app.get('html_url', '')}/installations/new",
        )
        return HTMLResponse(html, headers=_PRIVATE)

    return [Route("/setup", page, methods=["GET"]), Route("/setup/callback", callback, methods=["GET"])]


_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _write_private(path: Path, text: str) -> bool:
    """Create the key file readable by this user only; False when a file is there already."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    return True
