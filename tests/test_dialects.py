"""Each migration is reviewed in its repository's own dialect, with one schema per dialect, and the runner's
own timeouts are taken into account; the review says where it read each of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.model.migration import Migration
from bot.render.formats import render_comment, to_json
from bot.render.terminal import render_text
from bot.review import prepare, review
from tests.test_cli import commit, run

PRISMA_SCHEMA = (
    'generator client {\n  provider = "prisma-client-js"\n}\n\n'
    'datasource db {\n  provider = "postgresql"\n  url      = env("DATABASE_URL")\n}\n'
)
PRISMA_DROP = (
    "/*\n  Warnings:\n\n  - You are about to drop the column `legacy` on the `users` table. All the data in the "
    'column will be lost.\n\n*/\n-- AlterTable\nALTER TABLE "users" DROP COLUMN "legacy";\n'
)


def _review(base: dict[str, str], added: dict[str, str]) -> Review:
    head = {**base, **added}
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    return review(ChangeSet("base", "head", files, MemoryTree(head), MemoryTree(base)))


def test_a_prisma_monorepo_is_reviewed_in_its_datasource_dialect_whatever_its_comments_say() -> None:
    base = {
        "packages/prisma/schema.prisma": PRISMA_SCHEMA,
        "packages/prisma/migrations/20240101000000_init/migration.sql": (
            'CREATE TABLE "users" ("id" SERIAL PRIMARY KEY, "legacy" TEXT);\n'
        ),
    }
    result = _review(base, {"packages/prisma/migrations/20240201000000_drop/migration.sql": PRISMA_DROP})
    assert [m.dialect for m in result.migrations] == ["postgres"]
    assert not [f for f in result.findings if f.rule.startswith("mysql")]
    assert "Database: PostgreSQL, from `packages/prisma/schema.prisma`" in render_comment(result)
    assert [use.database.source for use in result.databases] == ["packages/prisma/schema.prisma"]


def test_a_rails_project_on_mariadb_is_reviewed_as_mariadb_with_its_version() -> None:
    base = {
        "config/database.yml.sample": "production:\n  adapter: trilogy\n  database: app\n",
        "docker-compose.yml": "services:\n  db:\n    image: mariadb:10.11\n",
        "db/schema.rb": (
            'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "users", charset: "utf8mb4" do |t|\n'
            '    t.string "email"\n  end\nend\n'
        ),
    }
    migration = "class AddNote < ActiveRecord::Migration[7.1]\n  def change\n    add_column :users, :note, :text\n  end\nend\n"
    result = _review(base, {"db/migrate/20240101000000_add_note.rb": migration})
    assert [m.dialect for m in result.migrations] == ["mariadb"]
    explanation = result.databases[0].database.explanation
    assert explanation == (
        "MariaDB 10.11, from `config/database.yml.sample` (adapter: trilogy); version from `docker-compose.yml`"
    )
    assert "database: MariaDB 10.11, from `config/database.yml.sample`" in render_text(result, color=False)


def test_each_dialect_of_a_repository_has_its_own_schema() -> None:
    folder = "persistence/sql/migrations/"
    base = {
        folder + "20200101000000_users.postgres.up.sql": "CREATE TABLE users (id uuid PRIMARY KEY);\n",
        folder + "20200101000000_users.mysql.up.sql": (
            "CREATE TABLE `users` (`id` char(36) PRIMARY KEY) ENGINE=InnoDB;\n"
            "CREATE TABLE `mysql_only` (`id` int);\n"
        ),
        folder + "20200101000000_users.sqlite3.up.sql": "CREATE TABLE users (id TEXT PRIMARY KEY);\n",
    }
    added = {
        folder + "20200201000000_email.postgres.up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
        folder
        + "20200201000000_email.mysql.up.sql": "ALTER TABLE `users` ADD COLUMN `email` varchar(255);\n",
        folder + "20200201000000_email.cockroach.up.sql": "DROP TABLE mysql_only;\n",
    }
    result = _review(base, added)
    dialects = {m.path.rsplit(".", 3)[-3]: m.dialect for m in result.migrations}
    assert dialects == {"postgres": "postgres", "mysql": "mysql"}
    assert any(
        "20200201000000_email.cockroach.up.sql` is a migration for CockroachDB" in n for n in result.notes
    )
    assert not [f for f in result.findings if f.rule == "unparsed-statement"]
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    prepared = prepare(ChangeSet("b", "h", files, MemoryTree({**base, **added}), MemoryTree(base)))
    assert "mysql_only" in prepared.catalogs["mysql"].tables
    assert "mysql_only" not in prepared.catalogs["postgres"].tables
    assert set(prepared.catalogs) == {"mysql", "postgres"}
    comment = render_comment(result)
    assert "Database: MySQL, from `persistence/sql/migrations/20200201000000_email.mysql.up.sql`" in comment
    assert len(result.databases) == 2


def test_a_lock_timeout_the_runner_sets_silences_the_timeout_rules_and_is_named() -> None:
    base = {
        "db/migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "db/migrations/000001_users.down.sql": "DROP TABLE users;\n",
    }
    added = {
        "db/migrations/000002_idx.up.sql": "ALTER TABLE users ADD CONSTRAINT users_id_positive CHECK (id > 0);\n",
        "db/migrations/000002_idx.down.sql": "ALTER TABLE users DROP CONSTRAINT users_id_positive;\n",
    }
    before = _review(base, added)
    assert {"missing-lock-timeout", "missing-statement-timeout"} <= {f.rule for f in before.findings}
    makefile = (
        "migrate:\n\tmigrate -path db/migrations -database "
        '"postgres://app@db/app?sslmode=disable&x-statement-timeout=60000&x-lock-timeout=5000" up\n'
    )
    after = _review({**base, "Makefile": makefile}, added)
    assert not {"missing-lock-timeout", "missing-statement-timeout"} & {f.rule for f in after.findings}
    assert {(s.kind, s.source, s.line) for s in after.runner} == {
        ("lock_timeout", "Makefile", 2),
        ("statement_timeout", "Makefile", 2),
    }
    assert "Runner: a lock timeout is set for every migration, in `Makefile` line 2" in render_comment(after)


def test_strong_migrations_and_role_defaults_count_as_runner_timeouts() -> None:
    initializer = "# StrongMigrations.lock_timeout = 0\nStrongMigrations.lock_timeout = 10.seconds\n"
    dump = "SET lock_timeout = 0;\nALTER ROLE app SET statement_timeout TO '1min';\n"
    result = _review(
        {"config/initializers/strong_migrations.rb": initializer, "db/structure.sql": dump},
        {"db/migrate/1_a.rb": "class A < ActiveRecord::Migration[7.1]\nend\n"},
    )
    where = {s.kind: (s.source, s.line) for s in result.runner}
    assert where == {
        "lock_timeout": ("config/initializers/strong_migrations.rb", 2),
        "statement_timeout": ("db/structure.sql", 2),
    }
    data = json.loads(to_json(result))
    assert data["runner"][0]["source"] == "config/initializers/strong_migrations.rb"
    assert data["databases"][0]["dialect"] == "postgres"


def test_the_command_line_explains_the_database(tmp_path: Path) -> None:
    from tests.conftest import git

    (tmp_path / "db/migrations").mkdir(parents=True)
    (tmp_path / "db/migrations/000001_a.up.sql").write_text("CREATE TABLE a (id int);\n")
    (tmp_path / "compose.yaml").write_text("services:\n  db:\n    image: postgres:16.2\n")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    commit(tmp_path, "db/migrations/000002_b.up.sql", "-- adds `b`\nCREATE TABLE b (id int);\n")
    done = run("review", "--repo", str(tmp_path), "--base", "HEAD~1", "--format", "json")
    report = json.loads(done.stdout)
    assert (
        report["databases"][0]["explanation"]
        == "PostgreSQL 16.2, from `compose.yaml` (image `postgres:16.2`)"
    )
    assert report["migrations"][0]["dialect"] == "postgres"


def test_a_migration_for_a_database_the_review_does_not_read_is_named_not_misread() -> None:
    folder = "src/main/resources/db/migration/"
    added = {
        folder + "H2/V2__idx.sql": "CREATE INDEX t_idx ON t (a);\n",
        folder + "MYSQL/V2__idx.sql": "CREATE INDEX t_idx ON t (a);\n",
    }
    result = _review({folder + "MYSQL/V1__t.sql": "CREATE TABLE t (a int);\n"}, added)
    assert [(m.path, m.dialect) for m in result.migrations] == [(folder + "MYSQL/V2__idx.sql", "mysql")]
    assert result.databases[0].database.explanation == f"MySQL, from `{folder}MYSQL/` (the folder's name)"
    assert any(f"`{folder}H2/V2__idx.sql` is a migration for H2" in note for note in result.notes)


def test_the_version_a_compose_file_runs_decides_what_is_safe() -> None:
    base = {"db/migrations/000001_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n"}
    added = {"db/migrations/000002_c.up.sql": "ALTER TABLE t ADD COLUMN c int;\n"}
    rules: dict[str, set[str]] = {}
    for image in ("mariadb:10.2", "mariadb:10.11", "mysql:8.0.35"):
        compose = f"services:\n  db:\n    image: {image}\n"
        result = _review({**base, "docker-compose.yml": compose}, added)
        rules[image] = {f.rule for f in result.findings}
        assert result.databases[0].database.label == image.replace("mariadb:", "MariaDB ").replace(
            "mysql:", "MySQL "
        )
    assert "mysql-table-copy" in rules["mariadb:10.2"]
    assert "mysql-table-copy" not in rules["mariadb:10.11"] | rules["mysql:8.0.35"]
    assert "volatile-default" not in rules["mysql:8.0.35"]


def test_mariadb_and_mysql_folders_hold_two_schemas_even_though_both_read_as_mysql() -> None:
    base: dict[str, str] = {}
    for folder, extra in (("mysql", "legacy_mysql"), ("mariadb", "legacy_maria")):
        base[f"src/migrations/{folder}/001_init.sql"] = (
            "CREATE TABLE `chat_flow` (`id` varchar(36) PRIMARY KEY, `flowData` text NOT NULL);\n"
            f"CREATE TABLE `{extra}` (`id` int PRIMARY KEY);\n"
        )
    added = {
        f"src/migrations/{folder}/002_longtext.sql": "ALTER TABLE `chat_flow` MODIFY `flowData` LONGTEXT NOT NULL;\n"
        for folder in ("mysql", "mariadb")
    }
    result = _review(base, added)
    assert {m.dialect for m in result.migrations} == {"mysql", "mariadb"}
    rewrites = {f.path.split("/")[2] for f in result.findings if f.rule == "type-change-rewrite"}
    assert rewrites == {"mysql", "mariadb"}, [(f.rule, f.path, f.message) for f in result.findings]
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    prepared = prepare(ChangeSet("b", "h", files, MemoryTree({**base, **added}), MemoryTree(base)))
    assert {"mysql", "mariadb"} <= set(prepared.catalogs)
    assert "legacy_maria" in prepared.catalogs["mariadb"].tables
    assert "legacy_maria" not in prepared.catalogs["mysql"].tables


LARAVEL_INIT = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
    "    public function up(): void\n    {\n"
    "        Schema::create('{table}', function (Blueprint $table) {\n"
    "            $table->increments('id');\n        });\n    }\n};\n"
)
LARAVEL_ADD = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "use Illuminate\\Support\\Facades\\Schema;\n\nreturn new class extends Migration {\n"
    "    public function up(): void\n    {\n"
    "        Schema::table('{table}', function (Blueprint $table) {\n"
    "            $table->integer('{column}')->nullable()->default(null);\n        });\n    }\n};\n"
)


@pytest.mark.parametrize(
    ("image", "rewrites"),
    [
        ("mysql:8", False),
        ("mysql:8.0", False),
        ("mysql:8.4", False),
        ("mysql:8.0.11", True),
        ("mysql:5.7", True),
    ],
)
@pytest.mark.parametrize(("table", "column"), [("books", "default_template_id"), ("pages", "owner_id")])
def test_an_image_tagged_with_a_release_line_runs_the_newest_release_of_it(
    image: str, rewrites: bool, table: str, column: str
) -> None:
    base = {
        "composer.json": '{"require": {"laravel/framework": "^10.0"}}\n',
        "docker-compose.yml": f"services:\n  db:\n    image: {image}\n",
        "database/migrations/2020_01_01_000000_create.php": LARAVEL_INIT.replace("{table}", table),
    }
    added = {
        "database/migrations/2024_01_01_000000_add.php": LARAVEL_ADD.replace("{table}", table).replace(
            "{column}", column
        )
    }
    result = _review(base, added)
    assert [m.dialect for m in result.migrations] == ["mysql"]
    assert ("volatile-default" in {f.rule for f in result.findings}) is rewrites


@pytest.mark.parametrize(
    ("folder", "image", "expected"),
    [
        ("mysql", "mariadb:11.4", "MySQL, from `storage/migrations/mysql/` (the folder's name)"),
        (
            "mariadb",
            "mariadb:11.4",
            "MariaDB 11.4, from `storage/migrations/mariadb/` (the folder's name); version from `compose.yml`",
        ),
        (
            "mysql",
            "mysql:8.4",
            "MySQL 8.4, from `storage/migrations/mysql/` (the folder's name); version from `compose.yml`",
        ),
    ],
)
def test_a_folders_database_takes_the_version_of_the_same_database_only(
    folder: str, image: str, expected: str
) -> None:
    base = {
        "compose.yml": f"services:\n  db:\n    image: {image}\n",
        f"storage/migrations/{folder}/V0001.Initial.up.sql": "CREATE TABLE users (id int PRIMARY KEY);\n",
    }
    added = {
        f"storage/migrations/{folder}/V0002.Email.up.sql": "ALTER TABLE users ADD COLUMN email varchar(255);\n"
    }
    result = _review(base, added)
    assert result.databases[0].database.explanation == expected


KNEX_ADD = (
    "exports.up = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.string('{column}'); }});\n"
    "exports.down = (knex) => knex.schema.alterTable('{table}', (t) => {{ t.dropColumn('{column}'); }});\n"
)
KNEXFILE = "module.exports = {\n  client: env.DB_CLIENT,\n  migrations: { directory: '{folder}' },\n};\n"


@pytest.mark.parametrize(
    ("folder", "table", "column", "env_path", "env_text", "variants", "expected"),
    [
        (
            "server/migrations",
            "links",
            "expire_in",
            ".example.env",
            "DB_CLIENT=better-sqlite3\nDB_FILENAME=db/data\n",
            ("mariadb:10", "postgres:16"),
            ("sqlite", "SQLite, from `.example.env` (DB_CLIENT=better-sqlite3)"),
        ),
        (
            "db/migrations",
            "monitors",
            "retry_interval",
            ".env.example",
            "DB_CONNECTION=pgsql\n",
            ("mysql:8.4", "mariadb:11"),
            ("postgres", "PostgreSQL, from `.env.example` (DB_CONNECTION=pgsql)"),
        ),
    ],
)
def test_compose_files_for_several_databases_are_alternatives_and_the_example_environment_decides(
    folder: str,
    table: str,
    column: str,
    env_path: str,
    env_text: str,
    variants: tuple[str, str],
    expected: tuple[str, str],
) -> None:
    base = {
        "knexfile.js": KNEXFILE.replace("{folder}", folder),
        env_path: env_text,
        f"{folder}/20200101000000_create.js": (
            f"exports.up = (knex) => knex.schema.createTable('{table}', (t) => {{ t.increments('id'); }});\n"
            f"exports.down = (knex) => knex.schema.dropTable('{table}');\n"
        ),
    }
    for image in variants:
        name = image.split(":")[0]
        base[f"docker-compose.{name}.yml"] = f"services:\n  db:\n    image: {image}\n"
    added = {f"{folder}/20240101000000_add.js": KNEX_ADD.format(table=table, column=column)}
    result = _review(base, added)
    assert [m.dialect for m in result.migrations] == [expected[0]]
    assert result.databases[0].database.explanation == expected[1]
    # one compose file named for a database is no alternative: it says what the project runs
    alone = {
        k: v for k, v in base.items() if k != env_path and not k.endswith(f".{variants[1].split(':')[0]}.yml")
    }
    single = _review(alone, added)
    assert [m.dialect for m in single.migrations] == [variants[0].split(":")[0]]


@pytest.mark.parametrize(
    ("stem", "covered", "expected"),
    [
        ("20260703000000000000_courier_idx", ("postgres", "mysql"), "sqlite"),
        ("20260430000000000000_settings_org", ("mysql", "sqlite3"), "postgres"),
        ("20250101000000000000_users_idx", ("postgres", "sqlite3"), "mysql"),
    ],
)
def test_a_file_without_a_database_beside_files_with_one_is_for_the_others(
    stem: str, covered: tuple[str, ...], expected: str
) -> None:
    """pop/fizz (Ory, Buffalo): `x.autocommit.up.sql` beside `x.postgres.autocommit.up.sql` and `x.mysql.up.sql`
    runs on the databases those are not for; reading it as PostgreSQL reported PostgreSQL's locks for SQL that
    never runs there."""
    folder = "persistence/sql/migrations/sql"
    generic = f"{folder}/{stem}.autocommit.up.sql"
    files = {generic: "CREATE INDEX IF NOT EXISTS x_idx ON courier_messages (status);\n"}
    for name in covered:
        files[f"{folder}/{stem}.{name}.autocommit.up.sql"] = (
            "CREATE INDEX IF NOT EXISTS x_idx ON courier_messages (status);\n"
        )
    changeset = ChangeSet(
        "b",
        "h",
        tuple(ChangedFile(p, "added", None, t) for p, t in files.items()),
        MemoryTree(files),
        MemoryTree({}),
    )
    prepared = prepare(changeset)
    assert prepared.databases[generic].dialect == expected
    for name in covered:
        assert prepared.databases[f"{folder}/{stem}.{name}.autocommit.up.sql"].dialect == (
            "sqlite" if name == "sqlite3" else name
        )


@pytest.mark.parametrize(
    ("table", "column", "mysql_type", "generic_type"),
    [
        ("identities", "external_id", "char(36)", "uuid"),
        ("courier_messages", "channel", "varchar(32)", "text"),
    ],
)
def test_a_file_for_every_database_is_not_replayed_where_the_migration_has_a_file_of_its_own(
    table: str, column: str, mysql_type: str, generic_type: str
) -> None:
    """pop/fizz runs `x.mysql.up.sql` on MySQL and `x.up.sql` on the others: MySQL's schema read both, so the
    column had the type the other databases got and a later MySQL change of it was taken for a type change
    (`uuid` to `char(36)`, a table copy). CockroachDB's own files (`x.cockroach.up.sql`) are not read."""
    folder = "persistence/sql/migrations/sql"
    base = {
        f"{folder}/20240101000000000000_{table}.up.sql": f"CREATE TABLE {table} (id int PRIMARY KEY);\n",
        f"{folder}/20240101000000000000_{table}.mysql.up.sql": f"CREATE TABLE {table} (id int PRIMARY KEY);\n",
        f"{folder}/20240102000000000000_{column}.up.sql": f"ALTER TABLE {table} ADD COLUMN {column} {generic_type};\n",
        f"{folder}/20240102000000000000_{column}.mysql.up.sql": (
            f"ALTER TABLE {table} ADD COLUMN {column} {mysql_type};\n"
        ),
        f"{folder}/20240102000000000000_{column}.cockroach.up.sql": (
            f"ALTER TABLE {table} ADD COLUMN {column}_crdb STRING;\n"
        ),
    }
    added = {
        f"{folder}/20240103000000000000_{column}_nn.mysql.up.sql": (
            f"ALTER TABLE {table} MODIFY {column} {mysql_type} NOT NULL;\n"
        ),
        f"{folder}/20240103000000000000_{column}_nn.up.sql": f"ALTER TABLE {table} ALTER {column} SET NOT NULL;\n",
    }
    files = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    prepared = prepare(ChangeSet("b", "h", files, MemoryTree({**base, **added}), MemoryTree(base)))
    assert str(prepared.catalogs["mysql"].tables[table].columns[column].type) == mysql_type
    assert str(prepared.catalogs["postgres"].tables[table].columns[column].type) == generic_type
    assert f"{column}_crdb" not in prepared.catalogs["postgres"].tables[table].columns
    result = _review(base, added)
    assert not [f for f in result.findings if f.rule in ("type-change-rewrite", "mysql-table-copy")]
    # the same change on a history whose MySQL file wrote another type is a type change
    mismatched = {
        **base,
        f"{folder}/20240102000000000000_{column}.mysql.up.sql": (
            f"ALTER TABLE {table} ADD COLUMN {column} int;\n"
        ),
    }
    assert [f for f in _review(mismatched, added).findings if f.rule == "type-change-rewrite"]


