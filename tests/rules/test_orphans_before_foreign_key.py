from __future__ import annotations

from bot.model.facts import EXACT, Count, Facts
from tests.conftest import review_sql, rule_ids

RULE = "orphans-before-foreign-key"
SQL = "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);"
FACTS = Facts(
    "replica", "postgres", "t", counts=(Count("orphans", "orders", ("user_id",), 7, EXACT, against="users"),)
)


def test_orphans_block_the_foreign_key() -> None:
    [finding] = [f for f in review_sql(SQL, facts=FACTS).active if f.rule == RULE]
    assert finding.message.startswith("7 rows of `orders` have a `user_id` that matches no row of `users`")


def test_not_valid_warns_that_its_validation_will_fail_and_other_parents_do_not_count() -> None:
    [finding] = [f for f in review_sql(SQL.replace(";", " NOT VALID;"), facts=FACTS).active if f.rule == RULE]
    assert finding.severity.value == "warning" and "`VALIDATE CONSTRAINT` will fail" in finding.message
    other = SQL.replace("REFERENCES users", "REFERENCES accounts")
    assert RULE not in rule_ids(review_sql(other, facts=FACTS))


def test_a_validation_meets_the_orphans() -> None:
    sql = SQL.replace(";", " NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;")
    [finding] = [f for f in review_sql(sql, facts=FACTS).active if f.rule == RULE]
    assert finding.severity.value == "critical" and finding.line == 2
    assert "the foreign key cannot be validated" in finding.message
