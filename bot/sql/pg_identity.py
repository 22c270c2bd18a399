"""Identity columns made GENERATED ALWAYS by `ALTER TABLE`, read from PostgreSQL's own parse tree.

`ALTER COLUMN id SET GENERATED ALWAYS` switches an identity column (from `BY DEFAULT`); `ALTER COLUMN id ADD
GENERATED ALWAYS AS IDENTITY` makes one of a NOT NULL column without a default. Either way PostgreSQL then
refuses an INSERT that supplies the column's value unless it says `OVERRIDING SYSTEM VALUE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pglast
from pglast import ast
from pglast.enums import AlterTableType, ConstrType
from pglast.parser import ParseError

from bot.sql.pg_nodes import relation

_ALWAYS = ord("a")  # ATTRIBUTE_IDENTITY_ALWAYS, as pglast gives the `generated` option of SET GENERATED


@dataclass(frozen=True)
class AlwaysIdentity:
    table: str
    column: str
    added: bool  # ADD GENERATED ALWAYS AS IDENTITY (the column had no default), not SET GENERATED ALWAYS


def always_identities(sql: str) -> Iterator[AlwaysIdentity]:
    """Each column `sql` makes (or switches to) an identity GENERATED ALWAYS."""
    try:
        statements = pglast.parse_sql(sql)
    except ParseError:
        return
    for raw in statements:
        stmt = raw.stmt
        if not isinstance(stmt, ast.AlterTableStmt) or stmt.relation is None:
            continue
        for cmd in stmt.cmds or ():
            if isinstance(cmd, ast.AlterTableCmd) and cmd.name and _always(cmd):
                added = cmd.subtype == AlterTableType.AT_AddIdentity
                yield AlwaysIdentity(relation(stmt.relation), cmd.name, added)


def _always(cmd: ast.AlterTableCmd) -> bool:
    definition = cmd.def_
    if cmd.subtype == AlterTableType.AT_AddIdentity:
        return (
            isinstance(definition, ast.Constraint)
            and definition.contype == ConstrType.CONSTR_IDENTITY
            and definition.generated_when == "a"
        )
    if cmd.subtype == AlterTableType.AT_SetIdentity:
        return any(
            isinstance(option, ast.DefElem)
            and option.defname == "generated"
            and getattr(option.arg, "ival", None) == _ALWAYS
            for option in definition or ()
        )
    return False
