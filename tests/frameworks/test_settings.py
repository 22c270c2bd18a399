"""The database a repository's own settings name, for layouts modelled on real projects of each kind."""

from __future__ import annotations

import pytest

from bot.frameworks.dialect import Dialects, syntax_database
from bot.frameworks.settings.runner import runner_settings
from bot.model.changeset import MemoryTree
from bot.model.config import Config, ConfigError, parse_config
from bot.model.database import Database

RAILS_MYSQL = {
    "config/database.yml.example": (
        "# adapter: postgresql\n"
        "development:\n  adapter: mysql2\n  encoding: utf8mb4\n"
        "production:\n  adapter: mysql2\n  database: plots\n"
    ),
    "containers/docker-compose-production.yml": "services:\n  db:\n    image: mariadb:10.11\n",
    "Gemfile": "source 'https://rubygems.org'\ngem 'rails'\ngem 'mysql2'\n",
    "db/migrate/20240101000000_add_note.rb": "class AddNote < ActiveRecord::Migration[7.1]\nend\n",
}
CASES = [
    (RAILS_MYSQL, "db/migrate/20240101000000_add_note.rb", "mariadb", "10.11", "config/database.yml.example"),
    (
        {"Gemfile": 'gem \'rails\'\ngem "pg", "~> 1.5"\n', "db/schema.rb": 'enable_extension "plpgsql"\n'},
        "db/migrate/1_a.rb",
        "postgres",
        "",
        "Gemfile",
    ),
    (
        {
            "db/schema.rb": 'create_table "users", charset: "utf8mb4", collation: "utf8mb4_0900_ai_ci" do |t|\nend\n'
        },
        "db/migrate/1_a.rb",
        "mysql",
        "",
        "db/schema.rb",
    ),
    (
        {
            "db/structure.sql": "-- Dumped from database version 15.4\nSET statement_timeout = 0;\n",
            "config/database.yml": "production:\n  adapter: <%= ENV.fetch('ADAPTER', 'postgresql') %>\n",
        },
        "db/migrate/1_a.rb",
        "postgres",
        "15.4",
        "config/database.yml",
    ),
    (
        {
            "shop/shop/settings.py": (
                "DATABASES = {\n    'default': {\n"
                "        # 'ENGINE': 'django.db.backends.sqlite3',\n"
                "        'ENGINE': 'django.db.backends.postgresql',\n    }\n}\n"
            ),
            "requirements.txt": "Django>=5.0\nmysqlclient==2.2\n",
        },
        "shop/orders/migrations/0002_note.py",
        "postgres",
        "",
        "shop/shop/settings.py",
    ),
    (
        {"requirements/base.txt": "django==5.0\npsycopg[binary]>=3.1\n"},
        "app/migrations/0001_initial.py",
        "postgres",
        "",
        "requirements/base.txt",
    ),
    (
        {"backend/alembic.ini": "[alembic]\nsqlalchemy.url = mariadb+mariadbconnector://u@db/app\n"},
        "backend/alembic/versions/1_a.py",
        "mariadb",
        "",
        "backend/alembic.ini",
    ),
    (
        {
            "packages/db/prisma/schema.prisma": (
                'generator client {\n  provider = "prisma-client-js"\n}\n'
                'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n'
            ),
            "packages/web/package.json": '{"dependencies": {"mysql2": "^3"}}',
            "docker/compose.yml": "services:\n  database:\n    image: postgres:16-alpine\n",
        },
        "packages/db/prisma/migrations/20240101_init/migration.sql",
        "postgres",
        "16",
        "packages/db/prisma/schema.prisma",
    ),
    (
        {"src/main/resources/application.yml": "spring:\n  flyway:\n    url: jdbc:mariadb://db:3306/shop\n"},
        "src/main/resources/db/migration/V2__note.sql",
        "mariadb",
        "",
        "src/main/resources/application.yml",
    ),
    (
        {
            "flyway.conf": "flyway.url=jdbc:postgresql://localhost/shop\n",
            "pom.xml": "<artifactId>mysql-connector-j</artifactId>",
        },
        "sql/V2__note.sql",
        "postgres",
        "",
        "flyway.conf",
    ),
    (
        {
            "pom.xml": "<dependency><groupId>org.mariadb.jdbc</groupId><artifactId>mariadb-java-client</artifactId>"
        },
        "src/main/resources/db/migration/V2__note.sql",
        "mariadb",
        "",
        "pom.xml",
    ),
    (
        {
            "Cargo.toml": '[dependencies]\ndiesel = { version = "2", features = ["sqlite", "chrono"] }\n',
            "diesel.toml": "",
        },
        "migrations/2024-01-01-000000_init/up.sql",
        "sqlite",
        "",
        "Cargo.toml",
    ),
    (
        {
            "go.mod": "module x\n\nrequire (\n\tgithub.com/jackc/pgx/v5 v5.5.0\n\tgithub.com/mattn/go-sqlite3 v1.14.0 // indirect\n)\n"
        },
        "db/migrations/000002_a.up.sql",
        "postgres",
        "",
        "go.mod",
    ),
    (
        {
            "knexfile.js": "module.exports = {\n  client: 'mysql2',\n}\n",
            "package.json": '{"dependencies": {"knex": "3"}}',
        },
        "migrations/20240101_a.sql",
        "mysql",
        "",
        "knexfile.js",
    ),
    (
        {
            "sqitch.conf": "[core]\n\t# engine = mysql\n\tengine = pg\n",
            "docker-compose.yml": "image: mysql:8\n",
        },
        "deploy/orders.sql",
        "postgres",
        "",
        "sqitch.conf",
    ),
    (
        {".env.example": "DATABASE_URL=postgresql://app@localhost/app\n"},
        "migrations/001_a.sql",
        "postgres",
        "",
        ".env.example",
    ),
]


