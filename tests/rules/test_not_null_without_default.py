from typing import Any

import pytest

from tests.conftest import review_sql

RULE = "not-null-without-default"
SCHEMA = "CREATE TABLE a (id integer PRIMARY KEY, n integer);\n-- migration\n"
RENAMED_AWAY = (
    'ALTER TABLE "a" RENAME TO "a__old";\n'
    'CREATE TABLE "a" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "n" integer NULL, {new});\n'
    'INSERT INTO "a" ("id", "n", "m") SELECT "id", "n", 0 FROM "a__old";\n'
    'DROP TABLE "a__old";\n'
)
RENAMED_IN = (
    'CREATE TABLE "new__a" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "n" integer NULL, {new});\n'
    'INSERT INTO "new__a" ("id", "n", "m") SELECT "id", "n", 0 FROM "a";\n'
    'DROP TABLE "a";\n'
    'ALTER TABLE "new__a" RENAME TO "a";\n'
)


def _found(sql: str, **kw: Any) -> list[str]:
    return [f.message for f in review_sql(sql, dialect="sqlite", **kw).active if f.rule == RULE]


@pytest.mark.parametrize("pattern", [RENAMED_AWAY, RENAMED_IN], ids=["renamed-away", "renamed-in"])
@pytest.mark.parametrize("schema", ["", SCHEMA], ids=["copy-tells", "schema-tells"])
def test_a_rebuild_that_adds_a_not_null_column_without_default(pattern: str, schema: str) -> None:
    [message] = _found(schema + pattern.format(new='"m" integer NOT NULL'))
    assert "`a` is rebuilt with the new column `m`" in message
    # plain SQL gets no Django advice (memos' rebuilt `reaction` was told of `db_default=`)
    [finding] = [
        f
        for f in review_sql(schema + pattern.format(new='"m" integer NOT NULL'), dialect="sqlite").active
        if f.rule == RULE
    ]
    assert "Django" not in finding.fix and "database default" in finding.fix


@pytest.mark.parametrize("pattern", [RENAMED_AWAY, RENAMED_IN], ids=["renamed-away", "renamed-in"])
def test_a_rebuild_whose_new_column_has_a_default_or_is_nullable(pattern: str) -> None:
    assert not _found(pattern.format(new='"m" integer DEFAULT 0 NOT NULL'))
    assert not _found(pattern.format(new='"m" integer NULL'))


def test_a_rebuild_copying_an_existing_not_null_column_is_quiet() -> None:
    sql = RENAMED_IN.replace('"n", 0 FROM', '"n", "m" FROM').format(new='"m" integer NOT NULL')
    assert not _found(sql)


def test_the_renamed_away_copy_is_no_dropped_table() -> None:
    review = review_sql(SCHEMA + RENAMED_AWAY.format(new='"m" integer NULL'), dialect="sqlite")
    assert "table-dropped" not in {f.rule for f in review.active}


