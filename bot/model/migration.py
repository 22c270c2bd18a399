"""What a migration does, as typed operations that every framework adapter produces alike.

Rules read these records and never parse anything themselves. Every operation knows where it came from
(`location`, `end_line`) and the statement text it was read from (`sql`), so a finding can point at the
exact line of a SQL file, a Rails method call or a Django operation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from bot.model.findings import Finding, Location, Reference, Rule, Severity
from bot.model.kept import ByIdentity

# Stands for a value the migration's code fills into its SQL when it runs (`${…}`, `#{…}`, `{$x}`, `%s`), so
# that the statement around it still parses.
PLACEHOLDER = "interp_value"


def by_own_key(where: str | None) -> str:
    """The condition an ORM sends when it writes back one row it fetched (`row.save()`, `row.destroy`): the
    fetch's own `id = 7` when it picked the row by id, else the row's id, a value known when the code runs."""
    key = (where or "").removeprefix("id = ")
    return where if where and key != where and " " not in key else f"id = {PLACEHOLDER}"


@dataclass(frozen=True, kw_only=True)
class Operation:
    location: Location
    end_line: int = 0
    sql: str = ""
    options: tuple[tuple[str, str], ...] = ()  # MySQL ALTER TABLE options: ("ALGORITHM", "INPLACE"), …
    expression: Any = field(default=None, compare=False, repr=False)  # the sqlglot tree, when there is one
    # Read from SQL the migration spells out (a SQL file, RunSQL, execute), not from a framework's own
    # operation (which the framework turns into SQL for each database itself).
    spelled_out: bool = field(default=False, compare=False)
    # The piece of code the operation was read from, when it is one of several in a migration (the function a
    # Django `RunPython` runs): the operations of one unit are one change to the people who wrote it.
    unit: str = field(default="", compare=False)
    # The part of the file its runner records as applied on its own (a Liquibase changeSet): after a failure,
    # only that part runs again. Empty where the whole file is that part.
    applied_unit: str = field(default="", compare=False)
    # The framework carries it out by rebuilding the table where the database cannot alter it in place
    # (Alembic's `batch_alter_table` on SQLite: create the new table, copy, drop, rename).
    rebuilt: bool = field(default=False, compare=False)
    # A statement of a procedural body (a DO block's IF branch or loop): it may run once, never, or many times.
    in_block: bool = field(default=False, compare=False)
    # The migration runs it only where its table holds fewer rows than this: it counts them first and leaves a
    # larger table to another way (`if count < 1_000_000: op.create_index(…)`); 0 where nothing bounds it.
    rows_below: int = field(default=0, compare=False)
    # The migration runs it only where the schema has ("present") or lacks ("absent") a table or a column:
    # (kind, table, column, which), the column "" for a table (Rails' `unless column_exists?(:t, :c)`)
    runs_if: tuple[str, str, str, str] | None = field(default=None, compare=False)

    def option(self, name: str) -> str:
        return next((value for key, value in self.options if key == name), "")

    @property
    def kind(self) -> str:
        return type(self).__name__

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables this operation touches (lower-case names without a default schema)."""
        table = getattr(self, "table", None)
        return (table,) if isinstance(table, str) and table else ()

    def finding(
        self,
        rule: Rule,
        message: str,
        *,
        blast_radius: str,
        fix: str | None = None,
        severity: Severity | None = None,
        references: tuple[Reference, ...] = (),
        suggestion: str | None = None,
    ) -> Finding:
        return Finding(
            rule=rule.id,
            dimension=rule.dimension,
            severity=severity or rule.severity,
            path=self.location.path,
            line=self.location.line,
            end_line=self.end_line or self.location.line,
            message=message.replace(PLACEHOLDER, "…"),
            blast_radius=blast_radius.replace(PLACEHOLDER, "…"),
            fix=fix or rule.help,
            references=references,
            suggestion=suggestion,
        )


@dataclass(frozen=True)
class Call:
    """A function an expression calls, or a cast it makes (`function` is then "" and `cast` the type), with
    what is known of each argument: the column of the table it is (else ""), the type it is written as (a
    cast, the text of `->>`, else "")."""

    function: str
    cast: str = ""
    columns: tuple[str, ...] = ()
    types: tuple[str, ...] = ()


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    type: str = ""
    nullable: bool = True
    default: str | None = None
    volatile_default: bool = False
    primary_key: bool = False
    unique: bool = False
    identity: bool = False
    generated: bool = False  # a generated column: stored (computed for every row when added) unless virtual
    virtual: bool = (
        False  # PostgreSQL 18's VIRTUAL generated column: computed when read, adding it rewrites nothing
    )
    references: str | None = None  # the referenced table of an inline foreign key
    referenced_column: str = ""  # its referenced column, when written (`REFERENCES users (code)`)
    on_delete: str = ""  # its ON DELETE action (cascade, set null, …) when the reader knows it
    references_on_update: str = (
        ""  # and its ON UPDATE action (MySQL's `ON UPDATE` of the value is `on_update`)
    )
    # the action the ORM itself takes on a delete of the referenced rows (Django's `on_delete=CASCADE`, run
    # in Python by the ORM, not by the database)
    orm_on_delete: str = ""
    position: str = ""  # MySQL: "first" or "after <column>" when the column is not added last
    # Functions the default calls that are not built-ins known IMMUTABLE or STABLE (PostgreSQL's reader)
    default_functions: tuple[str, ...] = ()
    # MySQL: the value the database writes into the column on every UPDATE of the row (`ON UPDATE
    # CURRENT_TIMESTAMP`), and the character set the column states
    on_update: str = ""
    charset: str = ""
    # the collation the column states (`COLLATE utf8mb4_bin`, SQLite's `NOCASE`, Rails' `collation:`), as written
    collation: str = ""
    auto_now: bool = False  # Django's `auto_now=True`: the ORM sets it to the current time on every save()
    generated_calls: tuple[Call, ...] = ()  # what a generated column's expression calls (PostgreSQL's reader)


