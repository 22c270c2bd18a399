from typing import Any

import pytest

from bot.model.config import Config
from bot.model.findings import Finding
from tests.conftest import review_sql

RULE = "concurrent-index-corruption"
BUILD = "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);"


def _found(sql: str, version: str | None, **kw: Any) -> list[Finding]:
    review = review_sql(sql, config=Config(database_version=version), **kw)
    return [f for f in review.active if f.rule == RULE]


@pytest.mark.parametrize("version", ["14.0", "14.2", "14.3"])
def test_a_concurrent_build_on_a_broken_minor_release_is_critical(version: str) -> None:
    [finding] = _found(BUILD, version)
    assert f"PostgreSQL {version}" in finding.message and "14.4" in finding.message
    assert finding.severity.value == "critical"


def test_reindex_concurrently_too() -> None:
    assert _found("REINDEX TABLE CONCURRENTLY orders;", "14.1")


@pytest.mark.parametrize("version", [None, "14", "14.4", "14.10", "13.7", "15.1"])
def test_fixed_or_unknown_minor_releases_are_quiet(version: str | None) -> None:
    # "14" alone does not say which minor release runs: nothing is claimed
    assert not _found(BUILD, version)


def test_a_plain_build_and_a_table_of_the_change_are_quiet() -> None:
    assert not _found("CREATE INDEX orders_user_idx ON orders (user_id);", "14.3")
    created = "CREATE TABLE t (id bigint);\nCREATE INDEX CONCURRENTLY t_idx ON t (id);"
    assert not _found(created, "14.3")


def _in_repository(files: dict[str, str], config: str = "") -> list[Finding]:
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    path = "migrations/20260301_index.sql"
    tree = {**files, path: "CREATE INDEX CONCURRENTLY invoices_account_idx ON invoices (account_id);"}
    base = {
        "migrations/20260101_invoices.sql": "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint);"
    }
    tree.update(base)
    change = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, "added", None, tree[path]),),
        head_tree=MemoryTree(tree),
        base_tree=MemoryTree(base),
        config_text=config or None,
    )
    return [f for f in review(change).active if f.rule == RULE]


CI = """jobs:
  test:
    runs-on: ubuntu-latest
    services:
      postgres:
        image: postgres:14.2
"""


@pytest.mark.parametrize("where", [".github/workflows/ci.yml", "docker-compose.yml"])
def test_a_development_containers_minor_version_is_not_productions(where: str) -> None:
    # The image a workflow or compose file runs the tests on says nothing of production's minor release.
    compose = "services:\n  db:\n    image: postgres:14.1\n"
    assert not _in_repository({where: CI if where.endswith("ci.yml") else compose})


def test_the_version_the_configuration_declares_is_productions() -> None:
    [finding] = _in_repository({".github/workflows/ci.yml": CI}, "database_version: '14.3'\n")
    assert "PostgreSQL 14.3" in finding.message
