"""widen total

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.alter_column("orders", "total", type_=sa.Numeric(14, 4), existing_type=sa.Numeric(10, 2))
    op.alter_column("orders", "status", type_=sa.String(50), existing_type=sa.String(20))


def downgrade():
    op.alter_column("orders", "total", type_=sa.Numeric(10, 2))
