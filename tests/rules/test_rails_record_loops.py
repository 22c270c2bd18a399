"""A Rails data migration written as a loop over records (`Model.where(…).each { |r| r.update(…) }`,
`find_each do |r| r.x = …; r.save! end`, `update_column(s)` in the loop) reads as the UPDATE it amounts to:
the rows its scope and guards pick, and per column the SQL that computes the value it writes from the row's
own columns. The rules that judge `update_all` then judge it too: crossed values, NULL propagation, values
outside the column's domain, a mapping that misses a case, the way back. A write in the loop the review does
not follow is said so."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"table": "orders", "Model": "Order", "flag": "is_hidden", "opposite": "is_visible", "state": "status"},
    {"table": "tickets", "Model": "Ticket", "flag": "disabled", "opposite": "enabled", "state": "phase"},
]
# the loops every case is written in: a relation's `each`, `find_each`, and a model the migration defines
LOOPS = [
    "{Model}.where(id: 1..).each do |row|\n{body}\n    end",
    "{Model}.find_each(batch_size: 500) do |row|\n{body}\n    end",
    "Legacy{Model}.find_each do |row|\n{body}\n    end",
]
LOOP_IDS = ["each", "find_each", "inline-model"]


def _schema(n: dict[str, str]) -> str:
    return (
        f"CREATE TABLE {n['table']} (id bigint PRIMARY KEY, {n['flag']} boolean, {n['opposite']} boolean,"
        f" {n['state']} text CHECK ({n['state']} IN ('open', 'closed')), legacy_{n['state']} text,"
        " first_name text, last_name text, label text, price numeric, qty integer, total numeric);\n"
    )


def _review(n: dict[str, str], loop: str, body: str, *, down: str = "") -> Review:
    inline = (
        f"  class Legacy{n['Model']} < ActiveRecord::Base\n    self.table_name = '{n['table']}'\n  end\n\n"
        '  MAPPING = { "o" => "open", "c" => "closed" }.freeze\n\n'
    )
    lines = "\n".join(f"      {line}" for line in body.format(**n).splitlines())
    text = (
        f"class Fix{n['Model']}s < ActiveRecord::Migration[7.1]\n{inline}  def up\n    "
        + loop.format(Model=n["Model"], body=lines)
        + f"\n  end\n\n  def down\n    {down or 'remove_column :' + n['table'] + ', :total'}\n  end\nend\n"
    )
    return review_sql(
        text,
        path=f"db/migrate/20260101000000_fix_{n['table']}.rb",
        base={"db/structure.sql": _schema(n)},
    )


def _rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_a_value_copied_from_the_opposite_column(n: dict[str, str], loop: str) -> None:
    bad = _review(n, loop, "row.update!({opposite}: row.{flag})")
    (finding,) = [f for f in bad.active if f.rule == "swapped-values"]
    assert f"{n['table']}.{n['opposite']}" in finding.message
    good = _review(n, loop, "row.{opposite} = !row.{flag}\nrow.save!")
    assert "swapped-values" not in _rules(good)


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_a_value_computed_from_columns_that_may_be_null(n: dict[str, str], loop: str) -> None:
    bad = _review(n, loop, "row.update_column(:total, row.price * row.qty)")
    assert "null-propagation" in _rules(bad)
    joined = _review(n, loop, 'row.update_columns(label: row.first_name + " " + row.last_name)')
    assert "null-propagation" in _rules(joined)
    # Ruby writes a nil as "" in an interpolation; `||` gives the value that is set
    interpolated = _review(n, loop, 'row.update_columns(label: "#{{row.first_name}} #{{row.last_name}}")')
    defaulted = _review(n, loop, "row.update_column(:total, (row.price || 0) * (row.qty || 0))")
    assert "null-propagation" not in _rules(interpolated) | _rules(defaulted)


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_a_value_outside_the_columns_domain(n: dict[str, str], loop: str) -> None:
    bad = _review(n, loop, "row.{state} = 'archived'\nrow.save!")
    assert "value-not-allowed" in _rules(bad)
    good = _review(n, loop, "row.{state} = 'closed'\nrow.save!")
    assert "value-not-allowed" not in _rules(good)


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_a_mapping_that_misses_a_case(n: dict[str, str], loop: str) -> None:
    bad = _review(n, loop, "row.update!({state}: MAPPING[row.legacy_{state}])")
    (finding,) = [f for f in bad.active if f.rule == "case-without-else"]
    assert f"legacy_{n['state']}" in finding.message
    good = _review(n, loop, "row.update!({state}: row.legacy_{state} == 'c' ? 'closed' : 'open')")
    assert "case-without-else" not in _rules(good)


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_an_overwrite_is_lost_on_rollback_a_fill_is_not(n: dict[str, str], loop: str) -> None:
    overwrite = _review(n, loop, "row.label = row.first_name\nrow.save!")
    # every row's label is overwritten: every-row-overwritten says so, and that the down does not restore it
    (lost,) = [f for f in overwrite.active if f.rule in ("data-lost-on-rollback", "every-row-overwritten")]
    assert f"{n['table']}.label" in lost.message
    fills = [
        "next if row.label.present?\nrow.update!(label: row.first_name)",
        "next unless row.label.nil?\nrow.update!(label: row.first_name)",
        "if row.label.nil?\n  row.label = row.first_name\n  row.save!\nend",
        "row.label ||= row.first_name\nrow.save!",
    ]
    for body in fills:
        assert "data-lost-on-rollback" not in _rules(_review(n, loop, body)), body


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize("loop", LOOPS, ids=LOOP_IDS)
def test_a_write_the_review_cannot_follow_is_said(n: dict[str, str], loop: str) -> None:
    for body in ("row.update!(attributes_for(row))", "row.account.update!(closed: true)"):
        result = _review(n, loop, body)
        (unread,) = [f for f in result.active if f.rule == "unread-data-change"]
        assert n["table"] in unread.message, body
    readable = _review(n, loop, "row.update!(label: 'x')")
    assert "unread-data-change" not in _rules(readable)


@pytest.mark.parametrize("n", NAMES)
def test_the_loop_reads_as_an_update_of_the_models_table(n: dict[str, str]) -> None:
    from bot.frameworks import rails
    from bot.model.changeset import MemoryTree
    from bot.model.migration import DataUpdate

    text = (
        f"class Fix < ActiveRecord::Migration[7.1]\n  class Legacy < ActiveRecord::Base\n"
        f"    self.table_name = '{n['table']}'\n  end\n\n  def up\n"
        f"    Legacy.where({n['state']}: 'open').find_each do |r|\n"
        f"      next if r.label.present?\n      r.update_columns(label: r.{n['state']}.upcase)\n    end\n  end\nend\n"
    )
    migration = rails.parse("db/migrate/20260101000000_fix.rb", text, MemoryTree(), "postgres")
    (update,) = [op for op in migration.up if isinstance(op, DataUpdate)]
    assert update.table == n["table"] and update.batched and not update.saves
    assert update.assignments == (("label", f"UPPER({n['state']})"),)
    assert update.where == f"{n['state']} = 'open' AND label IS NULL"


@pytest.mark.parametrize("n", NAMES)
def test_shapes_of_real_data_migrations(n: dict[str, str]) -> None:
    """What Rails apps write in such loops: a key of a serialized hash set (`r.options["x"] = …`), the record
    handed to a class elsewhere, the record destroyed (a delete, not an unread write), and
    `update_attribute`, which saves through the callbacks (Huginn, diaspora*)."""
    from bot.frameworks import rails
    from bot.model.changeset import MemoryTree
    from bot.model.migration import PLACEHOLDER, DataDelete, DataUpdate, UnreadDataChange

    def ops(body: str) -> list[object]:
        text = (
            f"class Fix < ActiveRecord::Migration[7.1]\n  def up\n    {n['Model']}.where(kind: 'x').each do |r|\n"
            f"      {body}\n    end\n  end\nend\n"
        )
        return list(rails.parse("db/migrate/20260101000000_fix.rb", text, MemoryTree(), "postgres").up)

    (hashed,) = ops("r.label_will_change!\n      r.label['x'] = 'y'\n      r.save!")
    assert isinstance(hashed, DataUpdate) and hashed.assignments == (("label", PLACEHOLDER),) and hashed.saves
    assert any(isinstance(op, UnreadDataChange) for op in ops("Converter.convert_all(r)\n      r.save!"))
    assert [type(op) for op in ops("r.destroy")] == [DataDelete]
    (attribute,) = ops("r.update_attribute :label, 'y'")
    assert isinstance(attribute, DataUpdate) and attribute.saves == "each"
    (column,) = ops("r.update_column :label, 'y'")
    assert isinstance(column, DataUpdate) and not column.saves
    # a key removed from a hash attribute is no row deleted
    assert [type(op) for op in ops("r.label.delete('x')\n      r.save!")] == [DataUpdate]
