"""What exists before the change: tables, columns, their types, enum types and indexes.

Built by replaying the base tree's migrations (and schema dumps) in order, then advanced migration by
migration through the pull request, so each migration's rules see the schema as it will be when it runs.
A table the pull request creates is new: nobody reads or writes it yet, so locking rules stay quiet.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.model.migration import (
    MAX_ROWS,
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AddIndex,
    AlterColumnType,
    ChangeOrmOnDelete,
    ColumnSpec,
    CreateEnum,
    CreateFunction,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    Dependent,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropSchema,
    DropTable,
    ModelDetached,
    Operation,
    RawSQL,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Truncate,
    ValidateConstraint,
)

SMALL, LARGE, NEW = "small", "large", "new"
_MATERIALIZED = re.compile(r"\s*CREATE\s+MATERIALIZED\s+VIEW\b", re.I)
# what Rails does to the rows of a `dependent:` association when the parent is destroyed
_DEPENDENT_ACTIONS = {
    "destroy": "cascade",
    "destroy_async": "cascade",
    "delete_all": "cascade",
    "delete": "cascade",
    "nullify": "set null",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    added_in_change: bool = False  # added by the change under review (this migration or an earlier one)
    identity: bool = False  # its values come from a sequence: serial, identity, an ORM's auto field
    on_update: str = ""  # MySQL: what the database writes on every UPDATE of the row (CURRENT_TIMESTAMP)
    charset: str = (
        ""  # MySQL: the character set of a text column, when the schema says (its own or its table's)
    )
    auto_now: bool = False  # Django's `auto_now=True`: set to the current time whenever the ORM saves a row
    collation: str = ""  # the collation the column states, as written; "" for its type's or table's default


@dataclass(frozen=True)
class Table:
    """Shared between snapshots: a change replaces the table (and its column map) rather than editing it."""

    name: str
    columns: dict[str, Column] = field(default_factory=dict)
    created_in_change: bool = False
    # known only from the columns migrations add to it (created outside them: `create_all()`, a dump not
    # read): the columns it had before are not known
    partial: bool = False
    partitioned: bool = False  # PostgreSQL's `PARTITION BY`: the parent holds no rows, its partitions do
    partition_key: tuple[str, ...] = ()  # the `PARTITION BY` columns, "" for an expression
    charset: str = ""  # MySQL: the default character set, which text columns added later take
    policies: frozenset[str] = frozenset()  # PostgreSQL's row-level security policies on it, by name
    hypertable: bool = False  # TimescaleDB's `create_hypertable` made it one: its rows live in chunks


@dataclass(frozen=True)
class Check:
    """A CHECK constraint: its expression and whether every existing row has been checked."""

    table: str
    expression: str
    validated: bool = True
    named: bool = True  # False: the migration left the name to the database (ours is its likely choice)

    def not_null_column(self) -> str:
        """`col IS NOT NULL` (the constraint PostgreSQL 12+ uses to skip SET NOT NULL's scan) → `col`."""
        return not_null_column(self.expression)


# The tables migration runners keep their own history in: one row per migration (or one row), read and written
# by the runner alone
RUNNER_TABLES = frozenset(
    {
        "databasechangelog",
        "databasechangeloglock",
        "flyway_schema_history",
        "schema_migrations",
        "ar_internal_metadata",
        "alembic_version",
        "django_migrations",
        "knex_migrations",
        "knex_migrations_lock",
        "goose_db_version",
        "__efmigrationshistory",
        "gorp_migrations",
        "__diesel_schema_migrations",
        "_prisma_migrations",
    }
)


@dataclass(frozen=True)
class ForeignKey:
    table: str
    columns: tuple[str, ...]
    references: str
    referenced_columns: tuple[str, ...] = ()
    on_delete: str = ""
    on_update: str = ""
    validated: bool = True
    # PostgreSQL 15's `ON DELETE SET NULL (col, …)`: the key's columns the delete action writes; () for all
    on_delete_columns: tuple[str, ...] = ()
    orm_on_delete: str = ""  # what the ORM does itself on a delete of the parent (Django's on_delete)
    declared: str = ""  # the model association that does it, when it is no key of the database (Rails)
    owner: bool = False  # an association from the parent's side (`belongs_to …, dependent:`): see Dependent
    type_column: str = ""  # a polymorphic association's type column and the parent's class it must hold
    type_value: str = ""
    type_query: str = ""  # the SQL the type column must equal when it is no literal (Django's content type)

    @property
    def type_condition(self) -> str:
        """`commentable_type = 'Post'`, `content_type_id = (SELECT id FROM django_content_type WHERE …)`;
        "" for an association of one parent table."""
        if not self.type_column:
            return ""
        value = self.type_query or "'" + self.type_value.replace("'", "''") + "'"
        return f"{self.type_column} = {value}"


@dataclass(frozen=True)
class IndexDefinition:
    table: str
    columns: tuple[str, ...]  # as written: names or expressions
    unique: bool = False
    where: str = ""  # the predicate of a partial index
    method: str = ""


@dataclass(frozen=True)
class KeyConstraint:
    """A PRIMARY KEY or UNIQUE constraint: PostgreSQL backs it with an index of its own name."""

    table: str
    columns: tuple[str, ...]
    primary: bool = False


@dataclass(frozen=True)
class DatabaseObject:
    """A view, function or trigger the schema holds: code that lives in the database.

    `uses` are the (table, column, offset in `sql`) its definition names, resolved against the schema as
    it stood when the object was created (a view's star is the columns of that moment); a column of ""
    is the table itself. `row_uses` are a trigger function's `NEW.col` / `OLD.col`: (column, offset),
    columns of whichever table a trigger runs it for.
    """

    kind: str  # view | function | trigger | event (MySQL's scheduled statements)
    name: str
    path: str
    line: int
    sql: str
    table: str = ""  # a trigger's table
    function: str = ""  # a trigger's function
    tracked: bool = False  # the database records its dependencies: views, BEGIN ATOMIC bodies
    engine: str = ""  # the database that checks them, when not PostgreSQL (SQLite)
    uses: tuple[tuple[str, str, int], ...] = ()
    row_uses: tuple[tuple[str, int], ...] = ()

    def line_of(self, offset: int) -> tuple[int, str]:
        """The line number in its file and the text of the line at `offset` of its definition."""
        start = self.sql.rfind("\n", 0, offset) + 1
        end = self.sql.find("\n", offset)
        return self.line + self.sql.count("\n", 0, offset), self.sql[start : end if end >= 0 else None]


@dataclass
class Catalog:
    tables: dict[str, Table] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    indexes: dict[str, str] = field(default_factory=dict)  # index name → table
    index_columns: dict[str, tuple[str, ...]] = field(default_factory=dict)  # index name → its key columns
    # table → the column lists of its indexes, primary key and unique constraints
    keys: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    constraints: dict[str, str] = field(default_factory=dict)  # constraint name → kind (foreign_key, …)
    small: frozenset[str] = frozenset()
    large: frozenset[str] = frozenset()
    rows: dict[str, int] = field(default_factory=dict)  # row estimates, when a probe gave them
    created_in_change: set[str] = field(default_factory=set)
    # tables (unqualified) whose rows a DELETE or TRUNCATE of the change removed: a dedupe before a unique key
    deleted_in_change: set[str] = field(default_factory=set)
    before_change: frozenset[str] = frozenset()  # the tables that existed before the change
    sources: list[str] = field(default_factory=list)  # where the schema came from, for the review's notes
    checks: dict[str, Check] = field(default_factory=dict)  # CHECK constraint name → its definition
    foreign_keys: dict[str, ForeignKey] = field(default_factory=dict)  # constraint name → its definition
    index_definitions: dict[str, IndexDefinition] = field(default_factory=dict)  # index name → definition
    # PRIMARY KEY and UNIQUE constraints by name (PostgreSQL's own name for one declared without: `<table>_pkey`,
    # `<table>_<columns>_key`) → the index of that name that backs each: only dropping the constraint drops it
    key_constraints: dict[str, KeyConstraint] = field(default_factory=dict)
    functions: dict[str, str] = field(default_factory=dict)  # function name → declared volatility
    # the functions whose latest definition is LANGUAGE sql: PostgreSQL may inline their body into an index
    # expression and judge the body rather than the declared volatility
    sql_functions: frozenset[str] = frozenset()
    version: tuple[int, ...] = ()  # the database version the configuration names, when it names one
    primary_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table → its primary key
    # table → the rows migrations inserted with literal VALUES (column → value as SQL), while no DELETE or
    # TRUNCATE of the table followed: the lookup rows every environment that ran the migrations has
    seeds: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # table → seeded rows a later DELETE removed by one column's value (`DELETE FROM job WHERE name = 'Old job'`):
    # lookup rows every database had once; a condition naming one picks no bulk of rows
    retired: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # table → how many rows the migrations inserted into it (literal rows, `Model.objects.create()`), while no
    # DELETE or TRUNCATE followed; an INSERT … SELECT counts as many (MAX_ROWS)
    inserted: dict[str, int] = field(default_factory=dict)
    # (table, column) whose NULLs a migration filled: an UPDATE that sets the column where it is NULL, or in every
    # row (a backfill, `for row in Model.objects.filter(col=None): …`); replaced, never extended
    filled: frozenset[tuple[str, str]] = frozenset()
    # views, functions and triggers by "kind:name" (a trigger's name includes its table)
    objects: dict[str, DatabaseObject] = field(default_factory=dict)
    # tables the ORM stopped mapping while the database kept them: table → the migration that detached it
    detached: dict[str, str] = field(default_factory=dict)

    def snapshot(self) -> Catalog:
        """An independent copy that costs a copy of each top-level map, not of every record.

        The records (tables, columns, constraints, indexes) are immutable and every change below replaces
        the record it changes, so a snapshot shares them with the catalog it came from. A replay of a long
        history takes a snapshot per schema-changing statement; copying every record each time made that
        most of a lint run's time.
        """
        copied = copy.copy(self)  # the fields below replaced by copies; the frozen sets are shared
        copied.tables = dict(self.tables)
        copied.enums = dict(self.enums)
        copied.indexes = dict(self.indexes)
        copied.index_columns = dict(self.index_columns)
        copied.keys = dict(self.keys)
        copied.constraints = dict(self.constraints)
        copied.rows = dict(self.rows)
        copied.created_in_change = set(self.created_in_change)
        copied.deleted_in_change = set(self.deleted_in_change)
        copied.sources = list(self.sources)
        copied.checks = dict(self.checks)
        copied.foreign_keys = dict(self.foreign_keys)
        copied.index_definitions = dict(self.index_definitions)
        copied.key_constraints = dict(self.key_constraints)
        copied.functions = dict(self.functions)
        copied.primary_keys = dict(self.primary_keys)
        copied.seeds = dict(self.seeds)
        copied.retired = dict(self.retired)
        copied.inserted = dict(self.inserted)
        copied.objects = dict(self.objects)
        copied.detached = dict(self.detached)
        return copied

    def replaced(self, table: str) -> bool:
        """Existed before the change and is created again by it (dropped and re-created)."""
        return table in self.before_change and table in self.created_in_change

    def is_new(self, table: str) -> bool:
        """Created by the change under review (in this migration or an earlier one of the same change)."""
        return table in self.created_in_change

    def size(self, table: str) -> str:
        """new, small or large; a table the change did not create and nobody sized is assumed large."""
        if not table or self.is_new(table):
            return NEW
        if table in self.small:
            return SMALL
        if table in self.large:
            return LARGE
        if table in self.rows:
            return SMALL if self.rows[table] < 10_000 else LARGE
        return LARGE

    def view(self, name: str) -> DatabaseObject | None:
        """The view (plain or materialized) of that name, when the schema holds one."""
        return self.objects.get(f"view:{_object_key('view', name)}")

    def materialized_view(self, name: str) -> DatabaseObject | None:
        """The materialized view of that name, when the schema holds one."""
        found = self.objects.get(f"view:{_object_key('view', name)}")
        return found if found is not None and _MATERIALIZED.match(found.sql) else None

    def has_column(self, table: str, column: str) -> bool | None:
        """Whether `table` has `column`; None when the schema does not know the table."""
        found = self.tables.get(table) or self.tables.get(table.rpartition(".")[2])
        return None if found is None else column in found.columns

    def dependents(self, table: str, column: str = "") -> list[tuple[DatabaseObject, int]]:
        """The views, functions and triggers that use `table` (or its `column`), each with the offset in
        its definition of the first use: a trigger's function reading `NEW.column` counts for the trigger."""
        found: list[tuple[DatabaseObject, int]] = []
        wanted = _bare(table)
        for obj in self.objects.values():
            offset = next((o for t, col, o in obj.uses if _bare(t) == wanted and col == column), -1)
            if offset >= 0:
                found.append((obj, offset))
        if column:
            for obj in self.objects.values():
                if obj.kind != "trigger" or _bare(obj.table) != wanted:
                    continue
                function = self.objects.get(f"function:{_object_key('function', obj.function)}")
                rows = [o for col, o in function.row_uses if col == column] if function else []
                if rows and function is not None and all(f is not function for f, _ in found):
                    found.append((function, rows[0]))
        return found

    def column(self, table: str, column: str) -> Column | None:
        found = self.tables.get(table)
        return found.columns.get(column) if found is not None else None

    def typed(self, table: str, column: str) -> str:
        """A column's type with its MySQL character set, when the schema says which (`varchar(40) character set
        latin1`); "" for a column it does not know."""
        found = self.column(table, column)
        if found is None:
            return ""
        if not found.charset:
            return found.type
        return f"{_NAMED_CHARSET.sub('', found.type)} character set {found.charset}"

    def has_index_on(self, table: str, columns: tuple[str, ...]) -> bool:
        """Is there an index (or primary key / unique constraint) whose leading columns are `columns`?"""
        wanted = tuple(c.lower() for c in columns)
        return bool(wanted) and any(key[: len(wanted)] == wanted for key in self.keys.get(table, []))

    def serves_lookups(self, table: str, columns: tuple[str, ...]) -> bool:
        """Is there an index a lookup by `columns` (a foreign key's check, `WHERE col = $1`) can use: the
        primary key, a UNIQUE constraint, or an index led by the columns that is not partial? A partial index
        serves only the rows of its predicate, except one that merely says the columns are NOT NULL, which
        every `col = value` implies."""
        wanted = tuple(c.lower() for c in columns)
        if not wanted:
            return False
        indexes = self._indexes_of(table)
        usable = [
            key
            for d in indexes
            if (key := tuple(_key_column(c) for c in d.columns)) and _covers_lookups(d.where, wanted)
        ]
        constraints = collections.Counter(self.keys.get(table, []))  # every index has its key here too
        constraints.subtract(tuple(_key_column(c) for c in d.columns) for d in indexes)
        usable += [key for key, count in constraints.items() if count > 0]
        if table in self.primary_keys:
            usable.append(self.primary_keys[table])
        return any(key[: len(wanted)] == wanted for key in usable)

    def _indexes_of(self, table: str) -> list[IndexDefinition]:
        """The definitions of the indexes on `table` (`same_table`, spelled out: asked for every index of
        the schema, many times a review)."""
        wanted = _unqualified(table)
        return [
            d for d in self.index_definitions.values() if d.table == table or _unqualified(d.table) == wanted
        ]

    def foreign_keys_named(self, table: str, name: str) -> list[str]:
        """The names under which this catalog holds the foreign key(s) of `table` that `DROP CONSTRAINT name`
        drops: the name itself, MySQL's `<table>_ibfk_<n>` for the n-th key declared without one, or for a
        name a framework made up (Django's `<table>_<column>_<hash>_fk_<target>`) every key of the table whose
        columns the name spells (a key re-created by the ORM may be held twice)."""
        if name in self.foreign_keys:
            return [name]
        numbered = _MYSQL_FK_NAME.fullmatch(name.lower())
        if numbered and numbered.group(1) == _short(table):
            unnamed = _unnamed_foreign_keys(self, table)
            index = int(numbered.group(2)) - 1
            return [unnamed[index]] if 0 <= index < len(unnamed) else []
        if "fk" not in name.lower():
            return []
        return [
            guessed
            for guessed, key in self.foreign_keys.items()
            if same_table(key.table, table) and all(column.lower() in name.lower() for column in key.columns)
        ]

    def add_key(self, table: str, columns: tuple[str, ...]) -> None:
        key = tuple(_key_column(c) for c in columns)
        if key and all(key):
            self.keys[table] = [*self.keys.get(table, []), key]

    def validated_not_null(self, table: str, column: str) -> bool:
        """Is there a validated `CHECK (column IS NOT NULL)` on the table?"""
        return any(
            c.table == table and c.validated and c.not_null_column() == column for c in self.checks.values()
        )

    def calls_volatile(self, functions: tuple[str, ...]) -> bool:
        """Does any of the functions change per call? PostgreSQL's default volatility is VOLATILE."""
        return any(self.functions.get(name, "volatile") == "volatile" for name in functions)

    def row_key(self, table: str) -> tuple[str, ...]:
        """The columns that identify a row: the primary key, else `id`, else the first unique key; () if none."""
        if table in self.primary_keys:
            return self.primary_keys[table]
        known = self.tables.get(table)
        if known is None or "id" in known.columns or (known.partial and table not in self.keys):
            return ("id",)  # a table known only from what migrations added to it keeps the usual key
        return next((key for key in self.keys.get(table, []) if all(c in known.columns for c in key)), ())

    def unique_keys(self, table: str) -> list[tuple[str, ...]]:
        """The column lists no two rows share: the primary key, UNIQUE constraints, unique indexes that are
        not partial. (`keys` holds every index too; a key that is no index came from a constraint.)"""
        indexes = self._indexes_of(table)
        indexed = {tuple(_key_column(c) for c in d.columns) for d in indexes}
        found = [tuple(_key_column(c) for c in d.columns) for d in indexes if d.unique and not d.where]
        found += [key for key in self.keys.get(table, []) if key not in indexed]
        if table in self.primary_keys:
            found.append(self.primary_keys[table])
        return list(dict.fromkeys(found))

    def cascades_to(
        self, table: str, *, in_code: bool = False, dependents: tuple[Dependent, ...] = ()
    ) -> list[ForeignKey]:
        """The foreign keys whose rows a DELETE on `table` also deletes (ON DELETE CASCADE), recursively;
        `in_code`: the delete is the ORM's, which also follows the models' own `on_delete=CASCADE` and the
        `dependents` the models declare (Rails `dependent: :destroy`)."""
        return [key for key, action in self._delete_reach(table, in_code, dependents) if action == "cascade"]

    def nullified_by(
        self, table: str, *, in_code: bool = False, dependents: tuple[Dependent, ...] = ()
    ) -> list[ForeignKey]:
        """The foreign keys a DELETE on `table` empties instead of deleting their rows (ON DELETE SET NULL or
        SET DEFAULT, or the model's `on_delete=SET_NULL` / `dependent: :nullify` when the ORM deletes): on
        `table` itself and on every table the delete cascades to. Each such child row is updated: it loses
        the link to the deleted row."""
        return [
            key
            for key, action in self._delete_reach(table, in_code, dependents)
            if action in ("set null", "set default")
        ]

    def _delete_reach(
        self, table: str, in_code: bool, dependents: tuple[Dependent, ...]
    ) -> list[tuple[ForeignKey, str]]:
        """Every key a delete on `table` acts on, with what it does (cascade, set null, set default), breadth
        first. A child the ORM destroys runs its own model's associations; one the database deletes (or the
        ORM deletes with one `DELETE`, Rails `dependent: :delete_all`) only the database's keys."""
        found: list[tuple[ForeignKey, str]] = []
        pending = [(table, in_code)]
        while pending:
            parent, code = pending.pop(0)
            declared = [d for d in dependents if code and same_table(d.references, parent)]
            covered = {(d.table, d.columns) for d in declared}
            edges = [
                (
                    ForeignKey(
                        d.table,
                        d.columns,
                        d.references,
                        d.referenced,
                        orm_on_delete=action,
                        declared=d.declared,
                        owner=d.owner,
                        type_column=d.type_column,
                        type_value=d.type_value,
                        type_query=d.type_query,
                    ),
                    action,
                    d.action in ("destroy", "destroy_async"),
                )
                for d in declared
                if (action := _DEPENDENT_ACTIONS.get(d.action, ""))
                and (not self.tables or d.table in self.tables)  # a model of a table the schema lacks
            ]
            for key in self.foreign_keys.values():
                if same_table(key.references, parent) and (key.table, key.columns) not in covered:
                    action = key.on_delete if key.on_delete or not code else key.orm_on_delete
                    edges.append((key, action, code and not key.on_delete))
            for key, action, child_in_code in edges:
                if any(key == k for k, _ in found) or action not in ("cascade", "set null", "set default"):
                    continue
                if action == "cascade" and key.table == table:
                    continue  # a tree of rows of the deleted table: the statement itself names that table
                found.append((key, action))
                if action == "cascade":
                    pending.append((key.table, child_in_code))
        return found

    def apply(self, op: Operation, *, in_change: bool = False) -> None:
        handler = _APPLY.get(type(op))
        if handler is not None:
            handler(self, op, in_change)


def _create_table(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, CreateTable)
    if op.table in c.tables and op.if_not_exists:
        return
    c.detached.pop(op.table, None)
    # a table takes the name of a view only once the view is gone (dropped in a DO block, say)
    c.objects.pop(f"view:{_object_key('view', op.table)}", None)
    columns = {
        s.name: Column(
            s.name,
            s.type,
            s.nullable,
            s.default,
            identity=s.identity,
            on_update=s.on_update,
            charset=_charset_of(s.type, s.charset, op.charset),
            auto_now=s.auto_now,
            collation=s.collation,
        )
        for s in op.columns
    }
    partial = False
    if op.as_select and not op.columns:
        columns, partial = _selected_columns(c, op.selected)
    for source, copied in op.like:
        known = c.tables.get(source)
        partial = partial or known is None or known.partial
        columns = {**_liked_columns(known, copied), **columns} if known is not None else columns
    c.tables[op.table] = Table(
        op.table,
        columns,
        created_in_change=in_change,
        charset=op.charset,
        partial=partial,
        partitioned=op.partitioned,
        partition_key=op.partition_key,
    )
    for spec in op.columns:
        if spec.primary_key or spec.unique:
            c.add_key(op.table, (spec.name,))
            _key_constraint(c, op.table, "", "primary_key" if spec.primary_key else "unique", (spec.name,))
        if spec.primary_key:
            c.primary_keys[op.table] = (spec.name,)
    for constraint in op.constraints:
        _add_constraint(c, constraint, in_change)
    for spec in op.columns:
        if spec.references:
            _inline_reference(c, op.table, spec)
    for source, copied in op.like:
        _copy_keys(c, source, op.table, copied)
    if in_change:
        c.created_in_change.add(op.table)
    if op.temporary:  # gone when the migration's session ends
        c.tables.pop(op.table, None)


def _liked_columns(source: Table, copied: frozenset[str]) -> dict[str, Column]:
    """`LIKE source`: names, types and NOT NULL always; defaults and identities when included."""
    return {
        name: dataclasses.replace(
            column,
            default=column.default if "defaults" in copied else None,
            identity=column.identity and ("identity" in copied or "defaults" in copied),
            added_in_change=False,
        )
        for name, column in source.columns.items()
    }


def _copy_keys(c: Catalog, source: str, table: str, copied: frozenset[str]) -> None:
    """`LIKE source INCLUDING INDEXES` copies the primary key, unique keys and indexes; `INCLUDING
    CONSTRAINTS` the CHECKs. Foreign keys are never copied."""
    if "indexes" in copied:
        if source in c.primary_keys:
            c.primary_keys[table] = c.primary_keys[source]
        for key in c.keys.get(source, []):
            c.add_key(table, key)
        for name, index in list(c.index_definitions.items()):
            if same_table(index.table, source):
                c.index_definitions[f"{table}:{name}"] = dataclasses.replace(index, table=table)
    if "constraints" in copied:
        for name, check in list(c.checks.items()):
            if same_table(check.table, source):
                c.checks[f"{table}:{name}"] = dataclasses.replace(check, table=table)


def _selected_columns(
    c: Catalog, selected: tuple[tuple[str, str, str], ...]
) -> tuple[dict[str, Column], bool]:
    """The columns `CREATE TABLE … AS SELECT` makes: the names and types the SELECT gives, each nullable,
    without a default and without an identity (nothing but the values is copied); partial when the SELECT
    could not be read or names a table the schema does not know."""
    columns: dict[str, Column] = {}
    partial = not selected
    for name, table, column in selected:
        source = c.tables.get(table) if table else None
        if column == "*":
            if source is None or source.partial:
                partial = True
                continue
            for each in source.columns.values():
                columns[each.name] = Column(each.name, _unserial(each.type), charset=each.charset)
            continue
        known = source.columns.get(column) if source is not None else None
        if known is None:  # a computed value, or a column the schema does not know: its type is not known
            partial = True
            continue
        columns[name] = Column(name, _unserial(known.type), charset=known.charset)
    return columns, partial


_UNSERIAL = {"smallserial": "smallint", "serial2": "smallint", "serial": "integer", "serial4": "integer"}


def _unserial(sql_type: str) -> str:
    """A serial column's values copied elsewhere are plain integers: no sequence comes with them."""
    lowered = sql_type.lower()
    return _UNSERIAL.get(lowered, "bigint" if lowered in ("bigserial", "serial8") else sql_type)


def _drop_schema(c: Catalog, op: Operation, in_change: bool) -> None:
    """DROP SCHEMA (MySQL: DATABASE) takes its tables with it: each as a DROP TABLE … CASCADE."""
    assert isinstance(op, DropSchema)
    prefix = op.name.strip('"`').lower() + "."
    for table in [t for t in c.tables if t.lower().replace('"', "").replace("`", "").startswith(prefix)]:
        dropped = DropTable(table=table, cascade=True, location=op.location, end_line=op.end_line, sql=op.sql)
        _drop_table(c, dropped, in_change)


def _drop_table(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, DropTable)
    c.detached.pop(op.table, None)
    for key, obj in list(c.objects.items()):  # its triggers go with it, and with CASCADE its views
        if (obj.kind == "trigger" and same_table(obj.table, op.table)) or (
            op.cascade and obj.tracked and any(same_table(t, op.table) for t, _, _ in obj.uses)
        ):
            del c.objects[key]
    c.tables.pop(op.table, None)
    c.keys.pop(op.table, None)
    c.primary_keys.pop(op.table, None)
    c.seeds.pop(op.table, None)
    c.retired.pop(op.table, None)
    c.inserted.pop(op.table, None)
    # its own foreign keys, and with CASCADE (PostgreSQL) those of other tables that point at it
    for name in [
        n
        for n, key in c.foreign_keys.items()
        if key.table == op.table or (op.cascade and key.references == op.table)
    ]:
        del c.foreign_keys[name]
    # its indexes and CHECK constraints go with it (a table of the same name created later has its own)
    on = _on(op.table)
    for name in [n for n, d in c.index_definitions.items() if on(d.table)]:
        del c.index_definitions[name]
        c.indexes.pop(name, None)
        c.index_columns.pop(name, None)
    for name in [n for n, check in c.checks.items() if on(check.table)]:
        del c.checks[name]
    for name in [n for n, key in c.key_constraints.items() if on(key.table)]:
        del c.key_constraints[name]


def _put_column(c: Catalog, table: str, column: Column) -> None:
    known = c.tables.get(table) or Table(table, partial=True)
    c.tables[table] = dataclasses.replace(known, columns={**known.columns, column.name: column})


def _change_column(c: Catalog, table: str, name: str, **changes: Any) -> None:
    column = c.column(table, name)
    if column is not None:
        _put_column(c, table, dataclasses.replace(column, **changes))


def _bare(table: str) -> str:
    return table.lower().rpartition(".")[2]


def same_table(a: str, b: str) -> bool:
    """`public.users` and `users` name the same table."""
    return a == b or _unqualified(a) == _unqualified(b)


def _on(table: str) -> Callable[[str], bool]:
    """`same_table(table, …)` for the many names of a catalog (the table's own key worked out once)."""
    wanted = unqualified(table)
    return lambda other: other == table or _unqualified(other) == wanted


@functools.lru_cache(maxsize=8192)
def unqualified(table: str) -> str:
    """One key for a table whether or not its schema is written (`roombooking.reservations`, `reservations`):
    its name without its schema, lower case (asked for the same few names many times a review)."""
    return table.lower().rsplit(".", 1)[-1]


_unqualified = unqualified


def _followed(c: Catalog, table: str, column: str, new_table: str, new_column: str) -> None:
    """Views and BEGIN ATOMIC functions follow a rename (the database stores what they refer to, not
    the names); triggers move with their table. Function bodies kept as text do not."""
    on = _on(table)
    for key, obj in list(c.objects.items()):
        uses = obj.uses
        if obj.tracked and any(on(used) for used, _, _ in obj.uses):  # else each use stays as it is
            uses = tuple(_renamed_use(use, table, column, new_table, new_column) for use in obj.uses)
        moved = obj.kind == "trigger" and not column and on(obj.table)
        if moved:  # and its key with it: `DROP TRIGGER t ON new_name` finds it
            del c.objects[key]
            key = f"trigger:{_object_key('trigger', f'{new_table}.{obj.name}')}"
        if uses != obj.uses or moved:
            c.objects[key] = dataclasses.replace(obj, uses=uses, table=new_table if moved else obj.table)


def _renamed_use(
    use: tuple[str, str, int], table: str, column: str, new_table: str, new_column: str
) -> tuple[str, str, int]:
    used_table, used_column, offset = use
    if not same_table(used_table, table):
        return use
    if column:
        return (used_table, new_column if used_column == column else used_column, offset)
    return (new_table, used_column, offset)


def _rename_table(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, RenameTable)
    _followed(c, op.table, "", op.new_name, "")
    table = c.tables.pop(op.table, None)
    if table is not None:
        c.tables[op.new_name] = dataclasses.replace(table, name=op.new_name)
    if op.table in c.keys:
        c.keys[op.new_name] = c.keys.pop(op.table)
    if op.table in c.primary_keys:
        c.primary_keys[op.new_name] = c.primary_keys.pop(op.table)
    if op.table in c.seeds:
        c.seeds[op.new_name] = c.seeds.pop(op.table)
    if op.table in c.retired:
        c.retired[op.new_name] = c.retired.pop(op.table)
    if op.table in c.inserted:
        c.inserted[op.new_name] = c.inserted.pop(op.table)
    # the table's indexes, CHECK constraints and foreign keys (on either side) now name the new table
    on = _on(op.table)
    for name, table_of in list(c.indexes.items()):
        if on(table_of):
            c.indexes[name] = op.new_name
    for name, index in list(c.index_definitions.items()):
        if on(index.table):
            c.index_definitions[name] = dataclasses.replace(index, table=op.new_name)
    for name, check in list(c.checks.items()):
        if on(check.table):
            c.checks[name] = dataclasses.replace(check, table=op.new_name)
    for name, constraint in list(c.key_constraints.items()):
        if on(constraint.table):
            c.key_constraints[name] = dataclasses.replace(constraint, table=op.new_name)
    for name, key in list(c.foreign_keys.items()):
        own, referenced = on(key.table), on(key.references)
        if own or referenced:
            c.foreign_keys[name] = dataclasses.replace(
                key,
                table=op.new_name if own else key.table,
                references=op.new_name if referenced else key.references,
            )


def _add_column(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, AddColumn)
    s = op.column
    table = c.tables.get(op.table)
    _put_column(
        c,
        op.table,
        Column(
            s.name,
            s.type,
            s.nullable,
            s.default,
            added_in_change=in_change,
            identity=s.identity,
            on_update=s.on_update,
            charset=_charset_of(s.type, s.charset, table.charset if table is not None else ""),
            auto_now=s.auto_now,
            collation=s.collation,
        ),
    )
    if s.references:
        _inline_reference(c, op.table, s)


def _inline_reference(c: Catalog, table: str, spec: ColumnSpec) -> None:
    """`column … REFERENCES parent`: a foreign key under PostgreSQL's default name."""
    assert spec.references
    name = f"{table.rsplit('.', 1)[-1]}_{spec.name}_fkey"
    c.constraints[name] = "foreign_key"
    key = ForeignKey(
        table,
        (spec.name,),
        spec.references,
        (spec.referenced_column,) if spec.referenced_column else (),
        on_delete=spec.on_delete,
        on_update=spec.references_on_update,
        orm_on_delete=spec.orm_on_delete,
    )
    c.foreign_keys.setdefault(name, key)


def _drop_column(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, DropColumn)
    _column_gone(c, op.table, op.column)


def _column_gone(c: Catalog, name: str, column: str) -> None:
    table = c.tables.get(name)
    if table is not None and column in table.columns:
        columns = {n: each for n, each in table.columns.items() if n != column}
        c.tables[name] = dataclasses.replace(table, columns=columns)
    # its foreign keys go with it (PostgreSQL drops them; MySQL wants them dropped first)
    for key_name, key in list(c.foreign_keys.items()):
        if column in key.columns and same_table(key.table, name):
            del c.foreign_keys[key_name]
            c.constraints.pop(key_name, None)
    _indexes_go_with(c, name, column)


def base_type(sql_type: str) -> str:
    """`public."Mood"[]` → `mood`, `geometry(Point, 4326)` → `geometry`: a type's bare name, lower-case."""
    name = sql_type.strip().split("(", 1)[0].split("[", 1)[0].strip()
    return name.rsplit(".", 1)[-1].strip('"').strip().lower()


def _indexes_go_with(c: Catalog, table: str, column: str) -> None:
    """The indexes, unique keys and primary key that hold a dropped column go with it (PostgreSQL drops them;
    MySQL drops a one-column index and narrows the others, read here as gone too)."""
    wanted = column.lower()
    for name, definition in list(c.index_definitions.items()):
        if same_table(definition.table, table) and any(
            _key_column(k).lower() == wanted for k in definition.columns
        ):
            del c.index_definitions[name]
    for name, columns in list(c.index_columns.items()):
        if same_table(c.indexes.get(name, ""), table) and any(
            _key_column(k).lower() == wanted for k in columns
        ):
            c.index_columns.pop(name, None)
            c.indexes.pop(name, None)
    for key_table, keys in list(c.keys.items()):
        if same_table(key_table, table) and any(
            _key_column(k).lower() == wanted for key in keys for k in key
        ):
            c.keys[key_table] = [key for key in keys if all(_key_column(k).lower() != wanted for k in key)]
    primary = next((t for t in c.primary_keys if same_table(t, table)), None)
    if primary is not None and any(_key_column(k).lower() == wanted for k in c.primary_keys[primary]):
        del c.primary_keys[primary]
    for name, key in list(c.key_constraints.items()):
        if same_table(key.table, table) and any(_key_column(k).lower() == wanted for k in key.columns):
            del c.key_constraints[name]


def _rename_column(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, RenameColumn)
    _followed(c, op.table, op.column, op.table, op.new_name)
    _keys_follow(c, op.table, op.column, op.new_name)
    table = c.tables.get(op.table)
    if table is not None and op.column in table.columns:
        renamed = dataclasses.replace(table.columns[op.column], name=op.new_name)
        # the column keeps its place among the others (an INSERT … SELECT * pairs columns by place)
        columns = {
            (op.new_name if name == op.column else name): (renamed if name == op.column else column)
            for name, column in table.columns.items()
        }
        c.tables[op.table] = dataclasses.replace(table, columns=columns)


def _keys_follow(c: Catalog, table: str, old: str, new: str) -> None:
    """Indexes, unique and primary keys and foreign keys name a renamed column by its new name (the database
    keeps the column, not its name). Each changed entry is replaced, never edited: snapshots share them."""

    def renamed(columns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(new if name == old else name for name in columns)

    on = _on(table)
    for name, definition in list(c.index_definitions.items()):
        if old in definition.columns and on(definition.table):
            c.index_definitions[name] = dataclasses.replace(definition, columns=renamed(definition.columns))
    for name, columns in list(c.index_columns.items()):
        if old in columns and on(c.indexes.get(name, "")):
            c.index_columns[name] = renamed(columns)
    if table in c.keys and any(old in key for key in c.keys[table]):
        c.keys[table] = [renamed(tuple(key)) for key in c.keys[table]]
    if old in c.primary_keys.get(table, ()):
        c.primary_keys[table] = renamed(c.primary_keys[table])
    for name, key in list(c.foreign_keys.items()):
        own = old in key.columns and on(key.table)
        referenced = old in key.referenced_columns and on(key.references)
        if own or referenced:
            c.foreign_keys[name] = dataclasses.replace(
                key,
                columns=renamed(key.columns) if own else key.columns,
                referenced_columns=renamed(key.referenced_columns) if referenced else key.referenced_columns,
            )


def _alter_type(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, AlterColumnType)
    if not op.restated:
        if op.collation:
            _change_column(c, op.table, op.column, type=op.new_type, collation=op.collation)
        else:
            _change_column(c, op.table, op.column, type=op.new_type)
        return
    table = c.tables.get(op.table)
    charset = _charset_of(op.new_type, op.charset, table.charset if table is not None else "")
    # MODIFY / CHANGE restate the whole column: one without COLLATE takes the table's default
    _change_column(
        c,
        op.table,
        op.column,
        type=op.new_type,
        charset=charset,
        on_update=op.on_update,
        collation=op.collation,
    )


_NAMED_CHARSET = re.compile(r"\s+(?:character\s+set|charset)\s+\w+", re.I)
# MySQL's types that hold characters of a character set
_CHARACTER_TYPE = re.compile(r"^\s*(?:national\s+)?(?:var)?char|^\s*\w*text\b|^\s*(?:enum|set)\b", re.I)


def _charset_of(type_sql: str, own: str, table: str) -> str:
    """The character set of a MySQL column: the one it states, else its table's; none for a type that holds
    no characters."""
    return (own or table) if _CHARACTER_TYPE.search(type_sql) else ""


def _table_options(c: Catalog, op: RawSQL) -> None:
    """MySQL's `ALTER TABLE t [DEFAULT] CHARSET = x` (columns added later take it) and `ALTER TABLE t CONVERT
    TO CHARACTER SET x` (every text column moves to it, and so does the table's default)."""
    table = c.tables.get(op.table)
    charset = op.name if op.category == "convert-charset" else op.option("CHARACTERSET").lower()
    if table is None or not charset:
        return
    columns = table.columns
    if op.category == "convert-charset":
        columns = {
            name: dataclasses.replace(
                column, charset=charset, type=_widened(column.type, column.charset or table.charset, charset)
            )
            if _charset_of(column.type, "", "x")
            else column
            for name, column in columns.items()
        }
    c.tables[op.table] = dataclasses.replace(table, columns=columns, charset=charset)


# the most bytes a character takes in MySQL's character sets
_CHARACTER_BYTES = {"latin1": 1, "ascii": 1, "binary": 1, "ucs2": 2, "utf8": 3, "utf8mb3": 3, "utf8mb4": 4}
_WIDER_TEXT = {"tinytext": "text", "text": "mediumtext", "mediumtext": "longtext"}


def _widened(type_sql: str, old: str, new: str) -> str:
    """`CONVERT TO CHARACTER SET utf8mb4` of a `text` column that held fewer bytes a character: MySQL and
    MariaDB move it to the next larger text type (text to mediumtext), so it still holds as many characters.
    A column whose old character set is unknown is taken as narrower (why else convert it)."""
    kind = type_sql.strip().lower()
    if kind not in _WIDER_TEXT:
        return type_sql
    before = _CHARACTER_BYTES.get(old.lower(), 0) if old else 0
    after = _CHARACTER_BYTES.get(new.lower(), 0)
    wider = before < after if before else after > 1
    return _WIDER_TEXT[kind] if wider else type_sql


def _set_not_null(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, SetNotNull | DropNotNull)
    _change_column(c, op.table, op.column, nullable=isinstance(op, DropNotNull))


def _set_default(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, SetDefault)
    if op.identity:
        _change_column(c, op.table, op.column, default=None, identity=False)
    else:
        _change_column(c, op.table, op.column, default=op.default)


def _create_enum(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, CreateEnum)
    c.enums[op.name] = list(op.values)


def _add_enum_value(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, AddEnumValue)
    if op.name not in c.enums:
        return  # a type created where the migrations were not read: one value is not all of them
    values = list(c.enums[op.name])
    if op.value in values:
        return
    neighbour = op.before or op.after
    at = values.index(neighbour) + (1 if op.after else 0) if neighbour in values else len(values)
    values.insert(at, op.value)
    c.enums[op.name] = values


def _add_index(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, AddIndex)
    if op.if_not_exists and op.name and op.name in c.index_definitions:
        return  # the index of that name stays as it is, whatever this one would have been
    if op.name:
        c.indexes[op.name] = op.table
        c.index_columns[op.name] = tuple(_key_column(column) for column in op.columns)
    # an index whose name the migration leaves to the framework is kept under a name of ours, so questions
    # about the table's indexes (expressions, predicates) still see it
    key = op.name or f"({op.table}: {', '.join(op.columns)})"
    c.index_definitions[key] = IndexDefinition(op.table, op.columns, op.unique, op.where, op.method)
    c.add_key(op.table, op.columns)


def _add_constraint(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, AddConstraint)
    if op.constraint in ("primary_key", "unique"):
        c.add_key(op.table, op.columns)
    if op.constraint == "primary_key" and op.columns:
        c.primary_keys[op.table] = tuple(op.columns)
    if op.constraint in ("primary_key", "not_null"):
        # a primary key makes its columns NOT NULL; so does PostgreSQL 18's `CONSTRAINT n NOT NULL col`
        for column in op.columns:
            known = c.tables.get(op.table)
            if known is not None and column in known.columns:
                _change_column(c, op.table, column, nullable=False)
    name = op.name or _default_name(op)
    if name:
        c.constraints[name] = op.constraint
    if op.constraint in ("primary_key", "unique"):
        _key_constraint(c, op.table, op.name or op.using_index or "", op.constraint, op.columns)
    if name and op.constraint == "unique" and op.columns:  # its index, which `DROP INDEX name` drops (MySQL)
        c.indexes.setdefault(name, op.table)
        c.index_columns.setdefault(name, tuple(op.columns))
    if op.constraint == "check" and op.expression_sql:
        c.checks[name or _check_name(c, op)] = Check(
            op.table, op.expression_sql, not op.not_valid, named=bool(name)
        )
    elif op.constraint == "foreign_key" and name and op.references:
        # the key a framework's column already declared inline (Django's relation field, under PostgreSQL's
        # default name), now added under the name it really gets: one key, which keeps what the ORM does
        inline = f"{op.table.rsplit('.', 1)[-1]}_{'_'.join(op.columns)}_fkey"
        same = c.foreign_keys.get(inline) if inline != name else None
        if same is not None and (
            same.columns != tuple(op.columns) or not same_table(same.references, op.references)
        ):
            same = None
        if same is not None:
            del c.foreign_keys[inline]
            c.constraints.pop(inline, None)
        c.foreign_keys[name] = ForeignKey(
            op.table,
            op.columns,
            op.references,
            op.referenced_columns,
            op.on_delete,
            op.on_update,
            validated=not op.not_valid,
            on_delete_columns=op.on_delete_columns,
            orm_on_delete=same.orm_on_delete if same is not None else "",
        )


def _key_constraint(c: Catalog, table: str, name: str, kind: str, columns: tuple[str, ...]) -> None:
    """A PRIMARY KEY or UNIQUE constraint, under its name or the one PostgreSQL gives it: `<table>_pkey`,
    `<table>_<columns>_key` (unless that is too long or taken: PostgreSQL then shortens it or numbers it)."""
    short = table.rsplit(".", 1)[-1]
    if not name:
        name = f"{short}_pkey" if kind == "primary_key" else f"{short}_{'_'.join(columns)}_key"
        if len(name) > 63 or name in c.indexes or name in c.key_constraints or not columns:
            return
    definition = c.index_definitions.get(name)  # `USING INDEX name`: the index becomes the constraint's
    key = definition.columns if definition is not None else columns
    c.key_constraints[name] = KeyConstraint(table, key, primary=kind == "primary_key")


def _validate_constraint(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, ValidateConstraint)
    check, key = c.checks.get(op.name), c.foreign_keys.get(op.name)
    if check is not None:
        c.checks[op.name] = dataclasses.replace(check, validated=True)
    if key is not None:
        c.foreign_keys[op.name] = dataclasses.replace(key, validated=True)


def _drop_constraint(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, DropConstraint)
    if op.name not in c.constraints and op.name not in c.checks:
        # a name the database chose and we did not guess: any unnamed CHECK of the table may be the one
        for guessed in [n for n, k in c.checks.items() if not k.named and same_table(k.table, op.table)]:
            del c.checks[guessed]
    numbered = _MYSQL_FK_NAME.fullmatch(op.name.lower())
    mysql = op.name not in c.foreign_keys and numbered and numbered.group(1) == _short(op.table)
    for name in c.foreign_keys_named(op.table, op.name):
        c.foreign_keys.pop(name, None)
        c.constraints.pop(name, None)
    if mysql:
        return
    _drop_unique_key(c, op)
    c.key_constraints.pop(op.name, None)
    c.constraints.pop(op.name, None)
    c.checks.pop(op.name, None)
    c.foreign_keys.pop(op.name, None)


_MYSQL_FK_NAME = re.compile(r"(\w+)_ibfk_(\d+)")


def _short(table: str) -> str:
    return table.rsplit(".", 1)[-1].lower()


def _unnamed_foreign_keys(c: Catalog, table: str) -> list[str]:
    """The table's foreign keys declared without a name (held under PostgreSQL's `<table>_<columns>_fkey`), in
    the order they were declared: MySQL numbers them `<table>_ibfk_1`, `_2`, …"""
    short = table.rsplit(".", 1)[-1]
    return [
        name
        for name, key in c.foreign_keys.items()
        if same_table(key.table, table) and name == f"{short}_{'_'.join(key.columns)}_fkey"
    ]


def _drop_unique_key(c: Catalog, op: DropConstraint) -> None:
    """A UNIQUE constraint or primary key dropped by name: its key goes too. A name the database chose
    (`<table>_<columns>_key`, `<table>_pkey`) stands for the table's key whose columns it spells."""
    kind = c.constraints.get(op.name)
    if kind not in (None, "unique", "primary_key"):
        return
    table = next((t for t in c.keys if same_table(t, op.table)), op.table)
    keys = c.keys.get(table, [])
    columns = c.index_columns.get(op.name)
    lowered = op.name.lower()
    if columns is None and kind is None and lowered.endswith("_key"):
        spelled = [k for k in keys if k and all(column.lower() in lowered for column in k)]
        columns = max(spelled, key=len) if spelled else None
    if kind == "primary_key" or (kind is None and lowered.endswith("_pkey")):
        columns = c.primary_keys.pop(table, None) or columns
    if not columns:
        return
    c.keys[table] = [k for k in keys if tuple(k) != tuple(columns)]  # replaced: snapshots share the list
    c.indexes.pop(op.name, None)
    c.index_columns.pop(op.name, None)


def _seed(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, DataInsert)
    count = MAX_ROWS if op.from_select or not op.rows else len(op.rows)
    c.inserted[op.table] = min(MAX_ROWS, c.inserted.get(op.table, 0) + count)
    if op.rows and op.columns and not op.in_block:  # a block's INSERT may run in one branch, or never
        rows = c.seeds.get(op.table, [])
        added = [dict(zip(op.columns, row, strict=False)) for row in op.rows[: MAX_ROWS - len(rows)]]
        c.seeds[op.table] = [*rows, *added]  # replaced, never extended: snapshots share the list


def _reseed(c: Catalog, op: Operation, in_change: bool) -> None:
    """An UPDATE of seeded rows that names them by one column's value (`WHERE name = 'master'`): those rows
    take the values it writes (a value that is not a constant is no longer known). Under another condition
    the seeds stay as they are: lookups by them would otherwise be lost for one UPDATE of an unrelated row."""
    assert isinstance(op, DataUpdate)
    rows = c.seeds.get(op.table)
    pinned = pinned_value(op.where)
    if not rows or pinned is None:
        return
    column, value = pinned
    changed = {
        name: (value_sql if _CONSTANT.fullmatch(value_sql) else None) for name, value_sql in op.assignments
    }

    def updated(row: dict[str, str]) -> dict[str, str]:
        if row.get(column) != value:
            return row
        kept = {k: v for k, v in row.items() if k not in changed}
        return {**kept, **{k: v for k, v in changed.items() if v is not None}}

    c.seeds[op.table] = [updated(row) for row in rows]


_PINNED = re.compile(r"\s*([\w\"`]+)\s*=\s*('(?:[^']|'')*'|-?\d+)\s*")


def pinned_value(where: str | None) -> tuple[str, str] | None:
    """(column, value as SQL) of a condition that names rows by one column's constant (`name = 'master'`)."""
    match = _PINNED.fullmatch(where or "")
    return (match.group(1).strip('"`').lower(), match.group(2)) if match else None


_CONSTANT = re.compile(r"'(?:[^']|'')*'|-?\d+(?:\.\d+)?|true|false|null", re.I)


def _update(c: Catalog, op: Operation, in_change: bool) -> None:
    """An UPDATE: the seeded rows it names take its values, and the columns it fills have no NULLs left."""
    _reseed(c, op, in_change)
    _fill(c, op, in_change)


def _fill(c: Catalog, op: Operation, in_change: bool) -> None:
    """An UPDATE that writes a column in every row, or in the rows where it is NULL: its NULLs are filled."""
    assert isinstance(op, DataUpdate)
    table = unqualified(op.table)
    filled = {
        (table, column)
        for column, value in op.assignments
        if (op.where is None or op.where.strip() == f"{column} IS NULL") and value.strip().upper() != "NULL"
    }
    if filled - c.filled:
        c.filled = c.filled | filled


def _unseed(c: Catalog, op: Operation, in_change: bool) -> None:
    """After a DELETE or TRUNCATE the rows a table holds are no longer known from its seeds; a DELETE that
    names seeded rows by one column's value (`WHERE name = 'Old job'`) removes those rows only."""
    assert isinstance(op, DataDelete | Truncate)
    pinned = pinned_value(op.where) if isinstance(op, DataDelete) else None
    rows = c.seeds.get(op.table)
    if pinned is not None and rows:
        column, value = pinned
        kept = [row for row in rows if row.get(column) != value]
        c.seeds[op.table] = kept
        gone = [row for row in rows if row.get(column) == value]
        if gone:  # replaced, never extended: snapshots share the list
            c.retired[op.table] = [*c.retired.get(op.table, []), *gone]
        if op.table in c.inserted:
            c.inserted[op.table] = max(0, c.inserted[op.table] - (len(rows) - len(kept)))
    else:
        c.seeds.pop(op.table, None)
        c.inserted.pop(op.table, None)
    if in_change:
        c.deleted_in_change.add(unqualified(op.table))


def _create_function(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, CreateFunction)
    name = op.name.rsplit(".", 1)[-1]
    c.functions[name] = op.volatility
    c.sql_functions = c.sql_functions | {name} if op.language == "sql" else c.sql_functions - {name}
    _database_object(c, op, in_change)


_OBJECT_KINDS = {"view": "view", "function": "function", "trigger": "trigger", "event": "event"}
_DROPPED_OBJECTS = {f"drop-{kind}": kind for kind in _OBJECT_KINDS}
_TYPE_CHANGES = (
    "rename-type",
    "drop-type",
)  # what they do to the enum types, and the columns of a renamed one


def _renamed_type(c: Catalog, old: str, new: str) -> None:
    """`ALTER TYPE mood_new RENAME TO mood`: the enum's values, and every column of that type, follow."""
    bare = old.rsplit(".", 1)[-1].strip('"').lower()
    for name in [n for n in c.enums if n.rsplit(".", 1)[-1].strip('"').lower() == bare]:
        c.enums[new] = c.enums.pop(name)
    for table, known in list(c.tables.items()):
        for column, spec in known.columns.items():
            if spec.type.rsplit(".", 1)[-1].strip('"').lower() == bare:
                _change_column(c, table, column, type=new)


def _policy(c: Catalog, op: RawSQL) -> None:
    """`CREATE POLICY name ON table` (its table and name) and `DROP POLICY name ON table` (`table.name`)."""
    table, name = (op.table, op.name) if op.category == "policy" else op.table.rpartition(".")[::2]
    key = table if table in c.tables else table.rpartition(".")[2]
    known = c.tables.get(key)
    if known is None or not name:
        return
    policies = known.policies | {name} if op.category == "policy" else known.policies - {name}
    c.tables[key] = dataclasses.replace(known, policies=policies)


def _database_object(c: Catalog, op: Operation, in_change: bool) -> None:
    """A view, function or trigger created (kept with what it uses), or dropped."""
    assert isinstance(op, RawSQL)
    if op.category in ("convert-charset", "alter-table-options"):
        _table_options(c, op)
        return
    if op.category in ("drop-type", "drop-domain") and op.cascade:  # its columns go with it
        dropped = base_type(op.table)
        for known in list(c.tables.values()):
            for column in [n for n, each in known.columns.items() if base_type(each.type) == dropped]:
                _column_gone(c, known.name, column)
        return
    if op.category in _DROPPED_OBJECTS:
        kind = _DROPPED_OBJECTS[op.category]
        key = _object_key(kind, op.table)
        c.objects.pop(f"{kind}:{key}", None)
        if (
            kind == "function"
        ):  # the triggers that ran it went with it (PostgreSQL's CASCADE, or none were left)
            for name, obj in list(c.objects.items()):
                if obj.kind == "trigger" and obj.function and _object_key("function", obj.function) == key:
                    del c.objects[name]
        return
    if op.category in ("rename-function", "rename-trigger"):
        _renamed_object(c, op)
        return
    if op.category in ("policy", "drop-policy"):
        _policy(c, op)
        return
    if op.category == "create-hypertable":
        converted = c.tables.get(op.table)
        if converted is not None:
            c.tables[op.table] = dataclasses.replace(converted, hypertable=True)
        return
    if op.category == "rename-type":
        _renamed_type(c, op.table, op.name)
        return
    if op.category == "drop-type":  # an enum type dropped is no type a later CREATE TYPE meets
        bare = op.table.rsplit(".", 1)[-1].strip('"').lower()
        for name in [n for n in c.enums if n.rsplit(".", 1)[-1].strip('"').lower() == bare]:
            del c.enums[name]
        return
    kind = _OBJECT_KINDS.get(op.category, "")
    name = op.name or op.table
    if not kind or not name or not (op.columns or op.relations or op.function or kind == "function"):
        return  # (a function is kept even when it reads no table: replacing it is judged by its definition)
    has = c.has_column
    uses: dict[tuple[str, str, int], None] = {}
    rows: dict[tuple[str, int], None] = {}
    for table, offset in op.relations:
        uses.setdefault((table, "", offset), None)
    for ref in op.columns:
        if ref.row and kind == "trigger":  # `WHEN (NEW.status …)`: the trigger's own table
            uses.setdefault((op.table, ref.column, ref.offset), None)
            continue
        if ref.row:
            rows.setdefault((ref.column, ref.offset), None)
            continue
        for table in ref.owners(has):
            for column in _star(c, table) if ref.column == "*" and op.tracked else (ref.column,):
                if column != "*":
                    uses.setdefault((table, column, ref.offset), None)
    key = f"{kind}:{_object_key(kind, f'{op.table}.{name}' if kind == 'trigger' else name)}"
    c.objects[key] = DatabaseObject(
        kind,
        name,
        op.location.path,
        op.location.line,
        op.sql,
        table=op.table if kind == "trigger" else "",
        function=op.function,
        tracked=op.tracked,
        engine=op.engine,
        uses=tuple(uses),
        row_uses=tuple(rows),
    )


def _renamed_object(c: Catalog, op: RawSQL) -> None:
    """`ALTER FUNCTION f() RENAME TO g`, `ALTER TRIGGER t ON x RENAME TO u`: the object's code is known
    under its new name (a later `DROP FUNCTION g` removes it); a trigger that runs `f` now runs `g`."""
    kind = "function" if op.category == "rename-function" else "trigger"
    old = _object_key(kind, op.table)
    obj = c.objects.pop(f"{kind}:{old}", None)
    if kind == "trigger":
        if obj is not None:
            table = op.table.rpartition(".")[0]
            c.objects[f"trigger:{_object_key(kind, f'{table}.{op.name}')}"] = dataclasses.replace(
                obj, name=op.name
            )
        return
    if obj is not None:
        c.objects[f"function:{_object_key(kind, op.name)}"] = dataclasses.replace(obj, name=op.name)
    for name, other in list(c.objects.items()):
        if other.kind == "trigger" and other.function and _object_key("function", other.function) == old:
            c.objects[name] = dataclasses.replace(other, function=op.name)


def _object_key(kind: str, name: str) -> str:
    """Functions by their name without schema; triggers by `table.trigger` without schema."""
    parts = name.lower().split(".")
    return ".".join(parts[-2:]) if kind == "trigger" else parts[-1]


def _star(c: Catalog, table: str) -> tuple[str, ...]:
    found = c.tables.get(table)
    return tuple(found.columns) if found is not None else ()


def _check_name(c: Catalog, op: AddConstraint) -> str:
    """PostgreSQL's name for an unnamed CHECK: `<table>_<first column>_check`, numbered when taken."""
    first = op.columns[0] if op.columns else _first_column(op.expression_sql)
    stem = "_".join(p for p in (op.table.rsplit(".", 1)[-1], first, "check") if p)
    name, number = stem, 0
    while name in c.checks:
        number += 1
        name = f"{stem}{number}"
    return name


_WORD = re.compile(r'"([^"]+)"|\b([A-Za-z_]\w*)\b(?!\s*\()')
_NOT_COLUMNS = frozenset(
    [
        "and",
        "or",
        "not",
        "in",
        "is",
        "null",
        "true",
        "false",
        "any",
        "all",
        "array",
        "between",
        "like",
        "ilike",
        "similar",
        "to",
        "cast",
        "as",
        "value",
    ]
)


def _first_column(expression: str) -> str:
    text = re.sub(r"'(?:[^']|'')*'", "''", expression)
    text = re.sub(r"::\s*[\w ]+(?:\[\])?", "", text)  # casts name types, not columns
    for match in _WORD.finditer(text):
        word = match.group(1) or match.group(2).lower()
        if word not in _NOT_COLUMNS:
            return word
    return ""


def _default_name(op: AddConstraint) -> str:
    """PostgreSQL's name for an unnamed foreign key: `<table>_<columns>_fkey`."""
    if op.constraint != "foreign_key" or not op.columns:
        return ""
    return f"{op.table.rsplit('.', 1)[-1]}_{'_'.join(op.columns)}_fkey"


@functools.lru_cache(maxsize=4096)
def _key_column(text: str) -> str:
    """`lower(email)` is no key column; `"UserId" DESC` is `UserId` (asked for every index of a table, each
    time its keys are)."""
    word = text.strip().split()[0] if text.strip() else ""
    if word[:1] in ('"', "`") and word[-1:] == word[:1]:
        return word[1:-1]
    return word.lower() if word.replace("_", "").isalnum() else ""


def _drop_index(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, DropIndex)
    name = (
        op.name if op.name in c.indexes or not op.columns else _index_on(c, op.table, op.columns) or op.name
    )
    table = c.indexes.pop(name, None)
    columns = c.index_columns.pop(name, None)
    c.index_definitions.pop(name, None)
    if table is not None and columns and columns in c.keys.get(table, []):
        keys = list(c.keys[table])
        keys.remove(columns)  # its key: the table's other indexes and constraints keep theirs
        c.keys[table] = keys


def _index_on(c: Catalog, table: str, columns: tuple[str, ...]) -> str | None:
    """The name of the index of `table` on exactly `columns` (Rails finds the index to remove that way)."""
    wanted = tuple(column.lower() for column in columns)
    return next(
        (
            name
            for name, owner in c.indexes.items()
            if same_table(owner, table) and tuple(x.lower() for x in c.index_columns.get(name, ())) == wanted
        ),
        None,
    )


def _covers_lookups(predicate: str, columns: tuple[str, ...]) -> bool:
    """Does an index with this predicate ("" for none) hold every row a lookup by `columns` can find?"""
    if not predicate.strip():
        return True
    parts = re.split(r"\s+AND\s+", predicate.strip().strip("()"), flags=re.I)
    return all((name := not_null_column(part)) and name.lower() in columns for part in parts)


def _model_detached(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, ModelDetached)
    if op.table in c.tables:
        c.detached[op.table] = op.location.path


def _change_orm_on_delete(c: Catalog, op: Operation, in_change: bool) -> None:
    assert isinstance(op, ChangeOrmOnDelete)
    for name, key in list(c.foreign_keys.items()):
        if same_table(key.table, op.table) and key.columns == (op.column,):
            c.foreign_keys[name] = dataclasses.replace(key, orm_on_delete=op.on_delete)


_APPLY = {
    ChangeOrmOnDelete: _change_orm_on_delete,
    ModelDetached: _model_detached,
    CreateTable: _create_table,
    DropTable: _drop_table,
    DropSchema: _drop_schema,
    RenameTable: _rename_table,
    AddColumn: _add_column,
    DropColumn: _drop_column,
    RenameColumn: _rename_column,
    AlterColumnType: _alter_type,
    SetNotNull: _set_not_null,
    DropNotNull: _set_not_null,
    SetDefault: _set_default,
    CreateEnum: _create_enum,
    AddEnumValue: _add_enum_value,
    AddIndex: _add_index,
    AddConstraint: _add_constraint,
    DropIndex: _drop_index,
    ValidateConstraint: _validate_constraint,
    DropConstraint: _drop_constraint,
    CreateFunction: _create_function,
    DataInsert: _seed,
    DataUpdate: _update,
    DataDelete: _unseed,
    Truncate: _unseed,
    RawSQL: _database_object,
}

# `col IS NOT NULL`, and `NOT col IS NULL` as MySQL's reader writes it back, quoted with " or ` or not at all
_NOT_NULL_CHECK = re.compile(
    r'\(*\s*(?:NOT\s+\(*\s*(?:"(?P<q1>[^"]+)"|`(?P<b1>[^`]+)`|(?P<n1>\w+))\s*\)*\s+IS\s+NULL'
    r'|(?:"(?P<q2>[^"]+)"|`(?P<b2>[^`]+)`|(?P<n2>\w+))\s+IS\s+NOT\s+NULL)\s*\)*',
    re.I,
)


def not_null_column(condition: str) -> str:
    """`col IS NOT NULL` (or `NOT col IS NULL`) → `col` (unquoted names in lower case); "" for anything else."""
    match = _NOT_NULL_CHECK.fullmatch(condition.strip())
    if match is None:
        return ""
    quoted = match["q1"] or match["b1"] or match["q2"] or match["b2"]
    return quoted or (match["n1"] or match["n2"] or "").lower()


def changes_schema(op: Operation) -> bool:
    """Does applying `op` change the catalog at all?"""
    if type(op) is RawSQL:
        return (
            op.category in _OBJECT_KINDS
            or op.category in _DROPPED_OBJECTS
            or op.category in _TYPE_CHANGES
            or op.category in ("policy", "drop-policy", "create-hypertable")
        )
    return type(op) in _APPLY
