"""What people other than the author accepted on a pull request, read from GitHub.

`/accept RULE reason` (or `/accept evidence reason`) on a line of its own in a comment accepts the
author's suppression of RULE (or the author's statements); an approving review of the current head
accepts all of it. Only people with write access count, never the pull request's author, never a bot;
a later review that requests changes or a dismissal takes an approval back.
"""

from __future__ import annotations

import re

from bot import rules
from bot.app.github import Pull, Repository
from bot.model.changeset import Acceptance
from bot.plan.acceptance import EVERYTHING

ACCEPT = re.compile(r"^[ \t]*/accept[ \t]+(\S+)[ \t]+(\S.*?)[ \t]*$", re.M)
WRITERS = ("admin", "maintain", "write")
_VERDICTS = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")


def parse(body: str) -> list[tuple[str, str]]:
    """(rule, reason) of each `/accept` line; a line without a reason accepts nothing."""
    return [(rules.canonical(m[1]), m[2]) for m in ACCEPT.finditer(body)]


async def gather(repo: Repository, pull: Pull) -> tuple[Acceptance, ...]:
    found: list[Acceptance] = []
    for login, kind, body in await repo.conversation(pull.number):
        if kind != "Bot" and login != pull.author:
            found += [Acceptance(login, rule, reason, "comment") for rule, reason in parse(body)]
    found += _approvals(await repo.reviews(pull.number), pull)
    writers = {login for login in {a.login for a in found} if await repo.permission(login) in WRITERS}
    return tuple(a for a in found if a.login in writers)


def _approvals(reviews: list[tuple[str, str, str]], pull: Pull) -> list[Acceptance]:
    latest: dict[str, tuple[str, str]] = {}
    for login, state, commit in reviews:
        if state in _VERDICTS:
            latest[login] = (state, commit)
    return [
        Acceptance(login, EVERYTHING, "approved the pull request", "review")
        for login, (state, commit) in latest.items()
        if state == "APPROVED" and commit == pull.head_sha and login and login != pull.author
    ]
