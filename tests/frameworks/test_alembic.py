"""Alembic revisions: detection, `op.*` at their lines, batch tables, autocommit blocks, downgrade."""

from __future__ import annotations

import pytest

from bot.frameworks import alembic, detect, detect_dialect
from bot.model.changeset import MemoryTree
from bot.model.config import Config
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DataUpdate,
    DropColumn,
    DropConstraint,
    Migration,
    RenameColumn,
    RunCode,
    SetDefault,
    SetNotNull,
    Unparsed,
    transaction_flags,
)
from tests.conftest import review_sql, rule_ids

PATH = "migrations/versions/3f2a_change_orders.py"
HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a"\ndown_revision = "1b0c"\n\n\n'


def _parse(upgrade: str, downgrade: str = "    op.drop_column('orders', 'note')\n") -> Migration:
    text = f"{HEAD}def upgrade():\n{upgrade}\n\ndef downgrade():\n{downgrade}"
    return alembic.parse(PATH, text, MemoryTree(), "postgres")


def test_detects_revisions() -> None:
    text = f"{HEAD}def upgrade():\n    pass\n"
    assert getattr(detect(PATH, text, Config()), "NAME", None) == alembic.NAME
    assert detect("app/models.py", "def upgrade():\n    pass\n", Config()) is None
    assert _parse("    pass\n").version == "3f2a"


def test_directives_at_their_lines() -> None:
    migration = _parse(
        "    op.add_column('orders', sa.Column('note', sa.Text(), nullable=True))\n"
        "    op.alter_column('orders', 'status', nullable=False, type_=sa.String(40),\n"
        "                    server_default=sa.text(\"'open'\"), new_column_name='state')\n"
        "    with op.batch_alter_table('orders') as batch_op:\n"
        "        batch_op.drop_column('legacy')\n"
        "    op.create_index('ix_orders_state', 'orders', ['state'], unique=True)\n"
    )
    kinds = [(op.location.line, type(op)) for op in migration.up]
    assert kinds == [
        (9, AddColumn),
        (10, AlterColumnType),
        (10, SetNotNull),
        (10, SetDefault),
        (10, RenameColumn),
        (13, DropColumn),
        (14, AddIndex),
    ]
    alter = migration.up[1]
    assert isinstance(alter, AlterColumnType) and alter.new_type == "varchar(40)"
    drop = migration.up[5]
    assert isinstance(drop, DropColumn) and drop.table == "orders"


def test_sql_through_execute_and_the_connection() -> None:
    migration = _parse(
        "    op.execute(\"UPDATE orders SET note = ''\")\n"
        "    conn = op.get_bind()\n"
        '    conn.execute(sa.text("""\n        UPDATE orders\n        SET note = NULL\n    """))\n'
        "    for row in conn.execute(sa.text('SELECT id FROM orders')).fetchall():\n"
        "        send(row)\n"
    )
    first, second = (op for op in migration.up if isinstance(op, DataUpdate))
    assert first.location.line == 9 and second.location.line == 12


def test_other_python_is_code_and_computed_sql_is_unparsed() -> None:
    migration = _parse("    helpers.backfill(sa.table('orders'))\n    op.execute(build_sql())\n")
    code, unparsed = migration.up
    assert isinstance(code, RunCode) and code.touches == ("orders",) and code.location.line == 9
    assert isinstance(unparsed, Unparsed) and unparsed.location.line == 10


def test_autocommit_block_runs_outside_the_transaction() -> None:
    migration = _parse(
        "    op.add_column('orders', sa.Column('note', sa.Text()))\n"
        "    with op.get_context().autocommit_block():\n"
        "        op.create_index('ix', 'orders', ['note'], postgresql_concurrently=True)\n"
    )
    assert not migration.in_transaction
    flags = {op.kind: flag for op, flag in zip(migration.up, transaction_flags(migration), strict=True)}
    assert flags["AddColumn"] and not flags["AddIndex"]
    assert _parse("    pass\n").in_transaction


def test_downgrade_that_does_nothing_is_no_way_back() -> None:
    assert _parse("    pass\n", '    """Nothing."""\n    pass\n').down is None
    assert "does nothing" in _parse("    pass\n", "    pass\n").irreversible_reason
    assert _parse("    pass\n", "    raise NotImplementedError()\n").down is None
    reversible = _parse("    pass\n")
    assert reversible.down is not None and [op.kind for op in reversible.down] == ["DropColumn"]


