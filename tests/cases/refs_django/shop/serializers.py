from rest_framework import serializers

from shop.models import Order


class OrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = Order
        fields = ["id", "customer_email", "total"]

    def create(self, validated):
        return Order.objects.create(customer_email=validated["customer_email"], total=validated["total"])
