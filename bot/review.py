"""ChangeSet → Review. Pure: no network, no clock, no globals, no files but the trees it is given."""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType

from bot import frameworks, rules, two_cores
from bot.frameworks import (
    baselines,
    django,
    django_squash,
    history_cache,
    migration_graph,
    migration_sets,
    prisma,
    prisma_push,
    seeds,
    supabase,
    unknown,
    unreached,
)
from bot.frameworks.dialect import Dialects, dialect_files, for_another_file, named_database, other_database
from bot.frameworks.history import in_order
from bot.frameworks.settings.runner import runner_settings
from bot.frameworks.sqlfile import parse_sql
from bot.model.catalog import Catalog
from bot.model.changeset import ChangedFile, ChangeSet, MergedTree, Tree, read_ahead
from bot.model.config import Config, parse_config
from bot.model.database import Database, DatabaseUse, Runner, RunnerSetting
from bot.model.facts import Facts
from bot.model.findings import Finding, Review, Rule, Severity
from bot.model.migration import AddColumn, CreateTable, Migration, Operation, RenameTable
from bot.plan import acceptance
from bot.plan import validation as plan
from bot.plan.checklist import decide
from bot.plan.spelling import respelled
from bot.references.code_values import CodeValues
from bot.references.search import ReferenceIndex, search
from bot.references.targets import targets_of
from bot.rules import (
    applied_migration_edited,
    applied_migration_removed,
    enum_order_changed,
    model_without_migration,
    required_column_unwritten,
    unparsed_statement,
)
from bot.rules.context import Context
from bot.sql.pg_statements import unchecked_nodes

SCHEMA_DUMPS = ("schema.sql", "structure.sql", "schema.prisma", "schema.rb", "LATEST.sql", "latest.sql")
# Schemas new installs load beside migrations (Kill Bill's `ddl.sql` per module): read for the tables the
# migrations do not create
NEW_INSTALL_SCHEMAS = ("ddl.sql",)
# Characters of migrations given to `lint` from which a second process reads part of them: below, forking
# and sending the operations back cost more than it saves (measured: 300 files, 400 KB, 0.42 s → 0.28 s)
_TWO_CORES_TEXT = 100_000
# Operations of those migrations from which the second process checks part of them
_TWO_CORES_OPERATIONS = 1_000


@dataclass(frozen=True)
class Prepared:
    """The change parsed once: what `review` checks and what the production probe asks about."""

    migrations: tuple[Migration, ...]
    catalog: Catalog  # the schema before the change, with the tables the change creates marked new
    config: Config
    dialect: str
    databases: dict[str, Database] = field(default_factory=dict)  # each migration's database, by path
    catalogs: dict[str, Catalog] = field(default_factory=dict)  # one schema per database (migration_sets.key)
    runner: Runner = field(default_factory=Runner)
    other_databases: tuple[tuple[str, str], ...] = ()  # (path, database) of files for a database not read
    schemas: dict[str, str] = field(default_factory=dict)  # each migration's schema (a key of `catalogs`)


def prepare(
    changeset: ChangeSet, *, config: Config | None = None, dialect: str | None = None, lint: bool = False
) -> Prepared:
    """Parse the migrations a change adds or modifies, and the schema before them."""
    if not lint:
        changeset = migration_graph.renumbered(changeset)
    if config is None:
        config = parse_config(changeset.config_text, changeset.config_path, rules.ALL_IDS)
    django.start_review()
    found = _migration_files(changeset, config, lint)
    covered = {p for p, _, _ in found if any(fnmatch.fnmatch(p, d.glob) for d in config.dialects)}
    skipped = tuple(
        (p, other_database(p) or "") for p, _, _ in found if p not in covered and other_database(p)
    )
    found = [item for item in found if item[0] not in dict(skipped)]
    # The settings that name the database may lie anywhere in the repository; a lint's tree lists only the
    # files given, its `whole` view the rest as well.
    settings_tree: Tree = getattr(changeset.head_tree, "whole", changeset.head_tree)
    dialects = Dialects(
        settings_tree,
        config,
        config_path=changeset.config_path,
        requested=dialect,
    )
    databases = {path: dialects.database(path, text) for path, text, _ in found}
    # A Prisma schema edited where no Prisma Migrate history goes with it: `prisma db push` applies it
    pushed = [] if lint else prisma_push.applies(list(changeset.files), changeset.head_tree)
    if pushed:
        databases[pushed[0].path] = dialects.database(pushed[0].path, pushed[0].head_text or "")
    default = dialects.database("", "")
    runner = runner_settings(settings_tree)
    # One schema per database: MariaDB and MySQL folders hold two histories, even though both read as MySQL,
    # and a folder-based runner's folders of one engine are databases of their own (bot.frameworks.migration_sets)
    dialects_used = sorted({d.dialect for d in databases.values()} | {default.dialect})
    folders = sorted(
        {(databases[path].dialect, migration_sets.root(path, module.NAME)) for path, _, module in found}
        - {("", "")}
    )
    syntaxes = sorted({_syntax(d) for d in dialects_used})
    # The replay of the base commit's history, kept from an earlier review of the same base.
    # The change's migrations are part of the key: the tables they create are marked new in the schema.
    changes = sorted(
        [(path, history_cache.digest(text)) for path, text, _ in found]
        + [(f.path, history_cache.digest(f.head_text or "")) for f in pushed]
    )
    kept = history_cache.key(
        getattr(changeset.base_tree, "rev", None), changes, dialects_used, folders, repr(config), lint
    )
    cached = history_cache.load(kept)
    if isinstance(cached, tuple) and len(cached) == 3:
        django.restore(cached[1])
    # sqlx leaves a file out of its transaction when its first line says so
    untransacted = {path for path, text, _ in found if _NO_TRANSACTION.match(text)}
    migrations = tuple(
        _runner_wraps(
            dataclasses.replace(migration, dialect=databases[migration.path].dialect),
            config,
            runner,
            migration.path in untransacted,
        )
        for migration in _parse_all(found, changeset.head_tree, databases, lint)
    )
    if pushed:
        database = databases[pushed[0].path]
        push = prisma_push.migration(
            pushed, changeset.head_tree, changeset.base_tree, _syntax(database.dialect)
        )
        migrations += (dataclasses.replace(push, dialect=database.dialect),)
    migrations = _baselines_marked(changeset, migrations, config, _syntax(default.dialect))
    migrations = _unreached_marked(migrations, settings_tree, config)
    # an edited Flyway repeatable migration runs again where its previous version ran: that version is in the
    # schema it changes
    changed = {m.path for m in migrations if not applied_migration_edited.repeatable(m)}
    if isinstance(cached, tuple) and len(cached) == 3:
        catalogs: dict[str, Catalog] = cached[0]
        schemas: dict[str, str] = cached[2]
    else:
        read: HistoryFiles = {}  # the base tree's migrations of each dialect, found once for both uses
        schemas = _schema_keys(changeset.base_tree, config, found, databases, changed, read)
        if pushed:
            schemas[pushed[0].path] = databases[pushed[0].path].dialect
        # the dialects some migration has a schema of
        covered = {migration_sets.split(k)[0] for k in schemas.values()}
        keys = set(schemas.values()) | {d for d in dialects_used if d not in covered}
        applied_parts = _applied_parts(changeset, found, databases)
        # a squash of applied migrations runs nothing (see `review`): the tables it creates exist already
        squashes = _squashes_of_applied(changeset, list(migrations), lint)
        # a snapshot the change edits or adds creates no table of existing databases
        unsquashed = tuple(m for m in migrations if m.path not in squashes and not m.baseline)
        catalogs = {
            each: _catalog_before(
                changeset.base_tree, config, each, changed, unsquashed, lint, applied_parts, schemas
            )
            for each in sorted(keys)
        }
        # Django migrations are Python files: a tree without any (a folder of SQL) does not load their reader
        python = any(path.endswith(".py") for path in changeset.base_tree.paths())
        states = {
            k: v
            for syntax in syntaxes
            if python
            for k, v in django.final_states(changeset.base_tree, syntax).items()
        }
        history_cache.save(kept, (catalogs, states, schemas))
    first = databases[migrations[0].path] if migrations else default
    first_schema = schemas.get(migrations[0].path, first.dialect) if migrations else first.dialect
    return Prepared(
        migrations,
        catalogs[first_schema] if first_schema in catalogs else catalogs[first.dialect],
        config,
        first.dialect,
        databases,
        catalogs,
        runner,
        skipped,
        schemas,
    )


