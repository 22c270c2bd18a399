"""A SET from a correlated scalar sub-query writes NULL where the sub-query finds no row."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

SCHEMA = """CREATE TABLE {parents} (id bigint PRIMARY KEY, {value} text);
CREATE TABLE {rows} (id bigint PRIMARY KEY, {parent}_id bigint, {value} text, required_{value} text NOT NULL DEFAULT '',
  owner_id bigint NOT NULL REFERENCES {parents} (id));
"""
NAMES = [
    {"parents": "customers", "parent": "customer", "rows": "orders", "value": "region"},
    {"parents": "teams", "parent": "team", "rows": "players", "value": "colour"},
]


def _found(names: dict[str, str], sql: str, framework) -> list[Finding]:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    result = review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})
    return [f for f in result.active if f.rule == "null-from-subquery"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_correlated_subquery_without_a_guard(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id);"
    found = _found(names, bad, framework)
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert f"without a matching `{names['parents']}` row" in found[0].message
    good = bad.replace(";", " WHERE EXISTS (SELECT 1 FROM {parents} p WHERE p.id = r.{parent}_id);")
    assert not _found(names, good, framework)


@pytest.mark.parametrize("names", NAMES)
def test_not_null_target_fails_and_guards_that_keep_the_value(names: dict[str, str]) -> None:
    goose = FRAMEWORKS[0]
    failing = "UPDATE {rows} r SET required_{value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id);"
    assert [f.severity for f in _found(names, failing, goose)] == [Severity.CRITICAL]
    quiet = [
        "UPDATE {rows} r SET {value} = coalesce((SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id), r.{value});",
        "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.{parent}_id) WHERE {value} IS NULL;",
        "UPDATE {rows} r SET {value} = (SELECT count(*) FROM {parents} p WHERE p.id = r.{parent}_id);",
        "UPDATE {rows} r SET {value} = (SELECT p.{value} FROM {parents} p WHERE p.id = r.owner_id);",  # NOT NULL key
        "UPDATE {rows} r SET {value} = p.{value} FROM {parents} p WHERE p.id = r.{parent}_id;",
    ]
    for sql in quiet:
        assert not _found(names, sql, goose), sql


WIDER = """CREATE TABLE {parents} (id bigint PRIMARY KEY, {value} text, code varchar(20) UNIQUE, label text);
CREATE TABLE {rows} (id bigint PRIMARY KEY, {parent}_id bigint, {value} text, required_{value} text NOT NULL,
  defaulted_{value} text DEFAULT 'none', owner_id bigint NOT NULL REFERENCES {parents} (id));
