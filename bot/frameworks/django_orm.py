"""Django query expressions as the SQL they send: what a data migration's `update()` writes, for every row.

`Order.objects.filter(customer__isnull=False).update(name=Subquery(Customer.objects.filter(
id=OuterRef("customer_id")).values("name")[:1]))` is `UPDATE shop_order SET name = (SELECT U0.name FROM
shop_customer AS U0 WHERE U0.id = shop_order.customer_id LIMIT 1) WHERE shop_order.customer_id IS NOT NULL`:
the same statement a SQL migration would hold, so the rules that read a data change's expressions read it
too. Sub-queries get Django's own aliases (U0, U1, …), so a column of the sub-query and one of the row being
written are told apart as SQL tells them. `Case(When(…))` is a SQL CASE (no default: NULL, as in SQL),
`F("a") * 2` arithmetic, `Concat(…)` CONCAT_WS('', …) (Django skips NULL parts), `Cast(x, IntegerField())`
CAST(x AS integer), `Func(x, function="UPPER")` UPPER(x), and Django's database functions (`Coalesce`,
`Upper`, `Round`, `NullIf`, `Left`, …) the SQL functions of the same name; where Django parses an argument as
an expression (their parts, `When(then=…)`, `Case(default=…)`), a plain string names a field, as Django reads
it. What is not one of these forms (a `Q` object, an annotation, a lookup across a relation, a `Func` with its
own template, Python computed at run time) leaves the statement unwritten: None.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from bot.frameworks import python_source as py

# queryset methods that do not change which rows a sub-query reads or what it returns
_NEUTRAL = frozenset({"all", "order_by", "using", "distinct", "iterator", "select_related", "only", "defer"})
_COMPARISONS = {"exact": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
# Column type changes are not a concern here: these are the wrappers a written value may have
_FUNCTIONS = {
    "Coalesce": "COALESCE",
    "Upper": "UPPER",
    "Lower": "LOWER",
    "Length": "LENGTH",
    "Trim": "TRIM",
    "LTrim": "LTRIM",
    "RTrim": "RTRIM",
    "Round": "ROUND",
    "Floor": "FLOOR",
    "Ceil": "CEIL",
    "Abs": "ABS",
    "NullIf": "NULLIF",
    "Greatest": "GREATEST",
    "Least": "LEAST",
    "Replace": "REPLACE",
    "Left": "LEFT",
    "Right": "RIGHT",
    "Substr": "SUBSTRING",
    "Reverse": "REVERSE",
    "MD5": "MD5",
    "Mod": "MOD",
    "Power": "POWER",
    "Sign": "SIGN",
}
# Django model fields as the SQL types `Cast(…, output_field=…)` sends (PostgreSQL's names)
_FIELD_TYPES = {
    "SmallIntegerField": "smallint",
    "IntegerField": "integer",
    "BigIntegerField": "bigint",
    "PositiveSmallIntegerField": "smallint",
    "PositiveIntegerField": "integer",
    "PositiveBigIntegerField": "bigint",
    "AutoField": "integer",
    "BigAutoField": "bigint",
    "FloatField": "double precision",
    "TextField": "text",
    "BooleanField": "boolean",
    "DateField": "date",
    "DateTimeField": "timestamp with time zone",
    "TimeField": "time",
    "UUIDField": "uuid",
    "JSONField": "jsonb",
}
_OPERATORS: dict[type[ast.operator], str] = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}


class OrmSql:
    """`table_of(node)` is the table of a model name, `column_of(table, field)` the column of a field,
    `literal(node)` a Python value as SQL (None when it is no literal)."""

    def __init__(
        self,
        table_of: Callable[[ast.expr], str | None],
        column_of: Callable[[str, str], str],
        literal: Callable[[ast.expr], str | None],
        bound: Callable[[str], ast.expr | None] | None = None,
    ) -> None:
        self.table_of, self.column_of, self.literal = table_of, column_of, literal
        self.bound = bound or (lambda name: None)  # a local name → what it holds (a queryset, a value)
        self.parameters = 0  # values of conditions known only at run time, written as parameters
        self.depth = 0
        self.aliases: dict[str, str] = {}  # a sub-query's alias (U0) → its table

    def update(self, table: str, call: ast.Call) -> str | None:
        """The UPDATE statement of `<queryset>.update(col=value, …)`; None when any part cannot be written."""
        root = call.func.value if isinstance(call.func, ast.Attribute) else call.func
        if self._source(root) != (table, None):
            return None  # a queryset held in a variable, or one with annotations: its rows are not all here
        self.aliases[""] = table  # the row being written: its columns unqualified, as a SQL UPDATE has them
        sets = []
        for field, value in py.keywords(call).items():
            sql = self.value(value, "", table)
            if sql is None:
                return None
            target = self.column_of(table, field)
            if not target:
                return None
            sets.append(f"{target} = {sql}")
        where = self.conditions(call.func, table, "")
        if not sets or where is None:
            return None
        return f"UPDATE {table} SET {', '.join(sets)}" + (f" WHERE {where}" if where else "")

    def conditions(self, node: ast.expr, table: str, name: str, outer: str = "") -> str | None:
        """The filters and excludes of a queryset chain, ANDed ("" for none); None when one is unknown."""
        parts: list[str] = []
        node = self._unbound(node)
        while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
            if isinstance(node, ast.Call) and py.name(node) in ("filter", "exclude"):
                negate = py.name(node) == "exclude"
                found = [self._lookup(k, v, table, name, outer) for k, v in py.keywords(node).items()]
                if (
                    negate
                ):  # Django keeps the NULL rows out of what it excludes: `NOT (a = 1 AND a IS NOT NULL)`
                    found = [
                        excluded(f, self.column_of(table, k.partition("__")[0]), k) if f is not None else None
                        for f, k in zip(found, py.keywords(node), strict=True)
                    ]
                found += [self.value(a, name, outer) for a in node.args]
                if any(f is None for f in found):
                    return None
                parts.extend(f"NOT ({f})" if negate else str(f) for f in found)
            node = self._unbound(node.func if isinstance(node, ast.Call) else node.value)
        return " AND ".join(reversed(parts))

    def value(self, node: ast.expr, name: str, outer: str) -> str | None:
        """A written value or a condition: literals, F(), OuterRef(), Subquery(), Exists(), Value() and a few
        functions; `name` qualifies the columns of the query it sits in, `outer` those of the one around."""
        found = self.literal(node)
        if found is not None:
            return found
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = self.value(node.left, name, outer), self.value(node.right, name, outer)
            return None if left is None or right is None else f"{left} {_OPERATORS[type(node.op)]} {right}"
        if not isinstance(node, ast.Call):
            return None
        function, args = py.name(node), node.args
        if function == "Case":
            return self._case(node, name, outer)
        if (computed := _computed(node)) is not None:
            return computed
        if function == "Concat" and len(args) > 1:
            # Django skips NULL parts on every database: PostgreSQL's CONCAT, MySQL's CONCAT_WS('', …), SQLite's
            # COALESCE(part, '') ||; CONCAT_WS('', …) says so in every dialect (MySQL's CONCAT does not)
            parts = [self._expression(a, name, outer) for a in args]
            return None if None in parts else f"CONCAT_WS('', {', '.join(str(p) for p in parts)})"
        if function in ("F", "OuterRef") and len(args) == 1:
            field = py.literal(args[0])
            if not isinstance(field, str) or "__" in field:
                return None  # a join, which Django refuses in update() and this reader does not follow
            qualifier = name if function == "F" else outer
            column = self.column_of(self._table_named(qualifier), field)
            if not column:
                return None
            return f"{qualifier}.{column}" if qualifier else column
        if function == "Value" and args:
            return self.literal(args[0])
        if function in ("Subquery", "Exists") and args:
            select = self.select(args[0], name or self.aliases.get("", ""), exists=function == "Exists")
            return (
                None if select is None else (f"EXISTS ({select})" if function == "Exists" else f"({select})")
            )
        if function in _FUNCTIONS and args:
            inner = [self._expression(a, name, outer) for a in args]
            return None if None in inner else f"{_FUNCTIONS[function]}({', '.join(str(i) for i in inner)})"
        if function == "Cast" and args:
            target = _field_type(py.argument(node, 1, "output_field"))
            inner_cast = self._expression(args[0], name, outer)
            return None if target is None or inner_cast is None else f"CAST({inner_cast} AS {target})"
        if function == "ExpressionWrapper" and args:  # only says what type Django gives the result
            return self._expression(args[0], name, outer)
        if function == "Func" and args:
            return self._func(node, name, outer)
        return None

    def _func(self, node: ast.Call, name: str, outer: str) -> str | None:
        """`Func(F("name"), function="UPPER")`: the SQL function called on the arguments; one with its own
        `template` or `arg_joiner` is SQL this reader does not write: None."""
        given = py.keywords(node)
        function = py.literal(given["function"]) if "function" in given else None
        if not isinstance(function, str) or not function.replace("_", "").isalnum() or "template" in given:
            return None
        if "arg_joiner" in given:
            return None
        inner = [self._expression(a, name, outer) for a in node.args]
        return None if None in inner else f"{function.upper()}({', '.join(str(i) for i in inner)})"

    def _expression(self, node: ast.expr, name: str, outer: str) -> str | None:
        """An argument Django parses as an expression: a plain string there names a field (`Coalesce("a",
        "b")`, `When(…, then="code")`), any other value is a value."""
        field = py.literal(node)
        if isinstance(field, str):
            column = self.column_of(self._table_named(name), field) if "__" not in field else ""
            return (f"{name}.{column}" if name else column) or None
        return self.value(node, name, outer)

    def _case(self, node: ast.Call, name: str, outer: str) -> str | None:
        """`Case(When(status="new", then=Value("open")), …, default=…)`: without a default, the rows no
        `When` matches get NULL, as a SQL CASE without ELSE gives them."""
        table = self._table_named(name)
        branches = []
        for when in node.args:
            if not isinstance(when, ast.Call) or py.name(when) != "When":
                return None
            lookups = py.keywords(when)
            then = lookups.pop("then", None)
            if then is None:
                return None
            conditions = [self._lookup(k, v, table, name, outer) for k, v in lookups.items()]
            conditions += [self.value(a, name, outer) for a in when.args]
            result = self._expression(then, name, outer)
            if not conditions or result is None or any(c is None for c in conditions):
                return None
            branches.append(f"WHEN {' AND '.join(str(c) for c in conditions)} THEN {result}")
        default = py.keywords(node).get("default")
        otherwise = self._expression(default, name, outer) if default is not None else ""
        if not branches or otherwise is None:
            return None
        return f"CASE {' '.join(branches)}" + (f" ELSE {otherwise}" if otherwise else "") + " END"

    def select(self, node: ast.expr, outer: str, *, exists: bool = False) -> str | None:
        """The SELECT of a queryset used as a sub-query: `.filter(…)`, `.values("col")`, `[:1]`."""
        limit = ""
        if isinstance(node, ast.Name) and isinstance(self.bound(node.id), ast.Subscript):
            node = self.bound(node.id) or node  # `ids = Model.objects.filter(…).values_list("pk")[:N]`
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
            bound = node.slice.upper
            if isinstance(bound, ast.Name) and isinstance(self.bound(bound.id), ast.Constant):
                bound = self.bound(bound.id)  # a local `BATCH_SIZE = 500`
            upper = self.literal(bound) if bound is not None else None
            if node.slice.lower is not None or upper is None or not upper.isdigit():
                return None
            limit, node = f" LIMIT {upper}", node.value
        table, projected = self._source(node)
        if table is None or (projected is None and not exists):
            return None
        alias = f"U{self.depth}"
        self.depth += 1
        self.aliases[alias] = table
        try:
            where = self.conditions(node, table, alias, outer)
        finally:
            self.depth -= 1
        if where is None:
            return None
        selected = "1" if exists else self.column_of(table, str(projected))
        if not selected:
            return None
        column = selected if exists else f"{alias}.{selected}"
        return f"SELECT {column} FROM {table} AS {alias}" + (f" WHERE {where}" if where else "") + limit

    def _source(self, node: ast.expr) -> tuple[str | None, str | None]:
        """The table a queryset reads and the one field it returns (`values("name")`, `values_list("name",
        flat=True)`); (None, None) for a chain with anything else in it."""
        projected = None
        node = self._unbound(node)
        while isinstance(node, ast.Call | ast.Attribute):
            if isinstance(node, ast.Attribute) and node.attr in (
                "objects",
                "_default_manager",
                "_base_manager",
            ):
                return self.table_of(node.value), projected
            if isinstance(node, ast.Call):
                method = py.name(node)
                if method in ("values", "values_list") and len(node.args) == 1 and projected is None:
                    field = py.literal(node.args[0])
                    projected = field if isinstance(field, str) and "__" not in field else None
                    if projected is None:
                        return None, None
                elif method not in _NEUTRAL and method not in ("filter", "exclude"):
                    return None, None
                node = self._unbound(node.func)
            else:
                node = self._unbound(node.value)
        return None, None

    def _unbound(self, node: ast.expr) -> ast.expr:
        """A local name holding a queryset (`devices = Device.objects.filter(…)`) as that queryset."""
        if isinstance(node, ast.Name):
            held = self.bound(node.id)
            if isinstance(held, ast.Call | ast.Attribute):
                return held
        return node

    def q(self, node: ast.expr, table: str) -> str | None:
        """A `Q(…)` of the table's own rows as SQL: its lookups ANDed, `&`, `|` and `~` as AND, OR and NOT;
        None when some part is not such a form."""
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Invert):
            inner = self.q(node.operand, table)
            return f"NOT ({inner})" if inner is not None else None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd | ast.BitOr):
            left, right = self.q(node.left, table), self.q(node.right, table)
            joint = " AND " if isinstance(node.op, ast.BitAnd) else " OR "
            return f"({left}{joint}{right})" if left is not None and right is not None else None
        if not isinstance(node, ast.Call) or py.name(node) != "Q":
            return None
        parts = [self.lookup(key, value, table) for key, value in py.keywords(node).items()]
        # the form migrations are written in: `Q(("total__isnull", False), ("state", "open"))`
        parts += [
            self.lookup(arg.elts[0].value, arg.elts[1], table)
            if isinstance(arg, ast.Tuple)
            and len(arg.elts) == 2
            and isinstance(arg.elts[0], ast.Constant)
            and isinstance(arg.elts[0].value, str)
            else self.q(arg, table)
            for arg in node.args
        ]
        if not parts or any(part is None for part in parts):
            return None
        joined = " AND ".join(str(part) for part in parts)
        return joined if len(parts) == 1 else f"({joined})"

    def lookup(self, key: str, node: ast.expr, table: str) -> str | None:
        """One lookup (`state__in=["open"]`) of the table's own rows as a SQL condition."""
        return self._lookup(key, node, table, "", "")

    def _lookup(self, key: str, node: ast.expr, table: str, name: str, outer: str) -> str | None:
        field, _, operator = key.partition("__")
        transform = ""
        if operator == "date" or operator.startswith("date__"):
            transform, operator = "date", operator.partition("__")[2]  # `placed_at__date__lte`: the day of it
        if "__" in operator or (operator and operator not in (*_COMPARISONS, "in", "isnull", "range")):
            return None  # a lookup across a relation or a transform
        column = self.column_of(table, field)
        if not column:
            return None  # a reverse relation (`lines=OuterRef("id")`), which joins another table
        column = f"{name}.{column}" if name else column
        column = f"CAST({column} AS DATE)" if transform else column
        if operator == "range":
            bounds = (
                [self.value(e, name, outer) for e in node.elts]
                if isinstance(node, ast.Tuple | ast.List)
                else []
            )
            if len(bounds) != 2 or None in bounds:
                return None
            return f"{column} BETWEEN {bounds[0]} AND {bounds[1]}"
        if operator == "isnull":
            flag = py.literal(node)
            return None if not isinstance(flag, bool) else f"{column} IS {'NULL' if flag else 'NOT NULL'}"
        value = self.value(node, name, outer)
        if value is None and operator == "in":
            ids = self.select(node, name or self.aliases.get("", ""))  # ids a queryset selects
            value = f"({ids})" if ids is not None else None
        if value is None and isinstance(node, ast.Name | ast.Attribute):
            self.parameters += 1
            # `termination_type=ct`, `pk__in=ids`: a value of the code's own, known at run time
            value = f"({self.parameter})" if operator == "in" else self.parameter
        if value is None:
            return None
        if operator == "in":
            return f"{column} IN {value}" if value.startswith("(") else None
        if value == "NULL":
            return f"{column} IS NULL"
        return f"{column} {_COMPARISONS.get(operator or 'exact')} {value}"

    parameter = "$1"

    def _table_named(self, qualifier: str) -> str:
        return self.aliases.get(qualifier, qualifier)


