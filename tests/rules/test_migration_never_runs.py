"""migration-never-runs: a new migration in a folder its runner does not read, or named so the runner skips it."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review

from ..conftest import review_sql, rule_ids

RULE = "migration-never-runs"


def finding(run: Review, rule: str) -> Finding:
    found = [f for f in run.findings if f.rule == rule]
    assert len(found) == 1, [f.rule for f in run.findings]
    return found[0]


def _db_migrate(sql: str) -> str:
    return f"'use strict';\nexports.up = function (db, cb) {{ db.runSql(`{sql}`, cb); }};\n" + (
        "exports.down = function (db, cb) { cb(); };\n"
    )


DB_MIGRATE_BASE = {
    "package.json": '{"scripts": {"db-migrate": "db-migrate --migrations-dir ./src/migrations"},'
    ' "dependencies": {"db-migrate": "0.11", "pg": "8"}}',
    "src/migrations/20240101000000-init.js": _db_migrate("CREATE TABLE settings (name text, content jsonb);"),
    "src/migrations/20240201000000-add-users.js": _db_migrate("CREATE TABLE users (id int);"),
}
FLYWAY_BASE = {
    "src/main/resources/db/migration/V1__create_accounts.sql": "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    "src/main/resources/db/migration/V2__add_email.sql": "ALTER TABLE accounts ADD COLUMN email text;\n",
}
DJANGO_INIT = "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
DJANGO_BASE = {
    "shop/__init__.py": "",
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": DJANGO_INIT
    + "    initial = True\n    dependencies = []\n    operations = [\n"
    "        migrations.CreateModel(name='Order', fields=[('id', models.AutoField(primary_key=True))]),\n    ]\n",
    "shop/migrations/0002_order_note.py": DJANGO_INIT + "    dependencies = [('shop', '0001_initial')]\n"
    "    operations = [migrations.AddField('order', 'note', models.TextField(null=True))]\n",
}
DJANGO_NEW = (
    DJANGO_INIT + "    dependencies = [('shop', '0002_order_note')]\n"
    "    operations = [migrations.AddField('order', 'total', models.IntegerField(null=True))]\n"
)


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("src/migrations/migrations/20240301000000-disable-google.js", "settings"),
        ("src/migrations/legacy/20240301000000-drop-users.js", "users"),
    ],
)
def test_db_migrate_file_in_a_scope_folder_never_runs(path: str, table: str) -> None:
    run = review_sql(_db_migrate(f"UPDATE {table} SET name = 'x';"), path=path, base=DB_MIGRATE_BASE)
    found = finding(run, RULE)
    assert "scope" in found.message and "up:" in found.message
    assert found.fix.startswith("Move it to `src/migrations/`")
    assert run.approval == "BLOCKED"


@pytest.mark.parametrize(
    ("path", "setup"),
    [
        ("src/migrations/20240301000000-disable-google.js", {}),  # the folder db-migrate reads
        # the scope is run by a script of the project
        (
            "src/migrations/tenant/20240301000000-add.js",
            {
                "package.json": DB_MIGRATE_BASE["package.json"].replace(
                    "}, ", ', "tenant": "db-migrate up:tenant"}, '
                )
            },
        ),
        # the SQL of a `--sql-file` migration
        ("src/migrations/sqls/20240301000000-add-up.sql", {}),
    ],
)
def test_db_migrate_file_the_runner_reads_is_not_flagged(path: str, setup: dict[str, str]) -> None:
    sql = "UPDATE settings SET name = 'x';"
    text = sql if path.endswith(".sql") else _db_migrate(sql)
    assert RULE not in rule_ids(review_sql(text, path=path, base={**DB_MIGRATE_BASE, **setup}))


@pytest.mark.parametrize(
    ("name", "renamed"),
    [("V3_add_phone.sql", "V3__add_phone.sql"), ("V2_1_backfill_email.sql", "V2_1__backfill_email.sql")],
)
def test_flyway_file_with_one_underscore_is_passed_over(name: str, renamed: str) -> None:
    path = f"src/main/resources/db/migration/{name}"
    run = review_sql("ALTER TABLE accounts ADD COLUMN phone text;\n", path=path, base=FLYWAY_BASE)
    found = finding(run, RULE)
    assert "two underscores" in found.message
    assert found.fix == f"Rename it `{renamed}`."


@pytest.mark.parametrize(
    "name", ["V3__add_phone.sql", "V2_1__backfill_email.sql", "R__accounts_view.sql", "afterMigrate.sql"]
)
def test_flyway_names_it_runs_are_not_flagged(name: str) -> None:
    path = f"src/main/resources/db/migration/{name}"
    run = review_sql("ALTER TABLE accounts ADD COLUMN phone text;\n", path=path, base=FLYWAY_BASE)
    assert RULE not in rule_ids(run)


@pytest.mark.parametrize("sub", ["old", "pending"])
def test_django_migration_in_a_subfolder_never_runs(sub: str) -> None:
    path = f"shop/migrations/{sub}/0003_order_total.py"
    run = review_sql(DJANGO_NEW, path=path, base=DJANGO_BASE)
    found = finding(run, RULE)
    assert f"not of its subfolder `{sub}/`" in found.message
    # no "could not be read" beside it: the file is a Django migration, only where Django never looks
    assert not {"unreadable-migration", "unparsed-statement"} & rule_ids(run)


@pytest.mark.parametrize(
    ("path", "setup"),
    [
        ("shop/migrations/0003_order_total.py", {}),
        # MIGRATION_MODULES points the app at the subfolder
        (
            "shop/migrations/pending/0003_order_total.py",
            {"config/settings.py": 'MIGRATION_MODULES = {"shop": "shop.migrations.pending"}\n'},
        ),
    ],
)
def test_django_migration_the_loader_reads_is_not_flagged(path: str, setup: dict[str, str]) -> None:
    run = review_sql(DJANGO_NEW, path=path, base={**DJANGO_BASE, **setup})
    assert RULE not in rule_ids(run)


GOLANG_BASE = {
    "db/migrations/000001_create_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
    "db/migrations/000001_create_users.down.sql": "DROP TABLE users;\n",
    "db/migrations/000002_add_email.up.sql": "ALTER TABLE users ADD COLUMN email text;\n",
    "db/migrations/000002_add_email.down.sql": "ALTER TABLE users DROP COLUMN email;\n",
}


@pytest.mark.parametrize("name", ["000003_add_phone.sql", "000003_backfill_names.sql"])
def test_golang_migrate_file_without_up_is_passed_over(name: str) -> None:
    run = review_sql(
        "ALTER TABLE users ADD COLUMN phone text;\n", path=f"db/migrations/{name}", base=GOLANG_BASE
    )
    assert "`<version>_<title>.up.sql`" in finding(run, RULE).message


def test_golang_migrate_up_file_is_not_flagged() -> None:
    path = "db/migrations/000003_add_phone.up.sql"
    run = review_sql("ALTER TABLE users ADD COLUMN phone text;\n", path=path, base=GOLANG_BASE)
    assert RULE not in rule_ids(run)


RAILS_BASE = {
    "db/migrate/20240101000000_create_orders.rb": "class CreateOrders < ActiveRecord::Migration[7.1]\n"
    "  def change\n    create_table :orders\n  end\nend\n",
    "db/migrate/20240201000000_add_note_to_orders.rb": "class AddNoteToOrders < ActiveRecord::Migration[7.1]\n"
    "  def change\n    add_column :orders, :note, :text\n  end\nend\n",
}
RAILS_NEW = (
    "class AddTotalToOrders < ActiveRecord::Migration[7.1]\n  def change\n"
    "    add_column :orders, :total, :integer\n  end\nend\n"
)


@pytest.mark.parametrize("name", ["20240301000000-addtotal.rb", "20240301000000.rb"])
def test_rails_file_its_glob_does_not_list_is_passed_over(name: str) -> None:
    run = review_sql(RAILS_NEW, path=f"db/migrate/{name}", base=RAILS_BASE)
    assert "`<timestamp>_<name>.rb`" in finding(run, RULE).message


@pytest.mark.parametrize(
    "name", ["20240301000000-add_total_to_orders.rb", "20240301000000_AddTotalToOrders.rb"]
)
def test_rails_file_its_glob_lists_but_cannot_parse_stops_every_migrate(name: str) -> None:
    run = review_sql(RAILS_NEW, path=f"db/migrate/{name}", base=RAILS_BASE)
    found = finding(run, RULE)
    assert "IllegalMigrationNameError" in found.message
    assert found.blast_radius.startswith("Every deploy fails")
    assert found.fix == "Rename it `20240301000000_add_total_to_orders.rb`."


def test_rails_file_named_as_its_runner_lists_is_not_flagged() -> None:
    run = review_sql(RAILS_NEW, path="db/migrate/20240301000000_add_total_to_orders.rb", base=RAILS_BASE)
    assert RULE not in rule_ids(run)


PRISMA_BASE = {
    "prisma/schema.prisma": 'datasource db {\n  provider = "postgresql"\n  url = env("DATABASE_URL")\n}\n',
    "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "User" (id serial PRIMARY KEY);\n',
    "prisma/migrations/20240201000000_email/migration.sql": 'ALTER TABLE "User" ADD COLUMN email text;\n',
    "prisma/migrations/migration_lock.toml": 'provider = "postgresql"\n',
}


@pytest.mark.parametrize(
    "path",
    [
        "prisma/migrations/20240301000000_phone/add_phone.sql",
        "prisma/migrations/20240301000000_add_phone.sql",
    ],
)
def test_prisma_sql_file_other_than_migration_sql_is_passed_over(path: str) -> None:
    run = review_sql('ALTER TABLE "User" ADD COLUMN phone text;\n', path=path, base=PRISMA_BASE)
    assert "Prisma Migrate runs only `migration.sql`" in finding(run, RULE).message


def test_prisma_migration_sql_is_not_flagged() -> None:
    path = "prisma/migrations/20240301000000_phone/migration.sql"
    run = review_sql('ALTER TABLE "User" ADD COLUMN phone text;\n', path=path, base=PRISMA_BASE)
    assert RULE not in rule_ids(run)


KNEX_MIGRATION = "exports.up = (knex) => knex.schema.alterTable('{t}', (t) => {{ t.text('note'); }});\n" + (
    "exports.down = (knex) => knex.schema.alterTable('{t}', (t) => {{ t.dropColumn('note'); }});\n"
)
KNEX_BASE = {
    "package.json": '{"dependencies": {"knex": "3", "pg": "8"}}',
    "knexfile.js": "module.exports = { client: 'pg', migrations: { directory: './db/migrations' } };\n",
    "db/migrations/20240101000000_orders.js": KNEX_MIGRATION.format(t="orders"),
    "db/migrations/20240201000000_invoices.js": KNEX_MIGRATION.format(t="invoices"),
}


@pytest.mark.parametrize("sub", ["tenant", "next"])
def test_knex_migration_in_a_subfolder_never_runs(sub: str) -> None:
    path = f"db/migrations/{sub}/20240301000000_customers.js"
    run = review_sql(KNEX_MIGRATION.format(t="customers"), path=path, base=KNEX_BASE)
    assert (
        f"Knex reads the migrations of `db/migrations/`, not of its subfolder `{sub}/`"
        in finding(run, RULE).message
    )


def test_knex_subfolder_named_in_the_knexfile_is_not_flagged() -> None:
    knexfile = "module.exports = { client: 'pg', migrations: { directory: ['./db/migrations', './db/migrations/tenant'] } };\n"
    path = "db/migrations/tenant/20240301000000_customers.js"
    run = review_sql(
        KNEX_MIGRATION.format(t="customers"), path=path, base={**KNEX_BASE, "knexfile.js": knexfile}
    )
    assert RULE not in rule_ids(run)


def _changelog(ids: str) -> str:
    sets = "".join(
        f'  <changeSet id="{i}" author="dev">\n    <addColumn tableName="devices">\n'
        f'      <column name="c{i}" type="VARCHAR(64)"/>\n    </addColumn>\n  </changeSet>\n'
        for i in ids.split(",")
    )
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n{sets}</databaseChangeLog>\n'


def _master(*files: str, all_path: str = "") -> str:
    lines = "".join(f'  <include file="{f}" relativeToChangelogFile="true"/>\n' for f in files)
    if all_path:
        lines += f'  <includeAll path="{all_path}"/>\n'
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n{lines}</databaseChangeLog>\n'


LIQUIBASE_BASE = {
    "schema/changelog-master.xml": _master("changelog-1.0.xml", "changelog-1.1.xml"),
    "schema/changelog-1.0.xml": _changelog("1"),
    "schema/changelog-1.1.xml": _changelog("2"),
}


@pytest.mark.parametrize(
    ("path", "base"),
    [
        ("schema/changelog-1.2.xml", LIQUIBASE_BASE),
        (
            "src/main/resources/db/changelog/changes/003-add-phone.xml",
            {
                "src/main/resources/db/changelog/db.changelog-master.yaml": "databaseChangeLog:\n"
                "  - include:\n      file: db/changelog/changes/001-init.xml\n"
                "  - include:\n      file: db/changelog/changes/002-email.xml\n",
                "src/main/resources/db/changelog/changes/001-init.xml": _changelog("1"),
                "src/main/resources/db/changelog/changes/002-email.xml": _changelog("2"),
            },
        ),
    ],
)
def test_liquibase_changelog_no_master_includes_never_runs(path: str, base: dict[str, str]) -> None:
    run = review_sql(_changelog("3"), path=path, base=base)
    found = finding(run, RULE)
    assert "no changelog includes it" in found.message
    included = "changelog-1.2.xml" if path.startswith("schema/") else "changes/003-add-phone.xml"
    assert f'<include file="{included}" relativeToChangelogFile="true"/>' in found.fix


@pytest.mark.parametrize(
    ("path", "head"),
    [
        # the change adds the include beside the changelog
        (
            "schema/changelog-1.2.xml",
            {
                "schema/changelog-master.xml": _master(
                    "changelog-1.0.xml", "changelog-1.1.xml", "changelog-1.2.xml"
                )
            },
        ),
        # the master includes the whole folder
        (
            "schema/changes/changelog-1.2.xml",
            {"schema/changelog-master.xml": _master("changelog-1.0.xml", all_path="changes/")},
        ),
        # a master of its own, named in the application's settings
        (
            "schema/tenant-master.xml",
            {
                "src/main/resources/application.yml": "spring:\n  liquibase:\n    change-log: classpath:tenant-master.xml\n"
            },
        ),
    ],
)
def test_liquibase_changelog_a_master_runs_is_not_flagged(path: str, head: dict[str, str]) -> None:
    run = review_sql(_changelog("3"), path=path, base=LIQUIBASE_BASE, head=head)
    assert RULE not in rule_ids(run)


@pytest.mark.parametrize(
    ("path", "code"),
    [
        (
            "api/src/main/resources/org/acme/liquibase/updates/update-to-latest-3.1.x.xml",
            {
                "api/src/main/java/org/acme/liquibase/VersionFinder.java": 'static final String BASE = "update-to-latest-";\n'
            },
        ),
        (
            "provider/src/main/resources/db/changelog/tenant/upgrades/0000_upgrade_to_1.7.xml",
            {
                "provider/build.gradle": "def changeLogFilePath='provider/src/main/resources/db/changelog/tenant/upgrades/0000_upgrade_to_'+\"$dbVersion\"+'.xml'\n"
            },
        ),
    ],
)
def test_liquibase_changelog_the_code_names_when_it_runs_is_not_flagged(
    path: str, code: dict[str, str]
) -> None:
    folder = path.rpartition("/")[0].rpartition("/")[0]
    base = {
        f"{folder}/changelog-master.xml": _master("parts/001.xml", "parts/002.xml"),
        f"{folder}/parts/001.xml": _changelog("1"),
        f"{folder}/parts/002.xml": _changelog("2"),
        **code,
    }
    assert RULE not in rule_ids(review_sql(_changelog("3"), path=path, base=base))
    # the same changelog, with no code naming it, is flagged
    bare = {k: v for k, v in base.items() if k not in code}
    assert RULE in rule_ids(review_sql(_changelog("3"), path=path, base=bare))