# --- tables -------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateTable(Operation):
    table: str
    columns: tuple[ColumnSpec, ...] = ()
    if_not_exists: bool = False
    as_select: bool = False
    constraints: tuple[AddConstraint, ...] = ()  # table-level PRIMARY KEY, UNIQUE, FOREIGN KEY, CHECK
    temporary: bool = False  # TEMPORARY, or dropped at commit: gone when the session ends
    partitioned: bool = False  # `PARTITION BY …`: a partitioned table, whose partitions hold the rows
    partition_key: tuple[str, ...] = ()  # its `PARTITION BY` columns, "" for an expression
    charset: str = ""  # MySQL: the table's default character set, which its text columns take
    # `CREATE TABLE … AS SELECT`: each column the SELECT gives, as (name, source table, source column); the
    # source column is "*" for every column of the table, and ("name", "", "") is a computed value
    selected: tuple[tuple[str, str, str], ...] = ()
    # `LIKE source [INCLUDING …]`: (source table, what it copies besides names, types and NOT NULL:
    # a set of "defaults", "identity", "constraints", "indexes")
    like: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DropTable(Operation):
    table: str
    if_exists: bool = False
    cascade: bool = False


@dataclass(frozen=True, kw_only=True)
class DropSchema(Operation):
    """DROP SCHEMA, or DROP DATABASE (`kind`); in MySQL the two are the same statement."""

    name: str
    kind: str = "schema"  # schema | database
    if_exists: bool = False
    cascade: bool = False


@dataclass(frozen=True, kw_only=True)
class RenameTable(Operation):
    table: str
    new_name: str


@dataclass(frozen=True, kw_only=True)
class Truncate(Operation):
    table: str
    cascade: bool = False


# --- columns ------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddColumn(Operation):
    table: str
    column: ColumnSpec
    if_not_exists: bool = False
    # the enum type the ORM gives the column and expects to exist, creating none (SQLAlchemy's named `Enum` in
    # Alembic's add_column, on PostgreSQL)
    enum_type: str = ""


@dataclass(frozen=True, kw_only=True)
class DropColumn(Operation):
    table: str
    column: str
    if_exists: bool = False


@dataclass(frozen=True, kw_only=True)
class RenameColumn(Operation):
    table: str
    column: str
    new_name: str


@dataclass(frozen=True, kw_only=True)
class AlterColumnType(Operation):
    table: str
    column: str
    new_type: str
    using: str | None = None
    old_type: str = ""  # the type before, when the framework's reader knows it (Django's AlterField)
    # MySQL's MODIFY / CHANGE restate the whole column: what they do not say (a character set, an ON UPDATE
    # clause) the column loses, and a text column without a character set takes the table's
    restated: bool = False
    charset: str = ""
    on_update: str = ""
    collation: str = ""  # the collation the new definition states (`TYPE text COLLATE x`), as written
    # the enum type the ORM changes the column to and expects to exist, creating none (SQLAlchemy's named
    # `Enum` in Alembic's alter_column, on PostgreSQL)
    enum_type: str = ""


@dataclass(frozen=True, kw_only=True)
class SetNotNull(Operation):
    table: str
    column: str
    # a whole new definition of the column that says NOT NULL (MySQL's MODIFY/CHANGE, Laravel's `->change()`,
    # Liquibase's modifyColumn): it restates NOT NULL as often as it sets it
    restated: bool = False


@dataclass(frozen=True, kw_only=True)
class DropNotNull(Operation):
    table: str
    column: str
    # not written: MySQL's MODIFY/CHANGE restates the whole column, and one without NOT NULL makes it nullable
    implied: bool = False


@dataclass(frozen=True, kw_only=True)
class SetDefault(Operation):
    table: str
    column: str
    default: str | None  # None: DROP DEFAULT
    volatile: bool = False
    implied: bool = False  # not written: MySQL's MODIFY/CHANGE without DEFAULT drops the column's default
    identity: bool = False  # PostgreSQL's `DROP IDENTITY`: the column's values stop coming from its sequence