# what `supabase db pull` wrote (bot.frameworks.supabase): only other databases run it
_PULLED = (
    "was pulled from the linked database by `supabase db pull`, which records it as applied there: that database "
    "has what it does already"
)


def _baselines_marked(
    changeset: ChangeSet, migrations: tuple[Migration, ...], config: Config, dialect: str
) -> tuple[Migration, ...]:
    """The change's migrations, those that only new installs run (a snapshot of the schema, a Flyway baseline:
    bot.frameworks.baselines) marked with what they are. A Liquibase changelog is told a snapshot by the base
    branch's changelogs, read only when the change has one large enough to be one."""
    migrations = tuple(
        dataclasses.replace(m, baseline=_PULLED) if supabase.pulled(m) else m for m in migrations
    )
    texts = {f.path: f.head_text or "" for f in changeset.files}
    own = [baselines.outline(m.path, m.framework, texts.get(m.path, ""), m) for m in migrations]
    if not any(baselines.may_be_snapshot(o) for o in own):
        return migrations
    others = []
    if any(o.framework == "liquibase" for o in own):
        tree, changed = changeset.base_tree, {m.path for m in migrations}
        # a changelog the change moves or removes is no other version beside it (a moved file is not a
        # snapshot of itself)
        gone = {f.previous_path for f in changeset.files if f.previous_path} | {
            f.path for f in changeset.files if f.status == "removed"
        }
        candidates = [
            p
            for p in tree.paths()
            if p not in changed and p not in gone and p.endswith(frameworks.liquibase.EXTENSIONS)
        ]
        read_ahead(tree, candidates)
        for path in candidates:
            text = tree.read(path)
            module = frameworks.detect(path, text, config) if text is not None else None
            if module is not None and text is not None and module.NAME == "liquibase":
                parse = functools.partial(frameworks.parse, module, path, text, tree, dialect)
                others.append(baselines.outline(path, module.NAME, text, parse))
    found = baselines.snapshots([*others, *own])
    return tuple(
        dataclasses.replace(m, baseline=found[m.path].what) if m.path in found else m for m in migrations
    )


def _unreached_marked(migrations: tuple[Migration, ...], tree: Tree, config: Config) -> tuple[Migration, ...]:
    """The change's migrations, each that its runner never finds (bot.frameworks.unreached) marked with why."""
    folders: dict[str, list[str]] = {}

    def beside(path: str) -> str | None:
        module = frameworks.by_neighbours(path, tree, config, folders)
        return None if module is None else str(module.NAME)

    marked = []
    for migration in migrations:
        why = (
            ""
            if migration.baseline
            else unreached.reason(migration.path, tree, folders, beside, migration.framework)
        )
        marked.append(dataclasses.replace(migration, unreached=why) if why else migration)
    return tuple(marked)


def _parse_all(
    found: list[tuple[str, str, ModuleType]], tree: Tree, databases: dict[str, Database], lint: bool
) -> list[Migration]:
    """Each file read by its framework. Files given to `lint` are many at times (a whole history): a second
    core then reads the later part of them."""

    def parse(item: tuple[str, str, ModuleType]) -> Migration:
        path, text, module = item
        return frameworks.parse(module, path, text, tree, _syntax(databases[path].dialect))

    with unchecked_nodes():  # once for every file, not once per file
        if not lint:
            return [parse(item) for item in found]
        # the parent reads the child's operations back (about a tenth of the time they took to read)
        return two_cores.in_two(
            parse, found, weight=lambda item: len(item[1]), minimum=_TWO_CORES_TEXT, share=0.54
        )


def _syntax(dialect: str) -> str:
    """MariaDB is parsed as MySQL; the rules still see "mariadb" and judge its versions."""
    return "mysql" if dialect == "mariadb" else dialect


def _schema_keys(
    tree: Tree,
    config: Config,
    found: list[tuple[str, str, ModuleType]],
    databases: dict[str, Database],
    changed: set[str],
    read: HistoryFiles,
) -> dict[str, str]:
    """Each migration's schema (a key of `Prepared.catalogs`): its database's dialect, and the folder of its
    history where the base tree or the change holds the same runner's folder in a sibling package (each
    migrates a database of its own, bot.frameworks.migration_sets.parallel); the dialect alone elsewhere."""
    roots = {path: migration_sets.root(path, module.NAME) for path, _, module in found}
    others: dict[str, set[str]] = {}  # per dialect, every history of the base tree and of the change
    for dialect in {databases[path].dialect for path, each in roots.items() if each}:
        _, history = _history_files(tree, config, _syntax(dialect), changed, dialect, read)
        others[dialect] = {migration_sets.root(p, m.NAME) for p, _, m in history} | {
            each for path, each in roots.items() if databases[path].dialect == dialect
        }
    keys = {}
    for path, each in roots.items():
        dialect = databases[path].dialect
        apart = any(migration_sets.parallel(each, other) for other in others.get(dialect, ()))
        keys[path] = migration_sets.key(dialect, each if each and apart else "")
    return keys


def _catalog_before(
    tree: Tree,
    config: Config,
    schema: str,
    changed: set[str],
    migrations: tuple[Migration, ...],
    lint: bool,
    applied_parts: frozenset[tuple[str, str]] = frozenset(),
    schemas: dict[str, str] | None = None,
    read: HistoryFiles | None = None,
    until: Migration | None = None,
) -> Catalog:
    dialect, folder = migration_sets.split(schema)
    catalog = build_catalog(
        tree, config, _syntax(dialect), changed, database=dialect, folder=folder, read=read, until=until
    )
    catalog.before_change = frozenset(catalog.tables)
    if not lint:  # files given directly are each a change of their own (see review)
        for migration in migrations:
            if migration.dialect == dialect and (schemas or {}).get(migration.path, dialect) in (
                schema,
                dialect,
            ):
                # a table an applied part of the file created (an earlier changeSet of the changelog) has rows
                # `CREATE TABLE IF NOT EXISTS` of a table the schema has creates nothing: the table keeps its rows
                catalog.created_in_change.update(
                    op.table
                    for op in migration.up
                    if isinstance(op, CreateTable)
                    and (migration.path, op.applied_unit) not in applied_parts
                    and not (op.if_not_exists and op.table in catalog.before_change)
                )
                catalog.created_in_change.update(
                    migration.tables_created()
                    - {op.table for op in migration.up if isinstance(op, CreateTable)}
                )
    return catalog


def _applied_parts(
    changeset: ChangeSet, found: list[tuple[str, str, ModuleType]], databases: dict[str, Database]
) -> frozenset[tuple[str, str]]:
    """(path, part) of the parts an edited file's runner records one by one (Liquibase changeSets) that its
    base branch's version already has: databases ran them."""
    bases = {f.path: f.base_text for f in _applied_files(changeset).values()}
    parts: set[tuple[str, str]] = set()
    for path, _, module in found:
        if path not in bases or not hasattr(module, "change_sets"):
            continue
        base = frameworks.parse(module, path, bases[path] or "", changeset.base_tree, databases[path].dialect)
        parts.update((path, op.applied_unit) for op in base.up if op.applied_unit)
    return frozenset(parts)


