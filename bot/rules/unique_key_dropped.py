"""A unique index or constraint is dropped and nothing else keeps its columns unique.

## Why is this bad?
The application may rely on the key without saying so: a sign-up that checks the email first and then
inserts, a `get_or_create` or `find_or_create_by`, an upsert `INSERT … ON CONFLICT (email)`. Once the key
is gone, concurrent requests create duplicates that nothing removes, lookups by those columns start
returning several rows, and every upsert that names the columns fails with "there is no unique or
exclusion constraint matching the ON CONFLICT specification". A Prisma upsert whose `where` is the key
(`where: { email }`, `where: { userId_orgId: { userId, orgId } }`) is refused by the client generated without
it; Rails' `create_or_find_by` inserts a duplicate on every call.

## Use instead
Keep a unique key over the columns (when the change replaces one index with another, create the new one
first, `CONCURRENTLY`, and drop the old one after), or, when uniqueness is really being given up, check
the code that looks rows up or upserts by these columns first. Before dropping a column of a key, drop the key
(MySQL, MariaDB) and add the key the columns left need, once no rows share them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator, Sequence
from itertools import takewhile

from bot.model.catalog import Catalog, not_null_column, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    AddConstraint,
    AddIndex,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropTable,
    Migration,
    Operation,
)
from bot.references.blast_radius import references
from bot.references.key_lookups import Lookup, key_lookups
from bot.references.model_map import table_models
from bot.references.search import Target
from bot.references.targets import dropped_unique_key
from bot.references.usage import Use
from bot.rules._renames import renamed
from bot.rules.context import Context

RULE = Rule(
    id="unique-key-dropped",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Keep a unique key over the columns (create its replacement first), or check the code that looks up "
    "or upserts by them before giving uniqueness up.",
    bad=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "CREATE UNIQUE INDEX users_email_key ON users (email);\n-- migration\nDROP INDEX users_email_key;",
    ),
    good=(
        "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n"
        "CREATE UNIQUE INDEX users_email_key ON users (email);\n-- migration\n"
        "CREATE UNIQUE INDEX users_email_key2 ON users (email);\nDROP INDEX users_email_key;",
    ),
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    ops = migration.up
    for index, op in enumerate(ops):
        if isinstance(op, DropColumn):
            yield from _column_of_keys(op, migration, context)
            continue
        if not isinstance(op, DropIndex | DropConstraint):
            continue
        catalog = context.before(op)
        found = dropped_unique_key(op, catalog, postgres=context.postgres)
        if found is None:
            continue
        table, name, columns = found
        if catalog.is_new(table) or _kept(table, columns, catalog, name, ops[index + 1 :]):
            continue
        shown = f" ({', '.join(columns)})" if columns else ""
        writes = _upserts(table, columns, context)
        if any(kind != "get-or-create" for _, kind in writes):
            yield _upserts_fail(op, table, name, shown, writes, context)
            continue
        if writes:
            yield _lookups_race(op, table, name, shown, [use for use, _ in writes], context)
            continue
        wider = _wider(table, columns, ops[index + 1 :])
        if wider is not None:
            yield op.finding(
                RULE,
                f"The unique key `{name}` of `{table}`{shown} is dropped for a wider one, `{wider.name}` "
                f"({', '.join(wider.columns)}): {', '.join(columns)} alone is no longer unique.",
                blast_radius=f"Code that looks rows of {context.size_words(table)} up by {', '.join(columns)} alone "
                "may now find several; get-or-create by those columns and upserts `ON CONFLICT "
                f"({', '.join(columns)})` stop working.",
                fix="Check the code that finds, creates or upserts rows by those columns alone before the "
                "change ships.",
            )
            continue
        yield op.finding(
            RULE,
            f"The unique key `{name}` of `{table}`{shown} is dropped; nothing else keeps "
            f"{'these columns' if len(columns) > 1 else 'the column' if columns else 'its columns'} unique.",
            blast_radius=f"From now on {context.size_words(table)} can get duplicates{shown}: concurrent inserts "
            "that checked first, get-or-create lookups, and upserts `ON CONFLICT` on those columns (which fail "
            "without the key).",
        )


# the conflict target an upsert names: SQL's `ON CONFLICT (a, b)`, Rails' `unique_by:`, Ecto's `conflict_target:`,
# Knex's `onConflict(…)`, SQLAlchemy's `index_elements=[…]`, Django's `unique_fields=[…]`, TypeORM's
# `conflictPaths: […]` and `orUpdate([…], […])`
_CONFLICT_TARGET = re.compile(
    r"ON\s+CONFLICT\s*\(([^)]*)\)"
    r"|unique_by:\s*(\[[^\]]*\]|%i\[[^\]]*\]|:\w+|[\"']\w+[\"'])"
    r"|conflict_target:\s*(\[[^\]]*\]|:\w+)"
    r"|onConflict\(\s*(\[[^\]]*\]|'[^']*'|\"[^\"]*\")"
    r"|(?:index_elements|unique_fields)\s*=\s*[\[(]([^\])]*)[\])]"
    r"|conflictPaths\s*:\s*\[([^\]]*)\]"
    r"|orUpdate\(\s*\[[^\]]*\]\s*,\s*(\[[^\]]*\]|'[^']*'|\"[^\"]*\")",
    re.I,
)
_DUPLICATE_KEY = re.compile(r"\bON\s+DUPLICATE\s+KEY\s+UPDATE\b", re.I)


def _upserts(table: str, columns: Sequence[str], context: Context) -> list[tuple[Use, str]]:
    """The places in the code that write by exactly the key's columns, each with how (see `_BREAKS`): an upsert
    that names them as its conflict target (on MySQL, an `ON DUPLICATE KEY UPDATE` that writes them), a Prisma
    upsert whose `where` is the key, a get-or-create that looks the row up by them. They rely on this key to
    find the existing row."""
    wanted = {c.strip('"').lower() for c in columns}
    if not wanted:
        return []
    found: dict[tuple[str, int], tuple[Use, str]] = {}
    receivers = _receivers(table, context)
    for column in sorted({c.strip('"') for c in columns}):
        for use in context.references.uses(Target("column", table, column)):
            if use.area in ("test", "doc"):
                continue
            for lookup in _lookups_at(use, context):
                if lookup.receiver.lower() in receivers and _same_fields(lookup.fields, wanted):
                    text = context.tree.read(use.path) or ""
                    line = text.count("\n", 0, lookup.start) + 1
                    at = dataclasses.replace(use, line=line, text=text.split("\n")[line - 1].strip())
                    found.setdefault((use.path, line), (at, lookup.kind))
            text = _statement(use, context)
            by_key = [m for m in _CONFLICT_TARGET.finditer(text) if _names(_listed(m)) == wanted]
            if not by_key and context.mysql:
                by_key = list(_DUPLICATE_KEY.finditer(text))
            if by_key:  # one upsert, however many of its lines name a column: by where its target is
                line = use.line + text.count("\n", 0, by_key[0].start())
                found.setdefault((use.path, line), (use, "conflict"))
    return sorted(found.values(), key=lambda u: (u[0].path, u[0].line))


def _lookups_at(use: Use, context: Context) -> list[Lookup]:
    """The calls of the use's file that find a row by fields (see `key_lookups`) whose arguments hold the
    use's line."""
    text = context.tree.read(use.path)
    if text is None:
        return []
    return [
        lookup
        for lookup in _lookups_of(text)
        if text.count("\n", 0, lookup.start) + 1 <= use.line <= text.count("\n", 0, lookup.end) + 1
    ]


