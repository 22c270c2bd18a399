"""A SQLite table rebuilt with foreign keys enforced: dropping the old table deletes the rows that point at it.

## Why is this bad?
SQLite changes most things about a table by rebuilding it: create `users_new`, copy the rows, `DROP TABLE
users`, rename `users_new` to `users`. With foreign keys enforced (`PRAGMA foreign_keys = ON`, which Rails,
Django, Laravel and most drivers' connection options turn on), `DROP TABLE users` first deletes every row of
`users`, and each foreign key of another table fires its action: `ON DELETE CASCADE` deletes every `posts` row
of every user, `ON DELETE SET NULL` empties every `posts.user_id`. The rebuild then puts the users back, but
their posts are gone for good, in a migration that only meant to change a column. Turning the checks off has
to happen before the transaction starts: `PRAGMA foreign_keys` inside a transaction does nothing.

## Use instead
Turn foreign keys off around the rebuild, outside any transaction, and check them after:

```sql
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE users_new (…);
INSERT INTO users_new SELECT … FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
PRAGMA foreign_key_check;
COMMIT;
PRAGMA foreign_keys = ON;
```

## Framework notes
Alembic's `batch_alter_table` on SQLite is such a rebuild for everything but adding a column or an index
(`recreate="auto"`). SQLAlchemy leaves foreign keys off unless the project turns them on, usually in a
`connect` listener that runs `PRAGMA foreign_keys=ON`; where env.py or the project's code does, the batch is
reported. Django's schema editor turns the checks off around its own rebuilds. Doctrine's DBAL leaves them off too,
unless the project adds its `EnableForeignKeys` middleware or one of its own that runs the PRAGMA: the rebuilds
Doctrine writes for SQLite are reported only then.
"""

from __future__ import annotations

import itertools
import posixpath
import re
from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, AddIndex, DropIndex, DropTable, Migration, Operation, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="rebuild-deletes-children",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Turn foreign keys off (PRAGMA foreign_keys = OFF, outside the transaction) around a SQLite table rebuild.",
    bad=(
        "CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE);\n"
        "-- migration\n"
        "CREATE TABLE users_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        "INSERT INTO users_new SELECT id, coalesce(name, '') FROM users;\n"
        "DROP TABLE users;\n"
        "ALTER TABLE users_new RENAME TO users;",
    ),
    good=(
        "CREATE TABLE users (id integer PRIMARY KEY, name text);\n"
        "CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id) ON DELETE CASCADE);\n"
        "-- migration\n"
        "PRAGMA foreign_keys = OFF;\n"
        "CREATE TABLE users_new (id integer PRIMARY KEY, name text NOT NULL DEFAULT '');\n"
        "INSERT INTO users_new SELECT id, coalesce(name, '') FROM users;\n"
        "DROP TABLE users;\n"
        "ALTER TABLE users_new RENAME TO users;\n"
        "PRAGMA foreign_keys = ON;",
    ),
    dialects=("sqlite",),
)

_OFF = re.compile(r"\bPRAGMA\s+foreign_keys\s*=\s*'?(?:OFF|0|false|no)\b", re.I)
_ON = re.compile(r"\bPRAGMA\s+foreign_keys\s*=\s*'?(?:ON|1|true|yes)\b", re.I)
_ACTIONS = {"cascade": "deletes", "set null": "empties the key of", "set default": "resets the key of"}
# frameworks whose own rebuilds turn the checks off first (Django's SQLite schema editor, Prisma's
# RedefineTables step writes the PRAGMA itself, which is read like any SQL)
_CHECKS_OFF_BY_FRAMEWORK = frozenset({"django"})


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if context.dialect != "sqlite" or migration.framework in _CHECKS_OFF_BY_FRAMEWORK:
        return
    if migration.framework == "alembic":
        yield from _batch_rebuilds(migration, context)
    # Doctrine's DBAL leaves SQLite's foreign keys off unless the project turns them on (its `EnableForeignKeys`
    # middleware, or one of the project's own running `PRAGMA foreign_keys = ON`)
    turned_on = (
        _foreign_keys_on(migration, context, _PROJECT_CODE) if migration.framework == "doctrine" else ""
    )
    if migration.framework == "doctrine" and not turned_on:
        return
    dropped = {r.dropped: r.table for r in migration.rebuilds()}
    off = False
    for op in migration.up:
        if isinstance(op, RawSQL) and _OFF.search(op.sql):
            off = True
        elif isinstance(op, RawSQL) and _ON.search(op.sql):
            off = False
        if off or not isinstance(op, DropTable) or op.table not in dropped:
            continue
        children = _children(context.before(op), op.table)
        if not children:
            continue
        key, action = children[0]
        others = f" (and {len(children) - 1} more keys)" if len(children) > 1 else ""
        deleting = any(k.on_delete == "cascade" for k, _ in children)
        yield op.finding(
            RULE,
            f"`DROP TABLE {op.table}` in the rebuild of `{dropped[op.table]}` runs with foreign keys on: SQLite "
            f"deletes every `{op.table}` row first, and `{key.table}` ({', '.join(key.columns)}) ON DELETE "
            f"{key.on_delete.upper()} {action} every `{key.table}` row that points at one{others}. The copy puts "
            f"the `{op.table}` rows back, not theirs."
            + (f" (`{turned_on}` turns foreign keys on.)" if turned_on else ""),
            severity=None if deleting else Severity.WARNING,
            blast_radius=f"Every row of {context.size_words(key.table)} with a parent, wherever the migration's "
            "connection enforces foreign keys (Rails, Laravel and most drivers turn them on).",
            fix="Put `PRAGMA foreign_keys = OFF;` before the rebuild (outside any transaction: inside one it does "
            "nothing) and `PRAGMA foreign_key_check;` then `PRAGMA foreign_keys = ON;` after it.",
        )


