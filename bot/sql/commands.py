"""Statements that have no sqlglot tree, classified from their first words (MySQL, MariaDB, SQLite).

PostgreSQL never comes here: its statements are read by PostgreSQL's own grammar (`bot/sql/pg_translate.py`).

sqlglot keeps many PostgreSQL statements as an opaque `Command` (the list is pinned in
tests/test_commands.py so an upgrade that starts parsing them is noticed), and `bot/sql/statements.py` never parses
transaction control, function bodies, DO blocks, grants or `INSERT … VALUES`. Each becomes an operation
here; a statement that matches nothing becomes `Unparsed`, which the review reports, never drops.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from bot.model.migration import (
    AddConstraint,
    AddEnumValue,
    AddIndex,
    DataInsert,
    DetachPartition,
    Maintenance,
    Operation,
    RawSQL,
    Reindex,
    RenameConstraint,
    RenameTable,
    SetTimeout,
    Transaction,
    Unparsed,
    ValidateConstraint,
)
from bot.sql.statements import Statement
from bot.sql.values_rows import values_rows

TIMEOUT_SETTINGS = frozenset(
    {
        "lock_timeout",
        "statement_timeout",
        "innodb_lock_wait_timeout",
        "lock_wait_timeout",
        "max_statement_time",
        "max_execution_time",
        "idle_in_transaction_session_timeout",
    }
)
_TRANSACTION = {
    "BEGIN": "begin",
    "START": "begin",
    "COMMIT": "commit",
    "END": "commit",
    "ROLLBACK": "rollback",
    "SAVEPOINT": "savepoint",
    "RELEASE": "savepoint",
}
_BLOCKING_MAINTENANCE = {"CLUSTER", "REPACK"}


def classify(statement: Statement, base: dict[str, Any]) -> list[Operation]:
    words, head = statement.words, statement.head
    b: dict[str, Any] = base
    if head[0] in _TRANSACTION and not (head[0] == "END" and len(head) > 1 and head[1] == "IF"):
        if (
            head[0] == "BEGIN"
            and len(head) > 1
            and head[1] not in ("TRANSACTION", "WORK", "ISOLATION", "READ")
        ):
            return [RawSQL(category="block", **b)]
        return [Transaction(action=_TRANSACTION[head[0]], **b)]
    if head[0] == "ALTER" and len(head) > 2:
        found = _alter(words, head, b)
        if found is not None:
            return [found]
    if head[0] == "OPTIMIZE" and "TABLE" in head[1:3]:
        # MySQL: InnoDB rebuilds each table as `ALTER TABLE … FORCE` does
        return [
            RawSQL(category="alter-table-forceproperty", table=name(t), **b)
            for t in _mysql_tables(words, head)
        ]
    if head[0] in ("VACUUM", "CLUSTER", "REPACK", "ANALYZE"):
        return [_maintenance(words, head, b)]
    if head[0] == "REINDEX":
        return [_reindex(words, head, b)]
    if head[:2] == ("RENAME", "TABLE"):
        return list(_rename_tables(words, b))
    if head[0] == "CREATE" and len(head) > 2 and head[1] in ("FULLTEXT", "SPATIAL") and head[2] == "INDEX":
        found = _special_index(words, head[1].lower(), b)
        if found is not None:
            return [found]
    if head[0] == "INSERT":  # SQLite's `INSERT OR REPLACE` deletes the row with the same key first
        return [_insert(words, b, replaces=tuple(head[1:3]) == ("OR", "REPLACE"))]
    if head[0] == "REPLACE" and len(head) > 1 and head[1] in ("INTO", "LOW_PRIORITY", "DELAYED"):
        return [_insert(words, b, replaces=True)]
    if head[0] == "SET":
        return list(_set(words, b))
    category = _category(head)
    if category == "drop-event":  # MySQL's scheduled statements: the catalog forgets the event
        return [RawSQL(category=category, table=_table(words, 2), if_exists="EXISTS" in head[:4], **b)]
    if category:
        return [RawSQL(category=category, **b)]
    return [Unparsed(error="not a statement this review understands", **b)]


def _special_index(words: tuple[str, ...], method: str, b: dict[str, Any]) -> Operation | None:
    """MySQL `CREATE FULLTEXT INDEX name ON table (columns)` (and SPATIAL), which sqlglot leaves unread."""
    upper = [w.upper() for w in words]
    if "ON" not in upper or "(" not in words:
        return None
    on, opening = upper.index("ON"), words.index("(")
    closing = words.index(")", opening) if ")" in words[opening:] else len(words)
    columns = tuple(name(w) for w in words[opening + 1 : closing] if w != ",")
    return AddIndex(
        table=_table(words, on + 1),
        name=name(words[3]) if on > 3 else "",
        columns=columns,
        method=method,
        **b,
    )


def _rename_tables(words: tuple[str, ...], b: dict[str, Any]) -> Iterator[Operation]:
    """MySQL `RENAME TABLE [IF EXISTS] a TO b, c TO d` (MariaDB accepts `IF EXISTS`)."""
    names = [w for w in words[2:] if w not in (",",) and w.upper() not in ("TO", "IF", "EXISTS")]
    for old, new in zip(names[::2], names[1::2], strict=False):
        yield RenameTable(table=_table((old,), 0), new_name=_table((new,), 0), **b)


def classify_select(e: exp.Expression, base: dict[str, Any]) -> Iterator[Operation]:
    """`SELECT set_config('lock_timeout', '5s', false)` sets a timeout; other SELECTs read only."""
    for func in e.find_all(exp.Anonymous):
        if func.name.lower() == "set_config" and len(func.expressions) >= 2:
            setting = func.expressions[0].name.lower()
            if setting in TIMEOUT_SETTINGS:
                local = func.expressions[2].sql().lower() == "true" if len(func.expressions) > 2 else False
                yield SetTimeout(setting=setting, value=func.expressions[1].name, local=local, **base)
                return
    yield RawSQL(category="select", **base)


def name(word: str) -> str:
    """A name as the database folds it: quoted keeps its case, unquoted folds to lower case."""
    last = word.split(".")[-1] if not word.startswith('"') else word
    if last[:1] in ('"', "`") and last[-1:] == last[:1]:
        return last[1:-1]
    return last.lower()


def _table(words: tuple[str, ...], index: int) -> str:
    # Skip IF EXISTS / ONLY between the keyword and the name.
    while index < len(words) and words[index].upper() in ("IF", "EXISTS", "ONLY", "NOT"):
        index += 1
    if index >= len(words):
        return ""
    parts = [p for p in words[index].split(".")]
    if len(parts) > 1 and parts[0].lower() not in ("public",):
        return f"{name(parts[0])}.{name(parts[-1])}"
    return name(parts[-1])


def _alter(words: tuple[str, ...], head: tuple[str, ...], b: dict[str, Any]) -> Operation | None:
    if head[1] == "TYPE" and "ADD" in head and "VALUE" in head:
        value_at = head.index("VALUE") + 1
        exists = head[value_at : value_at + 3] == ("IF", "NOT", "EXISTS")
        value_at += 3 if exists else 0
        before = _after_keyword(words, head, "BEFORE")
        after = _after_keyword(words, head, "AFTER")
        return AddEnumValue(
            name=_table(words, 2),
            value=_literal(words[value_at]) if value_at < len(words) else "",
            before=before,
            after=after,
            if_not_exists=exists,
            **b,
        )
    if head[1] != "TABLE":
        return RawSQL(category=f"alter-{head[1].lower()}", **b)
    at = 2
    while at < len(head) and head[at] in ("IF", "EXISTS", "ONLY"):
        at += 1
    table = _table(words, at)
    rest = head[at + 1 :]
    if rest[:2] == ("VALIDATE", "CONSTRAINT"):
        return ValidateConstraint(table=table, name=name(words[at + 3]), **b)
    if rest[:2] == ("RENAME", "CONSTRAINT") and len(rest) >= 5:
        return RenameConstraint(table=table, name=name(words[at + 3]), new_name=name(words[at + 5]), **b)
    if rest[:2] == ("DETACH", "PARTITION"):
        return DetachPartition(
            table=table, partition=_table(words, at + 3), concurrently="CONCURRENTLY" in rest, **b
        )
    if rest[:1] == ("ADD",) and rest[1:2] not in (("COLUMN",), ("IF",)) and _ADDED_KEYS & set(rest[1:4]):
        return _add_constraint(words, head, table, at, b)
    if rest[:2] in (("PARTITION", "BY"), ("REMOVE", "PARTITIONING")):
        return RawSQL(category="partitioning", table=table, **b)
    if rest[:2] == ("CONVERT", "TO"):
        charset = words[at + 5] if rest[2:4] == ("CHARACTER", "SET") and len(rest) > 4 else ""
        charset = charset or (words[at + 4] if rest[2:3] == ("CHARSET",) and len(rest) > 3 else "")
        return RawSQL(category="convert-charset", table=table, name=charset.strip("`'\"").lower(), **b)
    if rest[:1] in (("DISABLE",), ("ENABLE",)) and "TRIGGER" in rest:
        return RawSQL(category="trigger-toggle", table=table, **b)
    if rest[:2] == ("ATTACH", "PARTITION"):
        return RawSQL(category="attach-partition", table=table, **b)
    return None


# what an `ADD` clause the parser could not read must name to be read as a constraint: an `ADD COLUMN` (or `ADD
# name type`) it could not read is no constraint
_ADDED_KEYS = frozenset({"CONSTRAINT", "FOREIGN", "CHECK", "UNIQUE", "PRIMARY", "EXCLUDE", "INDEX", "KEY"})


def _add_constraint(
    words: tuple[str, ...], head: tuple[str, ...], table: str, at: int, b: dict[str, Any]
) -> Operation:
    rest = head[at + 2 :]
    constraint_name = name(words[at + 3]) if rest[:1] == ("CONSTRAINT",) else ""
    kind = "other"
    for keyword, label in (
        ("FOREIGN", "foreign_key"),
        ("CHECK", "check"),
        ("UNIQUE", "unique"),
        ("PRIMARY", "primary_key"),
        ("EXCLUDE", "exclusion"),
    ):
        if keyword in rest:
            kind = label
            break
    using_index = _after_keyword(words, head, "INDEX") if "USING" in rest and "INDEX" in rest else None
    references = _table(words, head.index("REFERENCES") + 1) if "REFERENCES" in head else None
    not_valid = "NOT" in rest and "VALID" in head[head.index("NOT") :] if "NOT" in rest else False
    if kind == "check":
        not_valid = head[-2:] == ("NOT", "VALID") or " NOT VALID" in " ".join(head[-3:]) or _ends_not_valid(b)
    return AddConstraint(
        table=table,
        name=constraint_name,
        constraint=kind,
        not_valid=not_valid,
        using_index=using_index,
        references=references,
        **b,
    )


def _ends_not_valid(b: dict[str, Any]) -> bool:
    return " ".join(str(b["sql"]).upper().split()).endswith("NOT VALID")


def _maintenance(words: tuple[str, ...], head: tuple[str, ...], b: dict[str, Any]) -> Operation:
    command = head[0]
    options = set(head[1:])
    blocking = command in _BLOCKING_MAINTENANCE and "CONCURRENTLY" not in options
    if command == "VACUUM":
        blocking = "FULL" in options
        command = "VACUUM FULL" if blocking else "VACUUM"
    names = [
        w
        for w in words[1:]
        if w.upper()
        not in {
            "FULL",
            "VERBOSE",
            "ANALYZE",
            "FREEZE",
            "CONCURRENTLY",
            "USING",
            "(",
            ")",
            ",",
            "TABLE",
            "LOCAL",
        }
        and w.upper() != "NO_WRITE_TO_BINLOG"  # MySQL's `ANALYZE [LOCAL] TABLE t`
    ]
    return Maintenance(command=command, table=name(names[0]) if names else "", blocking=blocking, **b)


def _mysql_tables(words: tuple[str, ...], head: tuple[str, ...]) -> list[str]:
    """The tables of MySQL's `OPTIMIZE [NO_WRITE_TO_BINLOG | LOCAL] TABLE a, b`."""
    start = head.index("TABLE") + 1
    return [w for w in words[start:] if w not in (",", ";")]


