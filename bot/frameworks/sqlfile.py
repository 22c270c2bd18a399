"""SQL migration files, shared by every framework whose migrations are SQL (and by `execute` calls)."""

from __future__ import annotations

from bot import suppressions
from bot.findings import Location
from bot.migration import Migration, Operation, Transaction, Unparsed
from bot.sql import split
from bot.translate import operations


def parse_sql(path: str, text: str, dialect: str, *, first_line: int = 1) -> tuple[Operation, ...]:
    ops: list[Operation] = []
    for statement in split(text, dialect, first_line=first_line):
        try:
            ops.extend(operations(statement, path, dialect))
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


def build(
    path: str,
    framework: str,
    dialect: str,
    up: tuple[Operation, ...],
    down: tuple[Operation, ...] | None,
    *,
    text: str,
    in_transaction: bool,
    note: str,
    down_path: str | None = None,
    version: str = "",
    irreversible_reason: str = "",
) -> Migration:
    return Migration(
        path=path,
        framework=framework,
        dialect=dialect,
        up=up,
        down=down,
        in_transaction=in_transaction,
        transaction_note=note,
        down_path=down_path,
        irreversible_reason=irreversible_reason,
        suppressions=suppressions.find(text, up),
        version=version,
    )


def has_explicit_transaction(ops: tuple[Operation, ...]) -> bool:
    return any(isinstance(op, Transaction) and op.action == "begin" for op in ops)


def statement_count(ops: tuple[Operation, ...]) -> int:
    return len({op.location.line for op in ops if not isinstance(op, Transaction)})


def sibling(path: str, name: str) -> str:
    return f"{path.rsplit('/', 1)[0]}/{name}" if "/" in path else name
