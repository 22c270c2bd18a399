"""Data-migration code in Python (Django `RunPython` functions, Alembic `upgrade()` bodies) as operations.

What can be recognised becomes a typed operation at its own line: an ORM `update()` or `delete()` on a
queryset, `bulk_update` (batched when given a `batch_size`), a loop that saves rows one at a time, and
SQL passed to `execute`. The rest is RunCode, with the tables the code names in `touches`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from bot.frameworks import python_source as py
from bot.frameworks import seed_rows
from bot.frameworks.django_orm import OrmSql, excluded
from bot.frameworks.origin import Origin
from bot.frameworks.python_batches import range_loop, range_step
from bot.frameworks.python_imports import Helper
from bot.frameworks.sqlfile import parse_sql
from bot.model.findings import Location
from bot.model.migration import (
    PLACEHOLDER,
    DataDelete,
    DataInsert,
    DataUpdate,
    DiscardedEdit,
    JoinedFieldUpdate,
    Operation,
    StringAsFieldUpdate,
    Unparsed,
    UnreadDataChange,
    by_own_key,
)

_EXECUTE = frozenset({"execute", "exec_driver_sql", "executemany"})
# str methods: each answers a new string, the one it is called on stays as it was
_STRING_COPIES = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "lower",
        "upper",
        "title",
        "capitalize",
        "casefold",
        "swapcase",
        "removeprefix",
        "removesuffix",
        "translate",
        "zfill",
        "expandtabs",
    }
)
# a DB-API parameter (`%s`, `%(batch)s`) in SQL executed with parameters; `%%` is a literal percent sign there
_PARAMETER = re.compile(r"%(?:\(\w+\))?s|%%")


def _bind_placeholders(sql: str) -> str:
    """`LIMIT %s` sent with `[BATCH]`: each parameter read as the stand-in for a value the code fills in."""
    return _PARAMETER.sub(lambda m: "%" if m.group() == "%%" else PLACEHOLDER, sql)


# Queryset methods that return one row (or a value), not a queryset
_ONE_ROW = frozenset(
    {"first", "last", "get", "earliest", "latest", "count", "exists", "aggregate", "in_bulk"}
)
_TASK_CALLS = frozenset({"delay", "apply_async"})  # Celery's ways of sending a task to a worker
# Django's query expressions: a value built from them is SQL computed from each row's own columns
_EXPRESSIONS = frozenset(
    {
        "F",
        "Value",
        "Cast",
        "Concat",
        "Func",
        "Case",
        "When",
        "ExpressionWrapper",
        "Coalesce",
        "Upper",
        "Lower",
    }
    | {"Round", "Trim", "NullIf", "Greatest", "Least", "Left", "Right", "Substr", "Replace", "Abs"}
)
_WRITES = frozenset(
    {"update", "delete", "bulk_update", "bulk_create", "create", "get_or_create", "update_or_create"}
)
# Queryset methods that keep the rows a later update() or delete() writes (`using(db_alias)` picks the
# database connection, as data migrations that honour a multi-database setup write it).
_ITERATE = frozenset(
    {
        "iterator",
        "all",
        "filter",
        "exclude",
        "select_related",
        "prefetch_related",
        "only",
        "defer",
        "order_by",
        "values_list",
        "using",
        "distinct",
        "select_for_update",
        "annotate",
        "alias",
    }
)


class CodeReader:
    """Reads one function body; `tables` maps the names code uses for models to their tables."""

    def __init__(
        self,
        text: str,
        path: str,
        dialect: str,
        table_of: Callable[[str], str | None],
        functions: dict[str, ast.FunctionDef] | None = None,
        fixtures: Callable[[str, Origin], list[Operation]] | None = None,
        constants: dict[str, ast.expr] | None = None,
        model_table: Callable[[str, str], str] | None = None,
        column_of: Callable[[str, str], str] | None = None,
        relation_of: Callable[[str, str], tuple[str, str, str] | None] | None = None,
        ordering_of: Callable[[str, str], tuple[str, ...]] | None = None,
        imported: Callable[[str], Helper | None] | None = None,
    ) -> None:
        self.text, self.path, self.dialect, self.table_of = text, path, dialect, table_of
        self.fixtures = fixtures  # the rows of a fixture `loaddata` loads, by its name
        self.constants = constants or {}  # the module's names bound to a literal (`ARCHIVED = "archived"`)
        self.functions = functions or {}  # the module's functions, read where the code calls them
        self.entered: list[str] = []
        self.aliases: dict[str, str] = {}  # a helper's parameter → the model name the caller passed
        self.flushed: set[str] = set()  # lists a loop writes out in slices
        self.ops: list[Operation] = []
        self.discards: list[DiscardedEdit] = []  # edited copies of a row's text the code drops
        self.touches: list[str] = []
        self.querysets: dict[str, str] = {}  # local variable → the table of the queryset it holds
        self.model_table = model_table  # (app label, model name) → its table, for models named at run time
        self.loop_models: dict[str, str] = {}  # a model variable bound per pass of a loop → its table now
        self.column_of = column_of or (lambda table, field: field)  # (table, field name) → its column
        # (table, field name) → (its key column, the related table, that table's key) for a foreign key
        self.relation_of = relation_of
        # (a table, the name the code uses for its model) → the fields its model's Meta orders every queryset
        # by (`ordering`, or `_order` under `order_with_respect_to`)
        self.ordering_of = ordering_of or (lambda table, model: ())
        # a function the module imports from the project's own code that writes data (python_imports)
        self.imported = imported
        self.assigned: dict[str, ast.expr] = {}  # local name → the expression last bound to it
        self.set_on: dict[str, dict[str, str]] = {}  # a fetched row's local → the columns set on it, as SQL
        self.nested: dict[str, ast.FunctionDef] = {}  # functions defined inside the code read
        # a loop's name for the keys of a queryset's rows, taken in slices (`for ids in batches(qs)`) →
        # the condition of that queryset: `filter(id__in=ids)` selects rows that meet it
        self.key_batches: dict[str, str] = {}
        # lists a loop fills with the rows it sets attributes on → the position of that loop's UPDATE in `ops`
        self.collected: dict[str, int] = {}

    def read(self, body: list[ast.stmt]) -> None:
        for statement in body:
            self._statement(statement)

    def _statement(self, node: ast.stmt) -> None:
        if isinstance(node, ast.FunctionDef):  # read where the code calls it or connects it to a signal
            self.nested[node.name] = node
            return
        if isinstance(node, ast.For | ast.AsyncFor):
            self._loop(node)
            return
        if isinstance(node, ast.While) and self._batch_loop(node):
            return
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(target := node.targets[0], ast.Attribute)
            and isinstance(target.value, ast.Name)
            and target.value.id in self.querysets
        ):  # `admin.role = "owner"`, written by a later `admin.save()`
            owner = self.querysets[target.value.id]
            column = self.column_of(owner, target.attr) or target.attr
            self.set_on.setdefault(target.value.id, {})[column] = self._sql(node.value)
            return
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            self._sliced_keys(node.targets[0].id, node.value)
            self.assigned[node.targets[0].id] = node.value
            self.collected.pop(node.targets[0].id, None)  # a new list: a later loop fills it, or none
            self.set_on.pop(node.targets[0].id, None)
            table = self._queryset_table(node.value)
            if table is not None and py.name(node.value) not in _WRITES:
                self.querysets[node.targets[0].id] = table
                return
        for call in _calls(node):
            self._call(call)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and not isinstance(child, ast.FunctionDef):
                self._statement(child)

    def _loop(self, node: ast.For | ast.AsyncFor) -> None:
        node = _enumerated(node)
        if self._model_loop(node):
            return
        # `for row in qs[i:i + 1000]`, `for row in paginator.page(n).object_list`: the rows of the queryset,
        # a page at a time; pages taken by OFFSET from a queryset with no order can skip or repeat rows
        queryset, pages = self._paged(node.iter)
        if queryset is None:
            self._rows_loop(node)
            return
        start = len(self.ops)
        self._rows_loop(_over(node, queryset))
        if pages:
            self.ops[start:] = [
                replace(op, pages=pages) if isinstance(op, DataUpdate | DataDelete) else op
                for op in self.ops[start:]
            ]

    def _paged(self, iterated: ast.expr) -> tuple[ast.expr | None, str]:
        """The queryset a loop takes page by page (a slice with a moving start, a Paginator's page) and, when
        nothing orders it, how the code takes the pages; (None, "") for any other loop."""
        shown = ast.unparse(iterated)
        node = (
            iterated.value
            if isinstance(iterated, ast.Attribute) and iterated.attr == "object_list"
            else iterated
        )
        if isinstance(node, ast.Name):
            node = self.assigned.get(node.id, node)
            if isinstance(node, ast.Attribute) and node.attr == "object_list":
                node = node.value
        while isinstance(node, ast.Call) and py.name(node) in ("list", "tuple") and len(node.args) == 1:
            node = node.args[0]  # `list(qs[i:i + 1000])`: the same page, fetched at once
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            lower = node.slice.lower
            if lower is None or (isinstance(lower, ast.Constant) and lower.value in (0, None)):
                return None, ""  # the first rows each pass: a loop that ends when none is left
            queryset = node.value
        elif (
            isinstance(node, ast.Call)
            and py.name(node) in ("page", "get_page")
            and isinstance(node.func, ast.Attribute)
        ):
            owner = node.func.value
            made = self.assigned.get(owner.id) if isinstance(owner, ast.Name) else owner
            if not isinstance(made, ast.Call) or py.name(made) != "Paginator" or not made.args:
                return None, ""
            queryset, shown = made.args[0], ast.unparse(made)
        else:
            return None, ""
        table = self._queryset_table(queryset)
        if table is None:
            return None, ""
        return queryset, "" if self._ordered(queryset, table) else shown

    def _ordered(self, node: ast.expr, table: str) -> bool:
        """Does the queryset's chain (through the names it was assigned to) call `order_by(…)`, or else does its
        model's Meta order it? An `order_by()` with nothing in it takes that order away."""
        seen, model = 0, ""
        while seen < 20:
            seen += 1
            if isinstance(node, ast.Name) and not model and self.table_of(node.id) is not None:
                model = node.id  # the name the code uses for the model: imported, or got from `apps`
            if isinstance(node, ast.Name) and node.id in self.assigned:
                node = self.assigned[node.id]
            elif isinstance(node, ast.Call):
                if py.name(node) == "order_by":
                    return bool(node.args)
                node = node.func
            elif isinstance(node, ast.Attribute | ast.Subscript):
                node = node.value
            else:
                return bool(self.ordering_of(table, model))
        return False

    def _rows_loop(self, node: ast.For | ast.AsyncFor) -> None:
        table = self._queryset_table(node.iter)
        if table is not None:
            self._discarded(node, table)
        calls = [c for stmt in node.body for c in ast.walk(stmt) if isinstance(c, ast.Call)]
        body_calls = [py.name(c) for c in calls]
        # Rows flushed from inside the loop (`if len(rows) > 100: bulk_update(rows); rows = []`): the flush
        # after the loop writes the remainder only.
        self.flushed.update(
            c.args[0].id
            for c in calls
            if py.name(c) in ("bulk_update", "bulk_create") and c.args and isinstance(c.args[0], ast.Name)
        )
        related = _related_saves(node)
        if table is not None and related and not _sets_attributes(node):
            # `for m in Membership.objects…: invoice = m.invoice; invoice.x = …; invoice.save()`: the rows
            # written are another model's, reached through each row; which table is not read here
            self.ops.append(
                UnreadDataChange(
                    runs=f"`{related[0]}.save()` in the loop over `{table}`",
                    how="a write to rows reached through a relation of each row, whose table the review does "
                    "not resolve",
                    check=f"Check which table `{related[0]}` belongs to, which of its columns the loop sets, and "
                    "how the down migration restores them",
                    **self._base(node),
                )
            )
            return
        iterated = self.assigned.get(node.iter.id) if isinstance(node.iter, ast.Name) else node.iter
        where = (
            self._where(ast.Call(func=ast.Attribute(value=iterated, attr="all"), args=[], keywords=[]))
            if table is not None and isinstance(iterated, ast.Call)
            else None
        )
        if table is not None and (
            any(_writes_rows(c, self.querysets) for c in calls) or _sets_attributes(node)
        ):
            guards = [f"{self.column_of(table, a) or a} IS NULL" for a in _null_guards(node)]
            where = " AND ".join(part for part in (where, *guards) if part) or None
            assignments = self._set_on_each(node, table)
            assignments += self._bulk_updated(calls, table, {column for column, _ in assignments})
            # the rows written back later: those the loop appends to a list, or the list it iterates itself
            # (`rows = list(Model.objects…)`; `for row in rows: row.x = …`; `bulk_update(rows, […])`)
            iterated_list = [node.iter.id] if isinstance(node.iter, ast.Name) else []
            self.collected.update(dict.fromkeys([*_collected(node), *iterated_list], len(self.ops)))
            update = self._loop_update(table, assignments, where, node)
            # a write per pass (`row.save()`, `Model.objects.filter(pk=row.pk).update(…)`): one statement for each
            # row, all of them in the migration's transaction unless the code commits
            each = (
                f"for each row of `{ast.unparse(node.iter)}`"
                if _writes_each_row(calls, self.querysets)
                else ""
            )
            self.ops.append(replace(update, saves="each" if _saves_each(node) else "", batches=each))
        elif table is not None and "delete" in body_calls:
            # each row's `delete()` runs Django's collector: the models' `on_delete` act, as for a queryset's
            in_code = not (isinstance(iterated, ast.expr) and _sqlalchemy_query(iterated))
            self.ops.append(
                DataDelete(
                    table=table, where=where, batched=True, cascades_in_code=in_code, **self._base(node)
                )
            )
        else:
            self._batch_keys(node)
            for call in _calls(node.iter):
                self._call(call)
            start = len(self.ops)
            self.read(node.body)
            # Each pass of the loop changes its own slice of rows: the work is split; a `range()` loop moves
            # the key range its querysets bound by its step
            ranged = range_loop(node) is not None
            self.ops[start:] = [
                replace(
                    op, batched=True, step=op.step or (range_step(node, op.location.line) if ranged else None)
                )
                if isinstance(op, DataUpdate | DataDelete)
                else op
                for op in self.ops[start:]
            ]

    def _discarded(self, loop: ast.For | ast.AsyncFor, table: str) -> None:
        """`row.name.strip()` as a statement in a loop over a queryset's rows: Python's strings do not change,
        the edited copy is dropped and the row keeps its value (a `row.save()` after it writes it unchanged)."""
        if not isinstance(loop.target, ast.Name):
            return
        record = loop.target.id
        statements = [
            n for n in ast.walk(ast.Module(body=loop.body, type_ignores=[])) if isinstance(n, ast.Expr)
        ]
        for statement in statements:
            call = statement.value
            if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                continue
            owner = call.func.value
            if (
                call.func.attr not in _STRING_COPIES
                or not isinstance(owner, ast.Attribute)
                or not _is_name(owner.value, record)
            ):
                continue
            saves = [
                c.lineno
                for c in ast.walk(ast.Module(body=loop.body, type_ignores=[]))
                if isinstance(c, ast.Call)
                and py.name(c) == "save"
                and isinstance(c.func, ast.Attribute)
                and _is_name(c.func.value, record)
                and c.lineno > statement.lineno
            ]
            self.discards.append(
                DiscardedEdit(
                    table=table,
                    column=self.column_of(table, owner.attr) or owner.attr,
                    method=call.func.attr,
                    saved=min(saves, default=0),
                    **self._base(statement),
                )
            )

    def _batch_loop(self, loop: ast.While) -> bool:
        """`while True:` taking a slice of a queryset's rows each pass (`ids = list(qs.values_list("id",
        flat=True)[:1000])`, `qs[:1000]`) and changing those, until none is left (`if not ids: break`): each
        pass changes one batch, the rows the sliced queryset selects; False (read as any other statement)
        when the loop takes no slice or never ends on its own."""
        ends = not (isinstance(loop.test, ast.Constant) and loop.test.value) or any(
            isinstance(n, ast.Break | ast.Return) for n in ast.walk(loop)
        )
        sliced = [
            n.value
            for n in ast.walk(loop)
            if isinstance(n, ast.Subscript) and isinstance(n.slice, ast.Slice) and n.slice.upper is not None
        ]
        sources: list[tuple[str, str | None]] = []
        for value in sliced:
            held = self.assigned.get(value.id) if isinstance(value, ast.Name) else value
            table = self._queryset_table(value)
            if table is None or not isinstance(held, ast.Call):
                continue
            where = self._where(ast.Call(func=ast.Attribute(value=held, attr="all"), args=[], keywords=[]))
            sources.append((table, where))
        if not ends or not sources:
            return False
        for call in _calls(loop.test):
            self._call(call)
        start = len(self.ops)
        self.read(loop.body)
        conditions = dict(sources)
        self.ops[start:] = [
            replace(op, batched=True, where=_with_source(op.where, conditions.get(op.table)))
            if isinstance(op, DataUpdate | DataDelete) and op.table in conditions
            else op
            for op in self.ops[start:]
        ]
        return True

    def _sliced_keys(self, name: str, value: ast.expr) -> None:
        """`ids = list(Order.objects.filter(…).values_list("id", flat=True)[:1000])`: the keys of a slice of a
        queryset's rows; a later `filter(id__in=ids)` picks rows that meet its condition."""
        self.key_batches.pop(name, None)
        while isinstance(value, ast.Call) and py.name(value) in ("list", "tuple", "set") and value.args:
            value = value.args[0]
        if not isinstance(value, ast.Subscript) or not isinstance(value.slice, ast.Slice):
            return
        held = self.assigned.get(value.value.id) if isinstance(value.value, ast.Name) else value.value
        if self._queryset_table(value.value) is None or not isinstance(held, ast.Call):
            return
        where = self._where(ast.Call(func=ast.Attribute(value=held, attr="all"), args=[], keywords=[]))
        if where:
            self.key_batches[name] = where

    def _batch_keys(self, loop: ast.For | ast.AsyncFor) -> None:
        """`for ids in queryset_in_batches(qs)`: the keys of the rows of the local queryset `qs` (filtered),
        a slice at a time; a later `filter(id__in=ids)` picks rows that meet `qs`'s condition."""
        if not isinstance(loop.target, ast.Name) or not isinstance(loop.iter, ast.Call):
            return
        given = [a for a in loop.iter.args if isinstance(a, ast.Name) and a.id in self.querysets]
        held = self.assigned.get(given[0].id) if len(given) == 1 else None
        where = (
            self._where(ast.Call(func=ast.Attribute(value=held, attr="all"), args=[], keywords=[]))
            if isinstance(held, ast.Call)
            else None
        )
        if where:
            self.key_batches[loop.target.id] = where

    def _set_on_each(self, loop: ast.For | ast.AsyncFor, table: str) -> tuple[tuple[str, str], ...]:
        """`for order in Order.objects.filter(label__isnull=True): order.label = "none"; order.save()`: the
        columns each pass sets and their values (an attribute of the row read as its column), as the
        UPDATE of the rows the loop reads would set them."""
        target = loop.target.id if isinstance(loop.target, ast.Name) else None
        found: dict[str, str] = {}
        for statement in loop.body:
            for node in ast.walk(statement):
                if not isinstance(node, ast.Assign) or target is None:
                    continue
                for written in node.targets:
                    if isinstance(written, ast.Attribute) and _is_name(written.value, target):
                        value = node.value
                        column = self.column_of(table, written.attr) or written.attr
                        if isinstance(value, ast.Attribute) and _is_name(value.value, target):
                            found.setdefault(column, self.column_of(table, value.attr) or value.attr)
                        else:
                            found.setdefault(
                                column,
                                self._expression_sql(value, table)
                                or self._row_python(value, target, table)
                                or self._sql(value),
                            )
        return tuple(found.items())

    def _bulk_updated(
        self, calls: list[ast.Call], table: str, known: set[str]
    ) -> tuple[tuple[str, str], ...]:
        """The columns a `bulk_update(rows, ["created_date"])` of the loop's own table inside the loop names,
        each row's own value: the loop builds its rows (`rows.append(Document(id=…, created_date=…))`) and
        writes those columns only (paperless-ngx's migrate_date). Those the loop sets on its rows come first."""
        found: dict[str, str] = {}
        for call in calls:
            if (
                py.name(call) != "bulk_update"
                or not isinstance(call.func, ast.Attribute)
                or self._queryset_table(call.func.value) != table
            ):
                continue
            fields = py.literal(py.argument(call, 1, "fields") or ast.Constant(None))
            for field in fields if isinstance(fields, list | tuple) else ():
                column = self.column_of(table, field) or field if isinstance(field, str) else None
                if column is not None and column not in known:
                    found.setdefault(column, "…")
        return tuple(found.items())

    def _row_python(self, value: ast.expr, row: str, table: str) -> str | None:
        """Python the loop computes from the row's own fields, as the SQL that computes the same on the column:
        `row.email.lower()` is `lower(email)`, `row.code.strip()` is `btrim(code)`, `row.name.replace("-", "")`
        is `replace(name, '-', '')`, `row.price * 100` is `price * 100`. None for anything else (a helper
        function, a lookup in a dict): its value is unknown here."""
        if isinstance(value, ast.Attribute) and _is_name(value.value, row):
            return self.column_of(table, value.attr) or value.attr
        if isinstance(value, ast.JoinedStr):
            return self._formatted(value, row, table)
        if (
            isinstance(value, ast.Call)
            and py.name(value) == "str"
            and len(value.args) == 1
            and not value.keywords
        ):
            return self._as_text(value.args[0], row, table)
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
            inner = self._row_python(value.func.value, row, table)
            method = value.func.attr
            if inner is None:
                return None
            if method in _STRING_METHODS and not value.args and not value.keywords:
                return f"{_STRING_METHODS[method]}({inner})"
            if method == "replace" and len(value.args) == 2 and not value.keywords:
                old, new = (sql_value(a) for a in value.args)
                if old is not None and new is not None and old.startswith("'") and new.startswith("'"):
                    return f"replace({inner}, {old}, {new})"
            return None
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add | ast.Sub | ast.Mult):
            left = self._row_python(value.left, row, table) or sql_value(value.left)
            right = self._row_python(value.right, row, table) or sql_value(value.right)
            if (
                left is None
                or right is None
                or not any(self._row_python(side, row, table) for side in (value.left, value.right))
            ):
                return None
            text = any(v.startswith("'") for v in (left, right))
            if text and not isinstance(value.op, ast.Add):
                return None
            symbol = "||" if text else {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}[type(value.op)]
            return f"{left} {symbol} {right}"
        return None

    def _formatted(self, value: ast.JoinedStr, row: str, table: str) -> str | None:
        """`f"{row.first_name} {row.last_name}"` as the SQL that computes the same text: Python formats a field
        that is None as 'None', so each field reads as `coalesce(column, 'None')`. None when a part is anything
        but a constant or a field of the row formatted plainly."""
        parts: list[str] = []
        for part in value.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                parts.append(sql_value(part) or "''")
                continue
            plain = (
                isinstance(part, ast.FormattedValue)
                and part.format_spec is None
                and part.conversion in (-1, 115)
            )
            text = (
                self._as_text(part.value, row, table)
                if isinstance(part, ast.FormattedValue) and plain
                else None
            )
            if text is None:
                return None
            parts.append(text)
        return f"concat({', '.join(parts)})"

    def _as_text(self, value: ast.expr, row: str, table: str) -> str | None:
        """`str(row.name)`, `{row.name}` in an f-string: the field's text, 'None' where it is None."""
        if isinstance(value, ast.Attribute) and _is_name(value.value, row):
            return f"coalesce({self.column_of(table, value.attr) or value.attr}, 'None')"
        return None

    def _loop_update(
        self, table: str, assignments: tuple[tuple[str, str], ...], where: str | None, node: ast.stmt
    ) -> DataUpdate:
        """The UPDATE a loop over rows amounts to; read as SQL (its expressions for the rules that judge them)
        when every value is known."""
        update = DataUpdate(
            table=table, assignments=assignments, where=where, batched=True, **self._base(node)
        )
        if not assignments or any(PLACEHOLDER in sql for _, sql in assignments):
            return update
        sets = ", ".join(f"{column} = {sql}" for column, sql in assignments)
        parsed = parse_sql(self.path, f"UPDATE {table} SET {sets}", self.dialect)
        if len(parsed) != 1 or not isinstance(parsed[0], DataUpdate):
            return update
        return replace(parsed[0], spelled_out=False, where=where, batched=True, **self._base(node))

    def _expression_sql(self, value: ast.expr, table: str) -> str | None:
        """A query expression set on each row (`row.total = F("price") * 100`, `Cast(…)`, `Concat(…)`), which
        `bulk_update` and `save()` send as SQL computed from the row's own columns; None for any other value."""
        if not any(isinstance(n, ast.Call) and py.name(n) in _EXPRESSIONS for n in ast.walk(value)):
            return None
        orm = OrmSql(self._model_of, self.column_of, self._literal, self.assigned.get)
        orm.aliases[""] = table
        return orm.value(value, "", table)

    def _model_loop(self, node: ast.For | ast.AsyncFor) -> bool:
        """`for name in CABLED_MODELS: model = apps.get_model("dcim", name)`: the body read once per model
        named in a literal or a module constant, so each model's update is its own statement."""
        if self.model_table is None or not isinstance(node.target, ast.Name):
            return False
        models = self._get_models(node.iter)
        if models:
            for table in models:
                self.loop_models[node.target.id] = table
                self.read(node.body)
            self.loop_models.pop(node.target.id, None)
            return True
        names = self._strings(node.iter)
        bound = []
        for statement in node.body:
            value = (
                statement.value if isinstance(statement, ast.Assign) and len(statement.targets) == 1 else None
            )
            if not isinstance(value, ast.Call) or py.name(value) != "get_model":
                continue
            arguments = py.get_model_nodes(value)
            if len(arguments) != 2:
                continue
            app, model = arguments
            if (
                isinstance(model, ast.Name)
                and model.id == node.target.id
                and isinstance(py.literal(app), str)
            ):
                target = statement.targets[0] if isinstance(statement, ast.Assign) else None
                if isinstance(target, ast.Name):
                    bound.append((target.id, str(py.literal(app))))
        if not names or len(bound) != 1:
            return False
        variable, label = bound[0]
        for name in names:
            self.loop_models[variable] = self.model_table(label, name)
            self.read(node.body)
        self.loop_models.pop(variable, None)
        return True

    def _get_models(self, node: ast.expr) -> list[str]:
        """The tables of `(apps.get_model("dcim", "Interface"), …)`, written in place or bound to a name, or
        of a tuple of model variables bound before (`(Interface, InterfaceTemplate)`)."""
        if isinstance(node, ast.Name) and node.id in self.assigned:
            node = self.assigned[node.id]
        items = node.elts if isinstance(node, ast.Tuple | ast.List) else []
        found = []
        for item in items:
            if isinstance(item, ast.Name):  # a model bound before the loop: `for model in (Interface, …)`
                found.append(self._model_of(item) or "")
                continue
            args = py.get_model_arguments(item) if isinstance(item, ast.Call) else []
            if py.name(item) != "get_model" or len(args) != 2 or not all(isinstance(a, str) for a in args):
                return []
            found.append(self.model_table(str(args[0]), str(args[1])) if self.model_table else "")
        return found if all(found) else []

    def _strings(self, node: ast.expr) -> list[str]:
        if isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        value = py.literal(node)
        if isinstance(value, tuple | list) and value and all(isinstance(v, str) for v in value):
            return [str(v) for v in value]
        return []

    def _call(self, call: ast.Call) -> None:
        method = py.name(call)
        local = self.nested.get(method) or self.functions.get(method)
        if isinstance(call.func, ast.Name) and local is not None and method not in self.entered:
            self._enter(local, call)
            return
        if method in _EXECUTE and call.args:
            self._execute(call)
            return
        if (
            method == "call_command"
            and self.fixtures is not None
            and py.literal(py.argument(call, 0, "")) == "loaddata"
        ):
            for label in call.args[1:]:
                name = py.literal(label)
                if isinstance(name, str):
                    self.ops.extend(self.fixtures(name, self._base(call)))
            return
        if method == "connect" and isinstance(call.func, ast.Attribute) and call.args:
            # `post_migrate.connect(on_complete)`: the handler runs after the migrations; its writes are
            # this migration's
            handler = py.name(call.args[0])
            function = self.nested.get(handler) or self.functions.get(handler)
            if py.dotted(call.func.value).endswith("post_migrate") and function is not None:
                if handler not in self.entered:
                    self.entered.append(handler)
                    self.read(function.body)
                    self.entered.pop()
                return
        unread = self._unread(call, method)
        if unread is not None:
            self.ops.append(unread)
            return
        if isinstance(call.func, ast.Name) and self.imported is not None:
            helper = self.imported(method)
            if helper is not None:
                shown = helper.writes if len(helper.writes) <= 70 else helper.writes[:67] + "..."
                self.ops.append(
                    UnreadDataChange(
                        runs=f"`{method}()`",
                        how=f"a function of the project whose code writes rows (`{shown}`) where the review does "
                        "not read it: what it changes is not checked here",
                        check=f"Read `{method}` in `{helper.path}` for the rows it writes and check them as this "
                        "migration's own data change; a later edit of that function also changes what this "
                        "migration does on every database that has not run it yet",
                        code=Location(helper.path, helper.line),
                        **self._base(call),
                    )
                )
                return
        table = self._queryset_table(call.func.value) if isinstance(call.func, ast.Attribute) else None
        if table is None:
            if method in _WRITES and _on_manager(call.func):
                self.ops.append(
                    Unparsed(
                        error=f"`{method}()` writes data through a model the review cannot resolve to a table",
                        **self._base(call),
                    )
                )
            return
        base = self._base(call)
        joined = _joined_reference(call) if method == "update" else None
        named = self._string_as_field(table, call) if method == "update" else None
        if joined is not None:
            field, reference = joined
            column = self.column_of(table, field) or field
            self.ops.append(JoinedFieldUpdate(table=table, column=column, reference=reference, **base))
        elif named is not None:
            self.ops.append(named)
        elif method in ("save", "delete") and (row := self._fetched_row(call)) is not None:
            where, name = row
            assignments = tuple(self.set_on.pop(name, {}).items()) if method == "save" else ()
            self.ops.append(self._row_written(table, method, by_own_key(where), assignments, base))
        elif method == "update" and (written := self._written(table, call)):
            self.ops.extend(written)
        elif method == "update":
            assignments = tuple((k, self._sql(v)) for k, v in py.keywords(call).items())
            self.ops.append(DataUpdate(table=table, assignments=assignments, where=self._where(call), **base))
        elif method == "bulk_update" and _is_collected(call, self.collected):
            # the rows a loop set attributes on, written out: the loop's UPDATE stands for it, with the
            # columns the call names (`bulk_update(rows, ["styles"])`) when the loop's own reading has none
            self._columns_of_loop(call, table)
            return
        elif method == "bulk_update":
            rows = call.args[0] if call.args else None
            batched = "batch_size" in py.keywords(call) or (
                isinstance(rows, ast.Name) and rows.id in self.flushed
            )
            fields = py.literal(py.argument(call, 1, "fields") or ast.Constant(None))
            # the columns it writes (`bulk_update(rows, ["status"])`), each row's own value
            set_columns = (
                tuple((self.column_of(table, f) or f, "…") for f in fields if isinstance(f, str))
                if isinstance(fields, list | tuple)
                else ()
            )
            self.ops.append(DataUpdate(table=table, assignments=set_columns, batched=batched, **base))
        elif method == "delete":
            in_code = not _sqlalchemy_query(call.func)  # Django's delete() follows the models' on_delete
            self.ops.append(
                DataDelete(table=table, where=self._where(call), cascades_in_code=in_code, **base)
            )
        elif method in ("bulk_create", "create", "get_or_create", "update_or_create"):
            columns, values = seed_rows.values_rows(self._records(call))
            self.ops.append(DataInsert(table=table, columns=columns, rows=values, **base))

    def _columns_of_loop(self, call: ast.Call, table: str) -> None:
        rows = call.args[0]
        assert isinstance(rows, ast.Name)
        index = self.collected[rows.id]
        loop = self.ops[index] if index < len(self.ops) else None
        fields = py.literal(py.argument(call, 1, "fields") or ast.Constant(None))
        if not isinstance(loop, DataUpdate) or not isinstance(fields, list | tuple):
            return
        known = {column for column, _ in loop.assignments}
        more = tuple(
            (column, "…")
            for f in fields
            if isinstance(f, str) and (column := self.column_of(table, f) or f) not in known
        )
        if more:
            self.ops[index] = replace(loop, assignments=(*loop.assignments, *more))

    def _unread(self, call: ast.Call, method: str) -> UnreadDataChange | None:
        """A Celery task sent from the migration (`.delay()`, `.apply_async()`, `send_task()`) or a management
        command it calls: code that may change data, which the review cannot read from here."""
        if method in _TASK_CALLS and isinstance(call.func, ast.Attribute):
            task = py.dotted(call.func.value) or py.segment(self.text, call.func.value)
            return UnreadDataChange(
                runs=f"the Celery task `{task}`{_imported_from(self.text, task)}",
                how=f"sent to a worker with `.{method}()`: it runs outside the migration and its transaction, "
                "after the migration has finished or not at all (no worker, a worker on the old release)",
                check=f"Read `{task}` for the rows it writes; run that change in the migration itself "
                "(a RunPython over the historical models) or as a separate backfill whose end is checked",
                **self._base(call),
            )
        if method == "send_task":
            name = py.literal(py.argument(call, 0, "name"))
            task = name if isinstance(name, str) else py.segment(self.text, call)
            return UnreadDataChange(
                runs=f"the Celery task `{task}`",
                how="sent to a worker with `send_task()`: it runs outside the migration and its transaction, "
                "after the migration has finished or not at all",
                check=f"Read the task `{task}` for the rows it writes; run that change in the migration itself "
                "or as a separate backfill whose end is checked",
                **self._base(call),
            )
        if method == "call_command":
            name = py.literal(py.argument(call, 0, "command_name"))
            command = name if isinstance(name, str) else py.segment(self.text, call)
            return UnreadDataChange(
                runs=f"the management command `{command}`",
                how="called from the migration: it runs the application's current models, not the historical "
                "ones the migration sees, and its queries are not read here",
                check=f"Read `management/commands/{command}.py` for the rows it writes and check them as this "
                "migration's own data change; prefer the same change written in the RunPython itself",
                **self._base(call),
            )
        return None

    def _written(self, table: str, call: ast.Call) -> list[Operation]:
        """`update()` as the UPDATE it sends, read like SQL (its sub-queries and conditions included); []
        when some part of it is not a form `OrmSql` writes."""
        orm = OrmSql(self._model_of, self.column_of, self._literal, self.assigned.get)
        orm.parameter = "$1" if self.dialect == "postgres" else "?"
        sql = orm.update(table, call)
        ops = parse_sql(self.path, sql, self.dialect) if sql is not None else ()
        if len(ops) != 1 or not isinstance(ops[0], DataUpdate):
            return []
        # a condition on a value known only at run time is kept as the code says it, not as a parameter
        where = self._where(call) if orm.parameters else ops[0].where
        return [replace(ops[0], spelled_out=False, where=where, **self._base(call))]

    def _row_written(
        self, table: str, method: str, where: str, assignments: tuple[tuple[str, str], ...], base: Origin
    ) -> Operation:
        """The UPDATE (`save()`) or DELETE (`delete()`) Django sends for one fetched row, read as that
        statement; one row by its key whatever the table's size: `batched`, as one batch of a loop is."""
        kind = DataDelete if method == "delete" else DataUpdate
        sets = ", ".join(f"{c} = {v}" for c, v in assignments) or "id = id"
        sql = (
            f"DELETE FROM {table}" if kind is DataDelete else f"UPDATE {table} SET {sets}"
        ) + f" WHERE {where}"
        parsed = parse_sql(self.path, sql, self.dialect)
        op: Operation = (
            replace(parsed[0], spelled_out=False, batched=True, **base)
            if len(parsed) == 1 and isinstance(parsed[0], kind)
            else kind(table=table, where=where, batched=True, **base)
        )
        if isinstance(op, DataDelete):  # `row.delete()` runs Django's collector: the models' `on_delete` act
            return replace(op, cascades_in_code=True)
        return replace(op, assignments=assignments, saves="one") if isinstance(op, DataUpdate) else op

    def _fetched_row(self, call: ast.Call) -> tuple[str | None, str] | None:
        """For `row.save()` or `row.delete()` on a local bound to one fetched row (`Model.objects.get(…)`,
        `….filter(…).first()`): the condition that picked it (None when unknown) and the local's name."""
        holder = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not isinstance(holder, ast.Name) or holder.id not in self.querysets:
            return None
        fetched = self.assigned.get(holder.id)
        if not isinstance(fetched, ast.Call) or not isinstance(fetched.func, ast.Attribute):
            return None
        how = py.name(fetched)
        if how in ("get", "get_or_create"):  # its lookups are a filter's
            chain: ast.expr = ast.Call(
                func=ast.Attribute(value=fetched.func.value, attr="filter"),
                args=fetched.args,
                keywords=[k for k in fetched.keywords if k.arg != "defaults"],
            )
        elif how in ("first", "last", "latest", "earliest"):
            chain = fetched.func.value
        else:
            return None
        return self._where(
            ast.Call(func=ast.Attribute(value=chain, attr="all"), args=[], keywords=[])
        ), holder.id

    def _string_as_field(self, table: str, call: ast.Call) -> StringAsFieldUpdate | None:
        """The first plain string of an `update()` value that Django reads as a field's name and that names
        no field of the model: `When(…, then="open")`, `Case(…, default="x")`, the parts of `Coalesce`,
        `Concat`, `Greatest`, `Least`, `Upper`, `Lower`. Only where the model's fields are known."""
        if self.column_of(table, "\0") == "\0":
            return None  # no model state: every name reads as a field
        for field, value in py.keywords(call).items():
            for node in ast.walk(value):
                if not isinstance(node, ast.Call):
                    continue
                function = py.name(node)
                places: list[tuple[str, ast.expr]] = []
                if function == "When":
                    places = [("then", v) for k, v in py.keywords(node).items() if k == "then"]
                elif function == "Case":
                    places = [("default", v) for k, v in py.keywords(node).items() if k == "default"]
                elif function in _FIELD_ARGUMENTS:
                    places = [("", a) for a in node.args]
                for keyword, place in places:
                    word = py.literal(place)
                    if isinstance(word, str) and "__" not in word and not self.column_of(table, word):
                        argument = f'{keyword}="{word}"' if keyword else f'{function}(…"{word}"…)'
                        column = self.column_of(table, field) or field
                        base = self._base(call)
                        return StringAsFieldUpdate(
                            table=table, column=column, word=word, argument=argument, **base
                        )
        return None

    def _model_of(self, node: ast.expr) -> str | None:
        if not isinstance(node, ast.Name):
            return None
        return self.loop_models.get(node.id) or self.table_of(self.aliases.get(node.id, node.id))

    def _literal(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        return None if isinstance(node, ast.Call) else sql_value(node)

    def _execute(self, call: ast.Call) -> None:
        if _core_select(call.args[0]):
            return  # `conn.execute(t.select().where(…))`: it reads, and changes nothing
        strings = py.sql_strings(call.args[0], {**self.constants, **self.assigned})
        if strings is None:
            self.ops.append(
                Unparsed(error="the SQL is built at run time, so it could not be read", **self._base(call))
            )
            return
        bound = len(call.args) > 1 or any(k.arg in ("params", "parameters") for k in call.keywords)
        for sql in strings:
            text = _bind_placeholders(sql.text) if bound else sql.text
            self.ops.extend(parse_sql(self.path, text, self.dialect, first_line=sql.line))

    def _queryset_table(self, node: ast.expr) -> str | None:
        """The table behind `Model.objects.filter(…)` or `session.query(Model)…`, when Model is known."""
        while True:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("list", "tuple")
            ):
                if not node.args:
                    return None
                node = node.args[0]  # `list(Model.objects.filter(…))`: the same rows, fetched at once
                continue
            if isinstance(node, ast.Call) and py.name(node) == "query" and node.args:
                first = node.args[0]
                node = first.value if isinstance(first, ast.Attribute) else first
                break
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute) and node.attr in (
                "objects",
                "_default_manager",
                "_base_manager",
            ):
                node = node.value
                break
            elif (
                isinstance(node, ast.Attribute)
                and (node.attr in _ITERATE or node.attr in _ONE_ROW or isinstance(node.value, ast.Call))
            ) or isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Name) and node.id in self.querysets:
                return self.querysets[node.id]
            else:
                return None
        if isinstance(node, ast.Call) and py.name(node) == "get_model":  # `apps.get_model("a", "M").objects`
            node = ast.Name(ast.unparse(node))
        if not isinstance(node, ast.Name):
            return None
        table = self.loop_models.get(node.id) or self.table_of(self.aliases.get(node.id, node.id))
        if table:
            self.touches.append(table)
        return table

    def _where(self, call: ast.Call) -> str | None:
        parts: list[str] = []
        aliases: dict[str, ast.expr] = {}  # `annotate(name_trimmed=Trim("name"))`: a filter may name them
        node: ast.expr = call.func
        followed: set[str] = set()
        while isinstance(node, ast.Attribute | ast.Call | ast.Name):
            if isinstance(node, ast.Name):  # a queryset held in a local: its filters choose the rows too
                held = self.assigned.get(node.id) if node.id in self.querysets else None
                if held is None or node.id in followed:
                    break
                followed.add(node.id)
                node = held
                continue
            if isinstance(node, ast.Call) and py.name(node) in ("filter", "exclude"):
                if py.name(node) == "exclude":
                    parts.extend(
                        f"NOT ({excluded(_lookup(k, self._sql(v)), k.partition('__')[0], k)})"
                        for k, v in py.keywords(node).items()
                    )
                else:
                    parts.extend(self._condition(call, k, self._sql(v)) for k, v in py.keywords(node).items())
                prefix = "NOT " if py.name(node) == "exclude" else ""
                parts.extend(
                    f"({self.key_batches[v.id]})"
                    for k, v in py.keywords(node).items()
                    if k in ("id__in", "pk__in") and isinstance(v, ast.Name) and v.id in self.key_batches
                )
                parts.extend(prefix + self._q_sql(a) for a in node.args)
            if isinstance(node, ast.Call) and py.name(node) in ("annotate", "alias"):
                aliases.update(py.keywords(node))
            node = node.func if isinstance(node, ast.Call) else node.value
        where = " AND ".join(reversed(parts)) if parts else None
        return _annotated(where, aliases) if where and aliases else where

    def _condition(self, call: ast.Call, key: str, value: str, table: str | None = None) -> str:
        """`order__status="paid"`, a lookup across a foreign key, as the sub-select Django writes
        (`order_id IN (SELECT id FROM orders WHERE status = 'paid')`); a plain lookup as it is."""
        head, _, rest = key.partition("__")
        if not rest or rest.split("__")[0] in _LOOKUPS or self.relation_of is None:
            return _lookup(key, value)
        if table is None:
            table = self._queryset_table(call.func.value) if isinstance(call.func, ast.Attribute) else None
        related = self.relation_of(table, head) if table else None
        if related is None:
            return _lookup(key, value)
        column, target, target_key = related
        return f"{column} IN (SELECT {target_key} FROM {target} WHERE {self._condition(call, rest, value, target)})"

    def _q_sql(self, node: ast.expr) -> str:
        """A positional filter (`Q(a="") | Q(b="")`) as SQL where it is a `Q` form, else as written."""
        orm = OrmSql(self._model_of, self.column_of, self._literal, self.assigned.get)
        found = orm.q(node, "")
        return found if found is not None else py.segment(self.text, node)

    def _enter(self, function: ast.FunctionDef, call: ast.Call) -> None:
        """Read a helper the code calls (`update_rows(Config, …)`), its parameters bound to the models passed."""
        saved = self.aliases
        bound = zip((a.arg for a in function.args.args), call.args, strict=False)
        self.aliases = {
            param: self.aliases.get(arg.id, arg.id) for param, arg in bound if isinstance(arg, ast.Name)
        }
        self.entered.append(function.name)
        scope = dict(self.assigned), dict(self.querysets)  # the helper's locals are its own
        self.read(function.body)
        self.assigned, self.querysets = scope
        self.entered.pop()
        self.aliases = saved

    def _records(self, call: ast.Call) -> list[seed_rows.Record]:
        """The rows of `create(code="pro")`, `get_or_create(code="pro", defaults={…})` and
        `bulk_create([Plan(code="pro"), …])`; none when the attributes are not written out."""
        if py.name(call) == "bulk_create":
            listed = call.args[0] if call.args else None
            items = listed.elts if isinstance(listed, ast.List | ast.Tuple) else []
            return [self._record(item) for item in items if isinstance(item, ast.Call)]
        return [self._record(call)] if not call.args else []

    def _record(self, call: ast.Call) -> seed_rows.Record:
        fields = dict(py.keywords(call))
        defaults = fields.pop("defaults", None)
        if isinstance(defaults, ast.Dict):
            fields.update(
                (key.value, value)
                for key, value in zip(defaults.keys, defaults.values, strict=True)
                if isinstance(key, ast.Constant) and isinstance(key.value, str)
            )
        return [
            ("id" if name == "pk" else name, self._sql(value))
            for name, value in fields.items()
            if "__" not in name
        ]

    def _sql(self, node: ast.expr) -> str:
        """A Python value as SQL when it is a literal or `F("column")`; otherwise a value the code computes
        when it runs (`filter(pk__in=to_delete)`), unknown here: never its Python source pasted into SQL,
        where a local named like a column (`status=status`) would read as that column."""
        if isinstance(node, ast.Name) and node.id in self.constants:
            node = self.constants[node.id]
        value = sql_value(node)
        return value if value is not None else PLACEHOLDER

    def _base(self, node: ast.stmt | ast.expr) -> Origin:
        return {
            "location": Location(self.path, node.lineno),
            "end_line": node.end_lineno or node.lineno,
            "sql": py.segment(self.text, node),
        }


