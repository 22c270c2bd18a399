"""The author's production query and result, compared by value with the review's own validation query of
the same statement: a zero documents the hazard absent, a non-zero confirms it, and a query about another
table, column or condition changes nothing."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

NAMES = [
    {"table": "users", "source": "age", "target": "kind", "unique": "email"},
    {"table": "shipments", "source": "carrier_code", "target": "carrier", "unique": "tracking_number"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {source} integer, {target} text, {unique} text);\n"
    "-- migration\n"
)
CASE = "UPDATE {table} SET {target} = CASE {source} WHEN 1 THEN 'a' WHEN 2 THEN 'b' END WHERE id < 100;\n"


def _one(result: Review, rule: str) -> Finding:
    (found,) = [f for f in result.findings if f.rule == rule]
    return found


def _fenced(query: str, result: str) -> str:
    return f"Checked in production before the change:\n\n```sql\n{query}\n```\n```\n{result}\n```\n"


@pytest.mark.parametrize("names", NAMES)
def test_a_zero_for_the_same_query_documents_the_case_hazard_absent(names: dict[str, str]) -> None:
    sql = (SCHEMA + CASE).format(**names)
    bare = _one(review_sql(sql), "case-without-else")
    assert bare.severity is Severity.WARNING
    # written differently from the review's own query: another letter case, aliases, the column by name
    query = (
        "select t.{source}, COUNT(1) from {table} t where t.{source} is null or t.{source} not in (1, 2) "
        "group by t.{source};"
    ).format(**names)
    found = _one(
        review_sql(sql, description=_fenced(query, f" {names['source']} | count\n(0 rows)")),
        "case-without-else",
    )
    assert found.severity is Severity.INFO
    assert "documented by the author" in found.message and "(0 rows)" in found.message


@pytest.mark.parametrize("names", NAMES)
def test_a_non_zero_result_confirms_the_hazard(names: dict[str, str]) -> None:
    sql = (SCHEMA + CASE).format(**names)
    query = (
        "SELECT {source}, count(*) FROM {table} WHERE {source} IS NULL OR {source} NOT IN (1, 2) GROUP BY 1;"
    )
    result = f" {names['source']} | count\n-----+------\n       |   412\n 7     |    3\n(2 rows)"
    found = _one(review_sql(sql, description=_fenced(query.format(**names), result)), "case-without-else")
    assert found.severity is Severity.WARNING
    assert "confirms it" in found.message and "412" in found.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "query",
    [
        # another condition (a value the CASE does not list counted as covered)
        "SELECT {source}, count(*) FROM {table} WHERE {source} IS NULL OR {source} NOT IN (1, 2, 3) GROUP BY 1;",
        # another column
        "SELECT {target}, count(*) FROM {table} WHERE {target} IS NULL GROUP BY 1;",
        # another table
        "SELECT {source}, count(*) FROM archive WHERE {source} IS NULL OR {source} NOT IN (1, 2) GROUP BY 1;",
    ],
)
def test_a_zero_for_another_question_silences_nothing(names: dict[str, str], query: str) -> None:
    sql = (SCHEMA + CASE).format(**names)
    found = _one(review_sql(sql, description=_fenced(query.format(**names), "(0 rows)")), "case-without-else")
    assert found.severity is Severity.WARNING and "returned" not in found.message


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(("count", "documented"), [("0", True), ("12", False)])
def test_a_comment_in_the_migration_answers_the_set_not_null_check(
    names: dict[str, str], count: str, documented: bool
) -> None:
    comment = "-- verified in production: SELECT count(*) FROM {table} WHERE {unique} IS NULL → {count}\n"
    alter = "ALTER TABLE {table} ALTER COLUMN {unique} SET NOT NULL;\n"
    found = _one(review_sql((SCHEMA + comment + alter).format(**names, count=count)), "set-not-null")
    assert found.severity is Severity.CRITICAL  # the lock is not what the count answers
    assert ("documented by the author" in found.message) is documented
    assert ("confirms it" in found.message) is not documented
    assert f"returned {count}" in found.message
    other = "-- verified in production: SELECT count(*) FROM {table} WHERE {target} IS NULL → 0\n"
    unrelated = _one(review_sql((SCHEMA + other + alter).format(**names)), "set-not-null")
    assert "returned" not in unrelated.message


@pytest.mark.parametrize("names", NAMES)
def test_a_one_line_statement_answers_the_duplicate_check(names: dict[str, str]) -> None:
    sql = (SCHEMA + "CREATE UNIQUE INDEX CONCURRENTLY ux ON {table} ({unique});\n").format(**names)
    assert _one(review_sql(sql), "unique-without-duplicate-check").severity is Severity.WARNING
    said = (
        "Checked in production: SELECT {unique}, count(*) FROM {table} GROUP BY {unique} HAVING count(*) > 1 "
        "returns no rows\n"
    ).format(**names)
    result = review_sql(sql, description=said)
    found = _one(result, "unique-without-duplicate-check")
    assert found.severity is Severity.INFO and "documented by the author" in found.message
    assert result.approval == "APPROVED"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("query", "result"),
    [
        (
            "SELECT count(1) FROM {table} WHERE NOT ({unique} IS NOT NULL);",
            " count\n-------\n     0\n(1 row)",
        ),
        ("select id from {table} t where t.{unique} is null limit 10;", " id\n----\n(0 rows)"),
        ("SELECT * FROM {table} WHERE ({unique} IS NULL);", "(0 rows)"),
    ],
    ids=["negated-not-null", "rows-not-counted", "every-column"],
)
def test_the_same_question_asked_another_way_answers_the_check(
    names: dict[str, str], query: str, result: str
) -> None:
    """The author's query need not be the review's own: a count or a list of rows, a condition spelled
    another way ask the same question."""
    sql = (SCHEMA + "ALTER TABLE {table} ALTER COLUMN {unique} SET NOT NULL;\n").format(**names)
    found = [
        f
        for f in review_sql(sql, description=_fenced(query.format(**names), result)).findings
        if f.rule == "set-not-null"
    ]
    assert found and "documented by the author" in found[0].message, [f.message for f in found]