_NO_TRANSACTION = re.compile(r"\A\s*--\s*no-transaction\b", re.I)


def _runner_wraps(
    migration: Migration, config: Config, runner: Runner, untransacted: bool = False
) -> Migration:
    """Plain SQL files under `assume_in_transaction: true`, and the migrations of a runner the repository
    configures to wrap every migration in one transaction, run in a transaction."""
    pop, sqlx = runner.get("pop"), runner.get("sqlx")
    if migration.framework == "sql" and config.assume_in_transaction:
        note = "the runner wraps every file in a transaction (`assume_in_transaction: true`)"
    elif migration.in_transaction:
        return migration
    elif pop is not None and _pop_wraps(migration):
        note = (
            f"pop runs every migration not named `.autocommit.` in a transaction ({pop.detail}, {pop.where})"
        )
    elif (cli := runner.get("supabase")) is not None and supabase.migration_file(migration):
        note = f"the Supabase CLI runs each migration file in a transaction of its own ({cli.where})"
    elif sqlx is not None and pop is None and _sqlx_wraps(migration) and not untransacted:
        note = (
            "sqlx runs every migration in a transaction unless its first line is `-- no-transaction` "
            f"({sqlx.detail}, {sqlx.where})"
        )
    else:
        setting = next((s for s in runner.settings if _wraps(s, migration.framework)), None)
        if setting is None:
            return migration
        note = f"the runner runs every migration in one transaction ({setting.detail}, {setting.where})"
    return dataclasses.replace(migration, in_transaction=True, file_transaction=False, transaction_note=note)


def _pop_wraps(migration: Migration) -> bool:
    """pop/fizz runs each migration file in a transaction unless its name says `.autocommit.`; on MySQL every
    DDL statement commits anyway, so only PostgreSQL and SQLite files count."""
    name = migration.path.rsplit("/", 1)[-1]
    return (
        migration.framework == "golang-migrate"
        and migration.dialect in ("postgres", "sqlite")
        and ".autocommit." not in name
    )


def _base_version(
    migration: Migration, text: str, tree: Tree, config: Config, runner: Runner
) -> Migration | None:
    """The base branch's version of an edited migration, read as it was, in the transaction the runner wraps
    every file in (as the edited version is)."""
    base = frameworks.reparse(migration, text, tree)
    return None if base is None else _runner_wraps(base, config, runner, bool(_NO_TRANSACTION.match(text)))


def _sqlx_wraps(migration: Migration) -> bool:
    """sqlx runs each `<version>_<name>.sql` (or `.up.sql`) in a transaction; MySQL commits DDL anyway."""
    return migration.framework in migration_sets.SQLX_FRAMEWORKS and migration.dialect in (
        "postgres",
        "sqlite",
    )


def _wraps(setting: RunnerSetting, framework: str) -> bool:
    """Flyway's `group` runs all pending migrations in one transaction; so does TypeORM's
    `migrationsTransactionMode: 'all'` (with 'each', a migration may still opt out)."""
    if setting.kind != "transaction":
        return False
    if framework == "flyway":
        return setting.detail.startswith("Flyway group")
    quoted = setting.detail.replace('"', "'")
    return framework == "typeorm" and setting.detail.startswith("TypeORM") and "'all'" in quoted


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
    the review advances its catalogs (how far is left unsaid: a second process may have checked the later
    migrations), so one `Prepared` serves one review.
    """
    if not lint:
        changeset = migration_graph.renumbered(changeset)
    if prepared is None:
        prepared = prepare(changeset, config=config, dialect=dialect, lint=lint)
    config, dialect, catalog = prepared.config, prepared.dialect, prepared.catalog
    migrations = list(prepared.migrations)
    catalogs = prepared.catalogs or {dialect: catalog}
    # A squash of applied migrations is recorded as applied without running: no change to review.
    squashes = _squashes_of_applied(changeset, migrations, lint)
    migrations = [m for m in migrations if m.path not in squashes]
    if facts is not None:
        for each in catalogs.values():
            each.rows.update({t.table: t.rows for t in facts.tables})
    before = catalog.snapshot()
    applied = {} if lint else _applied_files(changeset)
    migrations = _guards_answered(migrations, _schemas(migrations, prepared), applied)
    # An applied migration the change edits or moves: its base branch's version, read once.
    bases = {
        m.path: _base_version(
            m, applied[m.path].base_text or "", changeset.head_tree, config, prepared.runner
        )
        for m in migrations
        if m.path in applied
    }
    # What applied migrations already did is no change of this pull request: only their new statements
    # are searched for in the code.
    references = _references(
        changeset, config, [_new_part(m, bases.get(m.path)) for m in migrations], catalog, migrations
    )
    values = CodeValues(changeset.head_tree)
    merged = None if lint else _merged(changeset)
    schemas = _schemas(migrations, prepared)
    # An applied migration the change edits runs, on a new install, where the history puts it: before the
    # migrations ordered after it, which the schema of the others holds (their tables, the columns using a type)
    positioned = {} if lint else _positioned(changeset, config, migrations, prepared, applied)
    replayed = 0  # migrations whose operations this process's catalogs hold
    ordered = tuple(migrations)

    def replay(upto: int) -> None:
        nonlocal replayed
        for index in range(replayed, upto):
            _enter(migrations[index], schemas[index], lint)
            _leave(migrations[index], schemas[index], lint, bases.get(migrations[index].path))
        replayed = max(replayed, upto)

    def check(index: int) -> list[Finding]:
        nonlocal replayed
        replay(index)
        migration, catalog = migrations[index], schemas[index]
        if (
            migration.path in positioned
        ):  # checked where it runs; the change's later migrations see it as well
            _leave(migration, catalog, lint, bases.get(migration.path))
            catalog = positioned[migration.path]
        database = prepared.databases.get(migration.path) or Database(dialect)
        _enter(migration, catalog, lint)
        context = Context(
            catalog=catalog,
            config=config,
            dialect=database.dialect,
            references=references,
            tree=changeset.head_tree,
            code_values=values,
            facts=facts,
            migration=migration,
            database=database,
            runner=prepared.runner,
            applied_file=applied.get(migration.path),
            applied_base=bases.get(migration.path),
            change=ordered,
            position=index,
            base_tree=None if lint else changeset.base_tree,
            merged_tree=merged,
        )
        if migration.baseline:  # only what stops a new install is checked
            checked = _new_install_failures(
                _check(migration, context, config, changeset, only=_NEW_INSTALL_RULES)
            )
        else:
            checked = _check(migration, context, config, changeset)
            checked += _check_down(migration, context, config, changeset, checked)
        if config.deployment == "offline":
            checked = _offline(checked)
        if (
            not migration.baseline
            and migration.path in applied
            and not applied_migration_edited.runs_as_new(
                migration,
                applied[migration.path].previous_path or migration.path,
                applied[migration.path].base_text or "",
                applied[migration.path].head_text or "",
            )
            # a version no database could run (the server rejected it inside its transaction, or before it did
            # anything): every one runs the edited file, whose findings keep their severity
            and applied_migration_edited.refused_everywhere(bases.get(migration.path)) is None
        ):
            checked = _on_edited_statements(checked, migration, bases.get(migration.path))
            added = _added_units(migration, bases.get(migration.path))
            checked = [f for f in checked if _in_units(f, added)] + _new_installs_only(
                [f for f in checked if not _in_units(f, added)]
            )
        _leave(migration, catalog, lint, bases.get(migration.path))
        replayed = index + 1
        return checked

    indexes = range(len(migrations))
    if lint:  # a whole history given to `lint`: a second core checks its later part
        weight = lambda index: len(migrations[index].up)  # noqa: E731
        # the child first replays the earlier migrations onto its catalogs: it takes the smaller part
        per_file = two_cores.in_two(check, indexes, weight=weight, minimum=_TWO_CORES_OPERATIONS, share=0.6)
    else:
        per_file = [check(index) for index in indexes]
    findings = [finding for checked in per_file for finding in checked]
    # the schema the change's migrations leave: a catalog of another dialect (the default database's, when
    # the settings name another) holds the schema before them, tables they rename or drop included
    advanced = list({id(c): c for c in schemas}.values()) or list(catalogs.values())
    findings += [] if lint else _code_changes(changeset, config, advanced)
    findings += [] if merged is None else _unread_versions(changeset, prepared, merged)
    findings.sort(key=lambda f: (f.severity.rank, f.path, f.line, f.rule))
    decided = decide(
        changeset,
        migrations,
        findings,
        plan.build(
            migrations,
            findings,
            dialect,
            acceptance.trusted_description(changeset, config),
            before,
            references.flags(),
        ),
        references,
        facts,
        config,
    )
    unread = tuple(
        f"`{path}` is a migration for {name}, a database the review does not read: it was not reviewed."
        for path, name in prepared.other_databases
    ) + tuple(
        f"`{m.path}` {m.baseline}: it was reviewed as a new install runs it, for what fails there."
        for m in migrations
        if m.baseline
    )
    done = dataclasses.replace(
        decided,
        databases=databases_used(migrations, prepared.databases),
        runner=prepared.runner.settings,
        notes=decided.notes + unread + tuple(squashes.values()),
    )
    return respelled(done, migrations)  # MySQL and SQLite names as the migrations write them


def _unread_versions(changeset: ChangeSet, prepared: Prepared, merged: MergedTree) -> list[Finding]:
    """A migration for a database the review does not read (ClickHouse's goose files beside PostgreSQL's)
    still takes a version its runner reads from the file's name: a version another file already has stops
    that runner before it runs anything. Only that is checked; the SQL is left unread."""
    texts = {f.path: f.head_text for f in changeset.files if f.head_text is not None}
    found: list[Finding] = []
    for path, _ in prepared.other_databases:
        module = frameworks.detect(path, texts.get(path) or "", prepared.config)
        if module is None:
            continue
        migration = Migration(path, module.NAME, prepared.dialect, (), None, False)
        context = Context(
            catalog=Catalog(),
            config=prepared.config,
            dialect=prepared.dialect,
            tree=changeset.head_tree,
            migration=migration,
            base_tree=changeset.base_tree,
            merged_tree=merged,
        )
        found += _check(migration, context, prepared.config, changeset, only=_UNREAD_CHECKS)
    return found


_UNREAD_CHECKS = frozenset({"duplicate-migration-version"})


def _merged(changeset: ChangeSet) -> MergedTree:
    """The base branch once the change merges: its tree with the change's files laid over it."""
    over = {f.path: f.head_text for f in changeset.files if f.head_text is not None}
    gone = frozenset(
        f.previous_path for f in changeset.files if f.previous_path and f.previous_path not in over
    )
    return MergedTree(changeset.base_tree, over, gone)


