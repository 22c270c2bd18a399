"""What `GET /metrics` exposes, through prometheus-client.

Every label takes its value from a fixed set written here (an event we subscribe to, an outcome, a
job state, an HTTP method, a status code GitHub documents); anything else is counted as `other`. A
label is never copied from a request before its signature is verified, so unsigned requests cannot
grow the number of series. Queue depth and age are read from the store when the page is scraped, so
every web process reports the same queue whatever process ran the jobs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

EVENTS = frozenset(
    {
        "ping",
        "pull_request",
        "pull_request_review",
        "issue_comment",
        "check_run",
        "check_suite",
        "installation",
        "installation_repositories",
        "installation_target",
        "github_app_authorization",
        "meta",
    }
)
OUTCOMES = frozenset(
    {
        "queued",
        "duplicate",
        "ignored",
        "unknown",
        "unroutable",
        "bad_signature",
        "malformed",
        "too_large",
        "unconfigured",
        "unavailable",
    }
)
STATES = frozenset({"queued", "running", "done", "failed", "superseded", "cancelled", "refused", "retried"})
METHODS = frozenset({"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"})
STATUSES = frozenset(
    {"304", "400", "401", "403", "404", "409", "410", "422", "429", "500", "502", "503", "504"}
)
FAILURES = frozenset({"timeout", "connection"})  # requests to GitHub that got no answer
KINDS = frozenset({"review", "recheck", "accept", "rerun"})

_FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_SLOW = (0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def bounded(value: str, known: Iterable[str]) -> str:
    """`value` when it is one of `known`, else `other`."""
    return value if value in known else "other"


class Metrics:
    """The app's instruments, in a registry of their own (one per app: tests build several)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.webhooks = Counter(
            "migration_review_webhooks",
            "Webhook deliveries by event and outcome.",
            ["event", "outcome"],
            registry=r,
        )
        self.acknowledgement = Histogram(
            "migration_review_acknowledgement_seconds",
            "Time from receiving a webhook to answering it.",
            ["outcome"],
            buckets=_FAST,
            registry=r,
        )
        self.review = Histogram(
            "migration_review_job_seconds",
            "Time a worker spent on one job (a review, a recheck, an acceptance, a re-run), by outcome.",
            ["kind", "state"],
            buckets=_SLOW,
            registry=r,
        )
        self.jobs = Counter(
            "migration_review_jobs_finished",
            "Jobs this process finished, by kind and outcome.",
            ["kind", "state"],
            registry=r,
        )
        self.github = Histogram(
            "migration_review_github_request_seconds",
            "Latency of requests to GitHub's API, by method.",
            ["method"],
            buckets=(*_FAST, 30.0),
            registry=r,
        )
        self.github_errors = Counter(
            "migration_review_github_errors",
            "Requests to GitHub that failed, by status: an error status, or timeout and connection when"
            " no answer came.",
            ["status"],
            registry=r,
        )

    def webhook(self, event: str, outcome: str, seconds: float, verified: bool) -> None:
        """Count one delivery; its event is a label only once the signature has been verified."""
        name = bounded(event, EVENTS) if verified else "unverified"
        self.webhooks.labels(name, bounded(outcome, OUTCOMES)).inc()
        self.acknowledgement.labels(bounded(outcome, OUTCOMES)).observe(seconds)

    def job(self, kind: str, state: str, seconds: float) -> None:
        labels = (bounded(kind, KINDS), bounded(state, STATES))
        self.review.labels(*labels).observe(seconds)
        self.jobs.labels(*labels).inc()

    def github_call(self, method: str, status: str, seconds: float) -> None:
        """One request to GitHub: `status` is the answer's, or `timeout` or `connection` when none came."""
        self.github.labels(bounded(method, METHODS)).observe(seconds)
        if status in FAILURES or status == "304" or (status.isdigit() and int(status) >= 400):
            self.github_errors.labels(bounded(status, STATUSES | FAILURES)).inc()

    def queue(self, read: Callable[[], Mapping[str, tuple[int, float]]]) -> None:
        """Report the store's queue: `read()` gives, per state, (jobs, age in seconds of the oldest)."""
        self.registry.register(_Queue(read))

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _Queue(Collector):
    def __init__(self, read: Callable[[], Mapping[str, tuple[int, float]]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("migration_review_jobs", "Jobs in the store by state.", labels=["state"])
        age = GaugeMetricFamily(
            "migration_review_job_age_seconds",
            "Age of the oldest job in each waiting state (queued, running).",
            labels=["state"],
        )
        try:
            counts = self._read()
        except Exception:  # an unreachable database: the page still serves the other metrics
            counts = {}
        for state in ("queued", "running"):
            jobs, oldest = counts.get(state, (0, 0.0))
            depth.add_metric([state], jobs)
            age.add_metric([state], oldest)
        for state, (jobs, _) in sorted(counts.items()):
            if state not in ("queued", "running"):
                depth.add_metric([bounded(state, STATES)], jobs)
        yield depth
        yield age

    def describe(self) -> list[GaugeMetricFamily]:
        return []
