"""close stale orders

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"


def upgrade():
    connection = op.get_bind()
    connection.execute(
        sa.text(
            "UPDATE orders SET status = 'closed'"
        )
    )


def downgrade():
    pass