CREATE TABLE imported_{rows} (id bigint PRIMARY KEY, {parent}_id bigint, {value} text);
INSERT INTO {parents} (id, code, label) VALUES (1, 'main', 'Main');
"""


def _wider(
    names: dict[str, str], sql: str, framework=FRAMEWORKS[0], dialect: str | None = None
) -> list[Finding]:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    result = review_sql(text, path=path, dialect=dialect, base={"db/structure.sql": WIDER.format(**names)})
    return [f for f in result.active if f.rule == "null-from-subquery"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_insert_select_of_a_subquery_into_a_column_that_refuses_null(
    names: dict[str, str], framework
) -> None:  # type: ignore[no-untyped-def]
    insert = (
        "INSERT INTO {rows} (id, owner_id, {target}) SELECT i.id, 1,"
        " (SELECT p.{value} FROM {parents} p WHERE p.id = i.{parent}_id) FROM imported_{rows} i;"
    )
    failing = _wider(names, insert.replace("{target}", "required_{value}"), framework)
    assert [f.severity for f in failing] == [Severity.CRITICAL]
    assert (
        f"`{names['rows']}.required_{names['value']}`" in failing[0].message
        and "NOT NULL" in failing[0].message
    )
    defaulted = _wider(names, insert.replace("{target}", "defaulted_{value}"), framework)
    assert len(defaulted) == 1 and "default `'none'`" in defaulted[0].message
    # a nullable column without a default: the new row simply has no value
    assert not _wider(names, insert.replace("{target}", "{value}"), framework)
    guarded = insert.replace("{target}", "required_{value}").replace(
        "(SELECT p.{value} FROM {parents} p WHERE p.id = i.{parent}_id)",
        "coalesce((SELECT p.{value} FROM {parents} p WHERE p.id = i.{parent}_id), '')",
    )
    assert not _wider(names, guarded, framework)


@pytest.mark.parametrize("names", NAMES)
def test_insert_select_from_a_left_join(names: dict[str, str]) -> None:
    bad = (
        "INSERT INTO {rows} (id, owner_id, required_{value}) SELECT i.id, 1, p.{value}"
        " FROM imported_{rows} i LEFT JOIN {parents} p ON p.id = i.{parent}_id;"
    )
    found = _wider(names, bad)
    assert [f.severity for f in found] == [Severity.CRITICAL]
    assert f"LEFT JOINed `{names['parents']}`" in found[0].message
    quiet = [
        bad.replace("LEFT JOIN", "JOIN"),
        bad.replace("1, p.{value}", "1, coalesce(p.{value}, '')"),
        bad.replace(";", " WHERE p.id IS NOT NULL;"),
        bad.replace("required_{value}", "{value}"),  # nullable, no default
    ]
    for sql in quiet:
        assert not _wider(names, sql), sql


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_update_from_a_left_join(names: dict[str, str], dialect: str) -> None:
    if dialect == "postgres":
        bad = (
            "UPDATE {rows} SET {value} = p.{value} FROM imported_{rows} i LEFT JOIN {parents} p"
            " ON p.id = i.{parent}_id WHERE {rows}.id = i.id;"
        )
    else:
        bad = "UPDATE {rows} r LEFT JOIN {parents} p ON p.id = r.{parent}_id SET r.{value} = p.{value};"
    found = _wider(names, bad, dialect=dialect)
    assert len(found) == 1 and "overwriting its value" in found[0].message
    assert not _wider(names, bad.replace("LEFT JOIN", "JOIN"), dialect=dialect)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_unqualified_correlation_is_read_through_the_catalog(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    # `{parent}_id` is no column of the sub-query's table: it is the updated row's, so the sub-query
    # correlates, and finds nothing for a missing parent
    bad = "UPDATE {rows} SET {value} = (SELECT label FROM {parents} WHERE id = {parent}_id);"
    found = _wider(names, bad, framework)
    assert len(found) == 1 and f"without a matching `{names['parents']}` row" in found[0].message
    # `owner_id` is NOT NULL and a foreign key to the sub-query's table: every row has its parent
    assert not _wider(names, bad.replace("{parent}_id", "owner_id"), framework)
    assert not _wider(
        names, bad.replace(";", " WHERE EXISTS (SELECT 1 FROM {parents} WHERE id = {parent}_id);"), framework
    )


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("dialect", ["postgres", "mysql"])
def test_lookup_that_does_not_depend_on_the_row(names: dict[str, str], dialect: str) -> None:
    several = "UPDATE {rows} SET {value} = (SELECT {value} FROM {parents} WHERE label = 'Main');"
    found = _wider(names, several, dialect=dialect)
    assert len(found) == 1 and "every row of" in found[0].message and "more than one row" in found[0].message
    # a unique key, but no migration seeds the row: NULL where it is missing, never two rows
    unseeded = _wider(
        names,
        "UPDATE {rows} SET {value} = (SELECT {value} FROM {parents} WHERE code = 'other');",
        dialect=dialect,
    )
    assert len(unseeded) == 1 and "more than one row" not in unseeded[0].message
    assert f"no `{names['parents']}` row matches" in unseeded[0].message
    # a unique key a migration seeds: exactly one row wherever the migrations ran
    assert not _wider(
        names,
        "UPDATE {rows} SET {value} = (SELECT {value} FROM {parents} WHERE code = 'main');",
        dialect=dialect,
    )
    assert not _wider(
        names, "UPDATE {rows} SET {value} = (SELECT {value} FROM {parents} WHERE id = 1);", dialect=dialect
    )
    guarded = (
        "UPDATE {rows} SET {value} = coalesce((SELECT {value} FROM {parents} WHERE label = 'Main'), {value});"
    )
    assert not _wider(names, guarded, dialect=dialect)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_lookup_in_every_framework(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = "UPDATE {rows} SET {value} = (SELECT {value} FROM {parents} WHERE code = 'other');"
    assert len(_wider(names, bad, framework)) == 1
    assert not _wider(names, bad.replace("'other'", "'main'"), framework)


@pytest.mark.parametrize("names", NAMES)
def test_a_key_the_where_keeps_non_null_and_a_column_added_empty(names: dict[str, str]) -> None:
    """A nullable foreign key the UPDATE's own WHERE keeps non-NULL has its parent row; and a column the
    migration adds empty holds nothing a NULL could overwrite."""
    schema = (
        WIDER
        + "ALTER TABLE {rows} ADD CONSTRAINT {rows}_parent_fk FOREIGN KEY ({parent}_id) REFERENCES {parents} (id);\n"
    )
    base = {"db/structure.sql": schema.format(**names)}

    def found(sql: str) -> list[Finding]:
        result = review_sql(sql.format(**names), base=base)
        return [f for f in result.active if f.rule == "null-from-subquery"]

    update = "UPDATE {rows} SET {value} = (SELECT {parents}.label FROM {parents} WHERE {rows}.{parent}_id = {parents}.id)"
    assert len(found(update + ";")) == 1
    assert not found(update + " WHERE {parent}_id IS NOT NULL;")
    added = (
        "ALTER TABLE {rows} ADD COLUMN {parent}_label text;\n"
        + update.replace("SET {value}", "SET {parent}_label")
        + ";"
    )
    assert not found(added)


@pytest.mark.parametrize("names", NAMES)
def test_a_sub_query_that_reads_the_updated_table_under_its_own_name(names: dict[str, str]) -> None:
    """`UPDATE t SET x = (SELECT … FROM t WHERE t.a = t.id)`: both names are the sub-query's own table, so
    it is one lookup for every row, not a correlation, and the review says why."""
    base = {"db/structure.sql": WIDER.format(**names)}
    sql = (
        "UPDATE {parents} SET label = (SELECT label FROM {parents} WHERE {parents}.code = {parents}.label)"
        " WHERE code IS NOT NULL;"
    ).format(**names)
    found = [f for f in review_sql(sql, base=base).active if f.rule == "null-from-subquery"]
    assert len(found) == 1 and f"names the sub-query's own `{names['parents']}`" in found[0].message
    aliased = sql.replace(
        f"FROM {names['parents']} WHERE {names['parents']}.code", f"FROM {names['parents']} o WHERE o.code"
    )
    found = [f for f in review_sql(aliased, base=base).active if f.rule == "null-from-subquery"]
    assert len(found) == 1 and "own" not in found[0].message and "without a matching" in found[0].message


@pytest.mark.parametrize("names", NAMES)
def test_a_self_shadowing_lookup_into_a_column_the_change_adds(names: dict[str, str]) -> None:
    base = {"db/structure.sql": WIDER.format(**names)}
    sql = (
        "ALTER TABLE {parents} ADD COLUMN original_label text;\n"
        "UPDATE {parents} SET original_label = (SELECT label FROM {parents} WHERE {parents}.code = {parents}.label)"
        " WHERE code IS NOT NULL;"
    ).format(**names)
    found = [f for f in review_sql(sql, base=base).active if f.rule == "null-from-subquery"]
    assert len(found) == 1 and "stays empty" in found[0].message and "own" in found[0].message
    correlated = sql.replace(
        f"FROM {names['parents']} WHERE {names['parents']}.code", f"FROM {names['parents']} o WHERE o.code"
    )
    assert not [f for f in review_sql(correlated, base=base).active if f.rule == "null-from-subquery"]


JOINED = """CREATE TABLE {blocks} (id bigint PRIMARY KEY, start_at timestamp, {length} interval);
CREATE TABLE {entries} (id bigint PRIMARY KEY, parent_id bigint, {block}_id bigint, start_at timestamp, item_id bigint);
CREATE TABLE {items} (id bigint PRIMARY KEY, {length} interval);
"""
JOINED_NAMES = [
    {
        "blocks": "session_blocks",
        "block": "session_block",
        "entries": "timetable_entries",
        "items": "talks",
        "length": "duration",
    },
    {"blocks": "shifts", "block": "shift", "entries": "assignments", "items": "tasks", "length": "span"},
]
REPEATED = """UPDATE {blocks} bl SET {length} = (SELECT max(te.start_at + i.{length} - tep.start_at) {join} {where})
 {join} {where};"""
JOIN = "FROM {entries} te JOIN {entries} tep ON (tep.id = te.parent_id) LEFT JOIN {items} i ON (i.id = te.item_id)"
WHERE = "WHERE bl.id = tep.{block}_id AND te.parent_id IS NOT NULL AND (te.start_at + i.{length}) > (tep.start_at + bl.{length})"


@pytest.mark.parametrize("names", JOINED_NAMES)
def test_update_from_that_repeats_the_subquerys_join_keeps_only_matched_rows(names: dict[str, str]) -> None:
    """The UPDATE's own FROM and WHERE are the sub-query's: every row it updates has a row to aggregate."""
    base = {"db/structure.sql": JOINED.format(**names)}

    def found(sql: str) -> list[Finding]:
        return [
            f for f in review_sql(sql.format(**names), base=base).active if f.rule == "null-from-subquery"
        ]

    def statement(where: str, outer_where: str | None = None) -> str:
        outer = where if outer_where is None else outer_where
        return REPEATED.replace("{join} {where})", f"{JOIN} {where})").replace(
            "{join} {where};", f"{JOIN} {outer};"
        )

    assert not found(statement(WHERE))
    # one equality with its sides swapped, and the terms in another order
    reordered = "WHERE te.parent_id IS NOT NULL AND tep.{block}_id = bl.id AND (te.start_at + i.{length}) > (tep.start_at + bl.{length})"
    assert not found(statement(WHERE, reordered))
    # the UPDATE's FROM without the sub-query's condition updates blocks that have no matching entry
    assert len(found(statement(WHERE, "WHERE bl.id = tep.{block}_id"))) == 1
    # an UPDATE with no FROM of its own
    bare = (
        "UPDATE {blocks} bl SET {length} = (SELECT max(te.start_at) "
        + JOIN
        + " WHERE bl.id = tep.{block}_id);"
    )
    assert len(found(bare)) == 1


@pytest.mark.parametrize("names", NAMES)
def test_a_where_that_needs_a_later_joined_row_keeps_the_rows_its_join_needs(names: dict[str, str]) -> None:
    """homarr's `… SELECT item.id, section.id, … FROM board LEFT JOIN section ON section.board_id = board.id
    LEFT JOIN item ON item.section_id = section.id WHERE item.id IS NOT NULL`: an item row is joined only where
    a section row was (its ON compares with `section.id`), so a row the WHERE keeps has both. A WHERE on a
    table joined to the first one instead keeps rows without a match of the other."""
    bad = (
        "INSERT INTO {rows} (id, owner_id, required_{value}) SELECT i.id, 1, p.{value}"
        " FROM imported_{rows} i LEFT JOIN {parents} p ON p.id = i.{parent}_id"
        " LEFT JOIN {rows} o ON o.{parent}_id = {joined}.id WHERE o.id IS NOT NULL;"
    )
    assert not _wider(names, bad.replace("{joined}", "p"))
    (finding,) = _wider(names, bad.replace("{joined}", "i"))
    assert f"LEFT JOINed `{names['parents']}`" in finding.message
