"""A TypeORM migration that writes through an entity class (the query builder's `update(Order)`, a
repository's `update(criteria, values)`, `manager.delete(Order, criteria)`) writes the entity's table:
`@Entity("name")`, `@Entity({ name })`, or the class name in snake case for a bare `@Entity()`. The data rules
then read it as they read SQL; an entity the project does not declare is said as unread, never approved."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

SCHEMA = """CREATE TABLE {table} (id bigint PRIMARY KEY,
  {status} varchar(20) CHECK ({status} IN ('open', 'closed', 'paid')), note text);
"""
NAMES = [
    {"model": "Invoice", "table": "invoices", "status": "state", "decorator": '@Entity("invoices")'},
    {"model": "OrderLine", "table": "order_line", "status": "stage", "decorator": "@Entity()"},
    {
        "model": "Payout",
        "table": "billing_payouts",
        "status": "phase",
        "decorator": '@Entity({ name: "billing_payouts", schema: undefined })',
    },
]
ENTITY = """import {{ Column, Entity, PrimaryGeneratedColumn }} from "typeorm";

{decorator}
export class {model} {{
  @PrimaryGeneratedColumn()
  id: number;

  @Column()
  {status}: string;
}}
"""
CHAINS = {
    "builder": 'queryRunner.manager.createQueryBuilder().update({model}).set({{ {status}: "{value}" }}).where("id < 1000").execute()',
    "repository": 'queryRunner.manager.getRepository({model}).update({{ {status}: "open" }}, {{ {status}: "{value}" }})',
    "manager": 'queryRunner.manager.update({model}, {{ {status}: "open" }}, {{ {status}: "{value}" }})',
}


def _review(names: dict[str, str], chain: str, value: str, declared: bool = True) -> Review:
    text = (
        'import { MigrationInterface, QueryRunner } from "typeorm";\n'
        f'import {{ {names["model"]} }} from "../entities/{names["model"]}";\n\n'
        "export class ChangeData1767225600000 implements MigrationInterface {\n"
        "  public async up(queryRunner: QueryRunner): Promise<void> {\n"
        f"    await {CHAINS[chain].format(value=value, **names)};\n"
        "  }\n\n  public async down(queryRunner: QueryRunner): Promise<void> {}\n}\n"
    )
    base = {"db/structure.sql": SCHEMA.format(**names)}
    if declared:
        base[f"src/entities/{names['model']}.ts"] = ENTITY.format(**names)
    return review_sql(text, path="src/migrations/1767225600000-ChangeData.ts", base=base)


def _rules(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_an_entity_write_is_its_table(names: dict[str, str], chain: str) -> None:
    bad = _review(names, chain, "archived")
    refused = _rules(bad, "value-not-allowed")
    assert len(refused) == 1 and f"`{names['table']}.{names['status']}`" in refused[0].message, [
        f.message for f in bad.active
    ]
    assert not _rules(bad, "unread-data-change")
    good = _review(names, chain, "closed")
    assert not _rules(good, "value-not-allowed") and not _rules(good, "unread-data-change")
    lost = _rules(good, "data-lost-on-rollback") + _rules(good, "missing-down-migration")
    assert lost, [f.rule for f in good.active]  # an overwrite with an empty down: said


@pytest.mark.parametrize("names", NAMES)
def test_an_entity_the_project_does_not_declare_is_said(names: dict[str, str]) -> None:
    result = _review(names, "builder", "closed", declared=False)
    assert _rules(result, "unread-data-change") and result.approval == "BLOCKED"
