"""`unique-key-dropped`: a unique index or constraint dropped with nothing else keeping its columns unique; a
replacement built first (or in the same migration), a primary key over the same columns, or a partial index
is quiet."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("users", "email"), ("accounts", "slug")]


def _found(sql: str, dialect: str | None = None) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, dialect=dialect).active if f.rule == "unique-key-dropped"]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("schema", "drop"),
    [
        ("CREATE UNIQUE INDEX {t}_{c}_key ON {t} ({c});", "DROP INDEX {t}_{c}_key;"),
        ("CREATE UNIQUE INDEX {t}_{c}_key ON {t} ({c});", "DROP INDEX CONCURRENTLY IF EXISTS {t}_{c}_key;"),
        (
            "ALTER TABLE {t} ADD CONSTRAINT {t}_{c}_uniq UNIQUE ({c});",
            "ALTER TABLE {t} DROP CONSTRAINT {t}_{c}_uniq;",
        ),
        ("", "ALTER TABLE {t} DROP CONSTRAINT {t}_{c}_key;"),
    ],
)
def test_a_unique_key_dropped_is_named(table: str, column: str, schema: str, drop: str) -> None:
    inline = " UNIQUE" if not schema else ""
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL{inline});\n{schema.format(t=table, c=column)}\n-- migration\n{drop.format(t=table, c=column)}"
    [finding] = _found(sql)
    assert finding.severity.value == "warning" and f"`{table}`" in finding.message
    assert "ON CONFLICT" in finding.blast_radius


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_mysql_unique_key_dropped_by_drop_index(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(100), UNIQUE KEY {table}_{column} ({column}));\n-- migration\n"
    [finding] = _found(schema + f"ALTER TABLE {table} DROP INDEX {table}_{column};", dialect="mysql")
    assert f"({column})" in finding.message


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    "change",
    [
        "CREATE UNIQUE INDEX CONCURRENTLY {t}_{c}_new ON {t} ({c});\nDROP INDEX {t}_{c}_key;",
        "DROP INDEX {t}_{c}_key;\nALTER TABLE {t} ADD CONSTRAINT {t}_{c}_uniq UNIQUE ({c});",
        "DROP INDEX {t}_{c}_key;\nDROP TABLE {t};",
        "DROP INDEX {t}_{c}_partial;",
        "DROP INDEX {t}_{c}_plain;",
    ],
)
def test_a_key_kept_replaced_or_not_unique_is_quiet(table: str, column: str, change: str) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL);\n"
        f"CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\n"
        f"CREATE UNIQUE INDEX {table}_{column}_partial ON {table} ({column}) WHERE id > 0;\n"
        f"CREATE INDEX {table}_{column}_plain ON {table} ({column});\n-- migration\n"
        + change.format(t=table, c=column)
    )
    assert not _found(sql)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_an_index_dropped_beside_a_unique_constraint_on_the_same_columns_is_quiet(
    table: str, column: str
) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_uniq UNIQUE ({column});\n"
        f"CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\n-- migration\n"
        f"DROP INDEX {table}_{column}_key;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(("model", "field"), [("User", "email"), ("Coupon", "code")])
def test_a_django_field_that_stops_being_unique(model: str, field: str) -> None:
    from tests.rules.django_app import review_migration

    text = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        f'    operations = [migrations.AlterField(model_name="{model.lower()}", name="{field}", '
        "field=models.CharField(max_length=200))]\n"
    )
    result = review_migration(model, {field: "models.CharField(max_length=200, unique=True)"}, text)
    [finding] = [f for f in result.active if f.rule == "unique-key-dropped"]
    assert f"({field})" in finding.message
    still = text.replace("max_length=200))", "max_length=300, unique=True))")
    assert not [
        f
        for f in review_migration(
            model, {field: "models.CharField(max_length=200, unique=True)"}, still
        ).active
        if f.rule == "unique-key-dropped"
    ]


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_knex_drop_unique_of_a_column_declared_unique(table: str, column: str) -> None:
    base = {
        "package.json": '{"dependencies": {"knex": "1", "pg": "8"}}',
        "migrations/20240101000000_init.js": (
            f"exports.up = (knex) => knex.schema.createTable('{table}', (t) => {{ t.increments('id'); "
            f"t.string('{column}').unique(); t.string('note').index(); }});\n"
            f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
        ),
    }

    def found(body: str) -> list:  # type: ignore[type-arg]
        text = (
            f"exports.up = (knex) => knex.schema.alterTable('{table}', (t) => {{ {body}; }});\n"
            f"exports.down = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.unique(['{column}']); }});\n"
        )
        review = review_sql(text, path="migrations/20250101000000_change.js", base=base)
        return [f for f in review.active if f.rule == "unique-key-dropped"]

    assert len(found(f"t.dropUnique(['{column}'])")) == 1
    assert not found("t.dropIndex(['note'])")


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_key_replaced_by_a_wider_one_says_the_column_alone_is_no_longer_unique(
    table: str, column: str
) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, scope text);\n"
        f"CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\n-- migration\n"
        f"DROP INDEX {table}_{column}_key;\nCREATE UNIQUE INDEX {table}_{column}_scope_key ON {table} ({column}, scope);"
    )
    [finding] = _found(sql)
    assert f"wider one, `{table}_{column}_scope_key`" in finding.message
    assert f"{column} alone is no longer unique" in finding.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_wide_key_a_narrower_one_implies_is_redundant(table: str, column: str) -> None:
    """A unique key over some of the columns keeps every wider set of them unique (dhis2's redundant
    three-column index beside a two-column unique constraint)."""
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, scope text, unit text);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_scope_uk UNIQUE ({column}, scope);\n"
        f"CREATE UNIQUE INDEX {table}_three ON {table} ({column}, scope, unit);\n-- migration\n"
        f"DROP INDEX {table}_three;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_keys_follow_a_renamed_column(table: str, column: str) -> None:
    """A unique index over a column renamed since is still over it: a new key on the new name keeps it."""
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, old_{column} text NOT NULL, scope text);\n"
        f"CREATE UNIQUE INDEX {table}_wide ON {table} (old_{column}, scope);\n"
        f"ALTER TABLE {table} RENAME COLUMN old_{column} TO {column};\n-- migration\n"
        f"CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\nDROP INDEX {table}_wide;"
    )
    assert not _found(sql)


@pytest.mark.parametrize(
    ("table", "first", "second"),
    [("securities", "ticker", "exchange_operating_mic"), ("accounts", "handle", "region")],
)
def test_a_key_replaced_by_one_on_case_folded_and_defaulted_columns_is_quiet(
    table: str, first: str, second: str
) -> None:
    """maybe replaced the unique index on (ticker, exchange_operating_mic) by one on `UPPER(ticker),
    COALESCE(UPPER(exchange_operating_mic), '')`, written as one string: rows equal in the columns are equal in
    the expressions, so the new key is stronger, not missing."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {first} text, {second} text, other text);\n"
        f"CREATE UNIQUE INDEX {table}_pair ON {table} ({first}, {second});\n-- migration\n"
    )
    rails = (
        f"class Stronger < ActiveRecord::Migration[7.2]\n  def change\n"
        f"    remove_index :{table}, [:{first}, :{second}], unique: true, name: '{table}_pair'\n"
        f"    add_index :{table}, \"UPPER({first}), COALESCE(UPPER({second}), '')\", unique: true, name: '{table}_new'\n"
        "  end\nend\n"
    )
    base = {"db/migrations/000_schema.sql": schema.split("-- migration")[0]}
    path = "db/migrate/20250522174753_stronger.rb"
    found = [f for f in review_sql(rails, path=path, base=base).active if f.rule == "unique-key-dropped"]
    assert not found
    sql = f"DROP INDEX {table}_pair;\nCREATE UNIQUE INDEX {table}_new ON {table} (upper({first}), coalesce(upper({second}), ''));"
    assert not _found(schema + sql)
    # an expression of two columns, or of a column the dropped key did not have, keeps nothing unique
    for expression in (f"coalesce({first}, {second}), {second}", f"lower({first}), lower(other)"):
        weaker = f"DROP INDEX {table}_pair;\nCREATE UNIQUE INDEX {table}_new ON {table} ({expression});"
        assert len(_found(schema + weaker)) == 1


