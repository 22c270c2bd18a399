"""A model lives in the language it is defined in: names in code of another language are not its uses.

A model class defined in Python (Django, SQLAlchemy) or Ruby (Rails) is used by Python or Ruby code; a
TypeScript type named like it (`type Organization = components["schemas"]["Organization"]`) is the
front end's own type. Prisma's models are TypeScript's (the client is generated for it). And such a
backend's API speaks in snake case: a camelCase name in front-end code (`dashboardId`, a route or function
parameter) is not its `dashboard_id` column, unless the project turns API keys into camel case
(djangorestframework-camel-case, `Jbuilder.key_format camelize: :lower`, humps' `camelizeKeys`,
`camelcase-keys`, pydantic's `alias_generator=to_camel`); the snake case name in the front end
(`widget.dashboard_id`) still reaches the API field.
"""

from __future__ import annotations

import re
from collections.abc import Collection

_FAMILIES = {
    "python": (".py", ".pyi"),
    "ruby": (".rb", ".rake", ".erb", ".haml", ".slim", ".jbuilder"),
    "script": (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte", ".prisma"),
    "go": (".go",),
    "jvm": (".java", ".kt", ".kts", ".scala", ".groovy"),
    "rust": (".rs",),
    "elixir": (".ex", ".exs", ".eex", ".heex"),
    "php": (".php",),
    "dotnet": (".cs",),
}
_SNAKE_APIS = frozenset(("python", "ruby", "php", "elixir"))  # backends whose JSON keys are the columns'
CAMEL_API_WORDS = frozenset(
    (
        "CamelCaseJSON",  # djangorestframework-camel-case
        "camelize: :lower",  # Jbuilder / ActiveModel::Serializers key formats
        "camelizeKeys",  # humps
        "camelcase-keys",
        "camelcaseKeys",
        "to_camel",  # pydantic alias generators
        "OliveBranch",
        "postgraphile",  # PostGraphile's GraphQL fields are the columns in camel case
    )
)


def family(path: str) -> str:
    """The language family of a code file, "" for anything else (docs, SQL, configuration)."""
    return next((name for name, suffixes in _FAMILIES.items() if path.endswith(suffixes)), "")


def foreign_model(path: str, definitions: Collection[str]) -> bool:
    """Is `path` code of a language none of the model's definitions (their paths) is written in?"""
    here = family(path)
    defined = {family(p) for p in definitions} - {""}
    return bool(here) and bool(defined) and here not in defined


def front_end_camel(path: str, line: str, column: str, definitions: Collection[str], camel_api: bool) -> bool:
    """Is `line` of a front-end file naming the snake case `column` only in camel case, while the model
    is served by a snake case backend?"""
    if camel_api or family(path) != "script" or "_" not in column:
        return False
    defined = {family(p) for p in definitions} - {""}
    if not defined or not defined <= _SNAKE_APIS:
        return False
    camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), column.lower())
    return camel in line and column.lower() not in line.lower()
