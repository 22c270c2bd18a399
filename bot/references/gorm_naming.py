"""GORM's naming convention: the table a Go struct maps when it declares no `TableName()`.

GORM names the table of `type OrderItem struct` `order_items` (snake case, plural; `SingularTable`
gives `order_item`) and a field `UserID` the column `user_id` (Go's initialisms: the search looks for
`UserID` and `HTTPStatus` along with `UserId`, see `inflection.go_name`); a tag `gorm:"column:x"`
overrides the column (read with the other tags, in `column_aliases`). Only files that use GORM (its import, `gorm.Model`, a `gorm:"…"` tag) are read this way. The project's `NamingStrategy` (`TablePrefix`,
`SingularTable`, see `naming_settings`) applies to every struct.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from bot.references.inflection import pluralize, underscore
from bot.references.naming_settings import DEFAULT as DEFAULT_NAMING
from bot.references.naming_settings import NamingSettings

_STRUCT = re.compile(r"^type[ \t]+([A-Z]\w*)[ \t]+struct[ \t]*\{", re.M)
_TABLE_NAME = re.compile(r"^func[ \t]*\(\s*\w*\s*\*?([A-Z]\w*)\s*\)\s*TableName\(", re.M)
_FIELD = re.compile(r"^[ \t]+([A-Z]\w*)[ \t]+[\w.*\[\]]+", re.M)


def uses_gorm(path: str, text: str) -> bool:
    return path.endswith(".go") and "gorm" in text


def structs(
    path: str, text: str, tables: Collection[str], naming: NamingSettings = DEFAULT_NAMING
) -> Iterator[tuple[str, str, int]]:
    """(table, struct, line) of each struct of a GORM file whose conventional table is one of `tables`."""
    if not uses_gorm(path, text):
        return
    named = set(_TABLE_NAME.findall(text))  # an explicit TableName() wins
    wanted = {t.lower(): t for t in tables}
    for match in _STRUCT.finditer(text):
        name = match.group(1)
        if name in named:
            continue
        singular = underscore(name)
        names = (singular,) if naming.gorm_singular else (pluralize(singular), singular)
        for table in (f"{naming.gorm_prefix}{n}".lower() for n in names):
            if table in wanted:
                yield wanted[table], name, text.count("\n", 0, match.start()) + 1
                break
