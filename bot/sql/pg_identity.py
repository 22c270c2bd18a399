"""Identity columns made GENERATED ALWAYS by `ALTER TABLE`, read from PostgreSQL's own parse tree.

`ALTER COLUMN id SET GENERATED ALWAYS` switches an identity column (from `BY DEFAULT`); `ALTER COLUMN id ADD
GENERATED ALWAYS AS IDENTITY` makes one of a NOT NULL column without a default. Either way PostgreSQL then
refuses an INSERT that supplies the column's value unless it says `OVERRIDING SYSTEM VALUE`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pglast import ast
from pglast.enums import AlterTableType, ConstrType

from bot.sql.pg_nodes import alter_table_commands

_ALWAYS = ord("a")  # ATTRIBUTE_IDENTITY_ALWAYS, as pglast gives the `generated` option of SET GENERATED


@dataclass(frozen=True)
class AlwaysIdentity:
    table: str
    column: str
    added: bool  # ADD GENERATED ALWAYS AS IDENTITY (the column had no default), not SET GENERATED ALWAYS


def always_identities(sql: str) -> Iterator[AlwaysIdentity]:
    """Each column `sql` makes (or switches to) an identity GENERATED ALWAYS."""
    for table, cmd in alter_table_commands(sql):
        if cmd.name and _always(cmd):
            yield AlwaysIdentity(table, cmd.name, cmd.subtype == AlterTableType.AT_AddIdentity)


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
