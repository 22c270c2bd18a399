"""Doctrine Migrations: `Version<timestamp>.php` classes read through the review, each statement at its PHP line
in its database's dialect, with a bad and a safe twin for each hazard on two sets of names."""

from __future__ import annotations

import pytest

from bot.frameworks import doctrine
from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review

HEAD = (
    "<?php\n\ndeclare(strict_types=1);\n\nnamespace DoctrineMigrations;\n\n"
    "use Doctrine\\DBAL\\Platforms\\MySQLPlatform;\nuse Doctrine\\DBAL\\Platforms\\PostgreSQLPlatform;\n"
    "use Doctrine\\DBAL\\Schema\\Schema;\nuse Doctrine\\Migrations\\AbstractMigration;\n\n"
    "final class {name} extends AbstractMigration\n{{\n{extra}"
    "    public function up(Schema $schema): void\n    {{\n{up}    }}\n"
)  # the body of up() starts on line 16 (without `extra`)
UP_LINE = 16
DOWN = "\n    public function down(Schema $schema): void\n    {{\n{down}    }}\n"
PG_GUARD = (
    "$this->abortIf(!$this->connection->getDatabasePlatform() instanceof PostgreSQLPlatform, "
    "\"Migration can only be executed safely on 'postgresql'.\");"
)
MYSQL_GUARD = (
    "$this->abortIf($this->connection->getDatabasePlatform()->getName() !== 'mysql', "
    "'Migration can only be executed safely on \\'mysql\\'.');"
)


def migration(name: str, up: list[str], down: list[str] | None = None, extra: str = "") -> str:
    def lines(body: list[str]) -> str:
        return "".join(f"        {line}\n" for line in body)

    text = HEAD.format(name=name, up=lines(up), extra=extra)
    if down is not None:
        text += DOWN.format(down=lines(down))
    return text + "}\n"


def create(table: str, columns: str) -> str:
    return migration(
        "Version20240101000000",
        [f"$this->addSql('CREATE TABLE {table} (id SERIAL NOT NULL, {columns}, PRIMARY KEY(id))');"],
        [f"$this->addSql('DROP TABLE {table}');"],
    )


PATH = "migrations/Version20240601120000.php"


def run(text: str, base: dict[str, str], path: str = PATH) -> Review:
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, text),),
        MemoryTree({**base, path: text}),
        MemoryTree(base),
    )
    return review(changeset)


def rules(result: Review) -> set[str]:
    return {f.rule for f in result.active}


NAMES = [("orders", "status", "note"), ("invoices", "state", "memo")]
PG_ENV = {".env": 'DATABASE_URL="postgresql://app:secret@127.0.0.1:5432/app?serverVersion=15&charset=utf8"\n'}
MYSQL_ENV = {".env": 'DATABASE_URL="mysql://app:secret@127.0.0.1:3306/app?serverVersion=8.0.32"\n'}