@functools.lru_cache(maxsize=32)
def _lookups_of(text: str) -> tuple[Lookup, ...]:
    return tuple(key_lookups(text))


def _receivers(table: str, context: Context) -> frozenset[str]:
    """The words code calls a lookup of the table on, in lower case: its model classes, Prisma's delegate
    (`member` of `prisma.member`), a row's name."""
    defined = [model for _, model, _, _ in context.references.models(table)]
    return frozenset(n.lower() for n in table_models(table.rsplit(".", 1)[-1], defined).names)


def _same_fields(fields: frozenset[str], columns: set[str]) -> bool:
    """The code's fields name exactly these columns: `userId` the column `user_id`, Django's and Rails'
    relation `user` its key `user_id`."""

    def plain(name: str) -> str:
        return name.lower().replace("_", "")

    named = {plain(c): c for c in columns}
    named |= {plain(c[:-3]): c for c in columns if c.endswith("_id") and len(c) > 3}
    matched = {named.get(plain(f)) for f in fields}
    return None not in matched and matched == columns


_FOLLOWING = 6  # lines after a use that may carry the rest of its statement


def _statement(use: Use, context: Context) -> str:
    """The use's line and the lines after it up to a blank one (at most a few): an upsert written over
    several lines (`"INSERT INTO tags (…) VALUES (…) "` then `"ON CONFLICT (…)"`, Rails' `unique_by:` under
    its `upsert(`) names its conflict target below the line the column was found on."""
    text = context.tree.read(use.path)
    if text is None:
        return use.text
    lines = text.split("\n")[use.line - 1 : use.line + _FOLLOWING]
    kept = [lines[0], *takewhile(str.strip, lines[1:])] if lines else [use.text]
    return "\n".join(kept)


