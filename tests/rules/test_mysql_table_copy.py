from typing import Any

import pytest

from bot.model.config import Config
from bot.model.findings import Finding, Severity
from tests.conftest import review_sql, rule_ids

RULE = "mysql-table-copy"
BASE = {"db/migrations/000_base.sql": "CREATE TABLE o (id bigint PRIMARY KEY, s ENUM('a','b') NOT NULL);"}


def _found(sql: str, dialect: str = "mysql", **kw: Any) -> list[Finding]:
    return [f for f in review_sql(sql, dialect=dialect, **kw).active if f.rule == RULE]


def test_algorithm_copy_and_shared_lock_are_critical() -> None:
    [copy] = _found("ALTER TABLE o ADD COLUMN n text, ALGORITHM=COPY;")
    [lock] = _found("ALTER TABLE o ADD INDEX o_n (n), LOCK=SHARED;")
    assert copy.severity is Severity.CRITICAL and lock.severity is Severity.CRITICAL


def test_algorithm_instant_or_inplace_with_lock_none_is_quiet() -> None:
    assert not _found("ALTER TABLE o CONVERT TO CHARACTER SET utf8mb4;".replace(";", ", ALGORITHM=INPLACE;"))
    assert not _found("ALTER TABLE o ADD COLUMN n text, ALGORITHM=INSTANT, LOCK=NONE;")


def test_enum_reorder_copies_but_appending_is_instant() -> None:
    [finding] = _found("ALTER TABLE o MODIFY s ENUM('b','a') NOT NULL;", base=BASE)
    assert "appending" in finding.message
    appended = review_sql("ALTER TABLE o MODIFY s ENUM('a','b','c') NOT NULL;", dialect="mysql", base=BASE)
    assert not rule_ids(appended) & {RULE, "type-change-rewrite", "set-not-null"}


def test_charset_conversion_and_dropping_the_primary_key_copy() -> None:
    assert _found("ALTER TABLE o CONVERT TO CHARACTER SET utf8mb4;")
    assert _found("ALTER TABLE o MODIFY c varchar(5) CHARACTER SET latin1;")
    assert _found("ALTER TABLE o DROP PRIMARY KEY;")


def test_foreign_key_copies_unless_checks_are_off() -> None:
    fk = "ALTER TABLE o ADD CONSTRAINT o_u FOREIGN KEY (u) REFERENCES u (id);"
    assert _found(fk)
    assert not _found("SET foreign_key_checks = 0;\n" + fk)


def test_add_column_depends_on_the_server_version() -> None:
    sql = "ALTER TABLE o ADD COLUMN n int AFTER id;"
    assert not _found(sql)  # default MySQL 8.0.30: instant anywhere
    [finding] = _found(sql, config=Config(database_version="8.0.20"))
    assert finding.severity is Severity.WARNING
    assert finding.suggestion == "ALTER TABLE o ADD COLUMN n int AFTER id, ALGORITHM=INPLACE, LOCK=NONE"
    assert not _found("ALTER TABLE o ADD COLUMN n int;", config=Config(database_version="8.0.20"))
    assert _found(sql, config=Config(dialect="mariadb", database_version="10.3"))
    assert not _found(sql, config=Config(dialect="mariadb", database_version="10.4"))


def test_stored_generated_and_auto_increment_columns_copy() -> None:
    assert _found("ALTER TABLE o ADD COLUMN g int AS (id + 1) STORED;")


def test_new_tables_and_postgres_are_quiet() -> None:
    assert not _found("CREATE TABLE t (id bigint);\nALTER TABLE t ADD COLUMN n text, ALGORITHM=COPY;")
    assert not _found("ALTER TABLE o ADD COLUMN n text;", dialect="postgres")


def test_partitioning_copies_and_row_format_rebuilds() -> None:
    [partition] = _found("ALTER TABLE o PARTITION BY HASH(id) PARTITIONS 4;")
    [row_format] = _found("ALTER TABLE o ROW_FORMAT=COMPRESSED;")
    assert partition.severity is Severity.CRITICAL and row_format.severity is Severity.WARNING
    assert _found("ALTER TABLE o REMOVE PARTITIONING;")


@pytest.mark.parametrize(("table", "column"), [("users", "bio"), ("articles", "body")])
@pytest.mark.parametrize(
    "statement",
    ["ALTER TABLE {t} ADD FULLTEXT INDEX ft_{c} ({c});", "CREATE FULLTEXT INDEX ft_{c} ON {t} ({c});"],
)
def test_the_first_fulltext_index_rebuilds_the_table(table: str, column: str, statement: str) -> None:
    schema = (
        f"CREATE TABLE {table} (id bigint PRIMARY KEY, title varchar(200), {column} text) ENGINE=InnoDB;\n"
    )
    bad = review_sql(schema + "-- migration\n" + statement.format(t=table, c=column), dialect="mysql")
    [finding] = [f for f in bad.active if f.rule == "mysql-table-copy"]
    assert "FULLTEXT" in finding.message and finding.severity.value == "critical"
    # a later FULLTEXT index does not rebuild the table, but is still built with writes waiting
    second = schema + f"CREATE FULLTEXT INDEX ft_title ON {table} (title);\n-- migration\n"
    later = review_sql(second + statement.format(t=table, c=column), dialect="mysql")
    [finding] = [f for f in later.active if f.rule == "mysql-table-copy"]
    assert "writes blocked" in finding.message and "rebuilds" not in finding.message
    assert "LOCK=NONE` is refused" in finding.fix
    # on a table the change creates, nobody writes yet
    created = "-- migration\n" + schema + statement.format(t=table, c=column)
    assert not [f for f in review_sql(created, dialect="mysql").active if f.rule == "mysql-table-copy"]


