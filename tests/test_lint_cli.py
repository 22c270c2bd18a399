"""`migration-review lint` as editors and pre-commit hooks run it, and the exit statuses CI reads."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git
from tests.test_cli import CLI, run


def lint_json(*args: str, cwd: Path | None = None) -> dict[str, Any]:
    done = run("lint", *args, "--format", "json", "--exit-zero", cwd=cwd)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def write(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def test_a_directory_is_linted_recursively_each_file_by_its_framework(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "db/migrations/000001_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
            "db/migrations/000001_users.down.sql": "DROP TABLE users;\n",
            "db/migrate/20260101000000_add_email.rb": "class AddEmail < ActiveRecord::Migration[7.1]\n"
            "  def change\n    add_column :users, :email, :string\n  end\nend\n",
            "db/migrations/README.md": "How we migrate.\n",
            "db/seeds.rb": "User.create!(name: 'admin')\n",
            "db/tools/helper.py": "def helper():\n    return 1\n",
        },
    )
    report = lint_json("db", cwd=tmp_path)
    migrations = {m["path"]: m["framework"] for m in report["migrations"]}
    assert migrations == {
        "db/migrations/000001_users.up.sql": "golang-migrate",
        "db/migrate/20260101000000_add_email.rb": "rails",
    }


def test_a_directory_of_node_php_and_elixir_migrations_is_linted(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "migrations/20260101000000_add_email.js": "exports.up = (knex) => knex.schema.alterTable('users', "
            "(t) => { t.string('email'); });\nexports.down = (knex) => knex.schema.alterTable('users', "
            "(t) => { t.dropColumn('email'); });\n",
            "database/migrations/2026_01_01_000000_add_email.php": "<?php\nuse Illuminate\\Database\\Migrations\\"
            "Migration;\nreturn new class extends Migration {\n  public function up(): void {\n"
            "    Schema::table('users', function (Blueprint $table) { $table->string('email')->nullable(); });\n"
            "  }\n};\n",
            "priv/repo/migrations/20260101000000_add_email.exs": "defmodule App.Repo.Migrations.AddEmail do\n"
            "  use Ecto.Migration\n  def change do\n    alter table(:users) do\n      add :email, :string\n"
            "    end\n  end\nend\n",
        },
    )
    frameworks = {m["framework"] for m in lint_json(".", cwd=tmp_path)["migrations"]}
    assert frameworks == {"knex", "laravel", "ecto"}


def test_down_files_are_the_way_back_of_their_up_never_migrations_of_their_own(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "sql/V2__drop_note.sql": "ALTER TABLE orders DROP COLUMN note;\n",
            "sql/U2__drop_note.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
            "migrations/2026-01-01-000000_drop/up.sql": "DROP TABLE legacy;\n",
            "migrations/2026-01-01-000000_drop/down.sql": "CREATE TABLE legacy (id bigint);\n",
        },
    )
    given = [
        "sql/V2__drop_note.sql",
        "sql/U2__drop_note.sql",
        "migrations/2026-01-01-000000_drop/up.sql",
        "migrations/2026-01-01-000000_drop/down.sql",
    ]
    report = lint_json(*given, cwd=tmp_path)
    assert sorted(m["path"] for m in report["migrations"]) == [
        "migrations/2026-01-01-000000_drop/up.sql",
        "sql/V2__drop_note.sql",
    ]
    assert not any(f["rule"] == "missing-down-migration" for f in report["findings"])


def test_the_down_file_beside_a_given_up_file_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "db/migrations/000002_drop_note.up.sql": "ALTER TABLE orders DROP COLUMN note;\n",
            "db/migrations/000002_drop_note.down.sql": "ALTER TABLE orders ADD COLUMN note text;\n",
        },
    )
    report = lint_json("db/migrations/000002_drop_note.up.sql", cwd=tmp_path)
    assert report["migrations"][0]["has_down"] is True
    assert not any(f["rule"] == "missing-down-migration" for f in report["findings"])


def test_the_repository_configuration_above_the_files_is_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".github/migration-review.yml": "rules:\n  ignore: [non-concurrent-index]\n",
            "db/migrations/000003_idx.up.sql": "CREATE INDEX orders_state_idx ON orders (state);\n",
        },
    )
    sub = tmp_path / "db"
    report = lint_json("migrations/000003_idx.up.sql", cwd=sub)
    assert report["migrations"][0]["path"] == "db/migrations/000003_idx.up.sql"
    assert not any(f["rule"] == "non-concurrent-index" for f in report["findings"])
    other = write(tmp_path / "other", {"config.yml": "rules:\n  ignore: [missing-lock-timeout]\n"})
    overridden = lint_json(
        "db/migrations/000003_idx.up.sql", "--config", str(other / "config.yml"), cwd=tmp_path
    )
    rules = {f["rule"] for f in overridden["findings"]}
    assert "non-concurrent-index" in rules and "missing-lock-timeout" not in rules


def test_a_file_of_which_nothing_could_be_read_blocks(tmp_path: Path) -> None:
    garbage = write(tmp_path, {"V7__garbage.sql": "ALTER TABLE ((( 'unterminated\n\x00\x01 $$ nonsense\n"})
    done = run("lint", str(garbage / "V7__garbage.sql"), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["approval"] == "BLOCKED"
    assert any(
        f["rule"] == "unreadable-migration" and f["severity"] == "critical" for f in report["findings"]
    )


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    done = run("lint", str(tmp_path / "nope.sql"))
    assert done.returncode == 2
    assert done.stderr.strip() == f"migration-review: no such file or directory: {tmp_path / 'nope.sql'}"


def test_rename_table_if_exists_is_reviewed_not_a_crash(tmp_path: Path) -> None:
    """`RENAME TABLE IF EXISTS a TO b` once gave the code-reference search an empty word, which crashed it."""
    write(tmp_path, {"app/models/legacy.rb": "class Legacy\n  self.table_name = 'a'\nend\n"})
    write(tmp_path, {"db/migrations/000004_rename.up.sql": "RENAME TABLE IF EXISTS a TO b;\n"})
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "rename")
    linted = lint_json("db/migrations/000004_rename.up.sql", "--dialect", "mariadb", cwd=tmp_path)
    renamed = [f for f in linted["findings"] if f["rule"] == "table-renamed"]
    assert len(renamed) == 1 and "`a`" in renamed[0]["message"]
    done = run("review", "--repo", str(tmp_path), "--base", "HEAD~0", "--format", "json")
    assert done.returncode in (0, 1), done.stderr


def test_git_errors_are_said_in_the_words_of_the_command_line(tmp_path: Path) -> None:
    repo = write(tmp_path / "repo", {"README.md": "x\n"})
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    done = run("review", "--repo", str(repo), "--base", "nope")
    assert done.returncode == 2
    assert "no commit `nope` in this repository" in done.stderr and "fatal" not in done.stderr
    elsewhere = tmp_path / "plain"
    elsewhere.mkdir()
    done = run("review", "--repo", str(elsewhere))
    assert (
        done.returncode == 2 and done.stderr.strip() == f"migration-review: not a git repository: {elsewhere}"
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_internal_error_exits_3_with_one_line_and_the_traceback_in_a_log(tmp_path: Path) -> None:
    """A run that cannot finish is never reported with the status of a verdict."""
    import subprocess

    sql = write(tmp_path, {"V1__t.sql": "CREATE TABLE t (id bigint);\n"}) / "V1__t.sql"
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [CLI, "lint", str(sql)], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("migration-review: internal error (OSError")
    log = Path(re.findall(r"the traceback is in (\S+)", lines[0])[0])
    assert "Traceback (most recent call last)" in log.read_text()
    log.unlink()
    with open("/dev/full", "w") as full:
        debug = subprocess.run(
            [CLI, "lint", str(sql), "--debug"], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert debug.returncode == 3 and "Traceback (most recent call last)" in debug.stderr


def test_help_documents_the_exit_statuses() -> None:
    for command in ((), ("review",), ("lint",)):
        done = run(*command, "--help")
        assert done.returncode == 0
        assert "2  usage or configuration error" in done.stdout and "3  internal error" in done.stdout


def test_sql_files_that_are_no_migration_are_skipped_under_a_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "sql/001_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
            "sql/schema.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n",
            "sql/queries/report.sql": "SELECT count(*) FROM orders;\n",
            "seeds/data.sql": "INSERT INTO orders VALUES (1);\n",
        },
    )
    report = lint_json(".", cwd=tmp_path)
    assert [m["path"] for m in report["migrations"]] == ["sql/001_orders.sql"]


_LARAVEL_INDEX = (
    "<?php\nuse Illuminate\\Database\\Migrations\\Migration;\nuse Illuminate\\Database\\Schema\\Blueprint;\n"
    "return new class extends Migration {\n  public function up(): void {\n"
    "    Schema::table('{table}', function (Blueprint $table) { $table->index('{column}'); });\n  }\n"
    "  public function down(): void {\n"
    "    Schema::table('{table}', function (Blueprint $table) { $table->dropIndex(['{column}']); });\n  }\n};\n"
)


@pytest.mark.parametrize(
    ("settings", "table", "column", "dialect"),
    [
        # the database of a compose file at the repository's root
        ({"docker-compose.yml": "services:\n  db:\n    image: mysql:8.4\n"}, "pages", "editor", "mysql"),
        # Laravel's configuration where an application keeps it (BookStack: app/Config/database.php)
        (
            {
                "app/Config/database.php": "<?php\nreturn ['default' => env('DB_CONNECTION', 'mysql'),\n"
                "  'connections' => ['mysql' => ['driver' => 'mysql']]];\n",
                "artisan": "#!/usr/bin/env php\n",
            },
            "books",
            "slug",
            "mysql",
        ),
        ({"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n"}, "pages", "editor", "postgres"),
    ],
)
def test_lint_reads_the_database_from_the_repository_settings_beyond_the_files_given(
    tmp_path: Path, settings: dict[str, str], table: str, column: str, dialect: str
) -> None:
    """`lint database/migrations` in a MySQL application was read as PostgreSQL (non-concurrent-index
    critical on every index) because only the given files were listed for the settings."""
    migration = _LARAVEL_INDEX.replace("{table}", table).replace("{column}", column)
    write(tmp_path, {**settings, "database/migrations/2026_01_01_000000_add_index.php": migration})
    git(tmp_path, "init", "-q")
    report = lint_json("database/migrations", cwd=tmp_path)
    assert [m["dialect"] for m in report["migrations"]] == [dialect]
    rules = {f["rule"] for f in report["findings"]}
    assert ("non-concurrent-index" in rules) == (dialect == "postgres")


def _django_migration(operations: str, replaces: str = "") -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"{replaces}    dependencies = []\n    operations = [\n        {operations},\n    ]\n"
    )


@pytest.mark.parametrize(
    ("app", "model", "field"), [("circuits", "termination", "port"), ("dcim", "rack", "site")]
)
@pytest.mark.parametrize("squashed", [True, False])
def test_lint_of_a_history_reads_a_squash_as_written_over_applied_migrations(
    tmp_path: Path, app: str, model: str, field: str, squashed: bool
) -> None:
    """A history whose squashed migrations outlived the files they replace (NetBox's `0002_squashed_0029`):
    databases that applied those record the squash without running it, new installs run it on empty tables."""
    replaces = f"    replaces = [('{app}', '0002_auto'), ('{app}', '0003_{field}')]\n" if squashed else ""
    create = f"migrations.CreateModel('{model}', [('id', models.AutoField(primary_key=True))])"
    add = f"migrations.AddField('{model}', '{field}', models.CharField(max_length=10))"
    write(
        tmp_path,
        {
            f"{app}/migrations/__init__.py": "",
            f"{app}/migrations/0001_initial.py": _django_migration(create),
            f"{app}/migrations/0002_squashed_0003.py": _django_migration(add, replaces),
        },
    )
    git(tmp_path, "init", "-q")
    report = lint_json(app, cwd=tmp_path)
    rules = {f["rule"] for f in report["findings"] if f["path"].endswith("0002_squashed_0003.py")}
    assert ("not-null-without-default" in rules) == (not squashed)
    assert any("squashes 2 migrations" in note for note in report["notes"]) == squashed


@pytest.mark.parametrize(("early", "late"), [("0.8", "0.30"), ("v1.9", "v1.10")])
def test_release_folders_run_in_release_order_not_text_order(tmp_path: Path, early: str, late: str) -> None:
    """`migration/0.8/01__x.sql` runs before `migration/0.30/01__y.sql`, though "0.30" sorts first as text:
    the later release drops a column the earlier one created, and the drop is judged against it."""
    write(
        tmp_path,
        {
            f"store/migration/{early}/01__create.sql": "CREATE TABLE notes (id bigint PRIMARY KEY, body text);\n",
            f"store/migration/{late}/01__drop_body.sql": "ALTER TABLE notes DROP COLUMN body;\n",
        },
    )
    report = lint_json(str(tmp_path / "store"), "--dialect", "postgres")
    order = [m["path"].split("/migration/")[1] for m in report["migrations"]]
    assert order == [f"{early}/01__create.sql", f"{late}/01__drop_body.sql"]
    assert any(f["rule"] == "column-dropped" and "notes.body" in f["message"] for f in report["findings"])


_USES = pytest.mark.parametrize(
    ("table", "column", "other"),
    [("invoices", "legacy_total", "amount"), ("shipments", "carrier_code", "weight")],
)


def _repository_with_a_drop(root: Path, table: str, column: str, used: str) -> Path:
    """A git repository whose new migration drops `table.column`; its code and the SQL files outside its
    migrations read `used` (the dropped column, or another one)."""
    write(
        root,
        {
            "db/migrations/001_init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} numeric, "
            f"amount numeric, weight numeric);\n",
            "db/migrations/002_drop.sql": f"ALTER TABLE {table} DROP COLUMN {column};\n",
            "app/report.py": "def total(cur, key):\n"
            f'    cur.execute("SELECT {used} FROM {table} WHERE id = %s", (key,))\n'
            "    return cur.fetchone()\n",
            "sql/reports.sql": f"CREATE OR REPLACE FUNCTION report_total(key bigint) RETURNS numeric\n"
            f"LANGUAGE plpgsql AS $$\nBEGIN\n  RETURN (SELECT {used} FROM {table} WHERE id = key);\nEND $$;\n",
            "db/functions/refresh_totals.sql": f"CREATE VIEW totals AS SELECT id, {used} FROM {table};\n",
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "drop")
    return root


def _dropped_places(report: dict[str, Any]) -> set[str]:
    return {
        f"{r['path']}:{r['line']}"
        for f in report["findings"]
        if f["rule"] == "column-dropped"
        for r in f.get("references") or []
    }


@_USES
def test_lint_of_a_file_in_a_git_repository_finds_the_code_and_sql_files_still_using_a_dropped_column(
    tmp_path: Path, table: str, column: str, other: str
) -> None:
    repo = _repository_with_a_drop(tmp_path, table, column, column)
    report = lint_json("db/migrations/002_drop.sql", cwd=repo)
    assert _dropped_places(report) == {
        "app/report.py:2",
        "sql/reports.sql:4",
        "db/functions/refresh_totals.sql:1",
    }
    assert next(f for f in report["findings"] if f["rule"] == "column-dropped")["severity"] == "critical"


@_USES
def test_lint_of_a_file_finds_no_use_where_the_repository_reads_other_columns(
    tmp_path: Path, table: str, column: str, other: str
) -> None:
    repo = _repository_with_a_drop(tmp_path, table, column, other)
    assert _dropped_places(lint_json("db/migrations/002_drop.sql", cwd=repo)) == set()


@_USES
def test_lint_of_a_directory_reads_a_history_not_the_code_that_later_migrations_serve(
    tmp_path: Path, table: str, column: str, other: str
) -> None:
    repo = _repository_with_a_drop(tmp_path, table, column, column)
    assert _dropped_places(lint_json("db/migrations", cwd=repo)) == set()


@_USES
def test_lint_outside_a_git_repository_reads_only_the_files_given(
    tmp_path: Path, table: str, column: str, other: str
) -> None:
    repo = _repository_with_a_drop(tmp_path, table, column, column)
    shutil.rmtree(repo / ".git")
    assert _dropped_places(lint_json(str(repo / "db/migrations/002_drop.sql"), cwd=tmp_path.parent)) == set()
