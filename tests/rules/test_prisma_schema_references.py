"""What a Prisma schema names in a model's block is not always that model's field: `@id`, `@unique` and
`@@index` are attributes, and a relation's `references: [id]` lists fields of the related model (its own
are `fields: […]`). Met on a real pull request (cal.com #17792, `EventTypeTranslation.id` dropped): the
attribute `@id` of the new key and three relations' `references: [id]` (to `EventType` and `User`) were
listed as four places still using the dropped column, a blocking finding with no true place. A relation
in another model whose `references: […]` name the dropped column is a true use, and stays."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20240101000000_change/migration.sql"
NAMES = [("Translation", "Event"), ("Rendition", "Asset")]


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


def _schema(model: str, related: str, key: str) -> str:
    field = related.lower()
    return f"""model {related} {{
  id        Int       @id @default(autoincrement())
  title     String
  {model.lower()}s {model}[]
}}

model {model} {{
  {key}       String    @id @default(cuid())
  {field}     {related}  @relation(fields: [{field}Id], references: [id], onDelete: Cascade)
  {field}Id   Int
  body      String

  @@index([{field}Id])
}}
"""


@pytest.mark.parametrize(("model", "related"), NAMES)
def test_an_attribute_and_another_models_references_are_not_the_dropped_key(model: str, related: str) -> None:
    field = related.lower()
    before = (
        f'CREATE TABLE "{related}" (id serial PRIMARY KEY, title text);\n'
        f'CREATE TABLE "{model}" (id text PRIMARY KEY, uid text, "{field}Id" int, body text);\n-- migration\n'
    )
    change = (
        f'ALTER TABLE "{model}" DROP CONSTRAINT "{model}_pkey", DROP COLUMN "id",\n'
        f'ADD CONSTRAINT "{model}_pkey" PRIMARY KEY ("uid");'
    )
    code = f"export const keyOf = (row: {model}) => row.id;\n"
    bad = review_sql(
        before + change,
        path=MIGRATION,
        base={"prisma/schema.prisma": _schema(model, related, "uid")},
        head={"src/keys.ts": code},
    )
    finding = _dropped(bad)
    assert _places(finding) == {"src/keys.ts:1"}  # the row's `id` read in code; no line of the schema
    assert finding.severity is Severity.CRITICAL
    good = review_sql(
        before + change,
        path=MIGRATION,
        base={"prisma/schema.prisma": _schema(model, related, "uid")},
    )
    assert not _dropped(good).references  # nothing uses the dropped key: not blocking
    assert _dropped(good).severity is not Severity.CRITICAL


@pytest.mark.parametrize(
    ("model", "related", "column"), [("Rendition", "Asset", "code"), ("Ticket", "Venue", "slug")]
)
def test_another_models_relation_to_the_dropped_column_is_a_use(
    model: str, related: str, column: str
) -> None:
    field = related.lower()
    key = f"{field}{column.title()}"
    schema = f"""model {related} {{
  id        Int       @id @default(autoincrement())
  {column}      String    @unique
  {model.lower()}s {model}[]
}}

model {model} {{
  id        Int       @id
  {field}     {related}  @relation(fields: [{key}], references: [{column}])
  {key} String
}}
"""
    before = (
        f'CREATE TABLE "{related}" (id serial PRIMARY KEY, {column} text UNIQUE);\n'
        f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{key}" text);\n-- migration\n'
    )
    result = review_sql(
        before + f'ALTER TABLE "{related}" DROP COLUMN "{column}";',
        path=MIGRATION,
        base={"prisma/schema.prisma": schema},
    )
    assert "prisma/schema.prisma:9" in _places(_dropped(result))  # the relation cannot resolve any more


def _moved(model: str, table: str, column: str, related: str, relation: bool) -> str:
    """A model whose `column` moved to a table of its own: the field is now the relation to it (`relation`),
    or still the scalar column (the bad variant of the test: the code still reads the column)."""
    field = f"{column}            {related}?" if relation else f"{column}            String?"
    return f"""model {related} {{
  hash      String
  {model.lower()}      {model}      @relation(fields: [{model.lower()}Id], references: [id], onDelete: Cascade)
  {model.lower()}Id    Int       @unique
}}