@pytest.mark.parametrize(("table", "column"), [("Survey", "resultShareKey"), ("accounts", "invite_token")])
def test_a_key_dropped_with_its_column_is_no_loss_of_uniqueness(table: str, column: str) -> None:
    """Prisma drops a unique field's index, then its column (formbricks' `Survey_resultShareKey_key`): no
    value is left to be duplicated. A key of two columns goes with either; the key kept alone still counts."""
    schema = (
        f'CREATE TABLE "{table}" (id bigint PRIMARY KEY, "{column}" text, "other" text);\n'
        f'CREATE UNIQUE INDEX "{table}_{column}_key" ON "{table}" ("{column}");\n'
        f'CREATE UNIQUE INDEX "{table}_pair_key" ON "{table}" ("{column}", "other");\n-- migration\n'
    )
    gone = (
        f'DROP INDEX "{table}_{column}_key";\nDROP INDEX "{table}_pair_key";\n'
        f'ALTER TABLE "{table}" DROP COLUMN "{column}";\n'
    )
    assert not _found(schema + gone)
    kept = f'DROP INDEX "{table}_{column}_key";\nALTER TABLE "{table}" DROP COLUMN "other";\n'
    assert [f for f in _found(schema + kept) if f"{table}_{column}_key" in f.message]


