"""The names frameworks derive by convention: a model's table (`OrderItem` → `order_items`), a key's table."""

from __future__ import annotations

import re


def plural(word: str) -> str:
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


def snake(name: str) -> str:
    """`OrderItem` → `order_item` (the last segment of `App\\Models\\OrderItem` or `MyApp.Shop.OrderItem`)."""
    last = re.split(r"[\\.]", name)[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", last).lower()


def model_table(model: str) -> str:
    """The table a model class maps to by convention: `OrderItem` → `order_items`."""
    return plural(snake(model))


def key_table(column: str) -> str:
    """The table a `<name>_id` column refers to by convention: `user_id` → `users`."""
    return plural(column.removesuffix("_id"))
