"""The names of an API's request and response are the API's fields, not a model's columns. Real pull
requests listed `const { title, url } = req.body` and `res.json({ avatar: data.avatarUrl })` as places that
still use a dropped column of the same name, though the request never reached the changed model and the
output key was filled from another value. A name taken out of a request counts where the request itself
reaches a query on the model (the query's own keys are places anyway); an output key never counts, the
value it is given does (`bookmark.shareUrl`)."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

NAMES = [
    ("Bookmark", "bookmark", "shareUrl", "title"),
    ("Invoice", "invoice", "billingNote", "amount"),
]


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


def _schema(model: str, column: str, other: str) -> str:
    return (
        f'CREATE TABLE "{model}" (id serial PRIMARY KEY, "{column}" text, {other} text);\n'
        f'CREATE TABLE "Link" (id serial PRIMARY KEY, {other} text, "{column}" text);\n-- migration\n'
    )


def _prisma(model: str, other: str) -> str:
    return (
        f"model {model} {{\n  id Int @id\n  {other} String\n}}\n\n"
        f"model Link {{\n  id Int @id\n  {other} String\n}}\n"
    )


def _review(model: str, column: str, other: str, code: dict[str, str]) -> Finding:
    files = {"prisma/schema.prisma": _prisma(model, other), **code}
    sql = _schema(model, column, other) + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    return _dropped(review_sql(sql, base=files))


@pytest.mark.parametrize(("model", "row", "column", "other"), NAMES)
def test_names_taken_out_of_a_request_for_another_model_are_not_places(
    model: str, row: str, column: str, other: str
) -> None:
    route = (
        'import { prisma } from "../db";\n\n'
        "export async function POST(req: Request) {\n"
        f"  const {{ {other}, {column} }} = await req.json();\n"
        f"  const link = await prisma.link.create({{ data: {{ {other} }} }});\n"
        f"  const rows = await prisma.{row}.findMany();\n"
        "  return Response.json({ link, count: rows.length });\n}\n"
    )
    express = (
        f'const {{ Link, {model} }} = require("./models");\n\n'
        "router.post('/links', async (req, res) => {\n"
        "  const {\n"
        f"    {other},\n"
        f"    {column},\n"
        "  } = req.body;\n"
        "  const body = await parse(req);\n"
        f"  const rows = await {model}.findAll();\n"
        f"  await Link.create({{ {other} }});\n"
        "  res.json({ rows });\n});\n"
    )
    finding = _review(model, column, other, {"app/api/links/route.ts": route, "server/links.js": express})
    assert not _places(finding)
    assert finding.severity is not Severity.CRITICAL
    reached = (
        f'const {{ {model} }} = require("./models");\n\n'
        "router.post('/rows', async (req, res) => {\n"
        f"  const {{ {column} }} = req.body;\n"
        f"  await {model}.create(req.body);\n"
        "  res.status(201).end();\n});\n"
    )
    given = (
        'import { prisma } from "../db";\n\n'
        "export async function PUT(request: Request) {\n"
        "  const body = await request.json();\n"
        f"  const {{ {column} }} = body;\n"
        f"  await prisma.{row}.update({{ where: {{ id: 1 }}, data: {{ {column} }} }});\n}}\n"
    )
    finding = _review(model, column, other, {"server/rows.js": reached, "app/api/rows/route.ts": given})
    assert _places(finding) == {"server/rows.js:4", "app/api/rows/route.ts:6"}
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize(("model", "row", "column", "other"), NAMES)
def test_keys_of_an_api_response_are_not_places(model: str, row: str, column: str, other: str) -> None:
    handler = (
        'import { prisma } from "../db";\n\n'
        "export default async function handler(req, res) {\n"
        f"  const {row} = await prisma.{row}.findUnique({{ where: {{ id: req.query.id }} }});\n"
        "  const data = await uploader.upload(req.body.file);\n"
        f"  return res.status(200).json({{ {column}: data.url, {other}: {row}.{other} }});\n}}\n\n"
        "export async function GET() {\n"
        f"  const rows = await prisma.{row}.findMany();\n"
        f"  return Response.json(rows.map((r) => ({{ id: r.id, {column}: urlOf(r) }})));\n}}\n\n"
        "export const text = (value: string) =>\n"
        f"  new Response(JSON.stringify({{ {column}: value }}));\n"
    )
    finding = _review(model, column, other, {"pages/api/rows.ts": handler})
    assert not _places(finding)
    read = handler.replace(f"{column}: data.url", f"{column}: {row}.{column}")
    saved = (
        'import { prisma } from "../db";\n\n'
        f"export const save = async (res, {column}: string) =>\n"
        f"  res.json(await prisma.{row}.create({{ data: {{ {column} }} }}));\n"
    )
    finding = _review(model, column, other, {"pages/api/rows.ts": read, "pages/api/save.ts": saved})
    assert _places(finding) == {"pages/api/rows.ts:6", "pages/api/save.ts:4"}
    assert finding.severity is Severity.CRITICAL


DJANGO = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""


@pytest.mark.parametrize(
    ("model", "row", "table", "column"),
    [
        ("Profile", "profile", "accounts_profile", "avatar"),
        ("Article", "article", "press_article", "headline"),
    ],
)
def test_python_request_values_and_response_keys_are_not_places(
    model: str, row: str, table: str, column: str
) -> None:
    views = (
        "from django.http import JsonResponse\n"
        "from rest_framework.response import Response\n\n"
        f"from app.models import {model}\n\n\n"
        "def update(request, pk):\n"
        f"    {row} = {model}.objects.get(pk=pk)\n"
        f'    {column} = request.data["{column}"]\n'
        f'    upload = store(request.FILES.get("{column}"), {column})\n'
        f'    return JsonResponse({{"{column}": upload.url, "name": {row}.name}})\n\n\n'
        "def listing(request):\n"
        f"    rows = {model}.objects.all()\n"
        f'    return Response([{{"id": r.id, "{column}": url_of(r)}} for r in rows])\n'
    )
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"
    files = {"app/models.py": DJANGO.format(Model=model, table=table), "app/views.py": views}
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _dropped(review_sql(sql, base=files))
    assert not _places(finding)
    read = views.replace('"name": ', f'"name": {row}.{column}, "x": ')
    finding = _dropped(review_sql(sql, base={**files, "app/views.py": read}))
    assert _places(finding) == {"app/views.py:11"}
    assert finding.severity is Severity.CRITICAL