@pytest.mark.parametrize(("files", "path", "dialect", "version", "source"), CASES)
def test_the_repository_settings_name_the_database(
    files: dict[str, str], path: str, dialect: str, version: str, source: str
) -> None:
    database = Dialects(MemoryTree(files), Config()).database(path)
    assert (database.dialect, database.version, database.source) == (dialect, version, source)
    assert f"from `{source}`" in database.explanation


def test_a_commented_out_setting_never_decides() -> None:
    tree = MemoryTree({"config/database.yml": "production:\n  # adapter: mysql2\n  adapter: postgresql\n"})
    assert Dialects(tree, Config()).database("db/migrate/1_a.rb").dialect == "postgres"


def test_a_test_fixture_never_outranks_the_project() -> None:
    tree = MemoryTree(
        {"spec/dummy/config/database.yml": "test:\n  adapter: sqlite3\n", "Gemfile": "gem 'trilogy'\n"}
    )
    assert Dialects(tree, Config()).database("db/migrate/1_a.rb").dialect == "mysql"


def test_test_settings_never_outrank_the_project_settings() -> None:
    sqlite = "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n"
    postgres = "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql'}}\n"
    tree = MemoryTree({"shop/settings/ci_test.py": sqlite, "shop/settings/base.py": postgres})
    database = Dialects(tree, Config()).database("shop/orders/migrations/0002_a.py")
    assert (database.dialect, database.source) == ("postgres", "shop/settings/base.py")


def test_backticks_in_comments_and_strings_never_decide() -> None:
    prisma = "-- AlterTable\n/*\n  Warnings:\n  - You are about to drop the column `legacy` on the `users` table.\n*/\n"
    assert syntax_database([prisma + 'ALTER TABLE "users" DROP COLUMN "legacy";']).dialect == "postgres"
    assert syntax_database(["INSERT INTO notes (body) VALUES ('use `x` here');"]).dialect == "postgres"
    assert syntax_database(["CREATE TABLE `a` (id int AUTO_INCREMENT);"]).dialect == "mysql"


