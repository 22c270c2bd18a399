"""Liquibase change types (`addColumn`, `modifyDataType`, `sql`, `update`, …) as operations.

XML and YAML changelogs are first read into the same `Element` shape (name, attributes, children, text,
line), so one function per change type serves both. Change types Liquibase can roll back by itself
are listed in AUTOMATIC_ROLLBACK; the others need a `rollback` block.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.frameworks import seed_rows
from bot.frameworks.origin import Origin
from bot.frameworks.sqlfile import parse_sql
from bot.model.findings import Location
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    ColumnSpec,
    CreateTable,
    DataDelete,
    DataInsert,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    Unparsed,
)
from bot.sql.names import normalize_type

AUTOMATIC_ROLLBACK = frozenset(
    {
        "createTable",
        "addColumn",
        "renameColumn",
        "renameTable",
        "createIndex",
        "addNotNullConstraint",
        "dropNotNullConstraint",
        "addForeignKeyConstraint",
        "addUniqueConstraint",
        "addPrimaryKey",
        "createView",
        "addDefaultValue",
        "createSequence",
        "tagDatabase",
        "addLookupTable",
        "addAutoIncrement",
        "setTableRemarks",
        "setColumnRemarks",
        "renameView",
        "renameSequence",
    }
)
_PROPERTY = re.compile(r"\$\{[\w.-]+\}")
_COMPUTED_DATE = re.compile(
    r"(?i)(?:now|current_timestamp|current_date|localtimestamp|sysdate|getdate)(?:\(\))?"
)
_VALUE_KEYS = ("value", "valueNumeric", "valueBoolean", "valueDate", "valueComputed", "valueSequenceNext")
_DEFAULT_KEYS = (
    "defaultValue",
    "defaultValueNumeric",
    "defaultValueBoolean",
    "defaultValueDate",
    "defaultValueComputed",
)


@dataclass
class Element:
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Element] = field(default_factory=list)
    text: str = ""
    line: int = 1
    text_line: int = 1
    end_line: int = 0

    def get(self, key: str, default: str = "") -> str:
        return self.attrs.get(key, default)

    def all(self, name: str) -> list[Element]:
        return [c for c in self.children if c.name == name]


def operations(
    change: Element, path: str, dialect: str, tree_read: Callable[[str], str | None]
) -> list[Operation]:
    handler = _HANDLERS.get(change.name)
    if handler is None:
        return [
            Unparsed(error=f"the Liquibase change `{change.name}` is not understood", **_base(change, path))
        ]
    if change.name in ("sql", "sqlFile"):
        return _sql(change, path, dialect, tree_read)
    return handler(change, path, dialect)


def _base(e: Element, path: str) -> Origin:
    return {
        "location": Location(path, e.line),
        "end_line": max(e.end_line, e.line),
        "sql": f"<{e.name} {_attrs(e)}>",
    }


def _attrs(e: Element) -> str:
    return " ".join(f'{k}="{v}"' for k, v in e.attrs.items())


def _literal(e: Element, keys: tuple[str, ...]) -> str | None:
    for key in keys:
        if key in e.attrs:
            value = e.attrs[key]
            if key.endswith(("Computed", "Numeric", "Boolean")) or key == "valueSequenceNext":
                return value
            if _PROPERTY.fullmatch(value.strip()):
                return value.strip()  # `${now}`: a changelog property, filled in when the changelog runs
            if key == "valueDate" and _COMPUTED_DATE.fullmatch(value.strip()):
                return value.strip()  # `valueDate="NOW()"`, `CURRENT_TIMESTAMP`: computed by the database
            return "'" + value.replace("'", "''") + "'"
    return None


def _column(e: Element, dialect: str) -> ColumnSpec:
    constraints = next(iter(e.all("constraints")), Element("constraints"))
    primary = constraints.get("primaryKey") == "true"
    default = _literal(e, _DEFAULT_KEYS)
    return ColumnSpec(
        name=e.get("name").lower(),
        type=normalize_type(e.get("type"), dialect),
        nullable=constraints.get("nullable") != "false" and not primary,
        default=default,
        primary_key=primary,
        unique=constraints.get("unique") == "true",
        identity=e.get("autoIncrement") == "true",
        volatile_default="defaultValueComputed" in e.attrs
        and "(" in e.attrs["defaultValueComputed"]
        and "now" not in e.attrs["defaultValueComputed"].lower()
        and "current" not in e.attrs["defaultValueComputed"].lower(),
        references=_referenced_table(constraints),
        on_delete="cascade" if constraints.get("deleteCascade") == "true" else "",
    )


def _referenced_table(constraints: Element) -> str | None:
    """`referencedTableName="accounts"`, or the older `references="accounts(id)"` of the same element."""
    named = constraints.get("referencedTableName")
    if named:
        return named
    written = re.match(r"\s*([\w.$\"]+)", constraints.get("references"))
    return written.group(1).strip('"').lower() if written else None


def _table(e: Element) -> str:
    schema = e.get("schemaName").lower()
    name = e.get("tableName").lower()
    return f"{schema}.{name}" if schema and schema not in ("public", "dbo") else name


def _create_table(e: Element, path: str, dialect: str) -> list[Operation]:
    """A table; columns that each say `primaryKey="true"` make one primary key together, as Liquibase builds
    it (`PRIMARY KEY (enum_name, enum_id)`), not a key of each."""
    columns = tuple(_column(c, dialect) for c in e.all("column"))
    keyed = [c for c in columns if c.primary_key]
    if len(keyed) < 2:
        return [CreateTable(table=_table(e), columns=columns, **_base(e, path))]
    named = next(
        (
            k.get("primaryKeyName")
            for c in e.all("column")
            for k in c.all("constraints")
            if k.get("primaryKeyName")
        ),
        "",
    )
    key = AddConstraint(
        table=_table(e),
        name=named.lower(),
        constraint="primary_key",
        columns=tuple(c.name for c in keyed),
        **_base(e, path),
    )
    columns = tuple(dataclasses.replace(c, primary_key=False) if c.primary_key else c for c in columns)
    return [CreateTable(table=_table(e), columns=columns, constraints=(key,), **_base(e, path))]


def _add_column(e: Element, path: str, dialect: str) -> list[Operation]:
    return [
        AddColumn(table=_table(e), column=_column(c, dialect), **_base(c if c.line > e.line else e, path))
        for c in e.all("column")
    ]


def _drop_column(e: Element, path: str, dialect: str) -> list[Operation]:
    names = [e.get("columnName")] if e.get("columnName") else [c.get("name") for c in e.all("column")]
    return [DropColumn(table=_table(e), column=n.lower(), **_base(e, path)) for n in names]


def _rename_column(e: Element, path: str, dialect: str) -> list[Operation]:
    return [
        RenameColumn(
            table=_table(e),
            column=e.get("oldColumnName").lower(),
            new_name=e.get("newColumnName").lower(),
            **_base(e, path),
        )
    ]


def _modify_type(e: Element, path: str, dialect: str) -> list[Operation]:
    """`modifyDataType`; on MySQL and MariaDB Liquibase writes it as `ALTER TABLE t MODIFY c <newDataType>`,
    which redefines the whole column: what `newDataType` does not say (NOT NULL, DEFAULT), the column loses."""
    table, column, written = _table(e), e.get("columnName").lower(), e.get("newDataType")
    base = _base(e, path)
    if dialect not in ("mysql", "mariadb"):
        return [
            AlterColumnType(table=table, column=column, new_type=normalize_type(written, dialect), **base)
        ]
    typed = _NOT_NULL.sub("", _NULL.sub("", _DEFAULT.sub("", written))).strip()
    ops: list[Operation] = [
        AlterColumnType(
            table=table, column=column, new_type=normalize_type(typed, dialect), restated=True, **base
        )
    ]
    if _NOT_NULL.search(written):
        ops.append(SetNotNull(table=table, column=column, restated=True, **base))
    else:
        ops.append(DropNotNull(table=table, column=column, implied=_NULL.search(written) is None, **base))
    if _DEFAULT.search(written) is None:
        ops.append(SetDefault(table=table, column=column, default=None, implied=True, **base))
    return ops


# What a `newDataType` may say besides the type (`BIGINT NOT NULL`, `VARCHAR(40) DEFAULT ''`)
_NOT_NULL = re.compile(r"\bNOT\s+NULL\b", re.I)
_NULL = re.compile(r"(?<!NOT )\bNULL\b", re.I)
_DEFAULT = re.compile(r"\bDEFAULT\b.*$", re.I | re.S)


def _modify_column(e: Element, path: str, dialect: str) -> list[Operation]:
    """The `modifyColumn` extension (`<ext:modifyColumn>`): each column's new type, and NOT NULL when its
    constraints say so (MySQL's `ALTER TABLE … MODIFY`)."""
    ops: list[Operation] = []
    for c in e.all("column"):
        base = _base(c if c.line > e.line else e, path)
        column = c.get("name").lower()
        if c.get("type"):
            new_type = normalize_type(c.get("type"), dialect)
            ops.append(AlterColumnType(table=_table(e), column=column, new_type=new_type, **base))
        constraints = next(iter(c.all("constraints")), Element("constraints"))
        if constraints.get("nullable") == "false":
            ops.append(SetNotNull(table=_table(e), column=column, restated=True, **base))
    return ops


def _not_null(e: Element, path: str, dialect: str) -> list[Operation]:
    table, column = _table(e), e.get("columnName").lower()
    ops: list[Operation] = []
    if e.get("defaultNullValue"):  # Liquibase fills NULLs first
        value = "'" + e.get("defaultNullValue").replace("'", "''") + "'"
        ops.append(
            DataUpdate(
                table=table,
                assignments=((column, value),),
                where=f"{column} IS NULL",
                reads=(column,),
                **_base(e, path),
            )
        )
    ops.append(SetNotNull(table=table, column=column, **_base(e, path)))
    return ops


def _drop_not_null(e: Element, path: str, dialect: str) -> list[Operation]:
    return [DropNotNull(table=_table(e), column=e.get("columnName").lower(), **_base(e, path))]


def _create_index(e: Element, path: str, dialect: str) -> list[Operation]:
    return [
        AddIndex(
            table=_table(e),
            name=e.get("indexName").lower(),
            columns=tuple(c.get("name").lower() for c in e.all("column")),
            unique=e.get("unique") == "true",
            **_base(e, path),
        )
    ]


def _drop_index(e: Element, path: str, dialect: str) -> list[Operation]:
    return [DropIndex(name=e.get("indexName").lower(), table=_table(e), **_base(e, path))]


def _foreign_key(e: Element, path: str, dialect: str) -> list[Operation]:
    return [
        AddConstraint(
            table=e.get("baseTableName").lower(),
            name=e.get("constraintName").lower(),
            constraint="foreign_key",
            columns=tuple(c.strip().lower() for c in e.get("baseColumnNames").split(",") if c.strip()),
            references=e.get("referencedTableName").lower(),
            not_valid=e.get("validate") == "false",
            # `onDelete="CASCADE"`, or the older `deleteCascade="true"`
            on_delete="cascade"
            if e.get("deleteCascade") == "true"
            else " ".join(e.get("onDelete").lower().split()),
            on_update=" ".join(e.get("onUpdate").lower().split()),
            **_base(e, path),
        )
    ]


def _unique(e: Element, path: str, dialect: str) -> list[Operation]:
    kind = "primary_key" if e.name == "addPrimaryKey" else "unique"
    return [
        AddConstraint(
            table=_table(e),
            name=e.get("constraintName").lower(),
            constraint=kind,
            columns=tuple(c.strip().lower() for c in e.get("columnNames").split(",") if c.strip()),
            using_index=e.get("forIndexName") or None,
            **_base(e, path),
        )
    ]


def _drop_constraint(e: Element, path: str, dialect: str) -> list[Operation]:
    table = e.get("baseTableName").lower() or _table(e)
    return [DropConstraint(table=table, name=e.get("constraintName").lower(), **_base(e, path))]


def _default(e: Element, path: str, dialect: str) -> list[Operation]:
    default = _literal(e, _DEFAULT_KEYS) if e.name == "addDefaultValue" else None
    return [
        SetDefault(table=_table(e), column=e.get("columnName").lower(), default=default, **_base(e, path))
    ]


def _drop_table(e: Element, path: str, dialect: str) -> list[Operation]:
    return [DropTable(table=_table(e), cascade=e.get("cascadeConstraints") == "true", **_base(e, path))]


def _rename_table(e: Element, path: str, dialect: str) -> list[Operation]:
    return [
        RenameTable(
            table=e.get("oldTableName").lower(), new_name=e.get("newTableName").lower(), **_base(e, path)
        )
    ]


def _update(e: Element, path: str, dialect: str) -> list[Operation]:
    assignments = tuple((c.get("name").lower(), _literal(c, _VALUE_KEYS) or "NULL") for c in e.all("column"))
    where = next((w.text.strip() for w in e.all("where")), e.get("where")) or None
    return [DataUpdate(table=_table(e), assignments=assignments, where=where, **_base(e, path))]


def _delete(e: Element, path: str, dialect: str) -> list[Operation]:
    where = next((w.text.strip() for w in e.all("where")), e.get("where")) or None
    return [DataDelete(table=_table(e), where=where, **_base(e, path))]


def _insert(e: Element, path: str, dialect: str) -> list[Operation]:
    """`<insert>`: one row, its values as SQL (a computed one, `valueComputed="NOW()"` or `valueDate="${now}"`,
    as written), so the catalog records the row as a seed like an `INSERT … VALUES`."""
    record = [(c.get("name").lower(), _literal(c, _VALUE_KEYS) or "NULL") for c in e.all("column")]
    columns, rows = seed_rows.values_rows([record])
    return [DataInsert(table=_table(e), columns=columns, rows=rows, **_base(e, path))]


def _sql(e: Element, path: str, dialect: str, tree_read: Callable[[str], str | None]) -> list[Operation]:
    if e.name == "sql":
        return list(parse_sql(path, e.text or e.get("sql"), dialect, first_line=e.text_line))
    target = e.get("path")
    if e.get("relativeToChangelogFile") == "true" and "/" in path:
        target = f"{path.rsplit('/', 1)[0]}/{target}"
    text = tree_read(target) if target else None
    if text is None:
        return [Unparsed(error=f"`sqlFile` `{target}` was not found", **_base(e, path))]
    return list(parse_sql(target, text, dialect))


def _nothing(e: Element, path: str, dialect: str) -> list[Operation]:
    return []


def _named(e: Element, key: str) -> str:
    """The object a change names (`sequenceName`, `viewName`), with its `schemaName`."""
    schema = e.get("schemaName")
    return f"{schema}.{e.get(key)}" if schema else e.get(key)


def _statement(build: Callable[[Element], str]) -> Callable[[Element, str, str], list[Operation]]:
    """A change read as the statement Liquibase sends for it, at the change's line."""

    def read(e: Element, path: str, dialect: str) -> list[Operation]:
        return list(parse_sql(path, build(e), dialect, first_line=e.line))

    return read


def _create_sequence(e: Element) -> str:
    start, step = e.get("startValue"), e.get("incrementBy")
    return (
        f"CREATE SEQUENCE {_named(e, 'sequenceName')}"
        + (f" START WITH {start}" if start.lstrip("-").isdigit() else "")
        + (f" INCREMENT BY {step}" if step.lstrip("-").isdigit() else "")
    )


def _create_view(e: Element) -> str:
    replace = "OR REPLACE " if e.get("replaceIfExists") == "true" else ""
    return f"CREATE {replace}VIEW {_named(e, 'viewName')} AS {(e.text or e.get('selectQuery')).strip()}"


_HANDLERS: dict[str, Callable[[Element, str, str], list[Operation]]] = {
    "createTable": _create_table,
    "addColumn": _add_column,
    "dropColumn": _drop_column,
    "renameColumn": _rename_column,
    "modifyDataType": _modify_type,
    "modifyColumn": _modify_column,
    "addNotNullConstraint": _not_null,
    "dropNotNullConstraint": _drop_not_null,
    "createIndex": _create_index,
    "dropIndex": _drop_index,
    "addForeignKeyConstraint": _foreign_key,
    "addUniqueConstraint": _unique,
    "addPrimaryKey": _unique,
    "dropForeignKeyConstraint": _drop_constraint,
    "dropUniqueConstraint": _drop_constraint,
    "dropPrimaryKey": _drop_constraint,
    "addDefaultValue": _default,
    "dropDefaultValue": _default,
    "dropTable": _drop_table,
    "renameTable": _rename_table,
    "update": _update,
    "delete": _delete,
    "insert": _insert,
    "createSequence": _statement(_create_sequence),
    "dropSequence": _statement(lambda e: f"DROP SEQUENCE {_named(e, 'sequenceName')}"),
    "createView": _statement(_create_view),
    "dropView": _statement(lambda e: f"DROP VIEW {_named(e, 'viewName')}"),
    "sql": _nothing,
    "sqlFile": _nothing,
    "tagDatabase": _nothing,
    "comment": _nothing,
    "setTableRemarks": _nothing,
    "setColumnRemarks": _nothing,
    "output": _nothing,
    "empty": _nothing,
    "preConditions": _nothing,
    "validCheckSum": _nothing,
    "modifySql": _nothing,  # rewrites the SQL of the changeSet's changes for a database; changes nothing itself
}
