import pytest

from tests.conftest import review_sql, rule_ids

BASE = {
    "db/migrations/000_init.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(50), total numeric(10, 2), n integer);"
}


def test_widening_varchar_to_text_is_quiet_with_the_old_type_known() -> None:
    assert "type-change-rewrite" not in rule_ids(
        review_sql("ALTER TABLE users ALTER COLUMN name TYPE text;", base=BASE)
    )


def test_longer_varchar_and_wider_numeric_are_quiet() -> None:
    sql = "ALTER TABLE users ALTER COLUMN name TYPE varchar(100);\nALTER TABLE users ALTER COLUMN total TYPE numeric(14, 2);"
    assert "type-change-rewrite" not in rule_ids(review_sql(sql, base=BASE))


def test_integer_to_bigint_rewrites_and_names_the_old_type() -> None:
    result = review_sql("ALTER TABLE users ALTER COLUMN n TYPE bigint;", base=BASE)
    finding = next(f for f in result.active if f.rule == "type-change-rewrite")
    assert "from `int`" in finding.message and finding.line == 1


def test_table_created_in_the_same_change_is_quiet() -> None:
    sql = "CREATE TABLE t (a integer);\nALTER TABLE t ALTER COLUMN a TYPE bigint;"
    assert "type-change-rewrite" not in rule_ids(review_sql(sql))


@pytest.mark.parametrize(
    ("table", "column", "old", "new", "copies"),
    [
        ("sessions", "remember_for", "int(11)", "int", False),
        ("ledgers", "flag", "tinyint(1)", "tinyint(4)", False),
        ("flows", "extend_session", "boolean", "tinyint(1)", False),
        ("flows", "remember", "bool", "tinyint", False),
        ("ledgers", "total", "int(11)", "bigint(20)", True),
    ],
)
def test_an_integers_display_width_is_no_type_change_on_mysql(
    mariadb, table: str, column: str, old: str, new: str, copies: bool
) -> None:  # type: ignore[no-untyped-def]
    """`int(11)` and `int` store the same: a MODIFY between them changes no type (MariaDB does it INSTANT),
    while `int` to `bigint` copies the table."""
    sql = f"CREATE TABLE {table} ({column} {old} NOT NULL);\n-- migration\nALTER TABLE {table} MODIFY {column} {new} NOT NULL;"
    for dialect in ("mysql", "mariadb"):
        assert ("type-change-rewrite" in rule_ids(review_sql(sql, dialect=dialect))) is copies
    cursor = mariadb.cursor()
    cursor.execute(f"CREATE TABLE {table} ({column} {old} NOT NULL)")
    statement = f"ALTER TABLE {table} MODIFY {column} {new} NOT NULL, ALGORITHM=INSTANT"
    if copies:
        with pytest.raises(Exception, match="ALGORITHM=INSTANT is not supported"):
            cursor.execute(statement)
    else:
        cursor.execute(statement)
    cursor.execute(f"DROP TABLE {table}")


@pytest.mark.parametrize(("table", "column"), [("twofactor", "last_used"), ("attachments", "file_size")])
def test_a_mysql_copy_blocks_writes_and_lets_reads_go_on(table: str, column: str) -> None:
    """vaultwarden's `MODIFY file_size BIGINT NOT NULL`: MySQL's table copy holds a shared lock, so the
    finding says writes wait and reads go on; PostgreSQL's rewrite holds ACCESS EXCLUSIVE and blocks both."""
    schema = f"CREATE TABLE {table} (id int PRIMARY KEY, {column} int NOT NULL);\n-- migration\n"
    mysql = review_sql(schema + f"ALTER TABLE {table} MODIFY {column} BIGINT NOT NULL;\n", dialect="mysql")
    [found] = [f for f in mysql.active if f.rule == "type-change-rewrite"]
    assert found.blast_radius.startswith(f"Writes to `{table}`") and "reads go on" in found.blast_radius
    postgres = review_sql(schema + f"ALTER TABLE {table} ALTER COLUMN {column} TYPE bigint;\n")
    [found] = [f for f in postgres.active if f.rule == "type-change-rewrite"]
    assert found.blast_radius.startswith(f"Reads and writes on `{table}`")
