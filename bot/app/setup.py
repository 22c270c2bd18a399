"""`GET /setup`: register the GitHub App from `app.yml` through GitHub's manifest flow.

The page posts the manifest (with this server's URLs filled in) to GitHub; GitHub creates the app and
sends the browser back to `/setup/callback?code=…`, where the code is traded for the app's id, private
key and webhook secret. The key is written to a file readable only by this user (next to the database),
and the page lists the settings to restart the server with.
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


def routes(settings: Settings) -> list[Route]:
    states: set[str] = set()

    async def page(request: Request) -> Response:
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
            configured=settings.configured,
            app_id=settings.github_app_id,
        )
        return HTMLResponse(html)

    async def callback(request: Request) -> Response:
        code = request.query_params.get("code", "")
        state = request.query_params.get("state", "")
        if not code or state not in states:
            return PlainTextResponse("This link is not from a setup started on this server.", status_code=400)
        states.discard(state)
        app = await convert_manifest(settings.github_api_url, code)
        key_path = (settings.data_dir / KEY_FILE).resolve()
        _write_private(key_path, str(app["pem"]))
        html = _pages.get_template("setup_done.html.j2").render(
            slug=app.get("slug", ""),
            app_id=app["id"],
            key_path=key_path,
            webhook_secret=app.get("webhook_secret", ""),
            api_url=settings.github_api_url,
            install_url=f"{app.get('html_url', '')}/installations/new",
        )
        return HTMLResponse(html)

    return [Route("/setup", page, methods=["GET"]), Route("/setup/callback", callback, methods=["GET"])]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
