"""Every output of a review: the PR comment, the check run, JSON, SARIF and the terminal.

One jinja Environment. Templates get a view model of plain data, never sqlglot trees or API objects.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from enum import Enum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from bot import __version__, rules
from bot.model.database import DatabaseUse, RunnerSetting
from bot.model.findings import Finding, Review, Severity
from bot.model.markup import code_span
from bot.render.json_text import dumps
from bot.render.shadow import shadow_view

if TYPE_CHECKING:
    from jinja2 import Environment

MARKER = "<!-- migration-review:comment -->"
COMMENT_LIMIT = 65_000
ANNOTATION_LEVEL = {Severity.CRITICAL: "failure", Severity.WARNING: "warning", Severity.INFO: "notice"}
SARIF_LEVEL = {Severity.CRITICAL: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FRAMEWORK_LABELS = {
    "sql": "SQL",
    "flyway": "Flyway",
    "golang-migrate": "golang-migrate",
    "goose": "goose",
    "dbmate": "dbmate",
    "prisma": "Prisma",
    "diesel": "Diesel",
    "sqitch": "Sqitch",
    "rails": "Rails",
    "django": "Django",
    "alembic": "Alembic",
    "liquibase": "Liquibase",
    "typeorm": "TypeORM",
    "knex": "Knex",
    "db-migrate": "db-migrate",
    "node-pg-migrate": "node-pg-migrate",
    "sequelize": "Sequelize",
    "mikroorm": "MikroORM",
    "drizzle": "Drizzle",
    "laravel": "Laravel",
    "ecto": "Ecto",
    "unknown": "a runner the review does not read",
}
DIALECT_LABELS = {"postgres": "PostgreSQL", "mysql": "MySQL", "mariadb": "MariaDB", "sqlite": "SQLite"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain(value: Any) -> Any:
    """Plain data (dicts, lists, strings, numbers) from frozen dataclasses, without asdict's deep copies."""
    if type(value) in _SCALARS:
        return value  # most of a review's values: answered before the dataclass question
    names = _field_names(type(value))
    if names is not None:
        return {name: plain(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


_SCALARS = frozenset({str, int, float, bool, type(None)})  # exact types: a StrEnum member is not one


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The fields of a dataclass, in order; None for any other type (worked out once per type)."""
    if kind not in _FIELD_NAMES:
        fields = dataclasses.fields(kind) if dataclasses.is_dataclass(kind) else None
        _FIELD_NAMES[kind] = tuple(f.name for f in fields) if fields is not None else None
    return _FIELD_NAMES[kind]


def fence(code: str, language: str = "") -> str:
    """A code fence longer than any run of backticks inside the code."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def oneline(text: str) -> str:
    return " ".join(str(text).split())


@cache
def environment() -> Environment:
    """The templates' engine, loaded on first use: JSON and SARIF output need no template."""
    from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound

    class PackageLoader(BaseLoader):
        def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
            try:
                text = resources.files("bot.templates").joinpath(template).read_text(encoding="utf-8")
            except (FileNotFoundError, ModuleNotFoundError):
                raise TemplateNotFound(template) from None
            return text, template, lambda: True

    env = Environment(
        loader=PackageLoader(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
    )
    env.filters["fence"] = fence
    env.filters["oneline"] = oneline
    env.filters["code"] = code_span
    return env


def compile_templates() -> None:
    """Compile every template now (a process that forks reviewers does it once, for all of them)."""
    env = environment()
    for entry in resources.files("bot.templates").iterdir():
        if entry.name.endswith(".md.j2"):
            env.get_template(entry.name)


def title(rule_id: str) -> str:
    module = rules.BY_ID.get(rule_id)
    doc = (module.__doc__ or "").strip().splitlines() if module is not None else []
    return doc[0].rstrip(".") if doc else rule_id


def _finding_view(f: Finding) -> dict[str, Any]:
    return {**plain(f), "title": title(f.rule), "severity": f.severity.value, "dimension": f.dimension.value}


def view(review: Review) -> dict[str, Any]:
    active = review.active
    counts = review.count
    parts = [
        f"{counts(s)} {s.value}{'s' if s is Severity.WARNING and counts(s) != 1 else ''}"
        for s in (Severity.CRITICAL, Severity.WARNING)
    ]
    if counts(Severity.INFO):
        parts.append(f"{counts(Severity.INFO)} info")
    return {
        "approval": review.approval,
        "reasons": list(review.reasons),
        "head": review.head[:7] if re.fullmatch(r"[0-9a-f]{40}", review.head) else review.head,
        "migrations": [
            {
                **plain(m),
                "framework_label": FRAMEWORK_LABELS.get(m.framework, m.framework),
                "dialect_label": DIALECT_LABELS.get(m.dialect, m.dialect),
            }
            for m in review.migrations
        ],
        "data_items": [plain(i) for i in review.checklist if i.section.startswith("Production")],
        "safety_items": [plain(i) for i in review.checklist if i.section.startswith("Migration Safety")],
        "critical": [_finding_view(f) for f in active if f.severity is Severity.CRITICAL],
        "warnings": [_finding_view(f) for f in active if f.severity is Severity.WARNING],
        "infos": [_finding_view(f) for f in active if f.severity is Severity.INFO],
        "accepted": [_finding_view(f) for f in review.accepted],
        "queries": [plain(q) for q in review.verification_queries],
        "queries_sql": _queries_sql(review),
        "rollback": [plain(s) for s in review.rollback_plan],
        "monitoring": [plain(m) for m in review.monitoring],
        "notes": list(review.notes),
        "databases": [_database_view(use) for use in review.databases],
        "runner": [{**plain(s), "sentence": runner_sentence(s)} for s in review.runner],
        "shadow": shadow_view(review.shadow),
        "counts": " · ".join(parts),
        "all_count": len(active),
    }


_RUNNER_WORDS = {
    "lock_timeout": "a lock timeout is set for every migration",
    "statement_timeout": "a statement timeout is set for every migration",
    "transaction": "every migration runs in a transaction",
    "migration_lock": "the runner takes its own lock against concurrent runs",
    "out_of_order": "Flyway runs a migration numbered below the newest applied one",
    "allow_missing": "goose runs a migration numbered below the newest applied one",
    "allow_unordered": "Kysely's Migrator runs a migration named before the last executed one",
}


def runner_sentence(setting: RunnerSetting) -> str:
    """ "a lock timeout is set for every migration by `config/initializers/strong_migrations.rb` line 2 (…)"."""
    return f"{_RUNNER_WORDS.get(setting.kind, setting.kind)}, in {setting.where}: {setting.detail}"


def _database_view(use: DatabaseUse) -> dict[str, Any]:
    database = use.database
    return {
        **plain(database),
        "label": database.label,
        "explanation": database.explanation,
        "paths": list(use.paths),
    }


def _queries_sql(review: Review) -> str:
    lines = []
    for when in dict.fromkeys(q.when for q in review.verification_queries):
        lines.append(f"-- Run {when}")
        for q in review.verification_queries:
            if q.when == when:
                expect = f"  -- expect {q.expect}" if q.expect and len(q.expect) < 40 else ""
                lines.append(
                    f"-- {q.purpose}" + ("" if expect else (f": expect {q.expect}" if q.expect else ""))
                )
                lines.append(q.sql + expect)
    return "\n".join(lines)


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def render_comment(review: Review) -> str:
    env = environment()
    v = view(review)
    body = env.get_template("comment.md.j2").render(v=v, marker=MARKER)
    if len(body) > COMMENT_LIMIT:
        body = env.get_template("comment_summary.md.j2").render(v=v, marker=MARKER)
    return _clean(body)[:COMMENT_LIMIT]


def render_check_run(review: Review) -> dict[str, Any]:
    v = view(review)
    conclusion = "failure" if review.approval == "BLOCKED" else "success"
    summary = _clean(environment().get_template("check_run.md.j2").render(v=v))[:COMMENT_LIMIT]
    return {
        # a finding on another file (a model without its migration) is what the check says, migration or none
        "title": f"{review.approval}: {v['counts']}"
        if review.migrations or review.findings
        else "No migration the review reads changed"
        if review.notes
        else "No migration changed",
        "summary": summary,
        "text": render_comment(review),
        "conclusion": conclusion,
        "annotations": [_annotation(f) for f in review.active],
    }


def _annotation(f: Finding) -> dict[str, Any]:
    message = f"{f.message}\n\nBlast radius: {f.blast_radius}\n\nFix: {f.fix}"
    annotation: dict[str, Any] = {
        "path": f.path,
        "start_line": max(1, f.line),
        "end_line": max(1, f.end_line or f.line),
        "annotation_level": ANNOTATION_LEVEL[f.severity],
        "title": f"{title(f.rule)} ({f.rule})"[:255],
        "message": _clean(message)[:64_000],
    }
    if f.suggestion:
        annotation["raw_details"] = f.suggestion[:64_000]
    return annotation


def to_json(review: Review) -> str:
    data = {
        "version": __version__,
        "approval": review.approval,
        "reasons": list(review.reasons),
        "base": review.base,
        "head": review.head,
        "migrations": [plain(m) for m in review.migrations],
        "findings": [
            {k: v for k, v in _finding_view(f).items() if k != "title"} | {"title": title(f.rule)}
            for f in review.findings
        ],
        "checklist": [plain(i) for i in review.checklist],
        "verification_queries": [plain(q) for q in review.verification_queries],
        "rollback_plan": [plain(s) for s in review.rollback_plan],
        "monitoring": [plain(m) for m in review.monitoring],
        "notes": list(review.notes),
        "databases": [_database_view(use) for use in review.databases],
        "runner": [{**plain(s), "sentence": runner_sentence(s)} for s in review.runner],
        "probe": plain(review.probe),
        "shadow": plain(review.shadow),
    }
    return dumps(data, default=str) + "\n"


def to_sarif(review: Review, sources: Mapping[str, str] | None = None) -> str:
    """SARIF 2.1.0; `sources` (path → text) give each result a fingerprint from its statement's text."""
    used = sorted({f.rule for f in review.findings})
    driver = {
        "name": "migration-review",
        "version": __version__,
        "informationUri": "https://github.com/migration-review/migration-review",
        "rules": [_sarif_rule(rule_id) for rule_id in used],
    }
    seen: dict[str, int] = {}
    results = []
    for f in review.findings:
        key = fingerprint(f, (sources or {}).get(f.path))
        seen[key] = seen.get(key, 0) + 1  # the same statement twice in one file: tell them apart
        results.append(_sarif_result(f, used.index(f.rule), f"{key}:{seen[key]}"))
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return dumps(document) + "\n"


def _sarif_rule(rule_id: str) -> dict[str, Any]:
    module = rules.BY_ID.get(rule_id)
    rule = module.RULE if module is not None else None
    return {
        "id": rule_id,
        "name": "".join(part.title() for part in rule_id.split("-")),
        "shortDescription": {"text": title(rule_id)},
        "fullDescription": {"text": rule.help if rule else title(rule_id)},
        "help": {"text": rule.help if rule else "", "markdown": rule.help if rule else ""},
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity] if rule else "warning"},
        "properties": {"tags": [rule.dimension.value] if rule else []},
    }


def fingerprint(f: Finding, text: str | None) -> str:
    """Rule, path and the statement's text with case and whitespace normalised: stable when a message is
    reworded or lines move; without the text, the line stands in for it."""
    lines = (text or "").splitlines()[max(0, f.line - 1) : max(f.line, f.end_line or f.line)]
    statement = " ".join(" ".join(lines).split()).lower()
    if not statement:
        statement = f"line {f.line}"
    digest = hashlib.sha256(statement.encode()).hexdigest()[:16]
    return f"{f.rule}:{f.path}:{digest}"


def _sarif_result(f: Finding, index: int, key: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.message} Blast radius: {f.blast_radius} Fix: {f.fix}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": f.path},
                    "region": {"startLine": max(1, f.line), "endLine": max(1, f.end_line or f.line)},
                }
            }
        ],
        "partialFingerprints": {"migrationReview/v2": key},
    }
    if f.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return result
