from typing import Any

import psycopg
import pytest

from bot.model.findings import Severity
from tests.conftest import review_sql

CASES = [
    ("varchar(255)", "varchar(50)", Severity.WARNING, "length(c) > 50"),
    ("text", "integer", Severity.WARNING, "c !~"),
    ("text", "date", Severity.WARNING, "ISO dates"),
    ("numeric(12, 4)", "integer", Severity.CRITICAL, "trunc(c)"),
    ("double precision", "bigint", Severity.CRITICAL, "trunc(c)"),
    ("numeric(12, 4)", "numeric(12, 2)", Severity.CRITICAL, "round(c, 2)"),
    ("timestamptz", "timestamp", Severity.WARNING, "TimeZone"),
    ("timestamp", "date", Severity.CRITICAL, "c::time"),
    ("bigint", "integer", Severity.WARNING, "NOT BETWEEN -2147483648 AND 2147483647"),
    ("double precision", "real", Severity.WARNING, "AS real"),
]


@pytest.mark.parametrize(("old", "new", "severity", "check"), CASES)
def test_lossy_changes_say_what_is_lost_and_how_to_check(
    old: str, new: str, severity: Severity, check: str
) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    found = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert len(found) == 1
    assert found[0].severity is severity
    assert check in found[0].fix + found[0].message + found[0].blast_radius


def test_mysql_narrowing_can_truncate_silently() -> None:
    sql = "CREATE TABLE t (id bigint PRIMARY KEY, c varchar(255));\n-- migration\nALTER TABLE t MODIFY COLUMN c varchar(20);"
    found = [f for f in review_sql(sql, dialect="mysql").active if f.rule == "lossy-type-change"]
    assert found and found[0].severity is Severity.CRITICAL and "char_length(c) > 20" in found[0].fix


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("varchar(50)", "varchar(255)"),
        ("integer", "bigint"),
        ("numeric(12, 2)", "numeric(14, 2)"),
        ("varchar(20)", "text"),
    ],
)
def test_widening_is_quiet(old: str, new: str) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    assert "lossy-type-change" not in {f.rule for f in review_sql(sql).active}


def test_unknown_old_type_is_quiet() -> None:
    assert "lossy-type-change" not in {
        f.rule for f in review_sql("ALTER TABLE t ALTER COLUMN c TYPE integer;").active
    }


def _check_query(old: str, new: str, dialect: str = "postgres") -> str:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    if dialect == "mysql":
        sql = sql.replace("ALTER COLUMN c TYPE", "MODIFY COLUMN c")
    (finding,) = [f for f in review_sql(sql, dialect=dialect).active if f.rule == "lossy-type-change"]
    return finding.fix.split("`")[1].rstrip(";")


def test_rounding_is_silent_on_postgres_and_the_check_finds_it(pg: Any) -> None:
    pg.execute("CREATE TABLE t (id bigint PRIMARY KEY, c numeric(12, 4))")
    pg.execute("INSERT INTO t VALUES (1, 2.5), (2, 3)")
    assert pg.execute(_check_query("numeric(12, 4)", "integer")).fetchone() == (1,)
    pg.execute("ALTER TABLE t ALTER COLUMN c TYPE integer")  # no error: 2.5 becomes 3
    assert pg.execute("SELECT c FROM t ORDER BY id").fetchall() == [(3,), (3,)]


def test_narrowing_fails_on_postgres_and_the_check_finds_it(pg: Any) -> None:
    pg.execute("CREATE TABLE t (id bigint PRIMARY KEY, c varchar(255))")
    pg.execute("INSERT INTO t VALUES (1, repeat('x', 30)), (2, 'short')")
    assert pg.execute(_check_query("varchar(255)", "varchar(20)")).fetchone() == (1,)
    with pytest.raises(Exception, match="too long"):
        pg.execute("ALTER TABLE t ALTER COLUMN c TYPE varchar(20)")