@pytest.mark.parametrize(
    ("sql", "dialect", "word"),
    [
        ("CREATE TABLE a (id int) Engine=InnoDB;", "mysql", "Engine="),
        ("ALTER TABLE a Modify  Column b text;", "mysql", "Modify  Column"),
        ("CREATE TABLE a (n int unsigned);", "mysql", "unsigned"),
        ("CREATE TABLE a (id integer PRIMARY KEY autoIncrement);", "sqlite", "autoIncrement"),
        ("pragma foreign_keys = on;", "sqlite", "pragma"),
        ("CREATE TABLE a (id int) Without RowID;", "sqlite", "Without RowID"),
        # text beyond ASCII is searched whatever it holds: IGNORECASE reads `ſ` as an `s`
        ("CREATE TABLE café (n int UNſIGNED);", "mysql", "UNſIGNED"),
    ],
)
def test_the_syntax_one_dialect_accepts_is_found_in_any_case(sql: str, dialect: str, word: str) -> None:
    found = syntax_database(["CREATE TABLE b (id bigint);", sql])
    assert found.dialect == dialect
    assert f"uses `{word}`" in found.detail


@pytest.mark.parametrize(
    ("names", "sqlite_word"),
    [(("`group`", "`_old`"), "AUTOINCREMENT"), (("`order`", "`key`"), "PRAGMA")],
)
def test_backquoted_names_say_mysql_only_when_nothing_says_sqlite(
    names: tuple[str, str], sqlite_word: str
) -> None:
    # SQLite accepts MySQL's backquotes: a history of SQLite patches that quotes a reserved word stays SQLite
    quoted = (
        f"BEGIN TRANSACTION;\nALTER TABLE monitor RENAME TO {names[1]};\nSELECT {names[0]} FROM t;\nCOMMIT;"
    )
    marker = (
        "CREATE TABLE tag (id INTEGER PRIMARY KEY AUTOINCREMENT);"
        if sqlite_word == "AUTOINCREMENT"
        else "PRAGMA foreign_keys = off;"
    )
    found = syntax_database([quoted, marker])
    assert (found.dialect, f"uses `{sqlite_word}`" in found.detail) == ("sqlite", True)
    assert syntax_database([quoted]).dialect == "mysql"  # nothing else says: MySQL, as before
    # MySQL's own words still decide against SQLite's
    assert syntax_database([quoted, marker, "CREATE TABLE x (n int UNSIGNED);"]).dialect == "mysql"


def test_sql_without_the_words_of_another_dialect_is_postgres() -> None:
    found = syntax_database(["CREATE TABLE engines (id bigint); -- unsigned, `pragma`", "SELECT 'modify';"])
    assert found.dialect == "postgres"


def test_without_settings_every_pull_request_gets_the_answer_of_the_tree() -> None:
    tree = MemoryTree(
        {
            "migrations/001_a.sql": "CREATE TABLE a (id int UNSIGNED AUTO_INCREMENT PRIMARY KEY);",
            "migrations/002_b.sql": "ALTER TABLE a ADD COLUMN b int;",
        }
    )
    dialects = Dialects(tree, Config())
    assert dialects.database("migrations/002_b.sql").dialect == "mysql"
    assert "read from the migrations' SQL" in dialects.database("migrations/001_a.sql").explanation


@pytest.mark.parametrize(
    ("path", "dialect"),
    [
        ("persistence/sql/migrations/20200101000000_identities.postgres.up.sql", "postgres"),
        ("persistence/sql/migrations/20200101000000_identities.cockroach.up.sql", "postgres"),
        ("persistence/sql/migrations/20200101000000_identities.mysql.up.sql", "mysql"),
        ("persistence/sql/migrations/20200101000000_identities.sqlite3.up.sql", "sqlite"),
        ("db/migrations/mysql/000002_a.up.sql", "mysql"),
        ("db/migrations/sqlite/000002_a.up.sql", "sqlite"),
    ],
)
def test_a_file_named_for_a_dialect_is_read_in_it(path: str, dialect: str) -> None:
    tree = MemoryTree({"docker-compose.yml": "services:\n  db:\n    image: postgres:15\n"})
    assert Dialects(tree, Config()).database(path).dialect == dialect


