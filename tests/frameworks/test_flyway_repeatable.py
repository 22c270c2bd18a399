"""A Flyway repeatable migration (`R__…`) is meant to be edited: Flyway runs it again on every database whenever
its checksum changes. Its edit is no `applied-migration-edited`; it is reviewed as a change run on the schema its
previous version made, so a replacement PostgreSQL refuses there is found."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

FOLDER = "src/main/resources/db/migration/"
NAMES = [
    ("users", "user_summary", ("id", "email", "name")),
    ("orders", "order_totals", ("id", "qty", "total")),
]


def _edited(table: str, view: str, columns: tuple[str, ...], now: tuple[str, ...]) -> Review:
    path = f"{FOLDER}R__{view}.sql"
    create = f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in columns)}, extra text);\n"
    previous = f"CREATE OR REPLACE VIEW {view} AS SELECT {', '.join(columns)} FROM {table};\n"
    edited = f"CREATE OR REPLACE VIEW {view} AS SELECT {', '.join(now)} FROM {table};\n"
    return review_sql(
        edited, path=path, previous=previous, base={f"{FOLDER}V1__init.sql": create}, dialect="postgres"
    )


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize(("table", "view", "columns"), NAMES)
def test_a_repeatable_view_that_leaves_out_a_column_is_refused(
    table: str, view: str, columns: tuple[str, ...]
) -> None:
    result = _edited(table, view, columns, columns[:2])
    assert _rules(result) == {"view-replace-refused"}
    [finding] = result.active
    assert f"leaves out `{columns[2]}`" in finding.message


@pytest.mark.parametrize(("table", "view", "columns"), NAMES)
def test_a_repeatable_view_that_adds_a_column_at_the_end_is_approved(
    table: str, view: str, columns: tuple[str, ...]
) -> None:
    result = _edited(table, view, columns, (*columns, "extra"))
    assert "applied-migration-edited" not in _rules(result)
    assert result.approval == "APPROVED"


@pytest.mark.parametrize(("table", "view", "columns"), NAMES)
def test_a_versioned_migration_edited_is_still_found(table: str, view: str, columns: tuple[str, ...]) -> None:
    path = f"{FOLDER}V2__{view}.sql"
    previous = f"CREATE VIEW {view} AS SELECT {', '.join(columns)} FROM {table};\n"
    edited = f"CREATE VIEW {view} AS SELECT {', '.join((*columns, 'extra'))} FROM {table};\n"
    create = f"CREATE TABLE {table} ({', '.join(f'{c} text' for c in columns)}, extra text);\n"
    result = review_sql(edited, path=path, previous=previous, base={f"{FOLDER}V1__init.sql": create})
    assert "applied-migration-edited" in _rules(result)
