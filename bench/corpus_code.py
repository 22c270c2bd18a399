"""PL/pgSQL in migrations: functions with dollar-quoted bodies, triggers and DO blocks."""

from __future__ import annotations

from corpus_schema import Check, Column, Table
from corpus_writer import Block, Writer, check_for


def updated_at_trigger(writer: Writer) -> Block | None:
    table = writer.table(lambda t: f"{t.name}_set_updated_at" not in t.triggers)
    if table is None:
        return None
    lines = []
    if "updated_at" not in table.columns:
        table.columns["updated_at"] = Column("updated_at", "timestamptz", "ts", False, True, has_default=True)
        lines.append(f"ALTER TABLE {table.name} ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();")
    if "set_updated_at" not in writer.schema.functions or writer.chance(0.3):
        writer.schema.functions.append("set_updated_at")
        lines += [
            "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger",
            "LANGUAGE plpgsql AS $$",
            "BEGIN",
            "    NEW.updated_at := now();",
            "    RETURN NEW;",
            "END;",
            "$$;",
        ]
    trigger = f"{table.name}_set_updated_at"
    table.triggers.append(trigger)
    lines += [
        f"DROP TRIGGER IF EXISTS {trigger} ON {table.name};",
        f"CREATE TRIGGER {trigger}",
        f"    BEFORE UPDATE ON {table.name}",
        "    FOR EACH ROW",
        "    EXECUTE FUNCTION set_updated_at();",
    ]
    return Block(
        lines, f"touch_{table.name}_updated_at", [f"DROP TRIGGER IF EXISTS {trigger} ON {table.name};"]
    )


_AUDIT_TABLE = [
    "CREATE TABLE IF NOT EXISTS audit_log (",
    "    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,",
    "    table_name text NOT NULL,",
    "    row_id text,",
    "    action text NOT NULL,",
    "    old_row jsonb,",
    "    new_row jsonb,",
    "    changed_at timestamptz NOT NULL DEFAULT now()",
    ");",
]

_AUDIT_FUNCTION = [
    "CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger",
    "LANGUAGE plpgsql",
    "SECURITY DEFINER",
    "AS $fn$",
    "BEGIN",
    "    IF TG_OP = 'DELETE' THEN",
    "        INSERT INTO audit_log (table_name, row_id, action, old_row)",
    "        VALUES (TG_TABLE_NAME, OLD.id::text, TG_OP, to_jsonb(OLD));",
    "        RETURN OLD;",
    "    END IF;",
    "    INSERT INTO audit_log (table_name, row_id, action, old_row, new_row)",
    "    VALUES (TG_TABLE_NAME, NEW.id::text, TG_OP,",
    "            CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END, to_jsonb(NEW));",
    "    RETURN NEW;",
    "END;",
    "$fn$;",
]


def audit_trigger(writer: Writer) -> Block | None:
    schema = writer.schema
    table = writer.table(lambda t: not t.protected and f"{t.name}_audit" not in t.triggers)
    if table is None:
        return None
    lines = []
    if "audit_log" not in schema.tables:
        schema.tables["audit_log"] = _audit_table()
        schema.names.update({"audit_log", "audit_log_pkey", "audit_log_id_seq"})
        lines += _AUDIT_TABLE
    if "audit_row_change" not in schema.functions:
        schema.functions.append("audit_row_change")
        lines += _AUDIT_FUNCTION
    trigger = f"{table.name}_audit"
    table.triggers.append(trigger)
    table.protected = True
    lines += [
        f"CREATE TRIGGER {trigger}",
        f"    AFTER INSERT OR UPDATE OR DELETE ON {table.name}",
        "    FOR EACH ROW EXECUTE FUNCTION audit_row_change();",
    ]
    return Block(lines, f"audit_{table.name}", [f"DROP TRIGGER IF EXISTS {trigger} ON {table.name};"])


def _audit_table() -> Table:
    table = Table("audit_log", "audit_log", "bigint", protected=True)
    for name, kind, sql_type in (
        ("id", "bigint", "bigint"),
        ("table_name", "text", "text"),
        ("row_id", "text", "text"),
        ("action", "text", "text"),
        ("old_row", "json", "jsonb"),
        ("new_row", "json", "jsonb"),
        ("changed_at", "ts", "timestamptz"),
    ):
        table.columns[name] = Column(name, sql_type, kind, name in ("row_id", "old_row", "new_row"), True)
    return table


