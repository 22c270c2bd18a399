"""Prisma enums and models; in SQL, `CREATE TYPE … AS ENUM`, `CHECK (column IN (…))` and the rows lookup
tables are seeded with."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.references.codesyntax.text import (
    Definition,
    FieldLink,
    Found,
    Member,
    bracketed,
    enclosing,
    line_of,
    lines_of,
    snake,
)

_PRISMA_BLOCK = re.compile(r"^\s*(enum|model)\s+(\w+)\s*\{", re.M)


def read_prisma(path: str, text: str) -> Found:
    definitions, links = [], []
    for match in _PRISMA_BLOCK.finditer(text):
        start, end = bracketed(text, match.end() - 1)
        if match.group(1) == "enum":
            members = []
            for offset, line in lines_of(text, start, end):
                item = re.match(r"\s*(\w+)(?:\s+@map\(\s*\"([^\"]*)\"\s*\))?", line)
                if item and not line.strip().startswith(("//", "@@")):
                    members.append(
                        Member(item.group(1), item.group(2) or item.group(1), line_of(text, offset))
                    )
            definitions.append(
                Definition(match.group(2), "Prisma enum", path, line_of(text, match.start()), tuple(members))
            )
        else:
            for _offset, line in lines_of(text, start, end):
                item = re.match(r"\s*(\w+)\s+([A-Z]\w*)\??\s*(.*)$", line)
                if item:
                    mapped = re.search(r"@map\(\s*\"(\w+)\"", item.group(3))
                    links.append(
                        FieldLink(
                            match.group(2),
                            mapped.group(1) if mapped else snake(item.group(1)),
                            item.group(2),
                        )
                    )
    return definitions, links


_SQL_ENUM = re.compile(r"CREATE\s+TYPE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w.\"]+)\s+AS\s+ENUM\s*\(", re.I)


def read_sql(path: str, text: str) -> Found:
    definitions = []
    for match in _SQL_ENUM.finditer(text):
        start, end = bracketed(text, match.end() - 1, "(", ")")
        members = [
            Member(item.group(1), item.group(1), line_of(text, start + item.start()))
            for item in re.finditer(r"'((?:[^']|'')*)'", text[start:end])
        ]
        name = match.group(1).replace('"', "").split(".")[-1].lower()
        definitions.append(
            Definition(name, "database enum type", path, line_of(text, match.start()), tuple(members))
        )
    for match in _SQL_ADD_VALUE.finditer(text):
        name = match.group(1).replace('"', "").split(".")[-1].lower()
        added = Member(match.group(2), match.group(2), line_of(text, match.start(2)), path)
        definitions.append(Definition(name, ENUM_VALUE_ADDED, path, line_of(text, match.start()), (added,)))
    definitions.extend(_seeds(path, text))
    definitions.extend(_checks(path, text))
    return definitions, []


ENUM_VALUE_ADDED = "database enum value"  # merged into its type by the index
_SQL_ADD_VALUE = re.compile(
    r"ALTER\s+TYPE\s+([\w.\"]+)\s+ADD\s+VALUE\s+(?:IF\s+NOT\s+EXISTS\s+)?'((?:[^']|'')*)'", re.I
)


_SQL_SEED = re.compile(r"INSERT\s+INTO\s+([\w.\"]+)\s*\(\s*\"?id\"?\s*,\s*\"?\w+\"?\s*\)\s*VALUES\s*", re.I)
_SQL_ROW = re.compile(r"\s*,?\s*\(\s*(\d+)\s*,\s*'((?:[^']|'')*)'\s*\)")


def _seeds(path: str, text: str) -> Iterator[Definition]:
    """Rows a lookup table is seeded with: `INSERT INTO order_states (id, name) VALUES (1, 'open'), …`."""
    for match in _SQL_SEED.finditer(text):
        rows, position = [], match.end()
        while (row := _SQL_ROW.match(text, position)) is not None:
            rows.append(Member(row.group(2).replace("''", "'"), row.group(1), line_of(text, row.start(1))))
            position = row.end()
        if rows:
            name = match.group(1).replace('"', "").split(".")[-1].lower()
            yield Definition(name, "seed rows", path, line_of(text, match.start()), tuple(rows))


_SQL_TABLE = re.compile(
    r"(?:CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?|ALTER\s+TABLE(?:\s+ONLY)?)\s+([\w.\"`]+)", re.I
)
_SQL_CHECK_IN = re.compile(r"CHECK\s*\(\s*[\"`]?(\w+)[\"`]?\s+IN\s*\(([^()]*)\)\s*\)", re.I)


def _checks(path: str, text: str) -> Iterator[Definition]:
    """`CHECK (status IN ('open', 'paid'))`: the values the database itself allows for a column."""
    for match in _SQL_CHECK_IN.finditer(text):
        table = (
            enclosing(text, match.start(), _SQL_TABLE)
            .replace('"', "")
            .replace("`", "")
            .split(".")[-1]
            .lower()
        )
        members = tuple(
            Member(value.group(1), value.group(1), line_of(text, match.start(2) + value.start()))
            for value in re.finditer(r"'((?:[^']|'')*)'", match.group(2))
        )
        if members and table:
            yield Definition(
                match.group(1).lower(),
                "CHECK constraint",
                path,
                line_of(text, match.start()),
                members,
                table,
                match.group(1).lower(),
            )
