"""GitHub webhooks: signature check, the few fields we route on, and the ROUTES table.

A delivery is trusted only when `X-Hub-Signature-256` matches an HMAC-SHA256 of the raw body under the
current or the previous secret; a `sha1=` signature alone is refused. Payloads are read through small
models of our own that name only the fields the app needs, so new or missing fields elsewhere in
GitHub's payloads never stop a review. Each routed delivery becomes one `Task`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

RECHECK = re.compile(r"^/recheck(\s|$)")
ACCEPT = re.compile(r"^[ \t]*/accept[ \t]", re.M)
RECHECK_ACTION = "recheck"  # the identifier of the check run's "Re-check" button


def verify(body: bytes, signature: str | None, secrets: Iterable[bytes]) -> bool:
    """True when `signature` (the X-Hub-Signature-256 header) signs `body` under one of `secrets`."""
    if not signature or not signature.startswith("sha256="):
        return False
    given = signature.removeprefix("sha256=")
    for secret in secrets:
        expected = hmac.new(secret, body, hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, given):
            return True
    return False


def sign(body: bytes, secret: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Task:
    """One unit of work taken from a delivery; plain data, stored as JSON by the job store."""

    kind: str  # review | recheck | accept | rerun | cancel | installation
    installation_id: int
    owner: str = ""
    repo: str = ""
    repo_id: int = 0
    number: int = 0  # the pull request, 0 when a rerun must find it
    head_sha: str = ""
    comment_id: int = 0  # the /recheck or /accept comment
    login: str = ""  # who asked, for /recheck and /accept
    external_id: str = ""  # of the check run a rerun was asked from
    delivery: str = ""  # the X-GitHub-Delivery it came from, for the logs
    attempt: int = 0  # attempts made before this job was queued again (the engine's re-queued reviews)

    @property
    def key(self) -> str:
        """Work on one pull request runs one at a time; reruns without a number key on the commit."""
        if self.number:
            return f"{self.repo_id}:{self.number}"
        return f"{self.repo_id}:{self.head_sha}" if self.head_sha else ""


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class _User(_Model):
    login: str
    type: str = "User"


class _Owner(_Model):
    login: str


class _Repository(_Model):
    id: int
    name: str
    owner: _Owner


class _Installation(_Model):
    id: int


class _Ref(_Model):
    sha: str


class _PullRequest(_Model):
    number: int
    head: _Ref


class _Issue(_Model):
    number: int
    pull_request: dict[str, object] | None = None


class _Comment(_Model):
    id: int
    body: str | None = ""
    user: _User


class _App(_Model):
    id: int


class _PullLink(_Model):
    number: int


class _CheckRun(_Model):
    head_sha: str
    external_id: str | None = ""
    app: _App
    pull_requests: list[_PullLink] = []


class _CheckSuite(_Model):
    head_sha: str
    app: _App
    pull_requests: list[_PullLink] = []


class _RequestedAction(_Model):
    identifier: str


class _Event(_Model):
    repository: _Repository
    installation: _Installation
    sender: _User


class _PullRequestEvent(_Event):
    pull_request: _PullRequest


class _EditedEvent(_PullRequestEvent):
    changes: dict[str, object] = {}


class _Review(_Model):
    state: str


class _ReviewEvent(_PullRequestEvent):
    action: str
    review: _Review


class _IssueCommentEvent(_Event):
    issue: _Issue
    comment: _Comment


class _CheckRunEvent(_Event):
    check_run: _CheckRun
    requested_action: _RequestedAction | None = None


class _CheckSuiteEvent(_Event):
    check_suite: _CheckSuite


class _InstallationEvent(_Model):
    installation: _Installation


def _task(kind: str, event: _Event, **fields: Any) -> Task:
    repo = event.repository
    return Task(
        kind=kind,
        installation_id=event.installation.id,
        owner=repo.owner.login,
        repo=repo.name,
        repo_id=repo.id,
        **fields,
    )


def _review(body: bytes, app_id: int) -> Task | None:
    event = _PullRequestEvent.model_validate_json(body)
    pull = event.pull_request
    return _task("review", event, number=pull.number, head_sha=pull.head.sha)


def _edited(body: bytes, app_id: int) -> Task | None:
    """An edited description may add or withdraw the author's evidence: review again (not for a title)."""
    event = _EditedEvent.model_validate_json(body)
    return _review(body, app_id) if "body" in event.changes else None