def test_timestamp_to_date_drops_the_time_on_postgres(pg: Any) -> None:
    pg.execute("CREATE TABLE t (id bigint PRIMARY KEY, c timestamp)")
    pg.execute("INSERT INTO t VALUES (1, '2026-01-02 13:45'), (2, '2026-01-03 00:00')")
    assert pg.execute(_check_query("timestamp", "date")).fetchone() == (1,)


def test_mariadb_truncates_silently_outside_strict_mode(mariadb: Any) -> None:
    with mariadb.cursor() as cursor:
        cursor.execute("SET SESSION sql_mode = ''")
        cursor.execute("CREATE TABLE t (id bigint PRIMARY KEY, c varchar(255))")
        cursor.execute("INSERT INTO t VALUES (1, REPEAT('x', 30)), (2, 'short')")
        cursor.execute(_check_query("varchar(255)", "varchar(20)", "mysql"))
        assert cursor.fetchone() == (1,)
        cursor.execute("ALTER TABLE t MODIFY COLUMN c varchar(20)")
        cursor.execute("SELECT char_length(c) FROM t WHERE id = 1")
        assert cursor.fetchone() == (20,)


@pytest.mark.parametrize("column", ["is_enabled", "notify"])
def test_text_to_boolean_fails_on_words_postgres_does_not_read_and_the_check_finds_them(
    pg: Any, column: str
) -> None:
    sql = (
        f"CREATE TABLE t (id bigint PRIMARY KEY, {column} text);\n-- migration\n"
        f"ALTER TABLE t ALTER COLUMN {column} TYPE boolean USING {column}::boolean;"
    )
    (finding,) = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert finding.severity is Severity.WARNING and "fail the change" in finding.message
    check = finding.fix.split("`")[1].rstrip(";")
    pg.execute(f"CREATE TABLE t (id bigint PRIMARY KEY, {column} text)")
    pg.execute("INSERT INTO t VALUES (1, 'Yes'), (2, ' off '), (3, 'enabled'), (4, NULL)")
    assert pg.execute(check).fetchone() == (1,)
    with pytest.raises(Exception, match="invalid input syntax for type boolean"):
        pg.execute(f"ALTER TABLE t ALTER COLUMN {column} TYPE boolean USING {column}::boolean")


@pytest.mark.parametrize("column", ["level", "retries"])
def test_integer_to_boolean_merges_every_non_zero_value(pg: Any, column: str) -> None:
    sql = (
        f"CREATE TABLE t (id bigint PRIMARY KEY, {column} integer);\n-- migration\n"
        f"ALTER TABLE t ALTER COLUMN {column} TYPE boolean USING CAST({column} AS boolean);"
    )
    (finding,) = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert "can no longer be told apart" in finding.message
    pg.execute(f"CREATE TABLE t (id bigint PRIMARY KEY, {column} integer)")
    pg.execute("INSERT INTO t VALUES (1, 0), (2, 1), (3, 2)")
    assert pg.execute(finding.fix.split("`")[1].rstrip(";")).fetchone() == (1,)


@pytest.mark.parametrize(
    ("old", "using"),
    [
        ("text", "(state = 'on')"),
        ("text", "state IN ('y', 'yes')"),
        ("integer", "state > 0"),
        ("smallint", "(state <> 0)"),
    ],
)
def test_a_conversion_the_author_maps_explicitly_is_quiet(old: str, using: str) -> None:
    sql = (
        f"CREATE TABLE t (id bigint PRIMARY KEY, state {old});\n-- migration\n"
        f"ALTER TABLE t ALTER COLUMN state TYPE boolean USING {using};"
    )
    assert "lossy-type-change" not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(
    ("table", "column", "before", "after", "dropped"),
    [
        ("users", "status", "'active','banned'", "'active','suspended'", "'banned'"),
        ("tickets", "state", "'open','archived','closed'", "'open','closed'", "'archived'"),
    ],
)
def test_a_mysql_enum_that_leaves_a_member_out_loses_its_rows(table, column, before, after, dropped) -> None:  # type: ignore[no-untyped-def]
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} enum({before}) NOT NULL);\n-- migration\n"
    )
    bad = review_sql(schema + f"ALTER TABLE {table} MODIFY {column} enum({after}) NOT NULL;", dialect="mysql")
    [finding] = [f for f in bad.active if f.rule == "lossy-type-change"]
    assert finding.severity.value == "critical" and dropped in finding.message
    widened = review_sql(
        schema + f"ALTER TABLE {table} MODIFY {column} enum({before},'extra') NOT NULL;", dialect="mysql"
    )
    assert not [f for f in widened.active if f.rule == "lossy-type-change"]


