"""Rows written as records (an ORM `create`, `insert_all`, `bulk_create`, a fixture, `op.bulk_insert`) as
the columns and VALUES rows of a DataInsert, so the catalog records them as it records `INSERT … VALUES`.

A record is a list of (column, SQL value) pairs; a value that is no literal keeps its source text, which
no rule reads as a literal. A column that some records leave out takes `DEFAULT` in theirs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from xml.etree import ElementTree

import yaml
from defusedxml import ElementTree as defused
from defusedxml.common import DefusedXmlException

Record = Sequence[tuple[str, str]]
MAX_RECORDS = 1000


def values_rows(records: Sequence[Record]) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    columns: dict[str, None] = {}
    for record in records[:MAX_RECORDS]:
        columns.update((column, None) for column, _ in record)
    rows = []
    for record in records[:MAX_RECORDS]:
        values = dict(record)
        rows.append(tuple(values.get(column, "DEFAULT") for column in columns))
    return tuple(columns), tuple(rows)


def records(found: object) -> list[Record]:
    """A record written in code (a dict of column → value, as the PHP, JavaScript or Elixir reader gives it)
    or a list of them; a value that is no literal keeps its source text."""
    items = found if isinstance(found, list) else [found]
    return [
        [(column, _sql(value)) for column, value in item.items() if isinstance(column, str)]
        for item in items[:MAX_RECORDS]
        if isinstance(item, dict)
    ]


def _sql(value: object) -> str:
    literal = sql_literal(value)
    if literal is not None:
        return literal
    text = getattr(value, "text", None)
    return text if isinstance(text, str) and text else "DEFAULT"


def sql_literal(value: object) -> str | None:
    """A JSON or Python scalar as SQL: `'pro'`, `2`, `TRUE`, `NULL`; None for anything else."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None


FIXTURE_FORMATS = (".json", ".yaml", ".yml", ".xml")  # what `loaddata` reads, in the order it tries them


def django_fixture(text: str, table_of: Callable[[str], str], path: str = ".json") -> dict[str, list[Record]]:
    """A Django fixture as records by table, in any of the serializations `loaddata` reads (JSON, YAML or XML,
    told by `path`'s extension): `[{"model": "shop.plan", "pk": 1, "fields": {…}}]`, the same list in YAML,
    `<object model="shop.plan" pk="1"><field name="code">free</field></object>`. `table_of` maps `shop.plan`
    to its table."""
    found: dict[str, list[Record]] = {}
    for item in _fixture_items(text, path):
        if not isinstance(item, dict) or not isinstance(item.get("model"), str):
            continue
        fields = item.get("fields")
        fields = fields if isinstance(fields, dict) else {}
        record = [("id", sql_literal(item["pk"]) or "DEFAULT")] if "pk" in item else []
        record += [
            (name, literal) for name, value in fields.items() if (literal := sql_literal(value)) is not None
        ]
        found.setdefault(table_of(item["model"]), []).append(record)
    return found


def _fixture_items(text: str, path: str) -> list[object]:
    suffix = path.lower().rsplit(".", 1)[-1]
    try:
        if suffix in ("yaml", "yml"):
            items = yaml.safe_load(text)
        elif suffix == "xml":
            items = _xml_items(text)
        else:
            items = json.loads(text)
    except (ValueError, yaml.YAMLError, ElementTree.ParseError, DefusedXmlException):
        return []
    return items if isinstance(items, list) else []


def _xml_items(text: str) -> list[object]:
    """Django's XML serialization: each `<object>` with its `pk` and `<field>`s; `<None/>` is NULL, a value is
    a number where the field's type is one."""
    items: list[object] = []
    for element in defused.fromstring(text).iter("object"):
        fields: dict[str, object] = {}
        for field in element.iter("field"):
            name = field.get("name")
            if name is None or field.get("rel") == "ManyToManyRel":
                continue
            is_none = field.find("None") is not None
            fields[name] = (
                None if is_none else _xml_value(field.text or "", field.get("type", ""), field.get("rel"))
            )
        item: dict[str, object] = {"model": element.get("model"), "fields": fields}
        if element.get("pk") is not None:
            item["pk"] = _xml_value(element.get("pk") or "", "AutoField", None)
        items.append(item)
    return items


def _xml_value(text: str, kind: str, rel: str | None) -> object:
    if (rel or "Integer" in kind or kind.endswith("AutoField")) and re.fullmatch(r"-?\d+", text.strip()):
        return int(text)
    if kind.endswith("BooleanField") and text in ("True", "False"):
        return text == "True"
    return text
