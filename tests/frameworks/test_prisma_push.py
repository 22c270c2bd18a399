"""`prisma db push` projects: the change of the Prisma schema is the migration (no migration files)."""

from __future__ import annotations

import pytest

from bot.frameworks import prisma_push
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.model.migration import AddConstraint, Operation
from bot.review import review

DATASOURCE = 'datasource db {{\n  provider = "{provider}"\n  url      = env("DATABASE_URL")\n}}\n\n'
NAMES = [("User", "email", "nickname"), ("Account", "plan", "label")]


def _schema(model: str, fields: str, provider: str = "postgresql") -> str:
    return (
        DATASOURCE.format(provider=provider)
        + f"model {model} {{\n  id    Int    @id @default(autoincrement())\n{fields}}}\n"
    )


def _review(before: dict[str, str], after: dict[str, str], extra: dict[str, str] | None = None) -> Review:
    files = tuple(
        ChangedFile(
            p,
            "modified" if p in before and p in after else "added" if p in after else "removed",
            before.get(p),
            after.get(p),
        )
        for p in sorted(set(before) | set(after))
        if before.get(p) != after.get(p)
    )
    base = MemoryTree({**(extra or {}), **before})
    head = MemoryTree({**(extra or {}), **after})
    return review(ChangeSet("base", "head", files, head, base))


def _found(result: Review, rule: str) -> list[str]:
    return [f.message for f in result.active if f.rule == rule]


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
def test_a_removed_field_is_a_dropped_column(model: str, kept: str, field: str) -> None:
    path = "prisma/schema.prisma"
    before = _schema(model, f"  {kept} String\n  {field} String?\n")
    result = _review({path: before}, {path: _schema(model, f"  {kept} String\n")})
    assert result.migrations[0].path == path
    assert any(f"`{model}.{field}` is dropped" in m for m in _found(result, "column-dropped"))


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
def test_a_renamed_field_loses_its_data_unless_mapped(model: str, kept: str, field: str) -> None:
    path = "prisma/schema.prisma"
    before = _schema(model, f"  {kept} String\n  {field} String?\n")
    renamed = _schema(model, f"  {kept} String\n  {field}Name String?\n")
    found = [f for f in _review({path: before}, {path: renamed}).active if f.rule == "column-dropped"]
    assert found and found[0].severity == "critical" and f"{field}Name" in found[0].message
    assert f'@map("{field}")' in found[0].message + found[0].fix  # the way db push keeps a column
    mapped = _schema(model, f'  {kept} String\n  {field}Name String? @map("{field}")\n')
    assert not _review({path: before}, {path: mapped}).active


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
def test_a_model_moved_to_another_file_or_package_is_no_change(model: str, kept: str, field: str) -> None:
    fields = f"  {kept} String\n  {field} String?\n"
    before = {
        "prisma/schema/schema.prisma": DATASOURCE.format(provider="mysql"),
        "prisma/schema/a.prisma": _schema(model, fields).split("\n\n", 1)[1],
    }
    moved = {
        "packages/db/schema/schema.prisma": DATASOURCE.format(provider="mysql"),
        "packages/db/schema/b.prisma": _schema(model, fields).split("\n\n", 1)[1],
    }
    result = _review(before, moved)
    assert not [f for f in result.active if f.rule in ("table-dropped", "column-dropped")]


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
def test_indexes_and_nullability_as_db_push_applies_them(model: str, kept: str, field: str) -> None:
    path = "prisma/schema.prisma"
    before = _schema(model, f"  {kept} String\n  {field} String?\n")
    indexed = _schema(model, f"  {kept} String\n  {field} String?\n\n  @@index([{field}])\n")
    result = _review({path: before}, {path: indexed})
    # db push builds the index with a plain CREATE INDEX: on PostgreSQL it blocks writes while it builds
    assert any(f"{model}_{field}_idx" in m for m in _found(result, "non-concurrent-index"))
    required = _schema(model, f"  {kept} String\n  {field} String\n")
    assert any(
        f"`{model}.{field}`" in m for m in _found(_review({path: before}, {path: required}), "set-not-null")
    )
    # on MySQL the index is built in place, and db push makes only what is missing: no re-run trouble
    my = {k: v.replace("postgresql", "mysql") for k, v in {path: before}.items()}
    result = _review(my, {path: indexed.replace("postgresql", "mysql")})
    assert not [f for f in result.active if f.rule in ("non-concurrent-index", "non-robust-statement")]


def test_a_schema_with_a_migrate_history_is_not_read_as_db_push() -> None:
    path = "prisma/schema.prisma"
    history = {
        "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "User" ("id" SERIAL PRIMARY KEY, "email" TEXT NOT NULL);\n'
    }
    before = _schema("User", "  email String\n  nickname String?\n")
    result = _review({path: before}, {path: _schema("User", "  email String\n")}, history)
    assert not result.migrations


