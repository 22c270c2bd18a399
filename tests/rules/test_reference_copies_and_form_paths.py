"""formbricks dropped `Project.brandColor`, `Project.highlightBorderColor` and `User.role` (the colours had
moved into the JSON column `styling`, the role into memberships); three critical findings listed eighteen
places and none was a column: a key of an object that copies a value read from elsewhere (`{ ...project,
brandColor: project.styling.brandColor?.light ?? COLOR_DEFAULTS.brandColor }`), a form's field path
(`form.watch("brandColor.light")`), a URL's parameter (`searchParams.get("brandColor")`), a property of a
nested object in an OpenAPI document, a key of a query on `prisma.teamUser` (a model whose name ends with
`User`), a key under a relation filter (`memberships: { every: { role } }`) and a member read through
another table's collection (`user.memberships[0].role`)."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20260101000000_change/migration.sql"


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(result: Review) -> set[str]:
    return {f"{r.path}:{r.line}" for r in _dropped(result).references if "low confidence" not in r.kind}


def _schema(model: str, column: str, json_column: str) -> str:
    return (
        f"model {model} {{\n  id String @id\n  name String\n  {column} String?\n  {json_column} Json?\n}}\n"
    )


def _sql(model: str, column: str, json_column: str) -> str:
    return (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "name" TEXT, "{column}" TEXT, "{json_column}" JSONB);\n'
        f'-- migration\nALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )


@pytest.mark.parametrize(
    ("model", "column", "json_column"),
    [("Project", "brandColor", "styling"), ("Workspace", "accentColor", "theme")],
)
def test_keys_copying_values_form_paths_and_url_parameters_are_no_places(
    model: str, column: str, json_column: str
) -> None:
    row = model[0].lower() + model[1:]
    code = (
        'import { prisma } from "@/lib/prisma";\n'
        'import { DEFAULTS } from "@/lib/defaults";\n\n'
        f"export async function load(id: string, req: Request, form: Form) {{\n"
        f"  const {row} = await prisma.{row}.findUnique({{ where: {{ id }} }});\n"
        f"  const shown: any = {{\n    ...{row},\n"
        f"    {column}: {row}.{json_column}?.{column}?.light ?? DEFAULTS.{column},\n  }};\n"
        f"  const copy = {{ {column}: {row}.{json_column}.{column} }};\n"
        f'  const fromUrl = new URL(req.url).searchParams.get("{column}");\n'
        f'  const watched = form.watch("{column}.light");\n'
        f'  form.setValue("{column}", {{ light: fromUrl }});\n'
        "  return { shown, copy, watched };\n}\n"
    )
    sql = _sql(model, column, json_column)
    files = {"prisma/schema.prisma": _schema(model, column, json_column), "lib/load.ts": code}
    quiet = review_sql(sql, path=MIGRATION, base=files)
    assert not {f"lib/load.ts:{n}" for n in range(6, 14)} & _places(quiet)
    read = code.replace(f"{row}.{json_column}.{column} }}", f"{row}.{column} }}")
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "lib/load.ts": read}))
    assert "lib/load.ts:10" in found


@pytest.mark.parametrize(
    ("model", "column", "other", "collection"),
    [("User", "role", "TeamUser", "memberships"), ("Account", "plan", "SubAccount", "seats")],
)
def test_a_query_on_a_model_named_with_a_suffix_and_a_relation_filter_are_not_the_models(
    model: str, column: str, other: str, collection: str
) -> None:
    member = collection[:-1].capitalize()
    delegate, other_delegate = model.lower(), other[0].lower() + other[1:]
    schema = (
        f"model {model} {{\n  id String @id\n  name String\n  {column} String?\n  {collection} {member}[]\n}}\n\n"
        f"model {member} {{\n  id String @id\n  ownerId String\n  {column} String\n"
        f"  owner {model} @relation(fields: [ownerId], references: [id])\n}}\n\n"
        f"model {other} {{\n  id String @id\n  ownerId String\n  {column} String\n}}\n"
    )
    code = (
        'import { prisma } from "@/lib/prisma";\n\n'
        "export async function attach(ownerId: string, admin: boolean) {\n"
        f"  await prisma.{other_delegate}.create({{\n    data: {{\n      ownerId,\n"
        f'      {column}: admin ? "admin" : "member",\n    }},\n  }});\n'
        f"  const rows = await prisma.{delegate}.findMany({{\n    where: {{\n      {collection}: {{\n"
        f'        every: {{\n          {column}: {{ in: ["owner", "manager"] }},\n        }},\n      }},\n'
        f"    }},\n    include: {{ {collection}: true }},\n  }});\n"
        f"  return rows.map((row) => ({{ id: row.id, level: row.{collection}[0].{column} }}));\n}}\n"
    )
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "name" TEXT, "{column}" TEXT);\n'
        f'CREATE TABLE "{member}" ("id" TEXT PRIMARY KEY, "ownerId" TEXT, "{column}" TEXT);\n'
        f'CREATE TABLE "{other}" ("id" TEXT PRIMARY KEY, "ownerId" TEXT, "{column}" TEXT);\n'
        f'-- migration\nALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    files = {"prisma/schema.prisma": schema, "lib/attach.ts": code}
    assert not {f"lib/attach.ts:{n}" for n in range(4, 20)} & _places(
        review_sql(sql, path=MIGRATION, base=files)
    )
    written = code.replace(f"prisma.{other_delegate}.create", f"prisma.{delegate}.create")
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "lib/attach.ts": written}))
    assert "lib/attach.ts:7" in found


@pytest.mark.parametrize(
    ("model", "column", "json_column"),
    [("Project", "brandColor", "styling"), ("Workspace", "accentColor", "theme")],
)
def test_an_openapi_property_of_a_nested_object_and_a_description_are_no_places(
    model: str, column: str, json_column: str
) -> None:
    document = (
        "openapi: 3.1.0\ncomponents:\n  schemas:\n"
        f"    {model}:\n      type: object\n      properties:\n        name:\n          type: string\n"
        f"        {json_column}:\n          type: object\n          properties:\n"
        f"            {column}:\n              type: string\n"
        f"      description: Create a {row_word(model)} with its name, {column} and more from this API.\n"
    )
    sql = _sql(model, column, json_column)
    files = {"prisma/schema.prisma": _schema(model, column, json_column), "docs/openapi.yml": document}
    quiet = review_sql(sql, path=MIGRATION, base=files)
    assert not {"docs/openapi.yml:12", "docs/openapi.yml:14"} & _places(quiet)
    listed = document.replace(
        "        name:\n          type: string\n",
        f"        name:\n          type: string\n        {column}:\n          type: string\n",
    )
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "docs/openapi.yml": listed}))
    assert "docs/openapi.yml:9" in found


def row_word(model: str) -> str:
    return model.lower()


@pytest.mark.parametrize(
    ("model", "column", "other"),
    [("Answer", "itemId", "previewingEdge"), ("Ticket", "slotId", "draggedCard")],
)
def test_a_procedures_input_a_key_tested_in_another_object_and_a_changelog_are_no_places(
    model: str, column: str, other: str
) -> None:
    """typebot dropped `Answer.itemId`; the critical finding listed a tRPC procedure's `input.itemId`, the
    key of an `in` test on an edge of the editor's graph, and a line of the changelog."""
    row = model.lower()
    code = (
        'import { prisma } from "@/lib/prisma";\n\n'
        "export const upload = procedure.mutation(async ({ input }) => {\n"
        f"  return `public/typebots/${{\n    input.typebotId\n  }}/blocks/${{input.blockId}}${{input.{column} ? `/items/${{input.{column}}}` : ''}}`\n"
        "});\n\n"
        f"export const isPreviewing = (item: {{ id: string }}) =>\n"
        f"  {other} && '{column}' in {other}.from && {other}.from.{column} === item.id\n\n"
        f"export const load = async (id: string) => {{\n"
        f"  const {row} = await prisma.{row}.findUnique({{ where: {{ id }} }})\n"
        f"  return {row}?.id\n}}\n"
    )
    schema = f"model {model} {{\n  id String @id\n  blockId String\n  {column} String?\n}}\n"
    sql = (
        f'CREATE TABLE "{model}" ("id" TEXT PRIMARY KEY, "blockId" TEXT, "{column}" TEXT);\n'
        f'-- migration\nALTER TABLE "{model}" DROP COLUMN "{column}";\n'
    )
    changelog = f"## 2.1.0\n\n- Fix {row} upsert on duplicate {column}\n"
    files = {"prisma/schema.prisma": schema, "lib/upload.ts": code, "CHANGELOG.md": changelog}
    quiet = _places(review_sql(sql, path=MIGRATION, base=files))
    assert not {"lib/upload.ts:6", "lib/upload.ts:10", "CHANGELOG.md:3"} & quiet
    read = code.replace(f"return {row}?.id", f"return '{column}' in {row} && {row}.{column}")
    found = _places(review_sql(sql, path=MIGRATION, base={**files, "lib/upload.ts": read}))
    assert "lib/upload.ts:14" in found
