from __future__ import annotations

from bot.model.facts import Facts, Lookup
from tests.conftest import review_sql, rule_ids

RULE = "production-id-mismatch"
SCHEMA = (
    "CREATE TABLE priorities (id integer PRIMARY KEY, code text);\n"
    "CREATE TABLE tickets (id integer PRIMARY KEY, priority text, priority_id integer REFERENCES priorities);\n"
    "-- migration\n"
)
CASE = SCHEMA + (
    "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END WHERE id < 10;"
)


def _facts(*rows: tuple[str, str], missing: tuple[str, ...] = ()) -> Facts:
    found = tuple((i, (("code", code),)) for i, code in rows)
    return Facts(
        "replica", "postgres", "2026-01-05T09:00:00Z", lookups=(Lookup("priorities", "id", found, missing),)
    )


def test_a_swap_is_shown_in_production_words() -> None:
    result = review_sql(CASE, facts=_facts(("1", "low"), ("3", "high")))
    [finding] = [f for f in result.active if f.rule == RULE]
    assert "`'high'` → 1, but production's row 1 says code = 'low'; `'high'` is ID 3 there" in finding.message
    assert finding.severity.value == "critical"
    item = next(i for i in result.checklist if i.text == "Verify ID mappings match production")
    assert item.state == "unchecked" and RULE not in item.detail and "production's row 1" in item.detail


def test_missing_ids_are_named() -> None:
    facts = _facts(("1", "high"), missing=("3",))
    [finding] = [f for f in review_sql(CASE, facts=facts).active if f.rule == RULE]
    assert "ID 3 does not exist" in finding.message


def test_matching_labels_verify_the_ids() -> None:
    result = review_sql(CASE, facts=_facts(("1", "high"), ("3", "low")))
    assert RULE not in rule_ids(result)
    item = next(i for i in result.checklist if i.text == "Verify ID mappings match production")
    assert item.state == "checked" and item.source == "probe"
    assert item.detail.startswith("verified by the probe against replica (exact, 2026-01-05T09:00:00Z)")


def test_ids_in_a_where_clause_are_looked_up_in_their_own_table() -> None:
    sql = "UPDATE accounts SET plan = 'pro' WHERE id IN (7, 8);"
    facts = Facts(
        "replica", "postgres", "t", lookups=(Lookup("accounts", "id", (("7", (("name", "Acme"),)),), ("8",)),)
    )
    [finding] = [f for f in review_sql(sql, facts=facts).active if f.rule == RULE]
    assert "ID 8 does not exist" in finding.message and "7 (name = 'Acme')" in finding.fix
    assert RULE not in rule_ids(review_sql(sql))


def test_a_hidden_label_is_judged_by_the_comparison_made_in_the_database() -> None:
    sql = SCHEMA + "UPDATE tickets SET priority_id = 1 WHERE priority = 'high' AND id < 10;"
    hidden = (("1", (("name", "<hidden>"),)),)

    def facts(equals: tuple[tuple[str, str], ...]) -> Facts:
        lookup = Lookup("priorities", "id", hidden, (), equals=equals, compared=("high",))
        return Facts("replica", "postgres", "t", lookups=(lookup,))

    [finding] = [f for f in review_sql(sql, facts=facts((("3", "high"),))).active if f.rule == RULE]
    assert (
        "production's row 1 does not carry that label" in finding.message and "ID 3 there" in finding.message
    )
    assert RULE not in rule_ids(review_sql(sql, facts=facts((("1", "high"),))))


def test_without_a_foreign_key_no_table_is_guessed() -> None:
    sql = "UPDATE tickets SET priority_id = CASE priority WHEN 'high' THEN 1 END WHERE id < 10;"
    facts = _facts(("1", "low"))
    assert RULE not in rule_ids(review_sql(sql, facts=facts))
