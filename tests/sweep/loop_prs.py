"""More data-migration pull requests, in the shapes loops and batches take: Rails loops over records,
Django while loops over slices and key ranges, PL/pgSQL DO loops with and without COMMIT, a MySQL LIMIT run
once, Diesel's updated_at trigger, and their careful counterparts (same contract as data_prs: each hazard is
found by the rule it names; each safe change is approved with none of the data rules)."""

from __future__ import annotations

from tests.rules.django_app import data_migration
from tests.rules.test_data_expressions import _alembic, _goose, _knex, _typeorm
from tests.sweep.data_prs import PullRequest, _checked


def rails(
    name: str,
    body: str,
    schema: str,
    *expected: str,
    description: str = "",
    extra: str = "",
    down: str = "raise ActiveRecord::IrreversibleMigration",
) -> PullRequest:
    text = (
        f"class DataChange < ActiveRecord::Migration[7.1]\n{extra}  def up\n"
        + "\n".join("    " + line for line in body.splitlines())
        + f"\n  end\n\n  def down\n    {down}\n  end\nend\n"
    )
    return PullRequest(
        name,
        "db/migrate/20260101000000_data_change.rb",
        text,
        {"db/structure.sql": schema},
        expected,
        description=description,
    )


DJ_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Ticket",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("phase", models.CharField(max_length=20, null=True)),
                ("hits", models.IntegerField(default=0)),
            ],
        )
    ]
