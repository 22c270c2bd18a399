"""SQL that a migration's code fills in when it runs: `${name}` of a constant is read as the constant's text; a
table or column only the running code knows is said to be unreadable, never reported under the placeholder's
name. And an UPDATE that names one row by its key (as a loop over rows writes it) is not a bulk change."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

INIT = "src/migrations/1700000000000-Init.ts"


def _typeorm(body: str, name: str = "Change1718000000000") -> str:
    return (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        f"export class {name} implements MigrationInterface {{\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f"{body}"
        "  }\n"
        "  public async down(): Promise<void> {}\n"
        "}\n"
    )


def _base(table: str) -> dict[str, str]:
    create = (
        f'    await queryRunner.query(`CREATE TABLE "{table}" ("id" varchar(36) PRIMARY KEY, '
        '"kind" varchar(20), "permissions" text, "owner" varchar(36))`);\n'
    )
    return {INIT: _typeorm(create, "Init1700000000000")}


def _review(table: str, body: str):  # type: ignore[no-untyped-def]
    return review_sql(
        _typeorm(body), path="src/migrations/1718000000000-Change.ts", dialect="postgres", base=_base(table)
    )


@pytest.mark.parametrize(("table", "column"), [("apikey", "permissions"), ("role", "kind")])
def test_constants_in_template_literals_are_read_as_their_text(table: str, column: str) -> None:
    result = _review(
        table,
        f"    const tableName = '{table}'\n"
        f"    const columnName = `{column}`\n"
        '    await queryRunner.query(`UPDATE "${tableName}" SET "${columnName}" = NULL`)\n',
    )
    messages = [f.message for f in result.findings]
    assert any(f"UPDATE {table}" in m for m in messages), messages
    assert not any("interp_value" in m for m in messages), messages


@pytest.mark.parametrize("table", ["apikey", "audit_log"])
def test_a_table_named_only_when_the_code_runs_is_unreadable_not_a_table_called_placeholder(
    table: str,
) -> None:
    result = _review(
        table,
        "    for (const name of await this.tables(queryRunner)) {\n"
        '      await queryRunner.query(`UPDATE "${name}" SET "kind" = NULL`)\n'
        "    }\n",
    )
    assert not any("interp_value" in f.message for f in result.findings), [f.message for f in result.findings]
    unread = [f for f in result.findings if f.rule == "unparsed-statement"]
    assert unread and "filled in by the migration's code" in unread[0].message


def test_a_column_named_only_when_the_code_runs_is_unreadable_in_ruby_too() -> None:
    migration = (
        "class Backfill < ActiveRecord::Migration[7.1]\n"
        "  def up\n"
        "    legacy_columns.each do |column|\n"
        '      execute "ALTER TABLE posts DROP COLUMN #{column}"\n'
        "    end\n"
        "  end\n"
        "end\n"
    )
    result = review_sql(
        migration,
        path="db/migrate/20240101000000_backfill.rb",
        dialect="postgres",
        base={"db/migrate/20230101000000_init.rb": _rails_init()},
    )
    assert not any("interp_value" in f.message for f in result.findings), [f.message for f in result.findings]
    assert any(f.rule == "unparsed-statement" for f in result.findings)


def _rails_init() -> str:
    return (
        "class Init < ActiveRecord::Migration[7.1]\n"
        "  def change\n"
        "    create_table :posts do |t|\n"
        "      t.string :title\n"
        "      t.text :body\n"
        "    end\n"
        "  end\n"
        "end\n"
    )


@pytest.mark.parametrize(
    ("schema", "statement"),
    [
        (
            "CREATE TABLE role (id varchar(36) PRIMARY KEY, permissions text);",
            "UPDATE role SET permissions = '[]' WHERE id = 'a1';",
        ),
        (
            "CREATE TABLE settings (key text, scope text, value text, UNIQUE (key, scope));",
            "UPDATE settings SET value = 'on' WHERE scope = 'global' AND key = 'beta';",
        ),
        (
            "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);",
            "DELETE FROM accounts WHERE id = 42;",
        ),
    ],
)
def test_a_change_of_one_row_by_its_key_is_not_a_bulk_change(schema: str, statement: str) -> None:
    result = review_sql(f"{schema}\n-- migration\n{statement}\n")
    assert "unbatched-data-change" not in {f.rule for f in result.findings}


@pytest.mark.parametrize(
    ("schema", "statement"),
    [
        (
            "CREATE TABLE role (id varchar(36) PRIMARY KEY, kind text, permissions text);",
            "UPDATE role SET permissions = '[]' WHERE kind = 'admin';",
        ),
        (
            "CREATE TABLE settings (key text, scope text, value text, UNIQUE (key, scope));",
            "UPDATE settings SET value = 'on' WHERE key = 'beta';",
        ),
        (
            "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean);",
            "DELETE FROM accounts WHERE id = 42 OR closed;",
        ),
    ],
)
def test_a_change_of_rows_chosen_by_anything_else_still_is(schema: str, statement: str) -> None:
    result = review_sql(f"{schema}\n-- migration\n{statement}\n")
    assert "unbatched-data-change" in {f.rule for f in result.findings}


@pytest.mark.parametrize(("table", "member"), [("chat_flow", "Kind.CHATFLOW"), ("apikey", "Scope.ALL")])
def test_a_value_filled_in_at_run_time_is_shown_as_an_ellipsis(table: str, member: str) -> None:
    result = _review(
        table, f'    await queryRunner.query(`UPDATE "{table}" SET "kind" = \'${{{member}}}\'`)\n'
    )
    messages = [f.message for f in result.findings]
    assert any("'…'" in m for m in messages), messages
    assert not any("interp_value" in m for m in messages), messages


@pytest.mark.parametrize(
    ("declaration", "generator", "tables"),
    [
        ('const TABLES = ["apikey", "audit_log"];\n', "TABLES", ["apikey", "audit_log"]),
        ("", "['audit_log', 'apikey']", ["audit_log", "apikey"]),
    ],
)
@pytest.mark.parametrize(
    "loop",
    [
        "    for (const table of {generator}) {{\n{statement}    }}\n",
        "    {generator}.forEach((table) => {{\n{statement}    }});\n",
        "    await Promise.all({generator}.map(async (table) => {{\n{statement}    }}));\n",
        "    await Promise.all({generator}.map((table) =>\n{statement}    ));\n",
    ],
    ids=["for-of", "forEach", "Promise.all-map", "Promise.all-map-expression"],
)
def test_a_loop_over_table_names_is_read_once_per_table(
    declaration: str, generator: str, tables: list[str], loop: str
) -> None:
    statement = '      queryRunner.query(`CREATE INDEX "IDX_${table}_kind" ON "${table}" ("kind")`)\n'
    loop = loop.format(generator=generator, statement=statement)
    base = {
        **_base("apikey"),
        "src/migrations/1700000000001-More.ts": _typeorm(
            '    await queryRunner.query(`CREATE TABLE "audit_log" ("id" varchar(36) PRIMARY KEY, "kind" varchar(20))`);\n',
            "More1700000000001",
        ),
    }
    text = declaration + _typeorm(loop)
    result = review_sql(text, path="src/migrations/1718000000000-Change.ts", dialect="postgres", base=base)
    flagged = [f.message for f in result.findings if f.rule == "non-concurrent-index"]
    assert [next(t for t in tables if f"IDX_{t}_kind" in m) for m in flagged] == tables
    assert not [f for f in result.findings if f.rule == "unparsed-statement"]


@pytest.mark.parametrize(
    ("table", "column", "flag"), [("chat_flow", "webhookSecret", "configured"), ("role", "kind", "typed")]
)
def test_an_update_of_rows_holding_a_value_in_a_column_just_added_changes_no_row(
    table: str, column: str, flag: str
) -> None:
    schema = f'CREATE TABLE "{table}" ("id" bigint PRIMARY KEY);\n-- migration\n'
    added = f'ALTER TABLE "{table}" ADD COLUMN "{column}" TEXT;\nALTER TABLE "{table}" ADD COLUMN "{flag}" BOOLEAN DEFAULT FALSE;\n'
    none = review_sql(
        schema + added + f'UPDATE "{table}" SET "{flag}" = TRUE WHERE "{column}" IS NOT NULL;\n'
    )
    assert "unbatched-data-change" not in {f.rule for f in none.findings}
    defaulted = added.replace(f'"{column}" TEXT', f"\"{column}\" TEXT DEFAULT 'x'")
    every = review_sql(
        schema + defaulted + f'UPDATE "{table}" SET "{flag}" = TRUE WHERE "{column}" IS NOT NULL;\n'
    )
    assert "unbatched-data-change" in {f.rule for f in every.findings}


def _alembic(upgrade: str) -> str:
    return (
        '"""change\n\nRevision ID: b2\nRevises: a1\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "b2"\ndown_revision = "a1"\n\n\n'
        f"def upgrade():\n{upgrade}\n\ndef downgrade():\n    pass\n"
    )


