from alembic import op


def upgrade():
    op.drop_table("legacy_invoices")
