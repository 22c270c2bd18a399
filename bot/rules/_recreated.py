"""Tables a migration creates again though the schema already has them (shared by the rules that judge such
statements): several of them make the file a baseline of the whole schema, not a step."""

from __future__ import annotations

from bot.model.migration import CreateTable, Migration
from bot.rules.context import Context

# A file that re-creates this many tables the schema has is a baseline of the whole schema (a snapshot only new
# installs run, or a script run on every start), not a step of the history.
BASELINE = 2


def recreated(migration: Migration, context: Context, *, guarded: bool) -> list[CreateTable]:
    """The CREATE TABLE statements of tables the schema has before them: those written `IF NOT EXISTS` with
    `guarded`, the others without it (a statement in a procedural block or a temporary table is neither)."""
    return [
        op
        for op in migration.up
        if isinstance(op, CreateTable)
        and op.if_not_exists == guarded
        and not op.in_block
        and not op.temporary
        and context.before(op).tables.get(op.table) is not None
    ]