def test_syntax_error_is_a_finding_not_a_crash() -> None:
    migration = alembic.parse(PATH, f"{HEAD}def upgrade(:\n    pass\n", MemoryTree(), "postgres")
    assert isinstance(migration.up[0], Unparsed) and migration.up[0].location.line == 8


def test_dialect_from_alembic_ini() -> None:
    tree = MemoryTree({"alembic.ini": "[alembic]\nsqlalchemy.url = mysql+pymysql://db/shop\n"})
    assert detect_dialect(tree, []) == "mysql"


def test_suppression_comment_in_python() -> None:
    migration = _parse(
        "    # migration-review: ignore column-dropped nothing reads it since 3.2\n"
        "    op.drop_column('orders', 'legacy')\n"
    )
    (suppression,) = migration.suppressions
    assert suppression.applies_to == migration.up[0].location.line == 10


@pytest.mark.parametrize(
    ("constant", "generator", "tables"),
    [
        ('TABLES = ("orders", "invoices")\n', "TABLES", ["orders", "invoices"]),
        ("", '["refunds", "orders", "carts"]', ["refunds", "orders", "carts"]),
    ],
)
def test_a_loop_over_table_names_is_written_out_once_per_table(
    constant: str, generator: str, tables: list[str]
) -> None:
    upgrade = (
        f"    for table in {generator}:\n"
        '        op.create_index(f"ix_{table}_status", table, ["status"])\n'
        "        op.execute(f\"ALTER TABLE {table} ADD CONSTRAINT {table}_status_check CHECK (status <> '')\")\n"
    )
    text = f"{HEAD}{constant}\n\ndef upgrade():\n{upgrade}\n\ndef downgrade():\n    pass\n"
    migration = alembic.parse(PATH, text, MemoryTree(), "postgres")
    indexes = [op for op in migration.up if isinstance(op, AddIndex)]
    assert [(op.table, op.name) for op in indexes] == [(t, f"ix_{t}_status") for t in tables]
    assert [op.table for op in migration.up if isinstance(op, AddConstraint)] == tables
    computed = alembic.parse(
        PATH, text.replace(f"in {generator}:", "in inspector.get_table_names():"), MemoryTree(), "postgres"
    )
    assert not [op for op in computed.up if isinstance(op, AddIndex) and op.table in tables]


@pytest.mark.parametrize("table", ["user", "repository", "orders"])
def test_a_revision_whose_runner_hands_op_to_upgrade_is_read(table: str) -> None:
    """No `from alembic import op`: the runner passes `op` in (`upgrade(op, tables, tester)`); the generated
    comment still names Alembic, with a capital."""
    text = (
        f'"""add index\n\nRevision ID: 3f2a\n"""\n\n# revision identifiers, used by Alembic.\n'
        f'revision = "3f2a"\ndown_revision = "1b0c"\n\n\ndef upgrade(op, tables, tester):\n'
        f'    op.create_index("{table}_name_idx", "{table}", ["name"])\n\n\n'
        f'def downgrade(op, tables, tester):\n    op.drop_index("{table}_name_idx", table_name="{table}")\n'
    )
    assert getattr(detect(PATH, text, Config()), "NAME", None) == alembic.NAME
    [index] = alembic.parse(PATH, text, MemoryTree(), "postgres").up
    assert isinstance(index, AddIndex) and index.table == table and not index.concurrently


@pytest.mark.parametrize(("table", "column"), [("events", "duration"), ("orders", "total")])
def test_an_f_string_built_from_local_strings_is_read(table: str, column: str) -> None:
    """`cond = '''WHERE …'''` then `op.execute(f"UPDATE … {cond}")`: the names the function binds to strings are
    known, so the statement is read rather than left unparsed."""
    from tests.conftest import review_sql

    text = (
        'revision = "002"\ndown_revision = "001"\n\nfrom alembic import op\n\n\ndef upgrade():\n'
        f"    cond = '''WHERE {column} < 0'''\n"
        f"    target = '{table}'\n"
        f'    op.execute(f"UPDATE {{target}} SET {column} = 0 {{cond}}")\n\n\ndef downgrade():\n    pass\n'
    )
    review = review_sql(
        text,
        path="migrations/versions/002_fix.py",
        base={
            "alembic.ini": "[alembic]\nscript_location = migrations\n",
            "migrations/versions/001_init.py": (
                'revision = "001"\ndown_revision = None\n\nfrom alembic import op\n\n\ndef upgrade():\n'
                f'    op.execute("CREATE TABLE {table} (id bigint PRIMARY KEY, {column} integer)")\n'
            ),
        },
    )
    rules = {f.rule for f in review.active}
    assert "unparsed-statement" not in rules
    [finding] = [f for f in review.active if f.rule == "unbatched-data-change"]
    assert f"`UPDATE {table}`" in finding.message and f"{column} < 0" in finding.message