def _code_changes(changeset: ChangeSet, config: Config, catalogs: list[Catalog]) -> list[Finding]:
    """What the pull request's code changes do to the data already stored, with no migration (a Rails enum
    list reordered), and what its models now ask of the schema its migrations leave (`catalogs`, advanced
    through every migration of the change)."""
    checks: tuple[tuple[Rule, Callable[[], Iterator[Finding]]], ...] = (
        (enum_order_changed.RULE, lambda: enum_order_changed.check_change(changeset)),
        (model_without_migration.RULE, lambda: model_without_migration.check_change(changeset, catalogs)),
        (required_column_unwritten.RULE, lambda: required_column_unwritten.check_change(changeset, catalogs)),
        (applied_migration_removed.RULE, lambda: applied_migration_removed.check_change(changeset, config)),
    )
    found: list[Finding] = []
    ignored = {rules.canonical(r) for r in config.rules.ignore}
    for rule, checked in checks:
        if (config.rules.select and rule.id not in config.rules.select) or rule.id in ignored:
            continue
        severity = config.rules.severity.get(rule.id)
        found += [f.with_severity(severity) if severity else f for f in checked()]
    return found


def _positioned(
    changeset: ChangeSet,
    config: Config,
    migrations: list[Migration],
    prepared: Prepared,
    applied: dict[str, ChangedFile],
) -> dict[str, Catalog]:
    """The schema each edited applied migration runs on in a new install, where the base tree holds
    migrations its runner orders after it; the others are checked on the schema of the whole history."""
    found: dict[str, Catalog] = {}
    changed = {m.path for m in migrations}
    read: HistoryFiles = {}
    for migration in migrations:
        if migration.path not in applied or migration.baseline:
            continue
        if not _later_in_history(changeset.base_tree, config, migration, changed, read):
            continue
        database = prepared.databases.get(migration.path) or Database(prepared.dialect)
        schema = prepared.schemas.get(migration.path, database.dialect)
        found[migration.path] = _catalog_before(
            changeset.base_tree,
            config,
            schema,
            changed,
            (migration,),
            False,
            schemas=prepared.schemas,
            read=read,
            until=migration,
        )
    return found


def _schemas(migrations: list[Migration], prepared: Prepared) -> list[Catalog]:
    """The catalog each migration is checked against: its database's (one per dialect), else the one the
    migration before it was checked against."""
    catalog, found = prepared.catalog, []
    catalogs = prepared.catalogs or {prepared.dialect: catalog}
    for migration in migrations:
        database = prepared.databases.get(migration.path) or Database(prepared.dialect)
        schema = prepared.schemas.get(migration.path, database.dialect)
        catalog = catalogs.get(schema) or catalogs.get(database.dialect, catalog)
        found.append(_new_install(catalog) if migration.baseline else catalog)
    return found


def _guards_answered(
    migrations: list[Migration], schemas: list[Catalog], applied: Iterable[str]
) -> list[Migration]:
    """Each migration without the statements it runs only where the schema has (or lacks) a table or a column,
    where the schema before the change says they do not run: alaveteli's copy of Active Storage's
    `add_service_name_to_active_storage_blobs` fills and constrains `service_name` only `unless
    column_exists?`, and its blobs table was made with the column. A table an earlier statement of the change
    touches is left alone (what it did there is not answered here), and so is an applied migration the change
    edits (`applied`: its paths), which is compared with the version databases ran."""
    out: list[Migration] = []
    touched: set[str] = set()
    edited = frozenset(applied)
    for migration, catalog in zip(migrations, schemas, strict=True):
        up: list[Operation] = []
        for op in migration.up:
            if migration.path in edited or not _skipped(op, catalog, touched):
                up.append(op)
                touched.update(op.tables)  # what it did there is the schema the next guard asks
        out.append(
            migration if len(up) == len(migration.up) else dataclasses.replace(migration, up=tuple(up))
        )
    return out


def _skipped(op: Operation, catalog: Catalog, touched: set[str]) -> bool:
    """Does the schema say the migration skips `op` (see `Operation.runs_if`)?"""
    if op.runs_if is None or op.runs_if[1] in touched:
        return False
    kind, table, column, which = op.runs_if
    known = catalog.tables.get(table)
    if kind == "table":
        return which == "absent" and known is not None  # a table the schema lacks may be one it does not know
    if known is None or (known.partial and column not in known.columns):
        return False
    return (column in known.columns) == (which == "absent")


