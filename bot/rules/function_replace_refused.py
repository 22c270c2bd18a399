"""`CREATE OR REPLACE FUNCTION` that changes what the function returns, or renames its parameters: PostgreSQL
refuses it.

## Why is this bad?
PostgreSQL replaces a function in place only when the new definition keeps its result: the same return type
(the same `OUT` parameters, the same `RETURNS TABLE` columns) and the same names for its input parameters.
`CREATE OR REPLACE FUNCTION order_total(order_id bigint) RETURNS numeric …` over a function that returned
`integer` fails with "cannot change return type of existing function"; a parameter renamed fails with "cannot
change name of input parameter". The statement reads like an ordinary redefinition and passes review; the
migration then stops on every database that has the old function, which is all of them but a fresh one.
(A function with other argument types is another function, an overload, and is created beside the old one.)

## Use instead
`DROP FUNCTION order_total(bigint);` then `CREATE FUNCTION …` in the same transaction, recreating what
depends on it (views, triggers, defaults that call it: `DROP … CASCADE` drops them); or give the new version
another name and move the callers to it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pglast
from pglast import ast

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="function-replace-refused",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Keep the return type and parameter names, or DROP FUNCTION then CREATE FUNCTION.",
    bad=(
        "CREATE FUNCTION order_total(order_id bigint) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n"
        "-- migration\n"
        "CREATE OR REPLACE FUNCTION order_total(order_id bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 1.0 $$;",
    ),
    good=(
        "CREATE FUNCTION order_total(order_id bigint) RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$;\n"
        "-- migration\n"
        "DROP FUNCTION order_total(bigint);\n"
        "CREATE FUNCTION order_total(order_id bigint) RETURNS numeric LANGUAGE sql AS $$ SELECT 1.0 $$;",
    ),
    dialects=("postgres",),
)

_INPUT = ("i", "b", "v", "d")  # IN, INOUT, VARIADIC, and a mode not written (IN)


class _Signature:
    """What PostgreSQL compares when a function is replaced: the input types (which function it is), the
    input names, and the result (return type and OUT / TABLE columns)."""

    def __init__(self, statement: ast.CreateFunctionStmt) -> None:
        parameters = statement.parameters or ()
        inputs = [p for p in parameters if _mode(p) in _INPUT]
        self.name = ".".join(str(n.sval) for n in statement.funcname or ()).lower()
        self.inputs = tuple(_type(p.argType) for p in inputs)
        self.input_names = tuple((p.name or "").lower() for p in inputs)
        outputs = tuple((p.name or "", _type(p.argType)) for p in parameters if _mode(p) in ("o", "b", "t"))
        returned = _type(statement.returnType) if statement.returnType is not None else ""
        setof = bool(statement.returnType is not None and statement.returnType.setof)
        self.result = (returned, setof, outputs)

    def shown_result(self) -> str:
        returned, setof, outputs = self.result
        if outputs:
            return "(" + ", ".join(f"{n} {t}".strip() for n, t in outputs) + ")"
        return f"{'SETOF ' if setof else ''}{returned or 'void'}"


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    for op in migration.up:
        if not isinstance(op, RawSQL) or "replace" not in op.sql.lower() or "function" not in op.sql.lower():
            continue
        new = _signature(op.sql, replacing=True)
        if new is None:
            continue
        old_object = context.before(op).objects.get(f"function:{new.name.split('.')[-1]}")
        old = _signature(old_object.sql, replacing=False) if old_object is not None else None
        if old is None or old.inputs != new.inputs:
            continue  # unknown, or another argument list: an overload beside the old function
        if old.result != new.result:
            problem = f"changes its result from `{old.shown_result()}` to `{new.shown_result()}`"
            error = "cannot change return type of existing function"
        elif old.input_names != new.input_names and all(old.input_names):
            problem = f"renames its parameters from ({', '.join(old.input_names)}) to ({', '.join(new.input_names)})"
            error = "cannot change name of input parameter"
        else:
            continue
        assert old_object is not None
        yield op.finding(
            RULE,
            f'`CREATE OR REPLACE FUNCTION {new.name}` {problem}: PostgreSQL refuses it ("{error}"), and the '
            "migration fails.",
            blast_radius=f"The deploy stops at this statement on every database that has the function (created at "
            f"`{old_object.path}:{old_object.line}`); only a fresh database runs it.",
            fix=f"`DROP FUNCTION {new.name}({', '.join(new.inputs)});` before creating it again, in the same "
            "transaction (recreating what depends on it), or keep the result and parameter names as they were.",
        )


def _signature(sql: str, *, replacing: bool) -> _Signature | None:
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    for raw in statements:
        statement = raw.stmt
        if isinstance(statement, ast.CreateFunctionStmt) and not statement.is_procedure:
            if replacing and not statement.replace:
                return None
            return _Signature(statement)
    return None


def _mode(parameter: ast.FunctionParameter) -> str:
    mode = parameter.mode
    return str(getattr(mode, "value", mode) or "i")


def _type(name: ast.TypeName | None) -> str:
    if name is None:
        return ""
    parts = [str(n.sval) for n in name.names or () if isinstance(n, ast.String)]
    base = parts[-1].lower() if parts else ""
    array = "[]" if name.arrayBounds else ""
    return _SHOWN.get(base, base) + array


# PostgreSQL's internal names of the common types, as migrations write them
_SHOWN = {
    "int2": "smallint", "int4": "integer", "int8": "bigint", "float4": "real", "float8": "double precision",
    "bool": "boolean", "bpchar": "char", "timestamptz": "timestamptz",
}  # fmt: skip
