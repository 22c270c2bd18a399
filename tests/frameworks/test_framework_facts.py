"""Each framework's own facts, read as its users know them: no false alarm for how the tool works."""

from __future__ import annotations

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Review
from bot.review import review
from tests.conftest import review_sql, rule_ids

SCHEMA = "CREATE TABLE orders (id bigint PRIMARY KEY, note text);\n-- migration\n"


def plan_text(result: Review) -> str:
    return "\n".join(step.text for step in result.rollback_plan)


def test_prisma_has_no_down_by_design_and_the_plan_says_how_to_go_back() -> None:
    result = review_sql(
        SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n",
        path="prisma/migrations/20260101000000_drop_note/migration.sql",
    )
    assert "missing-down-migration" not in rule_ids(result)
    assert "prisma migrate diff" in plan_text(result)
    assert "after the forward fix re-created" in plan_text(result)


def test_flyway_without_undo_gets_a_corrective_version_not_a_blocker() -> None:
    result = review_sql(
        SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n", path="db/migration/V2__drop_note.sql"
    )
    assert "missing-down-migration" not in rule_ids(result)
    assert "corrective version" in plan_text(result)


def test_sqitch_has_revert_so_a_missing_revert_is_still_a_finding() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders DROP COLUMN note;\n", path="deploy/drop_note.sql")
    assert "missing-down-migration" in rule_ids(result)


def _edit(path: str, before: str, after: str, status: str = "modified", old: str | None = None) -> Review:
    base = {
        "db/migrations/000001_orders.up.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, state text);\n"
    }
    base[old or path] = before
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, status, before, after, previous_path=old),),
        head_tree=MemoryTree({**{k: v for k, v in base.items() if k != old}, path: after}),
        base_tree=MemoryTree(base),
    )
    return review(changeset)


def test_editing_an_applied_migration_is_its_own_finding_and_the_rest_concerns_new_installs() -> None:
    path = "db/migrations/000002_index.up.sql"
    result = _edit(
        path,
        "CREATE INDEX CONCURRENTLY orders_state ON orders (state);\n",
        "CREATE INDEX orders_state ON orders (state);\n",
    )
    edited = [f for f in result.active if f.rule == "applied-migration-edited"]
    # the same index either way: the edit changes how new installs build it, not the schema they get
    assert len(edited) == 1 and edited[0].severity.value == "warning" and edited[0].line == 1
    assert "same schema" in edited[0].message and "new migration" in edited[0].fix
    index = next(f for f in result.active if f.rule == "non-concurrent-index")
    assert "reaches only new installs" in index.blast_radius
    assert index.severity.value == "info"  # a new install builds it on an empty table


def test_a_statement_of_an_edited_applied_migration_that_fails_anywhere_keeps_its_severity() -> None:
    path = "db/migrations/000002_index.up.sql"
    result = _edit(
        path,
        "CREATE INDEX orders_state ON orders (state);\n",
        "BEGIN;\nCREATE INDEX CONCURRENTLY orders_state ON orders (state);\nCOMMIT;\n",
    )
    failing = next(f for f in result.active if f.rule == "concurrent-in-transaction")
    assert failing.severity.value == "critical" and "reaches only new installs" in failing.blast_radius


def test_a_comment_only_edit_is_no_finding_and_a_rename_blocks_unless_it_can_run_again() -> None:
    """Renamed to another version, the migration runs again where the old one ran: a warning when it can (its
    statements guarded), a block when its unguarded CREATE INDEX fails there."""
    path = "db/migrations/000002_index.up.sql"
    sql = "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_state ON orders (state);\n"
    assert "applied-migration-edited" not in rule_ids(_edit(path, sql, "-- the state filter\n" + sql))
    renamed = _edit("db/migrations/000005_index.up.sql", sql, sql, "renamed", old=path)
    finding = next(f for f in renamed.active if f.rule == "applied-migration-edited")
    assert finding.severity.value == "warning" and path in finding.message
    unguarded = sql.replace(" IF NOT EXISTS", "")
    renamed = _edit("db/migrations/000005_index.up.sql", unguarded, unguarded, "renamed", old=path)
    finding = next(f for f in renamed.active if f.rule == "applied-migration-edited")
    assert (
        finding.severity.value == "critical" and "the index `orders_state` already exists" in finding.message
    )


def _alembic(revision: str, down: str, body: str) -> str:
    return (
        "from alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision = '{revision}'\ndown_revision = {down}\n\n\n"
        f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    pass\n"
    )


