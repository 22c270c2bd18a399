"""What the code-reference search looks for (a Target) and what it finds (a Use)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.references.inflection import camelize, go_name


@dataclass(frozen=True)
class Target:
    """Something a migration removes or renames, which code may still name."""

    kind: str  # "column" | "table" | "enum-value" | "index" | "constraint"
    table: str  # lower-case table name without schema (the enum type for kind="enum-value")
    name: str  # the column / enum value / index name; the table name again for kind="table"
    new_name: str | None = None  # for renames, and for a column that replaces another
    # How the migration writes a name the database folds to lower case (`displayName` for `displayname`):
    # code names it the way it was written. Not part of what the target is.
    spelling: str = field(default="", compare=False)
    new_spelling: str = field(default="", compare=False)
    # Looked for only where the code upserts (a column of a dropped unique key, which the change keeps: only an
    # upsert naming it as its conflict target is of interest), not in every file that has the word.
    upserts_only: bool = field(default=False, compare=False)

    @property
    def label(self) -> str:
        """How a reviewer names it: `orders.legacy_status`, `orders`, `idx_orders_state`."""
        return f"{self.table}.{self.name}" if self.kind in ("column", "enum-value") else self.name


@dataclass(frozen=True)
class Use:
    """One line of code that still names a target."""

    path: str
    line: int
    text: str
    area: str  # model | association | serializer | job | raw-sql | view | test | doc | config | other
    confidence: str  # "high" | "low"
    safe: str | None = None  # set when a known safe pattern covers this place (ignored_columns, ...)
    access: str = "read"  # "read" | "write"
    flag: str | None = None  # the feature flag guarding this place, as "provider `name`"
    detail: str = ""  # what breaks there, when the area alone does not say (database objects)

    @property
    def blocking(self) -> bool:
        """A use that breaks after the migration: high confidence and not covered by a safe pattern."""
        return self.confidence == "high" and self.safe is None


def spellings(name: str) -> tuple[str, ...]:
    """The spellings code uses for a snake_case name: as is, camelCase (JS, Prisma), PascalCase, and Go's
    PascalCase with initialisms in capitals (`UserID`, `APIKey`)."""
    if "_" not in name.strip("_"):
        return (name,)
    return tuple(dict.fromkeys((name, camelize(name, upper=False), camelize(name), go_name(name))))


def go_field(name: str) -> str:
    """A one-word column's field in a Go struct (`Age` for `age`), which GORM maps to it by its name; ""
    for a name `spellings` already covers. Searched in Go files only (a capitalised word elsewhere is a
    class or a constant of the code)."""
    return name.capitalize() if name.isalpha() and name.islower() else ""


# Words one of which every upsert's conflict target holds (see `Target.upserts_only`): SQL's `ON CONFLICT` and
# `ON DUPLICATE KEY` in any case, Rails' `unique_by:`, Ecto's `conflict_target:`, Knex's `onConflict`, TypeORM's
# `conflictPaths` and `orUpdate`, SQLAlchemy's `index_elements`, Django's `unique_fields`; and every call that
# finds its row by a unique key before writing: Prisma's `upsert` (its `where`), Django's `get_or_create` and
# `update_or_create`, Rails' `find_or_create_by` and `create_or_find_by`, Laravel's `firstOrCreate`, `updateOrCreate`
# and `updateOrInsert` (its `upsert` is Prisma's word).
UPSERT_WORDS = frozenset(
    {
        "onflict",
        "ONFLICT",
        "uplicate",
        "UPLICATE",
        "unique_by",
        "orUpdate",
        "index_elements",
        "unique_fields",
        "upsert",
        "or_create",
        "create_or_find",
        "OrCreate",
        "OrInsert",
    }
)
