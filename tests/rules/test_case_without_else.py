import pytest

from tests.conftest import review_sql, rule_ids

BATCH = "WHERE id IN (SELECT id FROM orders WHERE state IS NULL ORDER BY id LIMIT 1000)"


def _found(sql: str, **kwargs: object) -> list[str]:
    return [f.message for f in review_sql(sql, **kwargs).active if f.rule == "case-without-else"]  # type: ignore[arg-type]


def test_case_without_else_in_update_is_found_with_its_line() -> None:
    sql = f"SET lock_timeout = '5s';\nUPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' END {BATCH};"
    result = review_sql(sql)
    found = [f for f in result.active if f.rule == "case-without-else"]
    assert len(found) == 1 and found[0].line == 2
    assert "become NULL" in found[0].message


def test_not_null_target_fails_the_migration() -> None:
    schema = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, state text NOT NULL);\n-- migration\n"
    messages = _found(
        schema + f"UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' END {BATCH};"
    )
    assert messages and "abort the migration" in messages[0]


def test_insert_select_case_without_else_is_found() -> None:
    sql = "INSERT INTO archive (id, kind) SELECT id, CASE WHEN status = 'paid' THEN 'p' END FROM orders;"
    assert _found(sql)


def test_else_or_restricting_where_is_quiet() -> None:
    assert not _found(
        f"UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' ELSE state END {BATCH};"
    )
    assert not _found(
        "UPDATE orders SET state = CASE status WHEN 'paid' THEN 'x' WHEN 'open' THEN 'y' END "
        "WHERE status IN ('paid', 'open') AND id >= 1 AND id < 1000;"
    )


def test_a_table_this_change_creates_has_no_rows_to_map() -> None:
    sql = "CREATE TABLE orders (id bigint PRIMARY KEY, status text, state text);\n" + (
        f"UPDATE orders SET state = CASE status WHEN 'paid' THEN 'settled' END {BATCH};"
    )
    assert not _found(sql)


@pytest.mark.parametrize(
    ("table", "doc", "flag", "value"),
    [("logs", "data", "reverted", "reference"), ("profiles", "settings", "active", "nickname")],
)
def test_a_case_whose_null_a_function_turns_into_a_value(table: str, doc: str, flag: str, value: str) -> None:
    """Inside `jsonb_build_object(…)` the CASE's NULL is a JSON null in the document; inside `coalesce(…)` the
    next argument; the column itself never gets NULL. Straight into the column, it does."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {doc} jsonb NOT NULL, {flag} boolean, {value} text NOT NULL);\n-- migration\n"
    where = " WHERE id >= 1 AND id < 1000;"
    quiet = [
        f"UPDATE {table} SET {doc} = {doc} || jsonb_build_object('k', CASE WHEN {flag} THEN {value} END)",
        f"UPDATE {table} SET {value} = coalesce(CASE WHEN {flag} THEN 'x' END, {value})",
        f"UPDATE {table} SET {value} = concat('v-', CASE WHEN {flag} THEN 'x' END)",
    ]
    for sql in quiet:
        assert "case-without-else" not in rule_ids(review_sql(schema + sql + where)), sql
    loud = f"UPDATE {table} SET {value} = upper(CASE WHEN {flag} THEN 'x' END)"
    assert "case-without-else" in rule_ids(review_sql(schema + loud + where))


@pytest.mark.parametrize(
    ("table", "column", "alias"), [("charging_processes", "energy_used", "ph"), ("invoices", "total", "rate")]
)
def test_a_case_in_a_with_query_of_an_update_sets_no_column_of_the_table(
    table: str, column: str, alias: str
) -> None:
    """`WITH x AS (SELECT CASE … END AS ph …) UPDATE t SET c = …`: `ph` names a column of the WITH query, not of
    the table the UPDATE writes; the CASE without ELSE there leaves no row of the table NULL."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} numeric, {alias} numeric, kind text);\n-- migration\n"
    sql = (
        f"WITH picked AS (SELECT id, CASE WHEN kind = 'a' THEN 1.5 END AS {alias} FROM {table})\n"
        f"UPDATE {table} t SET {column} = p.{alias} FROM picked p WHERE p.id = t.id AND p.{alias} IS NOT NULL;"
    )
    assert "case-without-else" not in rule_ids(review_sql(schema + sql))
    inserted = f"INSERT INTO {table} (id, {alias}) SELECT id + 1000, CASE WHEN kind = 'a' THEN 1.5 END AS other FROM {table};"
    found = [f.message for f in review_sql(schema + inserted).active if f.rule == "case-without-else"]
    assert found and f"`{table}.{alias}`" in found[0], found