def test_liquibase_dbms_attributes_decide_for_their_file() -> None:
    text = '<databaseChangeLog>\n<changeSet id="1" author="a" dbms="mariadb,mysql">\n</changeSet>\n</databaseChangeLog>'
    database = Dialects(MemoryTree(), Config()).database("db/changelog/001.xml", text)
    assert database.dialect in ("mariadb", "mysql") and database.source == "db/changelog/001.xml"


def test_the_configuration_sets_the_dialect_per_path() -> None:
    config = parse_config(
        "dialects:\n  - glob: 'db/mysql/**'\n    dialect: mariadb\n    database_version: '10.11'\n",
        ".github/migration-review.yml",
    )
    dialects = Dialects(
        MemoryTree({"Gemfile": "gem 'pg'\n"}), config, config_path=".github/migration-review.yml"
    )
    assert dialects.database("db/mysql/001.sql") == Database(
        "mariadb", "10.11", ".github/migration-review.yml", "`dialects: db/mysql/**`", declared=True
    )
    assert dialects.database("db/migrate/1_a.rb").dialect == "postgres"


def test_a_bad_dialects_entry_names_the_key_and_the_file() -> None:
    with pytest.raises(ConfigError, match=r"cfg\.yml: dialects\.0\.dialect: .*postgres"):
        parse_config("dialects:\n  - glob: 'db/**'\n    dialect: oracle\n", "cfg.yml")
    with pytest.raises(ConfigError, match=r"cfg\.yml: dialects\.0\.glob"):
        parse_config("dialects:\n  - dialect: mysql\n", "cfg.yml")


@pytest.mark.parametrize(
    ("path", "text", "kinds"),
    [
        (
            "migrations/env.py",
            "def run_migrations_online():\n    connection.execute(text(\"SET lock_timeout = '5s'\"))\n",
            {"lock_timeout"},
        ),
        (
            "shop/settings.py",
            'DATABASES = {"default": {"OPTIONS": {"options": "-c statement_timeout=60000"}}}\n',
            {"statement_timeout"},
        ),
        ("flyway.conf", "flyway.initSql=SET lock_timeout = '5s'\n", {"lock_timeout"}),
        (
            "src/main/resources/application.properties",
            "spring.flyway.init-sqls=SET statement_timeout = '10min'\n",
            {"statement_timeout"},
        ),
        ("db/structure.sql", "SET lock_timeout = 0;\nSET statement_timeout = 0;\n", set()),
        ("config/initializers/strong_migrations.rb", "# StrongMigrations.lock_timeout = 10.seconds\n", set()),
        (
            "config/initializers/online_migrations.rb",
            "OnlineMigrations.configure do |config|\n  config.lock_retrier = OnlineMigrations::ExponentialLockRetrier.new(\n"
            "    attempts: 30, lock_timeout: 0.05.seconds\n  )\nend\n",
            {"lock_timeout"},
        ),
        (
            "config/initializers/migrations.rb",
            "OnlineMigrations.configure do |config|\n  config.lock_retrier = OnlineMigrations::ConstantLockRetrier.new(attempts: 5)\nend\n",
            {"lock_timeout"},
        ),
        (
            "config/initializers/online_migrations.rb",
            "OnlineMigrations.configure do |config|\n  config.lock_retrier = nil\nend\n",
            set(),
        ),
        ("db/migrations/0001_a.up.sql", "SET lock_timeout = '5s';\n", set()),  # one migration, not the runner
    ],
)
def test_the_runner_settings_a_repository_has(path: str, text: str, kinds: set[str]) -> None:
    runner = runner_settings(MemoryTree({path: text}))
    assert {s.kind for s in runner.settings} == kinds
    assert all(s.source == path and s.line >= 1 for s in runner.settings)


@pytest.mark.parametrize(
    "lookup",
    [
        'app.config.get("DB_URI", "sqlite:///test/data/test.db")',
        'os.getenv("DATABASE_URL", "sqlite:///local.db")',
        'os.environ.get("SQLALCHEMY_URL") or "sqlite:///dev.db"',
    ],
)
def test_an_alembic_env_whose_sqlite_url_is_a_fallback_names_no_database(lookup: str) -> None:
    """The URL the revisions run on is read at run time; the SQLite default is for tests and local runs."""
    env = f"import os\n\n\ndef get_db_url():\n    return {lookup}\n"
    tree = MemoryTree({"data/migrations/env.py": env, "requirements.txt": "psycopg2==2.9.9\n"})
    database = Dialects(tree, Config()).database("data/migrations/versions/3f2a_add.py")
    assert database.dialect == "postgres" and database.source == "requirements.txt"


