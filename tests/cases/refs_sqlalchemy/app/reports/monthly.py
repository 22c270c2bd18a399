from sqlalchemy import text

MONTHLY = text(
    """
    SELECT number, customer_id
    FROM legacy_invoices
    WHERE created_at >= :start
    """
)


def current(session):
    return session.execute(text("SELECT number FROM invoices WHERE paid")).all()
