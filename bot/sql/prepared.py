"""MySQL's dynamic SQL in a migration: a statement kept in a user variable, prepared and executed.

    SET @drop_fk = IF((SELECT … FROM information_schema.TABLE_CONSTRAINTS WHERE …) = true,
        'ALTER TABLE sso_users DROP FOREIGN KEY sso_users_ibfk_1', 'SELECT 1');
    PREPARE stmt FROM @drop_fk;
    EXECUTE stmt;
    DEALLOCATE PREPARE stmt;

is how a MySQL migration runs a DDL statement only where it applies (MySQL has no `DROP FOREIGN KEY IF
EXISTS`). When the variable holds a string, or an `IF(…)` of two strings one of which does nothing, the
statement the EXECUTE runs is known: it is read at the EXECUTE's line, as guarded when it runs under a condition.
A variable built another way (`CONCAT(…)` of names read from the schema) stays a statement the review could not
read.
"""

from __future__ import annotations

import re

from sqlglot import exp

from bot.sql.statements import Statement

# What a branch of IF(…) runs when there is nothing to do
_NOTHING = re.compile(r"^\s*(?:SELECT\s+(?:1|0|NULL|TRUE|FALSE|'[^']*')|DO\s+0)\s*;?\s*$", re.I)
_PREPARE = re.compile(r"^\s*PREPARE\s+(\w+)\s+FROM\s+@(\w+)\s*;?\s*$", re.I)
_EXECUTE = re.compile(r"^\s*EXECUTE\s+(\w+)\s*;?\s*$", re.I)
_DEALLOCATE = re.compile(r"^\s*(?:DEALLOCATE|DROP)\s+PREPARE\s+(\w+)\s*;?\s*$", re.I)


def assigned(statement: Statement) -> tuple[str, tuple[str, ...], bool] | None:
    """`SET @v = '…'` or `SET @v = IF(cond, '…', '…')`: (variable, the statements it may hold that do
    something, whether a condition picks), or None for any other statement or value."""
    node = statement.expression
    if not isinstance(node, exp.Set) or len(node.expressions) != 1:
        return None
    item = node.expressions[0].this
    if not isinstance(item, exp.EQ) or not isinstance(item.this, exp.Parameter):
        return None
    name, value = item.this.name.lower(), item.expression
    if isinstance(value, exp.Literal) and value.is_string:
        return name, tuple(t for t in (value.this,) if not _NOTHING.match(t)), False
    if isinstance(value, exp.If):
        branches = (value.args.get("true"), value.args.get("false"))
        if all(isinstance(b, exp.Literal) and b.is_string for b in branches):
            texts = tuple(
                b.this for b in branches if isinstance(b, exp.Literal) and not _NOTHING.match(b.this)
            )
            return name, texts, True
    return None


def prepared(statement: Statement) -> tuple[str, str] | None:
    """`PREPARE stmt FROM @v`: (statement name, variable)."""
    match = _PREPARE.match(statement.text)
    return (match.group(1).lower(), match.group(2).lower()) if match else None


def executed(statement: Statement) -> str | None:
    """`EXECUTE stmt` (without USING): the statement name."""
    match = _EXECUTE.match(statement.text)
    return match.group(1).lower() if match else None


def deallocated(statement: Statement) -> str | None:
    """`DEALLOCATE PREPARE stmt` / `DROP PREPARE stmt`: the statement name."""
    match = _DEALLOCATE.match(statement.text)
    return match.group(1).lower() if match else None