"""


def django(name: str, body: str, *expected: str, description: str = "") -> PullRequest:
    text = data_migration("Ticket", body, imports="from django.db.models import F, Q")
    text = text.replace('apps.get_model("shop", "Ticket")', 'apps.get_model("desk", "Ticket")').replace(
        '("shop", "0001_initial")', '("desk", "0001_initial")'
    )
    return PullRequest(
        name,
        "desk/migrations/0002_change.py",
        text,
        {"desk/migrations/0001_initial.py": DJ_INITIAL},
        expected,
        description=description,
    )


def sql(name, fw, s, schema, *expected, dialect=None, description=""):  # type: ignore[no-untyped-def]
    path, text = fw(s)
    return PullRequest(name, path, text, {"db/structure.sql": schema}, expected, dialect, description)


ORDERS = "CREATE TABLE orders (id bigint PRIMARY KEY, status text CHECK (status IN ('open','closed','void')), price numeric, qty integer, total numeric, is_hidden boolean, is_visible boolean, note text, updated_at timestamp);\n"
ORDERS_MYSQL = "CREATE TABLE orders (id bigint PRIMARY KEY, status varchar(20), price decimal(10,2), qty int, total decimal(12,2), note text);\n"
DIESEL_BASE = {
    "migrations/2024-01-01-000001_create_orders/up.sql": "CREATE TABLE orders (id bigserial PRIMARY KEY, status text, updated_at timestamp NOT NULL DEFAULT now());\nSELECT diesel_manage_updated_at('orders');\n",
    "migrations/2024-01-01-000001_create_orders/down.sql": "DROP TABLE orders;\n",
}
DO_NO_COMMIT = "DO $$\nDECLARE n integer;\nBEGIN\n  LOOP\n    UPDATE orders SET status = 'closed' WHERE id IN (SELECT id FROM orders WHERE status = 'void' ORDER BY id LIMIT 1000);\n    GET DIAGNOSTICS n = ROW_COUNT;\n    EXIT WHEN n = 0;\n{c}  END LOOP;\nEND $$;"
# fmt: off
HAZARDS = [
 rails("record loop copies the opposite flag (Rails)", "Order.where(is_visible: nil).find_each do |o|\n  o.update_columns(is_visible: o.is_hidden)\nend", ORDERS, "swapped-values"),
 rails("record loop multiplies nullable columns (Rails)", "Order.find_each do |o|\n  o.total = o.price * o.qty\n  o.save!\nend", ORDERS, "null-propagation"),
 rails("record loop writes a status the CHECK refuses (Rails)", "Order.where(status: 'void').each do |o|\n  o.update!(status: 'cancelled')\nend", ORDERS, "value-not-allowed"),
 rails("each_slice that ignores its slice (Rails)", "[1, 2, 3].each_slice(1) do |part|\n  Order.where(status: 'void').update_all(status: 'closed')\nend", ORDERS, "unbatched-data-change"),
 rails("record loop overwriting a note with no way back (Rails)", "Order.find_each { |o| o.update_column(:note, o.status) }", ORDERS, "data-lost-on-rollback", down="remove_index :orders, :note"),
 django("while True without a slice (Django)", 'while True:\n        Ticket.objects.filter(phase__isnull=True).update(phase="new")\n        break', "unbatched-data-change"),
 django("pk range including both ends (Django)", 'for lo in range(0, 100000, 1000):\n        Ticket.objects.filter(pk__range=(lo, lo + 1000)).update(hits=F("hits") + 1)', "batch-range-off-by-one"),
 sql("DO loop that never commits (PostgreSQL)", _goose, DO_NO_COMMIT.format(c=""), ORDERS, "unbatched-data-change"),
 sql("one LIMIT batch in a SQL file (MySQL)", _goose, "UPDATE orders SET status = 'closed' WHERE status = 'void' LIMIT 1000;", ORDERS_MYSQL, "one-batch-only", dialect="mysql"),
 PullRequest("Diesel backfill bumps updated_at", "migrations/2024-02-01-000001_fill/up.sql", "UPDATE orders SET status = 'open' WHERE status IS NULL;\n", DIESEL_BASE, ("last-modified-overwritten",)),
 sql("Alembic product of nullable columns", _alembic, "UPDATE orders SET total = price * qty WHERE id >= 1 AND id < 1000", ORDERS, "null-propagation"),
 sql("TypeORM copies the opposite flag", _typeorm, "UPDATE orders SET is_visible = is_hidden WHERE is_visible IS NULL AND id >= 1 AND id < 1000;", ORDERS, "swapped-values"),
 sql("Knex writes a status the CHECK refuses", _knex, "UPDATE orders SET status = 'cancelled' WHERE status = 'void' AND id >= 1 AND id < 1000;", ORDERS, "value-not-allowed"),
]
SAFE = [
 rails("record loop negates the opposite flag (Rails)", "Order.where(is_visible: nil).find_each do |o|\n  o.update_columns(is_visible: !o.is_hidden)\nend", ORDERS, description=_checked("orders", "is_hidden IS NULL")),
 rails("record loop with defaults for NULLs (Rails)", "Order.where(total: nil).find_each do |o|\n  o.update_columns(total: (o.price || 0) * (o.qty || 0))\nend", ORDERS, description=_checked("orders", "total IS NOT NULL")),
 rails("record loop writes an allowed status (Rails)", "Order.where(status: [nil, '']).find_each do |o|\n  o.update_columns(status: 'open')\nend", ORDERS, description=_checked("orders", "status IS NULL")),
 rails("pluck(:id).each_slice batches (Rails)", "Order.where(note: [nil, '']).pluck(:id).each_slice(1000) do |ids|\n  Order.where(id: ids).update_all(note: 'none')\nend", ORDERS, description=_checked("orders", "note IS NULL"), extra="  disable_ddl_transaction!\n\n", down="Order.where(note: 'none').update_all(note: nil)"),
 rails("record loop fills empty notes (Rails)", "Order.find_each do |o|\n  next if o.note.present?\n  o.update_column(:note, o.status)\nend", ORDERS, description=_checked("orders", "note IS NULL")),
 django("while loop over slices of keys (Django)", 'while True:\n        ids = list(Ticket.objects.filter(phase__isnull=True).values_list("id", flat=True)[:1000])\n        if not ids:\n            break\n        Ticket.objects.filter(id__in=ids).update(phase="new")', description=_checked("desk_ticket", "phase IS NULL")),
 django("pk range with one end open (Django)", 'for lo in range(0, 100000, 1000):\n        Ticket.objects.filter(Q(phase__isnull=True) | Q(phase=""), pk__gte=lo, pk__lt=lo + 1000).update(phase="new")', description=_checked("desk_ticket", "phase IS NULL")),
 PullRequest("DO loop committing each batch (PostgreSQL)", "db/migrations/002_change_data.sql", "-- +goose NO TRANSACTION\n-- +goose Up\n" + DO_NO_COMMIT.format(c="    COMMIT;\n").replace("SET status = 'closed' WHERE id IN (SELECT id FROM orders WHERE status = 'void'", "SET note = 'none' WHERE id IN (SELECT id FROM orders WHERE (note IS NULL OR note = '')") + "\n-- +goose Down\nUPDATE orders SET note = NULL WHERE note = 'none';\n", {"db/structure.sql": ORDERS}, description=_checked("orders", "note IS NULL")),
 sql("Alembic product with coalesce", _alembic, "UPDATE orders SET total = coalesce(price, 0) * coalesce(qty, 0) WHERE total IS NULL AND id >= 1 AND id < 1000", ORDERS, description=_checked("orders", "total IS NOT NULL")),
 sql("TypeORM negates the opposite flag", _typeorm, "UPDATE orders SET is_visible = NOT is_hidden WHERE is_visible IS NULL AND id >= 1 AND id < 1000;", ORDERS, description=_checked("orders", "is_hidden IS NULL")),
]
# fmt: on
