import pytest

from tests.conftest import review_sql


def _found(sql: str, head: dict[str, str] | None = None) -> list[str]:
    return [f.message for f in review_sql(sql, head=head).active if f.rule == "swapped-values"]


def test_boolean_filled_from_its_opposite() -> None:
    assert _found("UPDATE users SET is_active = is_disabled WHERE id >= 1 AND id < 1000;")
    assert _found("UPDATE users SET visible = hidden WHERE id >= 1 AND id < 1000;")
    assert _found("UPDATE users SET is_verified = is_unverified WHERE id >= 1 AND id < 1000;")


def test_negated_or_same_meaning_is_quiet() -> None:
    assert not _found("UPDATE users SET is_active = NOT is_disabled WHERE id >= 1 AND id < 1000;")
    assert not _found("UPDATE users SET is_active = active WHERE id >= 1 AND id < 1000;")


def test_crossed_columns_in_insert_select() -> None:
    found = _found("INSERT INTO contacts (email, name, id) SELECT name, email, id FROM users;")
    assert found and "`email` ← `name`" in found[0]


def test_boolean_mapping_reversed() -> None:
    sql = "UPDATE users SET is_active = CASE status WHEN 'active' THEN false WHEN 'disabled' THEN true ELSE is_active END WHERE id >= 1 AND id < 9;"
    assert _found(sql)
    good = "UPDATE users SET is_active = CASE status WHEN 'active' THEN true WHEN 'disabled' THEN false ELSE is_active END WHERE id >= 1 AND id < 9;"
    assert not _found(good)


def test_mapping_reversed_relative_to_the_code() -> None:
    model = {
        "app/models/ticket.rb": "class Ticket < ApplicationRecord\n  enum legacy_state: { open: 0, closed: 1 }\nend\n"
    }
    sql = "UPDATE tickets SET state = CASE legacy_state WHEN 0 THEN 'closed' WHEN 1 THEN 'open' ELSE state END WHERE id >= 1 AND id < 9;"
    found = _found(sql, model)
    assert found and "`open`" in found[0]
    right = "UPDATE tickets SET state = CASE legacy_state WHEN 0 THEN 'open' WHEN 1 THEN 'closed' ELSE state END WHERE id >= 1 AND id < 9;"
    assert not _found(right, model)


def test_columns_copied_from_another_table_under_other_names_are_no_swap() -> None:
    """Copying `templates` into `envelopes`: `template_kind` ← `kind` and `meta_id` ← `id` share names with other
    columns of the target, but nothing goes round a cycle."""
    sql = (
        "INSERT INTO envelopes (id, kind, template_kind, meta_id, title)\n"
        "SELECT gen_random_uuid(), 'TEMPLATE', kind, id, title FROM templates;"
    )
    assert not _found(sql)


def test_three_columns_rotated_are_a_swap() -> None:
    sql = "INSERT INTO parcels (width, height, depth) SELECT height, depth, width FROM boxes;"
    assert _found(sql)


@pytest.mark.parametrize(
    ("table", "flag", "opposite"),
    [("triggers", "is_active", "is_archived"), ("accounts", "enabled", "disabled")],
)
def test_a_flag_set_where_its_opposite_agrees_unless_the_statement_flips_that_one_too(
    table: str, flag: str, opposite: str
) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {flag} boolean, {opposite} boolean);\n-- migration\n"
    )
    where = f"WHERE {flag} = TRUE AND id >= 1 AND id < 1000;"
    [message] = _found(f"{schema}UPDATE {table} SET {opposite} = TRUE {where}")
    assert f"`{table}.{opposite}` is set to TRUE" in message
    # archived and deactivated together: no row ends up both
    assert _found(f"{schema}UPDATE {table} SET {flag} = FALSE, {opposite} = TRUE {where}") == []
    assert _found(f"{schema}UPDATE {table} SET {opposite} = TRUE, {flag} = NOT {flag} {where}") == []
