"""A Rails call guarded by an existence check (`add_column … unless column_exists?(…)`, `remove_column … if
column_exists?`, or the same as a block) runs only where it can succeed: a re-run skips it, as `if_not_exists:
true` / `if_exists: true` would."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

PATH = "db/migrate/20261201000000_add_nick.rb"


def _migration(up: str, down: str) -> str:
    return (
        "class AddNick < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n"
        f"  def up\n{up}  end\n\n  def down\n{down}  end\nend\n"
    )


@pytest.mark.parametrize(("table", "column"), [("users", "nick"), ("accounts", "slug")])
def test_an_existence_guard_makes_the_call_safe_to_re_run(table: str, column: str) -> None:
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, name text);\n"}
    modifiers = _migration(
        f"    add_column :{table}, :{column}, :string unless column_exists?(:{table}, :{column})\n"
        f"    add_column :{table}, :{column}_at, :datetime unless column_exists?(:{table}, :{column}_at)\n",
        f"    remove_column :{table}, :{column} if column_exists?(:{table}, :{column})\n",
    )
    block = _migration(
        f"    if !column_exists?(:{table}, :{column})\n      add_column :{table}, :{column}, :string\n    end\n"
        f"    add_column :{table}, :{column}_at, :datetime, if_not_exists: true\n",
        f"    if column_exists?(:{table}, :{column})\n      remove_column :{table}, :{column}\n    end\n",
    )
    for text in (modifiers, block):
        rules = {f.rule for f in review_sql(text, path=PATH, base=base).active}
        assert not rules & {"non-robust-statement", "down-not-idempotent"}, rules
    bare = _migration(
        f"    add_column :{table}, :{column}, :string\n    add_column :{table}, :{column}_at, :datetime\n",
        f"    remove_column :{table}, :{column}_at\n    remove_column :{table}, :{column}\n",
    )
    rules = {f.rule for f in review_sql(bare, path=PATH, base=base).active}
    assert {"non-robust-statement", "down-not-idempotent"} <= rules, rules