@pytest.mark.parametrize(
    ("package", "folder", "model", "field"),
    [("packages/database", "models", "Poll", "guestId"), ("", "schema/billing", "Subscription", "userId")],
)
def test_a_multi_file_schema_below_its_migrate_history_is_not_read_as_db_push(
    package: str, folder: str, model: str, field: str
) -> None:
    """A multi-file schema's models may lie in any folder under the one that holds its datasource and
    history (rallly's `prisma/models/poll.prisma` beside `prisma/schema.prisma` and `prisma/migrations`): the
    migration Prisma Migrate wrote is the change, not a db push of the same drop besides."""
    prisma = f"{package}/prisma" if package else "prisma"
    main, part = f"{prisma}/schema.prisma", f"{prisma}/{folder}/{model.lower()}.prisma"
    body = _schema(model, f"  {field} String?\n").split("\n\n", 1)[1]
    init = f"{prisma}/migrations/20240101000000_init/migration.sql"
    created = f'CREATE TABLE "{model}" ("id" SERIAL PRIMARY KEY, "{field}" TEXT);\n'
    dropped = f"{prisma}/migrations/20240202000000_drop/migration.sql"
    before = {main: DATASOURCE.format(provider="postgresql"), part: body}
    after = {
        **before,
        part: body.replace(f"  {field} String?\n", ""),
        dropped: f'ALTER TABLE "{model}" DROP COLUMN "{field}";\n',
    }
    package_json = {f"{package}/package.json": "{}"} if package else {}
    result = _review(before, after, {init: created, **package_json})
    assert [(m.path, m.framework) for m in result.migrations] == [(dropped, "prisma")]
    assert len(_found(result, "column-dropped")) == 1
    # without the history the same schema is pushed
    pushed = _review(before, {**before, part: after[part]}, package_json)
    assert [m.framework for m in pushed.migrations] == ["prisma-push"]
    # a history at the top of the repository is not that of a package's own schema below it
    app = f"apps/{model.lower()}"
    other = {f"{app}/{k}": v for k, v in before.items()}
    edited = {f"{app}/{part}": after[part]}
    top = {"migrations/20240101000000_init/migration.sql": created, f"{app}/package.json": "{}"}
    beside = _review(other, {**other, **edited}, top)
    assert [m.framework for m in beside.migrations] == ["prisma-push"]


@pytest.mark.parametrize(
    ("model", "old", "new"),
    [
        ("ProgramEnrollment", "riskDetectionDisabledAt", "riskMonitoringDisabledAt"),
        ("Invoice", "sentAt", "mailedAt"),
    ],
)
def test_the_models_of_a_multi_file_schema_are_the_tables_before_the_change(
    model: str, old: str, new: str
) -> None:
    """`prisma/schema/*.prisma`: the models of every file of the folder, not only of `schema.prisma`, are
    the tables the change alters, with their types (a field renamed in place is a drop and an add of the same
    type; a VARCHAR lengthened on MySQL is no rewrite)."""
    main = "prisma/schema/schema.prisma"
    part = f"prisma/schema/{model.lower()}.prisma"
    body = _schema(model, f"  {old} DateTime?\n  note String?\n").split("\n\n", 1)[1]
    before = {main: DATASOURCE.format(provider="mysql"), part: body}
    renamed = body.replace(f"  {old} ", f"  {new} ")
    found = _found(_review(before, {**before, part: renamed}), "column-dropped")
    assert any(f'@map("{old}")' in m for m in found), found
    longer = body.replace("note String?", "note String? @db.VarChar(255)")
    assert not _found(_review(before, {**before, part: longer}), "type-change-rewrite")
    # a type that does change storage still rewrites the table
    text = body.replace("note String?", "note String? @db.Text")
    assert _found(_review(before, {**before, part: text}), "type-change-rewrite")


@pytest.mark.parametrize(
    ("folder", "model", "field"),
    [("packages/database/migration", "User", "nickname"), ("db/history", "Account", "label")],
)
def test_a_migrate_history_in_a_folder_of_another_name_is_prisma_migrate(
    folder: str, model: str, field: str
) -> None:
    """The history is the folder of timestamped folders whatever its name (`prisma.config.ts` moves it; a
    runner of its own copies `migration/` to `migrations/` before `prisma migrate deploy`): its migration is
    Prisma's, with no down by design, and the schema edited beside it is no db push of the same drop."""
    schema = f"{folder.rpartition('/')[0]}/schema.prisma"
    init = f"{folder}/20240101000000_init/migration.sql"
    created = f'CREATE TABLE "{model}" ("id" SERIAL PRIMARY KEY, "{field}" TEXT);\n'
    added = f"{folder}/20240202000000_drop_{field}/migration.sql"
    before = {schema: _schema(model, f"  {field} String?\n")}
    after = {schema: _schema(model, ""), added: f'ALTER TABLE "{model}" DROP COLUMN "{field}";\n'}
    result = _review(before, after, {init: created})
    assert [(m.path, m.framework) for m in result.migrations] == [(added, "prisma")]
    assert len(_found(result, "column-dropped")) == 1
    assert not [f for f in result.active if f.severity == "critical"], result.active
    # drizzle-kit 1.0 writes the same folders, its statements split by breakpoints: not Prisma's
    drizzle = f"{folder}/20240202000000_drop_{field}/migration.sql"
    text = f'ALTER TABLE "{model}" DROP COLUMN "{field}";--> statement-breakpoint\n'
    assert not [
        m for m in _review({}, {drizzle: text}, {init: created}).migrations if m.framework == "prisma"
    ]