@pytest.mark.parametrize(
    ("schema", "table", "other"), [("events", "sessions", "rooms"), ("billing", "invoices", "customers")]
)
def test_a_directive_in_a_schema_names_the_table_in_that_schema(schema: str, table: str, other: str) -> None:
    """`schema="events"` on a directive (or on `batch_alter_table`) puts its table in that schema, as the SQL it
    sends does; a directive without one keeps the bare name."""
    migration = _parse(
        f"    op.create_check_constraint('positive', '{table}', 'amount > 0', schema='{schema}')\n"
        f"    op.add_column('{table}', sa.Column('note', sa.Text()), schema='{schema}')\n"
        f"    op.create_index('ix_note', '{table}', ['note'], schema='{schema}')\n"
        f"    op.create_foreign_key('fk_other', '{table}', '{other}', ['{other}_id'], ['id'],"
        f" source_schema='{schema}', referent_schema='public')\n"
        f"    with op.batch_alter_table('{table}', schema='{schema}') as batch_op:\n"
        "        batch_op.drop_column('legacy')\n"
        f"    op.drop_column('{other}', 'legacy')\n"
    )
    tables = [(type(op).__name__, op.table) for op in migration.up]
    assert tables == [
        ("AddConstraint", f"{schema}.{table}"),
        ("AddColumn", f"{schema}.{table}"),
        ("AddIndex", f"{schema}.{table}"),
        ("AddConstraint", f"{schema}.{table}"),
        ("DropColumn", f"{schema}.{table}"),
        ("DropColumn", other),
    ]
    key = migration.up[3]
    assert isinstance(key, AddConstraint) and key.references == f"public.{other}"


@pytest.mark.parametrize(("table", "column"), [("orders", "status"), ("invoices", "state")])
def test_sqlalchemy_bind_parameters_are_values_the_code_fills_in(table: str, column: str) -> None:
    """`sa.text("… WHERE id > :lo AND id < :hi")` in a loop over key ranges: the binds are values, so the
    statement is read (not unparsed) and is a batch; a `:word` inside a string literal and a `::` cast stay."""
    from tests.conftest import review_sql

    text = (
        'revision = "002"\ndown_revision = "001"\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n\n'
        "def upgrade():\n    conn = op.get_bind()\n    for start in range(0, 100000, 1000):\n"
        f"        conn.execute(sa.text(\"UPDATE {table} SET {column} = 'note:done'::text WHERE id >= :lo AND id < :hi\"),"
        " {'lo': start, 'hi': start + 1000})\n\n\ndef downgrade():\n    pass\n"
    )
    base = {"db/structure.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20));\n"}
    result = review_sql(text, path="alembic/versions/002_fill.py", base=base)
    rules = {f.rule for f in result.active}
    assert "unparsed-statement" not in rules and "unbatched-data-change" not in rules
    [down] = [f for f in result.active if f.rule == "missing-down-migration"]
    assert f"UPDATE {table}" in down.message or "for start" in down.message


_DIALECT_BRANCHES = '''"""flag

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from sqlalchemy import orm
from alembic import op

revision = "0002"
down_revision = "0001"


def is_postgres():
    return op.get_context().dialect.name == "postgresql"


def upgrade():
    with op.batch_alter_table("{table}"{recreate}) as batch_op:
        batch_op.add_column(sa.Column("{column}", sa.Boolean(), nullable=True))
    session = orm.Session(bind=op.get_bind())
    with session:
        if is_postgres():
            stmt = "UPDATE {table} SET {column} = FALSE"
        else:
            stmt = "UPDATE {table} SET {column} = 0"
        session.execute(sa.text(stmt))
    with op.batch_alter_table("{table}"{recreate}) as batch_op:
        batch_op.alter_column("{column}", nullable=False)


def downgrade():
    with op.batch_alter_table("{table}") as batch_op:
        batch_op.drop_column("{column}")
'''


