"""A dropped column its model still declares: every query of the model names it, so the release fails on
it. One-word columns (`age`, `rank`) count only where the code ties them to the model, and a model
definition does."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import Review, review

NAMES = [("people", "Person", "age"), ("teams", "Team", "rank")]


def _review(base: dict[str, str], added: dict[str, str], edited: dict[str, str] | None = None) -> Review:
    edited = edited or {}
    head = {**base, **added, **edited}
    files = tuple(
        ChangedFile(path, "modified" if path in base else "added", base.get(path), text)
        for path, text in {**added, **edited}.items()
    )
    return review(ChangeSet("base", "head", files, MemoryTree(head), MemoryTree(base)))


def _dropped(result: Review) -> tuple[str, list[tuple[str, int]]]:
    [finding] = [f for f in result.active if f.rule == "column-dropped"]
    return finding.severity.value, [(r.path, r.line) for r in finding.references]


def _schema(table: str, column: str) -> dict[str, str]:
    return {
        "db/migrations/000_schema.sql": f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} integer);\n"
    }


def _drop(table: str, column: str) -> dict[str, str]:
    return {"db/migrations/001_drop.sql": f"ALTER TABLE {table} DROP COLUMN {column};\n"}


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_a_sequelize_define_that_still_declares_the_column_blocks(
    table: str, model: str, column: str
) -> None:
    define = (
        "module.exports = (sequelize, DataTypes) => {\n"
        f"  const {model} = sequelize.define('{model}', {{\n"
        f"    {column}: DataTypes.INTEGER,\n"
        "    label: DataTypes.STRING,\n"
        f"  }}, {{ tableName: '{table}' }});\n"
        f"  return {model};\n"
        "};\n"
    )
    base = {**_schema(table, column), "package.json": '{"dependencies": {"sequelize": "^6"}}'}
    base[f"models/{model.lower()}.js"] = define
    assert _dropped(_review(base, _drop(table, column))) == ("critical", [(f"models/{model.lower()}.js", 3)])
    # the model no longer declares it in the same change: the release running during the deploy still does
    edited = {f"models/{model.lower()}.js": define.replace(f"    {column}: DataTypes.INTEGER,\n", "")}
    result = _review(base, _drop(table, column), edited)
    [finding] = [f for f in result.active if f.rule == "column-dropped"]
    assert finding.severity.value == "warning"
    assert "This change also removes the code that uses it" in finding.message


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_a_go_struct_field_is_the_column_of_its_own_struct_only(table: str, model: str, column: str) -> None:
    """GORM maps `Age` of `type Person struct` to `people.age`; the same field of another struct, and
    a method of that struct reading it, are not uses of the dropped column."""
    field = column.capitalize()
    own = f"package models\n\ntype {model} struct {{\n\tID   uint\n\t{field} int\n}}\n"
    base = {**_schema(table, column), "go.mod": "module example.com/app\n", "models/model.go": own}
    assert _dropped(_review(base, _drop(table, column))) == ("critical", [("models/model.go", 5)])
    other = (
        f"package models\n\ntype {model} struct {{\n\tID uint\n}}\n\n"
        f"type Sample struct {{\n\tID uint\n\t{field} int\n}}\n\n"
        f"func (s Sample) Next() int {{ return s.{field} + 1 }}\n"
    )
    assert _dropped(_review({**base, "models/model.go": other}, _drop(table, column)))[1] == []
    reader = f"package api\n\nfunc show(m *models.{model}) int {{\n\treturn m.{field}\n}}\n"
    severity, places = _dropped(
        _review({**base, "models/model.go": other, "api/show.go": reader}, _drop(table, column))
    )
    assert (severity, places) == ("critical", [("api/show.go", 4)])
