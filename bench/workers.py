"""Reviews per minute on the PostgreSQL job engine with 1, 2 and 4 worker processes.

One `serve --no-worker` receives `pull_request.opened` for N pull requests (each adding one migration,
served over HTTP by the fake GitHub); W `migration-review worker` processes review them. The figure is N
divided by the time from the first delivery to the last completed check run.

The baseline, `bare starlette`, is a Starlette app of a few lines in this script, under the same uvicorn,
answering the same deliveries against the same fake GitHub: it checks the signature, answers 202, then
in a background task takes an installation token (once), lists the pull request's files and publishes a
completed check run, with no queue, no database and no review. Its check runs per minute are the ceiling
of the plumbing; the gap to ours is the review, the queue and the isolation of each review.

Run from the repository root: `python bench/workers.py [--pulls 40] [--workers 1 2 4]`; PostgreSQL from
MIGRATION_REVIEW_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/postgres), in a schema of its own.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook import _fake_github, _key, _opened, _port, _serve, _wait_http

from tests.fakegithub import BASE_FILES, FakeGitHub, FakePull, FakeRepo

PG = os.environ.get("MIGRATION_REVIEW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def reviews_per_minute(tmp: Path, private: str, public: str, workers: int, pulls: int) -> float:
    schema = f"mr_bench_{os.getpid()}_{workers}"
    with psycopg.connect(PG, autocommit=True) as admin:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.execute(f"CREATE SCHEMA {schema}")
    url = f"{PG}{'&' if '?' in PG else '?'}options=-csearch_path%3D{schema}"
    fake, repo, port, server = _fake_github(public)
    heads = _pull_requests(fake, repo, pulls)
    app_port = _port()
    env = {"DATABASE_URL": url, "MIGRATION_REVIEW_WRITE_INTERVAL": "0"}
    receiver = _serve(tmp, private, f"http://127.0.0.1:{port}", app_port, "--no-worker", env_extra=env)
    processes = []
    try:
        worker_env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        worker_env |= {
            "GITHUB_APP_ID": "29310",
            "GITHUB_PRIVATE_KEY": private,
            "GITHUB_WEBHOOK_SECRET": "bench-secret",
            "GITHUB_API_URL": f"http://127.0.0.1:{port}",
            "MIGRATION_REVIEW_CACHE_DIR": str(tmp / "cache"),
            **env,
        }
        for _ in range(workers):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot", "worker"],
                    env=worker_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        while not _ready(app_port) or _alive(url) < workers:  # every worker started, not only the first
            time.sleep(0.1)
        elapsed = _timed_round(app_port, heads, repo, f"bench-{workers}")
    finally:
        for process in [*processes, receiver]:
            process.terminate()
        for process in [*processes, receiver]:
            process.wait(timeout=30)
        server.should_exit = True
        with psycopg.connect(PG, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    return pulls / elapsed * 60


def _pull_requests(fake: FakeGitHub, repo: FakeRepo, pulls: int) -> dict[int, str]:
    """`pulls` pull requests that each add one migration on the same base: number → head commit."""
    base = fake.commit(repo, dict(BASE_FILES))
    heads = {}
    for number in range(1, pulls + 1):
        migration = f"ALTER TABLE users ADD COLUMN c{number} text;\n"
        heads[number] = fake.commit(repo, BASE_FILES | {f"db/migrations/{number:06}_add.up.sql": migration})
        repo.pulls[number] = FakePull(number, base, heads[number], "Adds a column.")
    return heads


def _timed_round(app_port: int, heads: dict[int, str], repo: FakeRepo, delivery: str) -> float:
    """Seconds from the first webhook sent to the last of their heads' check runs completed."""
    started = time.perf_counter()
    for number, head in heads.items():
        body, headers = _opened(number, head, f"{delivery}-{number}")
        httpx.post(f"http://127.0.0.1:{app_port}/webhooks/github", content=body, headers=headers, timeout=10)
    wanted = set(heads.values())
    while len({r["head_sha"] for r in repo.check_runs if r["status"] == "completed"} & wanted) < len(wanted):
        time.sleep(0.05)
    return time.perf_counter() - started


