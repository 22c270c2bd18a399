"""ChangeSet → Review. Pure: no network, no clock, no globals, no files but the trees it is given."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from bot import frameworks, rules
from bot.frameworks import prisma
from bot.frameworks.sqlfile import parse_sql
from bot.model.catalog import Catalog
from bot.model.changeset import ChangeSet, Tree
from bot.model.config import Config, parse_config
from bot.model.facts import Facts
from bot.model.findings import Finding, Review
from bot.model.migration import Migration, Operation
from bot.plan import validation as plan
from bot.plan.checklist import decide
from bot.references.code_values import CodeValues
from bot.references.search import ReferenceIndex, search
from bot.references.targets import targets_of
from bot.rules.context import Context

SCHEMA_DUMPS = ("schema.sql", "structure.sql", "schema.prisma", "schema.rb")


@dataclass(frozen=True)
class Prepared:
    """The change parsed once: what `review` checks and what the production probe asks about."""

    migrations: tuple[Migration, ...]
    catalog: Catalog  # the schema before the change, with the tables the change creates marked new
    config: Config
    dialect: str


def prepare(
    changeset: ChangeSet, *, config: Config | None = None, dialect: str | None = None, lint: bool = False
) -> Prepared:
    """Parse the migrations a change adds or modifies, and the schema before them."""
    if config is None:
        config = parse_config(changeset.config_text, changeset.config_path, rules.ALL_IDS)
    found = _migration_files(changeset, config, lint)
    dialect = (
        config.dialect
        or dialect
        or frameworks.detect_dialect(changeset.head_tree, [t for p, t, _ in found if p.endswith(".sql")])
    )
    # MariaDB is parsed as MySQL; the rules still see "mariadb" and judge its versions.
    syntax = "mysql" if dialect == "mariadb" else dialect
    migrations = tuple(
        _runner_wraps(frameworks.parse(module, path, text, changeset.head_tree, syntax), config)
        for path, text, module in found
    )
    catalog = build_catalog(changeset.base_tree, config, syntax, {m.path for m in migrations})
    catalog.before_change = frozenset(catalog.tables)
    if not lint:  # files given directly are each a change of their own (see review)
        for migration in migrations:
            catalog.created_in_change.update(migration.tables_created())
    return Prepared(migrations, catalog, config, dialect)


def _runner_wraps(migration: Migration, config: Config) -> Migration:
    """Plain SQL files: `assume_in_transaction: true` says the runner wraps every file in one transaction."""
    if migration.framework != "sql" or not config.assume_in_transaction:
        return migration
    return dataclasses.replace(
        migration,
        in_transaction=True,
        file_transaction=False,
        transaction_note="the runner wraps every file in a transaction (`assume_in_transaction: true`)",
    )


def review(
    changeset: ChangeSet,
    *,
    config: Config | None = None,
    dialect: str | None = None,
    lint: bool = False,
    facts: Facts | None = None,
    prepared: Prepared | None = None,
) -> Review:
    """Review the migrations a change adds or modifies. `lint` treats every given file as a migration.

    `facts` are what the production probe found (bot.probe); without them, rules that need them stay quiet.
    `prepared` is the change already parsed by `prepare` with the same arguments (the probe's caller has it);
    the review advances its catalog, so one `Prepared` serves one review.
    """
    if prepared is None:
        prepared = prepare(changeset, config=config, dialect=dialect, lint=lint)
    config, dialect, catalog = prepared.config, prepared.dialect, prepared.catalog
    migrations = list(prepared.migrations)
    if facts is not None:
        catalog.rows.update({t.table: t.rows for t in facts.tables})
    before = catalog.snapshot()
    references = _references(changeset, config, migrations)
    findings: list[Finding] = []
    values = CodeValues(changeset.head_tree)
    for migration in migrations:
        if lint:
            # Files given directly are each a change of their own, as in a migration history: a table an
            # earlier file created is an existing table (with the columns it gave it) for the later ones.
            catalog.created_in_change = set(migration.tables_created())
        context = Context(
            catalog=catalog,
            config=config,
            dialect=dialect,
            references=references,
            tree=changeset.head_tree,
            code_values=values,
            facts=facts,
        )
        findings.extend(_check(migration, context, config))
        for op in migration.up:
            catalog.apply(op, in_change=not lint)
    findings.sort(key=lambda f: (f.severity.rank, f.path, f.line, f.rule))
    return decide(
        changeset,
        migrations,
        findings,
        plan.build(migrations, findings, dialect, changeset.description, before, references.flags()),
        references,
        facts,
    )


def build_catalog(tree: Tree, config: Config, dialect: str, changed: Iterable[str] = ()) -> Catalog:
    """The schema before the change: a schema dump of the base tree, else its migrations replayed."""
    catalog = Catalog(small=frozenset(config.small_tables), large=frozenset(config.large_tables))
    skip = set(changed)
    candidates = [
        p
        for p in tree.paths()
        if p.rsplit("/", 1)[-1] in SCHEMA_DUMPS or (p not in skip and frameworks.is_candidate(p))
    ]
    prefetch = getattr(tree, "prefetch", None)
    if prefetch is not None:
        prefetch(candidates)
    dumps, history = [], []
    for path in candidates:
        if path.rsplit("/", 1)[-1] in SCHEMA_DUMPS:
            dumps.append(path)
            continue
        text = tree.read(path)
        module = frameworks.detect(path, text, config) if text is not None else None
        if module is not None and text is not None:
            history.append((frameworks.order_key(path, module), path, text, module))
    if dumps:
        for path in dumps:
            for op in _dump_operations(path, tree.read(path) or "", dialect):
                catalog.apply(op)
        catalog.sources.append(", ".join(f"`{p}`" for p in dumps))
        return catalog
    for _, path, text, module in sorted(history, key=lambda item: item[0]):
        for op in frameworks.parse(module, path, text, tree, dialect).up:
            catalog.apply(op)
    if history:
        catalog.sources.append(f"{len(history)} earlier migrations")
    return catalog


def _dump_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    if path.endswith(".prisma"):
        return tuple(prisma.schema_operations(path, text))
    if path.endswith(".rb"):
        from bot.frameworks.rails import schema_operations  # the Ruby reader loads only for a Rails schema

        return schema_operations(path, text, dialect)
    return parse_sql(path, text, dialect)


def _migration_files(changeset: ChangeSet, config: Config, lint: bool) -> list[tuple[str, str, ModuleType]]:
    found = []
    for file in changeset.files:
        if file.status == "removed" or file.head_text is None:
            continue
        module = frameworks.detect(file.path, file.head_text, config)
        if module is None and lint:
            module = frameworks.sniff(file.path, file.head_text)
        if module is not None:
            found.append((frameworks.order_key(file.path, module), file.path, file.head_text, module))
    found.sort(key=lambda item: item[0])
    return [(path, text, module) for _, path, text, module in found]


def _references(changeset: ChangeSet, config: Config, migrations: list[Migration]) -> ReferenceIndex:
    targets = targets_of(migrations)
    if not targets:
        return ReferenceIndex()
    skip = {m.path for m in migrations} | {m.down_path for m in migrations if m.down_path}
    before = {f.path: f.base_text for f in changeset.files if f.base_text is not None and f.status != "added"}
    return search(
        changeset.head_tree, targets, exclude=config.references.exclude, skip_paths=skip, before=before
    )


def _check(migration: Migration, context: Context, config: Config) -> list[Finding]:
    selected = set(config.rules.select) if config.rules.select else None
    ignored = {rules.canonical(r) for r in config.rules.ignore}
    findings: list[Finding] = []
    for module in rules.RULES:
        rule = module.RULE
        if rule.id in ignored or (selected is not None and rule.id not in selected):
            continue
        if rule.dialects and context.dialect not in rule.dialects:
            continue
        for finding in module.check(migration, context):
            severity = config.rules.severity.get(rule.id)
            finding = finding.with_severity(severity) if severity else finding
            if finding.fix == rule.help and rule.framework_help:
                finding = dataclasses.replace(finding, fix=rule.help_for(migration.framework))
            if finding.suggestion and not migration.path.endswith(".sql"):
                # Suggestions are SQL; they cannot replace lines of a Ruby, Python, XML or YAML migration.
                finding = dataclasses.replace(finding, suggestion=None)
            findings.append(_suppress(migration, finding))
    return findings


def _suppress(migration: Migration, finding: Finding) -> Finding:
    for suppression in migration.suppressions:
        names = tuple(rules.canonical(r) for r in suppression.rules)
        named = dataclasses.replace(suppression, rules=names).covers(finding.rule, finding.dimension.value)
        covers = suppression.applies_to == 0 or suppression.applies_to == finding.line
        if named and covers and finding.rule != "suppression-without-reason":
            return finding.accepted(suppression.reason or "(no reason given)")
    return finding