def _imported_from(text: str, name: str) -> str:
    """` (imported from `.tasks.backfill`)` when the module imports `name` from another module."""
    first = name.split(".")[0]
    for match in _IMPORT.finditer(text):
        if re.search(rf"\b{re.escape(first)}\b", match.group(2)):
            return f" (imported from `{match.group(1)}`)"
    return ""


_IMPORT = re.compile(r"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M)


# Database functions whose positional arguments Django parses as expressions: a plain string is a field.
_FIELD_ARGUMENTS = frozenset({"Coalesce", "Concat", "Greatest", "Least", "Upper", "Lower", "Length", "Trim"})


def _joined_reference(call: ast.Call) -> tuple[str, str] | None:
    """(field written, reference as written) of the first `F("customer__name")` a value of `update()`
    holds outside a sub-query."""
    for field, value in py.keywords(call).items():
        stack = [value]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call) and py.name(node) in ("Subquery", "Exists"):
                continue  # inside a sub-query, F() belongs to the sub-query's own model
            if isinstance(node, ast.Call) and py.name(node) == "F" and len(node.args) == 1:
                name = py.literal(node.args[0])
                if isinstance(name, str) and "__" in name:
                    return field, f'F("{name}")'
            stack.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.expr))
    return None


def _sqlalchemy_query(node: ast.expr) -> bool:
    """Is the call made on a SQLAlchemy query (`session.query(Model).filter(…)`), a bulk statement the
    database alone carries out?"""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Call) and py.name(node) == "query":
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _on_manager(node: ast.expr) -> bool:
    """Is the call made on a model manager (`X.objects.…`), where a write is surely a data change?"""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "_base_manager"):
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False


