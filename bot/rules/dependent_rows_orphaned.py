"""A delete that skips the model's `dependent:` associations leaves the rows that depend on the deleted ones.

## Why is this bad?
`has_many :comments, dependent: :destroy` on `Post` is carried out by Rails' callbacks, not by the database.
`Post.where(archived: true).delete_all`, `post.delete` and `execute "DELETE FROM posts …"` send one DELETE
and run no callbacks: every comment of a deleted post stays, its `post_id` pointing at a row that no longer
exists. Without a foreign key in the database nothing stops it, and the application meets those orphans later
(`comment.post` is nil, counts and joins disagree). Where the database does have a foreign key without
`ON DELETE`, the DELETE fails instead, at the first post that still has a comment. The same goes for a
`destroy_all` on a model class the migration defines for itself: it has none of the application model's
associations.

## Use instead
Delete through the model so the associations run (`Post.where(archived: true).in_batches(&:destroy_all)`,
`find_each(&:destroy)`), or delete the dependent rows first, children before parents, in the migration itself:
`DELETE FROM comments WHERE post_id IN (SELECT id FROM posts WHERE archived)`.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import Catalog, ForeignKey, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataUpdate, Dependent, Migration
from bot.rules.context import Context

RULE = Rule(
    id="dependent-rows-orphaned",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Delete through the model (`destroy_all`, `find_each(&:destroy)`) or delete the dependent rows first.",
    bad=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, archived boolean);\n"
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint);\n"
        "-- migration\n"
        "class PurgeArchivedPosts < ActiveRecord::Migration[7.1]\n"
        "  def up\n"
        "    Post.where(archived: true).in_batches(of: 500).delete_all\n"
        "  end\n"
        "end\n",
    ),
    good=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, archived boolean);\n"
        "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint);\n"
        "-- migration\n"
        "class PurgeArchivedPosts < ActiveRecord::Migration[7.1]\n"
        "  def up\n"
        "    Post.where(archived: true).in_batches(of: 500).destroy_all\n"
        "  end\n"
        "end\n",
    ),
)
# The examples are a Rails migration of an application whose `Post` model declares the association.
EXAMPLE_PATH = "db/migrate/20260101000000_purge_archived_posts.rb"
EXAMPLE_HEAD = {
    "app/models/post.rb": "class Post < ApplicationRecord\n  has_many :comments, dependent: :destroy\nend\n"
}

_RUN_BY_CALLBACKS = (
    "destroy",
    "destroy_async",
    "delete_all",
    "delete",
    "nullify",
    "restrict_with_exception",
    "restrict_with_error",
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for index, op in enumerate(migration.up):
        if not isinstance(op, DataDelete) or not op.callbacks_skipped or context.catalog.is_new(op.table):
            continue
        catalog = context.before(op)
        handled = _handled_before(migration, index)
        left, failing = [], []
        for dependent in op.dependents:
            if (
                not same_table(dependent.references, op.table)
                or dependent.action not in _RUN_BY_CALLBACKS
                or dependent.owner  # a row the deleted one points at stays, pointing at nothing new
            ):
                continue
            if dependent.table in handled or (catalog.tables and dependent.table not in catalog.tables):
                continue
            key = _database_key(catalog, dependent)
            if key is None:
                left.append(dependent)
            elif not key.on_delete or key.on_delete in ("no action", "restrict"):
                failing.append(dependent)
        if left or failing:
            yield _finding(op, left, failing, context)


def _database_key(catalog: Catalog, dependent: Dependent) -> ForeignKey | None:
    """The database's own foreign key for the association's column, when there is one."""
    return next(
        (
            key
            for key in catalog.foreign_keys.values()
            if same_table(key.table, dependent.table)
            and key.columns == dependent.columns
            and same_table(key.references, dependent.references)
        ),
        None,
    )


def _handled_before(migration: Migration, index: int) -> set[str]:
    """Tables the migration deletes from (or updates) itself before this delete: it took care of them."""
    return {
        str(getattr(op, "table", ""))
        for op in migration.up[:index]
        if isinstance(op, DataDelete | DataUpdate)
    }


def _finding(op: DataDelete, left: list[Dependent], failing: list[Dependent], context: Context) -> Finding:
    said = []
    if left:
        said.append(
            "the rows of "
            + ", ".join(f"`{d.table}` whose `{', '.join(d.columns)}` points at a deleted row" for d in left)
            + " stay behind, pointing at nothing (no foreign key in the database removes or refuses them)"
        )
    if failing:
        said.append(
            "the DELETE fails on the database's foreign key of "
            + ", ".join(f"`{d.table}.{', '.join(d.columns)}`" for d in failing)
            + " at the first deleted row that still has such a row"
        )
    associations = "; ".join(d.declared for d in (*left, *failing))
    first = (left or failing)[0]
    return op.finding(
        RULE,
        f"Rows of `{op.table}` are deleted, but {op.callbacks_skipped}: {associations} "
        f"{'does' if len(left) + len(failing) == 1 else 'do'} not run, so " + "; and ".join(said) + ".",
        blast_radius="Rows of "
        + ", ".join(f"`{d.table}`" for d in (*left, *failing))
        + f" that belong to the deleted rows of {context.size_words(op.table)}"
        + (
            " are orphaned: the application then meets records whose parent is gone."
            if left
            else " block the delete."
        )
        + (" The migration stops there and the deploy with it." if failing else ""),
        fix=(
            "Delete the related rows first, in the same migration"
            if first.type_query  # a generic relation: no historical model runs it
            else "Delete through the model so its associations run (`in_batches(&:destroy_all)`, "
            "`find_each(&:destroy)`), or delete the dependent rows first"
        )
        + f": `DELETE FROM {first.table} WHERE "
        f"{first.columns[0]} IN (SELECT id FROM {op.table}{' WHERE ' + op.where if op.where else ''})"
        + (f" AND {_type_condition(first)}" if first.type_column else "")
        + "`.",
    )


def _type_condition(dependent: Dependent) -> str:
    """Only the child rows of the deleted rows' own type: `commentable_type = 'Post'`, or a Django content
    type (`content_type_id = (SELECT id FROM django_content_type WHERE …)`)."""
    value = dependent.type_query or "'" + dependent.type_value.replace("'", "''") + "'"
    return f"{dependent.type_column} = {value}"