def _new_install(catalog: Catalog) -> Catalog:
    """What a snapshot or a baseline runs on: a new install's database, whose tables (from the snapshot of
    them, read with the history) hold no rows yet."""
    fresh = catalog.snapshot()
    fresh.seeds, fresh.inserted, fresh.rows = {}, {}, {}
    return fresh


def _enter(migration: Migration, catalog: Catalog, lint: bool) -> None:
    if lint:
        # Files given directly are each a change of their own, as in a migration history: a table an
        # earlier file created is an existing table (with the columns it gave it) for the later ones.
        catalog.created_in_change = set(migration.tables_created())


def _leave(migration: Migration, catalog: Catalog, lint: bool, base: Migration | None = None) -> None:
    """The schema after the migration. What the base branch's version of an edited file already did (Akvo's
    0047 edited to import no deleted module, its CreateModel as it was) ran on every database: a table it
    creates is an existing table for the later migrations of the change, not one the change creates."""
    for op in migration.up:
        catalog.apply(op, in_change=not lint)
    if base is not None and not lint:
        catalog.created_in_change -= {op.table for op in base.up if isinstance(op, CreateTable)}


def _squashes_of_applied(changeset: ChangeSet, migrations: list[Migration], lint: bool) -> dict[str, str]:
    """Squashed Django migrations whose replaced migrations exist before the change (applied), with a note.
    A lint reads each migration as it stood when written, and a squash is written over migrations that exist:
    there, the replaced files count as applied though the history has since deleted them."""
    texts = {f.path: f.head_text or "" for f in changeset.files}
    found = {}
    for migration in migrations:
        replaced = django_squash.replaced_paths(migration.path, texts.get(migration.path, ""))
        applied = replaced if lint else [p for p in replaced if changeset.base_tree.read(p) is not None]
        if migration.framework == "django" and applied:
            found[migration.path] = (
                f"`{migration.path}` squashes {len(replaced)} migrations; databases that applied them "
                "record it as applied without running it, so it is not reviewed as a change to their schema "
                "(new installs run it)."
            )
    return found


def build_catalog(
    tree: Tree,
    config: Config,
    dialect: str,
    changed: Iterable[str] = (),
    *,
    database: str = "",
    folder: str = "",
    read: HistoryFiles | None = None,
    until: Migration | None = None,
) -> Catalog:
    """The schema before the change: a schema dump of the base tree, else its migrations replayed
    (`database`, `folder`: see `base_operations`)."""
    catalog = Catalog(
        small=frozenset(config.small_tables),
        large=frozenset(config.large_tables),
        version=tuple(config.version or ()),
    )
    history, from_dumps = base_operations(
        tree, config, dialect, changed, database=database, folder=folder, read=read, until=until
    )
    for _, _, ops in history:
        for op in ops:
            catalog.apply(op)
    if from_dumps:
        catalog.sources.append(", ".join(f"`{p}`" for p, _, _ in history))
    elif history:
        catalog.sources.append(f"{len(history)} earlier migrations")
    return catalog


HistoryFiles = dict[tuple[str, str, frozenset[str]], tuple[list[str], list[tuple[str, str, ModuleType]]]]


def _ordered_before(
    history: list[tuple[str, str, ModuleType]], migration: Migration
) -> list[tuple[str, str, ModuleType]]:
    """The history's migrations of the migration's framework that its runner orders before it, and the others."""
    module = frameworks.BY_NAME.get(migration.framework)
    if module is None:
        return history
    bound = frameworks.order_key(migration.path, module)
    return [h for h in history if h[2] is not module or frameworks.order_key(h[0], module) < bound]


_ORDERED_OTHERWISE = frozenset({"liquibase", "alembic", "django", "sqitch", "prisma-push"})


def _later_in_history(
    tree: Tree, config: Config, migration: Migration, changed: set[str], read: HistoryFiles | None = None
) -> bool:
    """Does the base tree hold migrations of the same framework that its runner orders after this one? Only
    runners that order migrations by their names are asked: Liquibase follows its changelog's includes, Alembic
    and Django their chains of parents, Sqitch its plan."""
    module = frameworks.BY_NAME.get(migration.framework)
    if module is None or migration.framework in _ORDERED_OTHERWISE:
        return False
    _, history = _history_files(tree, config, _syntax(migration.dialect), changed, migration.dialect, read)
    bound = frameworks.order_key(migration.path, module)
    return any(m is module and frameworks.order_key(p, module) > bound for p, _, m in history)


def _history_files(
    tree: Tree,
    config: Config,
    dialect: str,
    skip: Iterable[str],
    database: str,
    read: HistoryFiles | None = None,
) -> tuple[list[str], list[tuple[str, str, ModuleType]]]:
    """The base tree's schema dumps, and its migrations (path, text, framework) of the dialect, unordered;
    `read` keeps them for a second asker of the same review."""
    skip = set(skip)
    key = (dialect, database, frozenset(skip))
    if read is not None and key in read:
        dumps, history = read[key]
        return list(dumps), list(history)
    found = _history_files_read(tree, config, dialect, skip, database)
    if read is not None:
        read[key] = found
    return list(found[0]), list(found[1])


def _history_files_read(
    tree: Tree, config: Config, dialect: str, skip: set[str], database: str
) -> tuple[list[str], list[tuple[str, str, ModuleType]]]:
    candidates = [p for p in tree.paths() if _dump(p) or (p not in skip and frameworks.is_candidate(p))]
    # a changed changelog is read too: it may be a version of a snapshot, which tells the others apart
    changelogs = [p for p in skip if p.endswith(frameworks.liquibase.EXTENSIONS) and tree.read(p) is not None]
    read_ahead(tree, candidates)
    dumps, history = [], []
    covered = dialect_files(candidates)
    for path in candidates + sorted(changelogs):
        named = named_database(path)
        other = named is not None and (
            _syntax(named.dialect) != dialect or bool(database and named.dialect != database)
        )
        if other or other_database(path) or for_another_file(path, database or dialect, covered):
            continue  # another dialect's history, or a database the review does not read, is another schema
        if _dump(path):
            dumps.append(path)
            continue
        text = tree.read(path)
        module = frameworks.detect(path, text, config) if text is not None else None
        if module is not None and text is not None and (path not in skip or module.NAME == "liquibase"):
            history.append((path, text, module))
    return dumps, history


def base_operations(
    tree: Tree,
    config: Config,
    dialect: str,
    changed: Iterable[str] = (),
    *,
    database: str = "",
    folder: str = "",
    read: HistoryFiles | None = None,
    until: Migration | None = None,
) -> tuple[list[tuple[str, str, tuple[Operation, ...]]], bool]:
    """What builds the schema before the change, in order: (path, framework, operations) of the base tree's
    schema dumps when it has any (True), else of its migrations in the framework's order (False).

    `dialect` is the syntax the files are read in; `database`, when given, keeps only that database's
    folders of the files named for one (a `mariadb/` folder is not the `mysql/` folder's schema); `folder`,
    the history of one folder-based runner's folder (bot.frameworks.migration_sets), and the schema dumps
    beside it when the tree holds several such histories."""
    skip = set(changed)
    dumps, history = _history_files(tree, config, dialect, skip, database, read)
    if folder:  # one of the runner's folders: those of its sibling packages are other databases
        history = [
            h for h in history if not migration_sets.parallel(folder, migration_sets.root(h[0], h[2].NAME))
        ]
        dumps = [d for d in dumps if migration_sets.near(d, folder)]
    if (
        until is not None
    ):  # the history as it stood where the migration runs: the migrations ordered before it
        history = _ordered_before(history, until)
    seeds = _seed_operations(tree, dialect, history)
    dumps = _application_dumps(dumps, history)
    # a module's `ddl.sql` is the schema new installs load, which may run ahead of the migrations that
    # existing databases ran: beside migrations, it only fills in the tables they do not create
    fills = [d for d in dumps if d.rsplit("/", 1)[-1] in NEW_INSTALL_SCHEMAS] if history else []
    dumps = [d for d in dumps if d not in fills]
    if dumps and not _prisma_history_instead(dumps, history):
        dumped = _dumps_read(dumps, tree, dialect)
        return dumped + _newer_than_dumps(dumps, history, tree, dialect) + seeds, True
    # A Liquibase XML changelog is outlined from its text, and read only when replayed: a project that keeps a
    # snapshot of its schema per release has most of its changelog text in snapshots that are not replayed.
    parsed: dict[str, Migration] = {}
    outlines = []
    for path, text, module in in_order(history):
        if module.NAME != "liquibase" or not path.endswith(".xml"):
            parsed[path] = frameworks.parse(module, path, text, tree, dialect, replayed=True)
        outlines.append(
            baselines.outline(
                path, module.NAME, text, parsed.get(path) or _reader(module, path, text, tree, dialect)
            )
        )
    found = baselines.snapshots(outlines)
    texts = {path: (text, module) for path, text, module in history}
    # a changed snapshot's base version stands for the databases installed from it; the change's version is
    # read as a new install's (see `review`)
    kept = [
        parsed.get(o.path)
        or frameworks.parse(texts[o.path][1], o.path, texts[o.path][0], tree, dialect, replayed=True)
        for o in baselines.replayed(outlines, found)
        if o.path not in skip or o.path in found
    ]
    replay = [(m.path, m.framework, m.up) for m in kept]
    return replay + _filled(fills, replay, tree, dialect) + seeds, False