def _with_source(where: str | None, source: str | None) -> str | None:
    """The condition of a change of rows picked by keys taken from a sliced queryset (`id IN (…)`), with the
    condition that queryset selects them by (`state IS NULL`), when the change does not say it already."""
    if not source or (where and source in where):
        return where
    return f"{where} AND {source}" if where else source


def _calls(node: ast.AST) -> list[ast.Call]:
    """The outermost calls of a statement (a chain `a.b().c()` counts once, at its last call)."""
    found: list[ast.Call] = []
    stack: list[ast.AST] = [node] if not isinstance(node, ast.stmt) else list(ast.iter_child_nodes(node))
    while stack:
        current = stack.pop()
        if isinstance(current, ast.stmt):
            continue
        if isinstance(current, ast.Call):
            found.append(current)
            stack.extend(current.args)
            stack.extend(k.value for k in current.keywords)
        else:
            stack.extend(ast.iter_child_nodes(current))
    return sorted(found, key=lambda c: (c.lineno, c.col_offset))


# str methods a loop calls on a row's field, and the SQL function that does the same to the column
_STRING_METHODS = {"lower": "lower", "upper": "upper", "strip": "btrim", "lstrip": "ltrim", "rstrip": "rtrim"}


def sql_value(node: ast.expr) -> str | None:
    """`'open'` for "open", `1`, `TRUE`, `NULL`, `(1, 2)` for a list, `'{}'` for an empty dict (JSON), the column
    of `F("col")`; None otherwise."""
    if isinstance(node, ast.Constant):
        if node.value is None or isinstance(node.value, bool):
            return {None: "NULL", True: "TRUE", False: "FALSE"}[node.value]
        if isinstance(node.value, int | float):
            return str(node.value)
        if isinstance(node.value, str):
            return "'" + node.value.replace("'", "''") + "'"
        return None
    if isinstance(node, ast.Dict) and not node.keys:
        return "'{}'"  # an empty JSON object, as a JSONField compares and stores it
    if isinstance(node, ast.Dict):  # a JSON document written out (`styles={"button": {"align": "left"}}`)
        document = py.literal(node)
        if isinstance(document, dict) and all(isinstance(k, str) for k in document):
            try:
                text = json.dumps(document, ensure_ascii=False)
            except (TypeError, ValueError):
                return None
            return "'" + text.replace("'", "''") + "'"
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        items = [sql_value(e) for e in node.elts]
        return f"({', '.join(i for i in items if i is not None)})" if items and None not in items else None
    if isinstance(node, ast.Call) and py.name(node) == "F" and len(node.args) == 1:
        inner = node.args[0]
        if isinstance(inner, ast.Constant) and isinstance(inner.value, str) and inner.value.isidentifier():
            return inner.value
    if isinstance(node, ast.Call) and py.name(node) in ("date", "datetime") and node.args:
        return _moment(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult | ast.Div):
        left, right = sql_value(node.left), sql_value(node.right)
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}[type(node.op)]
        return f"{left} {symbol} {right}" if left is not None and right is not None else None
    return None


