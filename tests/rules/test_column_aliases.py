"""A column a model maps under another attribute name (Prisma `@map`, Sequelize `field:`, TypeORM and JPA
`@Column(name)`, Ecto `source:`, Go struct tags, Django `db_column`, SQLAlchemy `Column("…")`): code that
reads the attribute on that model uses the column; the same word elsewhere does not."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

SCHEMA = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_state text, total int);
CREATE TABLE shipments (id bigint PRIMARY KEY, state text);
-- migration
"""
DROP = "ALTER TABLE orders DROP COLUMN legacy_state;"

LAYOUTS = {
    "prisma": {
        "prisma/schema.prisma": (
            'model Order {\n  id    BigInt  @id\n  state String? @map("legacy_state")\n  total Int\n\n'
            '  @@map("orders")\n}\n\nmodel Shipment {\n  id    BigInt @id\n  state String?\n\n'
            '  @@map("shipments")\n}\n'
        ),
        "src/orders/list.ts": (
            "export async function open() {\n"
            "  const orders = await prisma.order.findMany({ where: { state: 'open' } });\n"
            "  return orders.map((order) => order.state);\n}\n"
            "export const shipped = (shipment: Shipment) => shipment.state === 'shipped';\n"
        ),
    },
    "sequelize": {
        "src/models/order.js": (
            "class Order extends Model {}\nOrder.init({\n  state: { type: DataTypes.STRING, field: 'legacy_state' },\n"
            "  total: DataTypes.INTEGER,\n}, { sequelize, tableName: 'orders' });\n"
        ),
        "src/orders/list.ts": (
            "export async function open() {\n"
            "  const orders = await Order.findAll({ where: { total: 1 } });\n"
            "  return orders.map((order) => order.state);\n}\n"
            "export const shipped = (shipment: Shipment) => shipment.state === 'shipped';\n"
        ),
    },
    "go": {
        "internal/store/models.go": (
            'package store\n\ntype Order struct {\n\tID    int64  `db:"id"`\n\tState string `db:"legacy_state"`\n}\n\n'
            'func (Order) TableName() string { return "orders" }\n'
        ),
        "internal/api/orders.go": (
            "package api\n\nfunc label(order store.Order) string {\n\treturn order.State\n}\n\n"
            'func shipped(shipment store.Shipment) bool {\n\treturn shipment.State == "shipped"\n}\n'
        ),
    },
    "jpa": {
        "src/main/java/shop/Order.java": (
            '@Entity\n@Table(name = "orders")\npublic class Order {\n  @Column(name = "legacy_state", length = 20)\n'
            "  private String state;\n}\n"
        ),
        "src/main/java/shop/Report.java": (
            "class Report {\n  String line(Order order) {\n    return order.state;\n  }\n"
            "  String other(Shipment shipment) {\n    return shipment.state;\n  }\n}\n"
        ),
    },
    "django": {
        "shop/models.py": (
            "from django.db import models\n\n\nclass Order(models.Model):\n"
            '    state = models.CharField(max_length=20, db_column="legacy_state")\n\n'
            '    class Meta:\n        db_table = "orders"\n'
        ),
        "shop/views.py": (
            "def label(request, pk):\n    order = Order.objects.get(pk=pk)\n    return order.state\n\n\n"
            "def shipped(shipment):\n    return shipment.state == 'shipped'\n"
        ),
    },
    "ecto": {
        "lib/shop/order.ex": (
            'defmodule Shop.Order do\n  use Ecto.Schema\n\n  schema "orders" do\n'
            "    field :state, :string, source: :legacy_state\n  end\nend\n"
        ),
        "lib/shop_web/order_json.ex": (
            "defmodule ShopWeb.OrderJSON do\n  def show(%{order: order}), do: %{state: order.state}\n"
            '  def shipped(shipment), do: shipment.state == "shipped"\nend\n'
        ),
    },
}
EXPECTED = {
    "django": {"shop/models.py:5", "shop/views.py:3"},
    "ecto": {"lib/shop/order.ex:5", "lib/shop_web/order_json.ex:2"},
    "prisma": {"prisma/schema.prisma:3", "src/orders/list.ts:3"},
    "sequelize": {"src/models/order.js:3", "src/orders/list.ts:3"},
    "go": {"internal/store/models.go:5", "internal/api/orders.go:4"},
    "jpa": {
        "src/main/java/shop/Order.java:4",
        "src/main/java/shop/Order.java:5",
        "src/main/java/shop/Report.java:3",
    },
}


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_attribute_a_model_maps_the_column_to_is_followed_on_that_model(layout: str) -> None:
    finding = _finding(review_sql(SCHEMA + DROP, base=LAYOUTS[layout]), "column-dropped")
    places = {f"{r.path}:{r.line}" for r in finding.references}
    assert places >= EXPECTED[layout]
    assert not any("shipment" in r.text.lower() for r in finding.references)  # Shipment's own `state`
