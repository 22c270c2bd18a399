"""A stateful fake of the parts of GitHub's REST API the app uses, as an ASGI app.

Tests reach it in-process through `httpx.ASGITransport`, or serve it with uvicorn on 127.0.0.1. It
checks the app's JWT against the app's public key and installation tokens against the repository they
were narrowed to, paginates with real `Link` headers, redirects tarballs like codeload does, and
keeps every write so tests assert on what GitHub would have received.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import io
import json
import re
import tarfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import jwt
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

# A tiny repository: a users table, then one pull request adding a NOT NULL column without a default to
# it (BLOCKED) or a nullable one (APPROVED).
BASE_FILES = {
    "README.md": "# Hello\n",
    "db/migrations/000001_create_users.up.sql": "CREATE TABLE users (\n    id bigint PRIMARY KEY,\n"
    "    email text NOT NULL\n);\n",
    "db/migrations/000001_create_users.down.sql": "DROP TABLE users;\n",
    "app/models.py": "class User:\n    table = 'users'\n    columns = ('id', 'email')\n",
}
BLOCKED = {
    "db/migrations/000002_add_plan.up.sql": "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n",
    "db/migrations/000002_add_plan.down.sql": "ALTER TABLE users DROP COLUMN plan;\n",
}
SAFE = {
    "db/migrations/000002_add_nickname.up.sql": "ALTER TABLE users ADD COLUMN nickname text;\n",
    "db/migrations/000002_add_nickname.down.sql": "ALTER TABLE users DROP COLUMN nickname;\n",
}


@dataclass
class FakePull:
    number: int
    base_sha: str
    head_sha: str
    body: str = ""
    state: str = "open"
    base_ref: str = "main"
    fork: bool = False
    author: str = "Codertocat"
    merge_base: str = ""  # the commit the pull request forked from; empty: its base
    reviews: list[dict[str, Any]] = field(default_factory=list)
    changed_files: int | None = None  # what GitHub counts, when a test wants it to disagree with the trees


@dataclass
class FakeRepo:
    owner: str
    name: str
    id: int
    commits: dict[str, dict[str, str]] = field(default_factory=dict)
    pulls: dict[int, FakePull] = field(default_factory=dict)
    permissions: dict[str, str] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    check_runs: list[dict[str, Any]] = field(default_factory=list)
    reactions: list[tuple[int, str]] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    headers: dict[str, str]
    delay: float = 0.0  # seconds before the answer; with status 0, the answer is the usual one


class FakeGitHub:
    def __init__(self, app_id: int, public_key: str, slug: str = "migration-review") -> None:
        self.app_id = app_id
        self.public_key = public_key
        self.slug = slug
        self.repos: dict[str, FakeRepo] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.revoked: set[str] = set()
        self.log: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self._faults: list[_Fault] = []
        self._holds: list[tuple[re.Pattern[str], threading.Event]] = []
        self._waiting: dict[str, int] = {}
        self._ids = iter(range(1000, 10**9))
        self.on_request: Callable[[dict[str, Any]], None] | None = None
        self.hook_deliveries: list[dict[str, Any]] = []  # newest first, as GitHub lists them
        self.redelivered: list[int] = []
        self._tarballs: dict[str, bytes] = {}

    # --- test controls --------------------------------------------------------------------------

    def add_repo(self, owner: str, name: str, repo_id: int) -> FakeRepo:
        repo = FakeRepo(owner, name, repo_id)
        self.repos[repo.full_name] = repo
        return repo

    @staticmethod
    def commit(repo: FakeRepo, files: dict[str, str]) -> str:
        sha = hashlib.sha1(json.dumps(files, sort_keys=True).encode()).hexdigest()
        repo.commits[sha] = dict(files)
        return sha

    def say(self, repo: FakeRepo, number: int, login: str, body: str) -> int:
        """A comment written on the pull request by `login` (a person, not the app)."""
        comment = {
            "id": next(self._ids),
            "issue": number,
            "body": body,
            "user": {"login": login, "type": "User"},
            "edits": 0,
        }
        repo.comments.append(comment)
        return int(comment["id"])

    def review(self, repo: FakeRepo, number: int, login: str, state: str = "APPROVED") -> None:
        """A review of the pull request's current head, in the shape GitHub lists reviews."""
        pull = repo.pulls[number]
        pull.reviews.append(
            {
                "id": next(self._ids),
                "user": {"login": login, "type": "User"},
                "body": "",
                "state": state,
                "commit_id": pull.head_sha,
                "submitted_at": "2026-01-01T00:00:00Z",
                "author_association": "MEMBER",
            }
        )

    def tarball(self, repo: FakeRepo, sha: str) -> bytes:
        """The commit's tarball, built once (a test may build a large one before it starts the clock)."""
        key = f"{repo.full_name}@{sha}"
        if key not in self._tarballs:
            self._tarballs[key] = _tarball(f"{repo.owner}-{repo.name}-{sha[:7]}", repo.commits[sha])
        return self._tarballs[key]

    def fail(self, method: str, pattern: str, status: int = 500, times: int = 1, **headers: str) -> None:
        """The next `times` requests matching answer `status` (with `headers`)."""
        self._faults.append(_Fault(method, re.compile(pattern), status, times, headers))

    def slow(self, method: str, pattern: str, seconds: float, times: int = 1) -> None:
        """The next `times` requests matching answer as usual, but only after `seconds`."""
        self._faults.append(_Fault(method, re.compile(pattern), 0, times, {}, seconds))

    def revoke(self) -> list[str]:
        """Revoke every installation token handed out so far (as when the app is suspended and back, or a
        token leaked): GitHub answers 401 "Bad credentials" to each from now on."""
        with self.lock:
            revoked = [token for token in self.tokens if token not in self.revoked]
            self.revoked.update(revoked)
        return revoked

    def hold(self, pattern: str) -> threading.Event:
        """Requests whose path matches wait until the returned event is set."""
        gate = threading.Event()
        self._holds.append((re.compile(pattern), gate))
        return gate

    def waiting(self, pattern: str) -> int:
        """How many requests wait at the hold of `pattern` right now."""
        with self.lock:
            return self._waiting.get(pattern, 0)

    @contextmanager
    def _held(self, pattern: str) -> Iterator[None]:
        with self.lock:
            self._waiting[pattern] = self._waiting.get(pattern, 0) + 1
        try:
            yield
        finally:
            with self.lock:
                self._waiting[pattern] -= 1

    def seen(self, method: str, pattern: str) -> int:
        with self.lock:
            return sum(1 for m, p in self.log if m == method and re.search(pattern, p))

    # --- the ASGI app ---------------------------------------------------------------------------

    def app(self) -> Starlette:
        r = "/repos/{owner}/{name}"
        routes = [
            Route("/app", self._get_app),
            Route("/app/installations/{installation:int}/access_tokens", self._token, methods=["POST"]),
            Route("/app-manifests/{code}/conversions", self._manifest, methods=["POST"]),
            Route("/app/hook/deliveries", self._hook_deliveries),
            Route("/app/hook/deliveries/{id:int}/attempts", self._redeliver, methods=["POST"]),
            Route(r + "/pulls/{number:int}", self._pull),
            Route(r + "/pulls/{number:int}/files", self._files),
            Route(r + "/pulls/{number:int}/reviews", self._reviews),
            Route(r + "/compare/{basehead}", self._compare),
            Route(r + "/contents/{path:path}", self._contents),
            Route(r + "/tarball/{ref}", self._tarball),
            Route("/_codeload/{owner}/{name}/legacy.tar.gz/{sha}", self._codeload),
            Route(r + "/issues/{number:int}/comments", self._comments, methods=["GET", "POST"]),
            Route(r + "/issues/comments/{id:int}", self._comment, methods=["PATCH"]),
            Route(r + "/issues/comments/{id:int}/reactions", self._react, methods=["POST"]),
            Route(r + "/collaborators/{user}/permission", self._permission),
            Route(r + "/check-runs", self._create_check_run, methods=["POST"]),
            Route(r + "/check-runs/{id:int}", self._update_check_run, methods=["PATCH"]),
            Route(r + "/check-runs/{id:int}", self._get_check_run, methods=["GET"]),
            Route(r + "/commits/{ref}/check-runs", self._list_check_runs),
            Route(r + "/commits/{sha}/pulls", self._pulls_for_commit),
        ]
        app = Starlette(routes=routes)
        fake = self

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] == "http":
                path = scope["path"]
                with fake.lock:
                    fake.log.append((scope["method"], path))
                if fake.on_request is not None:
                    fake.on_request(scope)
                for pattern, gate in list(fake._holds):
                    if pattern.search(path) and not gate.is_set():
                        with fake._held(pattern.pattern):
                            while not gate.is_set():
                                await anyio.sleep(0.02)
                if fake._revoked(scope):
                    await JSONResponse({"message": "Bad credentials"}, status_code=401)(scope, receive, send)
                    return
                fault = fake._fault(scope["method"], path)
                if fault is not None and fault.delay:
                    await anyio.sleep(fault.delay)
                if fault is not None and fault.status:
                    response = JSONResponse(
                        {"message": "injected"}, status_code=fault.status, headers=fault.headers
                    )
                    await response(scope, receive, send)
                    return
            await app(scope, receive, send)

        return asgi  # type: ignore[return-value]

    def _revoked(self, scope: Any) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                return value.decode().removeprefix("token ").removeprefix("Bearer ") in self.revoked
        return False

    def _fault(self, method: str, path: str) -> _Fault | None:
        with self.lock:
            for fault in self._faults:
                if fault.times > 0 and fault.method == method and fault.pattern.search(path):
                    fault.times -= 1
                    return fault
        return None

    # --- authentication -------------------------------------------------------------------------

    def _jwt_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(header[7:], self.public_key, algorithms=["RS256"])
        except jwt.PyJWTError:
            return False
        return str(claims.get("iss")) == str(self.app_id)

    def _repo(self, request: Request) -> FakeRepo | None:
        """The repository, if the request's installation token may see it."""
        header = request.headers.get("authorization", "")
        token = self.tokens.get(header.removeprefix("token ").removeprefix("Bearer "))
        repo = self.repos.get(f"{request.path_params['owner']}/{request.path_params['name']}")
        if token is None or repo is None:
            return None
        allowed = token.get("repositories")
        return repo if not allowed or repo.name in allowed else None

    async def _get_app(self, request: Request) -> Response:
        if not self._jwt_ok(request):
            return _error(401, "A JSON web token could not be decoded")
        return JSONResponse({"id": self.app_id, "slug": self.slug, "name": self.slug})

    async def _token(self, request: Request) -> Response:
        if not self._jwt_ok(request):
            return _error(401, "A JSON web token could not be decoded")
        body = await request.json() if await request.body() else {}
        token = f"ghs_{next(self._ids)}"
        self.tokens[token] = {"installation": request.path_params["installation"], **body}
        expires = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        permissions = body.get("permissions", {})
        return JSONResponse(
            {"token": token, "expires_at": expires, "permissions": permissions}, status_code=201
        )

    async def _hook_deliveries(self, request: Request) -> Response:
        if not self._jwt_ok(request):
            return _error(401, "A JSON web token could not be decoded")
        per_page = int(request.query_params.get("per_page", 30))
        start = int(request.query_params.get("cursor", 0))
        chunk = self.hook_deliveries[start : start + per_page]
        headers = {}
        if start + per_page < len(self.hook_deliveries):
            headers["Link"] = f'<{request.url.include_query_params(cursor=start + per_page)}>; rel="next"'
        return JSONResponse(chunk, headers=headers)

    async def _redeliver(self, request: Request) -> Response:
        if not self._jwt_ok(request):
            return _error(401, "A JSON web token could not be decoded")
        self.redelivered.append(request.path_params["id"])
        return JSONResponse({}, status_code=202)

    async def _manifest(self, request: Request) -> Response:
        return JSONResponse(
            {
                "id": 4242,
                "slug": "migration-review-test",
                "pem": "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n",
                "webhook_secret": "s3cret",
                "html_url": "https://github.example/apps/migration-review-test",
                "code": request.path_params["code"],
            },
            status_code=201,
        )

    # --- pull requests, files, contents, tarballs -----------------------------------------------

    async def _pull(self, request: Request) -> Response:
        repo = self._repo(request)
        pull = repo.pulls.get(request.path_params["number"]) if repo else None
        if repo is None or pull is None:
            return _error(404, "Not Found")
        return JSONResponse(_pull_json(repo, pull))

    async def _files(self, request: Request) -> Response:
        """Like GitHub: the changes since the merge base, paginated, and never more than 3,000 files."""
        repo = self._repo(request)
        pull = repo.pulls.get(request.path_params["number"]) if repo else None
        if repo is None or pull is None:
            return _error(404, "Not Found")
        return _page(request, _changed(repo, pull)[:FILES_LISTED])

    async def _reviews(self, request: Request) -> Response:
        repo = self._repo(request)
        pull = repo.pulls.get(request.path_params["number"]) if repo else None
        if repo is None or pull is None:
            return _error(404, "Not Found")
        return _page(request, pull.reviews)

    async def _compare(self, request: Request) -> Response:
        """`base...head`: the merge base (GitHub's own commit graph is not modelled; pulls name theirs)."""
        repo = self._repo(request)
        base, _, head = request.path_params["basehead"].partition("...")
        if repo is None or base not in repo.commits or head not in repo.commits:
            return _error(404, "Not Found")
        pull = next((p for p in repo.pulls.values() if p.head_sha == head and p.base_sha == base), None)
        merge_base = (pull.merge_base if pull else "") or base
        return JSONResponse(
            {
                "status": "ahead",
                "merge_base_commit": {"sha": merge_base},
                "base_commit": {"sha": base},
                "commits": [],
                "files": [],
                "total_commits": 1,
            }
        )

    async def _contents(self, request: Request) -> Response:
        repo = self._repo(request)
        files = repo.commits.get(request.query_params.get("ref", "")) if repo else None
        path = request.path_params["path"]
        if files is None or path not in files:
            return _error(404, "Not Found")
        data = files[path].encode()
        if "raw" in request.headers.get("accept", ""):
            return Response(data, media_type="application/vnd.github.raw")
        return JSONResponse(
            {
                "type": "file",
                "path": path,
                "encoding": "base64",
                "content": base64.b64encode(data).decode(),
                "size": len(data),
            }
        )

    async def _tarball(self, request: Request) -> Response:
        repo = self._repo(request)
        ref = request.path_params["ref"]
        if repo is None or ref not in repo.commits:
            return _error(404, "Not Found")
        location = f"{request.base_url}_codeload/{repo.owner}/{repo.name}/legacy.tar.gz/{ref}"
        return RedirectResponse(location, status_code=302)

    async def _codeload(self, request: Request) -> Response:
        repo = self.repos.get(f"{request.path_params['owner']}/{request.path_params['name']}")
        sha = request.path_params["sha"]
        if repo is None or sha not in repo.commits:
            return _error(404, "Not Found")
        return Response(self.tarball(repo, sha), media_type="application/x-gzip")

    async def _pulls_for_commit(self, request: Request) -> Response:
        repo = self._repo(request)
        if repo is None:
            return _error(404, "Not Found")
        sha = request.path_params["sha"]
        return JSONResponse([_pull_json(repo, p) for p in repo.pulls.values() if p.head_sha == sha])

    # --- comments, reactions, permissions -------------------------------------------------------

    async def _comments(self, request: Request) -> Response:
        repo = self._repo(request)
        if repo is None:
            return _error(404, "Not Found")
        number = request.path_params["number"]
        if request.method == "GET":
            return _page(request, [c for c in repo.comments if c["issue"] == number])
        body = (await request.json())["body"]
        if len(body) > 65536:
            return _error(422, "body is too long (maximum is 65536 characters)")
        comment = {
            "id": next(self._ids),
            "issue": number,
            "body": body,
            "user": {"login": f"{self.slug}[bot]", "type": "Bot"},
            "edits": 0,
        }
        repo.comments.append(comment)
        return JSONResponse(comment, status_code=201)

    async def _comment(self, request: Request) -> Response:
        repo = self._repo(request)
        found = [c for c in repo.comments if c["id"] == request.path_params["id"]] if repo else []
        if not found:
            return _error(404, "Not Found")
        found[0]["body"] = (await request.json())["body"]
        found[0]["edits"] += 1
        return JSONResponse(found[0])

    async def _react(self, request: Request) -> Response:
        repo = self._repo(request)
        if repo is None:
            return _error(404, "Not Found")
        reaction = (request.path_params["id"], (await request.json())["content"])
        if reaction in repo.reactions:
            return JSONResponse({"content": reaction[1]}, status_code=200)
        repo.reactions.append(reaction)
        return JSONResponse({"content": reaction[1]}, status_code=201)

    async def _permission(self, request: Request) -> Response:
        repo = self._repo(request)
        user = request.path_params["user"]
        if repo is None or user not in repo.permissions:
            return _error(404, "Not Found")
        level = repo.permissions[user]
        return JSONResponse({"permission": level, "role_name": level, "user": {"login": user}})

    # --- check runs -----------------------------------------------------------------------------

    async def _create_check_run(self, request: Request) -> Response:
        repo = self._repo(request)
        if repo is None:
            return _error(404, "Not Found")
        body = await request.json()
        if not body.get("name") or not body.get("head_sha"):
            return _error(422, "name and head_sha are required")
        run = {
            "id": next(self._ids),
            "app_id": self.app_id,
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "external_id": body.get("external_id", ""),
            "output": body.get("output", {}),
            "annotations": list(body.get("output", {}).get("annotations", [])),
            "actions": body.get("actions", []),
            "updates": 0,
            "created_at": time.time(),
        }
        repo.check_runs.append(run)
        return JSONResponse(_run_json(run), status_code=201)

    async def _update_check_run(self, request: Request) -> Response:
        repo = self._repo(request)
        found = [r for r in repo.check_runs if r["id"] == request.path_params["id"]] if repo else []
        if not found:
            return _error(404, "Not Found")
        run, body = found[0], await request.json()
        output = body.get("output") or {}
        for note in output.get("annotations", []):
            if note.get("annotation_level") not in ("notice", "warning", "failure"):
                return _error(422, "annotation_level is invalid")
        if len(output.get("annotations", [])) > 50 or len(output.get("summary", "")) > 65535:
            return _error(422, "Only 50 annotations and 65535 characters are allowed")
        run["annotations"].extend(output.get("annotations", []))
        run["output"] = {k: v for k, v in output.items() if k != "annotations"} or run["output"]
        if "conclusion" in body:
            run["status"], run["conclusion"] = "completed", body["conclusion"]
        elif "status" in body:
            run["status"] = body["status"]
        run["actions"] = body.get("actions", run["actions"])
        run["updates"] += 1
        return JSONResponse(_run_json(run))

    async def _get_check_run(self, request: Request) -> Response:
        repo = self._repo(request)
        found = [r for r in repo.check_runs if r["id"] == request.path_params["id"]] if repo else []
        return JSONResponse(_run_json(found[0])) if found else _error(404, "Not Found")

    async def _list_check_runs(self, request: Request) -> Response:
        repo = self._repo(request)
        if repo is None:
            return _error(404, "Not Found")
        name = request.query_params.get("check_name")
        runs = [
            _run_json(r)
            for r in repo.check_runs
            if r["head_sha"] == request.path_params["ref"] and (name is None or r["name"] == name)
        ]
        return JSONResponse({"total_count": len(runs), "check_runs": runs[::-1]})


