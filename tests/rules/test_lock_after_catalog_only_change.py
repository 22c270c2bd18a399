"""statements-after-exclusive-lock: a type change PostgreSQL makes in the catalog alone (a wider varchar)
after another table's exclusive lock adds only its own wait: a note, not a warning."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "statements-after-exclusive-lock"


@pytest.mark.parametrize(("first", "second"), [("apps", "installations"), ("shops", "domains")])
def test_a_widening_after_a_lock_is_a_note_and_a_rewrite_is_not(first, second) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {first} (id bigint PRIMARY KEY, url varchar(200));\n"
        f"CREATE TABLE {second} (id bigint PRIMARY KEY, url varchar(200));\n-- migration\n"
    )
    first_change = f"BEGIN;\nALTER TABLE {first} ALTER COLUMN url TYPE varchar(2048);\n"
    wide = first_change + f"ALTER TABLE {second} ALTER COLUMN url TYPE varchar(2048);\nCOMMIT;"
    (note,) = [f for f in review_sql(schema + wide).active if f.rule == RULE]
    assert note.severity.name == "INFO"
    narrow = first_change + f"ALTER TABLE {second} ALTER COLUMN url TYPE varchar(100);\nCOMMIT;"
    (finding,) = [f for f in review_sql(schema + narrow).active if f.rule == RULE]
    assert finding.severity.name in ("WARNING", "CRITICAL")
