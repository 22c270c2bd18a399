"""Every SQL statement the review prints (validation queries, rollback-plan statements) runs on the real
PostgreSQL and MariaDB, on the schema of the change it was written for: the bundled examples and small
repositories of several frameworks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.local.examples import demo_changeset
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.plan.runnable import schema_of
from bot.review import Prepared, prepare, review
from bot.sql.checked import Schema, problem
from tests.conftest import review_sql

_SQL = re.compile(r"^\s*(?:SELECT|CREATE TABLE|UPDATE|INSERT|DELETE)\b", re.I)

SCHEMA = """CREATE TABLE users (id bigint PRIMARY KEY, first_name varchar(50), last_name varchar(50),
  full_name varchar(120), status varchar(20), is_hidden boolean, is_visible boolean, price numeric(10, 2), qty integer);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint, state varchar(20), legacy_status varchar(20),
  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint,
  CONSTRAINT items_order_fk FOREIGN KEY (order_id) REFERENCES orders (id) ON DELETE CASCADE);
CREATE TABLE currencies (code varchar(3) PRIMARY KEY, label varchar(40), rate numeric(10, 4));
CREATE TABLE bans (id bigint PRIMARY KEY, user_id bigint);
"""
CHANGES = {
    "concat": "UPDATE users SET full_name = first_name || ' ' || last_name WHERE status = 'active';",
    "cascade": "DELETE FROM users WHERE status = 'deleted';",
    "keyless": "UPDATE currencies SET label = upper(label) WHERE code IN ('EUR', 'USD');",
    "case": "UPDATE orders SET state = CASE legacy_status WHEN 'o' THEN 'open' WHEN 'c' THEN 'closed' END;",
    "drop": "ALTER TABLE orders DROP COLUMN legacy_status;",
    "insert": "INSERT INTO bans (id, user_id) SELECT id, id FROM users WHERE status = 'banned';",
    "not_in": "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM bans) AND id >= 1 AND id < 1000;",
    "constant": "UPDATE users SET is_visible = TRUE WHERE is_hidden = FALSE;",
    "merge": "MERGE INTO orders o USING users u ON o.user_id = u.id WHEN MATCHED AND u.status = 'gone' THEN DELETE"
    " WHEN MATCHED THEN UPDATE SET state = u.status WHEN NOT MATCHED THEN INSERT (id, user_id) VALUES (u.id, u.id);",
    "lookup": "UPDATE orders SET state = (SELECT status FROM users WHERE first_name = 'root') WHERE id >= 1 AND id < 500;",
    "left_join": "INSERT INTO bans (id, user_id) SELECT o.id, u.id FROM orders o LEFT JOIN users u ON u.id = o.user_id;",
    "unqualified": "UPDATE orders SET legacy_status = (SELECT status FROM users WHERE id = user_id);",
    "merge_by_source": "MERGE INTO users u USING bans b ON u.id = b.user_id"
    " WHEN NOT MATCHED BY SOURCE AND u.status = 'kept' THEN UPDATE SET status = 'unbanned'"
    " WHEN NOT MATCHED BY SOURCE THEN DELETE;",
}
RAILS = (
    "class Backfill < ActiveRecord::Migration[7.1]\n  def up\n"
    "    Order.where(legacy_status: 'o').update_all(state: 'open')\n"
    "    User.where(status: 'deleted').delete_all\n  end\n\n  def down\n  end\nend\n"
)
DJANGO = (
    "from django.db import migrations\n\n\ndef forwards(apps, schema_editor):\n"
    "    Currency = apps.get_model('money', 'Currency')\n"
    "    Currency.objects.filter(code__in=['EUR', 'USD']).update(rate=1)\n"
    "    Currency.objects.filter(label=some_variable).update(label='x')\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('money', '0001_initial')]\n"
    "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
)
DJANGO_INITIAL = (
    "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
    "    initial = True\n    dependencies = []\n    operations = [\n        migrations.CreateModel(\n"
    "            name='Currency',\n            fields=[\n"
    "                ('code', models.CharField(max_length=3, primary_key=True, serialize=False)),\n"
    "                ('label', models.CharField(max_length=40)),\n"
    "                ('rate', models.DecimalField(max_digits=10, decimal_places=4)),\n            ],\n"
    "            options={'db_table': 'currencies'},\n        ),\n    ]\n"
)


def _reviews(dialect: str) -> list[tuple[str, Review, Schema]]:
    found = []
    base = {"db/structure.sql": SCHEMA}
    cases = [
        (name, "db/migrations/002_change.sql", f"-- +goose Up\n{sql}\n-- +goose Down\nSELECT 1;\n", {})
        for name, sql in CHANGES.items()
    ]
    cases.append(("rails", "db/migrate/20260101000000_backfill.rb", RAILS, {}))
    cases.append(
        (
            "django",
            "money/migrations/0002_rates.py",
            DJANGO,
            {"money/migrations/0001_initial.py": DJANGO_INITIAL},
        )
    )
    for name, path, text, extra in cases:
        files = {**base, **extra}
        changeset = ChangeSet(
            base="base",
            head="head",
            files=(ChangedFile(path, "added", None, text),),
            head_tree=MemoryTree({**files, path: text}),
            base_tree=MemoryTree(files),
        )
        found.append((name, review(changeset, dialect=dialect), _schema(prepare(changeset, dialect=dialect))))
    return found


def _schema(prepared: Prepared) -> Schema:
    return schema_of(prepared.catalog, [op for m in prepared.migrations for op in m.up])


def _statements(result: Review) -> list[str]:
    queries = [q.sql for q in result.verification_queries]
    return queries + [s.command for s in result.rollback_plan if _SQL.match(s.command)]


def _create(execute: Any, schema: Schema, mysql: bool) -> None:
    for table, columns in schema.items():
        names = list(columns)
        execute(f"CREATE TABLE {table} ({names[0]} {_type(columns[names[0]], mysql)})")
        for column in names[1:]:
            execute(f"ALTER TABLE {table} ADD COLUMN {column} {_type(columns[column], mysql)}")


def _type(declared: str, mysql: bool) -> str:
    base = declared.split("(")[0].strip().lower()
    if base in ("bigint", "integer", "int", "smallint", "boolean", "text", "date"):
        return base
    if base in ("varchar", "character varying", "decimal", "numeric") and "(" in declared:
        return declared
    if base in ("timestamptz", "timestamp", "datetime"):
        return "datetime" if mysql else "timestamptz"
    return "text"


def _run(execute: Any, name: str, result: Review, schema: Schema, dialect: str) -> int:
    ran = 0
    for sql in _statements(result):
        assert not problem(sql, dialect, schema), f"{name}: {sql}: {problem(sql, dialect, schema)}"
        if "pg_index" in sql or "auth_user" in sql:
            continue  # a system catalog, a table of another application: parsed and checked above
        execute(sql)
        ran += 1
    return ran


def test_examples_sql_runs_on_postgres(pg: Any) -> None:
    for example in ("shop", "rails-shop", "django-shop"):
        changeset = demo_changeset(example)
        schema = _schema(prepare(changeset))
        result = review(changeset)
        pg.execute("DROP TABLE IF EXISTS " + ", ".join(schema) + " CASCADE")
        _create(pg.execute, schema, mysql=False)
        assert _run(pg.execute, example, result, schema, "postgres") >= 1
        for sql in _statements(result):
            for backup in re.findall(r"CREATE TABLE (\w+)", sql):
                pg.execute(f"DROP TABLE IF EXISTS {backup}")


@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_change_sql_runs_on_the_real_databases(dialect: str, request: pytest.FixtureRequest) -> None:
    connection = request.getfixturevalue("pg" if dialect == "postgres" else "mariadb")
    ran = 0
    for name, result, schema in _reviews(dialect):
        if dialect == "postgres":
            execute = connection.execute
        else:
            cursor = connection.cursor()

            def execute(sql: str, cursor: Any = cursor) -> None:
                cursor.execute(sql)
                cursor.fetchall()

        tables = set(schema)
        backups = {b for sql in _statements(result) for b in re.findall(r"CREATE TABLE (\w+)", sql)}
        for table in tables | backups:
            execute(f"DROP TABLE IF EXISTS {table}" + (" CASCADE" if dialect == "postgres" else ""))
        _create(execute, schema, mysql=dialect != "postgres")
        ran += _run(execute, name, result, schema, dialect)
    assert ran >= 20


def test_no_python_pasted_into_sql() -> None:
    for _, result, _ in _reviews("postgres"):
        for sql in _statements(result):
            assert "some_variable" not in sql and '"' not in sql


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        ("SELECT count(*) FROM accounts WHERE plan IS NULL", False),
        ("SELECT count(*) FROM accounts WHERE tier IS NULL", True),
        ("SELECT a.plan, count(*) AS n FROM accounts a GROUP BY a.plan ORDER BY n", False),
        ("SELECT a.tier FROM accounts a", True),
        ("SELECT count(*) FROM invoices WHERE account_id NOT IN (SELECT id FROM accounts)", False),
        ("SELECT count(*) FROM invoices WHERE account_id IN (SELECT owner FROM accounts)", True),
        ("SELECT indexrelid::regclass FROM pg_index", False),  # a system catalog: parsed only
        # a sub-query's alias is not in scope outside it; the outer one is inside it
        (
            "SELECT count(*) FROM invoices WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.id = invoices.account_id) AND a.plan = 'x'",
            True,
        ),
        (
            "SELECT count(*) FROM invoices i WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = i.account_id)",
            False,
        ),
        ("SELECT id FROM accounts UNION SELECT account_id FROM invoices", False),
    ],
)
def test_our_sql_naming_a_column_the_schema_lacks_is_refused(sql: str, refused: bool) -> None:
    schema: Schema = {
        "accounts": {"id": "bigint", "plan": "text"},
        "invoices": {"id": "bigint", "account_id": "bigint"},
    }
    for dialect in ("postgres", "mysql"):
        assert bool(problem(sql.replace("::regclass", ""), dialect, schema)) is refused, (dialect, sql)


@pytest.mark.parametrize(
    ("kind", "table", "column", "labels", "written"),
    [
        ("order_state", "orders", "state", ("open", "paid"), "archived"),
        ("auth_kind", "users", "auth", ("local", "ldap"), "saml"),
    ],
)
def test_a_value_an_enum_lacks_is_counted_not_refused(
    kind: str, table: str, column: str, labels: tuple[str, ...], written: str, pg: Any
) -> None:
    """The validation queries compare an enum column as text: a label the type lacks (what value-not-allowed
    reports) makes the query count rows instead of failing with "invalid input value for enum"."""
    values = ", ".join(f"'{label}'" for label in labels)
    schema = f"CREATE TYPE {kind} AS ENUM ({values});\nCREATE TABLE {table} (id bigint PRIMARY KEY, {column} {kind}, note text);\n"
    for change in (
        f"UPDATE {table} SET {column} = '{written}' WHERE note = 'x';",
        f"UPDATE {table} SET note = CASE {column} WHEN '{labels[0]}' THEN 'a' WHEN '{written}' THEN 'b' END WHERE id >= 1 AND id < 100;",
    ):
        result = review_sql(schema + "-- migration\n" + change)
        queries = [q.sql for q in result.verification_queries]
        assert any(f"{column}::text" in q for q in queries), queries
        pg.execute(schema)
        for sql in queries:
            pg.execute(sql)
        pg.execute(f"DROP TABLE {table}; DROP TYPE {kind}")


@pytest.mark.parametrize(
    ("table", "column", "pairs"),
    [("families", "timezone", '"Europe/Kiev" => "Europe/Kyiv"'), ("shops", "currency", '"RUR" => "RUB"')],
)
def test_values_code_fills_in_are_not_pasted_into_the_review_sql(
    table: str, column: str, pairs: str, pg: Any
) -> None:
    """A Rails loop over a mapping runs one UPDATE per pair, written with `#{…}`: the snapshot keeps every
    row (its condition is only known at run time) and the validation query counts the values, never the
    stand-in for the interpolated one."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(60));\n"
    migration = (
        "class FixValues < ActiveRecord::Migration[7.1]\n"
        f"  MAPPINGS = {{ {pairs} }}.freeze\n\n  def up\n    MAPPINGS.each do |old, new|\n"
        f"      execute <<-SQL\n        UPDATE {table} SET {column} = '#{{new}}' WHERE {column} = '#{{old}}'\n"
        "      SQL\n    end\n  end\nend\n"
    )
    result = review_sql(
        migration, path="db/migrate/20250101000000_fix_values.rb", base={"db/structure.sql": schema}
    )
    statements = _statements(result)
    assert statements and not [s for s in statements if "interp_value" in s]
    assert f"CREATE TABLE {table}_{column}_backup AS SELECT id, {column} FROM {table};" in statements
    pg.execute(schema)
    for sql in statements:
        pg.execute(sql)