@pytest.mark.parametrize(("table", "column"), [("sessions", "device_id"), ("flows", "return_to")])
def test_a_file_named_for_one_database_is_undone_by_the_migrations_down_for_every_database(
    table: str, column: str
) -> None:
    """pop/fizz runs `x.down.sql` where the migration has no down of the database's own: `x.mysql.up.sql`
    beside `x.down.sql` has a way back."""
    folder = "persistence/sql/migrations/sql"
    base = {f"{folder}/20240101000000000000_{table}.up.sql": f"CREATE TABLE {table} (id int PRIMARY KEY);\n"}
    stem = f"{folder}/20240102000000000000_{column}"
    added = {
        f"{stem}.mysql.up.sql": f"ALTER TABLE {table} ADD COLUMN {column} varchar(64);\n",
        f"{stem}.up.sql": f"ALTER TABLE {table} ADD COLUMN {column} text;\n",
    }

    def mysql_migration(files: dict[str, str]) -> Migration:
        changed = tuple(ChangedFile(p, "added", None, t) for p, t in files.items())
        prepared = prepare(ChangeSet("b", "h", changed, MemoryTree({**base, **files}), MemoryTree(base)))
        return next(m for m in prepared.migrations if m.path.endswith(".mysql.up.sql"))

    assert mysql_migration(added).down is None
    added[f"{stem}.down.sql"] = f"ALTER TABLE {table} DROP COLUMN {column};\n"
    mysql = mysql_migration(added)
    assert mysql.down is not None and mysql.down_path == f"{stem}.down.sql"
    result = _review(base, added)
    assert not [f for f in result.findings if f.rule == "missing-down" and f.path.endswith(".mysql.up.sql")]