@pytest.mark.parametrize(("table", "column"), [("foods", "on_hand"), ("users", "is_admin")])
def test_sql_bound_to_a_name_in_the_branch_for_this_database_is_read(table: str, column: str) -> None:
    """`stmt = "…"` in `if is_postgres():` / `else:`, then `session.execute(sa.text(stmt))`: the statement of
    the branch that runs on the database under review, not an unreadable one."""
    text = _DIALECT_BRANCHES.format(table=table, column=column, recreate="")
    for dialect, value in (("postgres", "FALSE"), ("sqlite", "0")):
        migration = alembic.parse(PATH, text, MemoryTree(), dialect)
        [update] = [op for op in migration.up if isinstance(op, DataUpdate)]
        assert update.table == table and update.assignments == ((column, value),), update
        assert not [op for op in migration.up if isinstance(op, Unparsed)]


@pytest.mark.parametrize(("table", "column"), [("foods", "on_hand"), ("users", "is_admin")])
def test_batch_mode_rebuilds_what_sqlite_cannot_alter(table: str, column: str) -> None:
    base = {
        "migrations/versions/0001_init.py": (
            '"""init\n\nRevision ID: 0001\nRevises:\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }

    def rules(recreate: str) -> set[str]:
        text = _DIALECT_BRANCHES.format(table=table, column=column, recreate=recreate)
        return rule_ids(review_sql(text, path=PATH, base=base, dialect="sqlite"))

    assert "sqlite-alter-unsupported" not in rules("")
    assert "sqlite-alter-unsupported" not in rules(', recreate="auto"')
    assert "sqlite-alter-unsupported" in rules(', recreate="never"')


# ---- statements guarded by what SQLAlchemy's inspector says -------------------------------------------------

_GUARDED_INIT = (
    '"""init\n\nRevision ID: 0001\nRevises:\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
    "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
    "    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True), sa.Column('{column}', sa.Text),"
    " sa.Column('{parent}_id', sa.Integer))\n"
    "    op.create_table('{parent}', sa.Column('id', sa.Integer, primary_key=True))\n"
    "    op.create_foreign_key('{table}_{parent}_id_fkey', '{table}', '{parent}', ['{parent}_id'], ['id'])\n\n\n"
    "def downgrade():\n    op.drop_table('{table}')\n"
)
_GUARDED = (
    '"""change\n\nRevision ID: 0002\nRevises: 0001\n"""\nimport sqlalchemy as sa\nfrom alembic import op\n'
    "from sqlalchemy.engine.reflection import Inspector\n\n"
    "revision = '0002'\ndown_revision = '0001'\n\n\n{helper}def upgrade():\n{upgrade}\n\ndef downgrade():\n"
    "    op.drop_constraint(None, '{table}', type_='foreignkey')\n"
)
GUARD_NAMES = [("orders", "note", "customer"), ("tickets", "summary", "queue")]


def _drop_and_add_key(table: str, parent: str, guard: str) -> str:
    key = f"{table}_{parent}_id_fkey"
    drop = f"op.drop_constraint('{key}', '{table}', type_='foreignkey')"
    add = f"    op.create_foreign_key(None, '{table}', '{parent}', ['{parent}_id'], ['id'], ondelete='CASCADE')\n"
    if guard == "none":
        return f"    {drop}\n{add}"
    if guard == "names":
        return (
            "    conn = op.get_bind()\n    inspector = Inspector.from_engine(conn)\n"
            f"    keys = inspector.get_foreign_keys('{table}')\n    names = [k['name'] for k in keys]\n"
            f"    if '{key}' in names:\n        {drop}\n{add}"
        )
    return f"    if has_key('{table}', '{key}'):\n        {drop}\n{add}"  # a helper of the module


def _guarded_text(table: str, column: str, parent: str, guard: str) -> str:
    helper = (
        "def has_key(table, name):\n    inspector = sa.inspect(op.get_bind())\n"
        "    return any(k['name'] == name for k in inspector.get_foreign_keys(table))\n\n\n"
        if guard == "helper"
        else ""
    )
    return _GUARDED.format(helper=helper, upgrade=_drop_and_add_key(table, parent, guard), table=table)


@pytest.mark.parametrize(("table", "column", "parent"), GUARD_NAMES)
@pytest.mark.parametrize("guard", ["names", "helper"])
def test_a_statement_guarded_by_the_inspector_is_written_to_run_again(
    table: str, column: str, parent: str, guard: str
) -> None:
    text = _guarded_text(table, column, parent, guard)
    migration = alembic.parse(PATH, text, MemoryTree(), "postgres")
    # the questions to the inspector change nothing: no code left to check by hand
    assert not [op for op in migration.up if isinstance(op, RunCode)]
    [drop] = [op for op in migration.up if isinstance(op, DropConstraint)]
    assert drop.if_exists and drop.name == f"{table}_{parent}_id_fkey"
    unguarded = alembic.parse(PATH, _guarded_text(table, column, parent, "none"), MemoryTree(), "postgres")
    [plain] = [op for op in unguarded.up if isinstance(op, DropConstraint)]
    assert not plain.if_exists


@pytest.mark.parametrize(("table", "column", "parent"), GUARD_NAMES)
def test_an_applied_revision_edited_only_to_ask_the_inspector_first_is_a_note(
    table: str, column: str, parent: str
) -> None:
    base = {"alembic/versions/0001_init.py": _GUARDED_INIT.format(table=table, column=column, parent=parent)}
    path = "alembic/versions/0002_change.py"
    before = _guarded_text(table, column, parent, "none")
    for guard in ("names", "helper"):
        review = review_sql(
            _guarded_text(table, column, parent, guard), path=path, base=base, previous=before
        )
        [edited] = [f for f in review.active if f.rule == "applied-migration-edited"]
        assert edited.severity.value == "info" and "guards" in edited.message, edited.message
    # a guard that also changes what runs is still an edit of the schema
    other = _guarded_text(table, column, parent, "names").replace("ondelete='CASCADE'", "ondelete='SET NULL'")
    review = review_sql(other, path=path, base=base, previous=before)
    assert [f.severity.value for f in review.active if f.rule == "applied-migration-edited"] == ["critical"]


@pytest.mark.parametrize(("table", "column", "parent"), GUARD_NAMES)
def test_statements_the_inspector_guards_can_run_again_after_a_partial_failure_on_mysql(
    table: str, column: str, parent: str
) -> None:
    """MySQL commits every DDL statement: a revision that failed half-way is run again, and only what asks
    the inspector first gets past what the first run already did."""
    create = f"op.create_table('{parent}', sa.Column('id', sa.Integer, primary_key=True))"
    add = f"op.add_column('{table}', sa.Column('{column}', sa.Text()))"
    plain = f"    {create}\n    {add}\n"
    asked = (
        "    inspector = sa.inspect(op.get_bind())\n"
        f"    if not inspector.has_table('{parent}'):\n        {create}\n"
        f"    columns = {{c['name'] for c in inspector.get_columns('{table}')}}\n"
        f"    if '{column}' not in columns:\n        {add}\n"
    )
    base = {
        "alembic/versions/0001_init.py": (
            '"""init"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
            f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True))\n\n\n"
            f"def downgrade():\n    op.drop_table('{table}')\n"
        )
    }

    def robust(upgrade: str) -> list[str]:
        text = (
            '"""change"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            f"revision = '0002'\ndown_revision = '0001'\n\n\ndef upgrade():\n{upgrade}\n\n"
            f"def downgrade():\n    op.drop_column('{table}', '{column}')\n    op.drop_table('{parent}')\n"
        )
        found = review_sql(text, path="alembic/versions/0002_change.py", base=base, dialect="mariadb").active
        return [f.message for f in found if f.rule == "non-robust-statement"]

    assert len(robust(plain)) == 2
    assert robust(asked) == []


