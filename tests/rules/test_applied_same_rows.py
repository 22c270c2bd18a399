"""`applied-migration-edited` where the edit rewrites the data changes of an applied migration: the same rows
written with the same values another way (raw SQL made a query builder's calls, quotes added, a transaction
opened by a block instead of calls) is a warning; a change of what they write stays critical."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

_PHP = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\DB;\nuse Illuminate\\Support\\Facades\\Schema;\n\n"
    "class Fill extends Migration\n{\n    public function up()\n    {\nBODY\n    }\n}\n"
)


def _laravel_base(table: str, columns: tuple[str, ...]) -> dict[str, str]:
    declared = " ".join(f"$table->string('{c}')->nullable();" for c in columns)
    return {
        ".env.example": "DB_CONNECTION=mysql\n",
        "database/migrations/2016_01_01_000000_create.php": _PHP.replace("Fill", "Create").replace(
            "BODY",
            f"        Schema::create('{table}', function (Blueprint $table) {{ $table->increments('id'); {declared} }});",
        ),
    }


def _edit(path: str, before: str, after: str, base: dict[str, str]) -> list[tuple[str, str]]:
    review = review_sql(after, path=path, base=base, previous=before)
    return [(f.severity.value, f.message) for f in review.active if f.rule == "applied-migration-edited"]


@pytest.mark.parametrize(
    ("table", "target", "source", "value"),
    [("servers", "status", "installed", "installing"), ("schedules", "cron_month", "cron_day", "*")],
)
def test_raw_sql_made_query_builder_calls_writing_the_same_rows_is_a_warning(
    table: str, target: str, source: str, value: str
) -> None:
    """`DB::update('UPDATE t SET `a` = …')` rewritten as `DB::table(t)->where(…)->update([…])` (to run on
    another database too): databases that ran the old version and new installs hold the same rows."""
    path = "database/migrations/2021_01_17_000000_fill.php"
    base = _laravel_base(table, (target, source))
    before = _PHP.replace(
        "BODY", f"        DB::update('UPDATE {table} SET `{target}` = \\'{value}\\' WHERE `{source}` = 0');"
    )
    same = _PHP.replace(
        "BODY", f"        DB::table('{table}')->where('{source}', 0)->update(['{target}' => '{value}']);"
    )
    [(severity, message)] = _edit(path, before, same, base)
    assert severity == "warning" and "write the same values to the same rows" in message, message
    # another condition: other rows get the value on new installs than on the databases that ran the file
    other = same.replace(f"'{source}', 0", f"'{source}', 1")
    [(severity, _)] = _edit(path, before, other, base)
    assert severity == "critical"
    # another value written to the same rows
    written = same.replace(f"=> '{value}'", f"=> '{value}_now'")
    [(severity, _)] = _edit(path, before, written, base)
    assert severity == "critical"


@pytest.mark.parametrize(
    ("table", "flag", "target"), [("server_transfers", "successful", "archived"), ("jobs", "done", "hidden")]
)
def test_true_for_one_is_the_same_condition_on_mysql(table: str, flag: str, target: str) -> None:
    """MySQL stores TRUE as 1: `WHERE flag = 1` and `->where('flag', true)` match the same rows."""
    path = "database/migrations/2020_12_17_000000_archive.php"
    base = _laravel_base(table, (flag, target))
    before = _PHP.replace(
        "BODY", f"        DB::statement('UPDATE `{table}` SET `{target}` = 1 WHERE `{flag}` = 1');"
    )
    after = _PHP.replace(
        "BODY", f"        DB::table('{table}')->where('{flag}', true)->update(['{target}' => 1]);"
    )
    [(severity, _)] = _edit(path, before, after, base)
    assert severity == "warning"
    negated = after.replace("true)", "false)")
    [(severity, _)] = _edit(path, before, negated, base)
    assert severity == "critical"


@pytest.mark.parametrize(("table", "column"), [("accounts", "plan"), ("orders", "state")])
def test_quotes_added_to_a_sql_migrations_update_are_the_same_rows(table: str, column: str) -> None:
    """A plain SQL migration's UPDATE with its names quoted and `!=` made `<>` writes the same rows."""
    path = "db/migrations/002_fill.sql"
    base = {"db/migrations/001_schema.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text);\n"}
    before = f"UPDATE {table} SET {column} = 'free' WHERE {column} != 'paid';\n"
    after = f'UPDATE "{table}" SET "{column}" = \'free\' WHERE "{column}" <> \'paid\';\n'
    [(severity, message)] = _edit(path, before, after, base)
    assert severity == "warning" and "same rows" in message, message
    changed = after.replace("'paid'", "'trial'")
    [(severity, _)] = _edit(path, before, changed, base)
    assert severity == "critical"


@pytest.mark.parametrize(("source", "target"), [("tasks_old", "schedules"), ("legacy_jobs", "jobs")])
def test_a_transaction_opened_by_a_block_instead_of_calls_is_the_same_code(source: str, target: str) -> None:
    """`DB::beginTransaction(); … DB::commit();` made `DB::transaction(function () { … })` around the same
    loop: the same rows written, the code still worth a look (warning, not a block)."""
    path = "database/migrations/2017_09_11_000000_transfer.php"
    base = _laravel_base(source, ("name",)) | {
        "database/migrations/2016_01_02_000000_create.php": _PHP.replace("Fill", "Create2").replace(
            "BODY",
            f"        Schema::create('{target}', function (Blueprint $table) {{ $table->increments('id'); "
            "$table->string('name'); });",
        )
    }
    loop = (
        f"$rows->each(function ($row) {{\n            DB::table('{target}')->insert(['name' => $row->name, 'kind' => 'moved']);\n"
        "            DB::commit();\n        });"
    )
    before = _PHP.replace(
        "BODY",
        f"        $rows = DB::table('{source}')->get();\n        DB::beginTransaction();\n        {loop}",
    )
    block = loop.replace("            DB::commit();\n", "")
    after = _PHP.replace(
        "BODY",
        f"        DB::transaction(function () {{\n        $rows = DB::table('{source}')->get();\n        {block}\n        }});",
    )
    [(severity, message)] = _edit(path, before, after, base)
    assert severity == "warning" and "check that it still does what it did" in message, message
    other = after.replace("'moved'", "'copied'")  # another value written by the code
    [(severity, _)] = _edit(path, before, other, base)
    assert severity == "critical"
