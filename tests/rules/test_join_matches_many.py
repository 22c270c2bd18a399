"""A value read through a join or a sub-query that can match several rows for one row written."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

NAMES = [
    {
        "target": "orders",
        "parent": "customers",
        "many": "addresses",
        "key": "customer_id",
        "value": "country",
    },
    {"target": "tickets", "parent": "teams", "many": "members", "key": "team_id", "value": "email"},
]
SCHEMA = (
    "CREATE TABLE {parent} (id bigint PRIMARY KEY, {value} text);\n"
    "CREATE TABLE {many} (id bigint PRIMARY KEY, {key} bigint NOT NULL, {value} text, is_primary boolean);\n"
    "CREATE UNIQUE INDEX {many}_one_primary ON {many} ({key}) WHERE is_primary;\n"
    "CREATE TABLE {target} (id bigint PRIMARY KEY, {key} bigint NOT NULL, {value} text);\n"
)


def _found(names: dict[str, str], sql: str, dialect: str | None = None) -> list[Finding]:
    schema = (
        SCHEMA if dialect is None else "\n".join(line for line in SCHEMA.splitlines() if "WHERE" not in line)
    )
    base = {"db/migrations/0001_init.sql": schema.format(**names)}
    result = review_sql(sql.format(**names), path="db/migrations/0002_fill.sql", dialect=dialect, base=base)
    return [f for f in result.active if f.rule == "join-matches-many"]


@pytest.mark.parametrize("names", NAMES)
def test_a_join_on_no_unique_key_writes_an_arbitrary_match(names: dict[str, str]) -> None:
    [found] = _found(
        names,
        "UPDATE {target} t SET {value} = m.{value} FROM {many} m WHERE m.{key} = t.{key} AND t.id < 1000;",
    )
    assert f"`{names['many']}` joined by ({names['key']})" in found.message
    [none] = _found(
        names, "UPDATE {target} t SET {value} = m.{value} FROM {many} m WHERE m.{value} IS NOT NULL;"
    )
    assert "no condition tying its rows" in none.message
    assert (
        none.severity == "critical" and found.severity == "warning"
    )  # every row overwritten with one row's values


@pytest.mark.parametrize("names", NAMES)
def test_a_sub_query_that_can_return_two_rows_fails(names: dict[str, str]) -> None:
    [found] = _found(
        names,
        "UPDATE {target} t SET {value} = (SELECT {value} FROM {many} WHERE {key} = t.{key}) WHERE t.id < 1000;",
    )
    assert "more than one row returned" in found.message


@pytest.mark.parametrize("names", NAMES)
def test_joins_that_match_one_row_at_most(names: dict[str, str]) -> None:
    quiet = [
        "UPDATE {target} t SET {value} = p.{value} FROM {parent} p WHERE p.id = t.{key} AND t.id < 1000;",
        # the partial unique index's predicate is in the condition
        "UPDATE {target} t SET {value} = m.{value} FROM {many} m WHERE m.{key} = t.{key} AND m.is_primary AND t.id < 1000;",
        # the joined table only filters: the values written do not come from it
        "UPDATE {target} t SET {value} = 'x' FROM {many} m WHERE m.{key} = t.{key} AND t.id < 1000;",
        # an aggregate, a LIMIT 1: one row
        "UPDATE {target} t SET {value} = (SELECT max({value}) FROM {many} WHERE {key} = t.{key}) WHERE t.id < 1000;",
        "UPDATE {target} t SET {value} = (SELECT {value} FROM {many} WHERE {key} = t.{key} ORDER BY id LIMIT 1) WHERE t.id < 1000;",
    ]
    for sql in quiet:
        assert not _found(names, sql), sql
    # a unique key the same migration adds on the joined columns asserts there is one row each
    later = (
        "UPDATE {target} t SET {value} = m.{value} FROM {many} m WHERE m.{key} = t.{key} AND t.id < 1000;\n"
        "CREATE UNIQUE INDEX {many}_key ON {many} ({key});"
    )
    assert not _found(names, later)


@pytest.mark.parametrize("names", NAMES)
def test_mysql_multi_table_update(names: dict[str, str]) -> None:
    sql = "UPDATE {target} t JOIN {many} m ON m.{key} = t.{key} SET t.{value} = m.{value} WHERE t.id < 1000;"
    assert len(_found(names, sql, dialect="mysql")) == 1


@pytest.mark.parametrize(
    ("target", "source", "key", "value"),
    [("accounts", "account_events", "account_id", "kind"), ("orders", "order_notes", "order_id", "body")],
)
def test_a_source_table_with_no_key_at_all_can_match_many(
    pg: Any, target: str, source: str, key: str, value: str
) -> None:
    """A table the migrations created without any key (a log of events) holds several rows per parent: the
    UPDATE takes an arbitrary one's value. With a unique key on the joined column, one row at most."""
    schema = (
        f"CREATE TABLE {target} (id int PRIMARY KEY, last_{value} text);\n"
        f"CREATE TABLE {source} ({key} int, {value} text);\n"
    )
    update = f"UPDATE {target} SET last_{value} = s.{value} FROM {source} s WHERE s.{key} = {target}.id;\n"
    found = [f for f in review_sql(f"{schema}-- migration\n{update}", dialect="postgres").active]
    assert [f.severity.value for f in found if f.rule == "join-matches-many"] == ["warning"]
    keyed = schema.replace(f"({key} int,", f"({key} int UNIQUE,")
    assert "join-matches-many" not in {
        f.rule for f in review_sql(f"{keyed}-- migration\n{update}", dialect="postgres").active
    }
    pg.execute(schema)
    pg.execute(f"INSERT INTO {target} VALUES (1, NULL); INSERT INTO {source} VALUES (1, 'a'), (1, 'b')")
    pg.execute(update)
    assert pg.execute(f"SELECT last_{value} FROM {target}").fetchone()[0] in ("a", "b")  # one of them, unsaid


@pytest.mark.parametrize(
    ("target", "source", "key"), [("reaction", "memo", "uid"), ("comment_vote", "comment", "public_ref")]
)
def test_a_key_written_with_a_constant_around_it_ties_one_row(target: str, source: str, key: str) -> None:
    """memos: `WHERE reaction.content_id = 'memos/' || memo.uid`, memo.uid unique, was said to tie nothing."""
    schema = (
        f"CREATE TABLE {source} (id bigint PRIMARY KEY, {key} text NOT NULL UNIQUE);\n"
        f"CREATE TABLE {target} (id bigint PRIMARY KEY, content_id text, {source}_id bigint);\n-- migration\n"
    )

    def found(condition: str) -> list[str]:
        sql = f"UPDATE {target} SET {source}_id = {source}.id FROM {source} WHERE {target}.content_id = {condition};"
        return [f.rule for f in review_sql(schema + sql).findings if f.rule == "join-matches-many"]

    assert found(f"'memos/' || {source}.{key}") == []
    assert found(f"{source}.{key} || '.v1'") == []
    assert found(f"CAST({source}.{key} AS text)") == []
    assert found(f"lower({source}.{key})") == ["join-matches-many"]  # several keys may fold to one