@pytest.mark.parametrize(
    ("enum", "model", "dropped"), [("Role", "User", "GUEST"), ("Status", "Ticket", "ARCHIVED")]
)
def test_a_value_removed_from_an_enum_fails_for_the_rows_that_hold_it(
    enum: str, model: str, dropped: str
) -> None:
    """PostgreSQL cannot drop an enum value: db push creates the type again and casts the columns over, which
    fails at the first row still holding the value."""
    path = "prisma/schema.prisma"

    def schema(values: str) -> str:
        return (
            DATASOURCE.format(provider="postgresql")
            + f"enum {enum} {{\n{values}}}\n\nmodel {model} {{\n  id    Int    @id @default(autoincrement())\n"
            f"  kind  {enum}  @default(ONE)\n}}\n"
        )

    before = schema(f"  ONE\n  TWO\n  {dropped}\n")
    result = _review({path: before}, {path: schema("  ONE\n  TWO\n")})
    messages = _found(result, "enum-value-dropped")
    assert any(f"'{dropped}'" in m for m in messages), result.active
    assert any(f"`{enum}_old` to `{enum}`" in m for m in messages), messages  # a quoted name keeps its case
    added = _review({path: before}, {path: schema(f"  ONE\n  TWO\n  {dropped}\n  THREE\n")})
    assert not _found(added, "enum-value-dropped")


RELATION_NAMES = [("Post", "User", "authorId", "author"), ("Invoice", "Customer", "customerId", "customer")]


def _ops(before: str, after: str) -> tuple[Operation, ...]:
    path = "prisma/schema.prisma"
    changed = [ChangedFile(path, "modified", before, after)]
    return prisma_push.migration(
        changed, MemoryTree({path: after}), MemoryTree({path: before}), "postgres"
    ).up


def _two_models(child: str, parent: str, key: str, relation: str, line: str = "", mode: str = "") -> str:
    extra = f"  {key} Int?\n{line}" if line else ""
    datasource = DATASOURCE.format(provider="postgresql")
    if mode:
        datasource = datasource.replace("}\n", f'  relationMode = "{mode}"\n}}\n', 1)
    return (
        datasource
        + f"model {parent} {{\n  id Int @id @default(autoincrement())\n}}\n\n"
        + f"model {child} {{\n  id    Int    @id @default(autoincrement())\n  title String\n{extra}}}\n"
    )


@pytest.mark.parametrize(("child", "parent", "key", "relation"), RELATION_NAMES)
def test_a_relation_added_to_an_existing_table_is_a_foreign_key(
    child: str, parent: str, key: str, relation: str
) -> None:
    path = "prisma/schema.prisma"
    before = _two_models(child, parent, key, relation, f"  {relation}Note String?\n").replace(
        f"  {key} Int?\n", f"  {key} Int?\n"
    )
    line = f"  {relation} {parent}? @relation(fields: [{key}], references: [id])\n"
    after = _two_models(child, parent, key, relation, line)
    before = before.replace(f"  {relation}Note String?\n", "")
    result = _review({path: before}, {path: after})
    [key_op] = [op for op in _ops(before, after) if isinstance(op, AddConstraint)]
    assert key_op.name == f"{child}_{key}_fkey" and key_op.references == parent
    assert key_op.on_delete == "set null"
    rules = {f.rule for f in result.active}
    assert "constraint-not-valid" in rules  # validated at once, under a lock on both tables
    # removed again: the key is dropped, before its column
    dropped = _ops(after, after.replace(line, ""))
    assert [type(op).__name__ for op in dropped][:1] == ["DropConstraint"]
    # unchanged relation, other edits: no key added or dropped
    edited = after.replace("  title String\n", "  title String\n  body String?\n")
    ops = _ops(after, edited)
    assert [type(op).__name__ for op in ops] == ["AddColumn"]


