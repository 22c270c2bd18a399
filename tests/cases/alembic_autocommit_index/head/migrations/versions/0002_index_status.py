"""index orders.status

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index(
            "ix_orders_status",
            "orders",
            ["status"],
            postgresql_concurrently=True,
        )
    op.create_index("ix_orders_total", "orders", ["total"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_orders_status", table_name="orders")
