"""documenso dropped its `Document` table (7f09ba72f, Prisma model `Document`, delegate `prisma.document`), and
the review named first, as the place that fails, `const link = window.document.createElement('a')` of a
browser helper: any call whose name began with `create` on a word spelled like the delegate was taken for
Prisma's `create`. A delegate's create methods are `create`, `createMany`, `createManyAndReturn`."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding
from tests.conftest import review_sql

SCHEMA = 'datasource db {{\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}}\n{models}'
NAMES = [
    ("Document", "document", "const link = window.document.createElement('a');"),
    ("Context", "context", "const fill = chart.context.createLinearGradient(0, 0, 0, 400);"),
]


def _dropped(model: str, code: str) -> Finding:
    models = f"model {model} {{\n  id    Int    @id @default(autoincrement())\n  title String\n}}\n"
    init = f'CREATE TABLE "{model}" ("id" SERIAL PRIMARY KEY, "title" TEXT NOT NULL);\n'
    base = {
        "prisma/schema.prisma": SCHEMA.format(models=models),
        "prisma/migrations/20240101000000_init/migration.sql": init,
        "src/lib/helper.ts": code,
    }
    head = {**base, "prisma/schema.prisma": SCHEMA.format(models="")}
    result = review_sql(
        f'DROP TABLE "{model}";\n',
        path="prisma/migrations/20240202000000_drop/migration.sql",
        base=base,
        head=head,
    )
    return next(f for f in result.findings if f.rule == "table-dropped")


def _helper(line: str) -> str:
    return f"export function helper(data: Blob, prisma: any) {{\n  {line}\n  return data;\n}}\n"


@pytest.mark.parametrize(("model", "delegate", "line"), NAMES)
def test_a_create_call_of_another_object_named_like_the_delegate_is_no_use(
    model: str, delegate: str, line: str
) -> None:
    finding = _dropped(model, _helper(line))
    assert finding.severity == "warning"
    assert "src/lib/helper.ts" not in {r.path for r in finding.references}


@pytest.mark.parametrize("method", ["create", "createMany", "createManyAndReturn"])
@pytest.mark.parametrize(("model", "delegate", "line"), NAMES)
def test_the_delegates_own_create_is_still_a_use(model: str, delegate: str, line: str, method: str) -> None:
    query = f"await prisma.{delegate}.{method}({{ data: {{ title: 'x' }} }});"
    finding = _dropped(model, _helper(line) + f"export async function add(prisma: any) {{\n  {query}\n}}\n")
    assert finding.severity == "critical"
    assert {(r.path, r.line) for r in finding.references if r.path == "src/lib/helper.ts"} == {
        ("src/lib/helper.ts", 6)
    }