@pytest.mark.parametrize(("other", "marker"), [("cockroach", "UNSIGNED"), ("h2", "AUTO_INCREMENT")])
def test_sql_for_a_database_the_review_does_not_read_does_not_pick_the_dialect(
    other: str, marker: str
) -> None:
    """With nothing in the repository naming a database, the migrations' own SQL decides; a file for a database
    the review does not read (its name says so) is no evidence of MySQL."""
    folder = "migrations"
    files = {
        f"{folder}/20240101000000_t.up.sql": "CREATE TABLE t (id int PRIMARY KEY);\n",
        f"{folder}/20240101000000_t.{other}.up.sql": f"CREATE TABLE t (id int {marker} PRIMARY KEY);\n",
    }
    added = {f"{folder}/20240102000000_u.up.sql": "ALTER TABLE t ADD COLUMN note text;\n"}
    changed = tuple(ChangedFile(p, "added", None, t) for p, t in added.items())
    prepared = prepare(ChangeSet("b", "h", changed, MemoryTree(files | added), MemoryTree(files)))
    assert prepared.databases[f"{folder}/20240102000000_u.up.sql"].dialect == "postgres"
    mysql = {f"{folder}/20240101000000_t.up.sql": f"CREATE TABLE t (id int {marker} PRIMARY KEY);\n"}
    prepared = prepare(ChangeSet("b", "h", changed, MemoryTree(mysql | added), MemoryTree(mysql)))
    assert prepared.databases[f"{folder}/20240102000000_u.up.sql"].dialect == "mysql"