@pytest.mark.parametrize(("child", "parent", "key", "relation"), RELATION_NAMES)
def test_relations_make_no_keys_under_prisma_relation_mode(
    child: str, parent: str, key: str, relation: str
) -> None:
    line = f"  {relation} {parent}? @relation(fields: [{key}], references: [id], onDelete: Cascade)\n"
    before = _two_models(child, parent, key, relation, mode="prisma")
    after = _two_models(child, parent, key, relation, line, mode="prisma")
    ops = _ops(before, after)
    assert [type(op).__name__ for op in ops] == ["AddColumn"]
    # the same with foreign keys: the action is read as written
    ops = _ops(_two_models(child, parent, key, relation), _two_models(child, parent, key, relation, line))
    [key_op] = [op for op in ops if isinstance(op, AddConstraint)]
    assert key_op.on_delete == "cascade"


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
def test_a_field_dropped_by_db_push_is_rolled_back_by_pushing_the_previous_schema(
    model: str, kept: str, field: str
) -> None:
    """db push has no down migrations by design, as Prisma Migrate has none: its way back is the previous
    schema pushed again, a forward fix in the rollback plan, not a blocker."""
    path = "prisma/schema.prisma"
    before = _schema(model, f"  {kept} String\n  {field} String?\n")
    result = _review({path: before}, {path: _schema(model, f"  {kept} String\n")})
    assert _found(result, "column-dropped")
    assert not [f for f in result.active if f.rule == "missing-down-migration" and f.severity == "critical"]
    steps = " ".join(step.text for step in result.rollback_plan)
    assert "npx prisma db push" in steps and "backup" in steps
    reversible = next(i for i in result.checklist if i.text == "Reversible without data loss")
    assert (
        reversible.state == "unchecked"
        and "prisma db push has no down migrations by design" in reversible.detail
    )


TEMPLATE = 'datasource db {{\n  provider = "{{{{{placeholder}}}}}"\n  url      = env("DATABASE_URL")\n}}\n\n'


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
@pytest.mark.parametrize("placeholder", ["PRISMA_PROVIDER", "DB_PROVIDER"])
def test_a_schema_template_rendered_into_migrated_schemas_is_not_pushed(
    model: str, kept: str, field: str, placeholder: str
) -> None:
    """`template.prisma` with `provider = "{{PRISMA_PROVIDER}}"`, rendered into `postgres/schema.prisma` and
    `sqlite/schema.prisma` (each with its Prisma Migrate history): no one pushes the template, and its edit
    is reviewed through the migrations, not a second time as db push."""
    template = "prisma/template.prisma"
    body = f"model {model} {{\n  id    Int    @id @default(autoincrement())\n  {kept} String\n"
    before = TEMPLATE.format(placeholder=placeholder) + body + f"  {field} String?\n}}\n"
    after = TEMPLATE.format(placeholder=placeholder) + body + "}\n"
    history = {
        f"prisma/{db}/migrations/20240101000000_init/migration.sql": f'CREATE TABLE "{model}" (id integer, '
        f'"{kept}" text NOT NULL, "{field}" text);\n'
        for db in ("postgres", "sqlite")
    }
    result = _review({template: before}, {template: after}, extra=history)
    assert not result.migrations and not result.findings
    # the same file with a real provider is a schema db push applies
    real = {template: before.replace(f"{{{{{placeholder}}}}}", "postgresql")}
    pushed = _review(real, {template: after.replace(f"{{{{{placeholder}}}}}", "postgresql")}, extra=history)
    assert [m.path for m in pushed.migrations] == [template] and _found(pushed, "column-dropped")


FIXTURES = [
    "test/functional/default-selection/_fixture/contract.prisma",
    "packages/client/tests/fixtures/schema.prisma",
]


@pytest.mark.parametrize(("model", "kept", "field"), NAMES)
@pytest.mark.parametrize("fixture", FIXTURES)
def test_a_test_fixtures_schema_is_no_schema_the_project_pushes(
    model: str, kept: str, field: str, fixture: str
) -> None:
    """A tool's or library's test fixture (`test/…/_fixture/contract.prisma`) is a schema of its own: one added with
    a model of an app schema's name changes nothing of that schema, nor is it reviewed itself; the app's schema
    beside it still is."""
    app = {"prisma/schema.prisma": _schema(model, f"  {kept} String\n  {field} String?\n")}
    other = _schema(model, f"  {kept} Int\n  other{field.capitalize()} String\n")
    result = _review({}, {fixture: other}, extra=app)
    assert not result.migrations and not result.active
    result = _review(app, {"prisma/schema.prisma": _schema(model, f"  {kept} String\n"), fixture: other})
    assert [m.path for m in result.migrations] == ["prisma/schema.prisma"]
    assert [f for f in result.active if f.rule == "column-dropped"]
    assert not [f for f in result.active if kept in f.message and f.rule == "type-change-rewrite"]