def test_alembic_revisions_run_in_down_revision_order_merges_after_their_branches() -> None:
    files = {
        "alembic/versions/0a1_add_total.py": _alembic(
            "f00d",
            "('beef', 'cafe')",
            "op.add_column('orders', sa.Column('total', sa.Integer(), nullable=False))",
        ),
        "alembic/versions/7c2_note.py": _alembic(
            "cafe", "'dead'", "op.add_column('orders', sa.Column('note', sa.Text(), nullable=False))"
        ),
        "alembic/versions/9e3_state.py": _alembic(
            "beef", "'dead'", "op.add_column('orders', sa.Column('state', sa.Text(), nullable=False))"
        ),
        "alembic/versions/ff4_orders.py": _alembic(
            "dead", "None", "op.create_table('orders', sa.Column('id', sa.Integer(), primary_key=True))"
        ),
    }
    changeset = ChangeSet(
        base="b",
        head="h",
        files=tuple(ChangedFile(p, "added", None, t) for p, t in files.items()),
        head_tree=MemoryTree(files),
    )
    result = review(changeset)
    assert [m.path.split("/")[-1] for m in result.migrations] == [
        "ff4_orders.py",
        "7c2_note.py",
        "9e3_state.py",
        "0a1_add_total.py",
    ]
    assert "not-null-without-default" not in rule_ids(result)  # the table is new when its columns are added


SQLITE_REBUILD = (
    'CREATE TABLE "new__shop_order" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "state" varchar(20) NOT NULL);\n'
    'INSERT INTO "new__shop_order" ("id", "state") SELECT "id", "state" FROM "shop_order";\n'
    'DROP TABLE "shop_order";\n'
    'ALTER TABLE "new__shop_order" RENAME TO "shop_order";\n'
)
ORDER_SCHEMA = "CREATE TABLE shop_order (id integer PRIMARY KEY, state varchar(20));\n-- migration\n"
CODE = {"shop/views.py": "rows = connection.execute('SELECT state FROM shop_order')\n"}


def test_sqlite_table_rebuild_is_no_dropped_table() -> None:
    """Django's SQLite schema editor alters a table by rebuilding it; `sqlmigrate` prints these statements."""
    result = review_sql(ORDER_SCHEMA + SQLITE_REBUILD, dialect="sqlite", head=CODE)
    assert {"table-dropped", "missing-down-migration", "table-renamed"}.isdisjoint(rule_ids(result))
    assert result.approval == "APPROVED", result.reasons


def test_sqlite_rebuild_inside_a_django_run_sql_is_no_dropped_table() -> None:
    statements = ", ".join(repr(s + ";") for s in SQLITE_REBUILD.strip().split(";\n") if s)
    migration = (
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')]\n"
        f"    operations = [migrations.RunSQL([{statements}], reverse_sql=migrations.RunSQL.noop)]\n"
    )
    result = review_sql(
        migration, path="shop/migrations/0002_rebuild.py", dialect="sqlite", base={"schema.sql": ORDER_SCHEMA}
    )
    assert "table-dropped" not in rule_ids(result)


def test_a_drop_without_the_copy_is_still_a_dropped_table() -> None:
    lossy = SQLITE_REBUILD.replace(
        'INSERT INTO "new__shop_order" ("id", "state") SELECT "id", "state" FROM "shop_order";\n', ""
    )
    assert "table-dropped" in rule_ids(review_sql(ORDER_SCHEMA + lossy, dialect="sqlite", head=CODE))


def _django(name: str, operations: str, extra: str = "") -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"{extra}    dependencies = []\n    operations = [\n        {operations},\n    ]\n"
    )


def test_a_squash_of_applied_django_migrations_is_no_new_change() -> None:
    initial = _django("0001", "migrations.CreateModel('Order', [('id', models.AutoField(primary_key=True))])")
    drop = _django("0002", "migrations.RemoveField('order', 'note')")
    squash = _django(
        "0001_squashed",
        "migrations.CreateModel('Order', [('id', models.AutoField(primary_key=True))]),\n"
        "        migrations.DeleteModel('Legacy')",
        "    replaces = [('shop', '0001_initial'), ('shop', '0002_drop_note')]\n",
    )
    base = {"shop/migrations/0001_initial.py": initial, "shop/migrations/0002_drop_note.py": drop}
    path = "shop/migrations/0001_squashed_0002_drop_note.py"
    changeset = ChangeSet(
        base="b",
        head="h",
        files=(ChangedFile(path, "added", None, squash),),
        head_tree=MemoryTree({**base, path: squash}),
        base_tree=MemoryTree(base),
    )
    result = review(changeset)
    assert result.approval == "APPROVED" and not result.active
    assert any("squashes 2 migrations" in note for note in result.notes)
    fresh = ChangeSet(base="b", head="h", files=changeset.files, head_tree=MemoryTree({path: squash}))
    assert "table-dropped" in rule_ids(review(fresh))  # replacing nothing applied: a change like any other


ADD_NOTE = (
    "class AddNoteToOrders < ActiveRecord::Migration[7.1]\n  def change\n"
    "    add_column :orders, :note, :text\n    add_index :orders, :note, algorithm: :concurrently\n  end\nend\n"
)


def _rails(body: str, base: dict[str, str] | None = None) -> Review:
    path = "db/migrate/20260301000000_undo_note.rb"
    text = f"class UndoNote < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n  def change\n    {body}\n  end\nend\n"
    files = {
        "db/schema.rb": 'ActiveRecord::Schema[7.1].define do\n  create_table "orders" do |t|\n'
        '    t.text "note"\n  end\nend\n',
        **(base or {}),
    }
    return review(
        ChangeSet(
            base="b",
            head="h",
            files=(ChangedFile(path, "added", None, text),),
            head_tree=MemoryTree({**files, path: text}),
            base_tree=MemoryTree(files),
        )
    )


