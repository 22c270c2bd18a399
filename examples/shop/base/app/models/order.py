from enum import Enum


class OrderStatus(str, Enum):
    OPEN = "open"
    PAID = "paid"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"


class Order:
    table = "orders"

    def __init__(self, row):
        self.status = OrderStatus(row["status"])
        self.legacy_status = row.get("legacy_status")