# --- indexes and constraints --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AddIndex(Operation):
    table: str
    name: str
    columns: tuple[str, ...] = ()
    unique: bool = False
    concurrently: bool = False
    if_not_exists: bool = False
    where: str = ""  # the predicate of a partial index
    method: str = ""  # btree, gin, gist, … when written
    # PostgreSQL's `ON ONLY parent`: an index of a partitioned table alone, left invalid (and built on no
    # row) until an index of each partition is attached to it
    only: bool = False
    # what the key expressions and the predicate call (PostgreSQL's reader)
    calls: tuple[Call, ...] = ()
    predicate_calls: tuple[Call, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DropIndex(Operation):
    name: str
    table: str = ""
    concurrently: bool = False
    if_exists: bool = False
    # the columns it is found by, when the statement names them rather than the index (Rails
    # `remove_index :t, [:a, :b]` drops the index of `t` on (a, b), whatever its name)
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Reindex(Operation):
    target: str
    table: str = ""
    concurrently: bool = False


@dataclass(frozen=True, kw_only=True)
class AddConstraint(Operation):
    table: str
    name: str
    constraint: str  # foreign_key | check | unique | primary_key | exclusion | not_null
    columns: tuple[str, ...] = ()
    not_valid: bool = False
    using_index: str | None = None
    references: str | None = None  # referenced table of a foreign key
    expression_sql: str = ""  # the CHECK expression
    referenced_columns: tuple[str, ...] = ()  # of a foreign key, when written
    on_delete: str = ""  # of a foreign key: no action | restrict | cascade | set null | set default
    on_update: str = ""
    # PostgreSQL 15's `ON DELETE SET NULL (col, …)` / `SET DEFAULT (col, …)`: the key's columns the action
    # writes; () for all of them
    on_delete_columns: tuple[str, ...] = ()
    on_column: bool = False  # written on a column definition (`… REFERENCES t`), where NOT VALID cannot be


@dataclass(frozen=True, kw_only=True)
class ValidateConstraint(Operation):
    table: str
    name: str


@dataclass(frozen=True, kw_only=True)
class DropConstraint(Operation):
    table: str
    name: str
    if_exists: bool = False
    # What the framework finds the key by when no name is given (Rails' `remove_foreign_key :orders, :users,
    # column: :buyer_id` drops the key of `orders` to `users` on `buyer_id`, whatever its name): the referenced
    # table, and the columns when the call names them
    references: str = ""
    columns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RenameConstraint(Operation):
    table: str
    name: str
    new_name: str


# --- types --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CreateEnum(Operation):
    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class AddEnumValue(Operation):
    name: str
    value: str
    before: str | None = None
    after: str | None = None
    if_not_exists: bool = False


# --- data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseMapping:
    """`SET target = CASE source WHEN value THEN result … ELSE otherwise END`."""

    target: str
    source: str | None  # the column compared, when every WHEN compares the same one
    whens: tuple[tuple[str, str], ...]  # (value as SQL literal or condition, result as SQL)
    otherwise: str | None  # the ELSE expression, None when there is none
    line: int
    # the function the CASE is an argument of that turns its NULL into a value on the way to the target
    # (`jsonb_build_object('k', CASE … END)`, `coalesce(CASE … END, 0)`): "" when a NULL reaches the column
    absorbed_by: str = ""


@dataclass(frozen=True)
class BatchStep:
    """How a loop moves the key range of a statement it runs batch after batch (a PL/pgSQL `WHILE … LOOP` with
    `UPDATE … WHERE id > lo AND id <= hi; lo := hi;`): the bounds of the range and the next lower bound."""

    column: str  # the key the range bounds (`id`)
    lower: str  # the variable of the lower bound (`lo`)
    lower_strict: bool  # `id > lo` (True) or `id >= lo`, `BETWEEN lo AND …` (False)
    upper: str  # the variable of the upper bound (`hi`)
    upper_strict: bool  # `id < hi` (True) or `id <= hi`, `BETWEEN … AND hi` (False)
    offset: int  # the loop's next lower bound is the upper one plus this (`lo := hi` 0, `lo := hi + 1` 1)
    loop: str  # the loop, as the review says it (`in a loop (`lo < max_id`)`)

    @property
    def gap(self) -> int:
        """Keys between two batches that neither covers (> 0), or that both cover (< 0), for integer keys."""
        return self.offset + int(self.lower_strict) + int(self.upper_strict) - 1


@dataclass(frozen=True, kw_only=True)
class DataUpdate(Operation):
    table: str
    assignments: tuple[tuple[str, str], ...] = ()  # (column, expression SQL)
    where: str | None = None
    batched: bool = False
    case_mappings: tuple[CaseMapping, ...] = ()
    reads: tuple[str, ...] = ()  # columns read by the expressions and the WHERE
    step: BatchStep | None = None  # the loop that runs it batch after batch, when the review reads it
    loop: str = ""  # the loop of a DO block that runs it again and again ("" when it runs once)
    # the ORM's batch method that runs it batch after batch from the migration's code (Rails `in_batches`,
    # `find_each`), each batch in the migration's transaction unless the migration runs outside one
    batches: str = ""
    # the code takes the rows in pages by OFFSET from a query with no order (`qs[i:i + 1000]`, Django's
    # `Paginator(qs, 1000)`), as the code says it: each page can skip rows or repeat others
    pages: str = ""
    # the rows are written by the ORM saving their records (Rails `save`/`update!`, Django `save()`), not by
    # one bulk statement: the model's callbacks run, and so do the timestamps the ORM keeps. "each": every
    # row the scope holds, one at a time; "one": one record the code fetched (`find_by(…)&.update(…)`)
    saves: str = ""


@dataclass(frozen=True)
class Dependent:
    """An association the application's model declares for what happens to the rows that reference a
    deleted row, carried out by the ORM's callbacks, not by the database: Rails `has_many :comments,
    dependent: :destroy` on `Post`."""

    table: str  # the child table (`comments`)
    columns: tuple[str, ...]  # its key that references the parent (`post_id`)
    references: str  # the parent table (`posts`)
    # destroy | delete_all | nullify | destroy_async | restrict_with_exception | restrict_with_error
    action: str
    declared: str  # `has_many :comments, dependent: :destroy` (`app/models/post.rb`, line 3)
    # the parent's columns the key matches (its row key when empty); for `owner`, the deleted table's own key
    referenced: tuple[str, ...] = ()
    # `belongs_to :author, dependent: :destroy` on the deleted model: the rows reached are those the deleted
    # rows point at (`authors.id` = `comments.author_id`), not rows that point at them
    owner: bool = False
    # a polymorphic association (`has_many :comments, as: :commentable`): only the child rows whose type
    # column names the parent's class belong to it (`commentable_type = 'Post'`)
    type_column: str = ""
    type_value: str = ""
    # the SQL the type column must equal, when it is no literal of `type_value`: the content type of the
    # parent model for a Django generic relation (`(SELECT id FROM django_content_type WHERE …)`)
    type_query: str = ""


@dataclass(frozen=True, kw_only=True)
class DataDelete(Operation):
    table: str
    where: str | None = None
    batched: bool = False
    # the ORM deletes the rows that reference these itself, as the models' `on_delete` says (Django's
    # queryset `delete()`, Rails `destroy_all` with the `dependents`), whatever the database's keys say
    cascades_in_code: bool = False
    # the models' associations on the deleted table and, through `dependent: :destroy`, on the tables it reaches
    dependents: tuple[Dependent, ...] = ()
    # why those associations do not run for this delete (`delete_all` runs no callbacks); "" when they run
    callbacks_skipped: str = ""
    step: BatchStep | None = None  # the loop that runs it batch after batch, when the review reads it
    loop: str = ""  # the loop of a DO block that runs it again and again ("" when it runs once)
    # the ORM's batch method that runs it batch after batch from the migration's code (Rails `in_batches`,
    # `find_each`), each batch in the migration's transaction unless the migration runs outside one
    batches: str = ""
    # the code takes the rows in pages by OFFSET from a query with no order (see DataUpdate.pages)
    pages: str = ""

    @property
    def dependents_run(self) -> tuple[Dependent, ...]:
        """The associations the delete carries out: none when it skips the models' code."""
        return () if self.callbacks_skipped else self.dependents


MAX_ROWS = 1000  # VALUES rows kept per INSERT: enough for every lookup table a migration seeds


@dataclass(frozen=True, kw_only=True)
class DataInsert(Operation):
    table: str
    columns: tuple[str, ...] = ()
    from_select: bool = False
    case_mappings: tuple[CaseMapping, ...] = ()
    # `VALUES (…), (…)`: each row's values as SQL, in the order of `columns`
    rows: tuple[tuple[str, ...], ...] = ()
    # the columns an upsert sets on rows that already exist (`ON CONFLICT … DO UPDATE SET`, MySQL's `ON
    # DUPLICATE KEY UPDATE`) whatever they hold; () when it does nothing to them or only under a condition
    overwrites: tuple[str, ...] = ()
    replaces: bool = False  # MySQL's REPLACE: a row with the same key is deleted, then the new one inserted


# --- sessions, transactions and maintenance -----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SetTimeout(Operation):
    setting: str  # lock_timeout | statement_timeout | innodb_lock_wait_timeout | lock_wait_timeout | …
    value: str
    local: bool = False

    @property
    def disables(self) -> bool:
        return self.value.strip("'\" ").lower() in {"0", "0s", "0ms", "default"}


@dataclass(frozen=True, kw_only=True)
class Transaction(Operation):
    # begin | commit | rollback | savepoint; and the bounds of a DO block, which runs as one transaction of
    # its own (block-begin, block-end), with the COMMIT / ROLLBACK it runs between its statements
    # (block-commit, block-rollback: PostgreSQL 11+, refused when the block runs inside a transaction)
    action: str


@dataclass(frozen=True, kw_only=True)
class Maintenance(Operation):
    """VACUUM FULL, CLUSTER, REPACK, ANALYZE, … on a table."""

    command: str
    table: str = ""
    blocking: bool = False


@dataclass(frozen=True, kw_only=True)
class DetachPartition(Operation):
    table: str
    partition: str
    concurrently: bool = False


@dataclass(frozen=True, kw_only=True)
class LockTable(Operation):
    """`LOCK TABLE … IN <mode> MODE`: one operation per table locked."""

    table: str
    mode: str = "ACCESS EXCLUSIVE"  # PostgreSQL's lock mode name
    nowait: bool = False


UNKNOWN_SOURCE = "?"  # a FROM item whose columns the schema does not list: a subquery, a CTE, a function


@dataclass(frozen=True)
class ColumnReference:
    """A column a SQL text names, with the relations it may belong to (read by the SQL parser).

    `scopes` lists the tables in scope at each query level, innermost first (UNKNOWN_SOURCE for a
    subquery or function); a qualified reference (`o.status` with `FROM orders o`) has one table.
    """

    column: str  # as the database folds it; "*" for a star
    scopes: tuple[tuple[str, ...], ...]
    offset: int  # character offset in the text that was parsed
    row: str = ""  # "new" / "old": a trigger function's row (its table is the trigger's)
    write: bool = False  # a column an INSERT, UPDATE or PL/pgSQL assignment writes

    def owners(self, has: Callable[[str, str], bool | None]) -> tuple[str, ...]:
        """The tables the reference belongs to. `has(table, column)`: whether the schema says the table
        has the column (None: the schema does not know the table). The innermost query with a relation
        that has the column decides; a source the schema cannot list (a subquery) hides the owner: ()."""
        if self.column == "*":
            return tuple(t for t in (self.scopes[0] if self.scopes else ()) if t != UNKNOWN_SOURCE)
        for scope in self.scopes:
            tables = [t for t in scope if t != UNKNOWN_SOURCE]
            known = [t for t in tables if has(t, self.column)]
            if known:
                return (known[0],) if len(known) == 1 else ()  # two: PostgreSQL refuses it as ambiguous
            if len(scope) == 1 and tables and has(tables[0], self.column) is None:
                return (tables[0],)  # the only relation of its query, one the schema does not list
            if len(tables) < len(scope) or any(has(t, self.column) is None for t in tables):
                return ()
        return ()


@dataclass(frozen=True, kw_only=True)
class RawSQL(Operation):
    """A statement understood only by its class (extension, function, DO block, trigger, grant, …)."""

    category: str
    table: str = ""
    if_exists: bool = False  # a `drop-…` category written with IF EXISTS
    cascade: bool = False  # a `drop-…` category written with CASCADE: what depends on the object goes with it
    reads: tuple[str, ...] = ()  # tables a body (DO block, function, procedure) reads
    writes: tuple[str, ...] = ()  # tables a body inserts into, updates, deletes from or alters
    # Views, functions and triggers: the tables (with their offsets in `sql`) and columns the definition
    # names, so that code living in the database is found when a table or column it uses goes away.
    relations: tuple[tuple[str, int], ...] = field(default=(), compare=False)
    columns: tuple[ColumnReference, ...] = field(default=(), compare=False)
    name: str = ""  # the view, function or trigger created
    function: str = ""  # a trigger's function
    tracked: bool = False  # the database records what the definition depends on (views, BEGIN ATOMIC)
    engine: str = ""  # the database that checks those dependencies, when it is not PostgreSQL (SQLite)


@dataclass(frozen=True, kw_only=True)
class CreateFunction(RawSQL):
    """CREATE FUNCTION / PROCEDURE: its body stays whole; its declared volatility is kept."""

    volatility: str = "volatile"  # immutable | stable | volatile (PostgreSQL's default)
    language: str = ""


@dataclass(frozen=True, kw_only=True)
class RunCode(Operation):
    """Application code run by the migration (Django RunPython, Rails Ruby, Alembic Python)."""

    language: str
    touches: tuple[str, ...] = ()  # tables or models the code names
    reverse: bool = False
    reverse_noop: bool = False  # the reverse is declared but does nothing (`RunPython.noop`)
    program: str = ""  # another program the code starts (`subprocess.run([...])`, `system(...)`), as written
    offline: bool = False  # it only computes values in the process (logs, reads the environment): no database


@dataclass(frozen=True, kw_only=True)
class UncheckedSave(Operation):
    """A call that saves a record through its validations and answers false when one fails, whose answer
    the migration's code ignores (Rails `record.save` or `record.update(…)` as a statement, `Model.create(…)` in
    a loop): a record that fails is left as it was and the migration goes on."""

    method: str  # "save", "update", "update_attributes", "create"
    model: str = ""  # the model class it saves, when the code says which ("" when it does not)
    validations: str = ""  # where that model declares validations ("" when the review did not find them)


@dataclass(frozen=True, kw_only=True)
class DiscardedEdit(Operation):
    """A call that returns an edited copy of a record's text value and whose answer the code drops (Ruby's
    `comment.body.delete("\0")`, `user.email.strip` as a statement): the record's value stays as it was."""

    table: str  # the table of the record's model
    column: str  # the attribute the copy is taken of
    method: str  # "delete", "strip", "gsub", …
    saved: int = 0  # the line of a save of the same record after it, 0 when none follows


@dataclass(frozen=True, kw_only=True)
class CurrentModelImport(Operation):
    """A Django migration that imports the application's own model classes (`from shop.models import
    Order`) instead of the historical ones `apps.get_model()` gives: its code runs against the models as
    they are when it runs, not as they were at this point of the history."""

    module: str  # "shop.models"
    names: tuple[str, ...]  # the classes imported ("Order"), or the module's name when it is imported whole
    writes: bool = False  # the migration saves, creates or deletes through them (their signals fire)


@dataclass(frozen=True, kw_only=True)
class UnreadDataChange(Operation):
    """Code that changes data when the migration runs but that the review cannot read: a task sent to a
    queue (Celery's `.delay()`), a management command, a `post_migrate` handler. Its location is in the
    migration (the call, or the `Migration` class for a handler the migration sets off)."""

    runs: str  # what runs: "the Celery task `recompute_totals`"
    how: str  # how it runs, and why it is not read: "sent to a worker with `.delay()`, outside the migration"
    check: str  # what the reviewer should check by hand
    code: Location | None = None  # where that code is, when it is outside the migration (a handler)
    every_migrate: bool = (
        False  # it runs on every `migrate`, this deploy's as every earlier one's (a handler)
    )


@dataclass(frozen=True, kw_only=True)
class JoinedFieldUpdate(Operation):
    """A Django `update()` whose value reads a field across a relation (`F("customer__name")`): Django
    raises `FieldError` ("Joined field references are not permitted in this query") when it runs."""

    table: str
    column: str  # the field the value is written to
    reference: str  # the reference as written: F("customer__name")


@dataclass(frozen=True, kw_only=True)
class StringAsFieldUpdate(Operation):
    """A Django `update()` whose value has a plain string where Django reads a field's name (`When(…,
    then="open")`, `Case(…, default="none")`, `Coalesce("nickname", "anonymous")`) and the model has no field
    of that name: Django raises `FieldError` ("Cannot resolve keyword … into field") when it runs."""

    table: str
    column: str  # the field the value is written to
    word: str  # the string Django reads as a field name
    argument: str  # where it stands, as written: then="open"


@dataclass(frozen=True, kw_only=True)
class ChangeChoices(Operation):
    """The values a field accepts and what each one means, changed in the models only (Django's `AlterField`
    to other `choices`): no statement reaches the database, but the rows keep the values they hold, under
    the new meanings."""

    table: str
    column: str
    old: tuple[tuple[str, str], ...]  # (stored value as written in Python, label); () where there were none
    new: tuple[tuple[str, str], ...]
    old_default: str | None = None  # the value the field gave new rows before: rows hold it


@dataclass(frozen=True, kw_only=True)
class ChangeOrmOnDelete(Operation):
    """What the ORM does itself to a foreign key's rows when their parent is deleted, changed in the models
    only (Django's `AlterField` to another `on_delete`): no statement reaches the database, but a later
    delete through the ORM follows the new action."""

    table: str
    column: str
    on_delete: str  # cascade | set null | set default | protect | do nothing | …


@dataclass(frozen=True, kw_only=True)
class ModelDetached(Operation):
    """The ORM stops mapping a table the database keeps (Django's `DeleteModel` among a
    `SeparateDatabaseAndState`'s `state_operations` only): no statement reaches the database; the table is
    left to be dropped by a later migration, once no running release uses it."""

    table: str


@dataclass(frozen=True, kw_only=True)
class Unparsed(Operation):
    """A statement the review could not understand. It becomes a finding that blocks, never a crash."""

    error: str


# --- the migration ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suppression:
    rules: tuple[str, ...]
    reason: str
    line: int  # the line of the comment
    applies_to: int  # the first line of the statement it covers; 0 for the whole file
    dimension: str = ""  # every rule of this dimension too (Rails' safety_assured), but for `keep`
    keep: frozenset[str] = frozenset()  # rules a dimension-wide suppression never covers

    def covers(self, rule: str, dimension: str) -> bool:
        """Whether the suppression names `rule` (canonical ids in `rules`) or covers its whole dimension."""
        return rule in self.rules or (dimension == self.dimension and rule not in self.keep)


@dataclass(frozen=True)
class Rebuild:
    """One table rebuilt by copy: `table` is its name before and after, `dropped` the table the rebuild drops
    (the old table, or the old one renamed away), `copy` the table the rows are copied into."""

    table: str
    dropped: str
    copy: str
    # a rebuild through a backup table: the table the rows wait in while `table` is made again
    backup: str = ""


def _copied(ops: tuple[Operation, ...], into: str, source: str) -> bool:
    """An INSERT … SELECT from `source` into `into`, or `into` created as a SELECT from `source`."""
    return any(
        (isinstance(e, DataInsert) or (isinstance(e, CreateTable) and e.as_select))
        and e.table == into
        and re.search(rf"\bFROM\s+[\"`\[]?{re.escape(source)}\b", e.sql, re.I)
        for e in ops
    )


def _drops(ops: tuple[Operation, ...], table: str) -> bool:
    return any(isinstance(e, DropTable) and e.table == table for e in ops)


@dataclass(frozen=True)
class Migration:
    path: str
    framework: str
    dialect: str
    up: tuple[Operation, ...]
    down: tuple[Operation, ...] | None  # None: there is no way back
    in_transaction: bool
    transaction_note: str = ""
    # True when `in_transaction` comes only from the file's own BEGIN … COMMIT: statements outside it run
    # without a transaction (plain SQL and sqitch files, which no runner wraps).
    file_transaction: bool = False
    # True when the runner's transaction is PostgreSQL's implicit one (the whole script sent in one call):
    # a BEGIN in the file turns it into a regular block instead of nesting, and after a COMMIT the rest of
    # the script runs in a new implicit transaction (Prisma, golang-migrate).
    implicit_transaction: bool = False
    # True when the runner runs every pending migration in the one transaction (Kysely's default
    # `transactionMode: 'per-run'`): what an earlier migration of the same run did is not committed yet
    batch_transaction: bool = False
    down_path: str | None = None
    irreversible_reason: str = ""  # why `down` is None or raises, when known
    # the way back is an empty method (Rails' `def down; end`, Alembic's `pass`): the rollback runs, and
    # changes nothing
    down_does_nothing: bool = False
    suppressions: tuple[Suppression, ...] = ()
    version: str = ""
    # the online schema-change tool that runs the migration's ALTER TABLE statements (MySQL's
    # pt-online-schema-change through Rails' Departure gem): it copies the table while writes go on
    online_tool: str = ""
    # saves whose failure (a validation, a callback that aborts) the code does not check: read from the up's code,
    # apart from `up` (they change no rows of their own beyond the data operations already read there)
    unchecked_saves: tuple[UncheckedSave, ...] = ()
    # edited copies of a record's text the code throws away (Rails `row.name.strip` as a statement)
    discarded_edits: tuple[DiscardedEdit, ...] = ()
    # what makes it a migration only new installs run, beside the history existing databases ran (a snapshot
    # of the whole schema, a Flyway baseline), said after its path; "" for a step of that history
    baseline: str = ""
    # why its runner never runs the file (a subfolder it does not read, a name it passes over:
    # bot.frameworks.unreached); "" for a file it runs
    unreached: str = ""

    def tables_created(self) -> set[str]:
        """Tables, and views that can carry indexes, that this migration creates."""
        created = {op.table for op in self.up if isinstance(op, CreateTable)}
        for op in self.up:
            match = _CREATE_VIEW.match(op.sql) if isinstance(op, RawSQL) and "view" in op.category else None
            if match:
                name = match.group(1).replace('"', "").lower()
                created.add(name.removeprefix("public."))
        return created

    def rebuilt_tables(self) -> frozenset[str]:
        """Tables rebuilt the way SQLite alters most things (Django's SQLite schema editor, `sqlmigrate`),
        named as the table the rebuild drops: a new table is created, the rows are copied into it and the old
        one dropped. The table stays, with its rows: dropping the old one loses nothing."""
        return frozenset(rebuild.dropped for rebuild in self.rebuilds())

    def rebuilds(self) -> tuple[Rebuild, ...]:
        """Each table rebuild, in either order of the pattern: create `new__t`, copy `t` into it, drop `t`,
        rename `new__t` to `t`; or rename `t` to `t__old`, create `t`, copy `t__old` into it, drop `t__old`."""
        found: list[Rebuild] = []
        for index, op in enumerate(self.up):
            if not isinstance(op, RenameTable):
                continue
            earlier, later = self.up[:index], self.up[index + 1 :]
            if any(
                isinstance(e, CreateTable) and e.table == op.table for e in earlier
            ):  # new takes old's name
                if _copied(earlier, op.table, op.new_name) and _drops(earlier, op.new_name):
                    found.append(Rebuild(table=op.new_name, dropped=op.new_name, copy=op.table))
                continue
            renamed_away = any(isinstance(e, CreateTable) and e.table == op.table for e in later)
            if renamed_away and _copied(later, op.table, op.new_name) and _drops(later, op.new_name):
                found.append(Rebuild(table=op.table, dropped=op.new_name, copy=op.table))
        return tuple(found) + self._round_trips(found)

    def _round_trips(self, found: list[Rebuild]) -> tuple[Rebuild, ...]:
        """A rebuild through a backup table, with no rename (authelia's SQLite migrations): copy `t` into
        `_bkp_t`, drop `t`, create `t` again, copy `_bkp_t` back into it, drop `_bkp_t`."""
        trips: list[Rebuild] = []
        for index, op in enumerate(self.up):
            if not isinstance(op, DropTable) or any(r.table == op.table for r in (*found, *trips)):
                continue
            earlier, later = self.up[:index], self.up[index + 1 :]
            again = next(
                (i for i, e in enumerate(later) if isinstance(e, CreateTable) and e.table == op.table), None
            )
            if again is None:
                continue
            backups = {e.table for e in earlier if isinstance(e, CreateTable) and e.table != op.table}
            backup = next(
                (
                    b
                    for b in sorted(backups)
                    if _copied(earlier, b, op.table) and _copied(later[again:], op.table, b)
                ),
                None,
            )
            if backup is not None:
                trips.append(Rebuild(table=op.table, dropped=op.table, copy=op.table, backup=backup))
        return tuple(trips)

    def named_as_rebuilt(self) -> tuple[Operation, ...]:
        """The up operations, a row change on the copy a rebuild fills (`DELETE FROM reaction_new …` before
        `reaction_new` is renamed `reaction`) named as the rebuilt table: the one that holds those rows before
        the deploy and after it."""
        copies = {rebuild.copy: rebuild.table for rebuild in self.rebuilds()}
        if not copies:
            return self.up
        return tuple(
            replace(op, table=copies[op.table])
            if isinstance(op, DataUpdate | DataDelete) and op.table in copies
            else op
            for op in self.up
        )

    def same_statement(self, op: Operation) -> tuple[Operation, ...]:
        """The operations read from `op`'s statement, `op` among them: the subcommands of one ALTER TABLE
        (`DROP FOREIGN KEY fk, MODIFY user_id bigint`), which the database carries out together."""
        return tuple(other for other in self.up if other.location == op.location and other.sql == op.sql)

    def alone_on_lines(self, op: Operation) -> bool:
        """Is `op`'s statement the only one on its lines, so that a suggestion may replace those lines?"""
        first, last = op.location.line, op.end_line or op.location.line
        return not any(
            (other.location, other.sql) != (op.location, op.sql)
            and other.location.line <= last
            and (other.end_line or other.location.line) >= first
            for other in self.up
        )


_CREATE_VIEW = re.compile(
    r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:MATERIALIZED\s+)?VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"]+)", re.I
)