def _listed(match: re.Match[str]) -> str:
    return next(g for g in match.groups() if g is not None)


def _names(listed: str) -> set[str]:
    """`[:a, :b]`, `%i[a b]`, `Device.token`, `'token'` → the column names, lower case (the last word of each)."""
    items = (re.findall(r"\w+", item) for item in re.split(r"[,\s]+", listed.removeprefix("%i")))
    return {words[-1].lower() for words in items if words}


def _places(uses: Sequence[Use]) -> str:
    return ", ".join(f"`{u.path}:{u.line}`" for u in uses[:5]) + (
        f" and {len(uses) - 5} more" if len(uses) > 5 else ""
    )


# what becomes of each kind of write by the key's columns once the key is gone
_BREAKS = {
    "prisma": "Prisma's client takes an upsert's `where` only on a unique field or `@@unique` of its schema: "
    "the client generated from a schema without this key refuses the call",
    "create_or_find": "`create_or_find_by` inserts first and looks the row up only when this key refuses the "
    "insert: without it every call inserts another row",
}


def _upserts_fail(
    op: Operation, table: str, name: str, shown: str, writes: list[tuple[Use, str]], context: Context
) -> Finding:
    kinds = {kind for _, kind in writes}
    breaks = []
    if "conflict" in kinds and context.mysql:
        breaks.append(
            "`ON DUPLICATE KEY UPDATE` finds the existing row through this key: without it every call inserts "
            "another row, silently"
        )
    elif "conflict" in kinds:
        breaks.append(
            "PostgreSQL refuses an `ON CONFLICT` whose columns no unique key matches (`there is no unique or "
            "exclusion constraint matching the ON CONFLICT specification`): every call fails"
        )
    breaks += [_BREAKS[kind] for kind in ("prisma", "create_or_find") if kind in kinds]
    if "get-or-create" in kinds:
        breaks.append(_RACE)
    uses = [use for use, _ in writes]
    fails = "prisma" in kinds or ("conflict" in kinds and not context.mysql)
    return op.finding(
        RULE,
        f"The unique key `{name}` of `{table}`{shown} is dropped, and the code upserts by exactly these columns "
        f"({_places(uses)}): {'; '.join(breaks)}.",
        severity=Severity.CRITICAL,
        blast_radius=f"Every write of {context.size_words(table)} through {'that upsert' if len(uses) == 1 else 'those upserts'}"
        + (" fails from the deploy on." if fails else " adds a duplicate from the deploy on."),
        fix="Keep a unique key over these columns (create the replacement first), or move the upserts to "
        "another key before dropping this one.",
        references=references(uses),
    )


_RACE = (
    "a get-or-create looks the row up, then inserts when it finds none, and only the key stops two concurrent "
    "calls from both inserting: without it they create duplicates, and every later lookup of that value finds "
    "several rows (Django raises `MultipleObjectsReturned`)"
)


def _lookups_race(
    op: Operation, table: str, name: str, shown: str, uses: list[Use], context: Context
) -> Finding:
    return op.finding(
        RULE,
        f"The unique key `{name}` of `{table}`{shown} is dropped, and the code gets or creates rows by exactly "
        f"these columns ({_places(uses)}): {_RACE}.",
        blast_radius=f"From now on {context.size_words(table)} can get duplicates{shown} from concurrent calls "
        f"of {'that lookup' if len(uses) == 1 else 'those lookups'}.",
        fix="Keep a unique key over these columns (create the replacement first), or make the lookups safe "
        "without it (a lock, or a lookup by another key) before dropping this one.",
        references=references(uses),
    )


