"""A flag turned round: written as words backwards (`CASE WHEN active THEN 'inactive'`, swapped-values), or
negated in place (`SET notify = NOT notify`, rescaled-in-place) without the rename that makes it right."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

FLAGS = [("users", "active", "status", "inactive"), ("posts", "is_hidden", "visibility", "visible")]


def _rules(sql: str, rule: str) -> list[str]:
    return [f.message for f in review_sql(sql).active if f.rule == rule]


@pytest.mark.parametrize(("table", "flag", "target", "opposite"), FLAGS)
def test_a_flag_written_as_the_opposite_word_is_reported(
    table: str, flag: str, target: str, opposite: str
) -> None:
    core = flag.removeprefix("is_")
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {flag} boolean NOT NULL DEFAULT false, {target} text);\n-- migration\n"
    for case in (
        f"CASE WHEN {flag} THEN '{opposite}' ELSE '{core}' END",
        f"CASE WHEN NOT {flag} THEN '{core}' ELSE '{opposite}' END",
    ):
        (message,) = _rules(schema + f"UPDATE {table} SET {target} = {case};", "swapped-values")
        assert f"`{table}.{target}` names each flag value backwards" in message
    right = f"CASE WHEN {flag} THEN '{core}' ELSE '{opposite}' END"
    assert not _rules(schema + f"UPDATE {table} SET {target} = {right};", "swapped-values")


@pytest.mark.parametrize(("table", "flag", "target", "opposite"), FLAGS)
def test_a_flag_negated_in_place_is_a_conversion_unless_renamed_to_its_opposite(
    table: str, flag: str, target: str, opposite: str
) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {flag} boolean NOT NULL DEFAULT false, {target} text);\n-- migration\n"
    (message,) = _rules(schema + f"UPDATE {table} SET {flag} = NOT {flag};", "rescaled-in-place")
    assert f"`{table}.{flag}` is converted in place (`NOT {flag}`)" in message
    new = "is_visible" if flag == "is_hidden" else "inactive"
    renamed = f"ALTER TABLE {table} RENAME COLUMN {flag} TO {new};\nUPDATE {table} SET {new} = NOT {new};"
    assert not _rules(schema + renamed, "rescaled-in-place")
    assert not _rules(
        schema + f"UPDATE {table} SET {flag} = true WHERE {flag} = false AND id = 1;", "rescaled-in-place"
    )
