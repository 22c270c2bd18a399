import pytest

from tests.conftest import review_sql, rule_ids


def test_drop_not_null_is_not_flagged_as_not_null() -> None:
    assert "set-not-null" not in rule_ids(review_sql("ALTER TABLE users ALTER COLUMN email DROP NOT NULL;"))


def test_validated_check_constraint_first_makes_it_quiet() -> None:
    sql = (
        "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;\n"
        "ALTER TABLE users VALIDATE CONSTRAINT email_nn;\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
    )
    found = rule_ids(review_sql(sql))
    assert "set-not-null" not in found and "constraint-not-valid" not in found


def test_mysql_modify_not_null_rebuilds() -> None:
    result = review_sql(
        "CREATE TABLE users (id int PRIMARY KEY, email varchar(100) NULL);\n-- migration\n"
        "ALTER TABLE users MODIFY COLUMN email varchar(255) NOT NULL;",
        dialect="mysql",
    )
    assert "set-not-null" in rule_ids(result)


@pytest.mark.parametrize(
    ("table", "column", "new_type"), [("system_setting", "value", "LONGTEXT"), ("user", "avatar_url", "TEXT")]
)
@pytest.mark.parametrize("known", ["nullable", "not null", "unknown"])
def test_a_restated_not_null_of_a_column_the_history_never_showed_is_no_finding(
    table: str, column: str, new_type: str, known: str
) -> None:
    """memos widens `value` with `MODIFY value LONGTEXT NOT NULL` on a table its migrations never created:
    MODIFY restates NOT NULL whether or not it was there; only a column known to be nullable changes."""
    schema = {
        "nullable": f"CREATE TABLE `{table}` (id int PRIMARY KEY, `{column}` TEXT NULL);\n-- migration\n",
        "not null": f"CREATE TABLE `{table}` (id int PRIMARY KEY, `{column}` TEXT NOT NULL);\n-- migration\n",
        "unknown": "",
    }[known]
    sql = f"ALTER TABLE `{table}` MODIFY `{column}` {new_type} NOT NULL;\n"
    assert ("set-not-null" in rule_ids(review_sql(schema + sql, dialect="mysql"))) is (known == "nullable")
    # a PostgreSQL SET NOT NULL says it changes: reported on an unknown column too
    explicit = f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET NOT NULL;\n'
    assert "set-not-null" in rule_ids(review_sql(explicit, dialect="postgres"))


NULLABLE = [("users", "nickname", "varchar(40)", "`''`"), ("devices", "battery", "int", "`0`")]


@pytest.mark.parametrize(("table", "column", "type_", "zero"), NULLABLE)
@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize("change", ["MODIFY {c} {t} NOT NULL", "CHANGE {c} {c} {t} NOT NULL"])
def test_mysql_not_null_over_nulls_says_what_each_sql_mode_does(
    table: str, column: str, type_: str, zero: str, dialect: str, change: str
) -> None:
    """MariaDB 10.11, checked: strict mode stops the ALTER at the first NULL (error 1265, data truncated);
    without it the ALTER succeeds with a warning and the NULL is stored as '' (varchar), 0 (int)."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {type_});\n-- migration\n"
    alter = f"ALTER TABLE {table} {change.format(c=column, t=type_)};"

    def message(sql: str) -> str:
        result = review_sql(schema + sql, dialect=dialect)
        (found,) = [f for f in result.active if f.rule == "set-not-null"]
        return found.message

    bare = message(alter)
    assert f"NULLs `{column}` may hold" in bare and "strict mode" in bare and "error 1265" in bare, bare
    assert f"each NULL silently becomes {zero}" in bare, bare
    # the NULLs filled first, in the same migration: the rebuild is all that is left to say
    filled = message(f"UPDATE {table} SET {column} = {zero.strip('`')} WHERE {column} IS NULL;\n{alter}")
    assert "strict mode" not in filled and "rebuilds" in filled, filled


def test_mysql_not_null_over_a_column_the_probe_shows_without_nulls() -> None:
    from bot.model.facts import EXACT, Count, Facts

    facts = Facts(
        connection="replica",
        dialect="mysql",
        taken_at="2026-01-05T09:00:00Z",
        counts=(Count("nulls", "users", ("nickname",), 0, EXACT),),
    )
    sql = "CREATE TABLE users (id bigint PRIMARY KEY, nickname varchar(40));\n-- migration\n"
    sql += "ALTER TABLE users MODIFY nickname varchar(40) NOT NULL;"
    (found,) = [f for f in review_sql(sql, dialect="mysql", facts=facts).active if f.rule == "set-not-null"]
    assert "strict mode" not in found.message, found.message


@pytest.mark.parametrize(("table", "column"), [("documents", "created_date"), ("orders", "placed_at")])
def test_not_null_after_the_nulls_are_filled_says_it_cannot_fail_on_them(table: str, column: str) -> None:
    """paperless-ngx 1a6f32534: Django fills the NULLs with the default before SET NOT NULL; the finding said the
    migration fails if any row is NULL."""
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} date);\n-- migration\n"
    filled = f"UPDATE {table} SET {column} = '2000-01-01' WHERE {column} IS NULL;\n"
    plain = f"ALTER TABLE {table} ALTER COLUMN {column} SET NOT NULL;\n"
    [found] = [f for f in review_sql(schema + filled + plain).active if f.rule == "set-not-null"]
    assert (
        "NULLs were filled before it" in found.blast_radius and "fails if any row" not in found.blast_radius
    )
    [found] = [f for f in review_sql(schema + plain).active if f.rule == "set-not-null"]
    assert "the migration fails if any row is NULL" in found.blast_radius
