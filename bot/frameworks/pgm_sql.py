"""node-pg-migrate's `pgm.*` calls as the SQL the runner sends for them, and the SQL of their reverse.

node-pg-migrate turns each call into SQL text (`pgm.createIndex('users', 'email', { concurrently: true })` is
`CREATE INDEX CONCURRENTLY "users_email_index" ON "users" ("email");`): the review writes the same text, and the
PostgreSQL reader reads it, so every rule sees what the database will run. Names are quoted as the runner
quotes them (case kept); a column's type goes through the file's `shorthands` (and those of the migrations
before it, which the runner carries over) and the runner's adapters (`int` → `integer`, `string` → `text`).

The reverse is what the runner runs for the call when the migration exports no `down` (it infers one by
reversing each call, last first): `createTable` → `DROP TABLE`, `addColumns` → `DROP` of the columns, a
rename → the rename back, … A call without a reverse (`dropTable`, `alterColumn`, `sql`, …) makes that
inference fail: the migration has no way back.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.frameworks.pgm_columns import (
    ADAPTERS,
    Shorthands,
    Unread,
    Value,
    bare,
    column_definition,
    columns_sql,
    constraints_sql,
    drop_options,
    ident,
    index_column,
    index_name,
    literal,
    many,
    options_at,
    quote,
    text_of,
)

Builder = Callable[[list[Value], Shorthands], str]


def create_table(args: list[Value], shorthands: Shorthands) -> str:
    table = args[0]
    options = options_at(args, 2)
    lines, shared = columns_sql(table, args[1] if len(args) > 1 else None, shorthands)
    given = options.get("constraints") or {}
    if not isinstance(given, dict):
        raise Unread("constraints computed when the code runs")
    lines += constraints_sql(table, {**given, **shared}, None)
    like = options.get("like")
    if like:
        lines.append(
            f"LIKE {ident(like.get('table') if isinstance(like, dict) and 'table' in like else like)}"
        )
    kind = " TEMPORARY" if options.get("temporary") else " UNLOGGED" if options.get("unlogged") else ""
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    inherits = f" INHERITS ({ident(options['inherits'])})" if options.get("inherits") else ""
    partition = options.get("partition")
    by = ""
    if isinstance(partition, dict):
        columns = ", ".join(
            quote(bare(c.get("name") if isinstance(c, dict) else c)) for c in many(partition.get("columns"))
        )
        by = f" PARTITION BY {text_of(partition.get('strategy'), 'a strategy')} ({columns})"
    return f"CREATE{kind} TABLE{exists} {ident(table)} ({', '.join(lines)}){inherits}{by};"


def drop_table(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP TABLE{exists} {ident(args[0])}{cascade};"


def rename_table(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TABLE {ident(args[0])} RENAME TO {ident(args[1])};"


def rename_table_back(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TABLE {ident(args[1])} RENAME TO {ident(args[0])};"


def add_columns(args: list[Value], shorthands: Shorthands) -> str:
    lines, _ = columns_sql(args[0], args[1] if len(args) > 1 else None, shorthands)
    exists = "IF NOT EXISTS " if options_at(args, 2).get("ifNotExists") else ""
    return f"ALTER TABLE {ident(args[0])} " + ", ".join(f"ADD {exists}{line}" for line in lines) + ";"


def drop_columns(args: list[Value], shorthands: Shorthands) -> str:
    columns = args[1] if len(args) > 1 else None
    names = list(columns) if isinstance(columns, dict) else many(columns)
    exists, cascade = drop_options(options_at(args, 2))
    exists = exists.strip() + " " if exists else ""
    drops = ", ".join(f"DROP {exists}{quote(bare(c))}{cascade}" for c in names)
    return f"ALTER TABLE {ident(args[0])} {drops};"


def rename_column(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TABLE {ident(args[0])} RENAME {ident(args[1])} TO {ident(args[2])};"


def rename_column_back(args: list[Value], shorthands: Shorthands) -> str:
    return rename_column([args[0], args[2], args[1]], shorthands)


def alter_column(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 2)
    actions: list[str] = []
    if "default" in options:
        actions.append(
            "DROP DEFAULT" if options["default"] is None else f"SET DEFAULT {literal(options['default'])}"
        )
    if options.get("type"):
        kind = text_of(options["type"], "a type")
        collation = (
            f" COLLATE {text_of(options['collation'], 'a collation')}" if options.get("collation") else ""
        )
        using = f" USING {text_of(options['using'], 'a conversion')}" if options.get("using") else ""
        actions.append(f"SET DATA TYPE {ADAPTERS.get(kind, kind)}{collation}{using}")
    if options.get("notNull"):
        actions.append("SET NOT NULL")
    elif options.get("notNull") is False or options.get("allowNull"):
        actions.append("DROP NOT NULL")
    generated = options.get("sequenceGenerated", False)
    if isinstance(generated, dict):
        actions.append(f"ADD GENERATED {text_of(generated.get('precedence'), 'a precedence')} AS IDENTITY")
    elif "sequenceGenerated" in options:
        actions.append("DROP IDENTITY")
    if not actions:
        return ""
    column = ident(args[1])
    return f"ALTER TABLE {ident(args[0])} " + ", ".join(f"ALTER {column} {a}" for a in actions) + ";"


def add_constraint(args: list[Value], shorthands: Shorthands) -> str:
    table, name = args[0], args[1] if len(args) > 1 else None
    given = args[2] if len(args) > 2 else None
    if isinstance(given, str):
        prefix = f"CONSTRAINT {quote(str(name))} " if isinstance(name, str) and name else ""
        return f"ALTER TABLE {ident(table)} ADD {prefix}{given};"
    if not isinstance(given, dict):
        raise Unread("the constraint is computed when the code runs")
    lines = constraints_sql(table, given, name if isinstance(name, str) else None)
    if not lines:
        raise Unread("no constraint given")
    return f"ALTER TABLE {ident(table)} " + ", ".join(f"ADD {line}" for line in lines) + ";"


def add_constraint_back(args: list[Value], shorthands: Shorthands) -> str:
    if not isinstance(args[1] if len(args) > 1 else None, str) or isinstance(
        args[2] if len(args) > 2 else None, str
    ):
        raise Unread("`addConstraint` without a name, or with SQL, has no inferred reverse")
    return drop_constraint(args, shorthands)


def drop_constraint(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 2)
    exists, cascade = drop_options(options)
    alter = "ALTER TABLE IF EXISTS" if options.get("ifTableExists") else "ALTER TABLE"
    return f"{alter} {ident(args[0])} DROP CONSTRAINT{exists} {ident(args[1])}{cascade};"


def rename_constraint(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TABLE {ident(args[0])} RENAME CONSTRAINT {ident(args[1])} TO {ident(args[2])};"


def rename_constraint_back(args: list[Value], shorthands: Shorthands) -> str:
    return rename_constraint([args[0], args[2], args[1]], shorthands)


def create_index(args: list[Value], shorthands: Shorthands) -> str:
    table, columns = args[0], args[1] if len(args) > 1 else None
    options = options_at(args, 2)
    listed = ", ".join(index_column(c)[0] for c in many(columns))
    unique = " UNIQUE" if options.get("unique") else ""
    concurrently = " CONCURRENTLY" if options.get("concurrently") else ""
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    method = f" USING {text_of(options['method'], 'a method')}" if options.get("method") else ""
    include = (
        f" INCLUDE ({', '.join(quote(bare(c)) for c in many(options['include']))})"
        if options.get("include")
        else ""
    )
    where = f" WHERE {text_of(options['where'], 'a condition')}" if options.get("where") else ""
    name = ident(index_name(table, columns, options))
    return f"CREATE{unique} INDEX{concurrently}{exists} {name} ON {ident(table)}{method} ({listed}){include}{where};"


def drop_index(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 2)
    exists, cascade = drop_options(options)
    concurrently = " CONCURRENTLY" if options.get("concurrently") else ""
    name = ident(index_name(args[0], args[1] if len(args) > 1 else None, options))
    return f"DROP INDEX{concurrently}{exists} {name}{cascade};"


def rename_index(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER INDEX {ident(args[0])} RENAME TO {ident(args[1])};"


def rename_index_back(args: list[Value], shorthands: Shorthands) -> str:
    return rename_index([args[1], args[0]], shorthands)


def create_type(args: list[Value], shorthands: Shorthands) -> str:
    values = args[1] if len(args) > 1 else None
    if isinstance(values, list):
        return f"CREATE TYPE {ident(args[0])} AS ENUM ({', '.join(literal(v) for v in values)});"
    if isinstance(values, dict):
        attributes = ", ".join(
            f"{quote(name)} {text_of(column_definition(spec, shorthands)['type'], 'a type')}"
            for name, spec in values.items()
        )
        return f"CREATE TYPE {ident(args[0])} AS ({attributes});"
    raise Unread("the type's values are computed when the code runs")


def drop_type(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP TYPE{exists} {ident(args[0])}{cascade};"


def rename_type(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TYPE {ident(args[0])} RENAME TO {ident(args[1])};"


def rename_type_back(args: list[Value], shorthands: Shorthands) -> str:
    return rename_type([args[1], args[0]], shorthands)


def add_type_value(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 2)
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    place = (
        f" BEFORE {literal(options['before'])}"
        if options.get("before")
        else f" AFTER {literal(options['after'])}"
        if options.get("after")
        else ""
    )
    return f"ALTER TYPE {ident(args[0])} ADD VALUE{exists} {literal(args[1])}{place};"


def rename_type_value(args: list[Value], shorthands: Shorthands) -> str:
    return f"ALTER TYPE {ident(args[0])} RENAME VALUE {literal(args[1])} TO {literal(args[2])};"


def rename_type_value_back(args: list[Value], shorthands: Shorthands) -> str:
    return rename_type_value([args[0], args[2], args[1]], shorthands)


def create_extension(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    schema = f" SCHEMA {ident(options['schema'])}" if options.get("schema") else ""
    return " ".join(f"CREATE EXTENSION{exists} {ident(e)}{schema};" for e in many(args[0]))


def drop_extension(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return " ".join(f"DROP EXTENSION{exists} {ident(e)}{cascade};" for e in many(args[0]))


def create_schema(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    owner = (
        f" AUTHORIZATION {text_of(options['authorization'], 'a role')}"
        if options.get("authorization")
        else ""
    )
    return f"CREATE SCHEMA{exists} {ident(args[0])}{owner};"


def drop_schema(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP SCHEMA{exists} {ident(args[0])}{cascade};"


def _parameters(found: Value) -> tuple[str, str]:
    """A function's parameters as written, and their types (for DROP FUNCTION)."""
    written, types = [], []
    for each in many(found) if found is not None else []:
        if isinstance(each, str):
            written.append(each)
            types.append(each)
        elif isinstance(each, dict):
            kind = text_of(each.get("type"), "a parameter type")
            parts = [text_of(each[k], k) for k in ("mode", "name") if each.get(k)]
            default = f" DEFAULT {literal(each['default'])}" if "default" in each else ""
            written.append(" ".join([*parts, kind]) + default)
            types.append(" ".join([*([text_of(each["mode"], "a mode")] if each.get("mode") else []), kind]))
        else:
            raise Unread("a parameter computed when the code runs")
    return f"({', '.join(written)})", f"({', '.join(types)})"


