"""A count of related rows added as a column with `DEFAULT 0` and never filled: every existing row says it
has none.

## Why is this bad?
`ALTER TABLE posts ADD COLUMN comments_count integer NOT NULL DEFAULT 0` (a Rails `counter_cache`, a
denormalised count kept by triggers or by the code) gives every existing post a count of 0, though
`comments` already holds their rows. From then on the code increments and decrements it, so the count of
every old post stays wrong by exactly the number of rows it had: pages show "0 comments", sorting by
popularity puts old rows last, and a decrement on delete drives counts below zero. Nothing fails.

The count is recognised by its name (`comments_count`, `commentsCount`, `number_of_comments`) naming a
table the catalog knows whose rows point at the altered table (a foreign key, a Rails association, or a
`post_id` column).

## Use instead
Fill the count in the same migration, after adding the column and before the code relies on it:

```sql
UPDATE posts SET comments_count = c.n
FROM (SELECT post_id, count(*) AS n FROM comments GROUP BY post_id) c
WHERE posts.id = c.post_id;  -- in batches on a large table
```

Rails: `Post.find_each { |post| Post.reset_counters(post.id, :comments) }` (or a batched `update_all` with
a subquery). If a separate job fills it before the code reads it, say so in a suppression.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import AddColumn, Migration, RunCode
from bot.references.inflection import name_words, pluralize, singularize
from bot.rules._backfill import emptied_before, filled_later
from bot.rules.context import Context

RULE = Rule(
    id="counter-not-backfilled",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Fill the count from the related rows in the same migration (in batches), or suppress with the job "
    "that fills it.",
    bad=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, title text);\n"
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint REFERENCES posts (id));\n-- migration\n"
        "ALTER TABLE posts ADD COLUMN comments_count integer NOT NULL DEFAULT 0;",
    ),
    good=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, title text);\n"
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint REFERENCES posts (id));\n-- migration\n"
        "ALTER TABLE posts ADD COLUMN comments_count integer NOT NULL DEFAULT 0;\n"
        "UPDATE posts SET comments_count = (SELECT count(*) FROM comments WHERE comments.post_id = posts.id)\n"
        "WHERE id BETWEEN 1 AND 10000;",
    ),
)

_INTEGER = re.compile(r"int|serial|number|numeric|decimal", re.I)


def counted(name: str) -> list[str]:
    """The words naming what a count column counts (`comments_count`, `commentsCount`, `number_of_likes`)."""
    words = name_words(name)
    if len(words) >= 2 and words[-1] in ("count", "counter"):
        return words[:-1]
    if len(words) >= 3 and words[:2] == ["number", "of"]:
        return words[2:]
    if len(words) >= 2 and words[0] in ("num", "nb", "count") and words[1] != "of":
        return words[1:]
    return []


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if not isinstance(op, AddColumn) or context.catalog.is_new(op.table):
            continue
        column = op.column
        if column.default is None or column.default.strip("'() ") != "0" or not _INTEGER.search(column.type):
            continue
        words = counted(column.name)
        child = _child_table(words, op.table, context) if words else None
        if child is None or _filled(migration, op, context):
            continue
        yield op.finding(
            RULE,
            f"`{op.table}.{column.name}` counts the rows of `{child}` but is added with `DEFAULT 0` and not "
            f"filled: every existing row of `{op.table}` says it has none, though `{child}` already holds them.",
            blast_radius=f"Every existing row of {context.size_words(op.table)} that has `{child}`: its count stays "
            "off by the rows it had (the code only counts changes from now on); decrements on delete go below "
            "zero.",
            fix=f"Fill it in this migration after adding it: `UPDATE {op.table} SET {column.name} = (SELECT "
            f"count(*) FROM {child} WHERE …)` in batches (Rails: `reset_counters`), or suppress this naming "
            "the job that fills it.",
        )


def _filled(migration: Migration, op: AddColumn, context: Context) -> bool:
    if filled_later(migration, op, op.table, op.column.name, context.later()) or emptied_before(
        migration, op, op.table
    ):
        return True
    start = migration.up.index(op)
    return any(
        isinstance(later, RunCode) and op.table in later.touches for later in migration.up[start + 1 :]
    )


def _child_table(words: list[str], parent: str, context: Context) -> str | None:
    catalog = context.catalog
    joined = "_".join(words)
    names = {f(w) for w in (joined, "".join(words)) for f in (str, pluralize, singularize)}
    candidates = [
        t for t in catalog.tables if t.lower() in names or any(t.lower().endswith("_" + n) for n in names)
    ]
    keys = _parent_keys(parent)
    for table in candidates:
        if table == parent:
            continue
        if any(key.table == table and key.references == parent for key in catalog.foreign_keys.values()):
            return table
        if {c.lower() for c in catalog.tables[table].columns} & keys:
            return table
    return None


def _parent_keys(parent: str) -> set[str]:
    """The names a column pointing at `parent` is given (`post_id`, `postid` for Prisma's `postId`)."""
    last = parent.split("_")[-1]
    singulars = {singularize(parent.lower()), singularize(last.lower())}
    return {f"{s}_id" for s in singulars} | {f"{s}id" for s in singulars}
