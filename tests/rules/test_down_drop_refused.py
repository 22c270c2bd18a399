"""down-drop-refused: a down that drops a table another table's foreign key still references."""

from __future__ import annotations

from typing import Any

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.review import review
from tests.conftest import review_sql

NAMES = [("teams", "users", "team_id"), ("folders", "documents", "folder_id")]


def _goose(parent: str, child: str, key: str, down: str) -> list[str]:
    sql = (
        f"CREATE TABLE {child} (id bigint PRIMARY KEY);\n-- migration\n-- +goose Up\n"
        f"CREATE TABLE {parent} (id bigint PRIMARY KEY);\n"
        f"ALTER TABLE {child} ADD COLUMN {key} bigint REFERENCES {parent} (id);\n-- +goose Down\n{down}"
    )
    result = review_sql(sql, path="db/migrations/20240101000000_add.sql", dialect="postgres")
    return [f.message for f in result.active if f.rule == "down-drop-refused"]


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_down_in_the_order_of_the_up_is_refused(pg: Any, parent: str, child: str, key: str) -> None:
    wrong = f"DROP TABLE {parent};\nALTER TABLE {child} DROP COLUMN {key};\n"
    [message] = _goose(parent, child, key, wrong)
    assert f"The down drops `{parent}` while `{child}.{key}` still references it" in message
    right = f"ALTER TABLE {child} DROP COLUMN {key};\nDROP TABLE {parent};\n"
    assert _goose(parent, child, key, right) == []
    assert (
        _goose(parent, child, key, f"DROP TABLE {parent} CASCADE;\nALTER TABLE {child} DROP COLUMN {key};\n")
        == []
    )
    pg.execute(f"CREATE TABLE {child} (id bigint PRIMARY KEY)")
    pg.execute(f"CREATE TABLE {parent} (id bigint PRIMARY KEY)")
    pg.execute(f"ALTER TABLE {child} ADD COLUMN {key} bigint REFERENCES {parent} (id)")
    with pytest.raises(Exception, match="depend"):
        pg.execute(f"DROP TABLE {parent}")


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_a_typeorm_down_dropping_the_new_table_first(parent: str, child: str, key: str) -> None:
    def migration(down: str) -> dict[str, str]:
        return {
            "src/migrations/1700000000001-Add.ts": (
                "import { MigrationInterface, QueryRunner } from 'typeorm';\n"
                "export class Add1700000000001 implements MigrationInterface {\n"
                "  public async up(q: QueryRunner): Promise<void> {\n"
                f'    await q.query(`CREATE TABLE "{parent}" ("id" SERIAL PRIMARY KEY)`);\n'
                f'    await q.query(`ALTER TABLE "{child}" ADD "{key}" integer REFERENCES "{parent}"("id")`);\n'
                "  }\n  public async down(q: QueryRunner): Promise<void> {\n"
                f"{down}  }}\n}}\n"
            )
        }

    base = {
        "ormconfig.json": '{"type": "postgres"}',
        "src/migrations/1700000000000-Init.ts": (
            "import { MigrationInterface, QueryRunner } from 'typeorm';\n"
            "export class Init1700000000000 implements MigrationInterface {\n"
            "  public async up(q: QueryRunner): Promise<void> {\n"
            f'    await q.query(`CREATE TABLE "{child}" ("id" SERIAL PRIMARY KEY)`);\n'
            f'  }}\n  public async down(q: QueryRunner): Promise<void> {{\n    await q.query(`DROP TABLE "{child}"`);\n  }}\n}}\n'
        ),
    }

    def found(down: str) -> list[str]:
        added = migration(down)
        changeset = ChangeSet(
            "base",
            "head",
            tuple(ChangedFile(p, "added", None, t) for p, t in added.items()),
            MemoryTree({**base, **added}),
            MemoryTree(base),
        )
        return [f.message for f in review(changeset).active if f.rule == "down-drop-refused"]

    wrong = f'    await q.query(`DROP TABLE "{parent}"`);\n    await q.query(`ALTER TABLE "{child}" DROP COLUMN "{key}"`);\n'
    assert len(found(wrong)) == 1
    right = f'    await q.query(`ALTER TABLE "{child}" DROP COLUMN "{key}"`);\n    await q.query(`DROP TABLE "{parent}"`);\n'
    assert found(right) == []


@pytest.mark.parametrize(("parent", "child", "key"), NAMES)
def test_an_alembic_key_named_with_op_f_is_dropped_by_that_name(parent: str, child: str, key: str) -> None:
    """`sa.ForeignKeyConstraint(…, name=op.f("fk_…"))` is the key `drop_constraint("fk_…")` removes: the table
    it referenced can then be dropped."""
    head = (
        '"""add\n\nRevision ID: b2\nRevises: a1\n"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        'revision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n'
        f'    op.create_table("{parent}", sa.Column("id", sa.Integer, primary_key=True))\n'
        f'    op.create_table("{child}", sa.Column("id", sa.Integer, primary_key=True), sa.Column("{key}", sa.Integer),\n'
        f'        sa.ForeignKeyConstraint(["{key}"], ["{parent}.id"], name=op.f("fk_{child}_{key}"), use_alter=True))\n\n\n'
        "def downgrade():\n"
        f'    op.drop_constraint("fk_{child}_{key}", "{child}")\n    op.drop_table("{parent}")\n    op.drop_table("{child}")\n'
    )
    base = {
        "alembic.ini": "[alembic]\nsqlalchemy.url = postgresql://x\n",
        "migrations/versions/a1_init.py": '"""init\n\nRevision ID: a1\nRevises:\n"""\nrevision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n',
    }
    path = "migrations/versions/b2_add.py"
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "added", None, head),),
        MemoryTree({**base, path: head}),
        MemoryTree(base),
    )
    assert [f for f in review(changeset).active if f.rule == "down-drop-refused"] == []
    unkeyed = head.replace(f'    op.drop_constraint("fk_{child}_{key}", "{child}")\n', "")
    changeset = ChangeSet(
        "base",
        "head",
        (ChangedFile(path, "added", None, unkeyed),),
        MemoryTree({**base, path: unkeyed}),
        MemoryTree(base),
    )
    assert len([f for f in review(changeset).active if f.rule == "down-drop-refused"]) == 1
