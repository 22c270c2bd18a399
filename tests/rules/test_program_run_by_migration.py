"""A migration that starts another program: reported in every framework that can, quiet for code that stays
in the migration."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

RULE = "program-run-by-migration"

DJANGO = (
    "import subprocess\n\nfrom django.db import migrations\n\n\n"
    "def forward(apps, schema_editor):\n    {call}\n\n\n"
    "class Migration(migrations.Migration):\n"
    '    dependencies = [("billing", "0001_initial")]\n'
    "    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]\n"
)
RAILS = "class BackfillDigests < ActiveRecord::Migration[7.1]\n  def up\n    {call}\n  end\n\n  def down\n  end\nend\n"
SEQUELIZE = (
    "module.exports = {{\n  async up(queryInterface) {{\n    {call}\n  }},\n  async down() {{}},\n}};\n"
)
ALEMBIC = (
    'revision = "ab12cd34ef56"\ndown_revision = None\n\nimport os\n\nfrom alembic import op\n\n\n'
    "def upgrade():\n    {call}\n\n\ndef downgrade():\n    pass\n"
)

STARTS = [
    (
        "billing/migrations/0002_hash.py",
        DJANGO,
        'subprocess.run(["python", "scripts/hash_keys.py"], check=True)',
    ),
    ("billing/migrations/0002_hash.py", DJANGO, 'call_command("rebuild_search_index")'),
    ("db/migrate/20240101000000_backfill_digests.rb", RAILS, "system('bin/rails runner scripts/digests.rb')"),
    ("db/migrate/20240101000000_backfill_digests.rb", RAILS, "Rake::Task['search:reindex'].invoke"),
    (
        "server/migrations/20240101000000-hash-keys.js",
        SEQUELIZE,
        "require('child_process').execFileSync('node', ['build/scripts/hash-keys.js'], { stdio: 'inherit' });",
    ),
    ("alembic/versions/ab12cd34ef56_hash.py", ALEMBIC, 'os.system("python scripts/hash_keys.py")'),
]
STAYS = [
    ("billing/migrations/0002_hash.py", DJANGO, 'print("hashing keys")'),
    ("db/migrate/20240101000000_backfill_digests.rb", RAILS, "say_with_time('digests') { 1 }"),
    ("server/migrations/20240101000000-hash-keys.js", SEQUELIZE, "console.log('hashing keys');"),
    (
        "alembic/versions/ab12cd34ef56_hash.py",
        ALEMBIC,
        'op.execute("UPDATE api_keys SET digest = md5(secret) WHERE digest IS NULL")',
    ),
]


@pytest.mark.parametrize(("path", "template", "call"), STARTS)
def test_a_program_the_migration_starts_is_reported(path: str, template: str, call: str) -> None:
    found = [f for f in review_sql(template.format(call=call), path=path).active if f.rule == RULE]
    assert len(found) == 1, call
    assert "starts another program" in found[0].message


@pytest.mark.parametrize(("path", "template", "call"), STAYS)
def test_code_that_stays_in_the_migration_is_not(path: str, template: str, call: str) -> None:
    assert RULE not in {f.rule for f in review_sql(template.format(call=call), path=path).active}
