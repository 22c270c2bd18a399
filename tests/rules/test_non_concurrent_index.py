import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.config import Config
from bot.model.findings import Severity
from bot.review import review
from tests.conftest import review_sql, rule_ids

SQL = "CREATE INDEX orders_user_idx ON orders (user_id);"


def test_existing_table_of_unknown_size_is_critical_at_the_statement_line() -> None:
    result = review_sql("-- a comment\n\n" + SQL)
    finding = next(f for f in result.active if f.rule == "non-concurrent-index")
    assert finding.severity is Severity.CRITICAL and finding.line == 3
    assert finding.blast_radius and finding.fix and "orders" in finding.message
    assert result.approval == "BLOCKED"


def test_table_created_in_the_same_pull_request_is_quiet() -> None:
    sql = "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" + SQL
    assert "non-concurrent-index" not in rule_ids(review_sql(sql))


def test_small_table_from_the_configuration_is_only_a_warning() -> None:
    result = review_sql(SQL, config=Config(small_tables=("orders",)))
    finding = next(f for f in result.active if f.rule == "non-concurrent-index")
    assert finding.severity is Severity.WARNING


def test_mysql_builds_indexes_online() -> None:
    assert "non-concurrent-index" not in rule_ids(review_sql(SQL, dialect="mysql"))


def test_an_index_the_migration_leaves_unnamed_is_named_by_its_table_and_columns() -> None:
    text = (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        "def upgrade():\n    op.create_index(None, 'registrations', ['created_by_id'], schema='event_registration')\n\n\n"
        "def downgrade():\n    pass\n"
    )
    base = {
        "db/structure.sql": "CREATE SCHEMA event_registration;\nCREATE TABLE event_registration.registrations (id bigint PRIMARY KEY, created_by_id bigint);\n"
    }
    (finding,) = [
        f
        for f in review_sql(text, path="alembic/versions/b2_index.py", base=base).active
        if f.rule == "non-concurrent-index"
    ]
    assert "`CREATE INDEX … ON event_registration.registrations (created_by_id)`" in finding.message


PARTITIONED = [("events", "account_id", "events_2024"), ("readings", "sensor_id", "readings_q1")]


def _partitioned_schema(table: str, column: str, partition: str) -> str:
    return (
        f"CREATE TABLE {table} (id bigint NOT NULL, {column} bigint NOT NULL, at timestamptz NOT NULL) "
        "PARTITION BY RANGE (at);\n"
        f"CREATE TABLE {partition} PARTITION OF {table} FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n"
        "-- migration\n"
    )


@pytest.mark.parametrize(("table", "column", "partition"), PARTITIONED)
def test_an_index_on_only_the_partitioned_parent_builds_nothing(
    table: str, column: str, partition: str
) -> None:
    """`ON ONLY parent` makes an invalid index of the parent alone, which holds no rows (checked on
    PostgreSQL 15: instant, `indisvalid` false until each partition's index is attached)."""
    sql = _partitioned_schema(table, column, partition) + (
        f"CREATE INDEX {table}_{column}_idx ON ONLY {table} ({column});\n"
        f"CREATE INDEX CONCURRENTLY {partition}_{column}_idx ON {partition} ({column});\n"
        f"ALTER INDEX {table}_{column}_idx ATTACH PARTITION {partition}_{column}_idx;\n"
    )
    assert "non-concurrent-index" not in {f.rule for f in review_sql(sql, dialect="postgres").findings}


@pytest.mark.parametrize(("table", "column", "partition"), PARTITIONED)
def test_an_index_on_the_partitioned_parent_is_built_on_every_partition(
    table: str, column: str, partition: str
) -> None:
    """Without ONLY the index is built on every partition under the lock, and the CONCURRENTLY the rule
    usually offers is refused on a partitioned table (`cannot create index on partitioned table … concurrently`
    on PostgreSQL 15): the way round is ON ONLY, each partition concurrently, then ATTACH."""
    sql = (
        _partitioned_schema(table, column, partition)
        + f"CREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    )
    [finding] = [f for f in review_sql(sql, dialect="postgres").findings if f.rule == "non-concurrent-index"]
    assert finding.severity is Severity.CRITICAL
    assert f"partitioned table `{table}`" in finding.message
    assert finding.suggestion is None
    assert f"ON ONLY {table}" in finding.fix and "ATTACH PARTITION" in finding.fix


@pytest.mark.parametrize(
    ("table", "column"), [("oauth2_access_token_session", "request_id"), ("carts", "owner_id")]
)
def test_an_index_on_a_table_the_migration_dropped_and_created_again_is_on_an_empty_table(
    table: str, column: str
) -> None:
    """authelia's 3aaca0604: the migration that created the session tables is edited (renamed), and a new one
    drops them, creates them again and indexes them. The index is built on the new, empty table; it was a
    critical "on existing table"."""
    first = "db/migrations/V0004__create.sql"
    created = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} varchar(40) NOT NULL);\n"
    again = f"DROP TABLE {table};\n{created}CREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    kept = f"CREATE INDEX {table}_{column}_idx ON {table} ({column});\n"
    for second, expected in ((again, False), (kept, True)):
        files = (
            ChangedFile(first, "modified", created, "-- the tables\n" + created),
            ChangedFile("db/migrations/V0006__again.sql", "added", None, second),
        )
        result = review(
            ChangeSet(
                base="base",
                head="head",
                files=files,
                head_tree=MemoryTree(
                    {first: "-- the tables\n" + created, "db/migrations/V0006__again.sql": second}
                ),
                base_tree=MemoryTree({first: created}),
            )
        )
        found = [f for f in result.active if f.rule == "non-concurrent-index" and "V0006" in f.path]
        assert bool(found) is expected, second


@pytest.mark.parametrize(
    ("table", "column"), [("identity_credential_identifiers", "identity_id"), ("sessions", "nid")]
)
def test_under_pop_the_fix_names_the_autocommit_file(table: str, column: str) -> None:
    """ory kratos' a085d872f: pop runs each file in a transaction unless its name holds `.autocommit.`, so the
    way to build the index concurrently is such a file; golang-migrate's projects keep the general fix."""
    schema = f"CREATE TABLE {table} (id uuid PRIMARY KEY, {column} uuid);\n-- migration\n"
    sql = f"CREATE INDEX IF NOT EXISTS {table}_{column}_idx ON {table} ({column});\n"
    path = f"persistence/sql/migrations/20251105000000000004_{table}_idx.postgres.up.sql"
    for requires, pop in (
        ("github.com/ory/pop/v6 v6.4.2", True),
        ("github.com/golang-migrate/migrate/v4 v4.17.0", False),
    ):
        go_mod = {"go.mod": f"module example.com/app\n\ngo 1.22\n\nrequire (\n\t{requires}\n)\n"}
        [found] = [
            f
            for f in review_sql(schema + sql, path=path, base=go_mod).active
            if f.rule == "non-concurrent-index"
        ]
        assert (".autocommit.up.sql" in found.fix) is pop