# Operation kinds that read or change existing rows, so production values matter.
DATA_CHANGES = (DataUpdate, DataDelete, DataInsert)


def declared_columns(migration: Migration) -> Iterator[tuple[Operation, str, ColumnSpec]]:
    """Every column a migration declares or retypes: (operation, table, column as declared). The columns of a
    temporary table (gone when the migration's session ends, a scratch map of ids) are no one's design."""
    temporary = temporary_tables(migration)
    for op in migration.up:
        if isinstance(op, CreateTable) and op.table not in temporary:
            for column in op.columns:
                yield op, op.table, column
        elif isinstance(op, AddColumn) and op.table not in temporary:
            yield op, op.table, op.column
        elif isinstance(op, AlterColumnType) and op.table not in temporary:
            yield op, op.table, ColumnSpec(name=op.column, type=op.new_type)


def temporary_tables(migration: Migration) -> frozenset[str]:
    """The tables the migration creates TEMPORARY (or dropped at commit)."""
    return frozenset(op.table for op in migration.up if isinstance(op, CreateTable) and op.temporary)


def transaction_flags(migration: Migration) -> tuple[bool, ...]:
    """For each `up` operation: does it run inside a transaction (the runner's or one the file opens)?

    PostgreSQL does not nest transactions: a BEGIN inside one is ignored, and the first COMMIT or ROLLBACK
    ends it, the runner's included, so the statements after it run on their own until the next BEGIN. A
    script sent in one call is the exception: what follows a COMMIT is a new implicit transaction.

    Worked out once per migration: several rules ask.
    """
    return _flags(migration)