def _filled(
    fills: list[str], replay: list[tuple[str, str, tuple[Operation, ...]]], tree: Tree, dialect: str
) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """The statements of the new-install schemas (`ddl.sql`) on the tables the migrations replayed do not
    create: the module's tables no migration ever created (they came with its first install)."""
    known = {op.table for _, _, ops in replay for op in ops if isinstance(op, CreateTable)}
    known |= {op.new_name for _, _, ops in replay for op in ops if isinstance(op, RenameTable)}
    found = []
    for path, framework, ops in _dumps_read(fills, tree, dialect):
        kept = tuple(op for op in ops if getattr(op, "table", "") not in known | {""})
        found.append((path, framework, kept))
    return found


def _reader(module: ModuleType, path: str, text: str, tree: Tree, dialect: str) -> Callable[[], Migration]:
    return functools.partial(frameworks.parse, module, path, text, tree, dialect, replayed=True)


def _dump(path: str) -> bool:
    """A schema dump (`schema.sql`, `structure.sql`, `schema.rb`, `schema.prisma`), or a file of a Prisma
    schema spread over a `schema/` folder (`prisma/schema/link.prisma`), whose models are the tables as much
    as those of the folder's `schema.prisma`."""
    name = path.rsplit("/", 1)[-1]
    return (
        name in SCHEMA_DUMPS
        or name in NEW_INSTALL_SCHEMAS
        or (name.endswith(".prisma") and _prisma_folder(path) is not None)
    )


def _prisma_folder(path: str) -> str | None:
    """The folder of a multi-file Prisma schema a `.prisma` file belongs to (`prisma/schema`), or None."""
    folder = path.rpartition("/")[0]
    return folder if path.endswith(".prisma") and folder.rpartition("/")[2] == "schema" else None


# Rails' and Ecto's structure.sql end by recording the migrations they hold (`INSERT INTO "schema_migrations"
# (version) VALUES ('20240101120000'), …`); Rails' schema.rb names the newest (`define(version: 2024_01_01_120000)`)
_RECORDED = re.compile(
    r"INSERT\s+INTO\s+[\w.\"`]*schema_migrations[\"`]?\s*\(\s*version\s*\)\s*VALUES\s*([^;]*)", re.I
)
_RECORDED_VERSION = re.compile(r"\(\s*'?(\d{8,})'?\s*\)")
_DEFINED_VERSION = re.compile(r"\.define\s*\(?\s*version:\s*([\d_]+)")
_FILE_VERSION = re.compile(r"^(\d{8,})_")
_RECORDING_FRAMEWORKS = frozenset({"rails", "ecto"})


def _newer_than_dumps(
    dumps: list[str], history: list[tuple[str, str, ModuleType]], tree: Tree, dialect: str
) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """The base tree's migrations a stale schema dump does not hold yet, replayed on top of it: a dump that
    records the newest migration it holds (Rails and Ecto) and migrations newer than that beside it (hexpm's
    `structure.sql` stopped two months before a migration dropped `package_reports`, so creating it again was
    "already exists")."""
    newest = 0
    for path in dumps:
        text = tree.read(path) or ""
        versions = [int(v) for block in _RECORDED.findall(text) for v in _RECORDED_VERSION.findall(block)]
        defined = _DEFINED_VERSION.search(text) if path.endswith(".rb") else None
        if defined:
            versions.append(int(defined.group(1).replace("_", "")))
        newest = max([newest, *versions])
    if not newest:
        return []
    later = []
    for path, text, module in history:
        version = _FILE_VERSION.match(path.rsplit("/", 1)[-1])
        if module.NAME in _RECORDING_FRAMEWORKS and version and int(version.group(1)) > newest:
            later.append((path, text, module))
    return [
        (path, module.NAME, frameworks.parse(module, path, text, tree, dialect, replayed=True).up)
        for path, text, module in in_order(later)
    ]


def _dumps_read(dumps: list[str], tree: Tree, dialect: str) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """The operations of each schema dump; the files of a multi-file Prisma schema are read together, once
    (a field's enum or related model may be declared in another of them)."""
    found: list[tuple[str, str, tuple[Operation, ...]]] = []
    folders: dict[str, dict[str, str]] = {}
    for path in dumps:
        folder = _prisma_folder(path)
        if folder is None:
            found.append((path, "dump", _dump_operations(path, tree.read(path) or "", dialect)))
        else:
            folders.setdefault(folder, {})[path] = tree.read(path) or ""
    for folder, files in folders.items():
        found.append((f"{folder}/*.prisma", "dump", tuple(prisma.schema_files_operations(files, dialect))))
    return found


def _seed_operations(
    tree: Tree, dialect: str, history: list[tuple[str, str, ModuleType]]
) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """The rows the application's seed files write (bot.frameworks.seeds), loaded after the schema."""
    return seeds.seed_operations(tree, dialect, {m.NAME for _, _, m in history})


# Folders whose schema dump is a test's or an example's, not the application's
_ASIDE = frozenset({"test", "tests", "spec", "specs", "e2e", "testdata", "fixtures", "fixture", "__tests__",
                    "examples", "example", "samples", "sample", "docs", "doc", "cypress", "playwright"})  # fmt: skip


def _application_dumps(dumps: list[str], history: list[tuple[str, str, ModuleType]]) -> list[str]:
    """The schema dumps that describe the application's database: one in a test, example or docs folder
    (`test/e2e/schema.sql`, one database's tables for an end-to-end run) is not, where the application has
    other dumps or migrations of its own."""
    own = [d for d in dumps if not _ASIDE.intersection(d.lower().split("/")[:-1])]
    return own if own or history else dumps


def _prisma_history_instead(dumps: list[str], history: list[tuple[str, str, ModuleType]]) -> bool:
    """`schema.prisma` describes models, not the database: it loses column types (`@db.VarChar(100)`),
    indexes, unique and foreign keys. When Prisma's own migrations are there, the SQL they hold is what the
    database ran, and replaying it is the truer schema."""
    return all(p.endswith(".prisma") for p in dumps) and any(module is prisma for _, _, module in history)


