"""What a worker does for each task: review a pull request, answer `/recheck`, re-run a check.

Handlers are verbs that take plain data and are idempotent on the head commit: running one twice
publishes the same comment (left alone when unchanged) and a fresh check run. Before publishing, a
handler checks that the pull request's head is still the commit it reviewed and that no newer review
was asked for; a stale result is dropped and its check run closed as cancelled.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from bot.app import acceptances, changes, logs, snapshot
from bot.app.acceptances import WRITERS
from bot.app.changes import Unreviewed
from bot.app.github import GitHubApp, Pull, Repository, parse_external_id
from bot.app.isolation import ChildFailed, OverLimit, ProcessLimits, run_isolated
from bot.app.settings import Settings
from bot.app.store import Job, Store
from bot.frameworks import detect, is_candidate, maybe_migration
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree, Tree
from bot.model.config import ConfigError, parse_config
from bot.model.shadow import Shadow
from bot.probe.policy import ProbeConfigError, Target, load_probe_config
from bot.production import verify
from bot.references import declared_columns
from bot.render.formats import render_check_run, render_comment
from bot.review import prepare, review
from bot.rules import enum_order_changed
from bot.shadow.evidence import with_shadow
from bot.shadow.findings import attach
from bot.shadow.run import Limits
from bot.shadow.target import ShadowConfigError

log = logs.get("migration_review.tasks")

CONFIG_PATH = ".github/migration-review.yml"
REFUSAL = (
    "@{login} `/recheck` needs write access to this repository, so it was not run. "
    "Anyone with write access can ask for it, or push a new commit."
)
FAILED_TITLE = "The review could not run"
# what a pull request is told about a fault of the server: never the exception's text (hosts, roles, paths)
SERVER_FAULT = "The review failed on the server; nothing was approved. Its operator finds the details in the logs under job {job}."
CONFIG_TITLE = "The repository configuration is invalid"


@dataclass(frozen=True)
class Context:
    settings: Settings
    store: Store
    app: GitHubApp


async def run(job: Job, context: Context) -> str:
    """Run one job; returns the state to record (done, superseded, cancelled or refused)."""
    task = job.task
    async with context.app.repository(task.installation_id, task.owner, task.repo) as repo:
        if task.kind == "review":
            return await review_pull_request(job, context, repo, task.number)
        if task.kind == "recheck":
            return await answer_recheck(job, context, repo)
        if task.kind == "accept":
            return await answer_accept(job, context, repo)
        if task.kind == "rerun":
            return await rerun_check(job, context, repo)
    raise ValueError(f"unknown task kind {task.kind!r}")


async def answer_recheck(job: Job, context: Context, repo: Repository) -> str:
    task = job.task
    await repo.react(task.comment_id, "eyes")
    if await repo.permission(task.login) not in WRITERS:
        await repo.react(task.comment_id, "confused")
        if context.store.first_notice(f"recheck-refused:{task.repo_id}:{task.number}:{task.login}"):
            await repo.comment(task.number, REFUSAL.format(login=task.login))
        return "refused"
    state = await review_pull_request(job, context, repo, task.number)
    await repo.react(task.comment_id, "rocket")
    return state


async def answer_accept(job: Job, context: Context, repo: Repository) -> str:
    """`/accept RULE reason`: review again, so the acceptance counts (or the review says why it does not)."""
    task = job.task
    if await repo.permission(task.login) not in WRITERS:
        await repo.react(task.comment_id, "confused")
        return "refused"
    await repo.react(task.comment_id, "eyes")
    return await review_pull_request(job, context, repo, task.number)


async def rerun_check(job: Job, context: Context, repo: Repository) -> str:
    """A re-run asked from a check: find its pull request (forks carry none in the payload) and review."""
    task = job.task
    parsed = parse_external_id(task.external_id)
    if parsed is not None and parsed[0] == task.repo_id:
        numbers = [parsed[1]]
    elif task.number:
        numbers = [task.number]
    else:
        numbers = await repo.open_pulls_for_commit(task.head_sha)
    states = [await review_pull_request(job, context, repo, number) for number in numbers]
    return states[0] if len(states) == 1 else "done"


async def review_pull_request(job: Job, context: Context, repo: Repository, number: int) -> str:
    pull = await repo.pull(number)
    if pull.state != "open":
        return "cancelled"
    if context.store.superseded(job):
        return "superseded"
    external_id = f"{job.task.repo_id}:{number}:{pull.head_sha}"
    check_run = None
    if job.attempts > 1:  # resumed: the check run of the first attempt may exist already
        recorded = context.store.check_run(job.id)
        if recorded is not None and await repo.check_run_completed(recorded):
            return "done"  # an earlier run of this job published before it was taken for stalled
        check_run = await repo.find_check_run(pull.head_sha, external_id)
    if check_run is None:
        check_run = await repo.start_check_run(pull.head_sha, external_id)
    context.store.set_check_run(job.id, check_run)
    try:
        changeset, unreviewed = await _changeset(repo, pull, context.settings)
    except snapshot.SnapshotError as error:
        summary = f"The repository snapshot was refused: {error}"
        return await _close(job, context, repo, check_run, "failure", FAILED_TITLE, summary, "done")
    except changes.Incomplete as error:
        return await _close(
            job, context, repo, check_run, "failure", changes.INCOMPLETE_TITLE, f"{error}.", "done"
        )
    try:
        target = _probe_target(context.settings, repo, changeset)
        comment, output = await run_isolated(
            _limits(context.settings),
            _review_and_render,
            changeset,
            target,
            context.settings.shadow_dsn,
            _shadow_limits(context.settings),
        )
    except ChildFailed as error:
        if error.kind == "ConfigError":  # the repository's own file: its text helps whoever fixes it
            summary = f"On the base branch: {error}"
            return await _close(job, context, repo, check_run, "failure", CONFIG_TITLE, summary, "done")
        log.error("review failed", head=pull.head_sha, kind=error.kind, error=str(error))
        summary = SERVER_FAULT.format(job=job.id)
        return await _close(job, context, repo, check_run, "failure", FAILED_TITLE, summary, "failed")
    except OverLimit as error:
        summary = f"The review stopped: {error}. Nothing was approved."
        return await _close(
            job, context, repo, check_run, "failure", changes.TOO_LARGE_TITLE, summary, "done"
        )
    if unreviewed:
        comment, output = _refuse(comment, output, changeset, unreviewed)
    latest = await repo.pull(number)
    if latest.state != "open":
        return await _close(
            job, context, repo, check_run, "cancelled", "Closed", "The pull request was closed.", "cancelled"
        )
    if latest.head_sha == pull.head_sha and latest.body == pull.body:
        # reviews queued meanwhile for this same head would only repeat this one: they are dropped
        context.store.drop_waiting(job, pull.head_sha)
    if context.store.superseded(job) or latest.head_sha != pull.head_sha:
        summary = "A newer commit is being reviewed."
        return await _close(job, context, repo, check_run, "cancelled", "Superseded", summary, "superseded")
    if not await _publishing(job, context):
        return "superseded"
    await repo.upsert_comment(number, comment, await context.app.bot_login())
    await repo.complete_check_run(check_run, output)
    return "done"


async def _publishing(job: Job, context: Context) -> bool:
    """Whether this run may publish (it still owns its job); once true, no recovery takes the job away.

    A worker taken for stalled while it was only slow (starved of CPU, its heartbeat late) finds here
    that its job was handed to another worker, and publishes nothing: the other run does.
    """
    ours = await anyio.to_thread.run_sync(context.store.begin_publishing, job)
    if not ours:
        log.warning("the job was handed to another worker meanwhile; its result is left to that run")
    return ours


async def _close(
    job: Job,
    context: Context,
    repo: Repository,
    check_run: int,
    conclusion: str,
    title: str,
    summary: str,
    state: str,
) -> str:
    """Conclude the check run without a review, if this run still owns its job; returns `state`."""
    if not await _publishing(job, context):
        return "superseded"
    await repo.close_check_run(check_run, conclusion, title, summary)
    return state


async def give_up(job: Job, context: Context, error: str) -> None:
    """The job failed for good: close its check run so a required check never stays pending."""
    check_run = context.store.check_run(job.id)
    if check_run is None:
        return
    task = job.task
    async with context.app.repository(task.installation_id, task.owner, task.repo) as repo:
        await repo.close_check_run(check_run, "failure", FAILED_TITLE, SERVER_FAULT.format(job=job.id))


def _limits(settings: Settings) -> ProcessLimits:
    return ProcessLimits(settings.review_timeout, settings.review_memory_mb * 2**20)


def _refuse(
    comment: str, output: dict[str, Any], changeset: ChangeSet, unreviewed: tuple[Unreviewed, ...]
) -> tuple[str, dict[str, Any]]:
    """A review that could not read every migration blocks, and says what it read and what it did not."""
    skipped = {item.path for item in unreviewed}
    reviewed = [f.path for f in changeset.files if f.head_text is not None and is_candidate(f.path)]
    note = changes.explain([p for p in reviewed if p not in skipped], unreviewed)
    marker, _, rest = comment.partition("\n")
    summary = f"{note}\n\n{output.get('summary', '')}"
    return f"{marker}\n{note}\n\n{rest}", output | {
        "conclusion": "failure",
        "title": changes.TOO_LARGE_TITLE,
        "summary": summary,
    }


def _shadow_limits(settings: Settings) -> Limits:
    return Limits(
        seconds=settings.shadow_timeout,
        statement_ms=int(settings.shadow_statement_timeout * 1000),
        rows_per_table=settings.shadow_rows,
        max_rows_per_table=settings.shadow_max_rows,
    )


def _review_and_render(
    changeset: ChangeSet, target: Target | None = None, shadow_dsn: str = "", limits: Limits | None = None
) -> tuple[str, dict[str, Any]]:
    prepared = prepare(changeset)
    facts = (
        verify(changeset, target, prepared=prepared) if target is not None else None
    )  # refuses forks itself
    result = review(changeset, prepared=prepared, facts=facts)
    if shadow_dsn:  # refuses forks itself: their SQL never runs on our server
        try:
            result = with_shadow(
                changeset,
                result,
                shadow_dsn,
                probe_dsns=[target.dsn] if target is not None else [],
                prepared=prepared,
                facts=facts,
                limits=limits,
            )
        except ShadowConfigError as error:
            result = attach(result, Shadow(ran=False, errors=(str(error),)))
    return render_comment(result), render_check_run(result)


def _probe_target(settings: Settings, repo: Repository, changeset: ChangeSet) -> Target | None:
    """The server's probe connection for this repository, read from PROBE_CONFIG (never from the repository)."""
    if settings.probe_config is None:
        return None
    try:
        config = load_probe_config(settings.probe_config)
    except ProbeConfigError as error:
        log.error("the probe configuration is invalid", error=str(error))
        return None
    paths = [f.path for f in changeset.files if is_candidate(f.path)]
    return config.for_repository(f"{repo.owner}/{repo.name}", paths)


