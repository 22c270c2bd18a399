"""Row-level security turned on for a table no policy opens: the roles it applies to see no rows at all.

## Why is this bad?
`ALTER TABLE documents ENABLE ROW LEVEL SECURITY` makes PostgreSQL deny by default. Until a policy says which
rows a role may see, every role that does not own the table (and is neither a superuser nor `BYPASSRLS`)
reads nothing from it and cannot write to it: its SELECTs return no rows without an error, its INSERTs fail
with "new row violates row-level security policy". An application that connects as such a role (PostgREST and
Supabase's `anon` and `authenticated`, a read-only reporting role, a service account) loses the table the
moment the migration commits, and its queries keep running, on nothing. `FORCE ROW LEVEL SECURITY` does the
same to the table's owner, usually the role the application itself connects as.

## Use instead
Create the policies the application needs in the same migration, before or beside the `ENABLE` (inside one
transaction no query sees the table without them), or in an earlier one:

```sql
CREATE POLICY documents_owner ON documents USING (owner_id = current_setting('app.user_id')::bigint);
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
```

A table meant to be closed to every role but its owner needs no policy; say so in a suppression with the
reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.model.catalog import same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import Migration, RawSQL
from bot.rules.context import Context

RULE = Rule(
    id="row-security-without-policy",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.WARNING,
    help="Create the table's policies (`CREATE POLICY … ON table USING (…)`) in the same migration, or before it.",
    bad=(
        "CREATE TABLE documents (id bigint PRIMARY KEY, owner_id bigint NOT NULL);\n"
        "-- migration\n"
        "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;",
    ),
    good=(
        "CREATE TABLE documents (id bigint PRIMARY KEY, owner_id bigint NOT NULL);\n"
        "-- migration\n"
        "CREATE POLICY documents_owner ON documents USING (owner_id = current_setting('app.user_id')::bigint);\n"
        "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;",
    ),
    dialects=("postgres",),
)

_TURNED_ON = {
    "alter-table-enable-row-security": "ENABLE",
    "alter-table-force-row-security": "FORCE",
}


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    if not context.postgres:
        return
    created = [op.table for op in migration.up if isinstance(op, RawSQL) and op.category == "policy"]
    forced = [
        o.table for o in migration.up if isinstance(o, RawSQL) and o.category.endswith("force-row-security")
    ]
    for op in migration.up:
        if not isinstance(op, RawSQL) or op.category not in _TURNED_ON or not op.table:
            continue
        word = _TURNED_ON[op.category]
        if word == "ENABLE" and (
            context.catalog.is_new(op.table) or any(same_table(t, op.table) for t in forced)
        ):
            continue  # no release reads a table the change creates; FORCE, when written, is the one told
        if any(same_table(table, op.table) for table in created) or _has_policy(context, op):
            continue
        yield _finding(op, word)


def _has_policy(context: Context, op: RawSQL) -> bool:
    known = context.before(op).tables
    table = known.get(op.table) or known.get(op.table.rpartition(".")[2])
    return table is not None and bool(table.policies)


def _finding(op: RawSQL, word: str) -> Finding:
    if word == "FORCE":
        return op.finding(
            RULE,
            f"`ALTER TABLE {op.table} FORCE ROW LEVEL SECURITY` with no policy on `{op.table}`: even the table's "
            "owner, the role the application usually connects as, now reads no rows from it and cannot write to it.",
            severity=Severity.CRITICAL,
            blast_radius=f"Every SELECT on `{op.table}` by any role but a superuser or a BYPASSRLS one returns "
            'nothing, and every INSERT fails ("new row violates row-level security policy"), from the commit on.',
        )
    return op.finding(
        RULE,
        f"Row-level security is enabled on `{op.table}` with no policy on it: every role that does not own "
        "the table now reads no rows from it and cannot write to it.",
        blast_radius=f"Queries on `{op.table}` by such roles (an API role, a reporting or read-only role) return "
        'nothing without an error, and their inserts fail ("new row violates row-level security policy"); '
        "the owner, superusers and BYPASSRLS roles are not affected.",
    )