def _annotated(where: str, aliases: dict[str, ast.expr]) -> str:
    """A condition naming a queryset's annotations, each replaced by the SQL it stands for (`Trim("name")`
    is `trim(name)`), or by a value unknown here when the review cannot write it: never the alias read as
    a column of the table."""
    for alias, expression in aliases.items():
        sql = sql_value(expression) or _function_sql(expression) or PLACEHOLDER
        where = re.sub(rf"\b{re.escape(alias)}\b", sql, where)
    return where


def _function_sql(node: ast.expr) -> str | None:
    """`Lower("email")`, `Trim(F("name"))`, `Coalesce("a", "b")`: a database function of fields."""
    if not isinstance(node, ast.Call) or py.name(node) not in _FIELD_ARGUMENTS or not node.args:
        return None
    parts = []
    for arg in node.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.isidentifier():
            parts.append(arg.value)
        elif (found := sql_value(arg) or _function_sql(arg)) is not None:
            parts.append(found)
        else:
            return None
    return f"{py.name(node).lower()}({', '.join(parts)})"


def _moment(call: ast.Call) -> str | None:
    """`date(2024, 1, 31)` → `'2024-01-31'`, `datetime(2024, 1, 31, 8, 30)` → `'2024-01-31 08:30:00'` (a
    naive datetime: the database reads it in its session's time zone, as Django would send it)."""
    parts = [py.literal(a) for a in call.args]
    if not 3 <= len(parts) <= 6 or not all(isinstance(p, int) and not isinstance(p, bool) for p in parts):
        return None
    numbers = [int(str(p)) for p in parts]
    day = f"{numbers[0]:04d}-{numbers[1]:02d}-{numbers[2]:02d}"
    if py.name(call) == "date":
        return f"'{day}'" if len(numbers) == 3 else None
    clock = [*numbers[3:], 0, 0, 0][:3]
    return f"'{day} {clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}'"


