"""Tables the repository's own migrations show to hold one row: a settings or instance table.

A table nobody sized is assumed large, and a lock on it is reported as the outage it would be on a big table.
Some tables hold one row by design, and the schema says so: a CHECK that holds the primary key (or a unique
column) to one value (`id integer PRIMARY KEY CHECK (id = 1)`, `lock boolean PRIMARY KEY CHECK (lock)`), a
unique index on a constant (`CREATE UNIQUE INDEX … ON settings ((true))`); or the migrations create it and
insert one row, and its name says it holds the application's settings (`site`, `settings`, `instance`,
`configuration`). A name alone is no evidence: a `settings` table of key/value rows grows with the code.
"""

from __future__ import annotations

import re

from sqlglot import exp

from bot.model.catalog import Catalog, same_table, unqualified
from bot.sql.data_changes import constant
from bot.sql.domains import condition
from bot.sql.names import identifier

# Names of tables that hold the application's (or the installation's) own settings.
_SETTINGS_NAME = re.compile(
    r"(?:^|_)(?:\w*?(?:settings?|config|configuration|preferences)|site|instance|singleton)s?$", re.I
)


def one_row(catalog: Catalog, table: str) -> str | None:
    """Why `table` holds at most one row, as a finding says it; None when the schema does not show it."""
    for check in catalog.checks.values():
        column = _held_to_one(check.expression) if same_table(check.table, table) else ""
        if column and _unique(catalog, table, column):
            return f"`CHECK ({check.expression})` holds its key `{column}` to one value"
    for name, index in catalog.index_definitions.items():
        if same_table(index.table, table) and index.unique and not index.where and _constants(index.columns):
            return f"its unique index `{name}` is on a constant"
    if catalog.inserted.get(table) == 1 and _SETTINGS_NAME.search(unqualified(table)):
        return "its migrations insert one row, and its name says it holds settings"
    return None


def _held_to_one(expression: str) -> str:
    """The column a CHECK allows one value of (`id = 1`, `1 = id`, `lock`, `lock IS TRUE`); "" otherwise."""
    tree = condition(expression)
    while isinstance(tree, exp.Paren):
        tree = tree.this
    if isinstance(tree, exp.Column):
        return identifier(tree.this)  # a boolean column that must be true
    if isinstance(tree, exp.EQ | exp.Is):
        for mine, other in ((tree.this, tree.expression), (tree.expression, tree.this)):
            if isinstance(mine, exp.Column) and constant(other):
                return identifier(mine.this)
    return ""


def _unique(catalog: Catalog, table: str, column: str) -> bool:
    """Is `column` alone the table's primary key, or the only column of a unique index (or constraint)?"""
    key = catalog.primary_keys.get(table) or catalog.primary_keys.get(unqualified(table))
    if key is not None and tuple(c.lower() for c in key) == (column,):
        return True
    return any(
        same_table(index.table, table) and index.unique and not index.where and index.columns == (column,)
        for index in catalog.index_definitions.values()
    )


def _constants(columns: tuple[str, ...]) -> bool:
    """Are all the indexed expressions constants (`(true)`, `(1)`)?"""
    if not columns:
        return False
    for text in columns:
        tree = condition(text)
        while isinstance(tree, exp.Paren):
            tree = tree.this
        if tree is None or not constant(tree):
            return False
    return True
