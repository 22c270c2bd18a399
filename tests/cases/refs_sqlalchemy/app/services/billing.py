from app.models import Invoice, OldBill


def reissue(session, number):
    old = session.query(OldBill).filter_by(number=number).one()
    return Invoice(number=old.number)