def helper_function(writer: Writer) -> Block | None:
    schema = writer.schema
    child = writer.table(lambda t: any(c.references for c in t.columns.values()))
    if child is None:
        return None
    fk = next(c for c in child.columns.values() if c.references)
    parent = schema.tables[fk.references or ""]
    name = schema.claim("count", child.name, "for", parent.singular)
    schema.functions.append(name)
    lines = [
        f"CREATE OR REPLACE FUNCTION {name}(p_{parent.singular}_id {parent.id_kind})",
        "RETURNS bigint",
        "LANGUAGE plpgsql",
        "STABLE",
        "AS $$",
        "DECLARE",
        "    result bigint;",
        "BEGIN",
        f"    SELECT count(*) INTO result FROM {child.name} WHERE {fk.name} = p_{parent.singular}_id;",
        "    RETURN coalesce(result, 0);",
        "END;",
        "$$;",
    ]
    return Block(lines, f"function_{name}", [f"DROP FUNCTION IF EXISTS {name}({parent.id_kind});"])


def sql_function(writer: Writer) -> Block | None:
    schema = writer.schema
    if "normalize_email" in schema.functions:
        return None
    schema.functions.append("normalize_email")
    lines = [
        "-- Used by the signup and invitation code paths.",
        "CREATE OR REPLACE FUNCTION normalize_email(value text) RETURNS text",
        "LANGUAGE sql IMMUTABLE STRICT",
        "AS $$",
        "    SELECT lower(btrim(value))",
        "$$;",
    ]
    return Block(lines, "normalize_email_function")


def guarded_constraint(writer: Writer) -> Block | None:
    """A DO block that adds a constraint unless a previous partial run already did."""
    table = writer.table(lambda t: any(check_for(c) and c.type != "smallint" for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: check_for(c) is not None and c.type != "smallint")
    assert column is not None
    name = writer.schema.claim("chk", table.name, column.name)
    table.checks.append(Check(name, column.name))
    lines = [
        "DO $$",
        "BEGIN",
        f"    ALTER TABLE {table.name} ADD CONSTRAINT {name} CHECK ({check_for(column)});",
        "EXCEPTION",
        "    WHEN duplicate_object THEN",
        f"        RAISE NOTICE 'constraint {name} already exists';",
        "END;",
        "$$;",
    ]
    return Block(lines, f"guard_{table.name}_{column.name}")


def guarded_rename(writer: Writer) -> Block | None:
    """A DO block that renames a column only where it still has its old name."""
    table = writer.table(lambda t: bool(t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: True)
    assert column is not None
    old, new = column.name, f"{column.name}_value"
    if new in table.columns:
        return None
    table.rename_column(old, new)
    lines = [
        "DO $$",
        "BEGIN",
        "    IF EXISTS (",
        "        SELECT 1 FROM information_schema.columns",
        "        WHERE table_schema = current_schema()",
        f"          AND table_name = '{table.name}' AND column_name = '{old}'",
        "    ) THEN",
        f"        ALTER TABLE {table.name} RENAME COLUMN {old} TO {new};",
        "    END IF;",
        "END",
        "$$;",
    ]
    return Block(lines, f"rename_{table.name}_{old}_if_present")


def row_report(writer: Writer) -> Block | None:
    table = writer.table(lambda t: any(c.nullable for c in t.changeable()))
    if table is None:
        return None
    column = writer.column(table, lambda c: c.nullable)
    assert column is not None
    lines = [
        "DO $$",
        "DECLARE",
        "    missing bigint;",
        "BEGIN",
        f"    SELECT count(*) INTO missing FROM {table.name} WHERE {column.name} IS NULL;",
        "    IF missing > 0 THEN",
        f"        RAISE NOTICE '% rows of {table.name} have no {column.name}', missing;",
        "    END IF;",
        "END",
        "$$;",
    ]
    return Block(lines, f"report_{table.name}_{column.name}")
