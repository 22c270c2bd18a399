"""SQL files that a runner or a tool fills in before the database reads them.

supabase's auth renders every migration with Go templates (pop): `alter table {{ index .Options "Namespace"
}}.custom_oauth_providers …`. Each of its migrations was an unreadable file (critical) and an unread statement.
Flyway's `${schema}.table` is the same schema qualifier. A value filled in elsewhere keeps the statement a
placeholder's, never a refusal.
"""

from __future__ import annotations

import pytest

from bot.frameworks.settings.runner import runner_settings
from bot.model.changeset import MemoryTree
from tests.conftest import review_sql, rule_ids

NAMES = [("custom_oauth_providers", "allowed_claims"), ("identities", "last_seen_at")]


@pytest.mark.parametrize(("table", "column"), NAMES)
@pytest.mark.parametrize(
    ("qualifier", "path"),
    [
        ('{{ index .Options "Namespace" }}', "migrations/20260625000000_add.up.sql"),
        ("${flyway:defaultSchema}", "db/migration/V7__add.sql"),
    ],
)
def test_a_schema_filled_in_before_the_table_is_read_as_the_table(
    table: str, column: str, qualifier: str, path: str
) -> None:
    schema = f"CREATE TABLE {table} (id uuid PRIMARY KEY);\n-- migration\n"
    added = f"alter table {qualifier}.{table}\n  add column if not exists {column} text not null;\n"
    result = review_sql(schema + added, path=path)
    assert not {"unparsed-statement", "unreadable-migration"} & rule_ids(result)
    [found] = [f for f in result.active if f.rule == "not-null-without-default"]
    assert found.line == 1 and f"`{table}.{column}`" in found.message


@pytest.mark.parametrize(("table", "column"), NAMES)
def test_a_value_filled_in_elsewhere_is_a_placeholder_not_a_refusal(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id uuid PRIMARY KEY);\n-- migration\n"
    created = 'create schema if not exists {{ index .Options "Namespace" }};\n'
    assert not {"unparsed-statement", "unreadable-migration"} & rule_ids(
        review_sql(schema + created, path="migrations/20260625000000_add.up.sql")
    )
    keyword = f"alter table {table} {{{{ .Action }}}} column {column};\n"
    result = review_sql(schema + keyword, path="migrations/20260625000000_add.up.sql")
    assert [f.severity for f in result.active if f.rule == "unparsed-statement"] == ["warning"]


def test_the_runner_line_quoted_is_the_line_that_requires_it() -> None:
    go_mod = (
        "module github.com/supabase/auth\n\ngo 1.23\n\nrequire (\n\tgithub.com/gobuffalo/pop/v6 v6.1.1\n)\n"
    )
    [setting] = [s for s in runner_settings(MemoryTree({"go.mod": go_mod})).settings if s.kind == "pop"]
    assert setting.line == 6 and "github.com/gobuffalo/pop/v6 v6.1.1" in setting.detail
    assert "module" not in setting.detail
