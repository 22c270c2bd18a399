"""An applied migration whose down alone is edited (a rollback fixed) is a note; an edit of its up still blocks."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Severity
from bot.review import review
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


MOVES = [
    (
        "apps/domain/priv/repo/migrations/20221012123308_add_rules.exs",
        "priv/repo/migrations/20221012123308_add_rules.exs",
        "defmodule {module}.Repo.Migrations.AddRules do\n  use Ecto.Migration\n\n  def change do\n"
        "    alter table(:rules) do\n      add :{column}, :string\n    end\n  end\nend\n",
    ),
    (
        "engines/core/db/migrate/20240101000000_add_rules.rb",
        "db/migrate/20240101000000_add_rules.rb",
        "class {module}AddRules < ActiveRecord::Migration[7.1]\n  def change\n    add_column :rules, :{column}, :string\n"
        "  end\nend\n",
    ),
]


@pytest.mark.parametrize(("old", "new", "template"), MOVES)
def test_a_migration_moved_under_the_same_version_is_still_the_applied_one(
    old: str, new: str, template: str
) -> None:
    def moved(before: str, after: str) -> list[Finding]:
        base = {old: before}
        files = (ChangedFile(new, "renamed", before, after, previous_path=old),)
        changeset = ChangeSet("b", "h", files, MemoryTree({new: after}), MemoryTree(base))
        return [f for f in review(changeset).findings if f.rule == "applied-migration-edited"]

    original = template.format(module="Domain", column="action")
    assert not moved(original, template.format(module="Portal", column="action"))
    edited = moved(original, template.format(module="Portal", column="verdict"))
    assert len(edited) == 1 and edited[0].severity is Severity.CRITICAL and "(it was" not in edited[0].message


PHP_OLD = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\n\nreturn new class extends Migration\n{\n"
    "    /**\n     * Run the migrations.\n     *\n     * @return void\n     */\n    public function up()\n    {\n"
    "        \\Illuminate\\Support\\Facades\\DB::table('{table}')->insert([\n"
    "            'name' => 'admin', 'created_at' => \\Carbon\\Carbon::now()->toDateTimeString(),\n        ]);\n"
    "    }\n};\n"
)
PHP_NEW = (
    "<?php\n\nuse Carbon\\Carbon;\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\n"
    "return new class extends Migration\n{\n"
    "    /**\n     * Run the migrations.\n     */\n    public function up(): void\n    {\n"
    "        DB::table('{table}')->insert([\n"
    "            'name' => 'admin', 'created_at' => Carbon::now()->toDateTimeString(),\n        ]);\n"
    "    }\n};\n"
)


@pytest.mark.parametrize("table", ["roles", "users"])
def test_type_hints_doc_comments_and_imports_are_the_form_of_the_code(table: str) -> None:
    old, new = PHP_OLD.replace("{table}", table), PHP_NEW.replace("{table}", table)
    path = "database/migrations/2015_08_29_105422_add_roles.php"
    found = [
        f
        for f in review_sql(new, path=path, previous=old, dialect="mysql").findings
        if f.rule == "applied-migration-edited"
    ]
    assert len(found) == 1 and found[0].severity is Severity.INFO, found
    changed = new.replace("'admin'", "'owner'")
    found = [
        f
        for f in review_sql(changed, path=path, previous=old, dialect="mysql").findings
        if f.rule == "applied-migration-edited"
    ]
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL, found


@pytest.mark.parametrize("column", ["legacy_status", "archived_at"])
def test_a_moved_applied_migration_is_no_change_of_the_code_it_once_broke(column: str) -> None:
    text = (
        "class DropLegacy < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    remove_column :orders, :{column}, :string\n  end\nend\n"
    )
    old, new = (
        "engines/core/db/migrate/20240101000000_drop_legacy.rb",
        "db/migrate/20240101000000_drop_legacy.rb",
    )
    job = f"class ExportJob < ApplicationJob\n  def perform(order) = order.{column}\nend\n"
    files = (ChangedFile(new, "renamed", text, text, previous_path=old),)
    head = MemoryTree({new: text, "app/jobs/export_job.rb": job})
    result = review(ChangeSet("b", "h", files, head, MemoryTree({old: text, "app/jobs/export_job.rb": job})))
    assert not result.findings, result.findings


RUBY_CODE = (
    "class FillLabels < ActiveRecord::Migration[7.1]\n"
    "  def up\n"
    "    add_column :{table}, :{column}, :text\n"
    "    {model}.find_each do |row|\n"
    "      row.{column} = row.name{call}\n"
    "      row.save!\n"
    "    end\n"
    "    execute <<{heredoc}SQL\n"
    "    UPDATE {table} SET {column} = 'none' WHERE {column} IS NULL\n"
    "    SQL\n"
    "  end\n"
    "end\n"
)
RUBY_NAMES = [("orders", "label", "Order"), ("invoices", "memo", "Invoice")]


def _ruby_edit(
    table: str, column: str, model: str, before: dict[str, str], after: dict[str, str], dump: bool
):  # type: ignore[no-untyped-def]
    old = RUBY_CODE.format(table=table, column=column, model=model, **before)
    new = RUBY_CODE.format(table=table, column=column, model=model, **after)
    base = {"db/schema.rb": "ActiveRecord::Schema[7.1].define(version: 1) do\nend\n"} if dump else {}
    result = review_sql(new, path="db/migrate/20240101000000_fill_labels.rb", previous=old, base=base)
    return [f for f in result.findings if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(("table", "column", "model"), RUBY_NAMES)
def test_an_edit_of_a_rails_migrations_code_is_a_warning_where_new_installs_load_the_schema(
    table: str, column: str, model: str
) -> None:
    before, after = {"call": ".strip", "heredoc": "-"}, {"call": ".squish", "heredoc": "-"}
    assert [f.severity for f in _ruby_edit(table, column, model, before, after, dump=False)] == [
        Severity.CRITICAL
    ]
    (found,) = _ruby_edit(table, column, model, before, after, dump=True)
    assert found.severity is Severity.WARNING and "New installs load `db/schema.rb`" in found.message


@pytest.mark.parametrize(("table", "column", "model"), RUBY_NAMES)
def test_a_heredoc_of_another_indentation_is_no_edit(table: str, column: str, model: str) -> None:
    before, after = {"call": ".strip", "heredoc": "-"}, {"call": ".strip", "heredoc": "~"}
    assert not _ruby_edit(table, column, model, before, after, dump=False)


LARAVEL = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "{imports}use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n"
    "    public function up(): void\n    {{\n"
    "        {up_prefix}$existing = Schema::getConnection()->getDoctrineSchemaManager()->introspectTable({up_name});\n"
    "        Schema::table('{table}', function (Blueprint $table) {{\n"
    "            $table->index('{column}');\n        }});\n    }}\n\n"
    "    public function down(): void\n    {{\n"
    "        $sm = Schema::getConnection()->getDoctrineSchemaManager();\n"
    "        {down_prefix}$found = $sm->introspectTable({down_name});\n"
    "        if ($found->hasIndex('{table}_{column}_index')) {{\n"
    "            Schema::table('{table}', function (Blueprint $table) {{\n"
    "                $table->dropIndex('{table}_{column}_index');\n            }});\n        }}\n    }}\n}};\n"
)
LARAVEL_NAMES = [("pages", "name"), ("books", "slug"), ("chapters", "priority")]


def _laravel(table: str, column: str, *, up: bool, down: bool) -> str:
    prefix = "$prefix = DB::getTablePrefix();\n        "
    return LARAVEL.format(
        table=table,
        column=column,
        imports="use Illuminate\\Support\\Facades\\DB;\n" if up or down else "",
        up_prefix=prefix if up else "",
        up_name=f"$prefix . '{table}'" if up else f"'{table}'",
        down_prefix=prefix if down else "",
        down_name=f"$prefix . '{table}'" if down else f"'{table}'",
    )


@pytest.mark.parametrize(("table", "column"), LARAVEL_NAMES)
def test_an_edit_of_the_code_that_prepares_the_last_down_is_a_note(table: str, column: str) -> None:
    """The down's own code (a table prefix read before its statements) and the import it needs: the up
    that databases ran is as it was."""
    path = "database/migrations/2015_08_31_175240_add_search_indexes.php"
    old, new = _laravel(table, column, up=False, down=False), _laravel(table, column, up=False, down=True)
    found = [
        f for f in review_sql(new, path=path, previous=old).findings if f.rule == "applied-migration-edited"
    ]
    assert len(found) == 1 and found[0].severity is Severity.INFO, found


@pytest.mark.parametrize(("table", "column"), LARAVEL_NAMES)
def test_the_same_edit_in_the_up_is_no_edit_of_the_down(table: str, column: str) -> None:
    path = "database/migrations/2015_08_31_175240_add_search_indexes.php"
    old, new = _laravel(table, column, up=False, down=False), _laravel(table, column, up=True, down=False)
    found = [
        f for f in review_sql(new, path=path, previous=old).findings if f.rule == "applied-migration-edited"
    ]
    assert len(found) == 1 and found[0].severity is not Severity.INFO, found


KNEX_COLUMN = (
    "async function up(knex) {{\n"
    "  const has = await knex.schema.hasColumn('{table}', '{column}');\n"
    "  if ({negation}has) {{\n"
    "    await knex.schema.alterTable('{table}', (table) => {{ table.{action}; }});\n"
    "  }}\n}}\n\nasync function down() {{\n  return null;\n}}\n\nmodule.exports = {{ up, down }};\n"
)


@pytest.mark.parametrize(
    ("table", "column", "old", "new"),
    [
        ("users", "cooldown", "20240911230301_change_cooldown.js", "20250106070444_remove_cooldown.js"),
        ("links", "banned_by", "20230101000000_add_banned_by.js", "20240202000000_drop_banned_by.js"),
    ],
)
def test_a_migration_renamed_to_another_version_with_other_content_is_a_new_migration(
    table: str, column: str, old: str, new: str
) -> None:
    before = KNEX_COLUMN.format(
        table=table, column=column, negation="!", action=f"datetime('{column}').nullable()"
    )
    after = KNEX_COLUMN.format(table=table, column=column, negation="", action=f"dropColumn('{column}')")
    folder = "server/migrations/"
    files = (ChangedFile(folder + new, "renamed", before, after, previous_path=folder + old),)
    changeset = ChangeSet(
        "b", "h", files, MemoryTree({folder + new: after}), MemoryTree({folder + old: before})
    )
    [finding] = [f for f in review(changeset).findings if f.rule == "applied-migration-edited"]
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        f"`{folder + old}`, a migration of the base branch, is renamed to `{folder + new}` with other content."
    )
    moved = (ChangedFile("db/migrations/" + old, "renamed", before, after, previous_path=folder + old),)
    same_name = ChangeSet(
        "b", "h", moved, MemoryTree({"db/migrations/" + old: after}), MemoryTree({folder + old: before})
    )
    [edit] = [f for f in review(same_name).findings if f.rule == "applied-migration-edited"]
    assert edit.severity is Severity.CRITICAL  # the same name: the runner's applied migration, edited


@pytest.mark.parametrize("table", ["invitations", "hats"])
def test_a_history_moved_back_from_a_folder_aside_keeps_its_versions(table: str) -> None:
    """`db/old_migrations/20120701154453_create_invitations.rb` back to `db/migrate/`: the runner recorded the
    version when the file was first in its folder, and records nothing else."""
    text = (
        f"class Create{table.title()} < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    create_table :{table} do |t|\n      t.string :code\n    end\n  end\nend\n"
    )
    old, new = (
        f"db/old_migrations/20120701154453_create_{table}.rb",
        f"db/migrate/20120701154453_create_{table}.rb",
    )
    files = (ChangedFile(new, "renamed", text, text, previous_path=old),)
    result = review(ChangeSet("b", "h", files, MemoryTree({new: text}), MemoryTree({old: text})))
    assert not [f for f in result.findings if f.rule == "applied-migration-edited"], result.findings
