"""table-dropped with CASCADE: what PostgreSQL takes along (the referencing tables' keys and the views), and
what it does not (their rows); MySQL ignores the word."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import review_sql

RULE = "table-dropped"


@pytest.mark.parametrize(
    ("parent", "child", "view"), [("accounts", "orders", "order_totals"), ("teams", "members", "roster")]
)
def test_drop_cascade_names_the_keys_and_views_it_drops(parent, child, view) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY, name text);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent}(id));\n"
        f"CREATE VIEW {view} AS SELECT id, name FROM {parent};\n-- migration\n"
    )
    (finding,) = [f for f in review_sql(schema + f"DROP TABLE {parent} CASCADE;").active if f.rule == RULE]
    assert f"foreign keys of `{child}`" in finding.message and "rows stay" in finding.message
    assert f"`{view}`" in finding.message and "empties" not in finding.message
    assert finding.severity.name == "CRITICAL"
    (truncated,) = [f for f in review_sql(schema + f"TRUNCATE {parent} CASCADE;").active if f.rule == RULE]
    assert "empties every table" in truncated.message


def test_mysql_ignores_cascade_on_drop_table() -> None:
    schema = "CREATE TABLE sessions (id bigint PRIMARY KEY, token varchar(64));\n-- migration\n"
    (finding,) = [
        f
        for f in review_sql(schema + "DROP TABLE sessions CASCADE;", dialect="mysql").active
        if f.rule == RULE
    ]
    assert "CASCADE" not in finding.message and finding.severity.name != "CRITICAL"


def test_what_postgresql_does_on_drop_cascade(pg) -> None:  # type: ignore[no-untyped-def]
    pg.execute("CREATE TABLE accounts (id bigint PRIMARY KEY)")
    pg.execute("CREATE TABLE orders (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts(id))")
    pg.execute("INSERT INTO accounts VALUES (1)")
    pg.execute("INSERT INTO orders VALUES (1, 1)")
    pg.execute("DROP TABLE accounts CASCADE")
    assert pg.execute("SELECT count(*) FROM orders").fetchone() == (1,)  # the rows stay
    pg.execute("INSERT INTO orders VALUES (2, 99)")  # and nothing checks them any more


NAMES = [("accounts", "orders", "order_lines"), ("teams", "members", "member_roles")]


@pytest.mark.parametrize(("parent", "child", "grandchild"), NAMES)
def test_cascade_that_takes_nothing_along_is_no_more_than_the_drop(parent, child, grandchild) -> None:  # type: ignore[no-untyped-def]
    """A table the schema knows, that no other table's key points at and no view reads (an implicit join
    table, a leaf), loses nothing else to CASCADE: the drop is judged as without it."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent}(id));\n"
        "-- migration\n"
    )
    (leaf,) = [
        f for f in review_sql(schema + f"DROP TABLE IF EXISTS {child} CASCADE;").active if f.rule == RULE
    ]
    assert leaf.severity.name != "CRITICAL" and "CASCADE" not in leaf.message
    # the parent still has a child that stays: CASCADE drops its key
    (parent_drop,) = [
        f for f in review_sql(schema + f"DROP TABLE {parent} CASCADE;").active if f.rule == RULE
    ]
    assert parent_drop.severity.name == "CRITICAL" and f"`{child}`" in parent_drop.message


@pytest.mark.parametrize(("parent", "child", "grandchild"), NAMES)
def test_cascade_onto_tables_the_change_drops_as_well(parent, child, grandchild) -> None:  # type: ignore[no-untyped-def]
    """Dead tables dropped together: the keys CASCADE takes belong to tables dropped later in the migration
    (or in a later migration of the change), so no row is left unchecked."""
    schema = (
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {child} (id bigint PRIMARY KEY, {parent}_id bigint REFERENCES {parent}(id));\n"
        f"CREATE TABLE {grandchild} (id bigint PRIMARY KEY, {child}_id bigint REFERENCES {child}(id));\n"
        "-- migration\n"
    )
    together = f"DROP TABLE {parent} CASCADE;\nDROP TABLE {child} CASCADE;\nDROP TABLE {grandchild};\n"
    found = [f for f in review_sql(schema + together).active if f.rule == RULE]
    assert found and not [f for f in found if f.severity.name == "CRITICAL"]
    assert f"`{child}`, which this change drops as well" in found[0].message
    # the grandchild stays: the child's CASCADE leaves its rows unchecked
    kept = f"DROP TABLE {parent} CASCADE;\nDROP TABLE {child} CASCADE;\n"
    critical = [
        f for f in review_sql(schema + kept).active if f.rule == RULE and f.severity.name == "CRITICAL"
    ]
    assert [f.line for f in critical] == [2] and f"`{grandchild}`" in critical[0].message
    # in a later migration of the same change
    later = {"db/migrations/002_drop_rest.sql": f"DROP TABLE {child};\n"}
    first = f"DROP TABLE {parent} CASCADE;\n"
    changeset = ChangeSet(
        "base",
        "head",
        (
            ChangedFile("db/migrations/001_change.sql", "added", None, first),
            ChangedFile(
                "db/migrations/002_drop_rest.sql", "added", None, later["db/migrations/002_drop_rest.sql"]
            ),
        ),
        MemoryTree(
            {
                "db/migrations/000_schema.sql": schema.split("-- migration")[0],
                "db/migrations/001_change.sql": first,
                **later,
            }
        ),
        MemoryTree({"db/migrations/000_schema.sql": schema.split("-- migration")[0]}),
    )
    spread = [f for f in review(changeset).active if f.rule == RULE and f.path.endswith("001_change.sql")]
    assert spread and spread[0].severity.name != "CRITICAL"


def test_what_postgresql_drops_with_cascade_when_nothing_depends(pg) -> None:  # type: ignore[no-untyped-def]
    """Nothing depends on the table: CASCADE drops it alone; dropped before its only child, the child's key
    goes with it, and the child is dropped next."""
    pg.execute("CREATE TABLE teams (id bigint PRIMARY KEY)")
    pg.execute("CREATE TABLE members (id bigint PRIMARY KEY, team_id bigint REFERENCES teams(id))")
    pg.execute("CREATE TABLE audit (id bigint PRIMARY KEY)")
    notices: list[str] = []
    pg.add_notice_handler(lambda diag: notices.append(diag.message_primary or ""))
    pg.execute("DROP TABLE audit CASCADE")
    assert notices == []  # nothing else dropped
    pg.execute("DROP TABLE teams CASCADE")
    assert notices == ["drop cascades to constraint members_team_id_fkey on table members"]
    pg.execute("DROP TABLE members")
    tables = pg.execute("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetchone()
    assert tables == (0,)


@pytest.mark.parametrize("table", ["accounts_mfa_mfamethod", "legacy_exports"])
def test_a_drop_if_exists_of_a_table_the_migration_already_dropped_is_no_second_drop(table: str) -> None:
    """kpi's 0009 removes the model (`DeleteModel`), then runs `DROP TABLE IF EXISTS accounts_mfa_mfamethod
    CASCADE` for databases where it lingers: on the table just dropped that statement does nothing, yet it gave
    a second, critical, table-dropped finding."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n-- migration\n"
    twice = review_sql(schema + f"DROP TABLE {table};\nDROP TABLE IF EXISTS {table} CASCADE;\n")
    assert [f.line for f in twice.active if f.rule == "table-dropped"] == [1]
    once = review_sql(schema + f"DROP TABLE IF EXISTS {table} CASCADE;\n")
    assert [f.line for f in once.active if f.rule == "table-dropped"] == [1]