def _error(status: int, message: str) -> Response:
    return JSONResponse(
        {"message": message, "documentation_url": "https://docs.github.com/rest"}, status_code=status
    )


FILES_LISTED = 3000  # GitHub's files API lists no more files than this


def _changed(repo: FakeRepo, pull: FakePull) -> list[dict[str, Any]]:
    base, head = repo.commits[pull.merge_base or pull.base_sha], repo.commits[pull.head_sha]
    entries = []
    for path in sorted(set(base) | set(head)):
        if base.get(path) == head.get(path):
            continue
        status = "added" if path not in base else "removed" if path not in head else "modified"
        entries.append(
            {
                "sha": _blob(head.get(path, "")),
                "filename": path,
                "status": status,
                "additions": 1,
                "deletions": 0,
                "changes": 1,
                "patch": "",
                "blob_url": "",
                "raw_url": "",
                "contents_url": "",
            }
        )
    return entries


def _blob(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _pull_json(repo: FakeRepo, pull: FakePull) -> dict[str, Any]:
    head_repo = {"full_name": f"fork/{repo.name}" if pull.fork else repo.full_name}
    return {
        "number": pull.number,
        "state": pull.state,
        "body": pull.body,
        "draft": False,
        "user": {"login": pull.author, "type": "User"},
        "changed_files": pull.changed_files if pull.changed_files is not None else len(_changed(repo, pull)),
        "head": {"sha": pull.head_sha, "ref": "feature", "repo": head_repo},
        "base": {"sha": pull.base_sha, "ref": pull.base_ref, "repo": {"full_name": repo.full_name}},
    }


def _run_json(run: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in run.items() if k not in ("annotations", "updates")} | {
        "app": {"id": run["app_id"]}
    }


def _page(request: Request, items: list[dict[str, Any]]) -> Response:
    per_page = min(int(request.query_params.get("per_page", 30)), 100)
    page = int(request.query_params.get("page", 1))
    last = max(1, -(-len(items) // per_page))
    chunk = items[(page - 1) * per_page : page * per_page]
    links = []
    url = request.url
    if page < last:
        links.append(f'<{url.include_query_params(page=page + 1)}>; rel="next"')
        links.append(f'<{url.include_query_params(page=last)}>; rel="last"')
    if page > 1:
        links.append(f'<{url.include_query_params(page=1)}>; rel="first"')
        links.append(f'<{url.include_query_params(page=page - 1)}>; rel="prev"')
    return JSONResponse(chunk, headers={"Link": ", ".join(links)} if links else {})


def _tarball(top: str, files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buffer.getvalue())


def _demo_state(fake: FakeGitHub) -> Any:
    async def state(request: Request) -> Response:
        repos = {}
        for name, repo in fake.repos.items():
            runs = [
                {k: v for k, v in r.items() if k != "output"} | {"title": r["output"].get("title")}
                for r in repo.check_runs
            ]
            repos[name] = {"comments": repo.comments, "check_runs": runs, "reactions": repo.reactions}
        return JSONResponse(repos)

    return state


def main(argv: list[str] | None = None) -> int:
    """A demo: serve the fake with one blocked pull request, or deliver a signed webhook to a server."""
    import argparse
    import hmac
    from pathlib import Path

    import uvicorn
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    parser = argparse.ArgumentParser(prog="python -m tests.fakegithub")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the fake GitHub with a demo repository")
    serve.add_argument("--port", type=int, default=9000)
    serve.add_argument("--key", type=Path, default=Path("demo-app-key.pem"))
    deliver = sub.add_parser("deliver", help="send a signed pull_request.opened for the demo pull request")
    deliver.add_argument("--to", default="http://127.0.0.1:8000/webhooks/github")
    deliver.add_argument("--secret", default="demo")
    args = parser.parse_args(argv)
    if args.command == "deliver":
        path = Path(__file__).parent / "fixtures" / "webhooks" / "pull_request__opened.json"
        data = json.loads(path.read_text())
        data["repository"].update({"id": 1, "name": "shop", "full_name": "demo/shop"})
        data["repository"]["owner"]["login"] = "demo"
        data["installation"] = {"id": 1}
        data["number"] = data["pull_request"]["number"] = 1
        body = json.dumps(data).encode()
        signature = "sha256=" + hmac.new(args.secret.encode(), body, hashlib.sha256).hexdigest()
        import httpx

        response = httpx.post(
            args.to,
            content=body,
            headers={
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": f"demo-{time.time()}",
                "X-Hub-Signature-256": signature,
                "Content-Type": "application/json",
            },
        )
        print(response.status_code, response.text)
        return 0
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    args.key.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    fake = FakeGitHub(29310, public)
    repo = fake.add_repo("demo", "shop", 1)
    base = fake.commit(repo, BASE_FILES)
    repo.pulls[1] = FakePull(1, base, fake.commit(repo, BASE_FILES | BLOCKED), "Adds a plan to every user.")
    repo.permissions["demo"] = "admin"
    app = fake.app()

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_state":
            await Route("/_state", _demo_state(fake))(scope, receive, send)
            return
        await app(scope, receive, send)

    print(
        f"export GITHUB_APP_ID=29310 GITHUB_PRIVATE_KEY_PATH={args.key.resolve()} GITHUB_WEBHOOK_SECRET=demo "
        f"GITHUB_API_URL=http://127.0.0.1:{args.port}"
    )
    print(
        f"then: migration-review serve --port 8000; python -m tests.fakegithub deliver; "
        f"curl http://127.0.0.1:{args.port}/_state"
    )
    uvicorn.run(asgi, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
