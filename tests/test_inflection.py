import pytest

from bot.references.inflection import camelize, model_name, pluralize, singularize, underscore


@pytest.mark.parametrize(
    ("table", "model"),
    [
        ("orders", "Order"),
        ("order_items", "OrderItem"),
        ("categories", "Category"),
        ("people", "Person"),
        ("statuses", "Status"),
        ("addresses", "Address"),
        ("boxes", "Box"),
        ("legacy_invoices", "LegacyInvoice"),
    ],
)
def test_rails_model_names(table: str, model: str) -> None:
    assert model_name(table) == model
    assert pluralize(singularize(table)) == table


def test_case_conversions() -> None:
    assert camelize("legacy_status", upper=False) == "legacyStatus"
    assert underscore("HTTPRequestLog") == "http_request_log"
