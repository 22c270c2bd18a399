"""Which part of an application a line of code belongs to: a model, a job, an API contract, a test, ….

Classification is by path first (where frameworks put things), then by the line itself (an association
or a SQL string), then by markers anywhere in the file (a Sidekiq worker, a Celery task).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AREAS = (
    *("model", "association", "serializer", "job", "raw-sql", "database", "view", "template", "test", "doc"),
    "config",
    "other",
    "fixture",  # a data fixture the deployment loads (Django's `loaddata`): found by `django_fixtures`
)

_TEST_PATH = re.compile(
    r"(?:^|/)(?:spec|specs|test|tests|__tests__|testing|e2e|cypress|playwright|fixtures|factories|seeds?)/"
    r"|(?:^|/)[\w.-]+[-_](?:tests?|specs?|testing|e2e)/|(?:^|/)(?:tests?|specs?|e2e)[-_][\w.-]+/"
    r"|(?:^|/)(?:testdata|testutils?|testhelpers?|test_?helpers?)/"
    r"|(?:^|/)seeds?\.(?:rb|ts|js|py|exs)$"
    r"|_spec\.rb$|_test\.(?:rb|go|py|exs?)$|(?:^|/)test_[^/]*\.py$|(?:^|/)tests?\.rs$|\.(?:test|spec|e2e|e2e-spec)\.[jt]sx?$|(?:^|/)conftest\.py$"
)
# Docs, and instructions for coding assistants (`AGENTS.md`, `CLAUDE.md`, Cursor's `.cursor/rules/*.mdc`,
# `.cursorrules`, `.windsurfrules`, `.clinerules`, `.github/copilot-instructions.md`, a `.claude/` skill):
# text a person or an assistant reads, which never runs.
_DOC_PATH = re.compile(
    r"(?:^|/)(?:docs?|documentation|handbook)/|\.(?:md|mdc|mdx|markdown|rst|adoc|txt|csv|tsv)$|(?:^|/)(?:README|CHANGELOG|LICEN[CS]E|COPYING|NOTICE|AUTHORS|CONTRIBUTING|CODE_OF_CONDUCT|SECURITY)"
    r"|(?:^|/)\.(?:cursor|claude|windsurf|clinerules|codex|gemini|continue|roo|kiro)/"
    r"|(?:^|/)\.(?:cursorrules|windsurfrules|clinerules|roorules|aider[\w.-]*)$|(?:^|/)\.github/instructions/"
)
_JOB_PATH = re.compile(
    r"(?:^|/)(?:jobs|Jobs|workers|tasks|cron|crons|consumers|schedulers?)/|_(?:job|worker|task)\.[a-z]+$"
    r"|(?:^|/)tasks\.py$|\.rake$|(?:^|/)(?:crontab|schedule\.rb|sidekiq[^/]*\.ya?ml)$"
)
# An API contract by where frameworks keep one. A folder named `api` is not one: it holds an application's
# server (`apps/api/src/…` of a monorepo, a Django app called `api`), whose views and services are code.
_API_PATH = re.compile(
    r"(?:^|/)(?:serializers|representers|blueprints|graphql|schemas?|json_schemas?|contracts)/|_serializer\.[a-z]+$"
    r"|\.(?:graphql|gql|proto|jbuilder|rabl)$|(?:^|/)(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$"
    r"|\.schema\.json$|(?:^|/)serializers\.py$|\.dto\.ts$|(?:^|/)Http/Resources/|_json\.ex$"
)
_MODEL_PATH = re.compile(
    r"(?:^|/)(?:models|Models|entities|entity|domain)/|(?:^|/)models\.py$|\.prisma$|\.entity\.ts$|(?:^|/)models?\.go$"
    r"|\.hbm\.xml$"
)
_VIEW_PATH = re.compile(
    r"(?:^|/)(?:views|templates|components|pages)/|\.(?:erb|haml|slim|html?|jinja2?|j2|hbs|mustache|vue|svelte|[jt]sx)$"
)
# Server-side templates that render a missing attribute as nothing (Django, Jinja, Handlebars, Mustache):
# a tag naming a dropped column leaves the page with a blank, it does not fail. ERB raises: it is a view.
_LENIENT_TEMPLATE = re.compile(r"\.(?:html?|jinja2?|j2|hbs|handlebars|mustache|djhtml|txt)$")
_TEMPLATE_TAG = re.compile(r"\{\{|\{%")
_CONFIG_PATH = re.compile(r"\.(?:ya?ml|toml|ini|cfg|conf|json|env|properties|xml)$|(?:^|/)config/")
_SQL_PATH = re.compile(r"\.sql$")
_ASSOCIATION_LINE = re.compile(
    r"\b(?:belongs_to|has_many|has_one|has_and_belongs_to_many|ForeignKey|OneToOneField|ManyToManyField"
    r"|relationship|backref|ManyToOne|OneToMany|ManyToMany|OneToOne|JoinColumn)\b|@relation\b|foreignKey:"
)
_SQL_LINE = re.compile(
    r"\b(?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM|FROM|JOIN|WHERE|GROUP\s+BY|ORDER\s+BY|ALTER\s+TABLE)\b"
    r"|\b(?:find_by_sql|execute|exec_query|select_all|select_value|raw|cursor\.execute|text)\s*\(\s*[\"'`]"
)
# PHP's `#[ORM\Column(…)]` attributes and the `* @ORM\Column(…)` annotations of a docblock map an entity's columns:
# code Doctrine reads, no comment
_COMMENT_LINE = re.compile(r"^\s*(?:#(?![{!\[])|//|--|/\*(?!\*\s*@ORM\\)|\*(?!\*|\s*@ORM\\)|<!--|<%#|\{#)")


def is_comment(line: str) -> bool:
    """True for a line that is only a comment in the common languages."""
    return bool(_COMMENT_LINE.match(line))


def is_test(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


@dataclass(frozen=True)
class FileArea:
    """What the path and the whole file say about the area of any line in it."""

    fixed: str | None  # test or doc: every line of the file is in that area
    job: bool
    api: bool
    sql: bool
    model: bool
    rest: str  # view, config or other


# Words that mark a whole file as a background job or an ORM model wherever they appear in it.
JOB_HINTS = frozenset(
    {"Sidekiq::Job", "Sidekiq::Worker", "ApplicationJob", "ActiveJob::Base", "@shared_task", "@app.task"}
    | {"@celery.task", "dramatiq.actor", "Que::Job", "@job(", "asynq.Task", "cron.New("}
    | {"implements ShouldQueue", "use Oban.Worker"}
)
MODEL_HINTS = frozenset(
    {
        "ApplicationRecord",
        "ActiveRecord::Base",
        "models.Model",
        "__tablename__",
        "db.Model",
        "DeclarativeBase",
    }
    | {"declarative_base", "gorm.Model", "@Entity(", "@@map(", "Sequel::Model"}
    | {"extends Model", "use Ecto.Schema", "<hibernate-mapping"}
)


def file_area(path: str, text: str, present: frozenset[str] | None = None) -> FileArea:
    """`present`: the hint words (JOB_HINTS, MODEL_HINTS) known to occur in the text, when known."""
    if is_test(path):
        return FileArea("test", False, False, False, False, "other")
    if _DOC_PATH.search(path):
        return FileArea("doc", False, False, False, False, "other")
    rest = "view" if _VIEW_PATH.search(path) else "config" if _CONFIG_PATH.search(path) else "other"
    if rest == "view" and _LENIENT_TEMPLATE.search(path):
        rest = "template"
    # A model's own file is the model's: `prisma/schema/link.prisma` of a split Prisma schema is no API
    # schema, and `models/manual_task.py` no task of a queue.
    modelled = bool(_MODEL_PATH.search(path))
    return FileArea(
        fixed=None,
        job=not modelled and (bool(_JOB_PATH.search(path)) or _has(text, JOB_HINTS, present)),
        api=not modelled and bool(_API_PATH.search(path)),
        sql=bool(_SQL_PATH.search(path)),
        model=modelled or _has(text, MODEL_HINTS, present),
        rest=rest,
    )


def _has(text: str, hints: frozenset[str], present: frozenset[str] | None) -> bool:
    if present is not None:
        return not present.isdisjoint(hints)
    return any(hint in text for hint in hints)


def classify(file: FileArea, line: str) -> str:
    """The area of one line (see AREAS) of a file described by `file_area`."""
    if file.fixed:
        return file.fixed
    sql = bool(_SQL_LINE.search(line))
    if not sql and _ASSOCIATION_LINE.search(line):
        return "association"
    if file.job:
        return "job"
    if file.api:
        return "serializer"
    if file.sql or sql:
        return "raw-sql"
    if file.model:
        return "model"
    if file.rest == "template" and not _TEMPLATE_TAG.search(line):
        return "view"  # markup with no tag of the template language: judged as a page
    return file.rest