@pytest.mark.parametrize(
    ("table", "column", "old", "new", "kept", "lost"),
    [
        ("products", "price", "numeric(12, 2)", "real", "12.5", "1234567.89"),
        ("ledger", "amount", "numeric", "double precision", "0.1", "12345678901234567.89"),
        ("counters", "views", "bigint", "double precision", "9007199254740992", "9007199254740993"),
        ("stats", "hits", "integer", "real", "16777216", "16777217"),
    ],
)
def test_numbers_moved_to_floating_point_lose_digits_and_the_check_finds_them(  # type: ignore[no-untyped-def]
    pg: Any, table, column, old, new, kept, lost
) -> None:
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old});\n-- migration\nALTER TABLE {table} ALTER COLUMN {column} TYPE {new};"
    (finding,) = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert finding.severity is Severity.WARNING and f"`{table}.{column}`" in finding.message
    query = finding.fix.split("`")[1].rstrip(";")
    pg.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old})")
    pg.execute(f"INSERT INTO {table} VALUES (1, {kept})")
    assert pg.execute(query).fetchone() == (0,)
    pg.execute(f"INSERT INTO {table} VALUES (2, {lost})")
    assert pg.execute(query).fetchone() == (1,)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("numeric(5, 3)", "real"),  # six significant digits fit
        ("numeric(12, 2)", "double precision"),
        ("integer", "double precision"),
        ("smallint", "real"),
    ],
)
def test_numbers_that_floating_point_holds_exactly_are_quiet(old: str, new: str) -> None:
    sql = f"CREATE TABLE t (id bigint PRIMARY KEY, c {old});\n-- migration\nALTER TABLE t ALTER COLUMN c TYPE {new};"
    assert "lossy-type-change" not in {f.rule for f in review_sql(sql).active}


@pytest.mark.parametrize(
    ("table", "columns", "change", "charset"),
    [
        ("posts", ("body", "title"), "CONVERT TO CHARACTER SET utf8 COLLATE utf8_general_ci", "utf8mb3"),
        ("comments", ("text",), "MODIFY text varchar(500) CHARACTER SET latin1", "latin1"),
    ],
)
def test_mysql_moved_to_a_narrower_character_set_loses_characters(  # type: ignore[no-untyped-def]
    mariadb: Any, table, columns, change, charset
) -> None:
    defined = ", ".join(f"`{c}` varchar(500)" for c in columns)
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {defined}) DEFAULT CHARSET=utf8mb4;\n-- migration\nALTER TABLE {table} {change};"
    (finding,) = [f for f in review_sql(sql, dialect="mariadb").active if f.rule == "lossy-type-change"]
    assert charset in finding.fix or charset in finding.message
    query = finding.fix.split("`")[1].rstrip(";")
    with mariadb.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {table} (id bigint PRIMARY KEY, {defined}) DEFAULT CHARSET=utf8mb4")
        values = ", ".join("'plain'" for _ in columns)
        cursor.execute(f"INSERT INTO {table} VALUES (1, {values})")
        cursor.execute(query)
        assert cursor.fetchone() == (0,)
        values = ", ".join("'Zoë ☃ 𝄞 🎉'" for _ in columns)
        cursor.execute(f"INSERT INTO {table} VALUES (2, {values})")
        cursor.execute(query)
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize(
    "change",
    [
        "CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "MODIFY body varchar(500) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
        "CHARACTER SET latin1",  # the table's default for new columns: existing ones keep theirs
    ],
)
def test_mysql_character_set_changes_that_keep_every_character_are_quiet(change: str) -> None:
    sql = f"CREATE TABLE posts (id bigint PRIMARY KEY, body varchar(500)) DEFAULT CHARSET=utf8mb4;\n-- migration\nALTER TABLE posts {change};"
    assert "lossy-type-change" not in {f.rule for f in review_sql(sql, dialect="mysql").active}