def _lookup(key: str, value: str) -> str:
    column, _, operator = key.partition("__")
    if operator == "date" or operator.startswith("date__"):  # `placed_at__date__lte`: the day of the value
        column, operator = f"CAST({column} AS DATE)", operator.partition("__")[2]
    if operator == "range" and (bounds := _pair(value)) is not None:
        return f"{column} BETWEEN {bounds[0]} AND {bounds[1]}"
    if operator == "isnull":
        return f"{column} IS {'NULL' if value.upper() == 'TRUE' else 'NOT NULL'}"
    if operator == "in":
        return f"{column} IN ({value})" if value == PLACEHOLDER else f"{column} IN {value}"
    if value.upper() == "NULL" and operator in ("", "exact"):
        return f"{column} IS NULL"  # Django turns `code=None` into IS NULL, never `= NULL`
    if operator in _COMPARISONS:
        return f"{column} {_COMPARISONS[operator]} {value}"
    return f"{key} = {value}" if operator else f"{column} = {value}"


def _pair(value: str) -> tuple[str, str] | None:
    """`('2024-01-01', '2024-12-31')` → its two values, split at the comma outside quotes and brackets."""
    if not (value.startswith("(") and value.endswith(")")):
        return None
    depth, quoted, parts, start = 0, False, [], 1
    for at, char in enumerate(value[1:-1], start=1):
        if char == "'":
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif not quoted and depth == 0 and char == ",":
            parts.append(value[start:at].strip())
            start = at + 1
    parts.append(value[start:-1].strip())
    return (parts[0], parts[1]) if len(parts) == 2 and all(parts) else None


