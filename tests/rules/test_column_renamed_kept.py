"""column-renamed: a view of the same migration that selects the new name AS the old one keeps it readable."""

import pytest

from tests.conftest import review_sql

RULE = "column-renamed"
NAMES = [("orders", "state", "status", "orders_compat"), ("accounts", "mail", "email", "accounts_v1")]


def _sql(table: str, old: str, new: str, view: str, selected: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text);\n-- migration\n"
        f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
        f"CREATE VIEW {view} AS SELECT id, {selected} FROM {table};\n"
    )


@pytest.mark.parametrize(("table", "old", "new", "view"), NAMES)
def test_a_view_that_selects_the_new_name_as_the_old_keeps_it(
    table: str, old: str, new: str, view: str
) -> None:
    [found] = [f for f in review_sql(_sql(table, old, new, view, f"{new} AS {old}")).active if f.rule == RULE]
    assert found.message.endswith("a view keeps the old name readable.")


@pytest.mark.parametrize(("table", "old", "new", "view"), NAMES)
def test_a_view_that_selects_the_new_name_alone_keeps_nothing(
    table: str, old: str, new: str, view: str
) -> None:
    [found] = [f for f in review_sql(_sql(table, old, new, view, new)).active if f.rule == RULE]
    assert "keeps the old name" not in found.message


@pytest.mark.parametrize(
    ("table", "old", "new", "dialect"),
    [
        ("webauthn_credentials", "attestation_type", "attestation_format", "postgres"),
        ("invoices", "state", "legacy_state", "mysql"),
    ],
)
def test_a_column_renamed_and_added_again_under_its_old_name_is_a_silent_divergence(
    table: str, old: str, new: str, dialect: str
) -> None:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} varchar(32));\n-- migration\n"
    rename = f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
    again = f"ALTER TABLE {table} ADD COLUMN {old} varchar(32) NOT NULL DEFAULT '';\n"
    [finding] = [
        f for f in review_sql(schema + rename + again, dialect=dialect).findings if f.rule == "column-renamed"
    ]
    assert f"a new `{old}` is added in its place (line 2)" in finding.message
    assert "fails" not in finding.message and "never reaches" in finding.blast_radius
    [plain] = [f for f in review_sql(schema + rename, dialect=dialect).findings if f.rule == "column-renamed"]
    assert "added in its place" not in plain.message and "fails" in plain.blast_radius


@pytest.mark.parametrize(
    ("table", "old", "new", "other", "dialect"),
    [
        ("community", "description", "summary", "sidebar", "postgres"),
        ("invoices", "state", "legacy_state", "workflow_state", "mysql"),
    ],
)
def test_a_column_renamed_and_another_moved_into_its_old_name_is_a_silent_divergence(
    table: str, old: str, new: str, other: str, dialect: str
) -> None:
    """Renaming `old` away and `other` into `old`: the running release's queries on `old` do not fail, they read
    and overwrite the values of `other`."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} varchar(32), {other} varchar(32));\n-- migration\n"
    away = f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
    into = f"ALTER TABLE {table} RENAME COLUMN {other} TO {old};\n"
    findings = [f for f in review_sql(schema + away + into, dialect=dialect).findings if f.rule == RULE]
    [finding] = [f for f in findings if f.location.line == 1]
    assert f"`{other}` is renamed to `{old}` in its place (line 2)" in finding.message
    assert finding.severity.value == "warning"
    assert "fails" not in finding.message and "overwrites" in finding.blast_radius
    # the other column renamed to a third name: nothing takes the old name, the usual finding
    elsewhere = f"ALTER TABLE {table} RENAME COLUMN {other} TO {other}_v2;\n"
    plain = [f for f in review_sql(schema + away + elsewhere, dialect=dialect).findings if f.rule == RULE]
    [first] = [f for f in plain if f.location.line == 1]
    assert "in its place" not in first.message and "fails" in first.blast_radius
    # a swap back (`new` renamed to `old` again) is not another column taking the name
    back = f"ALTER TABLE {table} RENAME COLUMN {new} TO {old};\n"
    swapped = [f for f in review_sql(schema + away + back, dialect=dialect).findings if f.rule == RULE]
    assert not any("in its place" in f.message for f in swapped)