def test_rails_revert_block_is_read_as_the_inverse_of_its_statements() -> None:
    result = _rails("revert do\n      add_column :orders, :note, :text\n    end")
    assert "column-dropped" in rule_ids(result)
    summary = result.migrations[0]
    assert summary.has_down and summary.operations == 1
    assert not any(f.rule == "unparsed-statement" for f in result.active)


def test_rails_revert_of_a_migration_runs_its_way_back() -> None:
    result = _rails("revert AddNoteToOrders", {"db/migrate/20260201000000_add_note_to_orders.rb": ADD_NOTE})
    found = {f.rule: f for f in result.active}
    assert "column-dropped" in found and found["column-dropped"].path.endswith("_undo_note.rb")
    assert found["column-dropped"].line == 4
    assert result.migrations[0].has_down


_SEQUELIZE = """module.exports = {{
  up: async (queryInterface, Sequelize) => {{
    await queryInterface.addColumn("{table}", "published_at", {{ type: Sequelize.{kind}, allowNull: true }});
    {binding} = await queryInterface.sequelize.query(`SELECT id FROM {table}`);
  }},
  down: async (queryInterface) => {{
    await queryInterface.removeColumn("{table}", "published_at");
  }},
}};
"""


def test_a_clean_up_around_the_same_statements_is_a_warning_and_a_changed_statement_critical() -> None:
    for table in ("documents", "teams"):
        path = f"server/migrations/20180115021837-{table}.js"
        before = _SEQUELIZE.format(table=table, kind="DATE", binding="const [rows, metaData]")
        tidy = _SEQUELIZE.format(table=table, kind="DATE", binding="const [rows]")
        [finding] = [f for f in _edit(path, before, tidy).active if f.rule == "applied-migration-edited"]
        assert finding.severity.value == "warning" and "the same before and after" in finding.message
        changed = _SEQUELIZE.format(table=table, kind="STRING", binding="const [rows]")
        [finding] = [f for f in _edit(path, before, changed).active if f.rule == "applied-migration-edited"]
        assert finding.severity.value == "critical"


def test_of_an_edited_applied_migration_only_the_statements_the_edit_touched_are_reviewed() -> None:
    path = "db/migrations/000002_backfill.up.sql"
    before = (
        "UPDATE orders SET state = 'open' WHERE state IS NULL;\n"
        "ALTER TABLE orders ADD COLUMN note text;\nCREATE INDEX orders_note ON orders (note);\n"
    )
    # Reformatted only (the statements read the same): nothing of the old statements comes back, and the
    # data change that ran on production long ago is not this change's to verify.
    reformatted = _edit(path, before, before.replace("SET state", "SET\n  state").replace(" ON ", "\n  ON "))
    assert reformatted.approval == "APPROVED" and not reformatted.active
    # One statement added: its findings, and the edit itself; the untouched statements stay quiet.
    grown = _edit(path, before, before + "CREATE INDEX orders_state_idx ON orders (state);\n")
    lines = {f.line for f in grown.active if f.rule != "applied-migration-edited"}
    assert lines == {4}, [(f.rule, f.line) for f in grown.active]
    assert any(f.rule == "applied-migration-edited" for f in grown.active)


_KNEX_BEFORE = """import { Knex } from 'knex';

export async function up(db: Knex): Promise<any> {
\tawait db.schema.alterTable('{table}', function(table: Knex.CreateTableBuilder) {
\t\ttable.integer('{column}').defaultTo(0).notNullable();
\t});
}

export async function down(db: Knex): Promise<any> {
\tawait db.schema.alterTable('{table}', function(table: Knex.CreateTableBuilder) {
\t\ttable.dropColumn('{column}');
\t});
}
"""


def test_a_linters_rewrite_of_an_applied_migrations_form_is_a_warning() -> None:
    for table, column in [("users", "max_item_size"), ("shares", "recursive")]:
        path = f"packages/server/src/migrations/20210517173042_{column}.ts"
        before = _KNEX_BEFORE.replace("{table}", table).replace("{column}", column)
        arrows = (
            before.replace(
                "export async function up(db: Knex): Promise<any> {",
                "export const up = async (db: Knex) => {",
            )
            .replace(
                "export async function down(db: Knex): Promise<any> {",
                "export const down = async (db: Knex) => {",
            )
            .replace("function(table: Knex.CreateTableBuilder) {", "(table: Knex.CreateTableBuilder) => {")
            .replace("'", '"')
        )
        [finding] = [f for f in _edit(path, before, arrows).active if f.rule == "applied-migration-edited"]
        assert finding.severity.value == "info" and "only the form of its code" in finding.message
        changed = arrows.replace("defaultTo(0)", "defaultTo(1)")
        [finding] = [f for f in _edit(path, before, changed).active if f.rule == "applied-migration-edited"]
        assert finding.severity.value == "critical"
