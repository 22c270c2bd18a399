"""A review of a git repository reads the files of a long history in a few git processes, not one per file
(a review of Polar, whose history has 448 Alembic revisions, took 457 `git cat-file` processes and 16 s before)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git

CLI = str(Path(sys.executable).parent / "migration-review")
REVISION = '''"""{message}"""
from alembic import op
import sqlalchemy as sa

revision = "{revision}"
down_revision = {down}


def upgrade():
    op.add_column("orders", sa.Column("{column}", sa.Integer(), nullable=True))


def downgrade():
    op.drop_column("orders", "{column}")
'''


def _alembic_repo(path: Path, revisions: int, folder: str) -> Path:
    versions = path / folder
    versions.mkdir(parents=True)
    (versions / "0000_orders.py").write_text(
        REVISION.format(message="orders", revision="r0000", down="None", column="total").replace(
            'op.add_column("orders", sa.Column("total", sa.Integer(), nullable=True))',
            'op.create_table("orders", sa.Column("id", sa.BigInteger(), primary_key=True))',
        )
    )
    for n in range(1, revisions):
        (versions / f"{n:04d}_c{n}.py").write_text(
            REVISION.format(message=f"c{n}", revision=f"r{n:04d}", down=f'"r{n - 1:04d}"', column=f"c{n}")
        )
    git(path, "init", "-q", "-b", "main")
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "history")
    git(path, "checkout", "-q", "-b", "feature")
    (versions / f"{revisions:04d}_drop.py").write_text(
        REVISION.format(
            message="drop", revision=f"r{revisions:04d}", down=f'"r{revisions - 1:04d}"', column="c1"
        ).replace(
            'op.add_column("orders", sa.Column("c1", sa.Integer(), nullable=True))',
            'op.drop_column("orders", "c1")',
        )
    )
    git(path, "add", "-A")
    git(path, "commit", "-q", "-m", "drop c1")
    return path


@pytest.mark.parametrize(("revisions", "folder"), [(60, "migrations/versions"), (90, "db/alembic/versions")])
def test_a_long_history_is_read_in_a_few_git_processes(tmp_path: Path, revisions: int, folder: str) -> None:
    repo = _alembic_repo(tmp_path / "repo", revisions, folder)
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = shutil.which("git")
    assert real is not None
    (shim / "git").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "MIGRATION_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [CLI, "review", "--repo", str(repo), "--base", "main", "--format", "json", "--exit-zero"]
    # cold, then with the replay of the base kept (the history's files are then not read ahead for it)
    for _ in range(2):
        log.write_text("")
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
        assert "column-dropped" in {f["rule"] for f in json.loads(done.stdout)["findings"]}
        reads = [line for line in log.read_text().splitlines() if "cat-file" in line]
        assert len(reads) < 20, f"{len(reads)} git cat-file processes for {revisions} revisions"


def _git_log_env(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose `git` writes each of its command lines to the returned log first."""
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = shutil.which("git")
    assert real is not None
    (shim / "git").write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    (shim / "git").chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
        "MIGRATION_REVIEW_CACHE_DIR": str(tmp_path / "cache"),
    }
    return env, log


def _cat_files(repo: Path, env: dict[str, str], log: Path) -> tuple[set[str], int]:
    """The rules of a review of the branch `feature` against `main`, read from git (the checkout is on
    `main`, as a server's mirror holds neither), and the `git cat-file` processes it ran."""
    git(repo, "checkout", "-q", "main")
    log.write_text("")
    command = [CLI, "review", "--repo", str(repo), "--base", "main", "--head", "feature", "--format", "json"]
    command.append("--exit-zero")
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    reads = [line for line in log.read_text().splitlines() if "cat-file" in line]
    return {f["rule"] for f in json.loads(done.stdout)["findings"]}, len(reads)


PRISMA_SCHEMA = """datasource db {{
  provider = "postgresql"
  url      = env("DATABASE_URL")
}}

model {model} {{
  id    Int    @id
  {column} String?
}}
"""


