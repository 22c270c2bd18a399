"""A JPA entity's field named like a dropped or renamed column (`creditedPrincipal` for `credited_principal`)
whose `@Column(name = …)` maps another column reads that column: the places that use the field are not uses
of the old one (Fineract renamed `credited_principal` back to `credits_amount` and kept the field's name)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import review_sql

NAMES = [
    {
        "table": "m_loan_repayment_schedule",
        "entity": "LoanRepaymentScheduleInstallment",
        "old": "credited_principal",
        "new": "credits_amount",
        "field": "creditedPrincipal",
    },
    {"table": "orders", "entity": "Order", "old": "shipped_on", "new": "dispatched_on", "field": "shippedOn"},
]


def _java(n: dict[str, str], column: str) -> str:
    return (
        f'package shop;\n\n@Entity\n@Table(name = "{n["table"]}")\npublic class {n["entity"]} {{\n'
        f'  @Column(name = "{column}", scale = 6, precision = 19, nullable = true)\n'
        f"  private java.math.BigDecimal {n['field']};\n\n"
        f"  public java.math.BigDecimal get{n['field'][0].upper()}{n['field'][1:]}() {{\n"
        f"    return this.{n['field']};\n  }}\n}}\n"
    )


def _kotlin(n: dict[str, str], column: str) -> str:
    return (
        f'package shop\n\n@Entity\n@Table(name = "{n["table"]}")\nclass {n["entity"]} {{\n'
        f'  @Column(name = "{column}")\n  var {n["field"]}: java.math.BigDecimal? = null\n\n'
        f"  fun total() = {n['field']}\n}}\n"
    )


def _findings(n: dict[str, str], previous: str, source: str, ext: str) -> list[Any]:
    schema = f"CREATE TABLE {n['table']} (id bigint PRIMARY KEY, {n['old']} numeric(19, 6));\n-- migration\n"
    sql = f"ALTER TABLE {n['table']} RENAME COLUMN {n['old']} TO {n['new']};\n"
    path = f"src/main/{'java' if ext == 'java' else 'kotlin'}/shop/{n['entity']}.{ext}"
    result = review_sql(schema + sql, base={path: previous}, head={path: source})
    return [f for f in result.active if f.rule == "column-renamed"]


@pytest.mark.parametrize("n", NAMES)
@pytest.mark.parametrize(("ext", "write"), [("java", _java), ("kt", _kotlin)])
def test_a_field_mapped_to_the_new_column_is_not_a_use_of_the_old(
    n: dict[str, str], ext: str, write: Any
) -> None:
    before = write(n, n["old"])
    (mapped,) = _findings(n, before, write(n, n["new"]), ext)
    # the field reads the new column: its uses are not the old column's
    assert mapped.severity.value != "critical", mapped.message
    assert "still use" not in mapped.message and "covered by" in mapped.blast_radius
    # the field still mapped to the old column: its uses break when the column is renamed
    (kept,) = _findings(n, before, before, ext)
    assert kept.severity.value == "critical" and "still use" in kept.message, kept.message
