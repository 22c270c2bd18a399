from django.db import models


class Invoice(models.Model):
    customer_email = models.EmailField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)

    def receipt_to(self):
        return self.customer_email