def create_function(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 2)
    written, _ = _parameters(args[1] if len(args) > 1 else None)
    definition = text_of(args[3] if len(args) > 3 else None, "the function's body")
    replace = " OR REPLACE" if options.get("replace") else ""
    returns = text_of(options.get("returns", "void"), "a return type")
    settings = [text_of(options.get("behavior", "VOLATILE"), "a behavior")]
    settings.append(f"LANGUAGE {text_of(options.get('language'), 'a language')}")
    if options.get("security") and options["security"] != "INVOKER":
        settings.append(f"SECURITY {text_of(options['security'], 'a security')}")
    if options.get("onNull"):
        settings.append("RETURNS NULL ON NULL INPUT")
    if options.get("parallel"):
        settings.append(f"PARALLEL {text_of(options['parallel'], 'parallel')}")
    body = _dollar_quoted(definition)
    return f"CREATE{replace} FUNCTION {ident(args[0])}{written} RETURNS {returns} AS {body} {' '.join(settings)};"


def _dollar_quoted(text: str) -> str:
    tag = "$pga$"
    while tag in text:
        tag = tag[:-1] + "a$"
    return f"{tag}{text}{tag}"


def drop_function(args: list[Value], shorthands: Shorthands) -> str:
    _, types = _parameters(args[1] if len(args) > 1 else None)
    exists, cascade = drop_options(options_at(args, 2))
    return f"DROP FUNCTION{exists} {ident(args[0])}{types}{cascade};"


