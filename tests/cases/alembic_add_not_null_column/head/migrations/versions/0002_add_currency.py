"""add currency

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    op.execute("SET lock_timeout = '5s'")
    op.add_column("orders", sa.Column("currency", sa.String(3), nullable=False))


def downgrade():
    op.drop_column("orders", "currency")