def databases_used(
    migrations: Iterable[Migration], databases: dict[str, Database]
) -> tuple[DatabaseUse, ...]:
    """Each database of the review with the migrations reviewed in it, in the order they first appear."""
    paths: dict[Database, list[str]] = {}
    for migration in migrations:
        database = databases.get(migration.path)
        if database is not None:
            paths.setdefault(database, []).append(migration.path)
    return tuple(DatabaseUse(database, tuple(p)) for database, p in paths.items())


def _dump_operations(path: str, text: str, dialect: str) -> tuple[Operation, ...]:
    if path.endswith(".prisma"):
        return tuple(prisma.schema_operations(path, text, dialect))
    if path.endswith(".rb"):
        from bot.frameworks.rails import schema_operations  # the Ruby reader loads only for a Rails schema

        return schema_operations(path, text, dialect)
    return parse_sql(path, text, dialect)


def _migration_files(changeset: ChangeSet, config: Config, lint: bool) -> list[tuple[str, str, ModuleType]]:
    found = []
    folders: dict[str, list[str]] = {}  # the head tree's files by folder, listed once when first needed
    for file in changeset.files:
        if file.status == "removed" or file.head_text is None:
            continue
        module = frameworks.detect(file.path, file.head_text, config)
        if module is None and lint and not frameworks.is_down_file(file.path, file.head_text):
            module = frameworks.sniff(file.path, file.head_text)
        elif module is None:
            # named as the migrations beside it, but not readable as one: a broken migration, said so; or a
            # migration of a runner the review does not read: said, not passed (the names are looked at first,
            # the way back's framework readers only for a file that has a migration's name)
            module = frameworks.by_neighbours(file.path, changeset.head_tree, config, folders) or (
                unknown if frameworks.unread_migration(file.path, file.head_text, config) else None
            )
            if module is not None and frameworks.is_down_file(file.path, file.head_text):
                module = None
        if module is not None:
            found.append((file.path, file.head_text, module))
    return in_order(found)


def _applied_files(changeset: ChangeSet) -> dict[str, ChangedFile]:
    """The changed files that already exist in the base branch: migrations existing databases have run."""
    return {
        f.path: f
        for f in changeset.files
        if f.status in ("modified", "renamed")
        and f.base_text is not None
        and f.head_text is not None
        and not f.path.endswith(".prisma")  # a schema db push applies: every version of it is the schema
    }


def _on_edited_statements(
    findings: list[Finding], migration: Migration, base: Migration | None
) -> list[Finding]:
    """Of an applied migration the change edits, only what the edit touched is this change's concern: the
    findings on statements the base branch's version (`base`) already had (reformatted at most) are left out,
    besides the finding on the edit itself. A file the review cannot read again in its old version keeps them
    all."""
    if base is None:
        return findings
    spans = [(op.location.line, op.end_line or op.location.line) for op in _new_ops(migration, base)]
    return [
        f
        for f in findings
        if f.rule == applied_migration_edited.RULE.id
        or any(first <= (f.end_line or f.line) and f.line <= last for first, last in spans)
    ]


def _new_ops(migration: Migration, base: Migration) -> list[Operation]:
    """The operations, up and down, that the base branch's version of the migration did not have."""
    left = Counter(_shape(op) for op in (*base.up, *(base.down or ())))
    new = []
    for op in (*migration.up, *(migration.down or ())):
        if left[_shape(op)] > 0:
            left[_shape(op)] -= 1
        else:
            new.append(op)
    return new


def _new_part(migration: Migration, base: Migration | None) -> Migration:
    """The migration with only the up statements its base branch's version lacked (all, when it has none)."""
    if base is None:
        return migration
    new = {id(op) for op in _new_ops(migration, base)}
    return dataclasses.replace(migration, up=tuple(op for op in migration.up if id(op) in new))


def _shape(op: Operation) -> tuple[str, str]:
    """An operation as kind and text without whitespace: a reformatted statement is the same statement."""
    return type(op).__name__, "".join(op.sql.split())


# Rules about what a lock or a long statement does to the traffic of the release that is running.
_LOCKING = frozenset(
    {
        "blocking-maintenance",
        "constraint-not-valid",
        "exclusion-constraint",
        "missing-lock-timeout",
        "missing-statement-timeout",
        "mysql-table-copy",
        "non-concurrent-detach-partition",
        "non-concurrent-index",
        "non-concurrent-index-drop",
        "non-concurrent-reindex",
        "primary-key-not-null-scan",
        "set-not-null",
        "statements-after-exclusive-lock",
        "type-change-rewrite",
        "unbatched-data-change",
        "unique-constraint-under-lock",
        "volatile-default",
    }
)
OFFLINE = (
    "The application is stopped while migrations run (`deployment: offline`): no query waits on this, "
    "it only lengthens the upgrade."
)


def _offline(findings: list[Finding]) -> list[Finding]:
    """With the application stopped while migrations run, what a lock does to traffic is a matter of the
    upgrade's length: the locking findings become notes that say so."""
    return [
        dataclasses.replace(f, severity=Severity.INFO, blast_radius=f"{OFFLINE} {f.blast_radius}")
        if f.rule in _LOCKING
        else f
        for f in findings
    ]


def _added_units(migration: Migration, base: Migration | None) -> list[Operation]:
    """The statements of the parts of an applied file its runner records one by one (Liquibase changeSets)
    that the base branch's version does not have: every database runs those, not only new installs."""
    if base is None:
        return []
    known = {op.applied_unit for op in (*base.up, *(base.down or ()))}
    return [op for op in migration.up if op.applied_unit and op.applied_unit not in known]


def _in_units(finding: Finding, ops: list[Operation]) -> bool:
    return (
        any(op.location.line <= finding.line <= max(op.end_line, op.location.line) for op in ops)
        and finding.rule != applied_migration_edited.RULE.id
    )


def _new_installs_only(findings: list[Finding]) -> list[Finding]:
    """Findings on an applied migration's edited content concern new installs only: say so.

    A new install runs the migration on empty tables: a lock, a rewrite or a data question there costs
    nothing, so those findings become notes. A statement that fails on any database still breaks every new
    install and keeps its severity; so does the edit itself."""
    kept = {applied_migration_edited.RULE.id, *_FAILS_ON_ANY_DATABASE}
    return [
        f
        if f.rule == applied_migration_edited.RULE.id
        else dataclasses.replace(
            f,
            blast_radius=f"{f.blast_radius} {applied_migration_edited.NEW_INSTALLS_ONLY}",
            severity=f.severity if f.rule in kept else Severity.INFO,
        )
        for f in findings
    ]


def _new_install_failures(findings: list[Finding]) -> list[Finding]:
    """A snapshot's or a baseline's findings (only those that stop a new install are looked for: what it does to
    tables and rows that existing databases have is the concern of the migrations they ran), said to concern
    new installs."""
    return [dataclasses.replace(f, blast_radius=f"{f.blast_radius} {NEW_INSTALLS_ONLY}") for f in findings]


NEW_INSTALLS_ONLY = "Only new installs run this migration."
# Rules whose statement fails whatever the data: a new install stops there too.
_FAILS_ON_ANY_DATABASE = frozenset(
    {
        "concurrent-in-transaction",
        "enum-value-in-transaction",
        "nested-transaction",
        "sqlite-alter-unsupported",
        "uncommitted-transaction",
        "unparsed-statement",
        "unreadable-migration",
    }
)
# What a snapshot or a baseline is checked for: what fails on any database, and a row it inserts twice
_NEW_INSTALL_RULES = _FAILS_ON_ANY_DATABASE | {"insert-collision"}


