"""What to write instead, in the terms of the framework the migration is written in.

A finding on a Django data migration that says `SET statement_timeout` or `id > lo AND id <= hi` leaves the
author to translate it into querysets; these give the same advice as each framework writes it. Any other
framework (plain SQL files) gets the SQL.
"""

from __future__ import annotations

from bot.model.migration import BatchStep

_STATEMENT_TIMEOUT = {
    "rails": "Set a statement timeout for this migration: `execute \"SET statement_timeout = '15min'\"` at the "
    "start of `up` (sized from a measured run), or strong_migrations' `statement_timeout` setting.",
    "django": "Add `migrations.RunSQL(\"SET statement_timeout = '15min'\", migrations.RunSQL.noop)` before the "
    "operation (or `schema_editor.execute(\"SET statement_timeout = '15min'\")` at the start of the RunPython "
    "function), sized from a measured run.",
    "alembic": "`op.execute(\"SET statement_timeout = '15min'\")` at the start of `upgrade()` (sized from a "
    "measured run), or set it in `env.py` for every revision.",
    "knex": "`await knex.raw(\"SET statement_timeout = '15min'\")` at the start of `up` (sized from a measured run).",
    "kysely": "``await sql`SET statement_timeout = '15min'`.execute(db)`` at the start of `up` (sized from a "
    "measured run).",
    "node-pg-migrate": "`pgm.sql(\"SET statement_timeout = '15min'\")` at the start of `up` (sized from a measured run).",
    "sequelize": "`await queryInterface.sequelize.query(\"SET statement_timeout = '15min'\")` at the start of `up` "
    "(sized from a measured run).",
    "typeorm": "`await queryRunner.query(\"SET statement_timeout = '15min'\")` at the start of `up` (sized from "
    "a measured run).",
    "laravel": "`DB::statement(\"SET statement_timeout = '15min'\")` at the start of `up()` (sized from a "
    "measured run).",
    "ecto": "`execute \"SET statement_timeout TO '15min'\"` at the start of the migration (sized from a measured run).",
}


def statement_timeout(framework: str) -> str:
    return _STATEMENT_TIMEOUT.get(
        framework,
        "Add `SET statement_timeout = '15min';` (sized from a measured run) at the top of the migration.",
    )


def batch_edges(framework: str, step: BatchStep) -> str:
    """How to bound each batch so that every key falls in exactly one."""
    column, lower, upper = step.column, step.lower, step.upper
    if framework == "django":
        key = "pk" if column == "id" else column
        return (
            f"Filter each batch with `{key}__gte={lower}, {key}__lt={upper}` (one end in, the other out; "
            f"`{key}__range` includes both), so each key falls in exactly one batch."
        )
    if framework == "rails":
        return (
            f"Use an end-exclusive range, `{column}: {lower}...{upper}` (three dots; `..` includes the end), or "
            "let `in_batches(of: …)` pick the ranges, so each key falls in exactly one batch."
        )
    if framework in ("alembic", "knex", "typeorm", "sequelize", "laravel"):
        return (
            f"Bound each batch by `{column} >= {lower} AND {column} < {upper}` in the query the loop sends (one end "
            "in, the other out), so each key falls in exactly one batch."
        )
    return (
        f"Write `{column} > {lower} AND {column} <= {upper}` with `{lower} := {upper}` (or `BETWEEN {lower} AND "
        f"{upper}` with `{lower} := {upper} + 1`), so each key falls in exactly one batch."
    )


_RESTORE = {
    "django": "Copy what the change overwrites or deletes first (a backup table via `RunSQL`, or a column the "
    "forward function fills), and give `RunPython` a reverse function that writes it back, not "
    "`RunPython.noop`.",
    "rails": "Copy what the change overwrites or deletes first (a backup table, or a column `up` fills), and "
    "write it back in `down` (`update_all` from the copy), instead of a `down` that only restores the schema.",
    "alembic": "Copy what the change overwrites or deletes first (a backup table `upgrade()` creates), and "
    "write it back in `downgrade()`, instead of a `downgrade()` that only restores the schema.",
}


def restore(framework: str) -> str:
    return _RESTORE.get(
        framework,
        "Save the data first (the rollback plan's first steps give the statements, one per table) and restore "
        "it in the down migration, or write the down migration so it computes the old values again.",
    )