@pytest.mark.parametrize(
    ("table", "column", "labels", "longest"),
    [
        ("tickets", "priority", ("low", "urgent"), "urgent"),
        ("pages", "layout", ("grid", "masonry"), "masonry"),
    ],
)
def test_an_enum_changed_to_a_string_too_short_for_a_label_loses_it(
    table: str, column: str, labels: tuple[str, str], longest: str
) -> None:
    quoted = ",".join(f"'{label}'" for label in labels)
    base = {
        "db/migrations/000_base.sql": f"CREATE TABLE {table} (id int PRIMARY KEY, {column} ENUM({quoted}));"
    }
    short = review_sql(f"ALTER TABLE {table} MODIFY {column} varchar(4);", dialect="mysql", base=base)
    [loss] = [f for f in short.active if f.rule == "lossy-type-change"]
    assert f"'{longest}'" in loss.message
    wide = review_sql(f"ALTER TABLE {table} MODIFY {column} varchar(40);", dialect="mysql", base=base)
    assert "lossy-type-change" not in {f.rule for f in wide.active}


@pytest.mark.parametrize(
    ("table", "column", "old", "new", "said", "values", "kept"),
    [
        ("wallets", "credits", "INT", "INT UNSIGNED", "negative values", "(1, -5), (2, 7)", (0, 7)),
        (
            "counters",
            "hits",
            "INT UNSIGNED",
            "INT",
            "above 2,147,483,647",
            "(1, 3000000000), (2, 7)",
            (2147483647, 7),
        ),
    ],
)
def test_mysql_integer_sign_changes_lose_values_and_copy_the_table(  # type: ignore[no-untyped-def]
    mariadb, table, column, old, new, said, values, kept
) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} {old} NOT NULL);\n-- migration\n"
        f"ALTER TABLE {table} MODIFY COLUMN {column} {new} NOT NULL;"
    )
    found = {f.rule: f for f in review_sql(sql, dialect="mariadb").active}
    assert said in found["lossy-type-change"].message
    assert "sign" in found["type-change-rewrite"].message
    # widening to a type that holds every value, and restating the same type, are neither
    wider = sql.replace(f"{column} {new} NOT NULL;", f"{column} BIGINT NOT NULL;")
    assert "lossy-type-change" not in {f.rule for f in review_sql(wider, dialect="mariadb").active}
    with mariadb.cursor() as cursor:
        cursor.execute(f"CREATE TABLE t (id bigint PRIMARY KEY, c {old} NOT NULL)")
        cursor.execute(f"INSERT INTO t VALUES {values}")
        cursor.execute("SET SESSION sql_mode = 'STRICT_ALL_TABLES'")
        with pytest.raises(Exception, match="Out of range"):
            cursor.execute(f"ALTER TABLE t MODIFY COLUMN c {new} NOT NULL")
        cursor.execute("SET SESSION sql_mode = ''")
        cursor.execute(f"ALTER TABLE t MODIFY COLUMN c {new} NOT NULL")
        cursor.execute("SELECT c FROM t ORDER BY id")
        assert tuple(row[0] for row in cursor.fetchall()) == kept


@pytest.mark.parametrize(
    ("new", "bad", "good"),
    [
        ("jsonb", ["n/a", "yes", ""], ['{"a": 1}', "[1, 2]", '"x"', "42", "true", "null"]),
        (
            "uuid",
            ["", "42", "not-a-uuid"],
            ["a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{A0EEBC999C0B4EF8BB6D6BB9BD380A11}"],
        ),
    ],
)
def test_text_to_json_or_uuid_fails_on_what_the_check_finds(
    pg: Any, new: str, bad: list[str], good: list[str]
) -> None:
    pg.execute("CREATE TABLE t (id bigint PRIMARY KEY, c text)")
    rows = [*bad, *good]
    for n, value in enumerate(rows):
        pg.execute("INSERT INTO t VALUES (%s, %s)", (n, value))
    assert pg.execute(_check_query("text", new)).fetchone() == (len(bad),)
    for value in bad:
        with pytest.raises(psycopg.errors.DataError):
            pg.execute(f"SELECT %s::text::{new}", (value,))
    for value in good:
        pg.execute(f"SELECT %s::text::{new}", (value,))


