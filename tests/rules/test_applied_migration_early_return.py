"""applied-migration-edited: an edit that only adds an early return (`if …: return` in a RunPython function,
Rails' `return unless …`) in front of code that changes rows is a note: databases that already ran the
migration never run it again, and new installs skip only that code where the condition holds. One that skips
a schema change, or that changes anything else, is still reported as before."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql

RULE = "applied-migration-edited"

DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.AutoField(primary_key=True)), ("{column}", models.CharField(max_length=20, null=True))],
        ),
    ]
"""
DJANGO_FILL = """{imports}from django.db import migrations


def fill(apps, schema_editor):
{guard}    {model} = apps.get_model("{app}", "{model}")
    {model}.objects.filter({column}__isnull=True).update({column}="{value}")


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
"""
DJANGO_NAMES = [("shop", "Order", "status", "new"), ("wiki", "Page", "draft_title", "untitled")]


def _django(
    app: str, model: str, column: str, value: str, guard: str, imports: str = "", **kw: str
) -> list[Finding]:
    names = {"app": app, "model": model, "column": column, "value": value}
    before = DJANGO_FILL.format(imports="", guard="", **names)
    after = DJANGO_FILL.format(imports=imports, guard=guard, **names)
    for old, new in kw.items():
        after = after.replace(old, new)
    base = {f"{app}/migrations/0001_initial.py": DJANGO_INITIAL.format(model=model, column=column)}
    result = review_sql(after, path=f"{app}/migrations/0002_fill.py", base=base, previous=before)
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("app", "model", "column", "value"), DJANGO_NAMES)
def test_an_early_return_added_to_a_run_python_function_is_a_note(
    app: str, model: str, column: str, value: str
) -> None:
    for imports, guard in (
        (
            "import swapper\n",
            f'    if swapper.is_swapped("{app}", "{model}"):\n        # new installs have no old rows\n        return\n\n',
        ),
        ("", f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        return\n"),
    ):
        [finding] = _django(app, model, column, value, guard, imports)
        assert finding.severity is Severity.INFO and "early return" in finding.message, guard
        assert "never run it again" in finding.message and "check" in (finding.blast_radius or "")


@pytest.mark.parametrize(("app", "model", "column", "value"), DJANGO_NAMES)
def test_an_early_return_with_another_edit_stays_reported(
    app: str, model: str, column: str, value: str
) -> None:
    guard = f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        return\n"
    [finding] = _django(
        app, model, column, value, guard, **{f'update({column}="{value}")': f'update({column}="other")'}
    )
    assert finding.severity is Severity.CRITICAL
    # a guard whose branch does more than return is an edit of the code
    busy = f"    if not apps.get_model('{app}', '{model}').objects.exists():\n        print('empty')\n        return\n"
    [finding] = _django(app, model, column, value, busy)
    assert finding.severity is not Severity.INFO


RAILS_CREATE = "class Create{Model}s < ActiveRecord::Migration[7.1]\n  def change\n    create_table :{table} do |t|\n      t.string :{column}\n    end\n  end\nend\n"
RAILS_NAMES = [("orders", "Order", "status"), ("tickets", "Ticket", "queue")]


def _rails(table: str, model: str, column: str, body: str, guard: str) -> list[Finding]:
    before = f"class Change{model}s < ActiveRecord::Migration[7.1]\n  def up\n{body}  end\n\n  def down\n  end\nend\n"
    after = before.replace("  def up\n", f"  def up\n{guard}", 1)
    base = {
        "db/migrate/20240101000000_create.rb": RAILS_CREATE.format(Model=model, table=table, column=column)
    }
    result = review_sql(after, path="db/migrate/20240201000000_change.rb", base=base, previous=before)
    return [f for f in result.active if f.rule == RULE]


@pytest.mark.parametrize(("table", "model", "column"), RAILS_NAMES)
def test_a_rails_early_return_in_front_of_row_changes_is_a_note(table: str, model: str, column: str) -> None:
    body = f"    execute \"UPDATE {table} SET {column} = 'new' WHERE {column} IS NULL\"\n"
    [finding] = _rails(table, model, column, body, f"    return unless table_exists?(:{table})\n\n")
    assert finding.severity is Severity.INFO and "early return" in finding.message


@pytest.mark.parametrize(("table", "model", "column"), RAILS_NAMES)
def test_a_rails_early_return_that_skips_a_schema_change_stays_critical(
    table: str, model: str, column: str
) -> None:
    """New installs where the condition holds would lack the column that databases which ran it have."""
    body = f"    add_column :{table}, :note, :string\n"
    [finding] = _rails(table, model, column, body, "    return if Rails.env.production?\n")
    assert finding.severity is Severity.CRITICAL


# The same fill in each language the guard is recognised in; a guard's condition may span lines
KNEX_CREATE = (
    'exports.up = function (knex) {{\n  return knex.schema.createTable("{table}", (t) => {{\n    t.increments("id");\n'
    '    t.string("{column}");\n  }});\n}};\n\nexports.down = function (knex) {{\n  return knex.schema.dropTable("{table}");\n}};\n'
)
KNEX_FILL = (
    "exports.up = async function (knex) {{\n{guard}{body}}};\n\nexports.down = async function () {{}};\n"
)
KNEX_BODY = '  await knex("{table}").whereNull("{column}").update({{ {column}: "new" }});\n'
LARAVEL_CREATE = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{{\n    public function up(): void\n"
    "    {{\n        Schema::create('{table}', function (Blueprint $table) {{\n            $table->id();\n"
    "            $table->string('{column}')->nullable();\n        }});\n    }}\n\n    public function down(): void\n"
    "    {{\n        Schema::dropIfExists('{table}');\n    }}\n}};\n"
)
LARAVEL_FILL = (
    "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Support\\Facades\\DB;\n\n"
    "return new class extends Migration\n{{\n    public function up(): void\n    {{\n{guard}{body}    }}\n\n"
    "    public function down(): void\n    {{\n    }}\n}};\n"
)
LARAVEL_BODY = "        DB::table('{table}')->whereNull('{column}')->update(['{column}' => 'new']);\n"
MULTI_LINE_NAMES = [("orders", "Order", "status"), ("tickets", "Ticket", "queue")]


def _edited(language: str, table: str, model: str, column: str, guard: str, body: str = "") -> Finding:
    names = {"table": table, "column": column}
    if language == "knex":
        path, base = (
            "db/migrations/20240201000000_fill.js",
            {"db/migrations/20240101000000_create.js": KNEX_CREATE},
        )
        template, body = KNEX_FILL, body or KNEX_BODY.format(**names)
    elif language == "laravel":
        path = "database/migrations/2024_02_01_000000_fill.php"
        base = {"database/migrations/2024_01_01_000000_create.php": LARAVEL_CREATE}
        template, body = LARAVEL_FILL, body or LARAVEL_BODY.format(**names)
    elif language == "rails":
        [finding] = _rails(
            table,
            model,
            column,
            body or f"    execute \"UPDATE {table} SET {column} = 'new' WHERE {column} IS NULL\"\n",
            guard,
        )
        return finding
    else:
        app = table[:-1]
        [finding] = _django(app, model, column, "new", guard)
        return finding
    before = template.format(guard="", body=body)
    after = template.format(guard=guard, body=body)
    base = {p: text.format(**names) for p, text in base.items()}
    [finding] = [f for f in review_sql(after, path=path, base=base, previous=before).active if f.rule == RULE]
    return finding


def _multi_line_guards(language: str, table: str, column: str) -> list[str]:
    if language == "knex":
        return [
            f'  if (\n    !(await knex.schema.hasTable("{table}")) ||\n    process.env.SKIP_FILL\n  ) return;\n',
            f'  if (\n    !(await knex.schema.hasColumn("{table}", "{column}"))\n  ) {{\n    // new installs\n    return;\n  }}\n',
            f'  if (!(await knex.schema.hasTable("{table}"))) {{\n    return;\n  }}\n',
        ]
    if language == "laravel":
        return [
            f"        if (\n            !Schema::hasTable('{table}') ||\n            app()->environment('testing')\n        ) return;\n",
            f"        if (\n            !Schema::hasColumn('{table}', '{column}')\n        ) {{\n            return;\n        }}\n",
        ]
    if language == "rails":
        return [
            f"    return unless table_exists?(:{table}) &&\n                  column_exists?(:{table}, :{column})\n",
            f"    return if (\n      !table_exists?(:{table}) ||\n      Rails.env.test?\n    )\n",
        ]
    return [
        f"    if (\n        not apps.is_installed('{table[:-1]}')\n        or schema_editor.connection.vendor == 'sqlite'  # no rows\n    ):\n        return\n",
        f"    if not apps.is_installed('{table[:-1]}') or \\\n            schema_editor.connection.vendor == 'sqlite':\n        return\n",
        f"    if not apps.get_model(\n        '{table[:-1]}', '{column}'\n    ).objects.exists():\n        # why\n        return\n",
    ]


LANGUAGES = ["django", "rails", "knex", "laravel"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("table", "model", "column"), MULTI_LINE_NAMES)
def test_an_early_return_whose_condition_spans_lines_is_a_note(
    language: str, table: str, model: str, column: str
) -> None:
    for guard in _multi_line_guards(language, table, column):
        finding = _edited(language, table, model, column, guard)
        assert finding.severity is Severity.INFO and "early return" in finding.message, (
            guard,
            finding.message,
        )
        assert "\n" not in finding.message


@pytest.mark.parametrize("language", ["knex", "laravel"])
@pytest.mark.parametrize(("table", "model", "column"), MULTI_LINE_NAMES)
def test_a_multi_line_guard_that_does_more_or_skips_a_schema_change_stays_reported(
    language: str, table: str, model: str, column: str
) -> None:
    if language == "knex":
        busy = f'  if (\n    !(await knex.schema.hasTable("{table}"))\n  ) {{\n    console.log("skip");\n    return;\n  }}\n'
        schema_body = f'  await knex.schema.alterTable("{table}", (t) => {{\n    t.string("note");\n  }});\n'
        guard = '  if (\n    process.env.NODE_ENV === "production" ||\n    process.env.SKIP\n  ) return;\n'
    else:
        busy = (
            f"        if (\n            !Schema::hasTable('{table}')\n        ) {{\n            logger('skip');\n"
            "            return;\n        }\n"
        )
        schema_body = f"        Schema::table('{table}', function ($t) {{\n            $t->string('note')->nullable();\n        }});\n"
        guard = "        if (\n            app()->environment('production') ||\n            config('app.skip')\n        ) return;\n"
    assert _edited(language, table, model, column, busy).severity is not Severity.INFO
    skipping = _edited(language, table, model, column, guard, body=schema_body)
    assert skipping.severity is not Severity.INFO and "early return" not in skipping.message


@pytest.mark.parametrize(("table", "model", "column"), MULTI_LINE_NAMES)
def test_a_multi_line_python_guard_whose_branch_does_more_stays_reported(
    table: str, model: str, column: str
) -> None:
    busy = f"    if (\n        not apps.is_installed('{table[:-1]}')\n    ):\n        print('skip')\n        return\n"
    assert _edited("django", table, model, column, busy).severity is not Severity.INFO
