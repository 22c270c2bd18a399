"""Column types written for another database, which the one the migration runs on refuses.

A multi-database project writes each migration once per database, and a line copied from the MySQL file into the
PostgreSQL one (`login_time DATETIME NOT NULL`) or back (`ADD COLUMN data jsonb`) reads as SQL to every parser
and fails on the server: PostgreSQL has no type `datetime` ("type "datetime" does not exist"), MySQL none called
`jsonb` ("Unknown data type"). sqlglot reads both as the other dialect's equivalent and pglast's names are only
names, so neither says so; this module does, from the type names each server was checked to refuse (PostgreSQL
15, MariaDB 10.11, MySQL 8's manual). SQLite takes any name as a type and refuses none of them.

MySQL and MariaDB also read a name in double quotes (`ADD COLUMN "key" TEXT`) as a string, unless the session's
`sql_mode` has ANSI_QUOTES: the statement is a syntax error there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pglast import ast

# unqualified names PostgreSQL has no type for, with the type it has instead (PostGIS' `geography` and other
# extensions' types are not here: an extension may create them)
_NOT_POSTGRES = {
    "datetime": "timestamp",
    "datetime2": "timestamp",
    "smalldatetime": "timestamp(0)",
    "datetimeoffset": "timestamptz",
    "year": "smallint",
    "tinyint": "smallint",
    "mediumint": "integer",
    "double": "double precision",
    "number": "numeric",
    "signed": "integer",
    "unsigned": "bigint",
    "tinytext": "text",
    "mediumtext": "text",
    "longtext": "text",
    "ntext": "text",
    "clob": "text",
    "nclob": "text",
    "longvarchar": "text",
    "string": "text",
    "nvarchar": "varchar",
    "varchar2": "varchar",
    "nvarchar2": "varchar",
    "blob": "bytea",
    "tinyblob": "bytea",
    "mediumblob": "bytea",
    "longblob": "bytea",
    "binary": "bytea",
    "varbinary": "bytea",
    "image": "bytea",
    "raw": "bytea",
    "long": "text",
    "uniqueidentifier": "uuid",
    "smallmoney": "numeric",
    "rowversion": "bytea",
    "sql_variant": "text",
    "enum": "an enum type (CREATE TYPE … AS ENUM) or text with a CHECK",
    "set": "text[]",
}

# PostgreSQL types that take no modifier: `text(100)` is "type modifier is not allowed for type "text""
_NO_MODIFIER = frozenset(
    {
        "text", "bytea", "uuid", "json", "jsonb", "date", "inet", "cidr", "macaddr", "money", "int2", "int4",
        "int8", "float4", "float8", "serial", "bigserial", "smallserial", "serial4", "serial8", "serial2",
        "citext", "xml", "tsvector", "tsquery",
    }
)  # fmt: skip

# PostgreSQL's own type names MySQL and MariaDB refuse ("Unknown data type"), with theirs
# from 10.7 on, never MySQL's
_NOT_MYSQL = {
    "timestamptz": "datetime or timestamp",
    "timetz": "time",
    "jsonb": "json",
    "bytea": "blob (or varbinary(n))",
    "bigserial": "bigint unsigned auto_increment",
    "smallserial": "smallint auto_increment",
    "inet": "varchar(45) (or MariaDB's inet6)",
    "cidr": "varchar(49)",
    "macaddr": "varchar(17)",
    "interval": "an integer of seconds, or time",
    "money": "decimal(19, 4)",
    "citext": "a varchar with a case-insensitive collation",
    "hstore": "json",
    "tsvector": "a FULLTEXT index",
    "int4range": "two columns",
    "tstzrange": "two columns",
    "datetime2": "datetime",
    "datetimeoffset": "datetime",
    "uniqueidentifier": "char(36)",
}

_WORD = r"(?:`[^`]+`|\"[^\"]+\"|\w+)"
# the type after a column's name: first in an ALTER TABLE or after a comma, behind ADD [COLUMN], MODIFY [COLUMN] or
# CHANGE old, or in a CREATE TABLE's column list
_COLUMN_TYPE = re.compile(
    rf"(?:[(,]|\bALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_WORD}(?:\.{_WORD})?)\s*"
    r"(?:ADD(?:\s+COLUMN)?(?:\s+IF\s+NOT\s+EXISTS)?\s+|MODIFY(?:\s+COLUMN)?(?:\s+IF\s+EXISTS)?\s+"
    rf"|CHANGE(?:\s+COLUMN)?(?:\s+IF\s+EXISTS)?\s+{_WORD}\s+)?"
    rf"{_WORD}\s+(\w+)(\s+WITH\s+TIME\s+ZONE\b)?",
    re.I,
)
# a name in double quotes where MySQL expects one: after TABLE, ADD [COLUMN], MODIFY, CHANGE, DROP COLUMN,
# RENAME COLUMN … TO, and first in a CREATE TABLE's column list
_QUOTED_NAME = re.compile(
    r"(?:\bTABLE(?:\s+IF\s+(?:NOT\s+)?EXISTS)?|\bADD(?:\s+COLUMN)?(?:\s+IF\s+NOT\s+EXISTS)?"
    r"|\bMODIFY(?:\s+COLUMN)?|\bCHANGE(?:\s+COLUMN)?|\bDROP\s+COLUMN(?:\s+IF\s+EXISTS)?|\bRENAME\s+COLUMN"
    rf"|\bRENAME\s+COLUMN\s+{_WORD}\s+TO|\bCREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?\s+{_WORD}\s*\()"
    r"\s*\"(\w+)\"",
    re.I,
)
_STRIPPED = re.compile(r"--[^\n]*|#[^\n]*|/\*.*?\*/|'(?:[^'\\]|\\.|'')*'", re.S)
_DDL = re.compile(r"^\s*(?:CREATE\s+(?:TEMPORARY\s+)?TABLE|ALTER\s+TABLE)\b", re.I)


def postgres_refusal(node: ast.Node, created: frozenset[str]) -> str | None:
    """Why PostgreSQL refuses a CREATE TABLE or ALTER TABLE for a column's type, or None; `created` holds the
    types the file itself creates (a domain named `datetime`)."""
    for type_name in _column_types(node):
        names = [str(getattr(n, "sval", "")) for n in type_name.names or ()]
        if len(names) == 1 and names[0] in _NOT_POSTGRES and names[0] not in created:
            return (
                f"type \"{names[0]}\" does not exist; it is another database's, PostgreSQL's is "
                f"{_NOT_POSTGRES[names[0]]}"
            )
        if (
            names[-1:]
            and names[-1] in _NO_MODIFIER
            and type_name.typmods
            and names[0] in (names[-1], "pg_catalog")
        ):
            return f'type modifier is not allowed for type "{names[-1]}" ; write `{names[-1]}` alone'
    return None


def _column_types(node: ast.Node) -> Iterator[ast.TypeName]:
    if isinstance(node, ast.CreateStmt):
        for element in node.tableElts or ():
            if isinstance(element, ast.ColumnDef) and element.typeName is not None:
                yield element.typeName
    elif isinstance(node, ast.AlterTableStmt):
        for cmd in node.cmds or ():
            definition = getattr(cmd, "def_", None)
            if isinstance(definition, ast.ColumnDef) and definition.typeName is not None:
                yield definition.typeName


def mysql_refusal(text: str, ansi_quotes: bool) -> str | None:
    """Why MySQL and MariaDB refuse a CREATE TABLE or ALTER TABLE statement's text for a type or a quoted name, or
    None. (`uuid`, MariaDB's type from 10.7 on and never MySQL's, is left alone: the reader does not know which.)"""
    if not _DDL.match(text):
        return None
    code = _STRIPPED.sub(" ", text)
    for match in _COLUMN_TYPE.finditer(code):
        written = match.group(1).lower()
        if match.group(2) and written in ("timestamp", "time"):
            return (
                f"`{written} with time zone` is no MySQL or MariaDB type; they store no zone, write {written}"
            )
        if written in _NOT_MYSQL:
            return f"MySQL and MariaDB have no type `{written}`; the nearest is {_NOT_MYSQL[written]}"
    if not ansi_quotes and (quoted := _QUOTED_NAME.search(code)) is not None:
        name = quoted.group(1)
        return (
            f'MySQL and MariaDB read "{name}" as a string, not a name, unless sql_mode has ANSI_QUOTES; '
            f"write `{name}`"
        )
    return None


def sets_ansi_quotes(text: str) -> bool:
    """Does the file turn on double-quoted names (`SET sql_mode = 'ANSI'` or one with ANSI_QUOTES)?"""
    return re.search(r"sql_mode\s*=.*\bANSI(?:_QUOTES)?\b", text, re.I) is not None