def _references(
    changeset: ChangeSet,
    config: Config,
    migrations: list[Migration],
    catalog: Catalog,
    whole: list[Migration],
) -> ReferenceIndex:
    targets = targets_of(migrations, catalog)
    if not targets:
        return ReferenceIndex()
    skip = {m.path for m in migrations} | {m.down_path for m in migrations if m.down_path}
    before = {f.path: f.base_text for f in changeset.files if f.base_text is not None and f.status != "added"}
    # A lint of files named in a git repository searches the repository's work tree (see bot.local.lintset).
    tree: Tree = getattr(changeset.head_tree, "searched", None) or changeset.head_tree
    return search(
        tree,
        targets,
        exclude=(*config.references.exclude, *_migration_folders(migrations)),
        skip_paths=skip,
        before=before,
        columns=_column_owners(catalog, whole),
        elsewhere=_other_databases_tables(tree),
    )


_CREATE_TABLE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?((?:[\w\"`]+\.)*[\w\"`]+)", re.I
)


def _other_databases_tables(tree: Tree) -> frozenset[str]:
    """The tables the repository's SQL migrations for another database create (ClickHouse's beside
    PostgreSQL's, `clickhouse/migrations/0001_traces.up.sql`), lower case, without schema or quotes."""
    found = set()
    paths = [path for path in tree.paths() if path.endswith(".sql") and other_database(path) is not None]
    read_ahead(tree, paths)  # one read of them all rather than a git process for each
    for path in paths:
        for name in _CREATE_TABLE.findall(tree.read(path) or ""):
            found.add(name.rpartition(".")[2].strip('"`').lower())
    return frozenset(found)


def _migration_folders(migrations: list[Migration]) -> list[str]:
    """The folders the change's migrations are in, as patterns of files of their kind (`/src/app/db/
    revisions/versions/*.py`): the older migrations beside them name every column that ever existed,
    wherever the project keeps them."""
    found = []
    for migration in migrations:
        folder, _, name = migration.path.rpartition("/")
        suffix = name.rpartition(".")[2] if "." in name else ""
        if folder and suffix:
            found.append(f"/{folder}/*.{suffix}")
    return sorted(set(found))


def _column_owners(catalog: Catalog, migrations: list[Migration]) -> dict[str, frozenset[str]]:
    """Each column name (lower case) and the tables that have a column of that name: a name several
    tables share is a use of one of them only where the code ties it to that table's model. The columns
    the change adds count too, and those of the tables it creates (an applied migration's edit included): a
    column moved to another table (`customerId` from `Subscription` to `User`, AWX's `peers_from_control_nodes`
    from `Instance` to a new `ReceptorAddress`) is that table's in the code that names it."""
    owners: dict[str, set[str]] = {}
    for name, table in catalog.tables.items():
        for column in table.columns:
            owners.setdefault(column.lower(), set()).add(name.lower())
    for migration in migrations:
        for op in migration.up:
            if isinstance(op, AddColumn):
                owners.setdefault(op.column.name.lower(), set()).add(op.table.lower())
            elif isinstance(op, CreateTable):
                for spec in op.columns:
                    owners.setdefault(spec.name.lower(), set()).add(op.table.lower())
    return {column: frozenset(tables) for column, tables in owners.items()}


def _check_down(
    migration: Migration, context: Context, config: Config, changeset: ChangeSet, up: list[Finding]
) -> list[Finding]:
    """The rules that judge a statement whatever its direction, run on the down migration's statements. A
    way back the runner derives from the up (Rails `change`) repeats the up's lines: reported once."""
    if not migration.down:
        return []
    down = dataclasses.replace(migration, up=migration.down, down=None)
    seen = {(f.rule, f.path, f.line) for f in up}
    # The down runs on the schema the up leaves; its own cache of schemas by position (the up's would be read
    # at the down's positions otherwise)
    after = context.catalog.snapshot()
    for op in migration.up:
        after.apply(op, in_change=True)
    own = dataclasses.replace(context, migration=down, catalog=after, _before={}, _positions={})
    found = _check(down, own, config, changeset, rules.BOTH_WAYS | {unparsed_statement.RULE.id})
    return [
        dataclasses.replace(f, message=f"In the down migration: {f.message}")
        for f in map(_refused_on_the_way_back, found)
        if f is not None and (f.rule, f.path, f.line) not in seen
    ]


def _refused_on_the_way_back(finding: Finding) -> Finding | None:
    """A statement of the down that the database refuses (wallabag's `DELETE FROMinternal_setting`): the rollback
    stops there when it is needed, a warning; one the review only could not read stays the down's own business."""
    if finding.rule != unparsed_statement.RULE.id:
        return finding
    if not unparsed_statement.refusal(finding):
        return None
    return dataclasses.replace(
        finding,
        severity=Severity.WARNING,
        blast_radius="The rollback stops at this statement when it is needed, during an incident: the schema is "
        "left between the two versions, to be repaired by hand.",
        fix="Correct the statement, and run the down once against a scratch database after the up.",
    )


def _check(
    migration: Migration,
    context: Context,
    config: Config,
    changeset: ChangeSet,
    only: frozenset[str] | None = None,
) -> list[Finding]:
    findings: list[Finding] = []
    select = tuple(config.rules.select) if config.rules.select else None
    for module in _running(select, tuple(config.rules.ignore), only, context.dialect):
        rule = module.RULE
        for finding in module.check(migration, context):
            severity = config.rules.severity.get(rule.id)
            finding = finding.with_severity(severity) if severity else finding
            if finding.fix == rule.help and rule.framework_help:
                finding = dataclasses.replace(finding, fix=rule.help_for(migration.framework))
            if finding.suggestion and not migration.path.endswith(".sql"):
                # Suggestions are SQL; they cannot replace lines of a Ruby, Python, XML or YAML migration.
                finding = dataclasses.replace(finding, suggestion=None)
            if migration.online_tool and context.mysql:
                if finding.rule in _ONLINE_TIMEOUTS:
                    continue  # the tool waits a second for each lock, then retries
                if finding.rule in _ONLINE_COPIES:
                    finding = dataclasses.replace(
                        finding.with_severity(Severity.INFO),
                        message=f"{finding.message} The migration runs through {migration.online_tool}: the "
                        "table is copied online while writes go on; the copy still takes time, disk and "
                        "replica capacity.",
                    )
            findings.append(_suppress(migration, finding, changeset, config))
    return findings


# Findings an online schema-change tool answers: the table copy blocks nothing, and every lock waits a second.
_ONLINE_COPIES = frozenset(
    {
        "mysql-table-copy",
        "type-change-rewrite",
        "set-not-null",
        "volatile-default",
        "statements-after-exclusive-lock",
    }
)
_ONLINE_TIMEOUTS = frozenset({"missing-lock-timeout"})


@functools.lru_cache(maxsize=64)
def _running(
    select: tuple[str, ...] | None, ignore: tuple[str, ...], only: frozenset[str] | None, dialect: str
) -> tuple[ModuleType, ...]:
    """The rule modules that check a migration of `dialect`, in order: worked out once, not per migration."""
    selected = set(select) if select else None
    ignored = {rules.canonical(r) for r in ignore}
    return tuple(
        module
        for module in rules.RULES
        if module.RULE.id not in ignored
        and (selected is None or module.RULE.id in selected)
        and (only is None or module.RULE.id in only)
        and (not module.RULE.dialects or dialect in module.RULE.dialects)
    )


def _suppress(migration: Migration, finding: Finding, changeset: ChangeSet, config: Config) -> Finding:
    for suppression in migration.suppressions:
        names = tuple(rules.canonical(r) for r in suppression.rules)
        named = dataclasses.replace(suppression, rules=names).covers(finding.rule, finding.dimension.value)
        covers = suppression.applies_to == 0 or suppression.applies_to == finding.line
        if named and covers and finding.rule != "suppression-without-reason":
            return acceptance.govern(finding, suppression.reason or "(no reason given)", changeset, config)
    return finding
