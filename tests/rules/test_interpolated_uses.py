"""A column read inside a string's interpolation is code: `"#{user.legacy_code}"`, `${row.legacy_code}`,
`f"{user.legacy_code}"`, `"{$user->legacy_code}"`. The same word in a sentence of text is not."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review

COLUMNS = [("users", "legacy_code"), ("invoices", "paid_cents")]
USES = {
    "app/helpers/label_helper.rb": 'module LabelHelper\n  def label(row)\n    "#{row.id} (#{row.COLUMN})"\n  end\nend\n',
    "src/label.js": "export function label(row) {\n  return `${row.id} (${row.COLUMN})`;\n}\n",
    "app/label.py": 'def label(row):\n    return f"{row.id} ({row.COLUMN})"\n',
    "app/Label.php": '<?php\nclass Label {\n  public function of($row) {\n    return "{$row->id} ({$row->COLUMN})";\n  }\n}\n',
    "lib/app/label.ex": 'defmodule App.Label do\n  def of(row), do: "#{row.id} (#{row.COLUMN})"\nend\n',
}


def _dropped(table: str, column: str, code: dict[str, str]) -> list[tuple[str, int]]:
    schema = {
        "db/migrations/000_schema.sql": f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n"
    }
    drop = {"db/migrations/001_drop.sql": f"ALTER TABLE {table} DROP COLUMN {column};\n"}
    base = {**schema, **code}
    changeset = ChangeSet(
        "base",
        "head",
        tuple(ChangedFile(p, "added", None, t) for p, t in drop.items()),
        MemoryTree({**base, **drop}),
        MemoryTree(base),
    )
    [finding] = [f for f in review(changeset).active if f.rule == "column-dropped"]
    return [(r.path, r.line) for r in finding.references]


@pytest.mark.parametrize(("table", "column"), COLUMNS)
@pytest.mark.parametrize("path", sorted(USES))
def test_a_column_read_in_an_interpolation_is_a_use(path: str, table: str, column: str) -> None:
    code = {path: USES[path].replace("COLUMN", column)}
    line = 1 + USES[path].split("COLUMN")[0].count("\n")
    assert _dropped(table, column, code) == [(path, line)]


@pytest.mark.parametrize(("table", "column"), COLUMNS)
def test_the_word_in_a_sentence_is_no_use(table: str, column: str) -> None:
    code = {
        "app/help.py": f'HELP = "The {column} field is gone, see the {{changelog}}"\n',
        "src/help.js": f'export const help = "the {column} value is shown ${{here}}";\n',
    }
    assert _dropped(table, column, code) == []