def _reindex(words: tuple[str, ...], head: tuple[str, ...], b: dict[str, Any]) -> Operation:
    rest = [w for w, h in zip(words[1:], head[1:], strict=False) if h not in ("(", ")", ",", "VERBOSE")]
    upper = [w.upper() for w in rest]
    concurrently = "CONCURRENTLY" in upper or "CONCURRENTLY" in head
    target_kind = upper[0] if upper else "INDEX"
    names = [w for w in rest[1:] if w.upper() not in ("CONCURRENTLY", "TRUE", "FALSE")]
    target = name(names[0]) if names else ""
    return Reindex(
        target=f"{target_kind.lower()} {target}".strip(),
        table=target if target_kind == "TABLE" else "",
        concurrently=concurrently,
        **b,
    )


def _insert(words: tuple[str, ...], b: dict[str, Any], *, replaces: bool = False) -> Operation:
    upper = [w.upper() for w in words]
    at = upper.index("INTO") + 1 if "INTO" in upper else 1
    table = _table(words, at)
    columns: list[str] = []
    if at + 1 < len(words) and words[at + 1] == "(":
        for word in words[at + 2 :]:
            if word == ")":
                break
            if word != ",":
                columns.append(name(word))
    return DataInsert(
        table=table,
        columns=tuple(columns),
        from_select=False,
        rows=values_rows(str(b["sql"])),
        overwrites=duplicate_key_updates(str(b["sql"])),
        replaces=replaces,
        **b,
    )


