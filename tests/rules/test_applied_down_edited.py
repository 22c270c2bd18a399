"""An applied migration whose down alone is edited (a rollback fixed) is a note; an edit of its up still blocks."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

TYPEORM = (
    'import {{ MigrationInterface, QueryRunner }} from "typeorm";\n'
    "export class AddColumns1730519457880 implements MigrationInterface {{\n"
    "  public async up(queryRunner: QueryRunner): Promise<void> {{\n"
    "    await ensureColumnExists(queryRunner, '{table}', '{column}', 'text');\n"
    "    await queryRunner.query(`CREATE INDEX idx_{column} ON {table} ({column})`);\n"
    "  }}\n"
    "  public async down(queryRunner: QueryRunner): Promise<void> {{\n"
    "    await queryRunner.query(`{down}`);\n"
    "  }}\n"
    "}}\n"
)
RAILS = (
    "class AddColumns < ActiveRecord::Migration[7.1]\n"
    "  def up\n"
    "    add_column :{table}, :{column}, :text\n"
    "  end\n"
    "\n"
    "  def down\n"
    '    execute "{down}"\n'
    "  end\n"
    "end\n"
)
CASES = [
    (TYPEORM, "src/migrations/1730519457880-AddColumns.ts", "organization", "sso_config"),
    (RAILS, "db/migrate/20240101000000_add_columns.rb", "login_activity", "login_mode"),
]


def _edited(template: str, path: str, table: str, column: str, before: str, after: str):  # type: ignore[no-untyped-def]
    old = template.format(table=table, column=column, down=before)
    return review_sql(
        template.format(table=table, column=column, down=after), path=path, previous=old, dialect="mysql"
    )


@pytest.mark.parametrize(("template", "path", "table", "column"), CASES)
def test_an_edit_of_the_down_alone_is_a_note(template: str, path: str, table: str, column: str) -> None:
    result = _edited(
        template,
        path,
        table,
        column,
        f'ALTER TABLE "{table}" DROP COLUMN "{column}"',
        f"ALTER TABLE `{table}` DROP COLUMN `{column}`",
    )
    found = [f for f in result.findings if f.rule == "applied-migration-edited"]
    assert len(found) == 1 and found[0].severity is Severity.INFO, found
    assert "Only its down changes" in found[0].message


@pytest.mark.parametrize(("template", "path", "table", "column"), CASES)
def test_an_edit_of_the_up_still_blocks(template: str, path: str, table: str, column: str) -> None:
    down = f"ALTER TABLE `{table}` DROP COLUMN `{column}`"
    old = template.format(table=table, column=column, down=down)
    new = old.replace("text", "varchar(40)", 1)
    result = review_sql(new, path=path, previous=old, dialect="mysql")
    found = [f for f in result.findings if f.rule == "applied-migration-edited"]
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL, found


@pytest.mark.parametrize(("table", "column"), [("mod_mails", "subject"), ("invites", "email")])
def test_an_edit_of_a_change_method_is_an_edit_of_the_up_even_though_rails_derives_the_down(
    table: str, column: str
) -> None:
    old = (
        "class CreateThings < ActiveRecord::Migration[8.0]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :{column}\n      t.timestamps\n    end\n  end\nend\n"
    )
    new = old.replace(f"t.string :{column}", f"t.string :{column}, null: false")
    result = review_sql(new, path="db/migrate/20251106155022_create_things.rb", previous=old, dialect="mysql")
    found = [f for f in result.findings if f.rule == "applied-migration-edited"]
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL, found
