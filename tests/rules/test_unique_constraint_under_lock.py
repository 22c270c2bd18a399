"""unique-constraint-under-lock: what the build can fail on."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "unique-constraint-under-lock"


def _blast(sql: str) -> str:
    found = [f for f in review_sql(sql).active if f.rule == RULE]
    assert len(found) == 1, [f.rule for f in review_sql(sql).active]
    return found[0].blast_radius


@pytest.mark.parametrize(
    ("table", "column"), [("personal_access_tokens", "selector"), ("invoices", "external_ref")]
)
def test_unique_on_a_column_the_migration_adds_empty_cannot_meet_a_duplicate(table: str, column: str) -> None:
    # Unleash c0977aadbe: ADD COLUMN selector TEXT UNIQUE, every row NULL
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, secret text);\n-- migration\n"
    blast = _blast(
        schema
        + f"ALTER TABLE {table} ADD COLUMN {column} text, ADD CONSTRAINT {table}_u UNIQUE ({column});\n"
    )
    assert f"no row can be a duplicate yet (`{column}` is new, NULL on every row)" in blast
    assert "fails on the first duplicate" not in blast


@pytest.mark.parametrize(
    "change",
    [
        # a constant default: every row gets the same value, a duplicate of each other
        "ALTER TABLE t ADD COLUMN code text DEFAULT 'x', ADD CONSTRAINT t_u UNIQUE (code);\n",
        # NULLS NOT DISTINCT: the NULLs are duplicates
        "ALTER TABLE t ADD COLUMN code text, ADD CONSTRAINT t_u UNIQUE NULLS NOT DISTINCT (code);\n",
        # a column that was there, with its values
        "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE (name);\n",
    ],
)
def test_unique_that_may_meet_a_duplicate_says_the_build_fails_on_it(change: str) -> None:
    schema = "CREATE TABLE t (id bigint PRIMARY KEY, name text);\n-- migration\n"
    assert "the migration fails on the first duplicate" in _blast(schema + change)


@pytest.mark.parametrize(
    ("table", "old", "new"), [("devices", "uuid", "uuid, user_uuid"), ("memberships", "id", "org_id, id")]
)
def test_a_key_widened_from_one_the_rows_met_cannot_meet_a_duplicate(table: str, old: str, new: str) -> None:
    """vaultwarden's `devices`: the primary key on `uuid` dropped for one on `(uuid, user_uuid)`. The rows were
    unique on `uuid`, so no two can share the new key: the build reads every row but cannot fail."""
    columns = ", ".join(f"{c} varchar(40) NOT NULL" for c in dict.fromkeys([old, *new.split(", ")]))
    schema = f"CREATE TABLE {table} ({columns}, PRIMARY KEY ({old}));\n-- migration\n"
    widened = (
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey;\nALTER TABLE {table} ADD PRIMARY KEY ({new});\n"
    )
    [found] = [f for f in review_sql(schema + widened).active if f.rule == "unique-constraint-under-lock"]
    assert (
        f"already unique on ({old})" in found.blast_radius
        and "fails on the first duplicate" not in found.blast_radius
    )
    # a key that does not hold the old one's columns, or rows written in between, can meet a duplicate
    other = new.split(", ")[0] if new.split(", ")[0] != old else new.split(", ")[1]
    narrowed = (
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey;\nALTER TABLE {table} ADD PRIMARY KEY ({other});\n"
    )
    [found] = [f for f in review_sql(schema + narrowed).active if f.rule == "unique-constraint-under-lock"]
    assert "fails on the first duplicate" in found.blast_radius
    written = (
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_pkey;\nINSERT INTO {table} SELECT * FROM {table};\n"
        f"ALTER TABLE {table} ADD PRIMARY KEY ({new});\n"
    )
    [found] = [f for f in review_sql(schema + written).active if f.rule == "unique-constraint-under-lock"]
    assert "fails on the first duplicate" in found.blast_radius


@pytest.mark.parametrize(
    ("table", "old", "new", "other"),
    [
        ("ipam_service", "content_type_id", "object_type_id", "object_id"),
        ("tags", "owner", "account", "slug"),
    ],
)
def test_a_key_added_again_over_a_renamed_column_cannot_meet_a_duplicate(
    table: str, old: str, new: str, other: str
) -> None:
    """netbox 5f43eabab drops a unique key, renames `content_type` to `object_type`, and adds the key again over
    the new name: the rows met it all along."""
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} bigint NOT NULL, {other} bigint NOT NULL, "
        "kind bigint NOT NULL);\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_key UNIQUE ({old}, {other});\n-- migration\n"
    )
    sql = (
        f"ALTER TABLE {table} DROP CONSTRAINT {table}_key;\n"
        f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};\n"
        f"ALTER TABLE {table} ADD CONSTRAINT {table}_key UNIQUE ({new}, {other});\n"
    )
    [found] = [f for f in review_sql(schema + sql).active if f.rule == "unique-constraint-under-lock"]
    assert "no row can be a duplicate" in found.blast_radius
    # another column renamed into the key's name holds other values: it can
    swapped = sql.replace(f"RENAME COLUMN {old} TO {new}", f"RENAME COLUMN kind TO {new}")
    [found] = [f for f in review_sql(schema + swapped).active if f.rule == "unique-constraint-under-lock"]
    assert "fails on the first duplicate" in found.blast_radius
