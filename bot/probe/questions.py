"""What to ask production about a change: pure, from the parsed migrations and the schema before them.

Each `Question` names a table and columns the migrations name; `bot.probe.run` turns it into generated,
read-only queries. Nothing here opens a connection or formats SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlglot import exp

from bot.model.catalog import Catalog
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    DataDelete,
    DataInsert,
    DataUpdate,
    Migration,
    Operation,
    SetNotNull,
    ValidateConstraint,
)
from bot.probe.assumptions import guard, id_sites
from bot.sql.conversions import FLOAT_TYPES, INT_BYTES, NUMERIC_TYPES, TEXT_TYPES, type_parts
from bot.sql.data_changes import literals, mapping_sites, source_column, source_table, where_of
from bot.sql.names import identifier
from bot.sql.writes import in_conjunction, written_literals

SIZE, DISTRIBUTION, LOOKUP, NULLS, DUPLICATES, ORPHANS, TYPE_FIT = (
    "size",
    "distribution",
    "lookup",
    "nulls",
    "duplicates",
    "orphans",
    "type-fit",
)
CHECK = "check"  # rows a CHECK condition (in `check`) rejects
DOMAIN = "domain"  # values the change writes (in `values`) that the column's enum or CHECK refuses
VIA_FOREIGN_KEY = "via-foreign-key"  # lookup: `table.column`'s foreign key in production names the table
_ID = re.compile(r"^(?:id|\w+_id)$")
_KEY = re.compile(r"^\w+$")


@dataclass(frozen=True)
class Question:
    kind: str
    table: str
    columns: tuple[str, ...] = ()
    values: tuple[str, ...] = ()  # WHEN values, hard-coded IDs, or the values of the enum a column becomes
    target: str = ""  # the referenced table of a foreign key, or the new type of a type-fit question
    target_columns: tuple[str, ...] = ()
    check: str = (
        ""  # type-fit: too-long | not-integer | not-numeric | out-of-range | too-many-digits | not-in-enum
    )
    limit: int = 0  # type-fit: the length, integer bytes or integer digits the new type allows
    where: str = ""  # the rows the question is about (a statement's guard, a partial index's predicate)
    labels: tuple[str, ...] = ()  # lookup: the labels the change expects the rows to carry


def ask(migrations: Sequence[Migration], catalog: Catalog) -> tuple[Question, ...]:
    """The questions the change raises, without duplicates, in a stable order."""
    created = set(catalog.created_in_change).union(*(m.tables_created() for m in migrations))
    added = {(op.table, op.column.name) for m in migrations for op in m.up if isinstance(op, AddColumn)}
    change = [op for m in migrations for op in m.up]
    found: dict[Question, None] = {}
    for migration in migrations:
        for question in _questions(migration, catalog, change, added):
            fresh = any((question.table, column) in added for column in question.columns)
            if question.table and question.table not in created and not fresh:  # no production rows yet
                found.setdefault(question, None)
    tables = {q.table: None for q in found} | {q.target: None for q in found if q.kind == ORPHANS}
    sizes = [Question(SIZE, t) for t in tables if t and t not in created]
    return tuple(sizes) + tuple(found)


def _questions(
    migration: Migration, catalog: Catalog, change: list[Operation], added: set[tuple[str, str]]
) -> Iterator[Question]:
    for op, mapping, table in mapping_sites(migration.up):
        column, _ = source_column(mapping.source)
        if column:
            listed = tuple(v for condition, _ in mapping.whens for v in (literals(condition) or ()))
            fresh = {c for t, c in added if t == table}
            yield Question(DISTRIBUTION, table, (column,), listed, where=guard(op, fresh, table))
    for site in id_sites(migration.up, catalog, change):
        labels = tuple(dict.fromkeys(label for label, _ in site.labels))
        if site.table:
            yield Question(LOOKUP, site.table, (site.key,), site.ids, labels=labels)
        else:  # the change's schema does not say: ask production's own foreign key
            yield Question(
                LOOKUP, site.origin, (site.column,), site.ids, labels=labels, check=VIA_FOREIGN_KEY
            )
    for statement in migration.up:
        yield from _of(statement, catalog, change)
    yield from written_values(migration.up)


def written_values(ops: Sequence[Operation]) -> Iterator[Question]:
    """The literal values each data change writes into each column (SET, CASE results, ELSE, VALUES)."""
    for op in ops:
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        for column, found in written_literals(op).items():
            yield Question(DOMAIN, op.table, (column,), tuple(value.text for value in found))


def _of(op: Operation, catalog: Catalog, change: list[Operation]) -> Iterator[Question]:
    if isinstance(op, DataUpdate | DataDelete | DataInsert):
        yield from _where_questions(op)
    elif isinstance(op, SetNotNull):
        yield Question(NULLS, op.table, (op.column,))
    elif isinstance(op, AddConstraint) and op.constraint == "not_null" and len(op.columns) == 1:
        yield Question(NULLS, op.table, op.columns)
    elif isinstance(op, AddIndex) and op.unique and op.columns:
        yield Question(DUPLICATES, op.table, unique_key(op), where=op.where)
    elif isinstance(op, AddConstraint) and op.constraint in ("unique", "primary_key") and _keys(op.columns):
        yield Question(DUPLICATES, op.table, op.columns)
    elif isinstance(op, AddConstraint) and op.constraint == "foreign_key" and op.references:
        if _keys(op.columns):  # NOT VALID too: its later VALIDATE meets the same rows
            yield Question(
                ORPHANS, op.table, op.columns, target=op.references, target_columns=_referenced(op)
            )
    elif isinstance(op, AddConstraint) and op.constraint == "check" and op.expression_sql:
        yield Question(CHECK, op.table, check=op.expression_sql)  # NOT VALID too: for its VALIDATE
    elif isinstance(op, ValidateConstraint):
        key = validated_foreign_key(op, catalog, change)
        if key is not None and _keys(key.columns):
            yield Question(ORPHANS, key.table, key.columns, target=key.references, target_columns=key.key)
        condition = validated_check(op, catalog, change)
        if condition is not None:
            yield Question(CHECK, condition[0], check=condition[1])
    elif isinstance(op, AlterColumnType):
        fit = _fit(catalog, op)
        if fit is not None:
            yield fit


@dataclass(frozen=True)
class ValidatedKey:
    table: str
    columns: tuple[str, ...]
    references: str
    key: tuple[str, ...]


def validated_foreign_key(
    op: ValidateConstraint, catalog: Catalog, change: Sequence[Operation]
) -> ValidatedKey | None:
    """The foreign key `VALIDATE CONSTRAINT` checks: added in the change, or in the schema before it."""
    for other in change:
        if (
            isinstance(other, AddConstraint)
            and other.constraint == "foreign_key"
            and other.name == op.name
            and other.references
        ):
            return ValidatedKey(other.table, other.columns, other.references, _referenced(other))
    known = catalog.foreign_keys.get(op.name)
    if known is None:
        return None
    key = known.referenced_columns if len(known.referenced_columns) == len(known.columns) else None
    return ValidatedKey(known.table, known.columns, known.references, key or ("id",) * len(known.columns))


def validated_check(
    op: ValidateConstraint, catalog: Catalog, change: Sequence[Operation]
) -> tuple[str, str] | None:
    """(table, condition) of the CHECK constraint `VALIDATE CONSTRAINT` checks."""
    for other in change:
        if (
            isinstance(other, AddConstraint)
            and other.constraint == "check"
            and other.name == op.name
            and other.expression_sql
        ):
            return other.table, other.expression_sql
    known = catalog.checks.get(op.name)
    return (known.table, known.expression) if known is not None else None


@dataclass(frozen=True)
class UniqueKey:
    """Uniqueness a statement adds: its key, the predicate of a partial index, and how to name it."""

    op: AddIndex | AddConstraint
    columns: tuple[str, ...]
    where: str
    label: str  # "unique index `name`", "unique constraint `name`"


def added_unique_key(op: Operation, *, primary: bool = False) -> UniqueKey | None:
    """The unique index or UNIQUE constraint (and with `primary`, PRIMARY KEY) `op` adds, else None."""
    if isinstance(op, AddIndex) and op.unique:
        return UniqueKey(op, unique_key(op), op.where, _label("unique index", op.name))
    if isinstance(op, AddConstraint) and op.constraint in (
        ("unique", "primary_key") if primary else ("unique",)
    ):
        return UniqueKey(op, op.columns, "", _label(f"{op.constraint.replace('_', ' ')} constraint", op.name))
    return None


def _label(kind: str, name: str) -> str:
    return f"{kind} `{name}`" if name else kind


def unique_key(op: AddIndex) -> tuple[str, ...]:
    """The key of a unique index: column names and expressions as written. The reader has already folded
    what the database folds (a bare PostgreSQL name); a quoted camelCase column (`"documentId"`) keeps its case,
    or the duplicates query would name a column that does not exist."""
    return tuple(op.columns)


def _where_questions(op: DataUpdate | DataDelete | DataInsert) -> Iterator[Question]:
    for table, column, texts, numbers in compared_values(op):
        if not (_ID.match(column) and numbers):  # IDs are looked up through their foreign key instead
            yield Question(DISTRIBUTION, table, (column,), texts)


def compared_values(
    op: DataUpdate | DataDelete | DataInsert, *, required: bool = False
) -> Iterator[tuple[str, str, tuple[str, ...], bool]]:
    """`WHERE col = 'a'` / `col IN (1, 2)` of a data change: (table, column, values, all numbers?). With
    `required`, only the comparisons every changed row meets (AND-ed, not one arm of an OR)."""
    condition = where_of(op)
    table = op.table if isinstance(op, DataUpdate | DataDelete) else source_table(op)
    for node in condition.find_all(exp.EQ, exp.In) if condition is not None else ():
        if not isinstance(node.this, exp.Column) or isinstance(node.parent, exp.Not):
            continue
        if required and condition is not None and not in_conjunction(node, condition):
            continue
        values = [node.expression] if isinstance(node, exp.EQ) else list(node.expressions)
        if values and all(isinstance(v, exp.Literal) for v in values):
            numbers = all(not v.is_string for v in values)
            yield table, identifier(node.this), tuple(str(v.name) for v in values), numbers


def _keys(columns: tuple[str, ...]) -> bool:
    return bool(columns) and all(_KEY.match(c) for c in columns)


def _referenced(op: AddConstraint) -> tuple[str, ...]:
    if len(op.referenced_columns) == len(op.columns):
        return op.referenced_columns
    tree = op.expression
    key = tree.find(exp.ForeignKey) if isinstance(tree, exp.Expression) else None
    reference = key.args.get("reference") if key is not None else None
    schema = reference.find(exp.Schema) if reference is not None else None
    columns = tuple(identifier(c) for c in schema.expressions) if schema is not None else ()
    return columns if len(columns) == len(op.columns) else ("id",) * len(op.columns)


def _fit(catalog: Catalog, op: AlterColumnType) -> Question | None:
    """What the new type rejects or rounds, when the old type (if known) holds more."""
    old = catalog.column(op.table, op.column)
    (ob, oa), (nb, na) = type_parts(old.type if old is not None else ""), type_parts(op.new_type)
    base = Question(TYPE_FIT, op.table, (op.column,), target=op.new_type)
    if nb in catalog.enums:
        return _replace(base, "not-in-enum", 0, tuple(catalog.enums[nb]))
    if nb in TEXT_TYPES and na and (ob not in TEXT_TYPES or not oa or na[0] < oa[0]):
        return _replace(base, "too-long", na[0])
    text_before = ob in TEXT_TYPES or not ob
    if nb in INT_BYTES and text_before:
        return _replace(base, "not-integer", INT_BYTES[nb])
    if (nb in NUMERIC_TYPES or nb in FLOAT_TYPES) and text_before and ob != nb:
        return _replace(base, "not-numeric", 0)
    if nb in INT_BYTES and (ob not in INT_BYTES or INT_BYTES[nb] < INT_BYTES[ob]):
        return _replace(base, "out-of-range", INT_BYTES[nb])
    if nb in NUMERIC_TYPES and len(na) == 2 and (len(oa) < 2 or na[0] - na[1] < oa[0] - oa[1]):
        return _replace(base, "too-many-digits", na[0] - na[1])
    return None


def _replace(base: Question, check: str, limit: int, values: tuple[str, ...] = ()) -> Question:
    return Question(base.kind, base.table, base.columns, values, base.target, check=check, limit=limit)
