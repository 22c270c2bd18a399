"""MySQL table character sets kept in the schema: columns take their table's, CONVERT TO moves every text
column, and lossy-type-change / lossy-copy see what a narrower set cannot hold."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [
    {"table": "posts", "text": "body", "other": "notes", "new": "summary"},
    {"table": "reviews", "text": "comment", "other": "drafts", "new": "excerpt"},
]


def _found(sql: str, names: dict[str, str], *rules: str) -> list[Any]:
    result = review_sql(sql.format(**names), dialect="mysql")
    return [f for f in result.active if f.rule in rules]


@pytest.mark.parametrize("names", NAMES)
def test_a_utf8mb4_table_converted_to_a_narrower_set(names: dict[str, str]) -> None:
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} text) DEFAULT CHARSET=utf8mb4;\n-- migration\n"
    )
    for target in ("latin1", "utf8"):
        (finding,) = _found(
            schema + f"ALTER TABLE {{table}} CONVERT TO CHARACTER SET {target};", names, "lossy-type-change"
        )
        assert f"`{names['text']}`" in finding.message
    assert not _found(
        schema + "ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4;", names, "lossy-type-change"
    )


@pytest.mark.parametrize("names", NAMES)
def test_a_latin1_table_converted_to_latin1_or_wider_loses_nothing(names: dict[str, str]) -> None:
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} text) DEFAULT CHARSET=latin1;\n-- migration\n"
    )
    for target in ("latin1", "utf8mb4", "utf8"):
        sql = schema + f"ALTER TABLE {{table}} CONVERT TO CHARACTER SET {target};"
        assert not _found(sql, names, "lossy-type-change")
    # converted earlier: the table is latin1 now, and a later move to utf8 widens it
    earlier = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} text) DEFAULT CHARSET=utf8mb4;\n"
        "ALTER TABLE {table} CONVERT TO CHARACTER SET latin1;\n-- migration\n"
        "ALTER TABLE {table} CONVERT TO CHARACTER SET utf8;"
    )
    assert not _found(earlier, names, "lossy-type-change")


@pytest.mark.parametrize("names", NAMES)
def test_a_column_added_to_a_latin1_table_takes_latin1(names: dict[str, str]) -> None:
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} text) DEFAULT CHARSET=latin1;\n"
        "CREATE TABLE {other} (id bigint PRIMARY KEY, {text} text) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n"
        "-- migration\nALTER TABLE {table} ADD COLUMN {new} text;\n"
    )
    copy = (
        "UPDATE {table} t JOIN {other} o ON o.id = t.id SET t.{new} = o.{text} WHERE t.id BETWEEN 1 AND 1000;"
    )
    (finding,) = _found(schema + copy, names, "lossy-copy")
    assert "character set latin1" in finding.message and "character set utf8mb4" in finding.message
    # from the same latin1 table: nothing to lose
    same = "UPDATE {table} SET {new} = {text} WHERE id BETWEEN 1 AND 1000;"
    assert not _found(schema + same, names, "lossy-copy")
    # the new column states utf8mb4 itself
    own = schema.replace("ADD COLUMN {new} text", "ADD COLUMN {new} text CHARACTER SET utf8mb4")
    assert not _found(own + copy, names, "lossy-copy")


@pytest.mark.parametrize("names", NAMES)
def test_a_table_default_changed_then_a_column_added(names: dict[str, str]) -> None:
    sql = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} varchar(100)) DEFAULT CHARSET=utf8mb4;\n-- migration\n"
        "ALTER TABLE {table} DEFAULT CHARSET=latin1;\nALTER TABLE {table} ADD COLUMN {new} varchar(100);\n"
        "UPDATE {table} SET {new} = {text} WHERE id BETWEEN 1 AND 1000;"
    )
    assert _found(sql, names, "lossy-copy")
    kept = sql.replace("DEFAULT CHARSET=latin1", "DEFAULT CHARSET=utf8mb4")
    assert not _found(kept, names, "lossy-copy")


@pytest.mark.parametrize("names", NAMES)
def test_modify_without_a_charset_takes_the_tables(names: dict[str, str]) -> None:
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {text} varchar(100) CHARACTER SET utf8mb4) "
        "DEFAULT CHARSET=latin1;\n-- migration\n"
    )
    (finding,) = _found(
        schema + "ALTER TABLE {table} MODIFY {text} varchar(200);", names, "lossy-type-change"
    )
    assert "latin1" in finding.message
    kept = schema + "ALTER TABLE {table} MODIFY {text} varchar(200) CHARACTER SET utf8mb4;"
    assert not _found(kept, names, "lossy-type-change")


def test_a_collation_names_the_table_charset() -> None:
    sql = (
        "CREATE TABLE pages (id bigint PRIMARY KEY, title varchar(80)) COLLATE latin1_swedish_ci;\n-- migration\n"
        "ALTER TABLE pages ADD COLUMN heading varchar(80) CHARACTER SET utf8mb4;\n"
        "UPDATE pages SET heading = title WHERE id BETWEEN 1 AND 1000;"
    )
    # latin1 into utf8mb4 widens: quiet; the other way round is lossy
    assert not _found(sql, {}, "lossy-copy")
    back = sql.replace("SET heading = title", "SET title = heading")
    assert _found(back, {}, "lossy-copy")


LARAVEL = """<?php

use Illuminate\\Database\\Migrations\\Migration;
use Illuminate\\Database\\Schema\\Blueprint;
use Illuminate\\Support\\Facades\\Schema;

return new class extends Migration
{{
    public function up(): void
    {{
        Schema::create('{table}', function (Blueprint $table) {{
            $table->id();
            $table->string('{col}')->nullable();
            $table->timestamp('{stamp}')->useCurrent()->useCurrentOnUpdate();
        }});
    }}
}};
"""


@pytest.mark.parametrize(
    ("table", "col", "stamp"), [("orders", "state", "changed_at"), ("items", "kind", "touched")]
)
def test_laravel_use_current_on_update_is_kept(table: str, col: str, stamp: str) -> None:
    base = {
        "database/migrations/2024_01_01_000000_create.php": LARAVEL.format(table=table, col=col, stamp=stamp)
    }
    sql = f"UPDATE {table} SET {col} = 'open' WHERE {col} IS NULL;"
    result = review_sql(sql, dialect="mysql", base=base)
    assert [f for f in result.active if f.rule == "last-modified-overwritten"]
    kept = f"UPDATE {table} SET {col} = 'open', {stamp} = {stamp} WHERE {col} IS NULL;"
    result = review_sql(kept, dialect="mysql", base=base)
    assert not [f for f in result.active if f.rule == "last-modified-overwritten"]