def _read_trees_for(path: str) -> bool:
    """A changed file the review judges against the trees: a migration, a Rails model's enums, a model file
    whose columns are checked against the schema the migrations leave."""
    return maybe_migration(path) or enum_order_changed.watched(path) or declared_columns.is_model_file(path)


async def _changeset(
    repo: Repository, pull: Pull, settings: Settings
) -> tuple[ChangeSet, tuple[Unreviewed, ...]]:
    entries = await repo.files(pull.number)
    config_text = await repo.read(CONFIG_PATH, pull.base_sha)
    head_tree: Tree = MemoryTree()
    base_tree: Tree = MemoryTree()
    if changes.truncated(entries, pull):  # the files API stopped short: compare the trees instead
        merge_base = await repo.merge_base(pull.base_sha, pull.head_sha)
        trees = await _trees(repo, settings, pull.head_sha, merge_base)
        entries = changes.diff_trees(trees[merge_base], trees[pull.head_sha])
        changes.check_complete(entries, pull)
        head_tree, base_tree = trees[pull.head_sha], trees[merge_base]
    elif any(_read_trees_for(entry.path) for entry in entries):
        trees = await _trees(repo, settings, pull.head_sha, pull.base_sha)
        head_tree, base_tree = trees[pull.head_sha], trees[pull.base_sha]
    files = (
        ChangedFile(
            path=entry.path,
            status=entry.status,
            base_text=None if entry.status == "added" else base_tree.read(entry.previous_path or entry.path),
            head_text=None if entry.status == "removed" else head_tree.read(entry.path),
            previous_path=entry.previous_path,
        )
        for entry in entries
    )
    limits = changes.Limits(settings.file_max_bytes, settings.review_max_bytes)
    kept, unreviewed = changes.within_limits(files, limits, _migration_detector(config_text))
    has_migrations = any(maybe_migration(entry.path) for entry in entries)
    accepted = await acceptances.gather(repo, pull) if has_migrations else ()
    changeset = ChangeSet(
        base=pull.base_sha,
        head=pull.head_sha,
        files=kept,
        head_tree=head_tree,
        base_tree=base_tree,
        description=pull.body,
        config_text=config_text,
        config_path=CONFIG_PATH,
        from_fork=pull.fork,
        author=pull.author or "(unknown author)",
        acceptances=accepted,
    )
    return changeset, unreviewed


