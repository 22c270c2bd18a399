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


def test_not_valid_skips_existing_rows_and_other_parents_do_not_count() -> None:
    assert RULE not in rule_ids(review_sql(SQL.replace(";", " NOT VALID;"), facts=FACTS))
    other = SQL.replace("REFERENCES users", "REFERENCES accounts")
    assert RULE not in rule_ids(review_sql(other, facts=FACTS))
