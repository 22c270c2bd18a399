"""A column dropped: a drop and an add of the same kind in one migration reads like a rename; a table rebuild
that leaves a column out drops it."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql


@pytest.mark.parametrize(
    ("table", "old", "new", "path"),
    [
        ('"User"', "name", "fullName", "prisma/migrations/20260101000000_rename/migration.sql"),
        ("orders", "state", "status", "db/migrations/0002_rename.sql"),
    ],
)
def test_a_drop_and_an_add_of_the_same_kind_reads_like_a_rename(
    table: str, old: str, new: str, path: str
) -> None:
    """Prisma writes a renamed field as a drop and an add: the values of the old column are lost. Said with
    the RENAME that keeps them; quiet when the migration copies the values over, or adds a column of another
    kind."""

    quoted = f'"{new}"' if new != new.lower() else new
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text, price numeric);\n"}

    def message(sql: str) -> str:
        result = review_sql(sql, path=path, base=base)
        [found] = [f for f in result.active if f.rule == "column-dropped"]
        return found.message

    drop_add = f"ALTER TABLE {table} ADD COLUMN {quoted} text;\nALTER TABLE {table} DROP COLUMN {old};\n"
    assert f"RENAME COLUMN {old} TO {quoted}" in message(drop_add)
    copied = (
        f"ALTER TABLE {table} ADD COLUMN {quoted} text;\nUPDATE {table} SET {quoted} = {old};\n"
        f"ALTER TABLE {table} DROP COLUMN {old};\n"
    )
    assert "RENAME" not in message(copied)
    other_kind = f"ALTER TABLE {table} ADD COLUMN {quoted} boolean;\nALTER TABLE {table} DROP COLUMN {old};\n"
    assert "RENAME" not in message(other_kind)


@pytest.mark.parametrize(
    ("table", "old", "new"), [("announcements", "enabled", "disabled"), ("posts", "is_visible", "is_hidden")]
)
def test_a_drop_and_an_add_of_the_opposite_flag(table: str, old: str, new: str) -> None:
    from tests.conftest import review_sql

    base = {
        "db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} boolean NOT NULL DEFAULT true);\n"
    }
    sql = f"ALTER TABLE {table} ADD COLUMN {new} boolean NOT NULL DEFAULT false;\nALTER TABLE {table} DROP COLUMN {old};\n"
    result = review_sql(sql, path="db/migrations/0002_flip.sql", base=base)
    [found] = [f for f in result.active if f.rule == "column-dropped"]
    assert f"fill it with `NOT {old}`" in found.message and "RENAME" not in found.message


@pytest.mark.parametrize(("table", "lost"), [("users", "nickname"), ("invoices", "memo")])
def test_a_rebuild_that_leaves_a_column_out_drops_it(table, lost) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, email text NOT NULL, {lost} text);\n-- migration\n"
    )
    rebuild = (
        f"CREATE TABLE {table}_new (id bigint PRIMARY KEY, email text NOT NULL);\n"
        f"INSERT INTO {table}_new (id, email) SELECT id, email FROM {table};\n"
        f"DROP TABLE {table};\nALTER TABLE {table}_new RENAME TO {table};"
    )
    found = [f for f in review_sql(schema + rebuild).active if f.rule == "column-dropped"]
    assert [f"`{table}.{lost}`" in f.message and "rebuild" in f.message for f in found] == [True]
    kept = rebuild.replace("email text NOT NULL);", f"email text NOT NULL, {lost} text);").replace(
        "(id, email) SELECT id, email", f"(id, email, {lost}) SELECT id, email, {lost}"
    )
    assert not [f for f in review_sql(schema + kept).active if f.rule == "column-dropped"]


TYPEORM_INIT = (
    'import { MigrationInterface, QueryRunner } from "typeorm";\n'
    "export class Init1600000000000 implements MigrationInterface {\n"
    "  public async up(q: QueryRunner): Promise<void> {\n"
    '    await q.query(`CREATE TABLE "{table}" ("id" SERIAL NOT NULL, "{old}" character varying, "{other}" date, '
    'CONSTRAINT "PK_{table}" PRIMARY KEY ("id"))`);\n'
    "  }\n"
    "  public async down(q: QueryRunner): Promise<void> {}\n"
    "}\n"
)


def _typeorm(table: str, drop: str, add: str, kind: str) -> str:
    return (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        "export class Change1700000000000 implements MigrationInterface {\n"
        "  public async up(q: QueryRunner): Promise<void> {\n"
        f'    await q.query(`ALTER TABLE "{table}" DROP COLUMN "{drop}"`);\n'
        f'    await q.query(`ALTER TABLE "{table}" ADD "{add}" {kind}`);\n'
        "  }\n"
        "  public async down(q: QueryRunner): Promise<void> {}\n"
        "}\n"
    )


@pytest.mark.parametrize(
    ("table", "old", "new", "other", "unlike"),
    [
        ("user", "name", "fullName", "start_date", "expiry_date"),
        ("account", "email", "emailAddress", "opened_on", "closed_on"),
    ],
)
def test_names_that_read_as_a_rename_make_the_lost_values_critical(
    table: str, old: str, new: str, other: str, unlike: str
) -> None:
    base = {
        "src/migrations/1600000000000-Init.ts": TYPEORM_INIT.replace("{table}", table)
        .replace("{old}", old)
        .replace("{other}", other)
    }
    path = "src/migrations/1700000000000-Change.ts"

    def found(text: str):  # type: ignore[no-untyped-def]
        return [f for f in review_sql(text, path=path, base=base).active if f.rule == "column-dropped"]

    (renamed,) = found(_typeorm(table, old, new, "character varying"))
    assert renamed.severity == "critical" and "it reads as a rename" in renamed.message
    # the framework's call takes the names as they are, unquoted
    assert f'`queryRunner.renameColumn("{table}", "{old}", "{new}")`' in renamed.message
    # another value of the same kind that shares only a word: said as a possibility, not raised
    (other_value,) = found(_typeorm(table, other, unlike, "date"))
    assert other_value.severity != "critical" and "if it is meant as a rename" in other_value.message


@pytest.mark.parametrize(
    ("table", "old", "new"), [("variants", "price_override", "price"), ("people", "nick", "nickname")]
)
def test_a_new_column_filled_by_the_code_before_the_drop_is_no_lost_rename(
    table: str, old: str, new: str
) -> None:
    initial = (
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    initial = True\n"
        f"    dependencies = []\n    operations = [migrations.CreateModel(name='{table[:-1].capitalize()}', fields=[('id', models.BigAutoField(primary_key=True)), ('{old}', models.TextField(null=True))], options={{'db_table': '{table}'}})]\n"
    )
    model = table[:-1].capitalize()
    change = (
        "from django.db import migrations, models\n\n"
        "def fill(apps, schema_editor):\n"
        f"    {model} = apps.get_model('shop', '{model}')\n"
        f"    for row in {model}.objects.iterator():\n"
        f"        value = row.{old}\n"
        f"        row.{new} = value or ''\n"
        f"        row.save(update_fields=['{new}'])\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [migrations.AddField(model_name='{model.lower()}', name='{new}', field=models.TextField(null=True)),\n"
        "        migrations.RunPython(fill, migrations.RunPython.noop),\n"
        f"        migrations.RemoveField(model_name='{model.lower()}', name='{old}')]\n"
    )
    result = review_sql(
        change, path="shop/migrations/0002_change.py", base={"shop/migrations/0001_initial.py": initial}
    )
    found = [f for f in result.active if f.rule == "column-dropped"]
    assert found and not any("rename" in f.message for f in found), [f.message for f in found]
    assert all(f.severity != "critical" for f in found)


@pytest.mark.parametrize(
    ("parent", "child", "column"), [("users", "orders", "code"), ("stores", "visits", "slug")]
)
def test_a_column_another_tables_key_references_cannot_be_dropped(
    parent: str, child: str, column: str, pg
) -> None:  # type: ignore[no-untyped-def]
    """PostgreSQL refuses without CASCADE (shown on the real server), MySQL and MariaDB always; with CASCADE,
    PostgreSQL drops the key along: nothing checks the referencing rows any more."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, {column} text UNIQUE, note text);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_{column} text REFERENCES {parent} ({column}));\n"
    )

    def found(sql: str, dialect: str = "postgres") -> list:  # type: ignore[type-arg]
        text = schema if dialect == "postgres" else schema.replace(" text", " varchar(20)")
        return [
            f
            for f in review_sql(text + "-- migration\n" + sql, dialect=dialect).active
            if f.rule == "column-dropped"
        ]

    (refused,) = found(f"ALTER TABLE {parent} DROP COLUMN {column};")
    assert refused.severity == "critical" and refused.message.startswith(
        f"Dropping `{parent}.{column}` fails"
    )
    (refused,) = found(f"ALTER TABLE {parent} DROP COLUMN {column};", "mariadb")
    assert refused.severity == "critical"
    (cascaded,) = found(f"ALTER TABLE {parent} DROP COLUMN {column} CASCADE;")
    assert "CASCADE drops the foreign key" in cascaded.message
    key = f"{child}_{parent}_{column}_fkey"
    for quiet in (
        f"ALTER TABLE {child} DROP CONSTRAINT {key};\nALTER TABLE {parent} DROP COLUMN {column};",
        f"ALTER TABLE {parent} DROP COLUMN note;",
    ):
        assert all("fails" not in f.message and "CASCADE" not in f.message for f in found(quiet)), quiet
    for statement in schema.strip().split(";\n"):
        pg.execute(statement)
    with pytest.raises(Exception, match="other objects depend on it"):
        pg.execute(f"ALTER TABLE {parent} DROP COLUMN {column}")