@pytest.mark.parametrize(
    "url", ['"sqlite:///app.db"', 'os.getenv("DATABASE_URL", "postgresql://localhost/app")']
)
def test_an_alembic_env_that_names_its_url_decides(url: str) -> None:
    env = f"import os\n\nURL = {url}\n"
    tree = MemoryTree({"migrations/env.py": env, "requirements.txt": "psycopg2==2.9.9\n"})
    database = Dialects(tree, Config()).database("migrations/versions/3f2a_add.py")
    assert database.source == "migrations/env.py"
    assert database.dialect == ("sqlite" if "sqlite" in url else "postgres")


@pytest.mark.parametrize(
    "override",
    [
        'config.set_main_option("sqlalchemy.url", get_db_url())',
        "engine = create_engine(get_db_url())",
        "context.configure(url=os.environ['DATABASE_URL'], target_metadata=None)",
    ],
)
@pytest.mark.parametrize(
    ("location", "env_path"),
    [("data/migrations", "data/migrations/env.py"), ("%(here)s/alembic", "alembic/env.py")],
)
def test_an_alembic_ini_url_its_env_replaces_decides_nothing(
    override: str, location: str, env_path: str
) -> None:
    """quay's alembic.ini holds `sqlite:///will/be/overridden`; its env.py connects to the application's URL."""
    ini = f"[alembic]\nscript_location = {location}\nsqlalchemy.url = sqlite:///will/be/overridden\n"
    env = f"import os\n\n\ndef run():\n    {override}\n"
    tree = MemoryTree(
        {
            "alembic.ini": ini,
            env_path: env,
            "docker-compose.yaml": "services:\n  db:\n    image: postgres:16\n",
        }
    )
    database = Dialects(tree, Config()).database(env_path.replace("env.py", "versions/3f2a_add.py"))
    assert (database.dialect, database.source) == ("postgres", "docker-compose.yaml")


@pytest.mark.parametrize(
    "reads",
    [
        'connectable = engine_from_config(config.get_section(config.config_ini_section), prefix="sqlalchemy.")',
        'url = config.get_main_option("sqlalchemy.url")\n    context.configure(url=url)',
    ],
)
def test_an_alembic_ini_url_its_env_reads_decides(reads: str) -> None:
    ini = "[alembic]\nscript_location = migrations\nsqlalchemy.url = mysql+pymysql://app@localhost/app\n"
    env = f"def run():\n    {reads}\n"
    tree = MemoryTree(
        {
            "alembic.ini": ini,
            "migrations/env.py": env,
            "docker-compose.yaml": "services:\n  db:\n    image: postgres:16\n",
        }
    )
    database = Dialects(tree, Config()).database("migrations/versions/3f2a_add.py")
    assert (database.dialect, database.source) == ("mysql", "alembic.ini")


@pytest.mark.parametrize(
    ("manifest", "text", "migration"),
    [
        (
            "go.mod",
            "module example.com/app\n\nrequire modernc.org/sqlite v1.48.1\n",
            "data/migrations/versions/3f2a_add.py",
        ),
        (
            "tools/go.mod",
            "module example.com/tools\n\nrequire github.com/mattn/go-sqlite3 v1.14.0\n",
            "db/migrate/20240101000000_add_note.rb",
        ),
        ("package.json", '{"dependencies": {"better-sqlite3": "^9.0.0"}}', "app/migrations/0002_add_note.py"),
        ("requirements.txt", "mysqlclient==2.2.0\n", "migrations/20240101_add_note.go"),
    ],
)
def test_a_driver_speaks_for_the_migrations_of_its_own_language_only(
    manifest: str, text: str, migration: str
) -> None:
    """A Go helper's SQLite driver says nothing of the project's Alembic revisions, Rails or Django migrations."""
    tree = MemoryTree({manifest: text, "docker-compose.yml": "services:\n  db:\n    image: postgres:16\n"})
    database = Dialects(tree, Config()).database(migration)
    assert (database.dialect, database.source) == ("postgres", "docker-compose.yml")
    folder = manifest.rpartition("/")[0]
    sql = Dialects(tree, Config()).database(f"{folder}/migrations/001_add_note.sql".lstrip("/"))
    assert sql.source == manifest  # SQL files are run by a project of any language: its driver still decides