_COMPARISONS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Django's lookups: a key part that is one of them is no field of a related model
_LOOKUPS = frozenset(
    {
        *_COMPARISONS,
        "in",
        "isnull",
        "iexact",
        "contains",
        "icontains",
        "startswith",
        "istartswith",
        "endswith",
        "iendswith",
        "range",
        "regex",
        "iregex",
        "date",
        "year",
        "month",
        "day",
        "week_day",
        "hour",
        "minute",
        "second",
        "search",
        "has_key",
        "has_keys",
        "has_any_keys",
        "contained_by",
        "overlap",
        "len",
    }
)


_SELECT_STEPS = frozenset(
    {
        "where",
        "filter",
        "filter_by",
        "order_by",
        "limit",
        "offset",
        "join",
        "outerjoin",
        "select_from",
        "group_by",
        "having",
        "distinct",
        "with_only_columns",
        "execution_options",
        "subquery",
        "scalar_subquery",
    }
)


def _core_select(node: ast.expr) -> bool:
    """A SQLAlchemy Core SELECT (`t.select().where(…).limit(1)`, `sa.select(t.c.id).where(…)`): it reads."""
    while (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SELECT_STEPS
    ):
        node = node.func.value
    return (
        isinstance(node, ast.Call) and py.name(node) == "select" and not py.keywords(node).get("for_update")
    )