@pytest.mark.parametrize(("table", "column"), [("songs", "album_name"), ("podcasts", "author")])
def test_mariadb_builds_every_fulltext_index_with_writes_blocked(mariadb, table: str, column: str) -> None:  # type: ignore[no-untyped-def]
    cursor = mariadb.cursor()
    cursor.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, title text, {column} text, FULLTEXT (title))")
    with pytest.raises(Exception, match="LOCK=NONE is not supported"):
        cursor.execute(f"ALTER TABLE {table} ADD FULLTEXT ({column}), LOCK=NONE")
    cursor.execute(f"ALTER TABLE {table} ADD FULLTEXT ({column}), LOCK=SHARED")
    cursor.execute(f"DROP TABLE {table}")


@pytest.mark.parametrize("dialect", ["mysql", "mariadb"])
@pytest.mark.parametrize(
    ("table", "column"), [("duo_devices", "label"), ("authentication_logs", "remote_ip")]
)
def test_a_charset_conversion_among_other_clauses_is_read_with_them(
    dialect: str, table: str, column: str
) -> None:
    base = {
        "db/migrations/000_base.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(40));"
    }
    engine_first = review_sql(
        f"ALTER TABLE {table}\n    ENGINE=InnoDB,\n    CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;",
        dialect=dialect,
        base=base,
    )
    assert "unparsed-statement" not in rule_ids(engine_first)
    [copy] = [f for f in engine_first.active if f.rule == RULE]
    assert "CONVERT TO CHARACTER SET" in copy.message and table in copy.message
    mixed = review_sql(
        f"ALTER TABLE {table} ROW_FORMAT=DYNAMIC, CONVERT TO CHARSET utf8mb4, ADD COLUMN {column}_2 int NOT NULL;",
        dialect=dialect,
        base=base,
    )
    assert "unparsed-statement" not in rule_ids(mixed)
    assert "not-null-without-default" in rule_ids(mixed)  # the clause beside the conversion is read too
    online = review_sql(
        f"ALTER TABLE {table} ENGINE=InnoDB, ROW_FORMAT=DYNAMIC, ALGORITHM=INPLACE, LOCK=NONE;",
        dialect=dialect,
        base=base,
    )
    assert not rule_ids(online) & {RULE, "unparsed-statement"}


@pytest.mark.parametrize(
    ("tables", "written"),
    [(("o",), "OPTIMIZE TABLE o;"), (("posts", "users"), "OPTIMIZE NO_WRITE_TO_BINLOG TABLE posts, users;")],
)
def test_optimize_table_rebuilds_each_table(tables: tuple[str, ...], written: str) -> None:
    """MySQL's OPTIMIZE TABLE is read, not left unparsed: InnoDB rebuilds every table it names."""
    result = review_sql(written, dialect="mysql")
    found = [f for f in result.active if f.rule == RULE]
    assert [f"`{t}`" in f.message for f, t in zip(found, tables, strict=True)] == [True] * len(tables)
    assert all("`OPTIMIZE TABLE` (InnoDB rebuilds it)" in f.message for f in found)
    assert "unparsed-statement" not in rule_ids(result)


@pytest.mark.parametrize("written", ["ANALYZE TABLE o;", "ANALYZE LOCAL TABLE o;"])
def test_analyze_table_names_the_table(written: str) -> None:
    from bot.sql.statements import split
    from bot.sql.translate import operations

    [statement] = split(written, "mysql")
    [op] = operations(statement, "x.sql", "mysql")
    assert getattr(op, "table", None) == "o"


@pytest.mark.parametrize(("table", "column"), [("tuple", "object_id"), ("changelog", "object_key")])
def test_index_statements_with_online_options_are_read_and_a_shared_lock_blocks_writes_once(
    table: str, column: str
) -> None:
    """openfga's 007_collate_object_id: `CREATE INDEX … LOCK = NONE` and `DROP INDEX … ON t LOCK = NONE` were
    two statements the review could not read, and the MODIFY under `LOCK = SHARED` three identical criticals
    saying reads wait too."""
    schema = (
        f"CREATE TABLE {table} (store varchar(26) NOT NULL, {column} varchar(255) NOT NULL);\n"
        f"CREATE INDEX idx_old ON {table} (store);\n-- migration\n"
    )
    sql = (
        f"ALTER TABLE {table} MODIFY COLUMN {column} VARCHAR(255) COLLATE utf8mb4_bin,\nLOCK = SHARED;\n\n"
        f"CREATE INDEX idx_lookup ON {table} (store, {column}) LOCK = NONE;\n\n"
        f"DROP INDEX idx_old ON {table} ALGORITHM=INPLACE LOCK = NONE;\n"
    )
    result = review_sql(schema + sql, dialect="mysql")
    assert "unparsed-statement" not in rule_ids(result)
    [copy] = [f for f in result.active if f.rule == "mysql-table-copy"]
    assert copy.line == 1 and "reads go on" in copy.blast_radius
    exclusive = review_sql(schema + sql.replace("LOCK = SHARED", "LOCK = EXCLUSIVE"), dialect="mysql")
    [copy] = [f for f in exclusive.active if f.rule == "mysql-table-copy"]
    assert copy.blast_radius.startswith("Reads and writes on")
