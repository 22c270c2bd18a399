"""Sequelize's naming convention: the table of a model defined without `tableName`.

`const User = sequelize.define('user', {…})` maps the table `users`: Sequelize pluralises the model
name (`person` → `people`, `User` → `Users`, the case kept), unless the options say `freezeTableName:
true` (the name as is), `underscored: true` (`UserRole` → `user_roles`) or name the table
(`tableName: 'app_users'`, read with the other declarations in `model_map`); the options `new
Sequelize(…, { define: {…} })` gives every model apply unless the model's own say otherwise. `class User extends Model {}; User.init({…}, { sequelize, modelName: 'user' })` is named
the same way from `modelName`, or from the class. The model is known in code by the variable or class
(`User.findAll`) and by its name (`sequelize.models.user`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator

from bot.references.codesyntax.text import bracketed
from bot.references.inflection import pluralize, underscore
from bot.references.naming_settings import DEFAULT as DEFAULT_NAMING
from bot.references.naming_settings import NamingSettings

_DEFINE = re.compile(
    r"(?:\b(?:const|let|var)\s+(\w+)\s*=\s*(?:await\s+)?)?(?<![\w$])(?:\w+\.)?define\(\s*['\"`](\w+)['\"`]\s*,"
)
_INIT = re.compile(r"(?<![\w$.])([A-Z]\w*)\.init\(")
_TABLE = re.compile(r"\btableName\s*:\s*['\"`]")
_FROZEN = re.compile(r"\bfreezeTableName\s*:\s*(true|false)\b")
_UNDERSCORED = re.compile(r"\bunderscored\s*:\s*(true|false)\b")
_MODEL_NAME = re.compile(r"\bmodelName\s*:\s*['\"`](\w+)['\"`]")


def plural(name: str) -> str:
    """Sequelize's table for a model name: `user` → `users`, `Person` → `People`."""
    if not name:
        return name
    found = pluralize(name[:1].lower() + name[1:])
    return found[:1].upper() + found[1:] if name[:1].isupper() else found


def models(
    text: str, tables: Collection[str], naming: NamingSettings = DEFAULT_NAMING
) -> Iterator[tuple[str, str, int]]:
    """(table, model, line) of each Sequelize model of `text` whose conventional table is in `tables`."""
    if "sequelize" not in text.lower():
        return
    wanted = {t.lower(): t for t in tables}
    for match in _DEFINE.finditer(text):
        variable, name = match.group(1) or "", match.group(2)
        options = _arguments(text, text.rfind("(", match.start(), match.start(2)))
        yield from _named(text, match.start(), wanted, name, options, (variable, name), naming)
    for match in _INIT.finditer(text):
        cls = match.group(1)
        options = _arguments(text, match.end() - 1)
        named = _MODEL_NAME.search(options)
        name = named.group(1) if named else cls
        yield from _named(text, match.start(), wanted, name, options, (cls,), naming)


def _arguments(text: str, open_paren: int) -> str:
    start, end = bracketed(text, open_paren, "(", ")")
    return text[start:end]


def _named(
    text: str,
    pos: int,
    wanted: dict[str, str],
    name: str,
    options: str,
    names: tuple[str, ...],
    naming: NamingSettings,
) -> Iterator[tuple[str, str, int]]:
    if _TABLE.search(options):
        return  # a table named in the options: a declaration, read in model_map
    frozen, underscored = _FROZEN.search(options), _UNDERSCORED.search(options)
    if frozen.group(1) == "true" if frozen else naming.sequelize_frozen:
        table_name = name
    elif underscored.group(1) == "true" if underscored else naming.sequelize_underscored:
        table_name = underscore(plural(name))
    else:
        table_name = plural(name)
    table = wanted.get(table_name.lower())
    if table is None:
        return
    line = text.count("\n", 0, pos) + 1
    for model in dict.fromkeys(n for n in names if n):
        yield table, model, line