def _is_name(node: ast.expr, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _over(loop: ast.For | ast.AsyncFor, iterated: ast.expr) -> ast.For | ast.AsyncFor:
    """The loop over `iterated` in place of what it iterates (a page of it), at the loop's own place."""
    found = ast.For(target=loop.target, iter=iterated, body=loop.body, orelse=loop.orelse, type_comment=None)
    return ast.copy_location(found, loop)


def _enumerated(loop: ast.For | ast.AsyncFor) -> ast.For | ast.AsyncFor:
    """`for i, row in enumerate(rows)` read as `for row in rows`: the rows are the same."""
    iterated, target = loop.iter, loop.target
    if (
        isinstance(iterated, ast.Call)
        and py.name(iterated) == "enumerate"
        and len(iterated.args) == 1
        and isinstance(target, ast.Tuple)
        and len(target.elts) == 2
        and isinstance(target.elts[1], ast.Name)
    ):
        found = ast.For(target=target.elts[1], iter=iterated.args[0], body=loop.body, orelse=loop.orelse)
        return ast.copy_location(found, loop)
    return loop


def _null_guards(loop: ast.For | ast.AsyncFor) -> list[str]:
    """`for row in rows: if row.label is None: row.label = …`: the attributes the loop sets only where they
    are None (a fill), when every attribute it sets is set under such a guard."""
    target = loop.target.id if isinstance(loop.target, ast.Name) else ""
    guarded: list[str] = []
    for statement in loop.body:
        test = statement.test if isinstance(statement, ast.If) else None
        if (
            isinstance(test, ast.Compare)
            and isinstance(test.left, ast.Attribute)
            and _is_name(test.left.value, target)
            and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Is)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None
        ):
            guarded.append(test.left.attr)
        elif _sets_attributes(ast.For(target=loop.target, iter=loop.iter, body=[statement], orelse=[])):
            return []  # an attribute set outside a guard: the loop overwrites
    return guarded


