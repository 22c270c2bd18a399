"""Laravel: a loop over a literal array held in a local (`$set = ['accounts' => ['user_id']]; foreach ($set as
$table => $fields) { foreach ($fields as $field) { Schema::table($table, …) } }`) is read once per table and
field, as the loop runs; it was one statement whose table is computed at run time (unreadable)."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

PATH = "database/migrations/2026_01_01_000000_add_indices.php"


def _migration(tables: dict[str, list[str]]) -> str:
    entries = ",\n".join(
        f"            '{table}' => [{', '.join(repr(f) for f in fields)}]" for table, fields in tables.items()
    )
    return (
        "<?php\n\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
        "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration\n{\n"
        "    public function up(): void\n    {\n"
        f"        $set = [\n{entries},\n        ];\n"
        "        foreach ($set as $table => $fields) {\n"
        "            foreach ($fields as $field) {\n"
        "                Schema::table($table, static function (Blueprint $blueprint) use ($field): void {\n"
        "                    $blueprint->index($field);\n"
        "                });\n"
        "            }\n"
        "        }\n"
        "    }\n\n    public function down(): void {}\n};\n"
    )


@pytest.mark.parametrize(
    "tables",
    [
        {"accounts": ["user_id", "account_type_id"], "budgets": ["user_id"]},
        {"orders": ["customer_id"], "invoices": ["order_id", "due_on"]},
    ],
)
def test_a_loop_over_a_held_array_is_read_once_per_entry(tables: dict[str, list[str]]) -> None:
    schema = "".join(
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {', '.join(f + ' bigint' for f in fields)});\n"
        for table, fields in tables.items()
    )
    result = review_sql(_migration(tables), path=PATH, base={"db/structure.sql": schema}, dialect="postgres")
    rules = {f.rule for f in result.active}
    assert not rules & {"unreadable-migration", "unparsed-statement"}, rules
    indexed = sorted(
        (f.message.split("`")[3], f.message.split("`")[1])
        for f in result.active
        if f.rule == "non-concurrent-index"
    )
    assert {table for table, _ in indexed} == set(tables), indexed
    assert len(indexed) == sum(len(fields) for fields in tables.values())