_DUPLICATE_KEY = re.compile(r"\bON\s+DUPLICATE\s+KEY\s+UPDATE\b(.*)$", re.I | re.S)
_ASSIGNED = re.compile(r"(?:^|,)\s*(?:`?\w+`?\.)?`?(\w+)`?\s*=", re.S)


def duplicate_key_updates(sql: str) -> tuple[str, ...]:
    """The columns MySQL's `ON DUPLICATE KEY UPDATE a = VALUES(a), b = …` sets on a row that exists."""
    found = _DUPLICATE_KEY.search(sql)
    if found is None:
        return ()
    clause = found.group(1)
    depth, parts, start = 0, [], 0
    for i, char in enumerate(clause):  # split on the commas between assignments, not inside calls
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(clause[start:i])
            start = i + 1
    parts.append(clause[start:])
    stripped = [part.strip() for part in parts]
    columns = [
        m.group(1).lower()
        for part in stripped
        if (m := _ASSIGNED.match(part)) is not None and not _itself(m.group(1), part[m.end() :])
    ]
    return tuple(dict.fromkeys(c for c in columns))


def _itself(column: str, value: str) -> bool:
    """`id = id` (or `` `t`.`id` ``): MySQL's way of inserting only what is missing; the row keeps its value."""
    found = re.fullmatch(r"\s*(?:`?\w+`?\.)?`?(\w+)`?\s*;?\s*", value)
    return found is not None and found.group(1).lower() == column.lower()