@pytest.mark.parametrize(
    ("path", "text", "kind"),
    [
        ("flyway.conf", "flyway.outOfOrder=true\n", "out_of_order"),
        ("conf/flyway.toml", "[flyway]\noutOfOrder = true\n", "out_of_order"),
        (
            "src/main/resources/application.yml",
            "spring:\n  flyway:\n    out-of-order: true\n",
            "out_of_order",
        ),
        (
            "src/main/java/app/FlywayConfig.java",
            "Flyway.configure().outOfOrder(true).load();\n",
            "out_of_order",
        ),
        (".env", "FLYWAY_OUT_OF_ORDER=true\n", "out_of_order"),
        ("jenkinsfiles/dev", 'environment {\n    FLYWAY_MIGRATE_OUT_OF_ORDER = "true"\n}\n', "out_of_order"),
        ("Makefile", "up:\n\tgoose -dir db -allow-missing postgres $(URL) up\n", "allow_missing"),
        ("cmd/migrate.go", "goose.UpContext(ctx, db, dir, goose.WithAllowMissing())\n", "allow_missing"),
    ],
)
def test_runs_migrations_out_of_order(path: str, text: str, kind: str) -> None:
    found = runner_settings(MemoryTree({path: text}))
    assert found.get(kind) is not None
    text = (
        text.replace("true", "false").replace("-allow-missing", "").replace(", goose.WithAllowMissing()", "")
    )
    off = runner_settings(MemoryTree({path: text}))
    assert off.get(kind) is None


def test_out_of_order_read_from_elsewhere_is_not_a_setting() -> None:
    """`setOutOfOrder(config.isEnabled(…))`: off unless an operator turns it on, as Flyway's default."""
    java = "config.setOutOfOrder(\n    provider.isEnabled(FLYWAY_OUT_OF_ORDER_MIGRATION));\n"
    assert (
        runner_settings(MemoryTree({"src/main/java/app/FlywayConfig.java": java})).get("out_of_order") is None
    )


@pytest.mark.parametrize(
    ("settings", "requirements", "drivers", "named", "dialect"),
    [
        (
            "awx/settings/defaults.py",
            "requirements/requirements.in",
            "asyncpg\npsycopg\n",
            "psycopg",
            "postgres",
        ),
        ("shop/shop/settings.py", "requirements.txt", "mysqlclient==2.2\n", "mysqlclient", "mysql"),
    ],
)
def test_django_sqlite_settings_yield_to_the_server_driver_the_project_installs(
    settings: str, requirements: str, drivers: str, named: str, dialect: str
) -> None:
    """AWX's `defaults.py` names `sqlite3` for a local run; its production settings read `DATABASES` from files
    the deploy writes, and its requirements install `psycopg`: its hand-written `ALTER COLUMN … DROP NOT NULL`
    were said to fail on SQLite."""
    sqlite = "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.sqlite3',\n    }\n}\n"
    migration = settings.split("/")[0] + "/main/migrations/0002_a.py"
    tree = {settings: sqlite, requirements: f"Django>=4.2\n{drivers}"}
    database = Dialects(MemoryTree(tree), Config()).database(migration)
    assert (database.dialect, database.source) == (dialect, requirements)
    assert f"requires `{named}`" in database.explanation  # the usual driver named, not the first in order
    alone = Dialects(MemoryTree({settings: sqlite, requirements: "Django>=4.2\n"}), Config()).database(
        migration
    )
    assert (alone.dialect, alone.source) == ("sqlite", settings)