def _migration_detector(config_text: str | None) -> changes.Detect:
    """Whether a changed file is a migration, by the base branch's configuration (or by name alone)."""
    try:
        config = parse_config(config_text, CONFIG_PATH)
    except ConfigError:
        return lambda path, text: True
    return lambda path, text: detect(path, text, config) is not None


async def _trees(repo: Repository, settings: Settings, *shas: str) -> dict[str, snapshot.SnapshotTree]:
    """The commits' snapshots, downloaded at once."""
    trees: dict[str, snapshot.SnapshotTree] = {}

    async def fetch(sha: str) -> None:
        trees[sha] = await _tree(repo, sha, settings)

    async with anyio.create_task_group() as group:
        for sha in dict.fromkeys(shas):
            group.start_soon(fetch, sha)
    return trees


async def _tree(repo: Repository, sha: str, settings: Settings) -> snapshot.SnapshotTree:
    """The commit's files, from the snapshot cache or a freshly downloaded tarball."""
    tree = snapshot.cached(settings.cache_dir, sha)
    if tree is not None:
        return tree
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.cache_dir, prefix=".download-") as scratch:
        archive = Path(scratch) / "snapshot.tar.gz"
        await repo.download_tarball(sha, archive, settings.snapshot_max_bytes)
        return await anyio.to_thread.run_sync(
            lambda: snapshot.unpack(
                archive,
                settings.cache_dir,
                sha,
                max_bytes=settings.snapshot_max_bytes,
                max_files=settings.snapshot_max_files,
            )
        )
