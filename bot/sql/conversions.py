"""What a change of column type loses: the old type (from the catalog) against the new one.

`classify` says what is lost, whether the change fails or loses data silently, and the condition that
finds the rows at risk, so the rule can report it and the plan can turn it into a query to run first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from bot.model.findings import Severity
from bot.sql.domains import Literal
from bot.sql.mysql_ddl import members

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
# Significant decimal digits a 4- and 8-byte float keeps exactly, and the bits of its mantissa
_FLOAT_DIGITS = {4: 6, 8: 15}
_FLOAT_MANTISSA = {4: 24, 8: 53}
_TIMESTAMPS = ("timestamp", "datetime", "timestamp without time zone")


@dataclass(frozen=True)
class Loss:
    what: str
    severity: Severity
    check: str  # the condition that finds the rows at risk


# `USING x::boolean`, `USING CAST(x AS bool)`: the column converted as it is, no mapping of the author's
_PLAIN_CAST = re.compile(
    r"\(?\s*(?:[\w\".]+\s*::\s*\w+(?:\s+\w+)?|CAST\s*\(\s*[\w\".]+\s+AS\s+\w+(?:\s+\w+)?\s*\))\s*\)?", re.I
)
# `CAST(x AS varchar(20))`, `x::varchar(20)`, `character varying(20)`, `char(20)`: an explicit cast to a
# length, which PostgreSQL truncates silently
_EXPLICIT_LENGTH = re.compile(
    r"(?:\bAS\s+|::\s*)(?:VARCHAR|CHARACTER\s+VARYING|CHAR|CHARACTER|BPCHAR)\s*\(\s*\d+\s*\)", re.I
)


def _affinity(sql_type: str) -> str:
    """SQLite's affinity of a declared type, by its rules in order (INTEGER and NUMERIC store alike)."""
    name = sql_type.upper()
    if "INT" in name:
        return "NUMERIC"
    if any(word in name for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in name or not name.strip():
        return "BLOB"
    if any(word in name for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def classify(
    old: str,
    new: str,
    column: str,
    dialect: str,
    using: str | None = None,
    *,
    utc: bool = False,
    moved: frozenset[str] = frozenset(),
) -> Loss | None:
    """What converting a column of type `old` to `new` loses, or None. `moved`: values the migration has moved
    every row off before the conversion (an UPDATE of the column whose condition picks exactly the rows holding
    them), which no row holds any more."""
    if dialect == "sqlite" and _affinity(old) == _affinity(new):
        return None  # SQLite keeps every value as it was: it enforces no length, precision or zone
    if dialect == "sqlite" and (_affinity(old), _affinity(new)) == ("REAL", "NUMERIC"):
        return None  # an INTEGER or NUMERIC column stores 19.99 as the REAL it is: only 20.0 becomes 20
    if dialect in ("mysql", "mariadb"):
        narrowed = charset_loss(old, new, column)
        if narrowed is not None:
            return narrowed
        old, new = _CHARSET.sub("", old), _CHARSET.sub("", new)
    (ob, oa), (nb, na) = _split(old), _split(new)
    zoned = using is not None and re.search(r"\bAT\s+TIME\s+ZONE\b|\btimezone\s*\(", using, re.I) is not None
    found = _precision_or_zone(ob, oa, nb, na, column, dialect, utc or zoned)
    if found is not None:
        return found
    mysql = dialect in ("mysql", "mariadb")
    gone = {value.lower() for value in moved}  # MySQL compares ENUM members without regard to case
    dropped = [m for m in _enum_members_dropped(old, new) if m.lower() not in gone]
    if dropped:
        shown = ", ".join(f"'{m}'" for m in dropped)
        return Loss(
            f"rows holding {shown}, which the new ENUM leaves out, fail the change in strict mode and become '' "
            "(the empty error value) outside it",
            Severity.CRITICAL,
            f"{column} IN ({', '.join(Literal(m, quoted=True).sql for m in dropped)})",
        )
    labels = members(old)
    if labels is not None and labels[0] in ("enum", "set") and nb in _TEXT and na:
        longer = [m for m in labels[1] if len(m) > na[0]]
        if longer:
            shown = ", ".join(f"'{m}'" for m in longer)
            return Loss(
                f"rows holding {shown}, longer than {na[0]} characters, fail the change"
                + (" (or are truncated silently outside strict mode)" if mysql else ""),
                Severity.CRITICAL,
                f"char_length({column}) > {na[0]}" if mysql else f"length({column}) > {na[0]}",
            )
    silent = Severity.CRITICAL
    fails = (
        Severity.CRITICAL if mysql else Severity.WARNING
    )  # MySQL outside strict mode truncates instead of failing
    length = "char_length" if mysql else "length"
    if ob in _TEXT and nb in _TEXT and na and (not oa or na[0] < oa[0]):
        cut = using is not None and (
            re.search(r"\b(substr|substring|left)\b", using, re.I) or _EXPLICIT_LENGTH.search(using)
        )
        explicit = using is not None and _EXPLICIT_LENGTH.search(using) is not None
        return Loss(
            f"strings longer than {na[0]} characters "
            + (
                (
                    "are cut silently by the explicit cast in USING (an explicit cast to a shorter type "
                    "truncates where an assignment would fail)"
                    if explicit
                    else "are cut"
                )
                + f": a value of {na[0] + 1} characters keeps only its first {na[0]}"
                if cut
                else "fail the change" + (" (or are truncated silently outside strict mode)" if mysql else "")
            ),
            silent if cut else fails,
            f"{length}({column}) > {na[0]}",
        )
    if ob in _TEXT and (nb in _INTS or nb in _NUMERIC or nb in _FLOATS):
        pattern = "NOT REGEXP '^ *-?[0-9]+([.][0-9]+)? *$'" if mysql else r"!~ '^\s*-?\d+(\.\d+)?\s*$'"
        zeros = "REGEXP '^ *-?0[0-9]'" if mysql else r"~ '^\s*-?0\d'"
        return Loss(
            "values that are not numbers fail the change"
            + (" (or become 0 outside strict mode)" if mysql else "")
            + ", and leading zeros ('007') are dropped",
            fails,
            f"{column} {pattern} OR {column} {zeros}",
        )
    if ob in _TEXT and (nb in _DATES or nb in _TIMESTAMPS or nb == "timestamptz"):
        pattern = "NOT REGEXP '^[0-9]{4}-[0-9]{2}-[0-9]{2}'" if mysql else r"!~ '^\d{4}-\d{2}-\d{2}'"
        return Loss(
            "values that are not ISO dates fail the change or are read in the session's date style",
            fails,
            f"{column} {pattern}",
        )
    mapped = using is not None and not _PLAIN_CAST.fullmatch(using.strip())  # `USING (state = 'on')`
    if ob in _TEXT and nb in ("boolean", "bool") and not mysql and not mapped:
        words = "'t', 'true', 'y', 'yes', 'on', '1', 'f', 'false', 'n', 'no', 'off', '0'"
        return Loss(
            "values other than true/false, yes/no, on/off and 1/0 ('enabled', 'x', '2') fail the change",
            fails,
            f"lower(trim({column})) NOT IN ({words})",
        )
    if ob in _TEXT and nb in ("json", "jsonb") and not mapped:
        return Loss(
            "values that are not valid JSON ('n/a', 'yes', an empty string) fail the change",
            fails,
            f"JSON_VALID({column}) = 0"
            if mysql
            # no JSON test before PostgreSQL 16 (`IS JSON`): the values whose first character no JSON text has
            else f"{column} IS NOT NULL AND trim({column}) !~ '^([[{{\"]|-?[0-9]|true$|false$|null$)'",
        )
    if ob in _TEXT and nb == "uuid" and not mysql and not mapped:
        return Loss(
            "values that are not UUIDs (an empty string, a number, a slug) fail the change",
            fails,
            f"{column} !~* '^{{?[0-9a-f]{{8}}-?([0-9a-f]{{4}}-?){{3}}[0-9a-f]{{12}}}}?$'",
        )
    if ob in _INTS and nb in ("boolean", "bool") and not mysql and not mapped:
        return Loss(
            "every value other than 0 becomes true: 1, 2 and -1 can no longer be told apart",
            Severity.WARNING,
            f"{column} NOT IN (0, 1)",
        )
    if (ob in _FLOATS or (ob in _NUMERIC and (not oa or len(oa) < 2 or oa[1] > 0))) and nb in _INTS:
        truncate = f"truncate({column}, 0)" if mysql else f"trunc({column})"
        return Loss(
            "the fractional part of every value is rounded away (19.99 becomes 20)",
            silent,
            f"{column} <> {truncate}",
        )
    if ob in _NUMERIC and nb in _NUMERIC and len(oa) == 2 and len(na) == 2:
        if na[1] < oa[1]:
            return Loss(
                f"digits after the {na[1]}th decimal place are rounded away"
                f" ({'0.' + '0' * na[1] + '5' if na[1] else '0.5'} becomes {'0.' + '0' * (na[1] - 1) + '1' if na[1] else '1'})",
                silent,
                f"{column} <> round({column}, {na[1]})",
            )
        if na[0] - na[1] < oa[0] - oa[1]:
            limit = "9" * (na[0] - na[1]) or "0"
            return Loss(
                f"values of more than {na[0] - na[1]} integer digits overflow",
                fails,
                f"abs({column}) > {limit}",
            )
    if ob in _FLOATS and nb in _NUMERIC and len(na) == 2:
        return Loss(
            f"values are rounded to {na[1]} decimal places (1.23456 becomes "
            f"{Decimal('1.23456').quantize(Decimal(1).scaleb(-na[1]), ROUND_HALF_UP)})"
            f" and those of more than {na[0] - na[1]} integer digits overflow",
            silent,
            f"{column} <> round({column}::numeric, {na[1]})"
            if not mysql
            else f"{column} <> round({column}, {na[1]})",
        )
    if ob in _FLOATS and nb in _FLOATS and _FLOATS[nb] < _FLOATS[ob]:
        return Loss(
            "double precision values keep only about 6 significant digits",
            Severity.WARNING,
            f"{column} <> CAST(CAST({column} AS real) AS double precision)"
            if not mysql
            else f"{column} <> CAST({column} AS FLOAT)",
        )
    signed = _unsigned(old), _unsigned(new)
    if mysql and ob in _INTS and nb in _INTS and signed != (False, False) and _INTS[nb] <= _INTS[ob]:
        return _sign_loss(column, _INTS[nb], signed)
    if ob in _INTS and nb in _INTS and _INTS[nb] < _INTS[ob]:
        bits = _INTS[nb] * 8 - 1
        return Loss(
            f"values outside ±2^{bits} overflow"
            + (" (clamped silently outside strict mode)" if mysql else ""),
            fails,
            f"{column} NOT BETWEEN {-(2**bits)} AND {2**bits - 1}",
        )
    if ob in _NUMERIC and nb in _FLOATS and (not oa or oa[0] > _FLOAT_DIGITS[_FLOATS[nb]]):
        digits = _FLOAT_DIGITS[_FLOATS[nb]]
        scale = oa[1] if len(oa) == 2 else 30
        return Loss(
            f"exact decimals become binary floating point, which keeps about {digits} significant digits: "
            + (
                "1234567.89 becomes 1234570"
                if digits == 6
                else "12345678901234567.89 becomes 12345678901234568"
            )
            + ", and sums of such values no longer add up to the cent",
            Severity.WARNING,
            (
                f"CAST(CAST({column} AS {'FLOAT' if digits == 6 else 'DOUBLE'}) AS DECIMAL(65, {scale})) <> {column}"
                if mysql
                else f"{column} <> {column}::{'real' if digits == 6 else 'double precision'}::numeric"
            ),
        )
    if ob in _INTS and nb in _FLOATS and _INTS[ob] * 8 - 1 > _FLOAT_MANTISSA[_FLOATS[nb]]:
        bits = _FLOAT_MANTISSA[_FLOATS[nb]]
        return Loss(
            f"integers beyond ±2^{bits} ({2**bits:,}) lose their last digits: {2**bits + 1:,} becomes {2**bits:,}",
            Severity.WARNING,
            f"abs({column}) > {2**bits}",
        )
    if mysql and ob in ("datetime", "date") and nb == "timestamp":
        return Loss(
            "a TIMESTAMP holds only 1970-01-01 00:00:01 to 2038-01-19 03:14:07 UTC: earlier or later values "
            "(birth dates, '9999-12-31' for \"never\", a zero date) fail the change (or become "
            "'0000-00-00 00:00:00' outside strict mode), and every value is read in the session's time zone "
            "and stored as UTC, so it shifts unless that zone is the one the values were written in",
            Severity.CRITICAL,
            f"{column} < '1970-01-01 00:00:01' OR {column} > '2038-01-19 03:14:07'",
        )
    if mysql and ob == "timestamp" and nb == "datetime":
        return Loss(
            "each value is converted from UTC to the session's time zone and kept as that wall-clock time: "
            "unless the session's time zone is UTC, the stored times shift by its offset",
            Severity.WARNING,
            f"{column} IS NOT NULL AND @@session.time_zone NOT IN ('+00:00', 'UTC')",
        )
    if ob == "timestamptz" and nb in _TIMESTAMPS and not (utc or zoned):  # a zone named: the same wall clock
        return Loss(
            "the time zone is dropped: values are converted to the session's TimeZone at migration time "
            "('2024-03-01 12:00+00' becomes '2024-03-01 13:00' in Europe/Paris)",
            Severity.WARNING,
            f"{column} IS NOT NULL AND current_setting('TimeZone') <> 'UTC'",
        )
    if (ob in _TIMESTAMPS or ob == "timestamptz") and nb in _DATES:
        time = f"TIME({column}) <> '00:00:00'" if mysql else f"{column}::time <> '00:00'"
        return Loss("the time of day is dropped", silent, time)
    return None


def _enum_members_dropped(old: str, new: str) -> list[str]:
    """MySQL `enum('a','b')` → `enum('a','c')`: the members the new list leaves out (['b'])."""
    before, after = members(old), members(new)
    if before is None or after is None or before[0] != "enum" or after[0] != "enum":
        return []
    kept = {m.lower() for m in after[1]}
    return [m for m in before[1] if m.lower() not in kept]


def _precision_or_zone(
    ob: str, oa: tuple[int, ...], nb: str, na: tuple[int, ...], column: str, dialect: str, utc: bool
) -> Loss | None:
    """Fractional seconds rounded away; wall-clock times read in a session time zone that is not UTC."""
    ob, nb = _PG_ALIASES.get(ob, ob), _PG_ALIASES.get(nb, nb)
    timed = (*_PRECISION, "datetime")
    full = 6 if dialect == "postgres" else 0  # no precision: PostgreSQL keeps 6 digits, MySQL none
    if ob == nb and ob in timed and na and na[0] < (oa[0] if oa else full):
        cast = f"CAST({column} AS {nb.upper()}({na[0]}))"
        return Loss(
            f"fractional seconds beyond {na[0]} digits are rounded", Severity.WARNING, f"{column} <> {cast}"
        )
    if dialect == "postgres" and (ob, nb) == ("timestamp", "timestamptz") and not utc:
        return Loss(
            "each value is read as a time in the session's TimeZone, so it shifts unless that zone is UTC "
            "('2024-03-01 12:00' written in UTC becomes '2024-03-01 11:00+00' when the session is in Europe/Paris); "
            "convert with `USING column AT TIME ZONE 'UTC'`",
            Severity.WARNING,
            f"{column} IS NOT NULL AND current_setting('TimeZone') <> 'UTC'",
        )
    return None


_UTC_FRAMEWORKS = ("rails", "django")  # their PostgreSQL connections set the session time zone to UTC
_UTC = re.compile(
    r"^\s*SET\s+(?:SESSION\s+|LOCAL\s+)?(?:TIME\s+ZONE|timezone\s*(?:=|TO))\s*'?(?:UTC|Etc/UTC|GMT)\b", re.I
)


_UTC_NAMES = frozenset({"utc", "etc/utc", "gmt", "etc/gmt", "uct", "etc/uct", "zulu", "etc/zulu", "z"})


def session_utc(framework: str, earlier_sql: list[str], configured: str = "") -> bool:
    """Is the session time zone UTC: a `SET TIME ZONE 'UTC'` earlier in the file, else the zone the runner's
    configuration sets on its connections (`configured`, "" when none), else a framework that sets UTC."""
    if any(_UTC.match(sql) for sql in earlier_sql):
        return True
    if configured:
        return configured.lower() in _UTC_NAMES
    return framework in _UTC_FRAMEWORKS


def _unsigned(type_sql: str) -> bool:
    return re.search(r"\bunsigned\b", type_sql, re.I) is not None


def _sign_loss(column: str, size: int, signed: tuple[bool, bool]) -> Loss | None:
    """MySQL: an integer made UNSIGNED cannot hold its negative values; one made signed (of the same width or
    narrower) cannot hold the upper half of its unsigned range."""
    was_unsigned, now_unsigned = signed
    if now_unsigned and not was_unsigned:
        return Loss(
            "negative values fail the change in strict mode and become 0 outside it",
            Severity.CRITICAL,
            f"{column} < 0",
        )
    if was_unsigned and not now_unsigned:
        top = 2 ** (size * 8 - 1) - 1
        return Loss(
            f"values above {top:,} fail the change in strict mode and are clamped to {top:,} outside it",
            Severity.CRITICAL,
            f"{column} > {top}",
        )
    return None


def _split(type_sql: str) -> tuple[str, tuple[int, ...]]:
    type_sql = _CHARSET.sub(
        "", type_sql
    )  # MySQL's `varchar(20) CHARACTER SET latin1`: the type is varchar(20)
    match = re.match(r"\s*([a-z ]+?)\s*(?:\(([\d,\s]+)\))?\s*(?:unsigned)?\s*$", type_sql.lower())
    if not match:
        return type_sql.lower(), ()
    args = tuple(int(a) for a in match.group(2).replace(" ", "").split(",") if a) if match.group(2) else ()
    return match.group(1).strip(), args


def type_parts(type_sql: str) -> tuple[str, tuple[int, ...]]:
    """`varchar(20)` → ("varchar", (20,)); `numeric(12, 4)` → ("numeric", (12, 4))."""
    return _split(type_sql)


TEXT_TYPES, INT_BYTES, NUMERIC_TYPES, FLOAT_TYPES = _TEXT, _INTS, _NUMERIC, _FLOATS

# a type that holds text as the catalog writes it, with its length, character set or collation still on it
# (`varchar(20) character set utf8`, `national char(3)`, `tinytext`, `enum('a')`, `citext`)
_TEXTUAL = re.compile(
    r"^(?:national\s+)?(?:var)?char|^n?varchar|text|^enum|^set\b|character varying|^citext", re.I
)


def textual(type_sql: str) -> bool:
    return _TEXTUAL.search(type_sql.strip()) is not None


# --- what a type change costs: the type-change table per dialect and version ---------------------------

# Binary-coercible: the catalog changes, no row is read. Scan: every row is checked, none rewritten.
# Rewrite (PostgreSQL) or copy (MySQL/MariaDB): every row and every index is written again.
# Index rebuild: rows stay, the indexes on the column are rebuilt (a different operator class).
COERCIBLE, SCAN, REWRITE, INDEX_REBUILD, COPY = "binary-coercible", "scan", "rewrite", "index rebuild", "copy"

_PG_ALIASES = {
    "decimal": "numeric",
    "character varying": "varchar",
    "int4": "int",
    "integer": "int",
    "int8": "bigint",
    "int2": "smallint",
    "timestamp with time zone": "timestamptz",
    "timestamp without time zone": "timestamp",
    "time without time zone": "time",
    "time with time zone": "timetz",
    "bool": "boolean",
    "float8": "double precision",
    "float4": "real",
    "bit varying": "varbit",
    "character": "char",
    "bpchar": "char",
}
_PRECISION = ("timestamp", "timestamptz", "time", "timetz", "interval")


@dataclass(frozen=True)
class Change:
    """How the database carries out a change of column type."""

    cost: str  # COERCIBLE | SCAN | REWRITE | INDEX_REBUILD | COPY
    why: str


def change_cost(
    old: str, new: str, dialect: str, version: tuple[int, ...], *, utc: bool = False, indexed: bool = False
) -> Change:
    """What changing a column from `old` to `new` costs on `dialect` `version` (MariaDB is its own dialect)."""
    if dialect in ("mysql", "mariadb"):
        return _mysql_cost(old, new)
    if dialect == "postgres":
        return _postgres_cost(_normal(old), _normal(new), version, utc=utc, indexed=indexed)
    same = _split(old) == _split(new)
    return Change(COERCIBLE if same else REWRITE, "the same type" if same else "SQLite rebuilds the table")


def _normal(type_sql: str) -> tuple[str, tuple[int, ...]]:
    base, args = _split(type_sql.replace('"', ""))
    base = base.removeprefix("pg_catalog.").removeprefix("public.")
    return _PG_ALIASES.get(base, base), args


def _postgres_cost(
    old: tuple[str, tuple[int, ...]],
    new: tuple[str, tuple[int, ...]],
    version: tuple[int, ...],
    *,
    utc: bool,
    indexed: bool,
) -> Change:
    (ob, oa), (nb, na) = old, new
    if (ob, oa) == (nb, na):
        return Change(COERCIBLE, "the same type")
    if ob in ("varchar", "text", "varbit") and nb in ("varchar", "text", "varbit"):
        return _length_cost(ob, oa, nb, na)
    if (
        {ob, nb} == {"text", "citext"}
        or (ob == "varchar" and nb == "citext")
        or (ob, nb, na) == ("citext", "varchar", ())
    ):
        if indexed:
            return Change(
                INDEX_REBUILD, "the values stay, but the indexes on the column change operator class"
            )
        return Change(COERCIBLE, "text and citext share their storage")
    if ob == nb == "numeric":
        if not na or (oa and len(oa) == len(na) == 2 and na[1] == oa[1] and na[0] >= oa[0]):
            return Change(COERCIBLE, "a wider precision with the same scale")
        return Change(REWRITE, "a numeric scale or narrower precision")
    if ob == nb and ob in _PRECISION:
        # no precision is the most PostgreSQL keeps (6 digits): `time` to `time(6)` changes nothing
        if (na[0] if na else 6) >= (oa[0] if oa else 6):
            return Change(COERCIBLE, "a higher or unlimited fractional precision")
        return Change(REWRITE, "lowering the fractional precision rounds every value")
    if {ob, nb} == {"timestamp", "timestamptz"}:
        if utc and version >= (12,):
            return Change(COERCIBLE, "PostgreSQL 12+ with the session time zone UTC")
        return Change(REWRITE, "every value is converted through the session time zone")
    if (ob, nb) == ("cidr", "inet"):
        return Change(COERCIBLE, "every cidr is an inet")
    return Change(REWRITE, "the types are stored differently")


def _length_cost(ob: str, oa: tuple[int, ...], nb: str, na: tuple[int, ...]) -> Change:
    if nb == "text" or not na:
        return Change(COERCIBLE, "the length limit is removed")
    if ob != "text" and oa and na[0] >= oa[0] and (ob == nb or "text" not in (ob, nb)):
        return Change(COERCIBLE, "the length limit is raised")
    return Change(REWRITE, "a new or lower length limit is checked and applied to every row")


def _mysql_cost(old: str, new: str) -> Change:
    (ob, oa), (nb, na) = _split(_CHARSET.sub("", old)), _split(_CHARSET.sub("", new))
    ob, nb = _MYSQL_ALIASES.get(ob, ob), _MYSQL_ALIASES.get(nb, nb)
    # an integer's display width (`int(11)`) is no part of what is stored: MySQL 8 drops it, MariaDB changes
    # it in place (ALGORITHM=INSTANT)
    oa, na = (() if ob in _MYSQL_INTEGERS else oa), (() if nb in _MYSQL_INTEGERS else na)
    if (ob, oa) == (nb, na) and _unsigned(old) != _unsigned(new):
        return Change(COPY, "changing an integer's sign copies the table")
    if (ob, oa) == (nb, na):
        return Change(COERCIBLE, "the same type")
    if ob == nb == "varchar" and oa and na and na[0] >= oa[0]:
        width = _bytes_per_char(new if _CHARSET.search(new) else old)  # the catalog may not keep the charset
        before, after = oa[0] * width, na[0] * width
        if (before > 255) == (after > 255):
            return Change(COERCIBLE, "a longer varchar with the same length prefix is changed in place")
        return Change(
            COPY, f"{after} bytes need a 2-byte length prefix instead of 1 (utf8mb4 is 4 bytes a character)"
        )
    return Change(COPY, "a different column type copies the table")


_CHARSET = re.compile(r"\s+(?:character\s+set|charset|collate)\s+\w+", re.I)
# BOOL and BOOLEAN are MySQL's and MariaDB's names for TINYINT(1)
_MYSQL_ALIASES = {
    "character varying": "varchar", "integer": "int", "decimal": "numeric", "bool": "tinyint", "boolean": "tinyint",
}  # fmt: skip
_MYSQL_INTEGERS = frozenset({"tinyint", "smallint", "mediumint", "int", "bigint"})


# MySQL character sets narrower than utf8mb4, and what they cannot hold
_NARROW_CHARSETS = {
    "utf8": "characters of 4 bytes in UTF-8 (emoji, some CJK)",
    "utf8mb3": "characters of 4 bytes in UTF-8 (emoji, some CJK)",
    "latin1": "characters outside Western European (Greek, Cyrillic, CJK, emoji, typographic quotes)",
    "ascii": "every character outside ASCII (accents, emoji)",
    "ucs2": "characters outside the Basic Multilingual Plane (emoji)",
}
_CHARSET_NAMED = re.compile(r"(?:character\s+set|charset)\s*=?\s*(\w+)", re.I)


def charset_loss(old: str, new: str, column: str) -> Loss | None:
    """MySQL: a column (or a table, with `CONVERT TO CHARACTER SET`) moved to a character set narrower than
    the one it had (utf8mb4 when the schema does not say) loses the characters the new one lacks."""
    named = _CHARSET_NAMED.search(new)
    target = named.group(1).lower() if named else ""
    was = _CHARSET_NAMED.search(old)
    before = was.group(1).lower() if was else "utf8mb4"
    if (
        target not in _NARROW_CHARSETS
        or target == before
        or (before in ("ascii", "latin1") and target != "ascii")
    ):
        return None
    if before in ("utf8", "utf8mb3") and target in ("utf8", "utf8mb3"):
        return None
    return Loss(
        f"{_NARROW_CHARSETS[target]} cannot be stored in {target}: the change fails on the first such value "
        "in strict mode, and replaces them with '?' outside it",
        Severity.WARNING,
        f"{column} <> CONVERT({column} USING {'utf8mb3' if target == 'utf8' else target})",
    )


def _bytes_per_char(type_sql: str) -> int:
    """Bytes per character of a MySQL column: utf8mb4 (4) unless the type names a narrower character set."""
    lower = type_sql.lower()
    if re.search(r"\b(latin1|ascii|binary)\b", lower):
        return 1
    return 3 if re.search(r"\butf8(mb3)?\b", lower) else 4