def _column_of_keys(op: DropColumn, migration: Migration, context: Context) -> Iterator[Finding]:
    """A column dropped out of a unique key or primary key of several columns. PostgreSQL drops the key with it:
    the columns left keep no uniqueness at all. MariaDB refuses the statement (ERROR 1072) until the key is
    dropped first. MySQL narrows the key to the columns left, which fails on rows that share them."""
    catalog = context.before(op)
    if catalog.is_new(op.table) or _table_dropped_later(op, migration):
        return
    same = migration.same_statement(op)  # one ALTER TABLE
    dropped = {o.column for o in same if isinstance(o, DropColumn) and o.table == op.table}
    gone = {o.name for o in same if isinstance(o, DropIndex | DropConstraint)}
    for name, columns, primary in _keys_of(catalog, op.table):
        left = tuple(c for c in columns if c not in dropped)
        if op.column not in columns or not left or name in gone or min(dropped & set(columns)) != op.column:
            continue
        others = [
            k for n, k, _ in _keys_of(catalog, op.table, every=True) if n != name and op.column not in k
        ]
        if context.dialect != "mariadb" and any(set(k) <= set(left) for k in others):
            continue  # another key keeps the columns left unique (or a part of them, which does too)
        kind = f"primary key `{name}`" if primary else f"unique key `{name}`"
        key = f"{kind} ({', '.join(columns)})"
        rest = ", ".join(left)
        duplicates = f"SELECT {rest}, count(*) FROM {op.table} GROUP BY {rest} HAVING count(*) > 1"
        if context.dialect == "mariadb":
            yield op.finding(
                RULE,
                f"Dropping `{op.table}.{op.column}` fails: it is part of the {key}, and MariaDB refuses to drop "
                "a column of a multi-column unique or primary key (ERROR 1072: Key column doesn't exist in table).",
                severity=Severity.CRITICAL,
                blast_radius="The deploy stops at this statement; the statements before it have already "
                "committed, so the schema is left half changed.",
                fix=f"Drop the key first (in the same ALTER TABLE or before it), then the column; add the key "
                f"({rest}) back only after `{duplicates}` returns no row.",
            )
        elif context.mysql:
            yield op.finding(
                RULE,
                f"Dropping `{op.table}.{op.column}` narrows the {key} to ({rest}): MySQL removes a dropped "
                f"column from its keys, so ({rest}) alone must now be unique. Rows that share it make the "
                "statement fail, and from then on inserts that differ only in the dropped column are refused.",
                severity=Severity.CRITICAL,
                blast_radius=f"Rows of {context.size_words(op.table)} found by `{duplicates}` fail the change; "
                "afterwards, writes that were allowed before collide.",
                fix=f"Decide whether ({rest}) must be unique: if not, drop the key in the same statement; if so, "
                f"remove the rows `{duplicates}` finds first.",
            )
        else:
            what = (
                f"`{op.table}` is left without a primary key: nothing identifies its rows (logical replication "
                "refuses its UPDATEs and DELETEs without a replica identity), and"
                if primary
                else ""
            )
            yield op.finding(
                RULE,
                f"Dropping `{op.table}.{op.column}` drops the {key} with it: {what}{' ' if what else ''}nothing keeps "
                f"({rest}) unique any more.",
                blast_radius=f"From now on {context.size_words(op.table)} can get rows that share ({rest}); "
                f"upserts `ON CONFLICT ({rest})` and lookups that expect one row by those columns break.",
                fix=f"If ({rest}) must stay unique, add that key (`CREATE UNIQUE INDEX CONCURRENTLY … ({rest})`) "
                f"before dropping the column, once `{duplicates}` returns no row.",
            )


def _keys_of(
    catalog: Catalog, table: str, *, every: bool = False
) -> Iterator[tuple[str, tuple[str, ...], bool]]:
    """(name, columns, primary) of the table's primary key, unique constraints and full unique indexes of
    several columns (of any number with `every`), each once (PostgreSQL backs a constraint with an index of its
    name)."""
    least = 1 if every else 2
    seen: set[str] = set()
    for name, key in catalog.key_constraints.items():
        if same_table(key.table, table) and len(key.columns) >= least:
            seen.add(name)
            yield name, key.columns, key.primary
    primary = catalog.primary_keys.get(table, ())
    named = any(k.primary and same_table(k.table, table) for k in catalog.key_constraints.values())
    if len(primary) >= least and not named:
        yield f"{table.rsplit('.', 1)[-1]}_pkey", primary, True
    for name, definition in catalog.index_definitions.items():
        if (
            name in seen
            or not same_table(definition.table, table)
            or not definition.unique
            or definition.where
        ):
            continue
        if len(definition.columns) >= least and all(_COLUMN.match(c) for c in definition.columns):
            yield name, tuple(c.strip('"') for c in definition.columns), False


def _table_dropped_later(op: Operation, migration: Migration) -> bool:
    return any(isinstance(o, DropTable) and getattr(op, "table", "") in o.tables for o in migration.up)


def _wider(
    table: str, columns: tuple[str, ...], later: Sequence[Operation]
) -> AddIndex | AddConstraint | None:
    """A unique key over more columns, these among them, added later in the migration."""
    if not columns:
        return None
    for op in later:
        unique = (isinstance(op, AddIndex) and op.unique) or (
            isinstance(op, AddConstraint) and op.constraint in ("unique", "primary_key")
        )
        if (
            unique
            and isinstance(op, AddIndex | AddConstraint)
            and op.table == table
            and set(columns) < set(op.columns)
        ):
            return op
    return None


