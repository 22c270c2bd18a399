from typing import Any

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql


def _found(sql: str, **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, **kw).active if f.rule == "domain-constraint"]


def test_alter_domain_add_constraint_suggests_not_valid() -> None:
    [finding] = _found("ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0);")
    assert finding.severity is Severity.WARNING
    assert (
        finding.suggestion == "ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID"
    )


def test_create_domain_with_check_is_info() -> None:
    [finding] = _found("CREATE DOMAIN amount AS numeric CHECK (VALUE > 0);")
    assert finding.severity is Severity.INFO


def test_not_valid_validate_and_plain_domains_are_quiet() -> None:
    sql = (
        "CREATE DOMAIN amount AS numeric;\n"
        "ALTER DOMAIN amount ADD CONSTRAINT amount_positive CHECK (VALUE > 0) NOT VALID;\n"
        "ALTER DOMAIN amount VALIDATE CONSTRAINT amount_positive;"
    )
    assert not _found(sql)