@pytest.mark.parametrize(
    "body",
    ['    remove_column "", :state\n', '    remove_column :orders, "*"\n', '    remove_column :"", :""\n'],
)
def test_a_statement_without_names_gets_no_sql(body: str) -> None:
    """A migration mangled past reading (a table `""`, a column `*`) gets no snapshot that cannot run."""
    migration = f"class Change < ActiveRecord::Migration[7.1]\n  def up\n{body}  end\nend\n"
    result = review_sql(
        migration,
        path="db/migrate/20250101000000_change.rb",
        base={"db/structure.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, state text);\n"},
    )
    assert not [s for s in _statements(result) if '""' in s or "*_backup" in s or '"*"' in s]


@pytest.mark.parametrize(("table", "column"), [("sessions", "token"), ("shop_order", "state")])
def test_a_copy_query_names_the_tables_there_after_the_change(table: str, column: str, pg: Any) -> None:
    """A copy into a table the change then renames is counted under its final name; a copy whose source
    the change drops (a rebuild) is not compared after the deploy."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"
    renamed = (
        f"CREATE TABLE {table}_next (id bigint PRIMARY KEY, {column} text NOT NULL DEFAULT '');\n"
        f"INSERT INTO {table}_next (id, {column}) SELECT id, {column} FROM {table};\n"
        f"ALTER TABLE {table} RENAME TO {table}_old;\nALTER TABLE {table}_next RENAME TO {table};\n"
    )
    queries = [q.sql for q in review_sql(schema + "-- migration\n" + renamed).verification_queries]
    copy = [q for q in queries if "target_rows" in q]
    assert copy == [
        f"SELECT (SELECT count(*) FROM {table}) AS target_rows, (SELECT count(*) FROM {table}_old) AS source_rows;"
    ]
    pg.execute(schema + f"CREATE TABLE {table}_old (id bigint);")
    pg.execute(copy[0])
    rebuilt = renamed.replace(f"ALTER TABLE {table} RENAME TO {table}_old;", f"DROP TABLE {table};")
    queries = [q.sql for q in review_sql(schema + "-- migration\n" + rebuilt).verification_queries]
    assert not [q for q in queries if "target_rows" in q or f"{table}_next" in q]


@pytest.mark.parametrize(
    ("dialect", "table", "column"), [("postgres", "user", "order"), ("mysql", "order", "key")]
)
def test_reserved_words_are_quoted_in_the_review_sql(dialect: str, table: str, column: str) -> None:
    """A table called `user` in PostgreSQL (bare, it is current_user) or `order` in MySQL is quoted."""
    q = '"' if dialect == "postgres" else "`"
    schema = f"CREATE TABLE {q}{table}{q} (id bigint PRIMARY KEY, {q}{column}{q} varchar(40));\n"
    for change in (
        f"ALTER TABLE {q}{table}{q} ADD CONSTRAINT ux UNIQUE ({q}{column}{q});\n",
        f"CREATE UNIQUE INDEX ux ON {q}{table}{q} ({q}{column}{q});\n",  # a quoted index column is its name
    ):
        result = review_sql(schema + "-- migration\n" + change, dialect=dialect)
        queries = [x.sql for x in result.verification_queries]
        assert queries and f"FROM {q}{table}{q}" in queries[0] and f"{q}{column}{q}" in queries[0], queries
