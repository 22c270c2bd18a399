"""homarr renamed `serverSetting.key` to `setting_key` (8cd583328), and the review blocked it on
`return defaultServerSettings[key];` of a function whose parameter is `key`: a bare name between the brackets
of a member read is a variable holding the member's name, not the row's field. A row's field read by name
(`setting.key`, `setting["key"]`) stays a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    ("server_setting", "key", "setting_key", "defaultServerSettings"),
    ("routes", "slug", "path_slug", "pages"),
]


def _renamed(table: str, column: str, new: str, code: str) -> Finding:
    sql = (
        f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} text NOT NULL, value text);\n-- migration\n"
        f"ALTER TABLE {table} RENAME COLUMN {column} TO {new};\n"
    )
    result = review_sql(sql, head={"src/settings.ts": code})
    return next(f for f in result.findings if f.rule == "column-renamed")


def _lookup(table: str, defaults: str, column: str, body: str) -> str:
    return (
        f"export const byName = async <T extends string>(db: Database, {column}: T) => {{\n"
        f"  const found = await db.query.{table}.findFirst({{ where: eq({table}.value, {column}) }});\n"
        f"  if (!found) {{\n    return {defaults}[{column}];\n  }}\n"
        f"  {body}\n}};\n"
    )


@pytest.mark.parametrize(("table", "column", "new", "defaults"), NAMES)
def test_a_variable_between_the_brackets_of_a_member_read_is_no_use(
    table: str, column: str, new: str, defaults: str
) -> None:
    finding = _renamed(table, column, new, _lookup(table, defaults, column, "return found.value;"))
    assert finding.severity != "critical" and not finding.references, finding.references


@pytest.mark.parametrize(("table", "column", "new", "defaults"), NAMES)
def test_the_rows_field_beside_it_is_still_a_use(table: str, column: str, new: str, defaults: str) -> None:
    body = f"return {{ name: found.{column}, value: found.value }};"
    finding = _renamed(table, column, new, _lookup(table, defaults, column, body))
    assert finding.severity == "critical"
    assert {r.line for r in finding.references} == {6}, finding.references
