"""One repository seen through one installation token: pull requests, files, snapshots, the comment,
reactions, permissions and check runs."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from githubkit import GitHub
from githubkit.exception import RateLimitExceeded, RequestFailed, RequestTimeout

from bot.app.github.policy import Pacer, RateLimited, TooLarge, json_of, status_of, uncertain
from bot.app.settings import Settings
from bot.render.formats import MARKER

T = TypeVar("T")

CHECK_NAME = "Migration Review"
RECHECK_BUTTON = {
    "label": "Re-check",
    "description": "Run the migration review again",
    "identifier": "recheck",
}
ANNOTATIONS_PER_REQUEST = 50
FILES_LISTED = 3000  # GitHub's files API stops here, however many files the pull request changes


@dataclass(frozen=True)
class Pull:
    number: int
    state: str
    head_sha: str
    base_sha: str
    base_ref: str
    body: str
    fork: bool
    author: str = ""
    changed_files: int = 0  # GitHub's own count; its files API lists at most FILES_LISTED of them


@dataclass(frozen=True)
class FileEntry:
    path: str
    status: str
    previous_path: str | None


class Repository:
    """One repository, seen through one installation token."""

    def __init__(self, gh: GitHub[Any], owner: str, name: str, pacer: Pacer, settings: Settings) -> None:
        self._gh = gh
        self.owner = owner
        self.name = name
        self._pacer = pacer
        self._settings = settings

    async def _call(self, call: Callable[[], Awaitable[T]], write: bool = False) -> T:
        try:
            return await (self._pacer.write(call) if write else call())
        except RateLimitExceeded as error:
            raise RateLimited(error.retry_after.total_seconds()) from None

    async def pull(self, number: int) -> Pull:
        response = await self._call(lambda: self._gh.rest.pulls.async_get(self.owner, self.name, number))
        data = json_of(response)
        head_repo = (data["head"].get("repo") or {}).get("full_name")
        return Pull(
            number=number,
            state=data["state"],
            head_sha=data["head"]["sha"],
            base_sha=data["base"]["sha"],
            base_ref=data["base"]["ref"],
            body=data.get("body") or "",
            fork=head_repo != f"{self.owner}/{self.name}",
            author=str((data.get("user") or {}).get("login") or ""),
            changed_files=int(data.get("changed_files") or 0),
        )

    async def merge_base(self, base: str, head: str) -> str:
        """The commit the pull request's changes are counted from (what its files API compares with)."""
        response = await self._call(
            lambda: self._gh.rest.repos.async_compare_commits(
                self.owner, self.name, f"{base}...{head}", per_page=1
            )
        )
        return str(json_of(response)["merge_base_commit"]["sha"])

    async def files(self, number: int) -> list[FileEntry]:
        async def collect() -> list[FileEntry]:
            pages = self._gh.rest.paginate(
                self._gh.rest.pulls.async_list_files,
                map_func=json_of,
                owner=self.owner,
                repo=self.name,
                pull_number=number,
                per_page=100,
            )
            return [
                FileEntry(item["filename"], item["status"], item.get("previous_filename"))
                async for item in pages
            ]

        return await self._call(collect)

    async def read(self, path: str, ref: str) -> str | None:
        """A file's text at `ref`, or None when it is missing, binary or over the size limit."""
        try:
            response = await self._call(
                lambda: self._gh.rest.repos.async_get_content(
                    self.owner,
                    self.name,
                    path,
                    ref=ref,
                    headers={"Accept": "application/vnd.github.raw+json"},
                )
            )
        except RequestFailed as error:
            if status_of(error) == 404:
                return None
            raise
        if len(response.content) > self._settings.file_max_bytes or b"\0" in response.content:
            return None
        return response.content.decode("utf-8", errors="replace")

    async def download_tarball(self, sha: str, target: Path, limit: int) -> None:
        """Stream the commit's tarball to `target`, refusing more than `limit` bytes."""
        response = await self._call(
            lambda: self._gh.rest.repos.async_download_tarball_archive(
                self.owner, self.name, sha, stream=True
            )
        )
        raw = response.raw_response
        size = 0
        try:
            with target.open("wb") as out:
                async for chunk in raw.aiter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"the snapshot of {sha} is larger than {limit} bytes")
                    out.write(chunk)
        finally:
            await raw.aclose()

    async def permission(self, login: str) -> str:
        """The user's permission on the repository (admin, write, read or none); unknown users are none."""
        try:
            response = await self._call(
                lambda: self._gh.rest.repos.async_get_collaborator_permission_level(
                    self.owner, self.name, login
                )
            )
        except RequestFailed as error:
            if status_of(error) == 404:
                return "none"
            raise
        return str(json_of(response).get("permission") or "none")

    async def conversation(self, number: int) -> list[tuple[str, str, str]]:
        """(login, user type, body) of every comment on the pull request, oldest first."""

        async def collect() -> list[tuple[str, str, str]]:
            pages = self._gh.rest.paginate(
                self._gh.rest.issues.async_list_comments,
                map_func=json_of,
                owner=self.owner,
                repo=self.name,
                issue_number=number,
                per_page=100,
            )
            return [
                (item["user"]["login"], item["user"].get("type", "User"), item.get("body") or "")
                async for item in pages
            ]

        return await self._call(collect)

    async def reviews(self, number: int) -> list[tuple[str, str, str]]:
        """(login, state, commit) of every review of the pull request, oldest first."""

        async def collect() -> list[tuple[str, str, str]]:
            pages = self._gh.rest.paginate(
                self._gh.rest.pulls.async_list_reviews,
                map_func=json_of,
                owner=self.owner,
                repo=self.name,
                pull_number=number,
                per_page=100,
            )
            return [
                ((item.get("user") or {}).get("login", ""), item["state"], item.get("commit_id") or "")
                async for item in pages
            ]

        return await self._call(collect)

    async def react(self, comment_id: int, content: str) -> None:
        """Add a reaction; a failed reaction never fails the job."""
        with contextlib.suppress(RequestFailed, RequestTimeout, RateLimited):
            await self._call(
                lambda: self._gh.rest.reactions.async_create_for_issue_comment(
                    self.owner, self.name, comment_id, data=cast(Any, {"content": content})
                ),
                write=True,
            )

    async def open_pulls_for_commit(self, sha: str) -> list[int]:
        response = await self._call(
            lambda: self._gh.rest.repos.async_list_pull_requests_associated_with_commit(
                self.owner, self.name, sha
            )
        )
        return [item["number"] for item in json_of(response) if item.get("state") == "open"]

    async def comment(self, number: int, body: str) -> None:
        await self._call(
            lambda: self._gh.rest.issues.async_create_comment(self.owner, self.name, number, body=body),
            write=True,
        )

    async def upsert_comment(self, number: int, body: str, login: str) -> str:
        """Create or update our one comment; returns created, updated or unchanged."""
        existing = await self._our_comment(number, login)
        if existing is not None and existing[1] == body:
            return "unchanged"
        if existing is not None:
            comment_id = existing[0]
            await self._call(
                lambda: self._gh.rest.issues.async_update_comment(
                    self.owner, self.name, comment_id, body=body
                ),
                write=True,
            )
            return "updated"
        try:
            await self.comment(number, body)
        except (RequestFailed, RequestTimeout) as error:
            if not uncertain(error) or await self._our_comment(number, login) is not None:
                raise
            await self.comment(number, body)
        return "created"

    async def _our_comment(self, number: int, login: str) -> tuple[int, str] | None:
        async def find() -> tuple[int, str] | None:
            pages = self._gh.rest.paginate(
                self._gh.rest.issues.async_list_comments,
                map_func=json_of,
                owner=self.owner,
                repo=self.name,
                issue_number=number,
                per_page=100,
            )
            async for item in pages:
                body = item.get("body") or ""
                if item["user"]["login"] == login and body.startswith(MARKER):
                    return int(item["id"]), body
            return None

        return await self._call(find)

    async def start_check_run(self, head_sha: str, external_id: str) -> int:
        """Our in-progress check run for this analysis, created once even when the first try timed out."""
        try:
            return await self._create_check_run(head_sha, external_id)
        except (RequestFailed, RequestTimeout) as error:
            if not uncertain(error):
                raise
            found = await self.find_check_run(head_sha, external_id)
            return found if found is not None else await self._create_check_run(head_sha, external_id)

    async def _create_check_run(self, head_sha: str, external_id: str) -> int:
        response = await self._call(
            lambda: self._gh.rest.checks.async_create(
                self.owner,
                self.name,
                data={
                    "name": CHECK_NAME,
                    "head_sha": head_sha,
                    "status": "in_progress",
                    "external_id": external_id,
                    "output": {"title": "Reviewing migrations", "summary": "The review is running."},
                },
            ),
            write=True,
        )
        return int(json_of(response)["id"])

    async def find_check_run(self, head_sha: str, external_id: str) -> int | None:
        """Our unfinished check run for this commit and analysis, if one exists."""
        response = await self._call(
            lambda: self._gh.rest.checks.async_list_for_ref(
                self.owner, self.name, head_sha, check_name=CHECK_NAME, filter_="latest", per_page=100
            )
        )
        for run in json_of(response).get("check_runs", []):
            if run.get("external_id") == external_id and run.get("status") != "completed":
                return int(run["id"])
        return None

    async def check_run_completed(self, check_run_id: int) -> bool:
        """Whether the check run has its conclusion (a missing one has none)."""
        try:
            response = await self._call(
                lambda: self._gh.rest.checks.async_get(self.owner, self.name, check_run_id)
            )
        except RequestFailed as error:
            if status_of(error) == 404:
                return False
            raise
        return bool(json_of(response).get("status") == "completed")

    async def complete_check_run(self, check_run_id: int, output: dict[str, Any]) -> None:
        """Publish the result: annotations in batches of 50, then the conclusion with the Re-check button."""
        annotations = list(output.get("annotations", []))
        batches = [
            annotations[i : i + ANNOTATIONS_PER_REQUEST]
            for i in range(0, len(annotations), ANNOTATIONS_PER_REQUEST)
        ] or [[]]
        head = {"title": output["title"][:255], "summary": output["summary"][:65535]}
        for batch in batches[:-1]:
            await self._update_check_run(check_run_id, {"output": {**head, "annotations": batch}})
        final: dict[str, Any] = {**head, "text": output.get("text", "")[:65535]}
        if batches[-1]:
            final["annotations"] = batches[-1]
        await self._update_check_run(
            check_run_id,
            {
                "status": "completed",
                "conclusion": output["conclusion"],
                "output": final,
                "actions": [RECHECK_BUTTON],
            },
        )

    async def close_check_run(self, check_run_id: int, conclusion: str, title: str, summary: str) -> None:
        await self._update_check_run(
            check_run_id,
            {
                "status": "completed",
                "conclusion": conclusion,
                "output": {"title": title, "summary": summary},
                "actions": [RECHECK_BUTTON],
            },
        )

    async def _update_check_run(self, check_run_id: int, data: dict[str, Any]) -> None:
        await self._call(
            lambda: self._gh.rest.checks.async_update(
                self.owner, self.name, check_run_id, data=cast(Any, data)
            ),
            write=True,
        )


def parse_external_id(external_id: str) -> tuple[int, int, str] | None:
    """(repo_id, pull request number, head sha) from our check runs' external_id."""
    match = re.fullmatch(r"(\d+):(\d+):([0-9a-f]{7,64})", external_id or "")
    return (int(match[1]), int(match[2]), match[3]) if match else None