LIQUIBASE_CHANGELOG = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n'
    '  <changeSet id="1" author="dev">\n    <addColumn tableName="tc_devices">\n'
    '      <column name="note" type="VARCHAR(128)"/>\n    </addColumn>\n  </changeSet>\n</databaseChangeLog>\n'
)


@pytest.mark.parametrize(
    ("build", "text", "named"),
    [
        (
            "build.gradle",
            'implementation "com.h2database:h2:2.4.240"\nimplementation "com.mysql:mysql-connector-j:9.7.0"\n'
            'implementation "org.postgresql:postgresql:42.7.11"\nimplementation "com.microsoft.sqlserver:mssql-jdbc:13.4.0"\n',
            "H2, MySQL, PostgreSQL, SQL Server",
        ),
        (
            "package.json",
            '{"dependencies": {"knex": "3", "pg": "8", "mysql2": "3", "better-sqlite3": "9"}}',
            "MySQL, PostgreSQL, SQLite",
        ),
    ],
)
def test_a_project_on_several_databases_says_so_where_it_assumes_one(
    build: str, text: str, named: str
) -> None:
    # traccar: one Liquibase history for H2, MySQL, MariaDB, PostgreSQL and SQL Server
    result = _review({build: text}, {"schema/changelog-7.0.xml": LIQUIBASE_CHANGELOG})
    (used,) = result.databases
    assert used.database.detail == (
        f"assumed: the project runs on several databases ({named}: the drivers `{build}` depends on); "
        "name the one to review with `dialect:` in the configuration"
    )