def test_a_table_emptied_first_takes_the_column_but_old_inserts_still_fail() -> None:
    for table, empty in [
        ("share_subscriptions", "DELETE FROM share_subscriptions;"),
        ("carts", "TRUNCATE carts;"),
    ]:
        sql = f"BEGIN;\n{empty}\nALTER TABLE {table} ADD COLUMN document_id uuid NOT NULL;\nCOMMIT;"
        [finding] = [f for f in review_sql(sql).active if f.rule == "not-null-without-default"]
        assert (
            f"empties `{table}` first" in finding.blast_radius
            and "release still running" in finding.blast_radius
        )


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [migrations.CreateModel(name="{model}", fields=[("id", models.BigAutoField(primary_key=True))])]
"""


@pytest.mark.parametrize(
    ("model", "table", "count"), [("Theme", "shop_theme", 9), ("Button", "shop_button", 2)]
)
def test_django_one_off_defaults_of_one_table_are_one_finding(model: str, table: str, count: int) -> None:
    fields = "".join(
        f'        migrations.AddField(model_name="{model.lower()}", name="size_{i}", '
        f"field=models.IntegerField(default={i})),\n"
        for i in range(count)
    )
    text = (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n    operations = [\n{fields}    ]\n'
    )
    result = review_sql(
        text,
        path="shop/migrations/0002_sizes.py",
        base={"shop/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model)},
    )
    (finding,) = [f for f in result.active if f.rule == "not-null-without-default"]
    assert f"`{table}` gets the NOT NULL columns `size_0` (default `0`)" in finding.message
    assert "Django 5: `db_default=`" in finding.fix
    assert (f"and {count - 6} more" in finding.message) == (count > 6)


@pytest.mark.parametrize(("table", "column"), [("posts", "public_id"), ("devices", "serial_number")])
def test_on_mysql_a_unique_not_null_column_without_default_fails_on_two_rows(table: str, column: str) -> None:
    """MySQL fills the existing rows with the type's implicit default, one value for all: a unique key on the
    column then fails with a duplicate entry."""
    from tests.conftest import review_sql

    base = {"db/migrations/0001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"}

    def blast(sql: str) -> str:
        result = review_sql(sql, path="db/migrations/0002_add.sql", dialect="mysql", base=base)
        [found] = [f for f in result.active if f.rule == "not-null-without-default"]
        return found.blast_radius

    unique = f"ALTER TABLE {table} ADD COLUMN {column} char(36) NOT NULL, ADD UNIQUE KEY {table}_{column}_uq ({column});\n"
    assert "duplicate entry" in blast(unique)
    plain = f"ALTER TABLE {table} ADD COLUMN {column} char(36) NOT NULL;\n"
    assert "duplicate" not in blast(plain) and "silently wrong data" in blast(plain)
    assert "strict mode (the default) refuses" in blast(plain)


@pytest.mark.parametrize(("table", "column"), [("users", "credits"), ("invoices", "retries")])
def test_an_alembic_python_side_default_is_said_to_be_no_database_default(table: str, column: str) -> None:
    from tests.conftest import review_sql

    def message(keywords: str) -> list[str]:
        text = (
            'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
            f'def upgrade():\n    op.add_column("{table}", sa.Column("{column}", sa.Integer(), nullable=False, {keywords}))\n'
            f'\n\ndef downgrade():\n    op.drop_column("{table}", "{column}")\n'
        )
        base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n"}
        result = review_sql(text, path="alembic/versions/b2_add.py", base=base)
        return [f.message for f in result.active if f.rule == "not-null-without-default"]

    [python_side] = message("default=0")
    assert "`server_default=`" in python_side
    assert not message('server_default="0"')


@pytest.mark.parametrize(
    ("table", "column", "parent"),
    [("piggy_banks", "currency_id", "currencies"), ("orders", "shop_id", "shops")],
)
def test_on_mysql_a_foreign_key_on_the_filled_column_fails_unless_it_is_backfilled_first(
    mariadb, table: str, column: str, parent: str
) -> None:  # type: ignore[no-untyped-def]
    """MySQL fills the new NOT NULL column with 0, which no parent row holds: a foreign key on it then fails on
    a table with rows (shown on MariaDB). A key added after an UPDATE that fills the column meets the values
    written: the unique key's duplicate entry and the foreign key's failure are not said then."""
    base = {
        "db/migrations/0001_init.sql": (
            f"CREATE TABLE {parent} (id int unsigned PRIMARY KEY);\nCREATE TABLE {table} (id bigint PRIMARY KEY);\n"
        )
    }

    def blast(sql: str) -> str:
        result = review_sql(sql, path="db/migrations/0002_add.sql", dialect="mysql", base=base)
        [found] = [f for f in result.active if f.rule == "not-null-without-default"]
        return found.blast_radius

    add = f"ALTER TABLE {table} ADD COLUMN {column} int unsigned NOT NULL;\n"
    key = f"ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) REFERENCES {parent} (id);\n"
    fill = f"UPDATE {table} SET {column} = (SELECT min(id) FROM {parent});\n"
    assert f"which no row of `{parent}` holds" in blast(add + key)
    assert "from the release still running omits the column" in blast(add + fill + key)
    unique = f"CREATE UNIQUE INDEX {table}_{column}_uq ON {table} ({column});\n"
    assert "duplicate entry" in blast(add + unique)
    assert "duplicate entry" not in blast(add + fill + unique)
    cursor = mariadb.cursor()
    cursor.execute(f"CREATE TABLE {parent} (id int unsigned PRIMARY KEY)")
    cursor.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY)")
    cursor.execute(f"INSERT INTO {parent} VALUES (7)")
    cursor.execute(f"INSERT INTO {table} VALUES (1)")
    cursor.execute(add)
    with pytest.raises(Exception, match="foreign key constraint fails"):
        cursor.execute(key)
    cursor.execute(fill)
    cursor.execute(key)
    with pytest.raises(Exception, match="doesn't have a default value"):  # the running release's insert
        cursor.execute(f"INSERT INTO {table} (id) VALUES (2)")
    cursor.execute(f"DROP TABLE {table}")
    cursor.execute(f"DROP TABLE {parent}")
