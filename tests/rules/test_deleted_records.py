"""A row fetched into a variable (or handed to a loop's block) and deleted later is deleted through its model:
the model's cascades (Rails `dependent:`, Django `on_delete=CASCADE`) are named in the `cascading-delete`
finding and saved by the rollback plan's backup steps as for a delete of the whole relation. Rails
associations declared `through:` delete the join rows, `belongs_to …, dependent:` the row the deleted one points
at, and a polymorphic association only the child rows whose `*_type` names the parent's class."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

RAILS_NAMES = [
    {"parents": "accounts", "Parent": "Account", "children": "invoices", "key": "account_id", "flag": "closed"},
    {"parents": "projects", "Parent": "Project", "children": "tasks", "key": "project_id", "flag": "archived"},
]  # fmt: skip
DJANGO_NAMES = [
    {"app": "billing", "Parent": "Account", "Child": "Invoice", "key": "account_id", "flag": "closed"},
    {"app": "tracker", "Parent": "Project", "Child": "Task", "key": "project_id", "flag": "archived"},
]  # fmt: skip


def _cascades(result: Review) -> list[Finding]:
    return [f for f in result.active if f.rule == "cascading-delete"]


def _backups(result: Review) -> list[str]:
    return [s.command for s in result.rollback_plan if s.command.startswith("CREATE TABLE")]


def _rails(names: dict[str, str], statement: str, model: str = "", schema: str = "") -> Review:
    text = (
        "class PurgeRecords < ActiveRecord::Migration[7.1]\n  def up\n"
        f"    {statement.format(**names)}\n  end\n\n"
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )
    base = {
        "db/structure.sql": (
            f"CREATE TABLE {names['parents']} (id bigint PRIMARY KEY, {names['flag']} boolean, name text);\n"
            f"CREATE TABLE {names['children']} (id bigint PRIMARY KEY, {names['key']} bigint);\n" + schema
        ).format(**names),
        f"app/models/{names['Parent'].lower()}.rb": (
            model or "class {Parent} < ApplicationRecord\n  has_many :{children}, dependent: :destroy\nend\n"
        ).format(**names),
    }
    return review_sql(text, path="db/migrate/20260101000000_purge_records.rb", base=base)


@pytest.mark.parametrize("names", RAILS_NAMES)
@pytest.mark.parametrize(
    "statement",
    [
        'row = {Parent}.find_by(name: "old")\n    row.destroy',
        "{Parent}.where({flag}: true).each(&:destroy)",
        "{Parent}.where({flag}: true).each {{ |record| record.destroy }}",
        "{Parent}.where({flag}: true).each do |item|\n      item.destroy!\n    end",
    ],
)
def test_rails_a_record_destroyed_one_at_a_time_carries_its_model(
    names: dict[str, str], statement: str
) -> None:
    result = _rails(names, statement)
    [finding] = _cascades(result)
    assert f"`{names['children']}` (by `{names['key']}`)" in finding.message
    assert f"has_many :{names['children']}, dependent: :destroy" in finding.message
    assert any(
        f"FROM {names['children']} WHERE {names['key']} IN (SELECT id FROM {names['parents']}" in b
        for b in _backups(result)
    )
    assert not [f for f in result.active if f.rule == "unbatched-data-change"]  # one row per statement


@pytest.mark.parametrize("names", RAILS_NAMES)
@pytest.mark.parametrize(
    "statement",
    [
        "{Parent}.where({flag}: true).each do |item|\n      item.{children}.where(key: nil).update_all(key: 0)\n    end",
        "{Parent}.where({flag}: true).each {{ |record| Rails.logger.info(record.id) }}",
    ],
)
def test_rails_a_block_that_deletes_no_record_of_the_loop_is_no_delete_of_it(
    names: dict[str, str], statement: str
) -> None:
    assert not _cascades(_rails(names, statement))


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="{Parent}",
            fields=[("id", models.BigAutoField(primary_key=True)), ("{flag}", models.BooleanField(default=False))],
        ),
        migrations.CreateModel(
            name="{Child}",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("{parent}", models.ForeignKey(on_delete=models.deletion.{action}, to="{app}.{parent}")),
            ],
        ),
    ]
"""
DJANGO_PURGE = """from django.db import migrations


def purge(apps, schema_editor):
    {Parent} = apps.get_model("{app}", "{Parent}")
{body}


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [migrations.RunPython(purge, migrations.RunPython.noop)]
"""


def _django(names: dict[str, str], body: str, action: str = "CASCADE") -> Review:
    parent = names["Parent"].lower()
    base = {
        f"{names['app']}/migrations/0001_initial.py": DJANGO_INITIAL.format(
            **names, parent=parent, action=action
        )
    }
    text = DJANGO_PURGE.format(**names, body=body.format(**names))
    return review_sql(text, path=f"{names['app']}/migrations/0002_purge.py", base=base)


@pytest.mark.parametrize("names", DJANGO_NAMES)
@pytest.mark.parametrize(
    "body",
    [
        "    row = {Parent}.objects.get(id=1)\n    row.delete()",
        "    row = {Parent}.objects.filter({flag}=True).first()\n    if row:\n        row.delete()",
        "    for row in {Parent}.objects.filter({flag}=True):\n        row.delete()",
    ],
)
def test_django_a_row_deleted_one_at_a_time_follows_on_delete(names: dict[str, str], body: str) -> None:
    result = _django(names, body)
    [finding] = _cascades(result)
    app, child, parent = names["app"], names["Child"].lower(), names["Parent"].lower()
    assert f"`{app}_{child}` (by `{parent}_id`)" in finding.message and "on_delete=CASCADE" in finding.message
    assert any(
        f"FROM {app}_{child} WHERE {parent}_id IN (SELECT id FROM {app}_{parent}" in b
        for b in _backups(result)
    )
    # a child whose model protects its parent is not deleted with it
    assert not _cascades(_django(names, body, action="PROTECT"))