def excluded(condition: str, column: str, key: str) -> str:
    """What `exclude(key=…)` leaves out, as Django writes it: the rows that match and hold a value, so a row
    whose column is NULL stays in (`NOT (status = 'x' AND status IS NOT NULL)`). `exclude(status=None)` is the
    test for NULL alone (`NOT (status IS NULL)`): it keeps the rows that hold a value."""
    if not column or key.endswith("__isnull") or re.fullmatch(r"\S+\s+IS\s+NULL", condition.strip(), re.I):
        return condition
    return f"{condition} AND {column} IS NOT NULL"


def _field_type(node: ast.expr | None) -> str | None:
    """`models.DecimalField(max_digits=10, decimal_places=2)` → `numeric(10, 2)`, `CharField(max_length=20)`
    → `varchar(20)`, `IntegerField()` → `integer`; None for a field this reader does not know."""
    if not isinstance(node, ast.Call):
        return None
    field = py.name(node)
    if field in _FIELD_TYPES:
        return _FIELD_TYPES[field]
    given = py.keywords(node)
    if field == "CharField":
        length = py.literal(given.get("max_length"))
        return f"varchar({length})" if isinstance(length, int) else "text"
    if field == "DecimalField":
        digits, places = py.literal(given.get("max_digits")), py.literal(given.get("decimal_places"))
        return (
            f"numeric({digits}, {places})"
            if isinstance(digits, int) and isinstance(places, int)
            else "numeric"
        )
    return None


# Values Python computes once before the statement is sent (`timezone.now()`, `Decimal("0.00")`) and the
# database functions Django spells as classes (`Now()`, `RandomUUID()`), as the SQL value they send.
_NOW = frozenset({"now", "utcnow", "Now"})


def _computed(call: ast.Call) -> str | None:
    function = py.name(call)
    if function == "date" and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Call):
        return "CURRENT_DATE" if py.name(call.func.value) in _NOW else None
    if function in _NOW:
        return "CURRENT_TIMESTAMP"
    if function == "today":
        return "CURRENT_DATE"
    if function == "RandomUUID" and not call.args:
        return "gen_random_uuid()"
    if function == "Decimal" and len(call.args) == 1:
        number = py.literal(call.args[0])
        text = str(number) if isinstance(number, str | int | float) else ""
        return text if text.replace(".", "", 1).lstrip("-").isdigit() else None
    return None
