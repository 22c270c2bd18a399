import sqlite3
from typing import Any

import pytest

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, dialect="sqlite", **kw).active if f.rule == "sqlite-alter-unsupported"]


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE t ALTER COLUMN a TYPE text",
        "ALTER TABLE t ADD CONSTRAINT t_a_positive CHECK (a > 0)",
        "ALTER TABLE t ADD COLUMN u int UNIQUE",
        "ALTER TABLE t ADD COLUMN k int PRIMARY KEY",
        "ALTER TABLE t ADD COLUMN g int AS (a + 1) STORED",
        "ALTER TABLE t ADD COLUMN d text DEFAULT CURRENT_TIMESTAMP",
        "ALTER TABLE t ADD COLUMN f int DEFAULT (1 + 1)",
    ],
)
def test_what_the_rule_flags_sqlite_really_refuses(statement: str) -> None:
    assert _found(statement + ";")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, a int)")
    db.execute("INSERT INTO t VALUES (1, 1)")
    with pytest.raises(sqlite3.OperationalError):
        db.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        "ALTER TABLE t ADD COLUMN n int DEFAULT 2",
        "ALTER TABLE t ADD COLUMN v int AS (a + 1) VIRTUAL",
        "ALTER TABLE t RENAME COLUMN a TO b",
        "ALTER TABLE t DROP COLUMN a",
    ],
)
def test_what_sqlite_accepts_is_quiet(statement: str) -> None:
    assert not _found(statement + ";")
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, a int)")
    db.execute("INSERT INTO t VALUES (1, 1)")
    db.execute(statement)


def test_drop_column_before_3_35_and_row_limits_on_new_tables() -> None:
    assert _found("ALTER TABLE t DROP COLUMN a;", config=Config(dialect="sqlite", database_version="3.31"))
    assert not _found(
        "CREATE TABLE t (id integer);\nALTER TABLE t ADD COLUMN d text DEFAULT CURRENT_TIMESTAMP;"
    )


def test_other_dialects_are_not_checked() -> None:
    assert not [
        f
        for f in review_sql("ALTER TABLE t ADD COLUMN u int UNIQUE;").active
        if f.rule == "sqlite-alter-unsupported"
    ]


DJANGO = "shop/migrations/0002_change.py"
DJANGO_FIRST = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    initial = True\n    operations = [\n        migrations.CreateModel(\n"
    '            name="Order",\n            fields=[("id", models.AutoField(primary_key=True)),'
    ' ("note", models.TextField(null=True))],\n        ),\n    ]\n'
)


def _django(operation: str) -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f'    dependencies = [("shop", "0001_initial")]\n    operations = [\n        {operation},\n    ]\n'
    )


def test_a_framework_that_rebuilds_the_table_on_sqlite_is_quiet_but_its_raw_sql_is_not() -> None:
    base = {"shop/migrations/0001_initial.py": DJANGO_FIRST}
    config = Config(dialect="sqlite")
    altered = _django('migrations.AlterField("order", "note", models.TextField(default=""))')
    assert not _found(altered, path=DJANGO, base=base, config=config)
    raw = _django('migrations.RunSQL("ALTER TABLE shop_order ALTER COLUMN note SET NOT NULL")')
    assert _found(raw, path=DJANGO, base=base, config=config)


_NAMED_SCHEMA = (
    "CREATE TABLE {t} (id integer PRIMARY KEY, {key} text UNIQUE, {a} text, {b} text, {c} int, {free} text);\n"
    "CREATE INDEX {t}_{a}_idx ON {t} ({a});\n"
    "CREATE VIEW {t}_view AS SELECT id, {b} FROM {t};\n"
    "CREATE TRIGGER {t}_touch AFTER UPDATE ON {t} BEGIN UPDATE {t} SET {c} = {c} + 1 WHERE id = NEW.id; END;\n"
)


@pytest.mark.parametrize(
    "names",
    [
        {"t": "users", "key": "email", "a": "name", "b": "nick", "c": "version", "free": "bio"},
        {"t": "items", "key": "sku", "a": "title", "b": "label", "c": "edits", "free": "note"},
    ],
)
def test_a_column_something_else_names_cannot_be_dropped(names: dict[str, str]) -> None:
    """The same statements on the real SQLite: each refused, the free column dropped."""
    schema = _NAMED_SCHEMA.format(**names)
    t = names["t"]
    for column, said in (
        (names["key"], "it is UNIQUE"),
        (names["a"], f"the index `{t}_{names['a']}_idx` uses it"),
        (names["b"], f"the view `{t}_view` uses it"),
        (names["c"], f"the trigger `{t}_touch` uses it"),
    ):
        (finding,) = _found(schema + f"-- migration\nALTER TABLE {t} DROP COLUMN {column};")
        assert said in finding.message, finding.message
        db = sqlite3.connect(":memory:")
        db.executescript(schema)
        with pytest.raises(sqlite3.OperationalError):
            db.execute(f"ALTER TABLE {t} DROP COLUMN {column}")
    assert not _found(schema + f"-- migration\nALTER TABLE {t} DROP COLUMN {names['free']};")
    dropped_first = (
        f"-- migration\nDROP INDEX {t}_{names['a']}_idx;\nALTER TABLE {t} DROP COLUMN {names['a']};"
    )
    assert not _found(schema + dropped_first)
    db = sqlite3.connect(":memory:")
    db.executescript(schema)
    db.execute(f"ALTER TABLE {t} DROP COLUMN {names['free']}")
