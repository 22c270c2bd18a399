import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql


def _found(sql: str, **kwargs: object) -> list:  # type: ignore[type-arg]
    return [f for f in review_sql(sql, **kwargs).active if f.rule == "missing-down-migration"]  # type: ignore[arg-type]


def test_drop_without_down_is_critical() -> None:
    found = _found("-- +goose Up\nALTER TABLE orders DROP COLUMN legacy_status;")
    assert found and found[0].severity is Severity.CRITICAL and found[0].line == 2


def test_empty_down_section_is_found() -> None:
    found = _found("-- +goose Up\nDROP TABLE legacy_invoices;\n-- +goose Down\n")
    assert found and found[0].severity is Severity.CRITICAL  # an empty Down section: no way back


def test_overwriting_update_without_down_is_a_warning() -> None:
    schema = "CREATE TABLE orders (id bigint PRIMARY KEY, status text);\n-- migration\n"
    found = _found(
        schema + "-- +goose Up\nUPDATE orders SET status = lower(status) WHERE id >= 1 AND id < 1000;"
    )
    assert found and found[0].severity is Severity.WARNING


def test_plain_sql_file_with_a_down_file_is_quiet() -> None:
    base = {"db/migrations/002_drop.down.sql": "ALTER TABLE orders ADD COLUMN legacy text;"}
    assert not _found(
        "ALTER TABLE orders DROP COLUMN legacy;", path="db/migrations/002_drop.up.sql", head=base
    )


def test_additive_change_without_down_is_quiet() -> None:
    assert not _found("-- +goose Up\nALTER TABLE orders ADD COLUMN note text;")