def _transaction_flags(migration: Migration) -> tuple[bool, ...]:
    flags = []
    open_ = migration.in_transaction and not migration.file_transaction
    outer = open_  # in a DO block: whether a transaction was open around it
    for op in migration.up:
        if isinstance(op, Transaction) and op.action.startswith("block-"):
            # a DO block is one transaction (its COMMITs start the next): its statements share it even
            # where the file's statements run each on its own; its markers say what is open around it
            if op.action == "block-begin":
                outer, open_ = open_, True
            elif op.action == "block-end":
                open_ = outer
            flags.append(outer)
        elif isinstance(op, Transaction):
            if op.action == "begin":
                open_ = True
            elif op.action in ("commit", "rollback"):
                open_ = migration.implicit_transaction
            flags.append(True)
        else:
            flags.append(open_)
    return tuple(flags)


_flags: ByIdentity[Migration, tuple[bool, ...]] = ByIdentity(_transaction_flags)


def wrapped(migration: Migration) -> bool:
    """Does every statement run inside a transaction: the runner's, or those the file's own markers open (a
    Liquibase changelog's changeSets, each in its own)?"""
    if migration.in_transaction:
        return True
    pairs = zip(migration.up, transaction_flags(migration), strict=True)
    return any(isinstance(op, Transaction) for op in migration.up) and all(
        inside for op, inside in pairs if not isinstance(op, Transaction)
    )


def statement_count(ops: tuple[Operation, ...]) -> int:
    """How many statements (not transaction control) the operations come from: one statement can be several."""
    return len({op.location.line for op in ops if not isinstance(op, Transaction)})