def test_mysql_text_to_json_is_checked_with_json_valid(mariadb: Any) -> None:
    query = _check_query("text", "json", "mysql")
    assert "JSON_VALID(c) = 0" in query
    with mariadb.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id bigint PRIMARY KEY, c text)")
        cursor.execute("""INSERT INTO t VALUES (1, 'n/a'), (2, '{"a": 1}')""")
        cursor.execute(query)
        assert cursor.fetchone() == (1,)


@pytest.mark.parametrize(("table", "column"), [("events", "starts_at"), ("payments", "settled_on")])
@pytest.mark.parametrize(
    ("prefix", "using", "lossy"),
    [
        ("", "", True),
        ("", " USING {column} AT TIME ZONE 'UTC'", False),
        ("", " USING timezone('Europe/Berlin', {column})", False),
        ("SET TIME ZONE 'UTC';\n", "", False),
    ],
)
def test_a_zone_dropped_from_timestamptz_in_a_zone_named_keeps_the_wall_clock(
    table: str, column: str, prefix: str, using: str, lossy: bool
) -> None:
    sql = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} timestamptz NOT NULL);\n-- migration\n"
        f"{prefix}ALTER TABLE {table} ALTER COLUMN {column} TYPE timestamp{using.format(column=column)};"
    )
    found = [f for f in review_sql(sql).active if f.rule == "lossy-type-change"]
    assert bool(found) is lossy


@pytest.mark.parametrize(("table", "column"), [("users", "bio"), ("posts", "body")])
def test_the_fix_names_no_using_on_mysql(table: str, column: str) -> None:
    def fix(dialect: str) -> str:
        sql = f"CREATE TABLE {table} (id int PRIMARY KEY, {column} text);\n-- migration\n"
        sql += (
            f"ALTER TABLE {table} MODIFY {column} varchar(100);"
            if dialect == "mysql"
            else f"ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar(100);"
        )
        [finding] = [f for f in review_sql(sql, dialect=dialect).active if f.rule == "lossy-type-change"]
        return finding.fix

    assert "USING" not in fix("mysql") and "UPDATE" in fix("mysql")
    assert "USING" in fix("postgres")


@pytest.mark.parametrize(
    ("table", "column", "old"),
    [("stat_daily", "ping", "real"), ("readings", "temperature", "double precision")],
)
def test_a_real_column_made_integer_keeps_its_fractions_on_sqlite(table: str, column: str, old: str) -> None:
    """uptime-kuma's `table.integer("ping").defaultTo(0).alter()` of a `float` column (5f650aef5): SQLite
    copies the table, and an INTEGER column stores 19.99 as the REAL it is (only 20.0 becomes the integer 20,
    the same number), so nothing is lost there; MySQL rounds it to 20."""
    before = f"CREATE TABLE {table} (id integer PRIMARY KEY, {column} {old} NOT NULL);\n-- migration\n"
    knex = (
        "exports.up = function (knex) {\n"
        f'  return knex.schema.alterTable("{table}", (t) => {{ t.integer("{column}").defaultTo(0).alter(); }});\n'
        "};\nexports.down = function (knex) {};\n"
    )
    path = "db/knex_migrations/2025-10-15-0000-stat-table-fix.js"

    def lossy(dialect: str) -> list[Any]:
        found = review_sql(before + knex, path=path, dialect=dialect).active
        return [f for f in found if f.rule == "lossy-type-change"]

    assert not lossy("sqlite")
    (rounded,) = lossy("mysql")
    assert "fraction" in rounded.message