def test_django_a_loop_delete_keeps_the_condition_of_the_rows_it_iterates() -> None:
    names = DJANGO_NAMES[0]
    result = _django(names, "    for row in {Parent}.objects.filter({flag}=True):\n        row.delete()")
    [lost] = [f for f in result.active if f.rule == "data-lost-on-rollback"]
    assert f"matching `{names['flag']} = TRUE`" in lost.message


THROUGH = """class {Parent} < ApplicationRecord
  has_many :memberships{membership_options}
  has_many :members, through: :memberships, dependent: :{action}
end
"""


@pytest.mark.parametrize("names", RAILS_NAMES)
@pytest.mark.parametrize(
    ("membership_options", "table", "key"),
    [("", "memberships", "{key}"), (", class_name: 'Seat', foreign_key: :holder_id", "seats", "holder_id")],
)
def test_rails_has_many_through_deletes_the_join_rows(
    names: dict[str, str], membership_options: str, table: str, key: str
) -> None:
    key = key.format(**names)
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {key} bigint, member_id bigint);\n"
    schema += "CREATE TABLE members (id bigint PRIMARY KEY);\n"
    model = THROUGH.replace("{membership_options}", membership_options)
    destroyed = _rails(
        names, "{Parent}.where({flag}: true).destroy_all", model.replace("{action}", "destroy"), schema
    )
    [finding] = _cascades(destroyed)
    assert f"`{table}` (by `{key}`)" in finding.message and "`members`" not in finding.message
    assert any(
        f"FROM {table} WHERE {key} IN (SELECT id FROM {names['parents']}" in b for b in _backups(destroyed)
    )
    skipped = _rails(
        names, "{Parent}.where({flag}: true).delete_all", model.replace("{action}", "delete_all"), schema
    )
    [orphaned] = [f for f in skipped.active if f.rule == "dependent-rows-orphaned"]
    assert f"`{table}` whose `{key}` points at a deleted row" in orphaned.message
    # without `dependent:` a destroy leaves the join rows to the database
    plain = _rails(
        names, "{Parent}.where({flag}: true).destroy_all", model.replace(", dependent: :{action}", ""), schema
    )
    assert not _cascades(plain)


BELONGS = """class {Child} < ApplicationRecord
  belongs_to :{owner}{options}
end
"""


@pytest.mark.parametrize(
    ("Child", "children", "owner", "owners", "column"),
    [
        ("Avatar", "avatars", "profile", "profiles", "profile_id"),
        ("Receipt", "receipts", "order", "orders", "order_id"),
    ],
)
def test_rails_belongs_to_dependent_destroys_the_row_pointed_at(
    Child: str, children: str, owner: str, owners: str, column: str
) -> None:
    schema = {
        "db/structure.sql": f"CREATE TABLE {owners} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {children} (id bigint PRIMARY KEY, {column} bigint, stale boolean);\n",
        f"app/models/{owner}.rb": f"class {owner.capitalize()} < ApplicationRecord\nend\n",
    }

    def review(options: str, method: str = "find_each(&:destroy)") -> Review:
        text = (
            "class PurgeRecords < ActiveRecord::Migration[7.1]\n  def up\n"
            f"    {Child}.where(stale: true).{method}\n  end\nend\n"
        )
        model = BELONGS.format(Child=Child, owner=owner, options=options)
        files = {**schema, f"app/models/{Child.lower()}.rb": model}
        return review_sql(text, path="db/migrate/20260101000000_purge_records.rb", base=files)

    result = review(", dependent: :destroy")
    [finding] = _cascades(result)
    assert f"`{owners}` (those the deleted rows' `{column}` point at)" in finding.message
    assert f"belongs_to :{owner}, dependent: :destroy" in finding.message
    assert any(f"FROM {owners} WHERE id IN (SELECT {column} FROM {children}" in b for b in _backups(result))
    assert not _cascades(review(""))
    # `delete_all` skips the callback: the owner stays, which orphans nothing
    assert not [
        f for f in review(", dependent: :destroy", "delete_all").active if f.rule == "dependent-rows-orphaned"
    ]


POLYMORPHIC = """class {Parent} < ApplicationRecord
  has_many :notes, as: :notable, dependent: :{action}
end
"""


@pytest.mark.parametrize("names", RAILS_NAMES)
@pytest.mark.parametrize("action", ["destroy", "delete_all"])
def test_rails_polymorphic_children_are_saved_for_the_parents_class_only(
    names: dict[str, str], action: str
) -> None:
    schema = "CREATE TABLE notes (id bigint PRIMARY KEY, notable_id bigint, notable_type varchar(60));\n"
    result = _rails(
        names, "{Parent}.where({flag}: true).destroy_all", POLYMORPHIC.replace("{action}", action), schema
    )
    [finding] = _cascades(result)
    assert f"`notes` (by `notable_id`, where `notable_type` is '{names['Parent']}')" in finding.message
    [backup] = [b for b in _backups(result) if "FROM notes" in b]
    assert backup.endswith(f"AND notable_type = '{names['Parent']}';")
    skipped = _rails(
        names, "{Parent}.where({flag}: true).delete_all", POLYMORPHIC.replace("{action}", action), schema
    )
    [orphaned] = [f for f in skipped.active if f.rule == "dependent-rows-orphaned"]
    assert f"AND notable_type = '{names['Parent']}'" in orphaned.fix