@pytest.mark.parametrize(("packages", "model"), [(60, "Invoice"), (90, "Ticket")])
def test_the_schemas_of_a_db_push_monorepo_are_read_in_a_few_git_processes(
    tmp_path: Path, packages: int, model: str
) -> None:
    """Each package's `.prisma` schema (no Prisma Migrate history: `db push`) was read with a process of its
    own, for the base and for the head (490 processes on a review of prisma/prisma)."""
    repo = tmp_path / "repo"
    for n in range(packages):
        folder = repo / f"packages/p{n:03d}/prisma"
        folder.mkdir(parents=True)
        (folder / "schema.prisma").write_text(PRISMA_SCHEMA.format(model=f"{model}{n}", column="memo"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "schemas")
    git(repo, "checkout", "-q", "-b", "feature")
    changed = repo / "packages/p000/prisma/schema.prisma"
    changed.write_text(changed.read_text().replace("  memo String?\n", ""))
    git(repo, "commit", "-q", "-am", "drop memo")
    env, log = _git_log_env(tmp_path)
    rules, reads = _cat_files(repo, env, log)
    assert "column-dropped" in rules
    assert reads < 20, f"{reads} git cat-file processes for {packages} schemas"


FIXTURE = '[{{"model": "{app}.{model}", "pk": {n}, "fields": {{"name": "n{n}", "memo": "m{n}"}}}}]\n'


@pytest.mark.parametrize(("fixtures", "app"), [(60, "shop"), (90, "billing")])
def test_the_fixtures_of_a_django_project_are_read_in_a_few_git_processes(
    tmp_path: Path, fixtures: int, app: str
) -> None:
    """Every fixture file the word search does not read (one under a `*_migrations/` folder, as the data
    migrations load them) was read with a process of its own when a change drops a column (212 processes on a
    review of prisma/prisma, whose fixtures are under `migrations/`)."""
    repo = tmp_path / "repo"
    (repo / app / "migrations").mkdir(parents=True)
    (repo / app / "__init__.py").write_text("")
    (repo / app / "migrations" / "__init__.py").write_text("")
    (repo / app / "models.py").write_text(
        "from django.db import models\n\n\nclass Entry(models.Model):\n"
        "    name = models.CharField(max_length=20)\n    memo = models.TextField(null=True)\n"
    )
    (repo / app / "migrations" / "0001_initial.py").write_text(
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = [\n"
        "        migrations.CreateModel(\n            name='Entry',\n            fields=[\n"
        "                ('id', models.BigAutoField(primary_key=True)),\n"
        "                ('name', models.CharField(max_length=20)),\n"
        "                ('memo', models.TextField(null=True)),\n            ],\n        ),\n    ]\n"
    )
    (repo / app / "fixtures" / "data_migrations").mkdir(parents=True)
    for n in range(fixtures):
        (repo / app / "fixtures" / "data_migrations" / f"f{n:03d}.json").write_text(
            FIXTURE.format(app=app, model="entry", n=n)
        )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "app")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / app / "models.py").write_text(
        (repo / app / "models.py").read_text().replace("    memo = models.TextField(null=True)\n", "")
    )
    (repo / app / "migrations" / "0002_remove_entry_memo.py").write_text(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = [('{app}', '0001_initial')]\n"
        "    operations = [migrations.RemoveField(model_name='entry', name='memo')]\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop memo")
    env, log = _git_log_env(tmp_path)
    rules, reads = _cat_files(repo, env, log)
    assert "column-dropped" in rules
    assert reads < 20, f"{reads} git cat-file processes for {fixtures} fixtures"


RAILS_MIGRATION = """class {name} < ActiveRecord::Migration[7.1]
  def up
    {statement}
  end

  def down
    raise ActiveRecord::IrreversibleMigration
  end
end
"""


@pytest.mark.parametrize(("models", "namespace"), [(60, "billing"), (90, "shop")])
def test_the_models_of_a_rails_history_are_read_in_a_few_git_processes(
    tmp_path: Path, models: int, namespace: str
) -> None:
    """The models a history's `destroy_all` runs through (read for their `dependent:` associations) and the
    models a namespace prefixes were read with a process of their own each (798 processes on a review of
    spree, 6 s of its 19 s under the profiler)."""
    repo = tmp_path / "repo"
    (repo / "db/migrate").mkdir(parents=True)
    (repo / f"app/models/{namespace}").mkdir(parents=True)
    (repo / f"app/models/{namespace}.rb").write_text(
        f"module {namespace.title()}\n  def self.table_name_prefix\n    '{namespace}_'\n  end\nend\n"
    )
    for n in range(models):
        (repo / f"app/models/{namespace}/item{n:03d}.rb").write_text(
            f"class {namespace.title()}::Item{n:03d} < ApplicationRecord\n  has_many :notes, dependent: :destroy\nend\n"
        )
    (repo / "app/models/post.rb").write_text(
        "class Post < ApplicationRecord\n  has_many :comments, dependent: :destroy\nend\n"
    )
    (repo / "db/migrate/20260101000000_create_posts.rb").write_text(
        RAILS_MIGRATION.format(
            name="CreatePosts",
            statement="create_table :posts do |t|\n      t.string :title\n      t.boolean :spam\n    end",
        ).replace("  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\n", "")
    )
    for n in range(1, 6):  # data migrations that destroy rows through the model
        (repo / f"db/migrate/2026010{n}000000_purge_spam{n}.rb").write_text(
            RAILS_MIGRATION.format(name=f"PurgeSpam{n}", statement="Post.where(spam: true).destroy_all")
        )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "history")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "db/migrate/20260201000000_remove_title.rb").write_text(
        "class RemoveTitle < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :posts, :title, :string\n  end\nend\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop title")
    env, log = _git_log_env(tmp_path)
    rules, reads = _cat_files(repo, env, log)
    assert "column-dropped" in rules
    assert reads < 20, f"{reads} git cat-file processes for {models} models"