model {model} {{
  id                  Int       @id @default(autoincrement())
  email               String
  {field}

  @@map("{table}")
}}
"""


@pytest.mark.parametrize(
    ("model", "table", "column", "related"),
    [("User", "users", "password", "UserPassword"), ("Account", "accounts", "secret", "AccountSecret")],
)
def test_a_relation_field_named_like_the_dropped_column_is_the_models_own(
    model: str, table: str, column: str, related: str
) -> None:
    """cal.com #13698 dropped `users.password` after the hash moved to `UserPassword`: the 56 places that
    read `user.password.hash` or `include: { password: true }` load the relation, not the column."""
    code = (
        f"export async function check(id: number, given: string) {{\n"
        f"  const row = await prisma.{model.lower()}.findUnique({{ where: {{ id }}, include: {{ {column}: true }} }});\n"
        f"  return row?.{column}?.hash === given;\n"
        f"}}\n"
    )
    before = f'CREATE TABLE "{table}" (id serial PRIMARY KEY, email text, {column} text);\n-- migration\n'
    change = f'ALTER TABLE "{table}" DROP COLUMN "{column}";'
    moved = review_sql(
        before + change,
        path=MIGRATION,
        base={"prisma/schema.prisma": _moved(model, table, column, related, True), "src/check.ts": code},
    )
    finding = _dropped(moved)
    assert finding.severity is Severity.INFO
    assert f"the model's own `{column}` (`prisma/schema.prisma:10`), not the column" in finding.message
    still = review_sql(
        before + change,
        path=MIGRATION,
        base={"prisma/schema.prisma": _moved(model, table, column, related, False), "src/check.ts": code},
    )
    assert _dropped(still).severity is Severity.CRITICAL  # the scalar field: the client selects the column
    assert "src/check.ts:3" in _places(_dropped(still))


def _split(owner: str, table: str, other: str, other_table: str, column: str, kept: bool) -> str:
    """`column` moved from `owner` (table `table`) to a model of its own; `kept`: the owner still declares it."""
    still = f"  {column}            String\n" if kept else ""
    return f"""model {owner} {{
  id                  String    @id @default(cuid())
  email               String
{still}  {other.lower()}s {other}[]

  @@map("{table}")
}}

model {other} {{
  id                  String    @id @default(cuid())
  {owner.lower()}Id     String    @map("{owner.lower()}_id")
  {column}            String
  {owner.lower()}       {owner}   @relation(fields: [{owner.lower()}Id], references: [id])

  @@unique([{column}, {owner.lower()}Id])
  @@map("{other_table}")
}}
"""


@pytest.mark.parametrize(
    ("owner", "table", "other", "other_table", "column"),
    [
        ("User", "users", "Account", "account", "provider"),
        ("Order", "orders", "Payment", "payment", "gateway"),
    ],
)
def test_a_field_of_another_model_named_like_the_dropped_column_is_that_models_own(
    owner: str, table: str, other: str, other_table: str, column: str
) -> None:
    """teable moved `users.provider` to a new `account` table: `provider String` and `@@unique([provider, …])`
    in `model Account` are that table's column, not a use of the dropped one."""
    before = f'CREATE TABLE "{table}" (id text PRIMARY KEY, email text, {column} text);\n-- migration\n'
    change = (  # the new table is created by the same migration
        f'CREATE TABLE "{other_table}" (id text PRIMARY KEY, {owner.lower()}_id text, {column} text);\n'
        f'ALTER TABLE "{table}" DROP COLUMN "{column}";'
    )
    moved = review_sql(
        before + change,
        path=MIGRATION,
        head={"prisma/schema.prisma": _split(owner, table, other, other_table, column, kept=False)},
    )
    assert not {p for p in _places(_dropped(moved)) if p.startswith("prisma/schema.prisma")}
    assert _dropped(moved).severity is not Severity.CRITICAL
    kept = review_sql(
        before + change,
        path=MIGRATION,
        head={"prisma/schema.prisma": _split(owner, table, other, other_table, column, kept=True)},
    )
    assert "prisma/schema.prisma:4" in _places(_dropped(kept))  # the owner's own field: its client selects it
