"""Whether a literal fits a column's type: the length of `char(n)`/`varchar(n)`, an integer's range, a numeric's
precision, the words PostgreSQL reads as a boolean, the shape of a UUID.

Shared by the rule that reports a value its column cannot hold and by the validation queries, which must not
compare a column with such a value (PostgreSQL refuses the query itself).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from bot.sql.domains import Literal

_LENGTH = re.compile(
    r"^(?:(?:national\s+)?char(?:acter)?(?:\s+varying)?|n?varchar|bpchar)\s*\(\s*(\d+)\s*\)", re.I
)
_NUMERIC = re.compile(r"^(?:numeric|decimal)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)", re.I)
_RANGES = {
    "smallint": 2**15, "int2": 2**15, "integer": 2**31, "int": 2**31, "int4": 2**31, "bigint": 2**63,
    "int8": 2**63, "tinyint": 2**7, "mediumint": 2**23,
}  # fmt: skip
_BOOLEAN_WORDS = {"t", "f", "true", "false", "y", "n", "yes", "no", "on", "off", "1", "0"}
_UUID = re.compile(r"^\{?[0-9a-f]{8}-?(?:[0-9a-f]{4}-?){3}[0-9a-f]{12}\}?$", re.I)


def refusal(value: Literal, column_type: str, mysql: bool) -> str | None:
    """Why the type cannot hold the value, or None when it can (or the type is not one judged here)."""
    sql_type = " ".join(column_type.lower().split())
    unsigned = "unsigned" in sql_type
    sql_type = sql_type.replace(" unsigned", "")
    length = _LENGTH.match(sql_type)
    if length is not None and value.quoted:
        limit = int(length.group(1))
        size = len(value.text.rstrip(" "))  # PostgreSQL cuts trailing spaces beyond the limit without error
        return f"{len(value.text)} characters, over its limit of {limit}" if size > limit else None
    if sql_type in _RANGES:
        number = _integer(value)
        if number is None:
            return None if _numeric(value) is not None or not value.quoted else "not a whole number"
        bound = _RANGES[sql_type]
        low, high = (0, 2 * bound - 1) if unsigned else (-bound, bound - 1)
        return f"outside {low:,} to {high:,}" if not low <= number <= high else None
    numeric = _NUMERIC.match(sql_type)
    if numeric is not None:
        number_value = _numeric(value)
        if number_value is None:
            return "not a number" if value.quoted else None
        precision, scale = int(numeric.group(1)), int(numeric.group(2) or 0)
        ceiling = Decimal(10) ** (precision - scale)
        return (
            f"{precision - scale} digits before the point at most" if abs(number_value) >= ceiling else None
        )
    if sql_type in ("boolean", "bool") and value.quoted and not mysql:
        return None if value.text.strip().lower() in _BOOLEAN_WORDS else "not a boolean PostgreSQL reads"
    if sql_type == "uuid" and value.quoted:
        return None if _UUID.match(value.text.strip()) else "not a UUID"
    return None


def _integer(value: Literal) -> int | None:
    text = value.text.strip()
    return int(text) if re.fullmatch(r"[-+]?\d+", text) else None


def _numeric(value: Literal) -> Decimal | None:
    try:
        return Decimal(value.text.strip())
    except (InvalidOperation, ValueError):
        return None


def upper_bound(column_type: str) -> Decimal | None:
    """The first value a numeric or integer type cannot hold."""
    sql_type = " ".join(column_type.lower().split()).replace(" unsigned", "")
    numeric = _NUMERIC.match(sql_type)
    if numeric is not None:
        return Decimal(10) ** (int(numeric.group(1)) - int(numeric.group(2) or 0))
    return Decimal(_RANGES[sql_type]) if sql_type in _RANGES else None
