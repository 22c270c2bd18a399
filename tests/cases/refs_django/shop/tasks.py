from celery import shared_task

from shop.models import Order


@shared_task
def send_receipts():
    for order in Order.objects.filter(status="paid", customer_email__isnull=False):
        mail(order.customer_email, "Your receipt")