def create_trigger(args: list[Value], shorthands: Shorthands) -> str:
    table, name = args[0], args[1]
    options = options_at(args, 2)
    definition = args[3] if len(args) > 3 else None
    when = "AFTER" if options.get("constraint") else text_of(options.get("when"), "a trigger's timing")
    level = (
        "ROW"
        if re.search(r"instead\s+of", when, re.I)
        else text_of(options.get("level", "STATEMENT"), "level")
    )
    function = options.get("function") or (name if definition else None)
    operations = " OR ".join(text_of(o, "an operation") for o in many(options.get("operation")))
    condition = f" WHEN ({text_of(options['condition'], 'a condition')})" if options.get("condition") else ""
    constraint = " CONSTRAINT" if options.get("constraint") else ""
    parameters = ", ".join(literal(p) for p in many(options.get("functionParams") or []))
    made = ""
    if definition:
        made = (
            create_function([function, [], {**options, "returns": "trigger"}, definition], shorthands) + " "
        )
    return (
        f"{made}CREATE{constraint} TRIGGER {ident(name)} {when} {operations} ON {ident(table)} "
        f"FOR EACH {level}{condition} EXECUTE PROCEDURE {ident(function)}({parameters});"
    )


def drop_trigger(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 2))
    return f"DROP TRIGGER{exists} {ident(args[1])} ON {ident(args[0])}{cascade};"


