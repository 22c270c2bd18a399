"""Words that only spell a column: real pull requests listed `"type": "error"` of a JSON response under a
test's folder, `<div class="error">` of an HTML page and of a template, and `` `${prefix}commit_sha` ``, a
piece of a name the code assembles, as places that still use a dropped column. Data a test reads, the
value of a markup attribute and a word glued to a string's interpolation are not places; a template's
code (`{{ build.commit_sha }}`), a row's attribute and the word on its own in a string still are."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MODELS = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""
NAMES = [
    ("Build", "build", "builds_build", "error", "commit_sha"),
    ("Invoice", "invoice", "billing_invoice", "status", "due_date"),
]


def _dropped(result: Review, column: str) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped" and f".{column}`" in f.message)


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


def _review(model: str, table: str, one: str, two: str, files: dict[str, str]) -> Review:
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {one} text, {two} text);\n-- migration\n"
    )
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {one};\nALTER TABLE {table} DROP COLUMN {two};"
    return review_sql(sql, base={"app/models.py": MODELS.format(Model=model, table=table), **files})


@pytest.mark.parametrize(("model", "row", "table", "one", "two"), NAMES)
def test_test_data_and_markup_attributes_are_not_places(
    model: str, row: str, table: str, one: str, two: str
) -> None:
    files = {
        "app/tests/fixtures/response.json": f'{{\n  "type": "{one}",\n  "message": "{two}"\n}}\n',
        "web/src/__tests__/data/rows.json": f'[{{"id": 1, "kind": "{two}", "label": "{one}"}}]\n',
        "app/tests/data/page.html": f'<html><body><div class="{one}">x</div><span id="{two}">y</span></body></html>\n',
        "templates/app/detail.html": (
            '{% extends "base.html" %}\n'
            f'<div class="{one} wide">{{{{ message }}}}</div>\n<p id="{two}" data-k="{one}">z</p>\n'
        ),
    }
    result = _review(model, table, one, two, files)
    assert not _places(_dropped(result, one)) and not _places(_dropped(result, two))
    files["templates/app/detail.html"] += f'<p class="{{{{ {row}.{one} }}}}">{{{{ {row}.{two} }}}}</p>\n'
    result = _review(model, table, one, two, files)
    assert _places(_dropped(result, one)) == {"templates/app/detail.html:4"}
    assert _places(_dropped(result, two)) == {"templates/app/detail.html:4"}


@pytest.mark.parametrize(("model", "row", "table", "one", "two"), NAMES)
def test_a_word_glued_to_an_interpolation_is_not_the_column(
    model: str, row: str, table: str, one: str, two: str
) -> None:
    python = (
        f"from app.models import {model}\n\n\n"
        f"def keys(prefix, n, {row}: {model}):\n"
        f'    return f"{{prefix}}{one}", f"{two}{{n}}", {row}.id\n'
    )
    script = (
        f'import {{ {model} }} from "./models";\n\n'
        f"export const key = (prefix: string, {row}: {model}) => `${{prefix}}{two}:${{{row}.id}}`;\n"
        f"export const other = (n: number) => `{one}${{n}}`;\n"
    )
    result = _review(model, table, one, two, {"app/keys.py": python, "web/src/keys.ts": script})
    assert not _places(_dropped(result, one)) and not _places(_dropped(result, two))
    python += f'\n\ndef read({row}: {model}):\n    return f"{{{row}.{one}}}-{{{row}.id}}"\n'
    script += f"export const read = ({row}: {model}) => `${{{row}.{two}}}:${{{row}.id}}`;\n"
    result = _review(model, table, one, two, {"app/keys.py": python, "web/src/keys.ts": script})
    assert _places(_dropped(result, one)) == {"app/keys.py:9"}
    assert _places(_dropped(result, two)) == {"web/src/keys.ts:5"}


@pytest.mark.parametrize(
    ("model", "row", "table", "column", "new"),
    [
        ("User", "user", "users", "last_read_newest", "last_read_newest_story"),
        ("Story", "story", "stories", "merged_into_id", "merged_story_id"),
    ],
)
def test_a_stylesheet_and_an_erb_views_class_attribute_are_not_places(
    model: str, row: str, table: str, column: str, new: str
) -> None:
    """lobsters renamed `users.last_read_newest`, and the review blocked on the CSS rule `.last_read_newest
    {` and `<div class="last_read_newest">` of two ERB views."""
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"
    files = {
        f"app/models/{row}.rb": f"class {model} < ApplicationRecord\nend\n",
        "app/assets/stylesheets/application.css": f".{column} {{\n  color: red;\n}}\n",
        "app/assets/stylesheets/site.scss": f"div.{column} {{ margin: 0; }}\n",
        "app/views/home/index.html.erb": f'<div class="{column}">Last</div>\n<span id="{column}"></span>\n',
    }
    sql = schema + f"ALTER TABLE {table} RENAME COLUMN {column} TO {new};"
    renamed = next(f for f in review_sql(sql, base=files).findings if f.rule == "column-renamed")
    assert not _places(renamed)
    files["app/views/home/index.html.erb"] += f'<p class="<%= @{row}.{column} ? "a" : "b" %>"></p>\n'
    renamed = next(f for f in review_sql(sql, base=files).findings if f.rule == "column-renamed")
    assert _places(renamed) == {"app/views/home/index.html.erb:3"}


@pytest.mark.parametrize(("model", "row", "table", "one", "two"), NAMES)
def test_a_file_name_and_a_tests_data_file_are_not_places(
    model: str, row: str, table: str, one: str, two: str
) -> None:
    """readthedocs dropped `builds_build.setup` and `_config`: ``setup.py`` and ``_config.yml`` of the docs
    and the words of an `.fjson` page under `rtd_tests/files/` were listed."""
    files = {
        "docs/faq.rst": f"Install it with ``{one}.py``, then edit ``{two}.yml``.\n",
        "app/tasks.py": f'def read():\n    return open("{one}.log").read(), "{two}.json"\n',
        "app/tests/files/api.fjson": f'{{"body": "<span>{one}</span> {two}"}}\n',
        "app/tests/files/notes.txt": f"{one} {two}\n",
    }
    result = _review(model, table, one, two, files)
    assert not _places(_dropped(result, one)) and not _places(_dropped(result, two))
    files["docs/faq.rst"] += f"\nThe field ``{model}.{one}`` and ``{row}.{two}`` are gone.\n"
    files["app/tasks.py"] += f"\n\ndef shown({row}: {model}):\n    return {row}.{one}.{two}\n"
    result = _review(model, table, one, two, files)
    assert {"docs/faq.rst:3", "app/tasks.py:6"} <= _places(_dropped(result, one))
    assert "docs/faq.rst:3" in _places(_dropped(result, two))
