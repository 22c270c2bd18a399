"""Webhook benchmarks for the GitHub App.

1. Acknowledgement latency: signed `pull_request.synchronize` deliveries at a fixed rate (default 200/s,
   open loop) to `migration-review serve --no-worker`, next to a bare Starlette endpoint that answers 202
   under the same uvicorn settings, in the same run. Prints p50/p99/max for both.
2. Webhook to published check run: a pull request adding 5 migrations to a repository of 10,000 files,
   served by the fake GitHub; `migration-review serve` with its worker; the time from sending the
   delivery to the check run being completed, cold (no snapshot cached) and warm (base cached).
3. Acknowledgement while a review is busy: a pull request with a 5 MB migration is being reviewed (in
   its child process) while pings are sent one after another; prints their p50/max (GitHub gives up
   on a delivery after 10 s; the target is under 1 s).

Run from the repository root: `python bench/webhook.py [--rate 200] [--seconds 10]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app.webhooks import sign  # noqa: E402
from tests.fakegithub import BASE_FILES, FakeGitHub, FakePull  # noqa: E402

SECRET = b"bench-secret"
APP_ID = 29310
PAYLOAD = ROOT / "tests" / "fixtures" / "webhooks" / "pull_request__synchronize.json"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _bare(port: int) -> None:
    """The baseline: a Starlette endpoint that reads the body and answers 202."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def receive(request: Request) -> JSONResponse:
        await request.body()
        return JSONResponse({"status": "queued"}, status_code=202)

    app = Starlette(routes=[Route("/webhooks/github", receive, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _key() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def _serve(
    tmp: Path, private: str, api_url: str, port: int, *extra: str, env_extra: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "GITHUB_APP_ID": str(APP_ID),
        "GITHUB_PRIVATE_KEY": private,
        "GITHUB_WEBHOOK_SECRET": SECRET.decode(),
        "GITHUB_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{tmp / f'bench-{port}.db'}",
        "MIGRATION_REVIEW_CACHE_DIR": str(tmp / "cache"),
        **(env_extra or {}),
    }
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    log = (tmp / f"serve-{port}.log").open("wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log)
    _wait_http(f"http://127.0.0.1:{port}/healthz")
    return process


async def _load(
    url: str, rate: float, seconds: float, bodies: list[tuple[bytes, dict[str, str]]]
) -> list[float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        for body, headers in bodies[:20]:  # warm up connections and code paths
            await client.post(url, content=body, headers=headers)

        async def one(body: bytes, headers: dict[str, str]) -> None:
            started = time.perf_counter()
            response = await client.post(url, content=body, headers=headers)
            latencies.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 202, response.text

        start = time.perf_counter()
        tasks = []
        for i, (body, headers) in enumerate(bodies[20 : 20 + int(rate * seconds)]):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(body, headers)))
        await asyncio.gather(*tasks)
    return latencies


def _deliveries(count: int, prefix: str) -> list[tuple[bytes, dict[str, str]]]:
    data = json.loads(PAYLOAD.read_text())
    out = []
    for i in range(count):
        data["pull_request"]["head"]["sha"] = f"{i:040x}"
        body = json.dumps(data).encode()
        out.append(
            (
                body,
                {
                    "X-GitHub-Event": "pull_request",
                    "X-GitHub-Delivery": f"{prefix}-{i}",
                    "X-Hub-Signature-256": sign(body, SECRET),
                    "Content-Type": "application/json",
                },
            )
        )
    return out


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "p50": statistics.median(ordered),
        "p99": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))],
        "max": ordered[-1],
    }


def acknowledgement(tmp: Path, private: str, rate: float, seconds: float) -> dict[str, Any]:
    results: dict[str, Any] = {}
    bare_port, app_port = _port(), _port()
    bare = subprocess.Popen([sys.executable, __file__, "--bare", str(bare_port)])
    app = _serve(tmp, private, "http://127.0.0.1:9/", app_port, "--no-worker")
    try:
        _wait_http(f"http://127.0.0.1:{bare_port}/webhooks/github")
        count = int(rate * seconds) + 20
        for name, port in (("bare starlette", bare_port), ("migration-review", app_port)):
            url = f"http://127.0.0.1:{port}/webhooks/github"
            results[name] = _summary(asyncio.run(_load(url, rate, seconds, _deliveries(count, name))))
    finally:
        for process in (bare, app):
            process.terminate()
            process.wait(timeout=10)
    return results