def create_trigger_back(args: list[Value], shorthands: Shorthands) -> str:
    dropped = drop_trigger(args, shorthands)
    if len(args) > 3 and args[3]:
        options = options_at(args, 2)
        dropped += " " + drop_function([options.get("function") or args[1], [], options], shorthands)
    return dropped


def create_view(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    replace = " OR REPLACE" if options.get("replace") else ""
    columns = options.get("columns")
    listed = f"({', '.join(quote(bare(c)) for c in many(columns))})" if columns else ""
    definition = text_of(args[2] if len(args) > 2 else None, "the view's query")
    return f"CREATE{replace} VIEW {ident(args[0])}{listed} AS {definition};"


def drop_view(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP VIEW{exists} {ident(args[0])}{cascade};"


def create_materialized_view(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    data = "" if options.get("data") is None else " WITH DATA" if options.get("data") else " WITH NO DATA"
    definition = text_of(args[2] if len(args) > 2 else None, "the view's query")
    return f"CREATE MATERIALIZED VIEW{exists} {ident(args[0])} AS {definition}{data};"


def drop_materialized_view(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP MATERIALIZED VIEW{exists} {ident(args[0])}{cascade};"


def refresh_materialized_view(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    concurrently = " CONCURRENTLY" if options.get("concurrently") else ""
    data = "" if options.get("data") is None else " WITH DATA" if options.get("data") else " WITH NO DATA"
    return f"REFRESH MATERIALIZED VIEW{concurrently} {ident(args[0])}{data};"


def create_sequence(args: list[Value], shorthands: Shorthands) -> str:
    options = options_at(args, 1)
    exists = " IF NOT EXISTS" if options.get("ifNotExists") else ""
    temporary = " TEMPORARY" if options.get("temporary") else ""
    return f"CREATE{temporary} SEQUENCE{exists} {ident(args[0])};"


def drop_sequence(args: list[Value], shorthands: Shorthands) -> str:
    exists, cascade = drop_options(options_at(args, 1))
    return f"DROP SEQUENCE{exists} {ident(args[0])}{cascade};"


# method (and its aliases) → the SQL it sends, and the SQL of its reverse (None: the runner has none)
CALLS: dict[str, tuple[Builder, Builder | None]] = {
    "createTable": (create_table, drop_table),
    "dropTable": (drop_table, None),
    "renameTable": (rename_table, rename_table_back),
    "addColumns": (add_columns, drop_columns),
    "addColumn": (add_columns, drop_columns),
    "dropColumns": (drop_columns, None),
    "dropColumn": (drop_columns, None),
    "renameColumn": (rename_column, rename_column_back),
    "alterColumn": (alter_column, None),
    "addConstraint": (add_constraint, add_constraint_back),
    "createConstraint": (add_constraint, add_constraint_back),
    "dropConstraint": (drop_constraint, None),
    "renameConstraint": (rename_constraint, rename_constraint_back),
    "createIndex": (create_index, drop_index),
    "addIndex": (create_index, drop_index),
    "dropIndex": (drop_index, None),
    "renameIndex": (rename_index, rename_index_back),
    "createType": (create_type, drop_type),
    "addType": (create_type, drop_type),
    "dropType": (drop_type, None),
    "renameType": (rename_type, rename_type_back),
    "addTypeValue": (add_type_value, None),
    "renameTypeValue": (rename_type_value, rename_type_value_back),
    "createExtension": (create_extension, drop_extension),
    "addExtension": (create_extension, drop_extension),
    "dropExtension": (drop_extension, None),
    "createSchema": (create_schema, drop_schema),
    "dropSchema": (drop_schema, None),
    "createFunction": (create_function, drop_function),
    "dropFunction": (drop_function, None),
    "createTrigger": (create_trigger, create_trigger_back),
    "dropTrigger": (drop_trigger, None),
    "createView": (create_view, drop_view),
    "dropView": (drop_view, None),
    "createMaterializedView": (create_materialized_view, drop_materialized_view),
    "dropMaterializedView": (drop_materialized_view, None),
    "refreshMaterializedView": (refresh_materialized_view, refresh_materialized_view),
    "createSequence": (create_sequence, drop_sequence),
    "dropSequence": (drop_sequence, None),
}
