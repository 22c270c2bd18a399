"""Code that lives in the database: the views, functions and triggers that still use a table or column.

The schema before the change (replayed from earlier migrations or read from a schema dump) keeps every
view, function and trigger with the tables and columns its definition names, read as SQL by PostgreSQL's
grammar (PL/pgSQL bodies by PL/pgSQL's). What happens when one of them goes away depends on the object:

- a view, a materialized view or a `BEGIN ATOMIC` function is tracked by the database: a DROP of what it
  uses is refused (or, with CASCADE, drops the view with it), and a rename is followed, so a rename is
  no use;
- a function whose body is text (PL/pgSQL, `LANGUAGE sql AS $$…$$`) is not: it fails on its next call,
  after a rename as after a drop;
- a trigger whose function reads or writes `NEW.col` fails every write to its table;
- MySQL and MariaDB record no dependency at all: a view, a trigger, a procedure or an event that names
  the column lets the change through, and fails on its next read, write, call or scheduled run;
- SQLite refuses to drop a column a view or trigger names and renames it in them, but lets a table
  they use be dropped: the view fails on its next read, the trigger on its next write.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.model.catalog import Catalog, DatabaseObject
from bot.references.usage import Target, Use

AREA = "database"


def database_uses(catalog: Catalog, target: Target, *, replaced: Iterable[str] = ()) -> tuple[Use, ...]:
    """The uses of a dropped or renamed table or column by the database's own code.

    `replaced`: functions the change itself creates again or drops after the statement (by name).
    """
    if target.kind not in ("column", "table"):
        return ()
    column = target.name if target.kind == "column" else ""
    skip = {name.lower().rpartition(".")[2] for name in replaced}
    found = []
    for obj, offset in catalog.dependents(target.table, column):
        if obj.tracked and target.new_name:
            continue  # the database follows the rename
        if obj.kind == "function" and obj.name.lower().rpartition(".")[2] in skip:
            continue
        line, text = obj.line_of(offset)
        found.append(
            Use(obj.path, line, text.strip()[:200], AREA, "high", detail=_breaks(catalog, obj, target))
        )
    return tuple(sorted(found, key=lambda u: (u.path, u.line)))


def _breaks(catalog: Catalog, obj: DatabaseObject, target: Target) -> str:
    what = f"`{target.label}`"
    verb = "rename" if target.new_name else "DROP"
    if obj.engine == "SQLite":
        return _sqlite_breaks(obj, target, what)
    if obj.tracked and obj.kind == "view":
        return (
            f"view `{obj.name}` depends on {what}: PostgreSQL refuses the {verb} "
            f"(with CASCADE it drops the view, and whatever reads the view fails)"
        )
    if obj.tracked and obj.kind == "trigger":
        return f"trigger `{obj.name}` on `{obj.table}` names {what}: PostgreSQL refuses the {verb} or drops the trigger with CASCADE"
    if obj.tracked:
        return f"function `{obj.name}` depends on {what}: PostgreSQL refuses the {verb} (CASCADE drops the function)"
    if obj.kind == "view":  # MySQL and MariaDB record no dependency
        return f"view `{obj.name}` still names {what}: the database lets the {verb} through, and every read of the view fails after it"
    if obj.kind == "trigger":
        return f"trigger `{obj.name}` on `{obj.table}` still names {what}: every write that fires it fails after the {verb}"
    if obj.kind == "event":
        return f"event `{obj.name}` still names {what}: its next scheduled run fails after the {verb}"
    triggers = [
        t
        for t in catalog.objects.values()
        if t.kind == "trigger"
        and t.function.lower().rpartition(".")[2] == obj.name.lower().rpartition(".")[2]
    ]
    if triggers:
        on = ", ".join(f"`{t.name}` on `{t.table}`" for t in triggers[:3])
        return (
            f"function `{obj.name}`, run by trigger {on}, still names {what}: "
            "every write that fires the trigger fails"
        )
    return f"function `{obj.name}` still names {what}: it fails on its next call"


def _sqlite_breaks(obj: DatabaseObject, target: Target, what: str) -> str:
    """SQLite checks its views and triggers when a column is dropped, not when a table is."""
    name = f"view `{obj.name}`" if obj.kind == "view" else f"trigger `{obj.name}` on `{obj.table}`"
    if target.kind == "column":
        return (
            f"{name} names {what}: SQLite refuses the DROP COLUMN (drop the {obj.kind} first, "
            "or rebuild it without the column in the same migration)"
        )
    if obj.kind == "view":
        return f"{name} still reads {what}: SQLite lets the DROP TABLE through, and every read of the view fails after it"
    return f"{name} still names {what}: every write that fires it fails after the DROP TABLE"