@pytest.mark.parametrize(
    "upgrade",
    [
        "    for name in legacy_tables(op.get_bind()):\n        op.drop_table(name)\n",
        "    for table in settings.AUDITED:\n        op.drop_column(table, 'audited_at')\n",
        "    table = pick_table()\n    op.alter_column(table, 'kind', nullable=False)\n",
    ],
)
def test_alembic_operations_on_a_table_named_when_the_code_runs_are_unreadable(upgrade: str) -> None:
    result = review_sql(_alembic(upgrade), path="alembic/versions/b2_change.py", dialect="postgres")
    rules = [f.rule for f in result.findings]
    assert "unparsed-statement" in rules, rules
    assert result.approval == "BLOCKED"
    assert not any("``" in f.message for f in result.findings), [f.message for f in result.findings]


@pytest.mark.parametrize(
    ("upgrade", "rule"),
    [
        ("    for name in ('orders', 'invoices'):\n        op.drop_table(name)\n", "table-dropped"),
        ("    op.drop_column('audit_log', 'audited_at')\n", "column-dropped"),
    ],
)
def test_alembic_operations_on_named_tables_stay_read(upgrade: str, rule: str) -> None:
    result = review_sql(_alembic(upgrade), path="alembic/versions/b2_change.py", dialect="postgres")
    rules = [f.rule for f in result.findings]
    assert "unparsed-statement" not in rules and rule in rules, rules