def test_a_project_with_one_driver_is_not_said_to_run_on_several() -> None:
    result = _review(
        {"build.gradle": 'implementation "org.postgresql:postgresql:42.7.11"\n'},
        {"schema/changelog-7.0.xml": LIQUIBASE_CHANGELOG},
    )
    (used,) = result.databases
    assert "several" not in used.database.detail


@pytest.mark.parametrize(
    ("folder", "table"), [("server/db/migrations-sqlite", "userAvatars"), ("db/sqlite_migrations", "avatars")]
)
def test_a_folder_named_for_migrations_and_a_database_gives_that_database(folder: str, table: str) -> None:
    """Wiki.js keeps its SQLite history in `server/db/migrations-sqlite/` beside `server/db/migrations/` for the
    others: the SQLite copy of a change was read as PostgreSQL's, in one schema with the other history's tables
    (its CREATE TABLE said to exist already). A word beside the migrations one that names no database says
    nothing (`migrations-legacy/`)."""
    other = folder.replace("migrations-sqlite", "migrations").replace("sqlite_migrations", "migrations")
    compose = {"docker-compose.yml": "services:\n  db:\n    image: postgres:15\n"}

    def knex(created: str, columns: str) -> str:
        return (
            f"exports.up = knex => {{\n  return knex.schema.createTable('{created}', table => {{\n"
            f"{columns}  }})\n}}\n\nexports.down = knex => {{ }}\n"
        )

    init = knex("users", "    table.increments('id').primary()\n")
    created = knex(table, "    table.integer('id').primary()\n    table.binary('data').notNullable()\n")
    base = {**compose, f"{other}/2.0.0.js": init, f"{folder}/2.0.0.js": init}
    added = {f"{other}/2.5.122.js": created, f"{folder}/2.5.122.js": created}
    result = _review(base, added)
    assert {m.path: m.dialect for m in result.migrations} == {
        f"{other}/2.5.122.js": "postgres",
        f"{folder}/2.5.122.js": "sqlite",
    }
    assert not [f for f in result.findings if f.rule == "object-already-exists"]
    legacy = folder.replace("sqlite", "legacy")
    moved = _review({**compose, f"{legacy}/2.0.0.js": init}, {f"{legacy}/2.5.122.js": created})
    assert [m.dialect for m in moved.migrations] == ["postgres"]