@pytest.mark.parametrize(
    ("table", "column", "old", "wider", "narrower"),
    [
        ("accounts", "email", "varchar(100)", "varchar(255)", "varchar(20)"),
        ("events", "attempts", "integer", "bigint", "smallint"),
        ("notes", "body", "varchar(500)", "text", "varchar(10)"),
    ],
)
def test_a_widening_needs_no_way_back(table: str, column: str, old: str, wider: str, narrower: str) -> None:
    """A change of type that keeps every value loses nothing a rollback would need; a narrowing, or a USING
    that computes the new values, does."""
    base = {"db/migrations/0001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old});\n"}

    def found(sql: str) -> list[str]:
        result = review_sql(sql, path="db/migrations/0002_change.sql", base=base)
        return [f.rule for f in result.active if f.rule == "missing-down-migration"]

    assert not found(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {wider};\n")
    assert not found(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {wider} USING {column}::{wider};\n")
    assert found(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {narrower};\n")
    computed = "upper" if "char" in old else "abs"
    assert found(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE {wider} USING {computed}({column});\n")


@pytest.mark.parametrize(("table", "column"), [("courier_messages", "body"), ("flows", "payload")])
def test_a_part_with_an_empty_down_is_undone_by_the_other_parts(table: str, column: str) -> None:
    """pop's split files: a table rebuilt over numbered parts drops the old table in one part whose own down is
    empty, while the other parts' downs rebuild it back. Judged whole, the migration has a way back; when
    every part's down is empty, it has none."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    folder = "persistence/sql/migrations/sql"
    base = {
        f"{folder}/20200101000000000000_{table}.sqlite3.up.sql": f"CREATE TABLE {table} (id text PRIMARY KEY, {column} text);"
    }
    parts = [
        (
            f"CREATE TABLE _{table}_tmp (id text PRIMARY KEY, {column} text NOT NULL);",
            f"ALTER TABLE _{table}_tmp RENAME TO {table};",
        ),
        (
            f"INSERT INTO _{table}_tmp (id, {column}) SELECT id, coalesce({column}, '') FROM {table};",
            f"DROP TABLE {table};",
        ),
        (
            f"DROP TABLE {table};",
            f"INSERT INTO _{table}_tmp (id, {column}) SELECT id, {column} FROM {table};",
        ),
        (
            f"ALTER TABLE _{table}_tmp RENAME TO {table};",
            f"CREATE TABLE _{table}_tmp (id text PRIMARY KEY, {column} text);",
        ),
    ]

    def found(parts: list[tuple[str, str]]) -> list[str]:
        files = {}
        for index, (up, down) in enumerate(parts):
            stem = f"{folder}/20200519101057{index:06d}_{table}.sqlite3"
            files[f"{stem}.up.sql"], files[f"{stem}.down.sql"] = up, down
        changed = tuple(ChangedFile(p, "added", None, t) for p, t in sorted(files.items()) if ".up." in p)
        result = review(ChangeSet("b", "h", changed, MemoryTree(base | files), MemoryTree(base)))
        return [f.path for f in result.active if f.rule == "missing-down-migration"]

    parts[2] = (parts[2][0], "")  # the part that drops the table has an empty down of its own
    assert found(parts) == []
    assert found([(up, "") for up, _ in parts])


@pytest.mark.parametrize(
    ("table", "column", "condition"),
    [
        ("comments", "resolvedAt", 'reply."resolvedAt" IS NULL'),
        ('"Invoice"', "paidAt", '"paidAt" IS NULL'),
        ("orders", "note", "o.\"note\" = ''"),
    ],
)
def test_a_fill_of_quoted_or_aliased_empty_values_needs_no_way_back(
    table: str, column: str, condition: str
) -> None:
    """A fill of NULLs (or '') overwrites nothing, however the condition names the column: quoted, or with the
    table's alias. An empty down is enough; the same UPDATE of every row is not a fill."""
    alias = condition.split(".")[0] if "." in condition else ""
    schema = f'CREATE TABLE {table} (id bigint PRIMARY KEY, "{column}" text);\n-- migration\n'
    path = "db/migrations/000002_fill.up.sql"
    down = {"db/migrations/000002_fill.down.sql": "-- nothing to undo\n"}
    fill = f"UPDATE {table} {alias} SET \"{column}\" = 'x' WHERE {condition};"
    found = review_sql(schema + fill, path=path, head=down).active
    assert "missing-down-migration" not in {f.rule for f in found}
    overwrite = f"UPDATE {table} {alias} SET \"{column}\" = 'x' WHERE id > 100;"
    found = review_sql(schema + overwrite, path=path, head=down).active
    assert "missing-down-migration" in {f.rule for f in found}


@pytest.mark.parametrize(("table", "column"), [("instances", "shared_inbox"), ("statuses", "object_url")])
def test_a_fill_of_a_column_an_earlier_migration_of_the_change_adds_needs_no_way_back(
    table: str, column: str
) -> None:
    """Two migrations in one pull request: the first adds a column (its down drops it), the second fills it and
    has an empty down. The fill overwrites nothing production wrote; the same fill of a column the base branch
    already had does."""
    from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
    from bot.review import review

    base = {
        "db/migrations/000001_create.up.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, uri text, old_{column} text);"
    }

    def found(filled: str) -> list[str]:
        files = {
            "db/migrations/000002_add.up.sql": f"ALTER TABLE {table} ADD COLUMN {column} text;",
            "db/migrations/000002_add.down.sql": f"ALTER TABLE {table} DROP COLUMN {column};",
            "db/migrations/000003_fill.up.sql": f"UPDATE {table} SET {filled} = uri WHERE id BETWEEN 1 AND 1000;",
            "db/migrations/000003_fill.down.sql": "-- nothing to undo\n",
        }
        changed = tuple(ChangedFile(p, "added", None, t) for p, t in sorted(files.items()) if ".up." in p)
        result = review(ChangeSet("b", "h", changed, MemoryTree(base | files), MemoryTree(base)))
        return [f.path for f in result.active if f.rule == "missing-down-migration"]

    assert found(column) == []
    assert found(f"old_{column}") == ["db/migrations/000003_fill.up.sql"]
