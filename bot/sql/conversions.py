"""What a change of column type loses: the old type (from the catalog) against the new one.

`classify` says what is lost, whether the change fails or loses data silently, and the condition that
finds the rows at risk, so the rule can report it and the plan can turn it into a query to run first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.model.findings import Severity

_INTS = {
    "tinyint": 1,
    "smallint": 2,
    "int2": 2,
    "mediumint": 3,
    "int": 4,
    "integer": 4,
    "int4": 4,
    "bigint": 8,
    "int8": 8,
}
_FLOATS = {"real": 4, "float4": 4, "float": 4, "double precision": 8, "double": 8, "float8": 8}
_NUMERIC = ("numeric", "decimal")
_TEXT = (
    "text",
    "varchar",
    "character varying",
    "char",
    "character",
    "citext",
    "longtext",
    "mediumtext",
    "tinytext",
    "string",
)
_DATES = ("date",)
_TIMESTAMPS = ("timestamp", "datetime", "timestamp without time zone")


@dataclass(frozen=True)
class Loss:
    what: str
    severity: Severity
    check: str  # the condition that finds the rows at risk


def classify(old: str, new: str, column: str, dialect: str, using: str | None = None) -> Loss | None:
    (ob, oa), (nb, na) = _split(old), _split(new)
    mysql = dialect in ("mysql", "mariadb")
    silent = Severity.CRITICAL
    fails = (
        Severity.CRITICAL if mysql else Severity.WARNING
    )  # MySQL outside strict mode truncates instead of failing
    length = "char_length" if mysql else "length"
    if ob in _TEXT and nb in _TEXT and na and (not oa or na[0] < oa[0]):
        cut = using is not None and re.search(r"\b(substr|substring|left)\b", using, re.I)
        return Loss(
            f"strings longer than {na[0]} characters "
            + (
                "are cut"
                if cut
                else "fail the change" + (" (or are truncated silently outside strict mode)" if mysql else "")
            ),
            silent if cut else fails,
            f"{length}({column}) > {na[0]}",
        )
    if ob in _TEXT and (nb in _INTS or nb in _NUMERIC or nb in _FLOATS):
        pattern = "NOT REGEXP '^ *-?[0-9]+([.][0-9]+)? *$'" if mysql else r"!~ '^\s*-?\d+(\.\d+)?\s*$'"
        return Loss(
            "values that are not numbers fail the change"
            + (" (or become 0 outside strict mode)" if mysql else ""),
            fails,
            f"{column} {pattern}",
        )
    if ob in _TEXT and (nb in _DATES or nb in _TIMESTAMPS or nb == "timestamptz"):
        pattern = "NOT REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}'" if mysql else r"!~ '^\d{4}-\d{2}-\d{2}'"
        return Loss(
            "values that are not ISO dates fail the change or are read in the session's date style",
            fails,
            f"{column} {pattern}",
        )
    if (ob in _FLOATS or (ob in _NUMERIC and (not oa or len(oa) < 2 or oa[1] > 0))) and nb in _INTS:
        truncate = f"truncate({column}, 0)" if mysql else f"trunc({column})"
        return Loss("the fractional part of every value is rounded away", silent, f"{column} <> {truncate}")
    if ob in _NUMERIC and nb in _NUMERIC and len(oa) == 2 and len(na) == 2:
        if na[1] < oa[1]:
            return Loss(
                f"digits after the {na[1]}th decimal place are rounded away",
                silent,
                f"{column} <> round({column}, {na[1]})",
            )
        if na[0] - na[1] < oa[0] - oa[1]:
            limit = "9" * (na[0] - na[1]) or "0"
            return Loss(
                f"values of {na[0] - na[1]} or more integer digits overflow",
                fails,
                f"abs({column}) > {limit}",
            )
    if ob in _FLOATS and nb in _FLOATS and _FLOATS[nb] < _FLOATS[ob]:
        return Loss(
            "double precision values keep only about 6 significant digits",
            Severity.WARNING,
            f"{column} <> CAST(CAST({column} AS real) AS double precision)"
            if not mysql
            else f"{column} <> CAST({column} AS FLOAT)",
        )
    if ob in _INTS and nb in _INTS and _INTS[nb] < _INTS[ob]:
        bits = _INTS[nb] * 8 - 1
        return Loss(
            f"values outside ±2^{bits} overflow"
            + (" (clamped silently outside strict mode)" if mysql else ""),
            fails,
            f"{column} NOT BETWEEN {-(2**bits)} AND {2**bits - 1}",
        )
    if ob == "timestamptz" and nb in _TIMESTAMPS:
        return Loss(
            "the time zone is dropped: values are converted to the session's TimeZone at migration time",
            Severity.WARNING,
            f"{column} IS NOT NULL AND current_setting('TimeZone') <> 'UTC'",
        )
    if (ob in _TIMESTAMPS or ob == "timestamptz") and nb in _DATES:
        time = f"TIME({column}) <> '00:00:00'" if mysql else f"{column}::time <> '00:00'"
        return Loss("the time of day is dropped", silent, time)
    return None


def _split(type_sql: str) -> tuple[str, tuple[int, ...]]:
    match = re.match(r"\s*([a-z ]+?)\s*(?:\(([\d,\s]+)\))?\s*(?:unsigned)?\s*$", type_sql.lower())
    if not match:
        return type_sql.lower(), ()
    args = tuple(int(a) for a in match.group(2).replace(" ", "").split(",") if a) if match.group(2) else ()
    return match.group(1).strip(), args


def type_parts(type_sql: str) -> tuple[str, tuple[int, ...]]:
    """`varchar(20)` → ("varchar", (20,)); `numeric(12, 4)` → ("numeric", (12, 4))."""
    return _split(type_sql)


TEXT_TYPES, INT_BYTES, NUMERIC_TYPES, FLOAT_TYPES = _TEXT, _INTS, _NUMERIC, _FLOATS
