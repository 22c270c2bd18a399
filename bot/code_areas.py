"""Which part of an application a line of code belongs to: a model, a job, an API contract, a test, ….

Classification is by path first (where frameworks put things), then by the line itself (an association
or a SQL string), then by markers anywhere in the file (a Sidekiq worker, a Celery task).
"""

from __future__ import annotations

import re

AREAS = ("model", "association", "serializer", "job", "raw-sql", "view", "test", "doc", "config", "other")

_TEST_PATH = re.compile(
    r"(?:^|/)(?:spec|specs|test|tests|__tests__|testing|e2e|cypress|fixtures|factories)/"
    r"|_spec\.rb$|_test\.(?:rb|go|py|exs?)$|(?:^|/)test_[^/]*\.py$|\.(?:test|spec)\.[jt]sx?$|(?:^|/)conftest\.py$"
)
_DOC_PATH = re.compile(
    r"(?:^|/)(?:docs?|documentation)/|\.(?:md|markdown|rst|adoc|txt)$|(?:^|/)(?:README|CHANGELOG)"
)
_JOB_PATH = re.compile(
    r"(?:^|/)(?:jobs|workers|tasks|cron|crons|consumers|schedulers?)/|_(?:job|worker|task)\.[a-z]+$"
    r"|(?:^|/)tasks\.py$|\.rake$|(?:^|/)(?:crontab|schedule\.rb|sidekiq[^/]*\.ya?ml)$"
)
_JOB_MARKER = re.compile(
    r"Sidekiq::(?:Job|Worker)|<\s*ApplicationJob|ActiveJob::Base|@(?:shared_task|app\.task|celery\.task)"
    r"|\bperform_(?:async|later)\b|\bdramatiq\.actor\b|\bQueue\(\s*connection|asynq\.|\bcron\."
)
_API_PATH = re.compile(
    r"(?:^|/)(?:serializers|representers|blueprints|graphql|schemas?|api/v\d+|contracts)/|_serializer\.[a-z]+$"
    r"|\.(?:graphql|gql|proto|jbuilder|rabl)$|(?:^|/)(?:openapi|swagger)[^/]*\.(?:ya?ml|json)$"
    r"|\.schema\.json$|(?:^|/)serializers\.py$|\.dto\.ts$"
)
_MODEL_PATH = re.compile(
    r"(?:^|/)(?:models|entities|entity|domain)/|(?:^|/)models\.py$|\.prisma$|\.entity\.ts$|(?:^|/)models?\.go$"
)
_MODEL_MARKER = re.compile(
    r"<\s*(?:ApplicationRecord|ActiveRecord::Base)|\(models\.Model\)|__tablename__|\bdb\.Model\b"
    r"|DeclarativeBase|\bgorm\.Model\b|@Entity\(|^model \w+ \{",
    re.M,
)
_VIEW_PATH = re.compile(
    r"(?:^|/)(?:views|templates|components|pages)/|\.(?:erb|haml|slim|html?|jinja2?|j2|hbs|mustache|vue|svelte|[jt]sx)$"
)
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
_COMMENT_LINE = re.compile(r"^\s*(?:#(?![{!])|//|--|/\*|\*(?!\*)|<!--|<%#|\{#)")


def is_comment(line: str) -> bool:
    """True for a line that is only a comment in the common languages."""
    return bool(_COMMENT_LINE.match(line))


def is_test(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def file_traits(file_text: str) -> frozenset[str]:
    """Markers that hold for the whole file: "job" (a worker class), "model" (an ORM model)."""
    traits = set()
    if _JOB_MARKER.search(file_text):
        traits.add("job")
    if _MODEL_MARKER.search(file_text):
        traits.add("model")
    return frozenset(traits)


def classify(path: str, line: str, traits: frozenset[str]) -> str:
    """The area of one line of `path` (see AREAS); `traits` comes from `file_traits`."""
    if is_test(path):
        return "test"
    if _DOC_PATH.search(path):
        return "doc"
    if _ASSOCIATION_LINE.search(line) and not _SQL_LINE.search(line):
        return "association"
    if _JOB_PATH.search(path) or "job" in traits:
        return "job"
    if _API_PATH.search(path):
        return "serializer"
    if _SQL_PATH.search(path) or _SQL_LINE.search(line):
        return "raw-sql"
    if _MODEL_PATH.search(path) or "model" in traits:
        return "model"
    if _VIEW_PATH.search(path):
        return "view"
    if _CONFIG_PATH.search(path):
        return "config"
    return "other"
