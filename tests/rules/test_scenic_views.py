"""Scenic's views and fx's functions created by Rails migrations from versioned files
(`create_view :open_orders, version: 2` reads `db/views/open_orders_v02.sql`): the live definition is
code that lives in the database; the superseded versions beside it are history, not code."""

from __future__ import annotations

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

CREATE_ORDERS = """class CreateOrders < ActiveRecord::Migration[7.1]
  def change
    create_table :orders do |t|
      t.text :legacy_status
      t.text :legacy_note
      t.integer :total
    end
  end
end
"""
CREATE_VIEW = """class CreateOpenOrders < ActiveRecord::Migration[7.1]
  def change
    create_view :open_orders, version: 1
  end
end
"""
UPDATE_VIEW = """class UpdateOpenOrdersToVersion2 < ActiveRecord::Migration[7.1]
  def change
    update_view :open_orders, version: 2, revert_to_version: 1
  end
end
"""
CREATE_FUNCTION = """class CreateOrderLabel < ActiveRecord::Migration[7.1]
  def change
    create_function :order_label, version: 1
  end
end
"""
VIEW_V1 = "SELECT id, legacy_status, legacy_note\nFROM orders\nWHERE total > 0\n"
VIEW_V2 = "SELECT id,\n  legacy_status\nFROM orders\nWHERE total > 0\n"
FUNCTION_V1 = """CREATE OR REPLACE FUNCTION order_label(order_id bigint) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  RETURN (SELECT legacy_note FROM orders WHERE id = order_id);
END
$$;
"""
BASE = {
    "config/database.yml": "production:\n  adapter: postgresql\n",
    "db/migrate/20260101000000_create_orders.rb": CREATE_ORDERS,
    "db/migrate/20260102000000_create_open_orders.rb": CREATE_VIEW,
    "db/migrate/20260103000000_update_open_orders_to_version_2.rb": UPDATE_VIEW,
    "db/views/open_orders_v01.sql": VIEW_V1,
    "db/views/open_orders_v02.sql": VIEW_V2,
}
MIGRATION = "db/migrate/20260301000000_change_orders.rb"


def _change(body: str) -> str:
    return f"class ChangeOrders < ActiveRecord::Migration[7.1]\n  def change\n    {body}\n  end\nend\n"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


def test_the_live_version_of_a_scenic_view_uses_the_dropped_column() -> None:
    result = review_sql(_change("remove_column :orders, :legacy_status, :text"), path=MIGRATION, base=BASE)
    finding = _finding(result, "column-dropped")
    places = _places(finding)
    assert list(places) == ["db/views/open_orders_v02.sql:2"]
    assert places["db/views/open_orders_v02.sql:2"].startswith("database: view `open_orders`")
    assert finding.severity is Severity.CRITICAL


def test_a_superseded_version_of_a_view_is_not_a_use() -> None:
    # legacy_note is only in version 1, which version 2 replaced
    result = review_sql(_change("remove_column :orders, :legacy_note, :text"), path=MIGRATION, base=BASE)
    assert _places(_finding(result, "column-dropped")) == {}


def test_a_renamed_column_is_followed_by_the_view_but_not_by_an_fx_function() -> None:
    base = {
        **BASE,
        "db/migrate/20260104000000_create_order_label.rb": CREATE_FUNCTION,
        "db/functions/order_label_v01.sql": FUNCTION_V1,
    }
    renamed = review_sql(_change("rename_column :orders, :legacy_status, :status"), path=MIGRATION, base=base)
    assert _places(_finding(renamed, "column-renamed")) == {}
    note = review_sql(_change("rename_column :orders, :legacy_note, :note"), path=MIGRATION, base=base)
    places = _places(_finding(note, "column-renamed"))
    assert list(places) == ["db/functions/order_label_v01.sql:3"]
    assert (
        "function `order_label` still names `orders.legacy_note`"
        in places["db/functions/order_label_v01.sql:3"]
    )