@pytest.mark.parametrize(
    ("table", "column", "limit"), [("events", "occurred_at", "1000000"), ("stagedresource", "urn", "LIMIT")]
)
def test_a_statement_run_only_below_a_row_count_the_revision_checks_first(
    table: str, column: str, limit: str
) -> None:
    """`if count < 1_000_000: op.create_index(…)`, larger tables left to a concurrent build elsewhere: the
    lock lasts as long as a table of at most that many rows takes."""
    index = f"op.create_index('ix_{table}_{column}', '{table}', ['{column}'])"

    def severities(upgrade: str) -> list[tuple[str, str]]:
        text = (
            '"""index"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
            "revision = '0002'\ndown_revision = '0001'\nLIMIT = 1000000\n\n\n"
            f"def upgrade():\n{upgrade}\n\ndef downgrade():\n    op.drop_index('ix_{table}_{column}', '{table}')\n"
        )
        base = {
            "alembic/versions/0001_init.py": (
                '"""init"""\nimport sqlalchemy as sa\nfrom alembic import op\n\n'
                "revision = '0001'\ndown_revision = None\n\n\ndef upgrade():\n"
                f"    op.create_table('{table}', sa.Column('id', sa.Integer, primary_key=True), "
                f"sa.Column('{column}', sa.Text))\n\n\ndef downgrade():\n    op.drop_table('{table}')\n"
            )
        }
        found = review_sql(text, path="alembic/versions/0002_index.py", base=base).active
        return [(f.severity.value, f.blast_radius) for f in found if f.rule == "non-concurrent-index"]

    count = (
        "    connection = op.get_bind()\n"
        f'    rows = connection.execute(sa.text("SELECT COUNT(*) FROM {table}")).scalar()\n'
    )
    [(severity, blast)] = severities(f"{count}    if rows < {limit}:\n        {index}\n")
    assert severity == "warning" and "fewer than 1,000,000 rows" in blast, blast
    [(severity, _)] = severities(f"{count}    if {limit} > rows:\n        {index}\n")
    assert severity == "warning"
    # unbounded, or bounded the other way, or counted on another table: the rule's own severity
    assert [s for s, _ in severities(f"    {index}\n")] == ["critical"]
    assert [s for s, _ in severities(f"{count}    if rows > {limit}:\n        {index}\n")] == ["critical"]
    other = count.replace(f"FROM {table}", "FROM audit_log")
    assert [s for s, _ in severities(f"{other}    if rows < {limit}:\n        {index}\n")] == ["critical"]


