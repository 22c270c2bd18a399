"""Naming settings an ORM applies to every model of a project, read once from where the ORM is opened.

GORM: `gorm.Open(…, &gorm.Config{NamingStrategy: schema.NamingStrategy{TablePrefix: "app_", SingularTable:
true}})` puts the prefix before every struct's table and keeps it singular (`type OrderItem struct` maps
`app_order_item`). Sequelize: `new Sequelize(…, { define: { freezeTableName: true, underscored: true } })`
gives every model the name as is (no plural) or the snake case table (`UserRole` → `user_roles`), unless
a model's own options say otherwise; `underscored` also gives each camelCase attribute a snake case column.
So do Drizzle's `drizzle(…, { casing: "snake_case" })` (and drizzle-kit's config), TypeORM's
`namingStrategy: new SnakeNamingStrategy()` and Objection's `knexSnakeCaseMappers()`: a field `userId` of the
code is the column `user_id`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.references.codesyntax.text import bracketed
from bot.references.inflection import go_name, model_name, singularize
from bot.references.languages import CAMEL_API_WORDS, family

_SNAKE_WORDS = (
    "snake_case",
    "SnakeNamingStrategy",
    "knexSnakeCaseMappers",
    "snakeCaseMappers",
    "CamelCasePlugin",
    "postgres.camel",
)
WORDS = frozenset(("NamingStrategy", "new Sequelize(", *_SNAKE_WORDS, *CAMEL_API_WORDS))
# a setting that maps every camelCase field of the code to a snake case column
_SNAKE_COLUMNS = re.compile(
    r"""\bcasing\s*:\s*["'`]snake_case["'`]|\bnew\s+SnakeNamingStrategy\s*\(|\b(?:knex)?[sS]nakeCaseMappers\s*\("""
    r"""|\bnew\s+CamelCasePlugin\s*\(|\bpostgres\.camel\b"""
)
_GORM = re.compile(r"NamingStrategy\s*\{")
_PREFIX = re.compile(r"\bTablePrefix\s*:\s*[\"`](\w*)[\"`]")
_SINGULAR = re.compile(r"\bSingularTable\s*:\s*true\b")
_SEQUELIZE = re.compile(r"\bnew\s+Sequelize\s*\(")
_DEFINE = re.compile(r"\bdefine\s*:\s*\{")
_FROZEN = re.compile(r"\bfreezeTableName\s*:\s*true\b")
_UNDERSCORED = re.compile(r"\bunderscored\s*:\s*true\b")


@dataclass(frozen=True)
class NamingSettings:
    gorm_prefix: str = ""
    gorm_singular: bool = False
    sequelize_frozen: bool = False
    sequelize_underscored: bool = False
    camel_api: bool = False  # the API turns the columns' snake case keys into camel case
    snake_columns: bool = False  # the ORM maps each camelCase field to a snake case column (see above)

    @property
    def snake_case_columns(self) -> bool:
        """Does a field `userId` of the code name the column `user_id`?"""
        return self.snake_columns or self.sequelize_underscored

    def tables(self) -> tuple[str, bool, bool, bool]:
        """The settings that name tables (a change of them means reading the tree again)."""
        return (self.gorm_prefix, self.gorm_singular, self.sequelize_frozen, self.sequelize_underscored)

    def model_names(self, table: str) -> tuple[str, ...]:
        """Struct names that map `table` under the GORM settings (`app_order_items` → `OrderItem`)."""
        if not self.gorm_prefix or not table.lower().startswith(self.gorm_prefix.lower()):
            return ()
        rest = table[len(self.gorm_prefix) :]
        return tuple(dict.fromkeys((model_name(rest), go_name(singularize(rest)))))


def settings_in(path: str, text: str) -> NamingSettings | None:
    """The settings a file opens its ORM with (or turns its API's keys into camel case with), or None."""
    if any(word in text for word in CAMEL_API_WORDS):
        return NamingSettings(camel_api=True)
    if family(path) == "script" and _SNAKE_COLUMNS.search(text):
        return NamingSettings(snake_columns=True)
    if path.endswith(".go"):
        match = _GORM.search(text)
        if match is None:
            return None
        start, end = bracketed(text, match.end() - 1)
        body = text[start:end]
        prefix = _PREFIX.search(body)
        return NamingSettings(
            gorm_prefix=prefix.group(1) if prefix else "", gorm_singular=bool(_SINGULAR.search(body))
        )
    match = _SEQUELIZE.search(text)
    if match is None:
        return None
    start, end = bracketed(text, match.end() - 1, "(", ")")
    define = _DEFINE.search(text, start, end)
    if define is None:
        return None
    begin, close = bracketed(text, define.end() - 1)
    body = text[begin:close]
    return NamingSettings(
        sequelize_frozen=bool(_FROZEN.search(body)), sequelize_underscored=bool(_UNDERSCORED.search(body))
    )


def merged(found: Iterable[NamingSettings]) -> NamingSettings:
    """One project's settings: what any place that opens the ORM sets."""
    settings = list(found)
    return NamingSettings(
        gorm_prefix=next((s.gorm_prefix for s in settings if s.gorm_prefix), ""),
        gorm_singular=any(s.gorm_singular for s in settings),
        sequelize_frozen=any(s.sequelize_frozen for s in settings),
        sequelize_underscored=any(s.sequelize_underscored for s in settings),
        camel_api=any(s.camel_api for s in settings),
        snake_columns=any(s.snake_columns for s in settings),
    )


DEFAULT = NamingSettings()  # an ORM's own conventions, nothing set
