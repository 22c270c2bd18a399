"""The parts of a review a person would otherwise write: validation queries, rollback plan, monitoring.

Validation queries are specific to each change and written in the migration's dialect: for a CASE
backfill, the distribution of old values before the deploy and of old against new after it, and the rows
left unmapped; for a new foreign key, the orphans; for a new unique key, the duplicates; for a new NOT
NULL, the NULLs. The rollback plan lives in `bot/plan/rollback.py`, the monitoring checklist in
`bot/plan/monitoring.py`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from bot import two_cores
from bot.model.catalog import Catalog
from bot.model.findings import Finding, MonitoringItem, RollbackStep, VerificationQuery
from bot.model.migration import (
    PLACEHOLDER,
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CaseMapping,
    CreateEnum,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropTable,
    Migration,
    Operation,
    RenameTable,
    SetNotNull,
)
from bot.plan import monitoring, rollback
from bot.plan.runnable import named, runnable, schema_of
from bot.rules._schema_domain import unknown_enum_labels
from bot.sql.arithmetic import text_additions
from bot.sql.checked import Schema
from bot.sql.collisions import collisions, duplicates_query
from bot.sql.conversions import classify
from bot.sql.data_changes import condition_columns, literals, referenced_table, source_column, source_table
from bot.sql.domains import literal, still_met
from bot.sql.names import quote, quote_column
from bot.sql.type_fit import refusal
from bot.sql.writes import assigned, written_literals

BEFORE = "before the deploy"
AFTER = "within 5 minutes of deploy"
BOTH = "before and after deploy"
ROLLBACK_COMMANDS = rollback.COMMANDS  # kept for callers that read the commands from here
# Operations from which a second process writes part of the queries (about 0.1 ms of parsing each): below,
# forking and sending the queries back cost more than it saves
_TWO_CORES_OPERATIONS = 1_000


@dataclass(frozen=True)
class Plan:
    queries: tuple[VerificationQuery, ...]
    rollback: tuple[RollbackStep, ...]
    monitoring: tuple[MonitoringItem, ...]
    credits: tuple[str, ...] = ()  # safe patterns found (expand/contract, dual-write, feature flag)


def build(
    migrations: Sequence[Migration],
    findings: Sequence[Finding],
    dialect: str,
    description: str = "",
    catalog: Catalog | None = None,
    flags: Sequence[tuple[str, str, int]] = (),
) -> Plan:
    """`catalog` is the schema before the change, for what a type change loses; `flags` the feature flags
    the code-reference search found guarding uses of what the change touches, as (flag, path, line)."""
    migrations = [_refused_conditions_left_out(m, dialect, catalog) for m in migrations]
    ops = [op for m in migrations for op in m.named_as_rebuilt()]
    queries: dict[str, VerificationQuery] = {}
    schema = schema_of(catalog, ops)
    enums = _enum_types(dialect, ops, catalog)

    verdicts: dict[str, bool] = {}  # query → usable: the same query comes from several statements

    def usable(query: VerificationQuery) -> bool:
        known = verdicts.get(query.sql)
        if known is None:
            known = verdicts[query.sql] = _usable(query, dialect, schema)
        return known

    def written(op: Operation) -> list[VerificationQuery]:
        if _refused(op, catalog, dialect):
            return []  # the statement fails on its first row (value-does-not-fit): nothing to validate after it
        found = [q for q in _queries(op, dialect, ops, catalog, enums) if usable(q)]
        if not found and isinstance(op, DataUpdate):
            found = [q for q in _written_values(op, dialect) if usable(q)]
        if isinstance(op, DataUpdate) and catalog is not None and not catalog.is_new(op.table):
            found += [q for q in _collision_queries(op, dialect, catalog) if usable(q)]
        return [replace(q, path=op.location.path, line=op.location.line) for q in found]

    # Each query is parsed to check it runs: a second core checks those of a long history's later part.
    for each in two_cores.in_two(
        written, [op for op in ops if named(op)], minimum=_TWO_CORES_OPERATIONS, share=0.56
    ):
        for query in each:
            queries.setdefault(query.sql, query)
    ordered = sorted(queries.values(), key=lambda q: {BEFORE: 0, BOTH: 1}.get(q.when, 2))
    patterns = rollback.patterns(migrations, description, flags)
    return Plan(
        tuple(ordered),
        tuple(rollback.steps(migrations, dialect, patterns, catalog, schema)),
        tuple(monitoring.items(ops, findings, dialect)),
        tuple(p.credit for p in patterns if p.credit),
    )


def _refused(op: Operation, catalog: Catalog | None, dialect: str) -> bool:
    """Does the data change write a literal its column's type cannot hold, or add text with `+` on PostgreSQL?
    A query comparing the column with that value would be refused by the database too."""
    if catalog is None or not isinstance(op, DataUpdate | DataInsert):
        return False
    mysql = dialect in ("mysql", "mariadb")
    if dialect == "postgres" and any(
        next(text_additions(write, catalog, True), None) is not None for write in assigned(op, dialect)
    ):
        return True  # `+` on text (text-joined-with-plus): PostgreSQL refuses the operator
    return any(
        refusal(value, column.type, mysql) is not None
        for name, values in written_literals(op).items()
        if (column := catalog.column(op.table, name)) is not None
        for value in values
    )


def _refused_conditions_left_out(migration: Migration, dialect: str, catalog: Catalog | None) -> Migration:
    """A data change whose condition PostgreSQL refuses (an enum compared with a label its type lacks) fails;
    a query or a snapshot that reused its condition would fail the same way: the condition is the code's
    unknown for the plan, which then counts and saves without it."""
    if dialect != "postgres" or catalog is None:
        return migration

    def left_out(op: Operation) -> Operation:
        if not isinstance(op, DataUpdate | DataDelete) or not op.where:
            return op
        if not any(True for _ in unknown_enum_labels(op, catalog)):
            return op
        return replace(op, where=f"({op.where}) AND {PLACEHOLDER}", expression=None)

    up = tuple(left_out(op) for op in migration.up)
    return migration if up == migration.up else replace(migration, up=up)


def _usable(query: VerificationQuery, dialect: str, schema: Schema) -> bool:
    """Runnable, and free of the values the migration's code fills in when it runs (a query comparing with
    the stand-in for `#{old_tz}` would count nothing, whatever the change did)."""
    return PLACEHOLDER not in query.sql and runnable(query.sql, dialect, schema)


def _queries(
    op: Operation,
    dialect: str,
    ops: Sequence[Operation],
    catalog: Catalog | None,
    enum_types: frozenset[str],
) -> Iterator[VerificationQuery]:
    if isinstance(op, DataUpdate | DataInsert):
        for mapping in op.case_mappings:
            enums = _enum_columns(source_table(op), catalog, enum_types)
            yield from _mapping_queries(op, mapping, dialect, ops, enums)
    if isinstance(op, DataUpdate) and not op.case_mappings and op.where:
        yield from _update_queries(op, dialect, _enum_columns(op.table, catalog, enum_types))
    elif isinstance(op, DataDelete):
        condition = f" WHERE {op.where}" if op.where else ""
        yield VerificationQuery(
            f"SELECT count(*) FROM {quote(op.table, dialect)}{condition};",
            f"rows of `{op.table}` the DELETE should have removed",
            "0",
        )
    elif isinstance(op, DataInsert) and op.from_select and not op.case_mappings:
        origin, target = _final_name(source_table(op), op, ops), _final_name(op.table, op, ops)
        if origin and target:  # a copy whose source or target the change drops (a rebuild) is not compared
            yield VerificationQuery(
                f"SELECT (SELECT count(*) FROM {quote(target, dialect)}) AS target_rows, "
                f"(SELECT count(*) FROM {quote(origin, dialect)}) AS source_rows;",
                f"rows copied from `{origin}` into `{target}`",
                "the counts the INSERT's SELECT should produce",
            )
    elif isinstance(op, AddColumn):
        yield from _column_queries(op, dialect)
    elif isinstance(op, SetNotNull):
        yield _nulls(op.table, op.column, dialect, "the migration fails if any", BOTH)
    elif isinstance(op, AddConstraint):
        yield from _constraint_queries(op, dialect)
    elif isinstance(op, AddIndex):
        yield from _index_queries(op, dialect)
    elif isinstance(op, AlterColumnType):
        yield from _type_queries(op, dialect, catalog)


def _enum_types(dialect: str, ops: Sequence[Operation], catalog: Catalog | None) -> frozenset[str]:
    """The names (without schema, lower case) of the PostgreSQL enum types before the change and created by it."""
    if dialect != "postgres" or catalog is None:
        return frozenset()
    names = {n.rsplit(".", 1)[-1].lower() for n in catalog.enums}
    names |= {op.name.rsplit(".", 1)[-1].lower() for op in ops if isinstance(op, CreateEnum)}
    return frozenset(names)


def _enum_columns(table: str, catalog: Catalog | None, names: frozenset[str]) -> frozenset[str]:
    """The columns of `table` whose type is a PostgreSQL enum (one of `names`): compared with a literal as
    text, so a value the type does not have (the hazard a rule reports) is counted rather than refused by
    the query."""
    if not names or catalog is None:
        return frozenset()
    known = catalog.tables.get(table)
    columns = known.columns.values() if known is not None else ()
    return frozenset(c.name for c in columns if (c.type or "").rsplit(".", 1)[-1].strip('"').lower() in names)


def _text(column: str, dialect: str, enums: frozenset[str]) -> str:
    return f"{quote_column(column, dialect)}::text" if column in enums else quote_column(column, dialect)


def _final_name(table: str, op: Operation, ops: Sequence[Operation]) -> str:
    """The name `table` has once the whole change ran (the statements after `op` may rename it); "" when
    they drop it: a query run after the deploy names the tables that are there then."""
    later = ops[next((i for i, other in enumerate(ops) if other is op), len(ops)) + 1 :]
    for other in later:
        if isinstance(other, RenameTable) and other.table == table:
            table = other.new_name
        elif isinstance(other, DropTable) and other.table == table:
            return ""
    return table


def _update_queries(
    op: DataUpdate, dialect: str, enums: frozenset[str] = frozenset()
) -> Iterator[VerificationQuery]:
    """Rows the UPDATE should have changed and did not. When the SET writes a column its WHERE reads, the
    changed rows stop matching; otherwise they still match, and only the written values tell."""
    t = quote(op.table, dialect)
    written = {c for c, _ in op.assignments}
    read = written & (set(op.reads) | condition_columns(op.where or "", dialect))
    if (read and not _still_matches(op, read, dialect)) or not op.assignments:
        yield VerificationQuery(
            f"SELECT count(*) FROM {t} WHERE {op.where};",
            f"rows of `{op.table}` still matching the UPDATE's condition",
            "0 if the update should have changed all of them",
        )
        return
    if any(_VOLATILE.search(value) for _, value in op.assignments):
        return  # a value computed at run time cannot be compared again afterwards
    mysql = dialect in ("mysql", "mariadb")
    differs = " OR ".join(
        f"NOT ({quote_column(c, dialect)} <=> {value})"
        if mysql
        else f"{_text(c, dialect, enums)} IS DISTINCT FROM {value}"
        for c, value in op.assignments
    )
    yield VerificationQuery(
        f"SELECT count(*) FROM {t} WHERE ({op.where}) AND ({differs});",
        f"rows of `{op.table}` the UPDATE chose that do not hold the values it writes",
        "0",
    )


def _collision_queries(op: DataUpdate, dialect: str, catalog: Catalog) -> Iterator[VerificationQuery]:
    """The values of a unique key two rows would share once the UPDATE has run (`unique-collision`)."""
    for found in collisions(op, catalog, dialect):
        yield VerificationQuery(
            duplicates_query(op, found, dialect),
            f"values of `{op.table}.{found.column}` two rows would share after the UPDATE",
            "no rows",
            when=BEFORE,
        )


def _still_matches(op: DataUpdate, read: set[str], dialect: str) -> bool:
    """Does a row the UPDATE changed still meet its condition (`SET status = 'closed' WHERE status <> 'open'`)?
    Then counting the rows that match says nothing: they match whether the change worked or not. Known only
    for a literal written into a column the condition reads alone; an expression is assumed to leave it."""
    for column, value in op.assignments:
        written = literal(value) if column in read else None
        if written is not None and op.where and still_met(op.where, column, written, dialect):
            return True
    return False


def _written_values(op: DataUpdate, dialect: str) -> Iterator[VerificationQuery]:
    """When the UPDATE has no condition, or one code builds (no SQL), the distribution of what it writes."""
    for column, value in op.assignments:
        c = quote_column(column, dialect)
        written = "the values the migration's code writes" if PLACEHOLDER in value else f"`{value}`"
        yield VerificationQuery(
            f"SELECT {c}, count(*) FROM {quote(op.table, dialect)} GROUP BY 1 ORDER BY 2 DESC;",
            f"values of `{op.table}.{column}` after the UPDATE "
            + (
                "(of every row)"
                if not op.where
                else "(its condition is built by code)"
                if PLACEHOLDER in op.where
                else "(its condition cannot be counted on its own: it reads other rows or tables)"
            ),
            f"{written} counted for every row the change meant to update",
            when=BOTH,
        )


_VOLATILE = re.compile(
    r"\b(?:now|random|rand|uuid\w*|gen_random_\w+|nextval|clock_timestamp|current_\w+|sysdate)\b", re.I
)


def _mapping_queries(
    op: DataUpdate | DataInsert,
    m: CaseMapping,
    dialect: str,
    ops: Sequence[Operation],
    enums: frozenset[str] = frozenset(),
) -> Iterator[VerificationQuery]:
    column, _ = source_column(m.source)
    origin = quote(source_table(op), dialect)
    target = quote(op.table, dialect)
    values = [v for condition, _ in m.whens for v in (literals(condition) or ())]
    # mapped in place (`SET kind = CASE kind WHEN …`): once a row is written its old value is gone
    in_place = isinstance(op, DataUpdate) and column == m.target and origin == target
    if column:
        src = quote_column(column, dialect) if column == m.source else (m.source or column)
        written = ", ".join(dict.fromkeys(f"`{r}`" for _, r in m.whens))
        yield VerificationQuery(
            f"SELECT {src}, count(*) FROM {origin} GROUP BY 1 ORDER BY 2 DESC;",
            f"distribution of `{column}` the CASE maps: every value must have a WHEN"
            + (f"; after the deploy the values it writes ({written}) in their place" if in_place else ""),
            "only values the CASE lists" + (" before, their new values after" if in_place else ""),
            when=BOTH if in_place else BEFORE,
        )
        if values:
            listed = ", ".join(_literal(v) for v in values)
            compared = _text(column, dialect, enums) if src == quote_column(column, dialect) else src
            yield VerificationQuery(
                f"SELECT {src}, count(*) FROM {origin} WHERE {src} IS NULL OR {compared} NOT IN ({listed}) GROUP BY 1;",
                f"values of `{column}` no WHEN covers"
                + (f" (they get `{m.otherwise}`)" if m.otherwise is not None else " (they become NULL)"),
                "no rows",
                when=BOTH,
            )
    if column and isinstance(op, DataUpdate) and m.target and not in_place:
        yield VerificationQuery(
            f"SELECT {quote_column(column, dialect)}, {quote_column(m.target, dialect)}, count(*) FROM {target} "
            "GROUP BY 1, 2 ORDER BY 3 DESC;",
            f"distribution of the new `{m.target}` against the old `{column}`",
            "each old value next to the new value the CASE gives it",
        )
    if m.target:
        yield _nulls(op.table, m.target, dialect, f"rows the CASE on `{m.target}` left NULL", AFTER)
    ids = [r for _, r in m.whens if r.isdigit()]
    lookup = referenced_table(ops, op.table, m.target) if ids else ""
    if lookup:
        yield VerificationQuery(
            f"SELECT * FROM {quote(lookup, dialect)} WHERE id IN ({', '.join(ids)}) ORDER BY id;",
            f"what the IDs the CASE writes into `{m.target}` mean in this database",
            "each ID names the row the CASE assumes",
            when=BEFORE,
        )


def _column_queries(op: AddColumn, dialect: str) -> Iterator[VerificationQuery]:
    spec = op.column
    if not spec.nullable:
        yield _nulls(op.table, spec.name, dialect, f"the new NOT NULL column `{op.table}.{spec.name}`", AFTER)
    if spec.references:
        yield _orphans(op.table, spec.name, spec.references, dialect)
    if spec.unique:
        yield _duplicates(op.table, (spec.name,), dialect)


def _constraint_queries(op: AddConstraint, dialect: str) -> Iterator[VerificationQuery]:
    t = quote(op.table, dialect)
    if op.constraint == "foreign_key" and op.references and len(op.columns) == 1:
        key = op.referenced_columns[0] if len(op.referenced_columns) == 1 else "id"
        yield _orphans(op.table, op.columns[0], op.references, dialect, key)
    elif op.constraint in ("unique", "primary_key") and op.columns:
        yield _duplicates(op.table, op.columns, dialect)
    elif op.constraint == "check" and op.expression_sql:
        yield VerificationQuery(
            f"SELECT count(*) FROM {t} WHERE NOT ({op.expression_sql});",
            f"rows of `{op.table}` that violate the new CHECK",
            "0",
            when=BOTH,
        )


def _index_queries(op: AddIndex, dialect: str) -> Iterator[VerificationQuery]:
    if op.unique and op.columns:
        yield _duplicates(op.table, op.columns, dialect)
    if op.concurrently and dialect == "postgres":
        yield VerificationQuery(
            f"SELECT indexrelid::regclass, indisvalid FROM pg_index WHERE indexrelid = to_regclass('{op.name}');",
            f"the concurrent build of `{op.name}` finished and the index is valid",
            "indisvalid = true (no row: the index is not there)",
        )


def _nulls(
    table: str, column: str, dialect: str, purpose: str, when: str, expect: str = "0"
) -> VerificationQuery:
    return VerificationQuery(
        f"SELECT count(*) FROM {quote(table, dialect)} WHERE {quote_column(column, dialect)} IS NULL;",
        f"NULLs in `{table}.{column}`: {purpose}" if not purpose.startswith("rows") else purpose,
        expect,
        when=when,
    )


def _orphans(table: str, column: str, parent: str, dialect: str, key: str = "id") -> VerificationQuery:
    """Rows whose `column` matches no `key` of `parent` (the referenced column: `iso` of `REFERENCES
    countries (iso)`, Rails' `primary_key: :iso`)."""
    c = quote_column(column, dialect)
    return VerificationQuery(
        f"SELECT count(*) AS orphans FROM {quote(table, dialect)} child WHERE child.{c} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {quote(parent, dialect)} parent WHERE parent.{quote_column(key, dialect)} = child.{c});",
        f"rows of `{table}` whose `{column}` points at no row of `{parent}`",
        "0",
        when=BOTH,
    )


def _duplicates(table: str, columns: Sequence[str], dialect: str) -> VerificationQuery:
    cols = ", ".join(quote_column(c, dialect) for c in columns)
    return VerificationQuery(
        f"SELECT {cols}, count(*) FROM {quote(table, dialect)} GROUP BY {cols} HAVING count(*) > 1 LIMIT 20;",
        f"duplicates of ({', '.join(columns)}) in `{table}`",
        "no rows",
        when=BOTH,
    )


def _literal(value: str) -> str:
    return value if value.lstrip("-").replace(".", "", 1).isdigit() else "'" + value.replace("'", "''") + "'"


def _type_queries(op: AlterColumnType, dialect: str, catalog: Catalog | None) -> Iterator[VerificationQuery]:
    old = catalog.column(op.table, op.column) if catalog is not None else None
    loss = classify(old.type, op.new_type, quote(op.column, dialect), dialect, op.using) if old else None
    if loss is not None and old is not None:
        yield VerificationQuery(
            f"SELECT count(*) FROM {quote(op.table, dialect)} WHERE {loss.check};",
            f"rows of `{op.table}` whose `{op.column}` the change from `{old.type}` to `{op.new_type}` would damage: "
            f"{loss.what}",
            "0",
            when=BEFORE,
        )
    # PostgreSQL's casts convert a value or fail, never give NULL: only an expression of the migration's own
    # (USING), or MySQL's conversions outside strict mode, can turn values into NULLs
    if op.using or dialect in ("mysql", "mariadb"):
        yield _nulls(
            op.table, op.column, dialect, "values the conversion lost", BOTH, "the same count both times"
        )
