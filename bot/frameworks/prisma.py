"""Prisma Migrate: `prisma/migrations/<timestamp>_<name>/migration.sql`, with no down migrations.

Prisma sends the script in one call, so on PostgreSQL a script with several statements runs in one
implicit transaction. The way back is a new migration (`prisma migrate diff`), written by hand.
"""

from __future__ import annotations

from bot.changeset import Tree
from bot.frameworks.sqlfile import build, has_explicit_transaction, parse_sql, statement_count
from bot.migration import Migration

NAME = "prisma"


def detect(path: str, text: str) -> bool:
    parts = path.split("/")
    return len(parts) >= 3 and parts[-1] == "migration.sql" and parts[-3] == "migrations"


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return path.split("/")[-2].split("_", 1)[0]


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up = parse_sql(path, text, dialect)
    many = statement_count(up) > 1
    in_transaction = has_explicit_transaction(up) or (many and dialect == "postgres")
    note = (
        "Prisma sends the script in one call, which PostgreSQL runs as one implicit transaction"
        if in_transaction
        else "Prisma does not wrap this migration in a transaction"
    )
    return build(
        path,
        NAME,
        dialect,
        up,
        None,
        text=text,
        in_transaction=in_transaction,
        note=note,
        version=version(path),
        irreversible_reason="Prisma Migrate has no down migrations: write the reverse as a new migration",
    )