def check_run_time(tmp: Path, private: str, public: str, runs: int) -> dict[str, Any]:
    fake = FakeGitHub(APP_ID, public)
    repo = fake.add_repo("Codertocat", "Hello-World", 186853002)
    files = dict(BASE_FILES)
    for i in range(10_000 - len(files)):
        files[f"src/pkg{i // 100:03}/module{i:05}.py"] = (
            f"def handler_{i}(db):\n    return db.query('users')\n"
        )
    base = fake.commit(repo, files)
    port = _port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    app_port = _port()
    app = _serve(tmp, private, f"http://127.0.0.1:{port}", app_port)
    timings = []
    try:
        for run in range(runs):
            migrations = {
                f"db/migrations/{10 + run * 5 + i:06}_step.up.sql": f"ALTER TABLE users ADD COLUMN c{run}_{i} text;\n"
                for i in range(5)
            }
            head = fake.commit(repo, files | migrations)
            number = 100 + run
            repo.pulls[number] = FakePull(number, base, head, "Adds five columns.")
            data = json.loads((PAYLOAD.parent / "pull_request__opened.json").read_text())
            data["number"] = data["pull_request"]["number"] = number
            data["pull_request"]["head"]["sha"] = head
            data["installation"] = {"id": 1}
            body = json.dumps(data).encode()
            headers = {
                "X-GitHub-Event": "pull_request",
                "X-GitHub-Delivery": f"run-{run}",
                "X-Hub-Signature-256": sign(body, SECRET),
            }
            started = time.perf_counter()
            httpx.post(
                f"http://127.0.0.1:{app_port}/webhooks/github", content=body, headers=headers, timeout=10
            )
            while not any(r["head_sha"] == head and r["status"] == "completed" for r in repo.check_runs):
                time.sleep(0.005)
            timings.append(time.perf_counter() - started)
    finally:
        app.terminate()
        app.wait(timeout=10)
        server.should_exit = True
    return {
        "files": len(files) + 5,
        "migrations": 5,
        "seconds": timings,
        "conclusions": [r["conclusion"] for r in repo.check_runs],
    }


def _fake_github(public: str) -> tuple[FakeGitHub, Any, int, uvicorn.Server]:
    fake = FakeGitHub(APP_ID, public)
    repo = fake.add_repo("Codertocat", "Hello-World", 186853002)
    port = _port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    return fake, repo, port, server


def _opened(number: int, head: str, delivery: str) -> tuple[bytes, dict[str, str]]:
    data = json.loads((PAYLOAD.parent / "pull_request__opened.json").read_text())
    data["number"] = data["pull_request"]["number"] = number
    data["pull_request"]["head"]["sha"] = head
    data["installation"] = {"id": 1}
    body = json.dumps(data).encode()
    return body, {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(body, SECRET),
    }


def acknowledgement_during_review(tmp: Path, private: str, public: str, pings: int = 20) -> dict[str, Any]:
    fake, repo, port, server = _fake_github(public)
    base = fake.commit(repo, dict(BASE_FILES))
    statement = "UPDATE users SET email = lower(email) WHERE id = {i} AND email <> lower(email);\n"
    big = "".join(statement.format(i=i) for i in range(5 * 2**20 // len(statement.format(i=0))))
    head = fake.commit(repo, BASE_FILES | {"db/migrations/000002_backfill.up.sql": big})
    repo.pulls[2] = FakePull(2, base, head, "Backfills emails.")
    for sha in (base, head):
        fake.tarball(repo, sha)
    app_port = _port()
    limits = {
        "MIGRATION_REVIEW_FILE_MAX_BYTES": str(16 * 2**20),
        "MIGRATION_REVIEW_REVIEW_MAX_BYTES": str(16 * 2**20),
        "MIGRATION_REVIEW_REVIEW_TIMEOUT": "20",
    }
    app = _serve(tmp, private, f"http://127.0.0.1:{port}", app_port, env_extra=limits)
    url = f"http://127.0.0.1:{app_port}/webhooks/github"
    latencies = []
    try:
        body, headers = _opened(2, head, "big-review")
        httpx.post(url, content=body, headers=headers, timeout=10)
        while fake.seen("GET", "/_codeload/") < 2:
            time.sleep(0.02)
        ping = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
        for n in range(pings):
            headers = {
                "X-GitHub-Event": "ping",
                "X-GitHub-Delivery": f"ping-{n}",
                "X-Hub-Signature-256": sign(ping, SECRET),
            }
            started = time.perf_counter()
            httpx.post(url, content=ping, headers=headers, timeout=15)
            latencies.append((time.perf_counter() - started) * 1000)
            time.sleep(0.1)
    finally:
        app.terminate()
        app.wait(timeout=10)
        server.should_exit = True
    return _summary(latencies)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        _bare(args.bare)
        return 0
    private, public = _key()
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        ack = acknowledgement(tmp, private, args.rate, args.seconds)
        print(f"acknowledgement latency at {args.rate:.0f} requests/s for {args.seconds:.0f} s (ms):")
        for name, stats in ack.items():
            print(
                f"  {name:18} n={stats['n']:5}  p50={stats['p50']:6.2f}  p99={stats['p99']:6.2f}  max={stats['max']:7.2f}"
            )
        timing = check_run_time(tmp, private, public, args.runs)
        print(
            f"webhook to completed check run, {timing['migrations']} migrations, {timing['files']} files (s):"
        )
        print(
            "  "
            + "  ".join(f"{'cold' if i == 0 else 'warm'} {s:.2f}" for i, s in enumerate(timing["seconds"]))
        )
        busy = acknowledgement_during_review(tmp, private, public)
        print(
            f"acknowledgement while a 5 MB migration is reviewed (ms): p50={busy['p50']:.2f}  max={busy['max']:.2f}"
        )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "webhook.json").write_text(
        json.dumps({"acknowledgement": ack, "check_run": timing, "busy": busy}, indent=2)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
