"""SQL migration files, shared by every framework whose migrations are SQL (and by `execute` calls)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pglast import ast

from bot.frameworks import history_cache, suppressions
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import (
    PLACEHOLDER,
    AddConstraint,
    AlterColumnType,
    ColumnSpec,
    DropConstraint,
    DropNotNull,
    Migration,
    Operation,
    SetDefault,
    SetNotNull,
    Transaction,
    Unparsed,
)
from bot.sql import pg_statements, pg_translate, prepared, refused_types, sqlite_syntax
from bot.sql.statements import Statement, split


def parse_sql(path: str, text: str, dialect: str, *, first_line: int = 1) -> tuple[Operation, ...]:
    """The operations of a SQL text: PostgreSQL through its own grammar, the other dialects through sqlglot.

    Kept on disk by its text (a history's files are read again by every review on a new base commit)."""
    return history_cache.remembered(
        lambda: _parse_sql(path, text, dialect, first_line), text, path, dialect, first_line
    )


# What a runner or a tool fills in before the database reads the file: Flyway's and Liquibase's `${schema}`, Go
# templates' `{{ index .Options "Namespace" }}` (pop, which supabase's auth renders every migration with)
# (a Go template action starts with a field, a variable or a keyword: `'{{1,2},{3,4}}'` is PostgreSQL's array)
_ACTION = (
    r"\{\{-?\s*(?:[.$]|(?:index|if|else|end|range|with|template|block|printf|or|and|not)\b)[^{}]*?-?\}\}"
)
_FILLED_IN = re.compile(rf"\$\{{[^}}\n]*\}}|{_ACTION}", re.S)
_QUALIFIER = re.compile(rf"(?:\$\{{[^}}\n]*\}}|{_ACTION})[ \t]*\.[ \t]*(?=[\w\"`])", re.S)


def _filled_in(text: str) -> str:
    """The text with what is filled in before it runs made plain SQL, lines kept: a schema qualifier
    (`{{ … }}.users`, `${schema}.users`) left out, any other value read as a placeholder."""
    if "${" not in text and "{{" not in text:
        return text
    text = _QUALIFIER.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    return _FILLED_IN.sub(lambda m: PLACEHOLDER + "\n" * m.group(0).count("\n"), text)


def _parse_sql(path: str, text: str, dialect: str, first_line: int) -> tuple[Operation, ...]:
    text = _filled_in(text)
    read = (
        _parse_postgres(path, text, first_line)
        if dialect == "postgres"
        else _parse_other(path, text, dialect, first_line)
    )
    return tuple(dataclasses.replace(_judgeable(op), spelled_out=True) for op in read)


def _judgeable(op: Operation) -> Operation:
    """The operation, or Unparsed when the code fills in the table or column it changes when it runs
    (`ALTER TABLE ${table} …`): a rule would speak of the placeholder as if it were a table."""
    column = getattr(op, "column", "")
    targets = {
        getattr(op, "table", ""),
        column.name if isinstance(column, ColumnSpec) else column,
        getattr(op, "new_name", ""),
        *(target for target, _ in getattr(op, "assignments", ())),
    }
    if PLACEHOLDER not in targets:
        return op
    return Unparsed(
        location=op.location,
        end_line=op.end_line,
        sql=op.sql.replace(PLACEHOLDER, "…"),
        error="the table or column it changes is filled in by the migration's code when it runs",
    )


def _parse_other(path: str, text: str, dialect: str, first_line: int) -> tuple[Operation, ...]:
    from bot.sql.translate import operations  # sqlglot's readers: a PostgreSQL history never needs them

    ops: list[Operation] = []
    held: dict[str, tuple[tuple[str, ...], bool]] = {}  # MySQL user variables that hold statements
    ready: dict[str, tuple[tuple[str, ...], bool]] = {}  # prepared statements, by name
    ansi_quotes = refused_types.sets_ansi_quotes(text)
    for statement in split(text, dialect, first_line=first_line):
        if dialect in ("mysql", "mariadb"):
            dynamic = _dynamic(statement, path, dialect, held, ready)
            if dynamic is not None:
                ops.extend(dynamic)
                continue
        refusal = (
            refused_types.mysql_refusal(statement.text, ansi_quotes)
            if dialect in ("mysql", "mariadb")
            else None
        )
        if refusal is not None:
            ops.append(_refused(statement, path, f"MySQL rejects it: {refusal}"))
        try:
            read = operations(statement, path, dialect)
            if dialect == "sqlite" and refusal is None:
                refusal = _sqlite_refusal(statement.text, read)
                if refusal is not None:
                    ops.append(
                        _refused(statement, path, f"SQLite {sqlite_syntax.VERSION} rejects it: {refusal}")
                    )
            # what the reader made of a refused statement, but that it could not read it (said already)
            ops.extend(op for op in read if refusal is None or not isinstance(op, Unparsed))
        except Exception as error:  # one statement the translator trips on must not hide the others
            location = Location(path, statement.line)
            ops.append(
                Unparsed(
                    location=location,
                    end_line=statement.end_line,
                    sql=statement.text,
                    error=f"{type(error).__name__}: {error}",
                )
            )
    return tuple(ops)


# what sqlite-alter-unsupported says of a statement SQLite cannot read, with the rebuild to write instead
_SAID_BY_ALTER_RULE = (AlterColumnType, SetNotNull, DropNotNull, SetDefault, AddConstraint, DropConstraint)


def _sqlite_refusal(text: str, read: Iterable[Operation]) -> str | None:
    """SQLite's syntax error for a statement it cannot read (bot.sql.sqlite_syntax), unless the statement is one
    sqlite-alter-unsupported reports, or holds a value the code fills in when it runs."""
    read = list(read)
    if PLACEHOLDER in text or any(isinstance(op, _SAID_BY_ALTER_RULE) for op in read):
        return None
    return sqlite_syntax.refusal(text)


def _dynamic(
    statement: Statement,
    path: str,
    dialect: str,
    held: dict[str, tuple[tuple[str, ...], bool]],
    ready: dict[str, tuple[tuple[str, ...], bool]],
) -> list[Operation] | None:
    """MySQL's dynamic SQL (see `bot.sql.prepared`): a `SET @v` that holds statements is remembered (and read
    as usual), `PREPARE … FROM @v` and `DEALLOCATE PREPARE` of a known one run nothing of their own, and
    `EXECUTE` of a known one is the statements it runs, read at its line, guarded (IF EXISTS / IF NOT EXISTS)
    where a condition picks them. None: read the statement as any other."""
    found = prepared.assigned(statement)
    if found is not None:
        held[found[0]] = (found[1], found[2])
        return None
    if (named := prepared.prepared(statement)) is not None:
        if named[1] not in held:
            return None
        ready[named[0]] = held[named[1]]
        return []
    if (name := prepared.deallocated(statement)) is not None:
        return [] if name in ready else None
    if (name := prepared.executed(statement)) is None or name not in ready:
        return None
    texts, conditional = ready[name]
    ops: list[Operation] = []
    for inner in texts:
        for op in _parse_other(path, inner, dialect, statement.line):
            op = dataclasses.replace(op, location=Location(path, statement.line), end_line=statement.end_line)
            ops.append(_guarded(op) if conditional else op)
    return ops


def _guarded(op: Operation) -> Operation:
    """A statement run only where a condition found it applies: a DROP as with IF EXISTS, a CREATE or ADD as
    with IF NOT EXISTS."""
    fields = {f.name for f in dataclasses.fields(op)}
    guarded: Operation = op
    if "if_exists" in fields and type(op).__name__.startswith("Drop"):
        guarded = dataclasses.replace(cast(Any, op), if_exists=True)
    elif "if_not_exists" in fields:
        guarded = dataclasses.replace(cast(Any, op), if_not_exists=True)
    return guarded


def _parse_postgres(path: str, text: str, first_line: int) -> tuple[Operation, ...]:
    ops: list[Operation] = []
    statements = pg_statements.split(text, first_line=first_line)
    created: set[str] = set()  # the types the file has created so far (a domain named `datetime`)
    for statement in statements:
        created |= _created_types(statement.node)
        refusal = (
            refused_types.postgres_refusal(statement.node, frozenset(created))
            if statement.node is not None
            else None
        )
        if refusal is not None:  # read on for what it would do, after the finding that it never does it
            ops.append(_refused(statement, path, f"PostgreSQL rejects it: {refusal}"))
        try:
            ops.extend(pg_translate.operations(statement, path))
        except Exception as error:  # one statement the translator trips on must not hide the others
            location = Location(path, statement.line)
            ops.append(
                Unparsed(
                    location=location,
                    end_line=statement.end_line,
                    sql=statement.text,
                    error=f"{type(error).__name__}: {error}",
                )
            )
    return tuple(ops)


def _refused(statement: Statement | pg_statements.PgStatement, path: str, error: str) -> Unparsed:
    return Unparsed(
        location=Location(path, statement.line), end_line=statement.end_line, sql=statement.text, error=error
    )


def _created_types(node: ast.Node | None) -> set[str]:
    """The type a PostgreSQL statement creates (a domain, an enum, a composite or range type), by its last name."""
    if isinstance(node, ast.CreateDomainStmt | ast.CreateEnumStmt | ast.CreateRangeStmt):
        parts = node.domainname if isinstance(node, ast.CreateDomainStmt) else node.typeName
        return {str(getattr(parts[-1], "sval", ""))} if parts else set()
    if isinstance(node, ast.CompositeTypeStmt) and node.typevar is not None:
        return {str(node.typevar.relname)}
    if isinstance(node, ast.DefineStmt) and node.defnames:
        return {str(getattr(node.defnames[-1], "sval", ""))}
    return set()


@dataclass(frozen=True)
class WayBack:
    """A migration's down side: its operations and file, or why it has none."""

    ops: tuple[Operation, ...] | None = None
    path: str | None = None
    missing: str = ""
    # the runner rolls the migration back without one, running nothing (golang-migrate without a down file,
    # goose without a Down section): the rollback succeeds and restores nothing
    runs_empty: bool = False


def down_file(
    tree: Tree, candidates: Sequence[str], dialect: str, *, missing: str, runs_empty: bool = False
) -> WayBack:
    """The first candidate file that exists, parsed; else no way back, for the reason given."""
    for candidate in candidates:
        text = tree.read(candidate)
        if text is not None:
            return WayBack(parse_sql(candidate, text, dialect), candidate)
    return WayBack(missing=missing, runs_empty=runs_empty)


def down_section(
    path: str, section: tuple[str, int] | None, dialect: str, *, missing: str, runs_empty: bool = False
) -> WayBack:
    """A down section inside the migration file itself (goose, dbmate), parsed at its own lines."""
    if section is None or not section[0].strip():
        return WayBack(missing=missing, runs_empty=runs_empty)
    text, first_line = section
    return WayBack(parse_sql(path, text, dialect, first_line=first_line), path)


def build(
    path: str,
    framework: str,
    dialect: str,
    up: tuple[Operation, ...],
    back: WayBack,
    *,
    text: str,
    in_transaction: bool,
    note: str,
    version: str = "",
    file_transaction: bool = False,
    implicit_transaction: bool = False,
) -> Migration:
    return Migration(
        path=path,
        framework=framework,
        dialect=dialect,
        up=up,
        down=back.ops,
        in_transaction=in_transaction,
        transaction_note=note,
        file_transaction=file_transaction,
        implicit_transaction=implicit_transaction,
        down_path=back.path,
        irreversible_reason=back.missing if back.ops is None else "",
        down_does_nothing=back.ops is None and back.runs_empty,
        suppressions=suppressions.find(text, up),
        version=version,
    )


def has_explicit_transaction(ops: tuple[Operation, ...]) -> bool:
    return any(isinstance(op, Transaction) and op.action == "begin" for op in ops)


def sibling(path: str, name: str) -> str:
    return f"{path.rsplit('/', 1)[0]}/{name}" if "/" in path else name
