"""A data change writes a value that the column's CHECK constraint, its enum type or the code's choices do not have.

## Why is this bad?
`UPDATE orders SET status = 'archived'` assumes `status` may hold `'archived'`. When the schema the
migrations built says otherwise (`CHECK (status IN ('open', 'paid'))`, an enum type without the label), the
statement fails on its first row and the deploy stops half-way; MySQL outside strict mode stores `''` for an
unknown ENUM value instead, silently. When only the application defines the values (a Django
`TextChoices`, a Rails `enum`), the database accepts the row and the application then reads a value it does
not know: `get_status_display()` shows the raw text, forms refuse to save the record, a Rails enum reads it
as `nil`. Every row the statement writes is affected. A default fares the same: PostgreSQL refuses a default
that is no label of the column's enum type at once (the migration fails everywhere), and accepts one that the
column's CHECK refuses, after which every INSERT that leaves the column out fails.

## Use instead
Write a value the column allows (the finding lists them and says where they are defined), or add the new
value first: to the enum type or the CHECK in an earlier migration, to the choices or the enum in the code
deployed before the data change.

## Framework notes
Values are read from the schema the earlier migrations built (CHECK constraints that read only this column,
PostgreSQL enum types, MySQL `ENUM(…)` columns), from Rails `enum` declarations of the table's model and its
inclusion validations (`validates :state, inclusion: { in: STATES }` with `STATES = %w[…].freeze`, or the
values inline), from Django fields declared with `choices=` (`TextChoices` and `IntegerChoices`, nested in
the model or not, or a module constant: pairs, a tuple of values, a dict; pairs may name constants of
the same class or module, `(STATUS_OPEN, _("Open"))`, and a class of constants whose `CHOICES` list pairs
them, as NetBox's `ChoiceSet`, is named by `choices=StatusChoices` or `choices=StatusChoices.CHOICES`;
choices with a value that cannot be read are left out), from SQLAlchemy columns typed with
a Python `Enum` (`Mapped[OrderStatus]`, `Column(Enum(OrderStatus))`; its member names count as allowed, since
SQLAlchemy stores them unless told otherwise), and from enums and classes of constants named after the table
and column (`OrderStatus` for `orders.status`) in Python, TypeScript, Go, Java (`static final String`),
Kotlin (`const val`), PHP (backed enums) and Prisma, from Ecto schema fields typed `Ecto.Enum`, and from groups of single constants whose shared prefix names the column
(`STATUS_OPEN = "open"` and `STATUS_CLOSED = "closed"` in the model's class, or in its module beside the one
model with a `status` field; at least two, settings such as `NAME_MAX_LENGTH` left out). A value the code ties to the column (a Rails enum, a validation, a `choices=`
or SQLAlchemy field of the table's model) is critical; one matched only by name is a warning. Constants
written in Rails data changes (`update_all(state: Order::SHIPPED)`, or a constant of the migration) are read
as the values they hold. With the production probe, `value-refused-in-production` judges the same values
against production's own definitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Reference, Rule, Severity
from bot.model.migration import AddColumn, DataInsert, DataUpdate, Migration, Operation, SetDefault
from bot.references.code_values import SQLALCHEMY_KIND, describe, near_member, stored, where
from bot.references.codesyntax import Definition
from bot.rules._schema_domain import enum_labels, refused_by_check
from bot.rules.context import Context
from bot.sql.domains import Literal, literal
from bot.sql.writes import written_literals

RULE = Rule(
    id="value-not-allowed",
    dimension=Dimension.DATA_VERIFICATION,
    severity=Severity.CRITICAL,
    help="Write only values the column allows, or add the value to its CHECK, enum type or choices first.",
    bad=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text CHECK (status IN ('open', 'paid', 'closed')));\n"
        "-- migration\n"
        "UPDATE orders SET status = 'archived' WHERE id >= 1 AND id < 1000;",
        "CREATE TYPE ticket_state AS ENUM ('new', 'assigned', 'done');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state NOT NULL, legacy text);\n"
        "-- migration\n"
        "UPDATE tickets SET state = CASE legacy WHEN 'x' THEN 'done' ELSE 'resolved' END WHERE id >= 1 AND id < 1000;",
    ),
    good=(
        "CREATE TABLE orders (id bigint PRIMARY KEY, status text CHECK (status IN ('open', 'paid', 'closed')));\n"
        "-- migration\n"
        "UPDATE orders SET status = 'closed' WHERE id >= 1 AND id < 1000;",
        "CREATE TYPE ticket_state AS ENUM ('new', 'assigned', 'done');\n"
        "CREATE TABLE tickets (id bigint PRIMARY KEY, state ticket_state NOT NULL, legacy text);\n"
        "-- migration\n"
        "UPDATE tickets SET state = CASE legacy WHEN 'x' THEN 'done' ELSE 'new' END WHERE id >= 1 AND id < 1000;",
    ),
)

# Kinds the schema part judges (from the catalog), not the code part
_SCHEMA_KINDS = ("database enum type", "MySQL ENUM column", "CHECK constraint", "seed rows")


@dataclass(frozen=True)
class _Refusal:
    values: tuple[Literal, ...]
    by: str  # "CHECK `orders_status_check` (status IN (…))"
    fails: bool  # the database refuses the row (else only the code does not know the value)
    allowed: str = ""  # the values allowed, when a list says them
    references: tuple[Reference, ...] = ()
    certain: bool = True


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, AddColumn | SetDefault):
            yield from _default(op, context)
            continue
        if not isinstance(op, DataUpdate | DataInsert):
            continue
        catalog = context.before(op)
        for column, values in written_literals(op).items():
            refusal = _by_schema(op.table, column, values, catalog, context) or _by_code(
                op.table, column, values, catalog, context
            )
            if refusal is not None:
                yield _finding(op, column, refusal, context)


def _default(op: AddColumn | SetDefault, context: Context) -> Iterator[Finding]:
    """A literal default the column's enum type (or, for a default set on an existing column, its CHECK)
    does not allow: PostgreSQL refuses a default that is no label of the enum at once; a default a CHECK
    refuses is accepted, and every INSERT that leaves the column out then fails."""
    sql = op.column.default if isinstance(op, AddColumn) else op.default
    value = literal(sql) if sql else None
    if value is None or not value.quoted:
        return
    catalog = context.before(op)
    column = op.column.name if isinstance(op, AddColumn) else op.column
    if isinstance(op, AddColumn):
        if op.column.type.lower().startswith("enum("):
            return  # a MySQL ENUM column's own default is refused by MySQL at once, with the list in sight
        found = _by_enum(op.column.type, (value,), catalog, context)
    else:
        found = _by_schema(op.table, column, (value,), catalog, context)
    if found is None:
        return
    refusal = found
    enum = refusal.by.startswith("enum") or refusal.by == "`ENUM`"
    yield op.finding(
        RULE,
        f"`{op.table}.{column}` gets the default {value.sql}, which its {refusal.by} refuses."
        + (f" It allows {refusal.allowed}." if refusal.allowed else ""),
        severity=Severity.CRITICAL,
        blast_radius=(
            "PostgreSQL refuses the default itself (`invalid input value for enum`): the statement fails on every "
            "database and the deploy stops there."
            if enum and context.postgres
            else f"Every INSERT into `{op.table}` that leaves `{column}` out fails from now on: the application's "
            "own inserts, wherever they rely on the default."
        ),
        fix=f"Give `{column}` a default its type allows, or allow {value.sql} first, in an earlier migration.",
    )


def _by_schema(
    table: str, column: str, values: tuple[Literal, ...], catalog: Catalog, context: Context
) -> _Refusal | None:
    found = catalog.column(table, column)
    if found is None:
        return None
    by_enum = _by_enum(found.type, values, catalog, context)
    if by_enum is not None:
        return by_enum
    checked = refused_by_check(table, column, values, catalog, "mysql" if context.mysql else context.dialect)
    return _Refusal(checked[1], checked[0], True) if checked is not None else None


def _by_enum(
    type_sql: str, values: tuple[Literal, ...], catalog: Catalog, context: Context
) -> _Refusal | None:
    """The string values a MySQL `ENUM(…)` column or a PostgreSQL enum type has no label for."""
    labels = enum_labels(type_sql, catalog)
    strings = [v for v in values if v.quoted]
    if labels is None or not strings:
        return None
    fold = context.mysql  # MySQL compares ENUM labels without case under the usual collations
    known = {label.lower() if fold else label for label in labels}
    refused = tuple(v for v in strings if (v.text.lower() if fold else v.text) not in known)
    if not refused:
        return None
    kind = "`ENUM`" if type_sql.lower().startswith("enum(") else f"enum type `{type_sql}`"
    return _Refusal(refused, kind, True, ", ".join(f"'{label}'" for label in labels))


def _by_code(
    table: str, column: str, values: tuple[Literal, ...], catalog: Catalog, context: Context
) -> _Refusal | None:
    declared = [
        (d, score) for d, score in context.values.declared(table, column) if d.kind not in _SCHEMA_KINDS
    ]
    judged: list[tuple[Definition, int, tuple[Literal, ...]]] = []
    for definition, score in declared:
        numeric = all(m.value.lstrip("-").isdigit() for m in definition.members)
        comparable = [v for v in values if (not v.quoted) == numeric]
        if not comparable:
            continue
        judged.append((definition, score, tuple(v for v in comparable if not _known(definition, v))))
    if not judged or any(not refused for _, _, refused in judged):
        return None  # some definition of the column has every value: no claim
    definition, score, refused = judged[0]
    near = [(v, m) for v in refused if (m := near_member(definition, v.text)) is not None]
    hint = "".join(f" (`{v.text}` differs from `{m.value}` only by case or spaces)" for v, m in near[:3])
    refs = (where(definition), *(where(definition, m) for _, m in near[:3]))
    return _Refusal(
        refused,
        describe(definition) + hint,
        False,
        ", ".join(
            f"'{m.label}'"  # SQLAlchemy stores the names unless `values_callable` says otherwise
            if definition.kind == SQLALCHEMY_KIND
            else f"'{m.value}'"
            if not m.value.lstrip("-").isdigit()
            else m.value
            for m in definition.members[:12]
        ),
        refs,
        certain=score >= 90,
    )


def _known(definition: Definition, value: Literal) -> bool:
    if any(value.text in stored(definition, m) for m in definition.members):
        return True
    # Rails writes an enum's label through `update_all(status: :archived)`, casting it to the stored value
    return definition.kind == "Rails enum" and any(value.text == m.label for m in definition.members)


def _finding(op: Operation, column: str, refusal: _Refusal, context: Context) -> Finding:
    table = str(getattr(op, "table", ""))
    values = ", ".join(v.sql for v in refusal.values)
    allowed = f" It allows {refusal.allowed}." if refusal.allowed else ""
    if refusal.fails:
        message = f"`{table}.{column}` is written {values}, which its {refusal.by} refuses.{allowed}"
        blast = "The statement fails on the first row it writes and the deploy stops there" + (
            " (outside strict mode MySQL stores '' for an unknown ENUM value instead, silently)."
            if context.mysql
            else "."
        )
    else:
        message = (
            f"`{table}.{column}` is written {values}, which the application does not define for it: "
            f"{refusal.by}.{allowed}"
        )
        blast = (
            f"Every row the statement writes holds a value the application cannot read back as one of its "
            f"choices ({context.size_words(table)})."
        )
    return op.finding(
        RULE,
        message,
        severity=None if refusal.certain else Severity.WARNING,
        references=refusal.references,
        blast_radius=blast,
        fix=f"Write one of the values `{table}.{column}` allows, or add {values} to its definition first, in an "
        "earlier migration or release.",
    )
