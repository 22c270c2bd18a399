"""Rails refuses an index name longer than 63 characters in `add_index` itself (`ArgumentError … is too long`),
whatever its version: the migration fails, PostgreSQL never gets to cut the name. Rails 7.1 and later shorten
a long name they derive; migrations of [7.0] and older keep it, and a `name:` given is never shortened."""

from __future__ import annotations

import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

NAMES = [
    ("customer_subscription_renewals", ("billing_account_id", "scheduled_renewal_at")),
    ("warehouse_inventory_movements", ("source_location_id", "destination_location_id")),
]


def _found(table: str, version: str, statement: str) -> list:  # type: ignore[type-arg]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, a bigint, b bigint);\n"
    migration = (
        f"class AddIndexes < ActiveRecord::Migration[{version}]\n  def change\n    {statement}\n  end\nend\n"
    )
    base = {"db/migrations/000_schema.sql": schema}
    result = review_sql(migration, path="db/migrate/20240101000000_add_indexes.rb", base=base)
    return [f for f in result.findings if f.rule == "identifier-too-long"]


@pytest.mark.parametrize(("table", "columns"), NAMES)
def test_a_long_derived_index_name_before_rails_7_1_fails_the_migration(
    table: str, columns: tuple[str, str]
) -> None:
    statement = f"add_index :{table}, [:{columns[0]}, :{columns[1]}]"
    [finding] = _found(table, "7.0", statement)
    assert finding.severity is Severity.CRITICAL
    assert "ArgumentError" in finding.message and "cuts" not in finding.message
    assert not _found(table, "7.1", statement)  # Rails 7.1 names it idx_on_…_<hash>


@pytest.mark.parametrize(("table", "columns"), NAMES)
def test_a_long_index_name_given_fails_in_every_version_and_raw_sql_is_cut(
    table: str, columns: tuple[str, str]
) -> None:
    name = f"index_{table}_on_{columns[0]}_and_{columns[1]}"
    given = f'add_index :{table}, [:{columns[0]}, :{columns[1]}], name: "{name}"'
    [finding] = _found(table, "7.2", given)
    assert finding.severity is Severity.CRITICAL and f"'{table}'" in finding.message
    executed = f'execute "CREATE INDEX {name} ON {table} ({columns[0]}, {columns[1]})"'
    [cut] = _found(table, "7.2", executed)
    assert cut.severity is Severity.WARNING and "PostgreSQL cuts it" in cut.message