_FOLDED = re.compile(r"^(?:lower|upper|btrim|ltrim|rtrim|trim)\((.+)\)$", re.I)
_DEFAULTED = re.compile(r"^coalesce\((.+),\s*(?:'[^']*'|-?\d+)\)$", re.I)
_CAST = re.compile(r"^(.+?)::\s*(?:text|varchar|character varying|citext)$", re.I)
_COLUMN = re.compile(r'^"?(\w+)"?$')


def _plain(columns: tuple[str, ...]) -> tuple[str, ...]:
    """The key's columns, `lower(username)` read as `username`: rows equal in a column are equal in its lower
    case too, so a unique key on the one keeps the other unique. So are they in `coalesce(upper(mic), '')`,
    which no NULL escapes (rows NULL in the column now collide, a stronger key). Rails writes several
    expressions as one string (`"UPPER(ticker), COALESCE(UPPER(mic), '')"`): each is a key column. (A key whose
    only condition is that its own columns are NOT NULL leaves out no rows a unique key compares: NULLs never
    collide.)"""
    return tuple(_column_of(part) for c in columns for part in _top_level(c))


def _column_of(expression: str) -> str:
    """The one column an expression of case folding, trimming, text casts and a constant default reads."""
    text = expression.strip()
    while True:
        if len(text) > 1 and text[0] == "(" and text[-1] == ")" and not _top_level(text[1:-1])[1:]:
            inner = text[1:-1].strip()
        elif m := _FOLDED.match(text) or _DEFAULTED.match(text) or _CAST.match(text):
            inner = m.group(1).strip()
        else:
            break
        if inner.count("(") != inner.count(")"):
            break
        text = inner
    found = _COLUMN.match(text)
    return found.group(1) if found else expression.strip()


def _top_level(text: str) -> list[str]:
    """`text` cut at the commas outside parentheses and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, char in enumerate(text):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "()":
            depth += 1 if char == "(" else -1
        elif not quoted and char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _kept(
    table: str, columns: tuple[str, ...], catalog: Catalog, name: str, later: Sequence[Operation]
) -> bool:
    """Another unique key over the same columns, or over some of them (which makes these unique too), stays
    or is added; or the table itself, or a column of the key, goes."""
    if not columns:
        return any(isinstance(op, DropTable) and table in op.tables for op in later)
    wanted = set(columns)

    def covers(key: tuple[str, ...] | list[str]) -> bool:
        return bool(key) and set(key) <= wanted

    others = [
        n
        for n, d in catalog.index_definitions.items()
        if n != name and d.table == table and d.unique and not d.where and covers(d.columns)
    ]
    others += [
        n
        for n, kind in catalog.constraints.items()
        if kind == "unique"
        and n != name
        and catalog.indexes.get(n) == table
        and covers(catalog.index_columns.get(n, ()))
    ]
    primary = covers(catalog.primary_keys.get(table, ()))
    return bool(others) or primary or _added_later(table, columns, later)


def _added_later(table: str, columns: tuple[str, ...], later: Sequence[Operation]) -> bool:
    """A later step adds a unique key over the columns (or some of them), or drops the table or a column of the
    key. Each step sees the table and columns under the names the steps before it gave them (netbox's
    RemoveConstraint, RenameField `content_type` to `object_type`, AddConstraint over the new name)."""
    for op in later:
        wanted = set(columns)
        if (
            (
                isinstance(op, AddIndex)
                and same_table(op.table, table)
                and op.unique
                and _within(_plain(op.columns), wanted)
                and (not op.where or not_null_column(op.where) in _plain(op.columns))
            )
            or (
                isinstance(op, AddConstraint)
                and same_table(op.table, table)
                and op.constraint in ("unique", "primary_key")
                and _within(op.columns, wanted)
            )
            or (isinstance(op, DropTable) and any(same_table(t, table) for t in op.tables))
            # a column of the key dropped after it: the key's values go with the column (Prisma drops the
            # index first, then the column)
            or (isinstance(op, DropColumn) and same_table(op.table, table) and op.column in wanted)
        ):
            return True
        table, columns = renamed(table, columns, (op,))
    return False


def _within(key: Sequence[str], wanted: set[str]) -> bool:
    """A key over some of the wanted columns (which makes them unique too)."""
    return bool(key) and set(key) <= wanted
