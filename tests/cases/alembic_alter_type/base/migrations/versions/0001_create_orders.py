"""create orders

Revision ID: 0001
Revises:
Create Date: 2024-05-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None


def upgrade():
    op.create_table(
        "orders",
        sa.Column("id", sa.BigInteger(), primary_key=True),
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("total", sa.Numeric(10, 2), nullable=False),
    )


def downgrade():
    op.drop_table("orders")