COLUMN_NAMES = [("accounts", "slug", "region"), ("seats", "row_label", "venue_id")]


def _keyed(table: str, kept: str, dropped: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {kept} varchar(40) NOT NULL, {dropped} bigint NOT NULL,\n"
        f"  CONSTRAINT {table}_pair_key UNIQUE ({kept}, {dropped}));\n"
        f"CREATE TABLE {table}_links ({kept} varchar(40) NOT NULL, {dropped} bigint NOT NULL, note text,\n"
        f"  PRIMARY KEY ({kept}, {dropped}));\n-- migration\n"
    )


@pytest.mark.parametrize(("table", "kept", "dropped"), COLUMN_NAMES)
def test_a_column_dropped_out_of_a_key_of_several_columns(table: str, kept: str, dropped: str) -> None:
    schema = _keyed(table, kept, dropped)
    (finding,) = _found(schema + f"ALTER TABLE {table} DROP COLUMN {dropped};", "postgres")
    assert f"`{table}_pair_key`" in finding.message and f"nothing keeps ({kept}) unique" in finding.message
    (finding,) = _found(schema + f"ALTER TABLE {table}_links DROP COLUMN {dropped};", "postgres")
    assert "without a primary key" in finding.message
    (finding,) = _found(schema + f"ALTER TABLE {table} DROP COLUMN {dropped};", "mariadb")
    assert finding.severity == "critical" and "1072" in finding.message
    (finding,) = _found(schema + f"ALTER TABLE {table} DROP COLUMN {dropped};", "mysql")
    assert finding.severity == "critical" and f"narrows the unique key `{table}_pair_key`" in finding.message
    assert f"GROUP BY {kept} HAVING count(*) > 1" in finding.blast_radius


@pytest.mark.parametrize("dialect", ["postgres", "mysql", "mariadb"])
@pytest.mark.parametrize(("table", "kept", "dropped"), COLUMN_NAMES)
def test_a_column_dropped_with_its_key_or_outside_any_key_is_quiet(
    table: str, kept: str, dropped: str, dialect: str
) -> None:
    schema = _keyed(table, kept, dropped)
    drop_key = "DROP CONSTRAINT" if dialect == "postgres" else "DROP INDEX"
    for sql in (
        f"ALTER TABLE {table} {drop_key} {table}_pair_key, DROP COLUMN {dropped};",
        f"ALTER TABLE {table} DROP COLUMN {kept}, DROP COLUMN {dropped};",  # the whole key goes
        f"ALTER TABLE {table}_links DROP COLUMN note;",
        f"ALTER TABLE {table} DROP COLUMN id;"
        if dialect == "postgres"
        else f"ALTER TABLE {table}_links DROP COLUMN note;",
    ):
        assert not _found(schema + sql, dialect), sql
    if dialect != "mariadb":  # another key keeps the column left unique
        unique_kept = schema.replace(
            "-- migration\n", f"CREATE UNIQUE INDEX {table}_kept ON {table} ({kept});\n-- migration\n"
        )
        assert not _found(unique_kept + f"ALTER TABLE {table} DROP COLUMN {dropped};", dialect)


def test_the_servers_do_what_the_findings_say(mariadb) -> None:  # type: ignore[no-untyped-def]
    import psycopg
    import pymysql

    from tests.conftest import PG_DSN

    cursor = mariadb.cursor()
    cursor.execute("CREATE TABLE ukd_pairs (id int PRIMARY KEY, a int, b int, UNIQUE KEY ukd_ab (a, b))")
    with pytest.raises(pymysql.err.OperationalError, match="1072"):
        cursor.execute("ALTER TABLE ukd_pairs DROP COLUMN b")
    cursor.execute("ALTER TABLE ukd_pairs DROP INDEX ukd_ab, DROP COLUMN b")
    with psycopg.connect(PG_DSN) as connection:
        connection.execute("CREATE TEMP TABLE ukd_pairs (id int PRIMARY KEY, a int, b int, UNIQUE (a, b))")
        connection.execute("ALTER TABLE ukd_pairs DROP COLUMN b")
        connection.execute("INSERT INTO ukd_pairs VALUES (1, 1), (2, 1)")  # nothing keeps `a` unique now
