"""Words of a URL and files that are not the application's code, met on cal.com's pull requests (#15369
dropped `users.avatar`, #13850 dropped `DSyncData.orgId`, #13698 dropped `users.password`): a file name in
a URL (`/${user.username}/avatar.png`), a segment between a regular expression's escaped slashes
(`\\/api\\/avatar\\/`), a parameter of a URL's query (`?orgId=${team.id}`), Playwright's end-to-end tests
(`apps/web/playwright/*.e2e.ts`) and the licence were listed as production code still using the column.
The first three are left out; the tests and the licence are tests and docs (they never block). A row's
attribute on the same lines stays a use."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MIGRATION = "prisma/migrations/20240101000000_change/migration.sql"


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


def _prisma(model: str, table: str) -> str:
    """The schema of the head: the dropped column's field removed with it."""
    return f"""model {model} {{
  id        Int     @id @default(autoincrement())
  username  String

  @@map("{table}")
}}
"""


@pytest.mark.parametrize(
    ("model", "table", "column"), [("User", "users", "avatar"), ("Team", "teams", "logo")]
)
def test_a_file_name_or_a_segment_of_a_url_is_not_the_column(model: str, table: str, column: str) -> None:
    var = model.lower()
    urls = (
        f"export const imageOf = ({var}: {model}) => `${{BASE_URL}}/${{{var}.username}}/{column}.png`;\n"
        f"export const pattern = new RegExp(`^\\/api\\/{column}\\/${{key}}\\.png$`);\n"
        f"export const link = (id: number) => `/api/{column}s/${{id}}/{column}.svg`;\n"
    )
    reads = f'export const shown = ({var}: {model}) => {var}.{column} ?? "";\n'
    before = f'CREATE TABLE "{table}" (id serial PRIMARY KEY, username text, {column} text);\n-- migration\n'
    result = review_sql(
        before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";',
        path=MIGRATION,
        base={"prisma/schema.prisma": _prisma(model, table), "src/urls.ts": urls, "src/shown.ts": reads},
    )
    assert _places(_dropped(result)) == {"src/shown.ts:1"}  # the row's attribute; no line of the URLs


@pytest.mark.parametrize(
    ("model", "table", "column"), [("Directory", "dsync", "orgId"), ("Seat", "seats", "teamId")]
)
def test_a_parameter_of_a_urls_query_is_not_the_column(model: str, table: str, column: str) -> None:
    var = model.lower()
    query = (
        f"export const avatar = (u: {{ username: string }}, id: number) =>\n"
        f"  `${{BASE_URL}}/${{u.username}}/avatar.png?{column}=${{id}}`;\n"
        f"export const search = (id: number) => `/search?page=1&{column}=${{id}}`;\n"
    )
    reads = f"export const owner = ({var}: {model}) => {var}.{column};\n"
    before = f'CREATE TABLE "{table}" (id serial PRIMARY KEY, "{column}" int);\n-- migration\n'
    prisma = f'model {model} {{\n  id Int @id\n\n  @@map("{table}")\n}}\n'
    result = review_sql(
        before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";',
        path=MIGRATION,
        base={"prisma/schema.prisma": prisma, "src/links.ts": query, "src/owner.ts": reads},
    )
    assert _places(_dropped(result)) == {"src/owner.ts:1"}


@pytest.mark.parametrize(
    ("model", "table", "column"), [("User", "users", "nickname"), ("Member", "members", "motto")]
)
def test_end_to_end_tests_and_the_licence_do_not_block(model: str, table: str, column: str) -> None:
    var = model.lower()
    e2e = (
        f'test("{column} is shown", async ({{ page, {var}s }}) => {{\n'
        f"  const {var} = await {var}s.create();\n"
        f"  expect({var}.{column}).not.toBeNull();\n"
        f"}});\n"
    )
    licence = f"the {column} of the licensor, and must require no special {column} or key for\n"
    before = f'CREATE TABLE "{table}" (id serial PRIMARY KEY, username text, {column} text);\n-- migration\n'
    files = {
        "prisma/schema.prisma": _prisma(model, table),
        f"apps/web/playwright/{column}.e2e.ts": e2e,
        f"apps/api/test/{column}.e2e-spec.ts": e2e,
        "LICENSE": licence,
    }
    only_tests = review_sql(
        before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";', path=MIGRATION, base=files
    )
    finding = _dropped(only_tests)
    assert finding.severity is not Severity.CRITICAL
    assert "LICENSE:1" not in _places(finding)  # words of a sentence
    assert {r.kind for r in finding.references} <= {"test"}
    code = {**files, "src/profile.ts": f"export const shown = ({var}: {model}) => {var}.{column};\n"}
    used = review_sql(before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";', path=MIGRATION, base=code)
    assert _dropped(used).severity is Severity.CRITICAL
    assert "src/profile.ts:1" in _places(_dropped(used))


@pytest.mark.parametrize(
    ("model", "table", "column"), [("User", "users", "avatar"), ("Team", "teams", "logo")]
)
def test_a_member_of_an_inline_type_is_not_the_column(model: str, table: str, column: str) -> None:
    """cal.com #15369: `(typeof eventType.users)[number] & { avatar: string }` adds a member of its own to a
    type and reads no value; `data: { avatar: null }` of a query still writes the column. (A type of its own,
    `type Meta = { customText?: string }`, still declares the field: see test_reference_precision.)"""
    var = model.lower()
    types = (
        "export const withImage = (eventType: EventType) => {\n"
        f"  const {var}s: ((typeof eventType.{var}s)[number] & {{ {column}: string }})[] = eventType.{var}s;\n"
        f"  const one: (typeof {var}s)[number] & {{ {column}?: string; size: number }} = {var}s[0];\n"
        "  return one;\n};\n"
    )
    write = f"export const clear = (id: number) =>\n  prisma.{var}.update({{ where: {{ id }}, data: {{ {column}: null }} }});\n"
    before = f'CREATE TABLE "{table}" (id serial PRIMARY KEY, username text, {column} text);\n-- migration\n'
    files = {"prisma/schema.prisma": _prisma(model, table), "src/types.ts": types}
    only_types = review_sql(
        before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";', path=MIGRATION, base=files
    )
    assert not {"src/types.ts:2", "src/types.ts:3"} & _places(_dropped(only_types))
    written = review_sql(
        before + f'ALTER TABLE "{table}" DROP COLUMN "{column}";',
        path=MIGRATION,
        base={**files, "src/clear.ts": write},
    )
    assert "src/clear.ts:2" in _places(_dropped(written))
    assert _dropped(written).severity is Severity.CRITICAL
