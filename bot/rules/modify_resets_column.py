"""A column redefined whole (MySQL's `MODIFY`/`CHANGE`, Laravel 11's `->change()`) loses what it does not repeat.

## Why is this bad?
`ALTER TABLE posts MODIFY title varchar(300)`, written to widen the column, also makes a `NOT NULL DEFAULT ''`
column nullable with no default: MySQL and MariaDB replace the column's definition with exactly what the
clause says. Nothing fails. From then on, inserts that omit the column store NULL instead of `''`, the code
that never expected NULL meets it, and a later `SET NOT NULL` fails on those rows. A NOT NULL column whose
DEFAULT is not repeated makes every insert that omits it fail instead.

## Use instead
Repeat every attribute the column keeps: `MODIFY title varchar(300) NOT NULL DEFAULT '' COMMENT 'headline'`
(with its `CHARACTER SET` and `COLLATE` when they are not the table's). Say `NULL` explicitly when making it
nullable is the point.

## Framework notes
Laravel 11 and later redefine a column on `->change()` with only the modifiers written: `$table->string('status',
40)->change()` drops the column's `->default('draft')` (and makes it NOT NULL unless `->nullable()` is
repeated, which `set-not-null` reports). The version is read from `composer.lock`, else `composer.json`.
Knex's `.alter()` redefines the column the same way: `t.string('title', 300).alter()` drops NOT NULL and the
default unless `.notNullable()` and `.defaultTo()` are repeated. So does Sequelize's `queryInterface.changeColumn`:
without `allowNull: false` and `defaultValue` it drops NOT NULL and the default (on PostgreSQL as on MySQL).
Liquibase's `modifyDataType` is `ALTER TABLE … MODIFY <column> <newDataType>` on MySQL and MariaDB (Liquibase
warns that it "will lose primary key/autoincrement/not null settings"): a NOT NULL column becomes nullable and
loses its default; on PostgreSQL it is `ALTER COLUMN … TYPE`, which keeps both.

A project that writes each migration once per database (`migrations/mysql/` beside `migrations/postgresql/`) says
what it means in the twin: a MODIFY that leaves out NOT NULL where the PostgreSQL twin says `ALTER COLUMN …
DROP NOT NULL` makes the column nullable on purpose, and is not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DropNotNull, Migration, Operation, SetDefault
from bot.rules._twins import nullable_by_twin
from bot.rules.context import Context

RULE = Rule(
    id="modify-resets-column",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Repeat every attribute the column keeps in the MODIFY: NOT NULL, DEFAULT, COMMENT, CHARACTER SET.",
    bad=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, title varchar(200) NOT NULL DEFAULT '');\n"
        "-- migration\n"
        "ALTER TABLE posts MODIFY title varchar(300);",
    ),
    good=(
        "CREATE TABLE posts (id bigint PRIMARY KEY, title varchar(200) NOT NULL DEFAULT '');\n"
        "-- migration\n"
        "ALTER TABLE posts MODIFY title varchar(300) NOT NULL DEFAULT '';",
    ),
    dialects=("mysql", "mariadb", "postgres"),  # Laravel's `->change()` on PostgreSQL too
)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    # per column and clause: its first operation, and what the clause drops of it
    lost: dict[tuple[str, str, int], tuple[Operation, list[str]]] = {}
    for op in migration.up:
        if not isinstance(op, DropNotNull | SetDefault) or not op.implied or context.catalog.is_new(op.table):
            continue
        column = context.before(op).column(op.table, op.column)
        if column is None:
            continue
        if isinstance(op, DropNotNull) and not column.nullable:
            if nullable_by_twin(migration, context, op.table, op.column):
                continue  # the migration written for another database drops the NOT NULL by name: the point
            attribute = "NOT NULL"
        elif isinstance(op, SetDefault) and column.default is not None:
            attribute = f"DEFAULT {column.default}"
        else:
            continue
        lost.setdefault((op.table, op.column, op.location.line), (op, []))[1].append(attribute)
    clause = {
        "laravel": "`->change()`",
        "knex": "`.alter()`",
        "sequelize": "`changeColumn`",
        "liquibase": "`modifyDataType` (`MODIFY` on MySQL)",
    }.get(migration.framework, "MODIFY")
    liquibase = migration.framework == "liquibase"
    for (table, name, _), (op, kept) in lost.items():
        made = "nullable" if "NOT NULL" in kept else "NOT NULL without its default"
        yield op.finding(
            RULE,
            f"The {clause} of `{table}.{name}` restates the whole column and does not repeat {' and '.join(kept)}: "
            f"the column is {made} after it.",
            blast_radius=(
                f"Inserts into `{table}` that omit `{name}` store NULL from now on, code that never expected NULL "
                "meets it, and a later SET NOT NULL fails on those rows."
                if "NOT NULL" in kept
                else f"Every insert into `{table}` that omits `{name}` fails from now on, the running release's too."
            ),
            fix=f"Repeat what the column keeps in the clause: `… {' '.join(kept)}` (and its COMMENT, CHARACTER SET "
            "and COLLATE), or say NULL explicitly if making it nullable is the point."
            if not liquibase
            else f"Write the change as `<sql>ALTER TABLE {table} MODIFY {name} … {' '.join(kept)}</sql>`, or follow "
            "the `modifyDataType` with `addNotNullConstraint` and `addDefaultValue` in the same changeSet.",
        )
