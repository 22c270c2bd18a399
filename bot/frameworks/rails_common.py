"""What the Rails statement readers share: the source being read, a statement's result, literal values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from bot.frameworks import ruby
from bot.frameworks.column_types import rails_type
from bot.frameworks.origin import Origin
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import ColumnSpec, Operation
from bot.sql.names import calls_volatile


@dataclass(frozen=True)
class Source:
    path: str
    dialect: str
    heredocs: dict[int, Node]
    tree: Tree | None = None  # the repository: scenic's and fx's `version:` name a file of it
    constants: Callable[[str], ruby.Value] | None = None  # the literal a constant holds (`Order::SHIPPED`)
    key_type: str = "bigint"  # the type of `create_table` ids and `references` columns (integer before 5.1)
    short_index_names: bool = True  # Rails 7.1's short names for long derived index names (see index_name)
    held: Callable[[str], ruby.Value] | None = None  # what a constant holds, strings with `#{…}` included
    nullable_timestamps: bool = (
        False  # Rails 4.2's `timestamps` and `add_timestamps`: NULL unless `null: false`
    )


@dataclass(frozen=True)
class Result:
    ops: tuple[Operation, ...]
    irreversible: str = ""  # why `change` cannot reverse the statement, when it cannot
    # what `change` runs backwards for each of `ops` where the operation alone does not say it (the column
    # `remove_column :users, :admin, :boolean, default: false` drops comes back as its type and options say)
    undo: tuple[Operation | None, ...] = ()


Handler = Callable[[ruby.Call, Source], Result]


_VERSION = re.compile(r"ActiveRecord::Migration(?:\[(\d+)\.(\d+)\])?\s*$")


def key_type(superclass: str) -> str:
    """The type Rails gives ids and references in a migration of this class: `ActiveRecord::Migration[5.0]`
    and older (no version at all is Rails 4) keep the `integer` keys of their day, 5.1 and later `bigint`. A
    class of the application's own (`< ApplicationMigration`) is taken as current."""
    match = _VERSION.search(superclass.strip())
    if match is None:
        return "bigint"
    if match.group(1) is None:
        return "integer"
    return "integer" if (int(match.group(1)), int(match.group(2))) < (5, 1) else "bigint"


def nullable_timestamps(superclass: str) -> bool:
    """Does a migration of this class add `created_at` and `updated_at` NULL by default? Rails 5.0 made them
    `null: false`; a migration of Rails 4 (`ActiveRecord::Migration[4.2]`, or no version at all, which Rails 5.0
    runs as 4.2) keeps them nullable."""
    match = _VERSION.search(superclass.strip())
    if match is None:
        return False
    return match.group(1) is None or (int(match.group(1)), int(match.group(2))) < (5, 0)


def origin_of(c: ruby.Call, src: Source) -> Origin:
    return {"location": Location(src.path, c.line), "end_line": c.end_line, "sql": ruby.text_of(c.node)}


def argument(c: ruby.Call, index: int) -> str:
    found = ruby.value(c.args[index]) if len(c.args) > index else None
    return str(found) if isinstance(found, str | int) and not isinstance(found, bool) else ""


def names(node_value: ruby.Value) -> tuple[str, ...]:
    if isinstance(node_value, list):
        return tuple(str(v) for v in node_value if isinstance(v, str))
    return (node_value,) if isinstance(node_value, str) else ()


_UUID_FUNCTION = re.compile(r"\s*(?:gen_random_uuid|uuid_generate_v[1-7]\w*|uuidv[47])\(\)\s*", re.I)


def sql_literal(value: ruby.Value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and _UUID_FUNCTION.fullmatch(value):
        # Rails' PostgreSQL adapter does not quote a function given as the default of a uuid column
        # (`default: "gen_random_uuid()"`); no other column takes a uuid generator's name as its text
        return value.strip()
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, ruby.Code):
        inner = re.search(r"""->\s*\{\s*["'](.*)["']\s*\}""", value.text, re.S)
        return inner.group(1) if inner else value.text
    return "'" + str(value).replace("'", "''") + "'"


def column(name: str, type_name: str, c: ruby.Call, src: Source) -> ColumnSpec:
    options = {key: ruby.value(node) for key, node in c.options.items()}
    raw = options.get("default")
    if type_name == "uuid" and isinstance(raw, str) and "()" in raw:
        default: str | None = raw  # Rails does not quote a function given as a uuid column's default
    else:
        default = sql_literal(raw) if "default" in options else None
    return ColumnSpec(
        name=name,
        type=rails_type(type_name, options, src.dialect),
        nullable=options.get("null", True) is not False,
        default=default,
        volatile_default=calls_volatile(default),
        primary_key=options.get("primary_key") is True,
        generated=type_name == "virtual" and options.get("stored") is True,
        collation=str(options.get("collation") or ""),
    )


# Rails' names for the actions of a foreign key (`on_delete: :nullify`) and the SQL they send
_KEY_ACTIONS = {"nullify": "set null", "cascade": "cascade", "restrict": "restrict"}


def key_action(value: object) -> str:
    """`set null` from `:nullify`, `cascade` from `:cascade`: the SQL action of a Rails foreign key option;
    "" when there is none."""
    word = str(value or "").lstrip(":").strip().lower()
    return _KEY_ACTIONS.get(word, word.replace("_", " "))


def foreign_key_name(table: str, columns: tuple[str, ...]) -> str:
    """The name Rails gives a foreign key added without `name:`: `fk_rails_` and ten hex digits of a hash of
    the table and its columns, the name the database, `structure.sql` and a later `VALIDATE CONSTRAINT` see."""
    digest = hashlib.sha256(f"{table}_{'_and_'.join(columns)}_fk".encode()).hexdigest()
    return f"fk_rails_{digest[:10]}"


def index_name(table: str, columns: tuple[str, ...], short: bool = False) -> str:
    """The name Rails gives an index added without `name:`. Rails 7.1 and later (`short`) give a name longer
    than 62 bytes a shorter one, `idx_on_<columns>_` and ten hex digits of a hash of the long one."""
    name = f"index_{table}_on_{'_and_'.join(columns)}"
    if not short or len(name.encode()) <= 62:
        return name
    hashed = "_" + hashlib.sha256(name.encode()).hexdigest()[:10]
    stem = f"idx_on_{'_'.join(columns)}".encode()[: 62 - len(hashed)].decode(errors="ignore")
    return stem + hashed


def short_index_names(superclass: str) -> bool:
    """Does a migration of this class name a long index as Rails 7.1 and later do (see `index_name`)? An
    unversioned `ActiveRecord::Migration` is Rails 4; a class of the application's own is taken as current."""
    match = _VERSION.search(superclass.strip())
    if match is None:
        return True
    if match.group(1) is None:
        return False
    return (int(match.group(1)), int(match.group(2))) >= (7, 1)


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if re.search(r"(sses|xes|zzes|ches|shes|aliases|statuses|buses)$", word):
        return word[:-2]  # addresses, boxes, branches; but enterprises, cases, responses lose the s only
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word
