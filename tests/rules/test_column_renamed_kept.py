"""column-renamed: a view of the same migration that selects the new name AS the old one keeps it readable."""

import pytest

from tests.conftest import review_sql

RULE = "column-renamed"
NAMES = [("orders", "state", "status", "orders_compat"), ("accounts", "mail", "email", "accounts_v1")]


def _sql(table: str, old: str, new: str, view: str, selected: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text);\n-- migration\n"
        f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
        f"CREATE VIEW {view} AS SELECT id, {selected} FROM {table};\n"
    )


@pytest.mark.parametrize(("table", "old", "new", "view"), NAMES)
def test_a_view_that_selects_the_new_name_as_the_old_keeps_it(
    table: str, old: str, new: str, view: str
) -> None:
    [found] = [f for f in review_sql(_sql(table, old, new, view, f"{new} AS {old}")).active if f.rule == RULE]
    assert found.message.endswith("a view keeps the old name readable.")


@pytest.mark.parametrize(("table", "old", "new", "view"), NAMES)
def test_a_view_that_selects_the_new_name_alone_keeps_nothing(
    table: str, old: str, new: str, view: str
) -> None:
    [found] = [f for f in review_sql(_sql(table, old, new, view, new)).active if f.rule == RULE]
    assert "keeps the old name" not in found.message