def _alive(url: str) -> int:
    """Worker processes with a heartbeat in the store."""
    with psycopg.connect(url, autocommit=True) as db:
        row = db.execute(
            "SELECT count(*) FROM workers WHERE seen_at > extract(epoch FROM now()) - 5"
        ).fetchone()
    return int(row[0]) if row else 0


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _bare(port: int, github: str, private: str) -> None:
    """The baseline app (run in its own process by `baseline`)."""
    import hashlib
    import hmac

    import jwt
    import uvicorn
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    tokens: dict[int, str] = {}
    client = httpx.AsyncClient(base_url=github, timeout=30)

    async def token(installation: int) -> str:
        if installation not in tokens:
            now = int(time.time())
            claims = {"iat": now - 60, "exp": now + 540, "iss": "29310"}
            bearer = jwt.encode(claims, private, algorithm="RS256")
            answer = await client.post(
                f"/app/installations/{installation}/access_tokens",
                headers={"Authorization": f"Bearer {bearer}"},
            )
            tokens[installation] = answer.json()["token"]
        return tokens[installation]

    async def publish(event: dict[str, object]) -> None:
        pull = event["pull_request"]
        repo = event["repository"]
        assert isinstance(pull, dict) and isinstance(repo, dict)
        auth = {"Authorization": f"token {await token(1)}"}
        name = repo["full_name"]
        await client.get(f"/repos/{name}/pulls/{pull['number']}/files", headers=auth)
        check = {"name": "Migration Review", "head_sha": pull["head"]["sha"], "status": "completed"}
        await client.post(f"/repos/{name}/check-runs", json=check | {"conclusion": "neutral"}, headers=auth)

    async def receive(request: Request) -> JSONResponse:
        body = await request.body()
        digest = "sha256=" + hmac.new(b"bench-secret", body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(digest, request.headers.get("X-Hub-Signature-256", "")):
            return JSONResponse({"error": "bad signature"}, status_code=401)
        return JSONResponse(
            {"status": "queued"}, status_code=202, background=BackgroundTask(publish, json.loads(body))
        )

    app = Starlette(routes=[Route("/webhooks/github", receive, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def baseline(private: str, public: str, pulls: int) -> float:
    """Check runs per minute of the bare Starlette app, the same deliveries, the same fake GitHub."""
    fake, repo, port, server = _fake_github(public)
    heads = _pull_requests(fake, repo, pulls)
    app_port = _port()
    bare = subprocess.Popen(
        [sys.executable, __file__, "--bare", str(app_port), f"http://127.0.0.1:{port}"],
        env={**os.environ, "BENCH_PRIVATE_KEY": private},
    )
    try:
        _wait_http(f"http://127.0.0.1:{app_port}/webhooks/github")
        elapsed = _timed_round(app_port, heads, repo, "bare")
    finally:
        bare.terminate()
        bare.wait(timeout=10)
        server.should_exit = True
    return pulls / elapsed * 60


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pulls", type=int, default=40)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--bare", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        _bare(int(args.bare[0]), args.bare[1], os.environ["BENCH_PRIVATE_KEY"])
        return 0
    load = os.getloadavg()[0]
    private, public = _key()
    print(f"reviews per minute, {args.pulls} pull requests of one migration each, PostgreSQL job engine")
    print(f"load average before the runs {load:.2f} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as scratch:
        for count in args.workers:
            rate = reviews_per_minute(Path(scratch), private, public, count, args.pulls)
            print(f"  {count} worker{'s' if count > 1 else ''}: {rate:7.1f} reviews/min")
    rate = baseline(private, public, args.pulls)
    print(f"  bare starlette (baseline: check run, no review): {rate:7.1f} check runs/min")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