def _reviewed(body: bytes, app_id: int) -> Task | None:
    """An approving review (or its dismissal) accepts (or withdraws) what the author suppressed or said."""
    event = _ReviewEvent.model_validate_json(body)
    if event.action == "submitted" and event.review.state.lower() != "approved":
        return None
    pull = event.pull_request
    return _task("review", event, number=pull.number, head_sha=pull.head.sha)


def _cancel(body: bytes, app_id: int) -> Task | None:
    event = _PullRequestEvent.model_validate_json(body)
    return _task("cancel", event, number=event.pull_request.number)


def _recheck(body: bytes, app_id: int) -> Task | None:
    event = _IssueCommentEvent.model_validate_json(body)
    text = event.comment.body or ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if event.issue.pull_request is None or event.comment.user.type == "Bot":
        return None
    kind = "recheck" if RECHECK.match(first) else "accept" if ACCEPT.search(text) else None
    if kind is None:
        return None
    return _task(
        kind,
        event,
        number=event.issue.number,
        comment_id=event.comment.id,
        login=event.comment.user.login,
    )


def _rerun_check_run(body: bytes, app_id: int) -> Task | None:
    event = _CheckRunEvent.model_validate_json(body)
    run = event.check_run
    if run.app.id != app_id:
        return None
    if event.requested_action is not None and event.requested_action.identifier != RECHECK_ACTION:
        return None
    number = run.pull_requests[0].number if run.pull_requests else 0
    return _task("rerun", event, number=number, head_sha=run.head_sha, external_id=run.external_id or "")


def _rerun_check_suite(body: bytes, app_id: int) -> Task | None:
    event = _CheckSuiteEvent.model_validate_json(body)
    suite = event.check_suite
    if suite.app.id != app_id:
        return None
    number = suite.pull_requests[0].number if suite.pull_requests else 0
    return _task("rerun", event, number=number, head_sha=suite.head_sha)


def _installation(body: bytes, app_id: int) -> Task | None:
    event = _InstallationEvent.model_validate_json(body)
    return Task(kind="installation", installation_id=event.installation.id)


Route = Callable[[bytes, int], "Task | None"]

ROUTES: dict[tuple[str, str], Route] = {
    ("pull_request", "opened"): _review,
    ("pull_request", "reopened"): _review,
    ("pull_request", "synchronize"): _review,
    ("pull_request", "ready_for_review"): _review,
    ("pull_request", "edited"): _edited,
    ("pull_request", "closed"): _cancel,
    ("pull_request_review", "submitted"): _reviewed,
    ("pull_request_review", "dismissed"): _reviewed,
    ("issue_comment", "created"): _recheck,
    ("check_run", "rerequested"): _rerun_check_run,
    ("check_run", "requested_action"): _rerun_check_run,
    ("check_suite", "rerequested"): _rerun_check_suite,
    ("installation", "created"): _installation,
    ("installation", "deleted"): _installation,
    ("installation", "suspend"): _installation,
    ("installation", "unsuspend"): _installation,
    ("installation", "new_permissions_accepted"): _installation,
    ("installation_repositories", "added"): _installation,
    ("installation_repositories", "removed"): _installation,
}

# Events GitHub sends an app with our subscriptions that we knowingly do nothing with.
IGNORED: frozenset[str] = frozenset(
    {
        "ping",
        "pull_request",
        "pull_request_review",
        "issue_comment",
        "check_run",
        "check_suite",
        "installation_target",
        "github_app_authorization",
        "meta",
    }
)


class Unroutable(Exception):
    """A routed event whose payload lacks a field the route needs."""


def route(event: str, action: str, body: bytes, app_id: int) -> Task | None:
    """The task for a delivery, or None when the (event, action) pair needs no work."""
    handler = ROUTES.get((event, action))
    if handler is None:
        return None
    try:
        return handler(body, app_id)
    except ValidationError as error:
        raise Unroutable(f"{event}.{action}: {error.errors()[0]['loc']} {error.errors()[0]['msg']}") from None


class _Action(_Model):
    action: str = ""


def action_of(body: bytes) -> str:
    """The payload's `action`, read without trusting anything else in it."""
    try:
        return _Action.model_validate_json(body).action
    except ValidationError:
        return ""