def _set(words: tuple[str, ...], b: dict[str, Any]) -> Iterator[Operation]:
    upper = [w.upper() for w in words]
    local = "LOCAL" in upper[1:3]
    rest = [w for w in words[1:] if w.upper() not in ("LOCAL", "SESSION", "GLOBAL", "@@SESSION.", "=", "TO")]
    setting = rest[0].lower().removeprefix("@@session.").removeprefix("@@") if rest else ""
    if setting in TIMEOUT_SETTINGS and len(rest) > 1:
        yield SetTimeout(setting=setting, value=_literal(rest[1]), local=local, **b)
    else:
        yield RawSQL(category="set", **b)


def _category(head: tuple[str, ...]) -> str:
    text = " ".join(head[:6])
    for prefix, category in _CATEGORIES:
        if text.startswith(prefix):
            return category
    return ""


_CATEGORIES = (
    ("CREATE OR REPLACE FUNCTION", "function"),
    ("CREATE FUNCTION", "function"),
    ("CREATE OR REPLACE PROCEDURE", "function"),
    ("CREATE PROCEDURE", "function"),
    ("CREATE OR REPLACE TRIGGER", "trigger"),
    ("CREATE TRIGGER", "trigger"),
    ("CREATE CONSTRAINT TRIGGER", "trigger"),
    ("CREATE EXTENSION", "extension"),
    ("CREATE OR REPLACE VIEW", "view"),
    ("CREATE VIEW", "view"),
    ("CREATE MATERIALIZED VIEW", "view"),
    ("CREATE SCHEMA", "schema"),
    ("CREATE SEQUENCE", "sequence"),
    ("CREATE POLICY", "policy"),
    ("CREATE DOMAIN", "domain"),
    ("CREATE RULE", "rule"),
    ("CREATE ROLE", "role"),
    ("CREATE USER", "role"),
    ("CREATE PUBLICATION", "publication"),
    ("CREATE STATISTICS", "statistics"),
    ("CREATE COLLATION", "collation"),
    ("CREATE TYPE", "type"),
    ("CREATE AGGREGATE", "function"),
    ("CREATE OPERATOR", "operator"),
    ("CREATE EVENT TRIGGER", "trigger"),
    ("CREATE TEXT SEARCH", "text-search"),
    ("DROP TRIGGER", "drop-trigger"),
    ("DROP EVENT", "drop-event"),
    ("DROP FUNCTION", "drop-function"),
    ("DROP EXTENSION", "drop-extension"),
    ("DROP POLICY", "drop-policy"),
    ("DROP DOMAIN", "drop-domain"),
    ("DROP SCHEMA", "drop-schema"),
    ("DROP DATABASE", "drop-database"),
    ("DO", "do-block"),
    ("GRANT", "grant"),
    ("REVOKE", "grant"),
    ("COMMENT", "comment"),
    ("REFRESH MATERIALIZED VIEW", "refresh-view"),
    ("SELECT", "select"),
    ("CALL", "call"),
    ("LOCK", "lock"),
    ("NOTIFY", "notify"),
    ("DISCARD", "discard"),
    ("RESET", "set"),
    ("SHOW", "select"),
    ("PRAGMA", "pragma"),
    ("USE", "use"),
    ("DELIMITER", "delimiter"),
    ("LOAD", "load"),
    ("COPY", "copy"),
    ("SECURITY LABEL", "security-label"),
    ("IMPORT FOREIGN SCHEMA", "foreign"),
    ("CREATE SERVER", "foreign"),
    ("CREATE FOREIGN", "foreign"),
    ("CREATE USER MAPPING", "foreign"),
    ("ALTER DEFAULT PRIVILEGES", "grant"),
)


def _after_keyword(words: tuple[str, ...], head: tuple[str, ...], keyword: str) -> str | None:
    if keyword not in head:
        return None
    at = head.index(keyword) + 1
    return _literal(words[at]) if at < len(words) else None


def _literal(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"`":
        return word[1:-1].replace(word[0] * 2, word[0])
    return word
