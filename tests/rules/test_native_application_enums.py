"""A data change written the framework's own way stores a value the application's enum for that column
lacks: a PHP backed enum for Laravel, a TypeScript enum for Knex, Sequelize and TypeORM, an `Ecto.Enum`
field of the table's schema for Ecto, a Java enum for Liquibase. A value the enum has is no finding."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql
from tests.rules.test_native_data_forms import NAMES, NATIVE, Change, Value

SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {status} varchar(20), price numeric, qty integer);\n"


def _enum(language: str, names: dict[str, str]) -> tuple[str, str]:
    kind = f"{names['model']}{names['status'].capitalize()}"  # UserState, PostStage
    if language == "php":
        return f"app/Enums/{kind}.php", (
            f"<?php\n\nnamespace App\\Enums;\n\nenum {kind}: string\n{{\n"
            "    case Open = 'open';\n    case Closed = 'closed';\n}\n"
        )
    if language == "ts":
        return (
            f"src/entities/{kind}.ts",
            f"export enum {kind} {{\n  Open = 'open',\n  Closed = \"closed\",\n}}\n",
        )
    if language == "elixir":
        return f"lib/shop/{names['model'].lower()}.ex", (
            f'defmodule Shop.{names["model"]} do\n  use Ecto.Schema\n\n  schema "{names["table"]}" do\n'
            f"    field :{names['status']}, Ecto.Enum, values: [:open, :closed]\n  end\nend\n"
        )
    return f"src/main/java/shop/{kind}.java", (
        f'package shop;\n\npublic enum {kind} {{\n    OPEN("open"), CLOSED("closed");\n'
        f"    private final String value;\n    {kind}(String value) {{ this.value = value; }}\n}}\n"
    )


LANGUAGE = {
    "laravel": "php",
    "knex": "ts",
    "sequelize": "ts",
    "typeorm": "ts",
    "ecto": "elixir",
    "liquibase": "java",
}


def _review(framework: str, names: dict[str, str], value: str) -> Review:
    path, text = NATIVE[framework](
        names, Change(names["table"], names["status"], Value("literal", value)), None
    )
    code_path, code = _enum(LANGUAGE[framework], names)
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names), code_path: code})


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", sorted(LANGUAGE))
def test_a_value_the_application_enum_lacks(framework: str, names: dict[str, str]) -> None:
    bad = [f for f in _review(framework, names, "archived").active if f.rule == "value-not-allowed"]
    assert (
        len(bad) == 1
        and "'archived'" in bad[0].message
        and f"`{names['table']}.{names['status']}`" in bad[0].message
    )
    good = _review(framework, names, "closed")
    assert not [f for f in good.active if f.rule == "value-not-allowed"], framework


@pytest.mark.parametrize("names", NAMES)
def test_java_enum_constants_with_comments_between_them(names: dict[str, str]) -> None:
    """`OPEN("open"), // …` then the next constant on its own line: a comment after each constant (kept so a
    formatter leaves one per line) does not hide the constants after the first."""
    kind = f"{names['model']}{names['status'].capitalize()}"
    code = (
        f'package shop;\n\npublic enum {kind} {{\n\n    OPEN("open"), //\n    PAUSED("paused"), // see http://x/y\n'
        f'    /* the last one */ CLOSED("closed"); //\n\n    private final String value;\n'
        f"    {kind}(String value) {{ this.value = value; }}\n}}\n"
    )

    def found(value: str) -> list[str]:
        path, text = NATIVE["liquibase"](
            names, Change(names["table"], names["status"], Value("literal", value)), None
        )
        base = {"db/structure.sql": SCHEMA.format(**names), f"src/main/java/shop/{kind}.java": code}
        return [
            f.message for f in review_sql(text, path=path, base=base).active if f.rule == "value-not-allowed"
        ]

    assert found("closed") == [] and found("paused") == []
    [message] = found("archived")
    assert "'open', 'paused', 'closed'" in message or ("'paused'" in message and "'closed'" in message)