def _related_saves(loop: ast.For | ast.AsyncFor) -> list[str]:
    """The locals a loop saves that it bound to something reached from its row (`invoice = m.invoice`), when
    it saves no row of its own: `["invoice"]`."""
    target = loop.target.id if isinstance(loop.target, ast.Name) else ""
    reached = {
        node.targets[0].id
        for statement in loop.body
        for node in ast.walk(statement)
        if isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and isinstance(node.value, ast.Attribute)
        and _is_name(node.value.value, target)
    }
    saved = [name for name, _ in _named_calls(loop, "save")]
    return (
        list(dict.fromkeys(s for s in saved if s in reached))
        if saved and all(s in reached for s in saved)
        else []
    )


def _saves_each(loop: ast.For | ast.AsyncFor) -> bool:
    """`for row in …: row.x = …; row.save()`: each row is written by its model's save(), which sets the
    `auto_now` fields (a `bulk_update` or a queryset's `update()` does not)."""
    target = loop.target.id if isinstance(loop.target, ast.Name) else None
    return target is not None and any(
        isinstance(c, ast.Call)
        and py.name(c) == "save"
        and isinstance(c.func, ast.Attribute)
        and _is_name(c.func.value, target)
        and "update_fields" not in py.keywords(c)  # saves only the fields it names
        for c in ast.walk(loop)
    )


def _collected(loop: ast.For | ast.AsyncFor) -> set[str]:
    """The lists a loop appends its rows to (`for order in orders: …; to_save.append(order)`)."""
    target = loop.target.id if isinstance(loop.target, ast.Name) else None
    return {
        name
        for name, call in _named_calls(loop, "append")
        if len(call.args) == 1 and _is_name(call.args[0], target or "")
    }


def _named_calls(loop: ast.For | ast.AsyncFor, method: str) -> Iterator[tuple[str, ast.Call]]:
    """(name, call) for each `name.method(…)` in the loop's body."""
    for statement in loop.body:
        for node in ast.walk(statement):
            if (
                isinstance(node, ast.Call)
                and py.name(node) == method
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
            ):
                yield node.func.value.id, node


def _is_collected(call: ast.Call, collected: dict[str, int]) -> bool:
    rows = call.args[0] if call.args else None
    return isinstance(rows, ast.Name) and rows.id in collected


def _sets_attributes(loop: ast.For | ast.AsyncFor) -> bool:
    """`for row in session.query(X): row.col = …` changes each row (the ORM writes it at flush); so does a
    write into a value an attribute holds (`row.styles["button"] = {}`, `row.styles.setdefault("a", {})[k] = v`)."""
    target = loop.target.id if isinstance(loop.target, ast.Name) else None
    return target is not None and any(
        isinstance(node, ast.Assign) and any(_writes_row(t, target) for t in node.targets)
        for statement in loop.body
        for node in ast.walk(statement)
    )


def _writes_each_row(calls: list[ast.Call], querysets: dict[str, str]) -> bool:
    """Does a loop's body write on every pass (`save()`, a queryset's `update()`), rather than collect the rows
    for a `bulk_update` that writes them together?"""
    return any(_writes_rows(c, querysets) and py.name(c) != "bulk_update" for c in calls)


def _writes_rows(call: ast.Call, querysets: dict[str, str]) -> bool:
    """A call in a loop's body that writes rows: `save()`, `bulk_update()`, an `update()` of a queryset or of
    a value a row's attribute holds (`row.styles.setdefault("a", {}).update(…)`); not the `update()` of a
    local set or dict (`seen_ids.update(…)`), which changes no row."""
    method = py.name(call)
    if method in ("save", "bulk_update"):
        return True
    if method != "update" or not isinstance(call.func, ast.Attribute):
        return False
    receiver = call.func.value
    return not isinstance(receiver, ast.Name) or receiver.id in querysets


def _writes_row(written: ast.expr, target: str) -> bool:
    """Does an assignment to `written` change an attribute of the row `target`?"""
    if isinstance(written, ast.Attribute):
        return isinstance(written.value, ast.Name) and written.value.id == target
    node: ast.expr = written
    while isinstance(node, ast.Subscript | ast.Call | ast.Attribute):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == target:
            return True
        node = node.func if isinstance(node, ast.Call) else node.value
    return False