@pytest.mark.parametrize(
    ("table", "name", "bound"), [("accounts", "plan", "accounts_table"), ("tiers", "label", "_")]
)
def test_a_directive_whose_result_is_assigned_is_read(table: str, name: str, bound: str) -> None:
    """`accounts_table = op.create_table(…)` then `op.bulk_insert(accounts_table, […])` (Alembic's own
    example), or dispatch's `_ = op.create_table(…)`: the table is created and the rows go into it, as for
    the call written alone; a name bound to anything else stays code."""
    upgrade = (
        f"    {bound} = op.create_table('{table}', sa.Column('id', sa.Integer(), primary_key=True), "
        f"sa.Column('{name}', sa.String()))\n"
        f"    op.bulk_insert({bound}, [{{'id': 1, '{name}': 'free'}}])\n"
    )
    up = _parse(upgrade).up
    assert [(type(op).__name__, getattr(op, "table", "")) for op in up] == [
        ("CreateTable", table),
        ("DataInsert", table),
    ]
    alone = _parse(upgrade.replace(f"    {bound} = op.create_table", "    op.create_table")).up
    assert isinstance(alone[0], CreateTable) and alone[0].table == table
    computed = _parse(f"    {bound} = helpers.make_table('{table}')\n").up
    assert [type(op).__name__ for op in computed] == ["RunCode"]


@pytest.mark.parametrize(
    ("upgrade", "downgrade"),
    [
        (
            "    op.add_column('orders', sa.Column('note', sa.Text()))\n",
            "    op.drop_column('orders', 'note')\n",
        ),
        (
            "    op.create_table('invoices', sa.Column('id', sa.Integer(), primary_key=True))\n",
            "    op.drop_table('invoices')\n",
        ),
    ],
)
def test_a_replayed_revision_is_read_without_its_downgrade(upgrade: str, downgrade: str) -> None:
    """An earlier revision, replayed for the schema before the change, is read for its upgrade only (the
    same operations); the change's own revisions keep their downgrade."""
    from bot import frameworks

    text = f"{HEAD}def upgrade():\n{upgrade}\n\ndef downgrade():\n{downgrade}"
    read = frameworks.parse(alembic, PATH, text, MemoryTree(), "postgres")
    replayed = frameworks.parse(alembic, PATH, text, MemoryTree(), "postgres", replayed=True)
    assert replayed.up == read.up and len(read.up) == 1
    assert read.down is not None and len(read.down) == 1 and read.down_path == PATH
    assert replayed.down is None and replayed.down_path is None
