"""The server-side probe configuration: validated, with errors that name the file and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.probe.policy import Policy, ProbeConfigError, load_probe_config, target_for_dsn

GOOD = """\
repositories:
  - repository: acme/shop
    paths: [db/migrate]
    name: shop-replica
    dsn: postgresql://probe:hunter2@replica.internal:5432/shop
    policy:
      schemas: [public, billing]
      tables: [orders, billing.invoices]
      exact_counts: false
      row_budget: 50000
      statement_timeout: 2s
      lock_timeout: 250ms
      show_values: {columns: [users.name], sensitive: [nickname], max_distinct: 10}
  - repository: acme/warehouse
    dsn: mysql://probe@db/warehouse
    dialect: mariadb
"""


def test_a_full_configuration_loads(tmp_path: Path) -> None:
    path = tmp_path / "probe.yml"
    path.write_text(GOOD)
    config = load_probe_config(path)
    shop = config.for_repository("Acme/Shop", ["db/migrate/20260101_orders.rb"])
    assert shop is not None and shop.name == "shop-replica" and shop.dialect == "postgres"
    assert shop.policy == Policy(
        schemas=("public", "billing"),
        tables=("orders", "billing.invoices"),
        exact_counts=False,
        row_budget=50_000,
        statement_timeout_ms=2_000,
        lock_timeout_ms=250,
        show_columns=("users.name",),
        sensitive=(*Policy().sensitive, "nickname"),
        max_distinct=10,
    )
    assert "hunter2" not in repr(shop)
    assert config.for_repository("acme/shop", ["other/dir/1.sql"]) is None
    warehouse = config.for_repository("acme/warehouse")
    assert warehouse is not None and warehouse.dialect == "mysql" and warehouse.name == "acme/warehouse"
    assert config.for_repository("someone/else") is None


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("repositories:\n  - repository: acme/shop\n", "repositories[0].dsn"),
        ("repositories:\n  - {repository: acme, dsn: x}\n", "repositories[0].repository"),
        ("repositories:\n  - {repository: a/b, dsn: x, dialect: oracle}\n", "repositories[0].dialect"),
        (
            "repositories:\n  - {repository: a/b, dsn: x, policy: {row_budget: -1}}\n",
            "repositories[0].policy.row_budget",
        ),
        (
            "repositories:\n  - {repository: a/b, dsn: x, policy: {statement_timeout: soon}}\n",
            "statement_timeout",
        ),
        (
            "repositories:\n  - {repository: a/b, dsn: x, policy: {exact: true}}\n",
            "repositories[0].policy.exact",
        ),
        ("connections: []\n", "connections"),
    ],
)
def test_errors_name_the_file_and_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "probe.yml"
    path.write_text(text)
    with pytest.raises(ProbeConfigError) as raised:
        load_probe_config(path)
    assert str(raised.value).startswith(f"{path}: ") and key in str(raised.value)


def test_values_are_shown_only_for_low_cardinality_columns_that_do_not_look_sensitive() -> None:
    policy = Policy(show_columns=("users.first_name",))
    assert policy.shows("orders", "status", 4)
    assert not policy.shows("orders", "status", 500)  # too many distinct values
    for column in ("email", "billing_email", "last_name", "api_token", "phone", "ssn", "password_digest"):
        assert not policy.shows("users", column, 3), column
    assert policy.shows("users", "first_name", 3000)  # listed by the server's configuration


def test_only_the_default_schema_unless_schemas_are_listed() -> None:
    assert Policy().allows("public", "orders", "public")
    assert not Policy().allows("audit", "orders", "public")
    assert Policy(schemas=("audit",)).allows("audit", "orders", "public")
    assert not Policy(tables=("orders",)).allows("public", "users", "public")


def test_a_dsn_from_the_command_line_is_named_without_its_password() -> None:
    target = target_for_dsn("postgresql://probe:hunter2@db.internal:5433/shop")
    assert target.name == "postgresql://probe@db.internal:5433/shop" and target.dialect == "postgres"
    with pytest.raises(ProbeConfigError, match="unsupported scheme"):
        target_for_dsn("oracle://x@y/z")
