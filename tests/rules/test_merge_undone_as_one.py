"""`data-lost-on-rollback` on a merge of values: an up that maps several old values to one (`WHERE status IN
('cancelled', 'refunded')`) and a down that writes one of them back to every merged row loses the others,
although the down writes the table. A down that restores one value the up renamed, or restores from a saved
copy, is quiet."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"t": "orders", "c": "status", "a": "cancelled", "b": "refunded", "to": "closed", "Model": "Order"},
    {"t": "tickets", "c": "state", "a": "wontfix", "b": "duplicate", "to": "rejected", "Model": "Ticket"},
]
SCHEMA = "CREATE TABLE {t} (id bigint PRIMARY KEY, {c} varchar(20) NOT NULL);\n"
UP = "UPDATE {t} SET {c} = '{to}' WHERE {c} IN ('{a}', '{b}') AND id >= 1 AND id < 1000"
UP_ONE = "UPDATE {t} SET {c} = '{to}' WHERE {c} = '{a}' AND id >= 1 AND id < 1000"
DOWN = "UPDATE {t} SET {c} = '{a}' WHERE {c} = '{to}' AND id >= 1 AND id < 1000"


def _goose(up: str, down: str) -> tuple[str, str]:
    return "db/migrations/002_merge.sql", f"-- +goose Up\n{up};\n-- +goose Down\n{down};\n"


def _rails(up: str, down: str) -> tuple[str, str]:
    return "db/migrate/20260101000000_merge.rb", (
        f'class Merge < ActiveRecord::Migration[7.1]\n  def up\n    execute "{up}"\n  end\n\n'
        f'  def down\n    execute "{down}"\n  end\nend\n'
    )


def _alembic(up: str, down: str) -> tuple[str, str]:
    return "alembic/versions/b2_merge.py", (
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        f'def upgrade():\n    op.execute("{up}")\n\n\ndef downgrade():\n    op.execute("{down}")\n'
    )


def _review(names: dict[str, str], framework, up: str, down: str) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(up.format(**names), down.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _merges(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "data-lost-on-rollback" and "merges" in f.message]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", [_goose, _rails, _alembic])
def test_a_merge_written_back_as_one_value(names, framework) -> None:  # type: ignore[no-untyped-def]
    [finding] = _merges(_review(names, framework, UP, DOWN))
    assert f"rows that held '{names['b']}' hold '{names['a']}'" in finding.message
    assert f"CREATE TABLE {names['t']}_{names['c']}_backup" in finding.fix
    assert not _merges(_review(names, framework, UP_ONE, DOWN))  # one value renamed: the down restores it


@pytest.mark.parametrize("names", NAMES)
def test_a_down_that_restores_from_a_saved_copy_is_quiet(names) -> None:  # type: ignore[no-untyped-def]
    up = "CREATE TABLE {t}_{c}_backup AS SELECT id, {c} FROM {t} WHERE {c} IN ('{a}', '{b}');\n" + UP
    down = "UPDATE {t} SET {c} = b.{c} FROM {t}_{c}_backup b WHERE b.id = {t}.id"
    assert not _merges(_review(names, _goose, up, down))