# what Alembic's batch mode does in place on SQLite ("auto"): anything else rebuilds the table
_IN_PLACE = (AddColumn, AddIndex, DropIndex)
_PRAGMA_ON = re.compile(r"PRAGMA\s+foreign_keys\s*=\s*'?(?:ON|1|true|yes)\b", re.I)


def _batch_rebuilds(migration: Migration, context: Context) -> Iterator[Finding]:
    """Alembic's `batch_alter_table` on SQLite rebuilds the table (a copy, `DROP TABLE`, a rename) for anything
    SQLite cannot alter in place; with the connection enforcing foreign keys, the drop fires the children's
    ON DELETE actions. SQLAlchemy leaves them off unless the project turns them on (a `connect` listener)."""
    rebuilt: dict[str, Operation] = {}
    for op in migration.up:
        if op.rebuilt and not isinstance(op, _IN_PLACE):
            rebuilt.setdefault(str(getattr(op, "table", "")), op)
    if not rebuilt:
        return
    where = _foreign_keys_on(migration, context)
    if not where:
        return
    for table, op in rebuilt.items():
        children = _children(context.before(op), table)
        if not children:
            continue
        key, action = children[0]
        others = f" (and {len(children) - 1} more keys)" if len(children) > 1 else ""
        yield op.finding(
            RULE,
            f'`batch_alter_table("{table}")` rebuilds `{table}` on SQLite (a copy, `DROP TABLE {table}`, a '
            f"rename), and `{where}` turns foreign keys on: the drop deletes every `{table}` row first, and "
            f"`{key.table}` ({', '.join(key.columns)}) ON DELETE {key.on_delete.upper()} {action} every "
            f"`{key.table}` row that points at one{others}. The copy puts the `{table}` rows back, not theirs.",
            severity=None if any(k.on_delete == "cascade" for k, _ in children) else Severity.WARNING,
            blast_radius=f"Every row of {context.size_words(key.table)} with a parent.",
            fix="Run the batch with foreign keys off: `PRAGMA foreign_keys = OFF` on the connection before the "
            "migration's transaction begins in env.py (inside one it does nothing), and `PRAGMA foreign_key_check` "
            "then `PRAGMA foreign_keys = ON` after it.",
        )


def _children(before: Catalog, table: str) -> list[tuple[ForeignKey, str]]:
    """The keys of other tables whose ON DELETE action a delete of `table`'s rows fires."""
    return [
        (key, _ACTIONS[key.on_delete])
        for key in before.foreign_keys.values()
        if not key.declared
        and same_table(key.references, table)
        and not same_table(key.table, table)
        and key.on_delete in _ACTIONS
    ]


def _foreign_keys_on(migration: Migration, context: Context, code: tuple[str, ...] = (".py",)) -> str:
    """The file that turns SQLite's foreign keys on for the migrations: Alembic's env.py beside the versions
    folder, or the project's own code (a `connect` listener running `PRAGMA foreign_keys=ON`; for Doctrine a
    DBAL middleware, DBAL's own `EnableForeignKeys` among them)."""
    folder = posixpath.dirname(posixpath.dirname(migration.path))
    env = posixpath.join(folder, "env.py") if folder else "env.py"
    if _PRAGMA_ON.search(context.tree.read(env) or ""):
        return env
    found = (p for p in context.tree.paths() if p.endswith(code) and not p.startswith("vendor/"))
    for path in itertools.islice(found, _MOST_FILES):
        if (
            "/versions/" not in path
            and "migrations/" not in path.lower()
            and _TURNS_ON.search(context.tree.read(path) or "")
        ):
            return path
    return ""


_PROJECT_CODE = (".php", ".yaml", ".yml")
_TURNS_ON = re.compile(rf"{_PRAGMA_ON.pattern}|\bEnableForeignKeys\b", re.I)


_MOST_FILES = 5000  # Python files of the project searched for the listener