def base(table: str, column: str, env: dict[str, str] = PG_ENV) -> dict[str, str]:
    return {"migrations/Version20240101000000.php": create(table, f"{column} VARCHAR(20) NOT NULL"), **env}


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_add_sql_is_read_at_its_line_in_the_projects_dialect(table: str, column: str, other: str) -> None:
    text = migration(
        "Version20240601120000",
        [f"$this->addSql('CREATE INDEX idx_{column} ON {table} ({column})');"],
        [f"$this->addSql('DROP INDEX idx_{column}');"],
    )
    result = run(text, base(table, column))
    [found] = [f for f in result.active if f.rule == "non-concurrent-index"]
    assert (found.path, found.line) == (PATH, UP_LINE)
    assert [(m.framework, m.dialect) for m in result.migrations] == [("doctrine", "postgres")]


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_index_without_concurrently_on_an_existing_postgres_table(
    table: str, column: str, other: str
) -> None:
    bad = migration(
        "Version20240601120000",
        [PG_GUARD, "", f"$this->addSql('CREATE INDEX idx_{column} ON {table} ({column})');"],
        [f"$this->addSql('DROP INDEX idx_{column}');"],
    )
    assert "non-concurrent-index" in rules(run(bad, base(table, column, MYSQL_ENV)))
    safe = migration(
        "Version20240601120000",
        [f"$this->addSql('CREATE INDEX CONCURRENTLY idx_{column} ON {table} ({column})');"],
        [f"$this->addSql('DROP INDEX CONCURRENTLY idx_{column}');"],
        extra="    public function isTransactional(): bool\n    {\n        return false;\n    }\n\n",
    )
    result = run(safe, base(table, column))
    assert not {"non-concurrent-index", "concurrent-in-transaction"} & rules(result)
    assert not result.migrations[0].in_transaction


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_concurrently_inside_doctrines_transaction(table: str, column: str, other: str) -> None:
    """Doctrine wraps each migration in a transaction unless `isTransactional()` returns false."""
    text = migration(
        "Version20240601120000",
        [f"$this->addSql('CREATE INDEX CONCURRENTLY idx_{column} ON {table} ({column})');"],
        [f"$this->addSql('DROP INDEX CONCURRENTLY idx_{column}');"],
    )
    assert "concurrent-in-transaction" in rules(run(text, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_not_null_column_without_default_through_the_schema_api(table: str, column: str, other: str) -> None:
    """DBAL's columns are NOT NULL unless the options say `'notnull' => false`."""
    bad = migration(
        "Version20240601120000",
        [f"$schema->getTable('{table}')->addColumn('{other}', 'string', ['length' => 40]);"],
        [f"$schema->getTable('{table}')->dropColumn('{other}');"],
    )
    [found] = [f for f in run(bad, base(table, column)).active if f.rule == "not-null-without-default"]
    assert found.line == UP_LINE
    for safe_options in ("['notnull' => false]", "['default' => 'none']"):
        safe = migration(
            "Version20240601120000",
            [f"$schema->getTable('{table}')->addColumn('{other}', 'string', {safe_options});"],
            [f"$schema->getTable('{table}')->dropColumn('{other}');"],
        )
        assert "not-null-without-default" not in rules(run(safe, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_not_null_column_without_default_in_add_sql(table: str, column: str, other: str) -> None:
    bad = migration(
        "Version20240601120000",
        [f"$this->addSql('ALTER TABLE {table} ADD {other} VARCHAR(40) NOT NULL');"],
        [f"$this->addSql('ALTER TABLE {table} DROP {other}');"],
    )
    assert "not-null-without-default" in rules(run(bad, base(table, column)))
    safe = migration(
        "Version20240601120000",
        [f"$this->addSql('ALTER TABLE {table} ADD {other} VARCHAR(40) DEFAULT NULL');"],
        [f"$this->addSql('ALTER TABLE {table} DROP {other}');"],
    )
    assert "not-null-without-default" not in rules(run(safe, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_mysql_branch_is_not_read_as_postgres(table: str, column: str, other: str) -> None:
    branches = [
        "if ($this->connection->getDatabasePlatform() instanceof MySQLPlatform) {",
        f"    $this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(40) NOT NULL');",
        "} else {",
        f"    $this->addSql('ALTER TABLE {table} ALTER {column} TYPE VARCHAR(40)');",
        "}",
    ]
    down = [f"$this->addSql('ALTER TABLE {table} ALTER {column} TYPE VARCHAR(20)');"]
    text = migration("Version20240601120000", branches, down)
    assert not {"unparsed-statement", "unreadable-migration"} & rules(run(text, base(table, column)))
    [op] = doctrine.parse(PATH, text, MemoryTree(), "postgres").up
    assert (type(op).__name__, op.location.line) == ("AlterColumnType", UP_LINE + 3)
    # the twin: the same MySQL statement outside any branch is read as PostgreSQL, which cannot parse it
    plain = migration("Version20240601120000", [branches[1].strip()], down)
    assert {"unparsed-statement", "unreadable-migration"} & rules(run(plain, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_migration_guarded_for_mysql_is_read_as_mysql(table: str, column: str, other: str) -> None:
    """`make:migration`'s `abortIf` on the platform says the migration's database, whatever the project's."""
    text = migration(
        "Version20240601120000",
        [
            MYSQL_GUARD,
            f"$this->addSql('ALTER TABLE {table} ADD {other} VARCHAR(40) DEFAULT NULL, ALGORITHM=INSTANT');",
        ],
        [MYSQL_GUARD, f"$this->addSql('ALTER TABLE {table} DROP {other}');"],
    )
    result = run(text, base(table, column))
    assert result.migrations[0].dialect == "mysql"
    assert not {"unparsed-statement", "unreadable-migration"} & rules(result)
    unguarded = text.replace(MYSQL_GUARD, "")
    assert "unparsed-statement" in rules(run(unguarded, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
@pytest.mark.parametrize(
    "down",
    [["$this->throwIrreversibleMigrationException();"], None, ["$this->abortIf(true, 'No way back.');"]],
)
def test_a_migration_without_a_way_back(table: str, column: str, other: str, down: list[str] | None) -> None:
    up = [f"$this->addSql('ALTER TABLE {table} DROP {column}');"]
    result = run(migration("Version20240601120000", up, down), base(table, column))
    assert "missing-down-migration" in rules(result)
    reverse = [f"$this->addSql('ALTER TABLE {table} ADD {column} VARCHAR(20) DEFAULT NULL');"]
    assert "missing-down-migration" not in rules(
        run(migration("Version20240601120000", up, reverse), base(table, column))
    )


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_sql_built_at_run_time_is_a_finding(table: str, column: str, other: str) -> None:
    unknown = migration(
        "Version20240601120000",
        [f"$this->addSql(sprintf('ALTER TABLE %s ADD {other} TEXT', $this->tableName()));"],
        [f"$this->addSql('ALTER TABLE {table} DROP {other}');"],
    )
    assert "unparsed-statement" in rules(run(unknown, base(table, column)))
    # a local and a loop over constant names are read once per value, at the loop's line
    known = migration(
        "Version20240601120000",
        [
            f"$sql = 'ALTER TABLE {table} ADD {other} VARCHAR(40) NOT NULL';",
            "$this->addSql($sql);",
            f"foreach (['{column}'] as $name) {{",
            f"    $this->addSql('CREATE INDEX idx_' . $name . ' ON {table} (' . $name . ')');",
            "}",
        ],
        [f"$this->addSql('ALTER TABLE {table} DROP {other}');"],
    )
    result = run(known, base(table, column))
    found = {(f.rule, f.line) for f in result.active}
    assert {("not-null-without-default", UP_LINE + 1), ("non-concurrent-index", UP_LINE + 3)} <= found
    assert "unparsed-statement" not in rules(result)


BASES = [("AppMigration", "orders", "status"), ("ShopBaseMigration", "invoices", "state")]


def project_base(name: str, body: str) -> str:
    return (
        "<?php\n\nnamespace App\\Doctrine;\n\nuse Doctrine\\Migrations\\AbstractMigration;\n\n"
        f"abstract class {name} extends AbstractMigration\n{{\n{body}}}\n"
    )


def child(base_class: str, up: list[str], down: list[str]) -> str:
    text = migration("Version20240601120000", up, down)
    return text.replace("extends AbstractMigration", f"extends {base_class}").replace(
        "use Doctrine\\Migrations\\AbstractMigration;", f"use App\\Doctrine\\{base_class};"
    )


@pytest.mark.parametrize(("base_class", "table", "column"), BASES)
def test_the_projects_base_class_says_whether_migrations_run_in_a_transaction(
    base_class: str, table: str, column: str
) -> None:
    text = child(
        base_class,
        [f"$this->addSql('CREATE INDEX CONCURRENTLY idx_{column} ON {table} ({column})');"],
        [f"$this->addSql('DROP INDEX CONCURRENTLY idx_{column}');"],
    )
    outside = project_base(
        base_class, "    public function isTransactional(): bool\n    {\n        return false;\n    }\n"
    )
    found = base(table, column) | {f"src/Doctrine/{base_class}.php": outside}
    assert "concurrent-in-transaction" not in rules(run(text, found))
    inside = project_base(
        base_class, "    protected function note(): string\n    {\n        return 'x';\n    }\n"
    )
    assert "concurrent-in-transaction" in rules(
        run(text, base(table, column) | {f"src/Doctrine/{base_class}.php": inside})
    )


@pytest.mark.parametrize(("base_class", "table", "column"), BASES)
def test_a_table_prefix_helper_reads_as_the_table(base_class: str, table: str, column: str) -> None:
    """`$this->getTable('orders')` of the project's base class puts its configured prefix before the name: the
    statement is read on the table as the entities and the earlier migrations name it."""
    text = child(
        base_class,
        [f"$this->addSql('CREATE INDEX idx_{column} ON ' . $this->getTable('{table}') . ' ({column})');"],
        [f"$this->addSql('DROP INDEX idx_{column}');"],
    )
    helper = (
        "    protected function getTable(string $name): string\n    {\n"
        "        return $this->container->getParameter('database_table_prefix') . $name;\n    }\n"
    )
    result = run(
        text, base(table, column) | {f"src/Doctrine/{base_class}.php": project_base(base_class, helper)}
    )
    assert "non-concurrent-index" in rules(result)
    assert "unparsed-statement" not in rules(result)
    other = helper.replace("getParameter('database_table_prefix') . $name", "getParameter($name)")
    result = run(
        text, base(table, column) | {f"src/Doctrine/{base_class}.php": project_base(base_class, other)}
    )
    assert "unparsed-statement" in rules(result)


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_value_joined_into_a_string_literal_of_the_sql(table: str, column: str, other: str) -> None:
    """A value the code joins into a quoted literal (`"… = '" . $row['x'] . "'"`) is a value, the statement is
    read; joined where a name or a clause stands, the statement is one the review could not read."""
    value = migration(
        "Version20240601120000",
        [
            f"foreach ($this->connection->fetchAllAssociative('SELECT {column} FROM {table}') as $row) {{",
            f"    $this->addSql(\"DELETE FROM {table} WHERE {column} = '\" . $row['{column}'] . \"'\");",
            "}",
        ],
        [],
    )
    assert "unparsed-statement" not in rules(run(value, base(table, column)))
    name = value.replace(f"DELETE FROM {table} WHERE", "DELETE FROM \" . $row['t'] . \" WHERE")
    assert "unparsed-statement" in rules(run(name, base(table, column)))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_switch_on_the_platform_reads_the_databases_own_case(table: str, column: str, other: str) -> None:
    cases = [
        "$platform = $this->connection->getDatabasePlatform();",
        "switch (true) {",
        "    case $platform instanceof MySQLPlatform:",
        f"        $this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(40) NOT NULL');",
        "        break;",
        "    case $platform instanceof PostgreSQLPlatform:",
        f"        $this->addSql('ALTER TABLE {table} ALTER {column} TYPE VARCHAR(40)');",
        "        break;",
        "}",
    ]
    down = [f"$this->addSql('ALTER TABLE {table} ALTER {column} TYPE VARCHAR(20)');"]
    text = migration("Version20240601120000", cases, down)
    assert not {"unparsed-statement", "unreadable-migration"} & rules(run(text, base(table, column)))
    [op] = doctrine.parse(PATH, text, MemoryTree(), "postgres").up
    assert op.location.line == UP_LINE + 6
    assert {op.location.line for op in doctrine.parse(PATH, text, MemoryTree(), "mysql").up} == {UP_LINE + 3}


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_the_database_doctrine_bundles_configuration_names(table: str, column: str, other: str) -> None:
    """Without a `DATABASE_URL` in the `.env` files, `doctrine.dbal.driver` says the database."""
    text = migration(
        "Version20240601120000",
        [f"$this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(40) NOT NULL');"],
        [f"$this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(20) NOT NULL');"],
    )
    config = "doctrine:\n    dbal:\n        driver: '{driver}'\n        url: '%env(resolve:DATABASE_URL)%'\n"
    mysql = {"config/packages/doctrine.yaml": config.format(driver="pdo_mysql")}
    result = run(text, base(table, column, mysql))
    assert result.migrations[0].dialect == "mysql"
    assert "unparsed-statement" not in rules(result)
    postgres = {"config/packages/doctrine.yaml": config.format(driver="pdo_pgsql")}
    assert "unparsed-statement" in rules(run(text, base(table, column, postgres)))


PLATFORM_BASES = [
    ("AbstractPostgreSQLMigration", "AbstractMySqlMigration", "isPostgreSQL", "isMySql", "orders", "status"),
    ("PgMigration", "MariaMigration", "isPostgres", "isMariaDb", "invoices", "state"),
]


def guarded_base(name: str, check: str, platform: str) -> str:
    return project_base(
        name,
        "    public function preUp(Schema $schema): void\n    {\n"
        f"        if (!$this->{check}()) {{\n"
        f"            $this->skipIf(true, 'This migration can only be executed on {platform}.');\n"
        "        }\n    }\n\n"
        f"    protected function {check}(): bool\n    {{\n"
        f"        return $this->connection->getDatabasePlatform() instanceof {platform}Platform;\n    }}\n",
    ).replace("use Doctrine\\Migrations", "use Doctrine\\DBAL\\Schema\\Schema;\nuse Doctrine\\Migrations")


@pytest.mark.parametrize(
    ("pg_base", "mysql_base", "pg_check", "mysql_check", "table", "column"), PLATFORM_BASES
)
def test_a_base_class_that_skips_other_databases_says_the_migrations_database(
    pg_base: str, mysql_base: str, pg_check: str, mysql_check: str, table: str, column: str
) -> None:
    """A project shipping migrations for several databases in one folder (Sylius) puts the guard in the base class
    of each database's migrations: a migration extending the PostgreSQL one is read as PostgreSQL, in a project
    whose `DATABASE_URL` is MySQL's."""
    files = base(table, column, MYSQL_ENV) | {
        f"src/Doctrine/{pg_base}.php": guarded_base(pg_base, pg_check, "PostgreSQL"),
        f"src/Doctrine/{mysql_base}.php": guarded_base(mysql_base, mysql_check, "MySQL"),
    }
    up = [
        f"$this->addSql('ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(40) USING {column}::VARCHAR(40)');"
    ]
    down = [f"$this->addSql('ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(20)');"]
    result = run(child(pg_base, up, down), files)
    assert result.migrations[0].dialect == "postgres"
    assert "unparsed-statement" not in rules(result)
    assert run(child(mysql_base, up, down), files).migrations[0].dialect == "mysql"


@pytest.mark.parametrize(
    ("prefix", "table", "column"), [("bolt", "bolt_user", "about"), ("app", "app_orders", "memo")]
)
def test_a_table_prefix_the_constructor_assigns(prefix: str, table: str, column: str) -> None:
    """`$this->tablePrefix = 'bolt';` in the constructor: `$schema->getTable($this->tablePrefix . '_user')` is
    `bolt_user`; a prefix read at run time leaves the table unknown."""
    suffix = table.removeprefix(prefix)
    constructor = (
        "    private $tablePrefix;\n\n    public function __construct(Connection $connection, LoggerInterface $logger)\n"
        "    {\n        parent::__construct($connection, $logger);\n\n"
        f"        $this->tablePrefix = '{prefix}';\n    }}\n\n"
    )
    up = [
        f"$schema->getTable($this->tablePrefix . '{suffix}')->addColumn('{column}', 'string', ['length' => 40]);"
    ]
    down = [f"$schema->getTable($this->tablePrefix . '{suffix}')->dropColumn('{column}');"]
    text = migration("Version20240601120000", up, down, extra=constructor)
    result = run(text, base(table, "title"))
    assert "not-null-without-default" in rules(result)
    assert "unparsed-statement" not in rules(result)
    unknown = text.replace(
        f"$this->tablePrefix = '{prefix}';", "$this->tablePrefix = $connection->getParams()['prefix'];"
    )
    assert "unparsed-statement" in rules(run(unknown, base(table, "title")))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_sql_a_local_builds_piece_by_piece(table: str, column: str, other: str) -> None:
    """`$sql .= '…'` joins the text the local holds; a part the review cannot know leaves the statement unread,
    never read as the part before it."""
    known = migration(
        "Version20240601120000",
        [
            f"$sql = 'CREATE INDEX idx_{column} ';",
            f"$sql .= 'ON {table} ({column})';",
            "$this->addSql($sql);",
        ],
        [f"$this->addSql('DROP INDEX idx_{column}');"],
    )
    result = run(known, base(table, column))
    assert ("non-concurrent-index", UP_LINE + 2) in {(f.rule, f.line) for f in result.active}
    unknown = known.replace(f"$sql .= 'ON {table} ({column})';", "$sql .= $this->target();")
    assert "unparsed-statement" in rules(run(unknown, base(table, column)))


SQLITE_ENV = {".env": 'DATABASE_URL="sqlite:///%kernel.project_dir%/var/data.db"\n'}
REBUILDS = [("authors", "books", "name"), ("customers", "orders", "email")]


@pytest.mark.parametrize(("parent", "child", "column"), REBUILDS)
def test_a_sqlite_table_rebuild_as_doctrine_writes_it(parent: str, child: str, column: str) -> None:
    """Doctrine alters a SQLite table by rebuilding it, each foreign key `NOT DEFERRABLE INITIALLY IMMEDIATE`: the
    new table is read (no table dropped), and the rebuild deletes the children's rows only where the project
    turns SQLite's foreign keys on (DBAL leaves them off)."""
    schema = migration(
        "Version20240101000000",
        [
            f"$this->addSql('CREATE TABLE {parent} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {column} VARCHAR(20) NOT NULL)');",
            f"$this->addSql('CREATE TABLE {child} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, parent_id INTEGER NOT NULL, "
            f"CONSTRAINT fk_parent FOREIGN KEY (parent_id) REFERENCES {parent} (id) ON DELETE CASCADE NOT DEFERRABLE INITIALLY IMMEDIATE)');",
        ],
        [],
    )
    rebuild = migration(
        "Version20240601120000",
        [
            f"$this->addSql('CREATE TEMPORARY TABLE __temp__{parent} AS SELECT id, {column} FROM {parent}');",
            f"$this->addSql('DROP TABLE {parent}');",
            f"$this->addSql('CREATE TABLE {parent} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {column} VARCHAR(40) NOT NULL)');",
            f"$this->addSql('INSERT INTO {parent} (id, {column}) SELECT id, {column} FROM __temp__{parent}');",
            f"$this->addSql('DROP TABLE __temp__{parent}');",
        ],
        [],
    )
    files = {"migrations/Version20240101000000.php": schema, **SQLITE_ENV}
    result = run(rebuild, files)
    assert not {"table-dropped", "unparsed-statement", "rebuild-deletes-children"} & rules(result)
    middleware = (
        "<?php\n\nnamespace App\\Doctrine;\n\nfinal class ForeignKeys\n{\n    public function connect($connection): void\n"
        "    {\n        $connection->exec('PRAGMA foreign_keys = ON');\n    }\n}\n"
    )
    result = run(rebuild, files | {"src/Doctrine/ForeignKeys.php": middleware})
    assert "rebuild-deletes-children" in rules(result)


@pytest.mark.parametrize(("base_class", "table", "column"), BASES)
def test_a_base_class_that_dispatches_on_the_database_type(base_class: str, table: str, column: str) -> None:
    """Part-DB's base class runs `match ($this->getDatabaseType()) { 'mysql' => $this->mySQLUp($schema), … }`:
    each migration is the method of the review's database."""
    dispatch = (
        "    public function up(Schema $schema): void\n    {\n        $type = $this->getDatabaseType();\n\n"
        "        match ($type) {\n            'mysql' => $this->mySQLUp($schema),\n"
        "            'postgresql' => $this->postgreSQLUp($schema),\n"
        "            default => $this->abortIf(true, 'Database type is not supported!'),\n        };\n    }\n\n"
        "    public function down(Schema $schema): void\n    {\n        match ($this->getDatabaseType()) {\n"
        "            'mysql' => $this->mySQLDown($schema),\n            'postgresql' => $this->postgreSQLDown($schema),\n"
        "            default => $this->abortIf(true, 'Database type is not supported!'),\n        };\n    }\n\n"
        "    public function getDatabaseType(): ?string\n    {\n"
        "        if ($this->connection->getDatabasePlatform() instanceof PostgreSQLPlatform) {\n"
        "            return 'postgresql';\n        }\n\n        return 'mysql';\n    }\n"
    )
    child_text = (
        "<?php\n\nnamespace DoctrineMigrations;\n\n"
        f"use App\\Doctrine\\{base_class};\nuse Doctrine\\DBAL\\Schema\\Schema;\n\n"
        f"final class Version20240601120000 extends {base_class}\n{{\n"
        "    public function mySQLUp(Schema $schema): void\n    {\n"
        f"        $this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(40) NOT NULL');\n    }}\n\n"
        "    public function mySQLDown(Schema $schema): void\n    {\n"
        f"        $this->addSql('ALTER TABLE {table} MODIFY {column} VARCHAR(20) NOT NULL');\n    }}\n\n"
        "    public function postgreSQLUp(Schema $schema): void\n    {\n"
        f"        $this->addSql('CREATE INDEX idx_{column} ON {table} ({column})');\n    }}\n\n"
        "    public function postgreSQLDown(Schema $schema): void\n    {\n"
        f"        $this->addSql('DROP INDEX idx_{column}');\n    }}\n}}\n"
    )
    files = base(table, column) | {f"src/Doctrine/{base_class}.php": project_base(base_class, dispatch)}
    result = run(child_text, files)
    assert "non-concurrent-index" in rules(result)
    assert not {"unparsed-statement", "unreadable-migration", "missing-down-migration"} & rules(result)
    [op] = doctrine.parse(PATH, child_text, MemoryTree(files), "postgres").up
    assert op.location.line == 22
    mysql = doctrine.parse(PATH, child_text, MemoryTree(files), "mysql").up
    assert {op.location.line for op in mysql} == {12}


@pytest.mark.parametrize(("parent", "child", "column"), REBUILDS)
def test_a_down_that_rebuilds_a_sqlite_table_keeps_its_rows(parent: str, child: str, column: str) -> None:
    """Doctrine's down for SQLite rebuilds the table too (a temporary copy made `AS SELECT … FROM` it, the drop,
    the table again, the rows copied back): no data is lost; a down that drops the table without the copy loses
    it."""
    schema = migration(
        "Version20240101000000",
        [
            f"$this->addSql('CREATE TABLE {parent} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {column} VARCHAR(20) NOT NULL)');"
        ],
        [],
    )
    rebuild = [
        f"$this->addSql('CREATE TEMPORARY TABLE __temp__{parent} AS SELECT id, {column} FROM {parent}');",
        f"$this->addSql('DROP TABLE {parent}');",
        f"$this->addSql('CREATE TABLE {parent} (id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {column} VARCHAR(20) NOT NULL)');",
        f"$this->addSql('INSERT INTO {parent} (id, {column}) SELECT id, {column} FROM __temp__{parent}');",
        f"$this->addSql('DROP TABLE __temp__{parent}');",
    ]
    up = [f"$this->addSql('ALTER TABLE {parent} ADD COLUMN note VARCHAR(40) DEFAULT NULL');"]
    files = {"migrations/Version20240101000000.php": schema, **SQLITE_ENV}
    assert "down-drops-data" not in rules(run(migration("Version20240601120000", up, rebuild), files))
    lost = [line for line in rebuild if "__temp__" not in line]
    assert "down-drops-data" in rules(run(migration("Version20240601120000", up, lost), files))


@pytest.mark.parametrize(("table", "column", "other"), NAMES)
def test_a_column_attribute_changed_through_the_schema_api_on_mysql(
    table: str, column: str, other: str
) -> None:
    """`getColumn('c')->setLength(10)`: DBAL restates the column with everything else it keeps, so only the length
    changes (a narrower type: values may not fit), not its NULLs nor its default; `setNotnull(true)` sets NOT NULL."""
    files = {
        "migrations/Version20240101000000.php": create(table, f"{column} VARCHAR(20) DEFAULT NULL"),
        **MYSQL_ENV,
    }
    shorter = migration(
        "Version20240601120000",
        [f"$schema->getTable('{table}')->getColumn('{column}')->setLength(10);"],
        [f"$schema->getTable('{table}')->getColumn('{column}')->setLength(20);"],
    )
    found = rules(run(shorter, files))
    assert "lossy-type-change" in found
    assert not {"set-not-null", "modify-resets-column", "not-null-dropped"} & found
    required = shorter.replace("->setLength(10)", "->setNotnull(true)").replace(
        "->setLength(20)", "->setNotnull(false)"
    )
    assert "set-not-null" in rules(run(required, files))
