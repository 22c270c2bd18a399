"""Code references in a Symfony application: a Doctrine entity that still maps a dropped column (by an attribute
or a docblock annotation, under the column's name or another), and the same-named properties of other entities,
which are not uses of it."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

MIGRATION = "db/migrations/002_change.sql"
# (table, entity, other table, its entity, column, property)
CASES = [
    ("orders", "Order", "shipments", "Shipment", "shipping_note", "shippingNote"),
    ("invoices", "Invoice", "quotes", "Quote", "billing_email", "billingEmail"),
]


def _entity(entity: str, table: str, properties: list[tuple[str, str]], *, annotation: bool) -> str:
    """An entity whose properties are (mapping arguments, property)."""
    if annotation:
        head = f'/**\n * @ORM\\Entity\n * @ORM\\Table(name="{table}")\n */\nclass {entity}\n{{\n'
        body = "".join(
            f"    /**\n     * @ORM\\Column({args.replace(': ', '=').replace(chr(39), chr(34))})\n     */\n"
            f"    private ${prop};\n\n"
            for args, prop in properties
        )
    else:
        head = f"#[ORM\\Entity]\n#[ORM\\Table(name: '{table}')]\nclass {entity}\n{{\n"
        body = "".join(
            f"    #[ORM\\Column({args})]\n    private ?string ${prop} = null;\n\n"
            for args, prop in properties
        )
    return "<?php\n\nnamespace App\\Entity;\n\nuse Doctrine\\ORM\\Mapping as ORM;\n\n" + head + body + "}\n"


def _review(table: str, other: str, column: str, files: dict[str, str]) -> Review:
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE {other} (id serial PRIMARY KEY, {column} text);\n-- migration\n"
    )
    return review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files)


def _dropped(result: Review) -> Finding:
    return next(f for f in result.findings if f.rule == "column-dropped")


@pytest.mark.parametrize("annotation", [False, True])
@pytest.mark.parametrize(("table", "entity", "other", "other_entity", "column", "prop"), CASES)
def test_an_entity_still_mapping_the_dropped_column(
    table: str, entity: str, other: str, other_entity: str, column: str, prop: str, annotation: bool
) -> None:
    """Symfony names a property's column in snake case: `$shippingNote` maps `shipping_note`, on the entity of the
    table only; the other table's entity maps its own column of that name."""
    theirs = _entity(other_entity, other, [("length: 40", prop)], annotation=annotation)
    files = {f"src/Entity/{other_entity}.php": theirs}
    mapped = files | {
        f"src/Entity/{entity}.php": _entity(entity, table, [("length: 40", prop)], annotation=annotation)
    }
    found = _dropped(_review(table, other, column, mapped))
    assert f"src/Entity/{entity}.php" in {r.path for r in found.references}
    assert f"src/Entity/{other_entity}.php" not in {r.path for r in found.references}
    # the twin: the change removed the property from the entity
    gone = files | {
        f"src/Entity/{entity}.php": _entity(entity, table, [("length: 20", "title")], annotation=annotation)
    }
    assert _dropped(_review(table, other, column, gone)).references == ()


@pytest.mark.parametrize(("table", "entity", "other", "other_entity", "column", "prop"), CASES)
def test_a_column_mapped_under_another_name_is_read_through_its_accessor(
    table: str, entity: str, other: str, other_entity: str, column: str, prop: str
) -> None:
    """`#[ORM\\Column(name: 'shipping_note')] private ?string $memo`: code reads the column as `getMemo()` of the
    entity; the other entity's `getMemo()` is its own property."""
    files = {
        f"src/Entity/{entity}.php": _entity(
            entity, table, [(f"name: '{column}', length: 40", "memo")], annotation=False
        ),
        f"src/Entity/{other_entity}.php": _entity(
            other_entity, other, [("length: 40", "memo")], annotation=False
        ),
    }
    row, theirs = entity.lower(), other_entity.lower()
    uses = (
        f"<?php\n\nclass Report\n{{\n    public function lines({entity} ${row}): string\n    {{\n"
        f"        return ${row}->getMemo();\n    }}\n}}\n"
    )
    found = _dropped(_review(table, other, column, files | {"src/Service/Report.php": uses}))
    assert ("src/Service/Report.php", 7) in {(r.path, r.line) for r in found.references}
    others = uses.replace(f"{entity} ${row}", f"{other_entity} ${theirs}").replace(
        f"${row}->", f"${theirs}->"
    )
    found = _dropped(_review(table, other, column, files | {"src/Service/Report.php": others}))
    assert "src/Service/Report.php" not in {r.path for r in found.references}


def _xml(entity: str, table: str, fields: list[str]) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<doctrine-mapping xmlns="http://doctrine-project.org/schemas/orm/doctrine-mapping">\n'
        f'    <entity name="App\\Entity\\{entity}" table="{table}">\n'
        '        <id name="id" type="integer"><generator strategy="AUTO"/></id>\n'
        + "".join(f"        {field}\n" for field in fields)
        + "    </entity>\n</doctrine-mapping>\n"
    )


@pytest.mark.parametrize(("table", "entity", "other", "other_entity", "column", "prop"), CASES)
def test_an_xml_mapping_still_mapping_the_dropped_column(
    table: str, entity: str, other: str, other_entity: str, column: str, prop: str
) -> None:
    theirs = {
        f"config/doctrine/{other_entity}.orm.xml": _xml(
            other_entity, other, [f'<field name="{prop}" length="40"/>']
        )
    }
    mapped = theirs | {
        f"config/doctrine/{entity}.orm.xml": _xml(entity, table, [f'<field name="{prop}" length="40"/>'])
    }
    found = _dropped(_review(table, other, column, mapped))
    assert (f"config/doctrine/{entity}.orm.xml", 5) in {(r.path, r.line) for r in found.references}
    assert f"config/doctrine/{other_entity}.orm.xml" not in {r.path for r in found.references}
    gone = theirs | {
        f"config/doctrine/{entity}.orm.xml": _xml(entity, table, ['<field name="title" length="20"/>'])
    }
    assert _dropped(_review(table, other, column, gone)).references == ()
    # a column mapped under another name: the code reads it through the entity's accessor
    renamed = theirs | {
        f"config/doctrine/{entity}.orm.xml": _xml(entity, table, [f'<field name="memo" column="{column}"/>']),
        "src/Service/Report.php": f"<?php\n\nclass Report\n{{\n    public function lines({entity} ${entity.lower()}): string\n"
        f"    {{\n        return ${entity.lower()}->getMemo();\n    }}\n}}\n",
    }
    found = _dropped(_review(table, other, column, renamed))
    assert ("src/Service/Report.php", 7) in {(r.path, r.line) for r in found.references}
