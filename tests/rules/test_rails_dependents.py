"""Rails `dependent:` associations read from `app/models`: a data migration that destroys rows through the
model (`destroy_all`, `find_each(&:destroy)`, `record.destroy`) removes the dependent rows too, named in the
`cascading-delete` finding and saved by the rollback plan's backup steps; `delete_all`, `delete` and SQL run no
callbacks and leave them orphaned where no foreign key of the database acts (`dependent-rows-orphaned`), as
does a model class the migration defines for itself without the associations."""

from __future__ import annotations

import pytest

from bot.model.findings import Review
from tests.conftest import review_sql

NAMES = [
    {"parents": "posts", "Parent": "Post", "children": "comments", "Child": "Comment", "key": "post_id",
     "grandchildren": "votes", "child_key": "comment_id", "links": "attachments", "flag": "archived"},
    {"parents": "projects", "Parent": "Project", "children": "tasks", "Child": "Task", "key": "project_id",
     "grandchildren": "time_entries", "child_key": "task_id", "links": "uploads", "flag": "closed"},
]  # fmt: skip
SCHEMA = """CREATE TABLE {parents} (id bigint PRIMARY KEY, {flag} boolean NOT NULL DEFAULT false);
CREATE TABLE {children} (id bigint PRIMARY KEY, {key} bigint{child_fk});
CREATE TABLE {grandchildren} (id bigint PRIMARY KEY, {child_key} bigint);
CREATE TABLE {links} (id bigint PRIMARY KEY, {key} bigint);
"""
PARENT_MODEL = """class {Parent} < ApplicationRecord
  has_many :{children}, dependent: :destroy
  has_many :{links}, dependent: :nullify
  has_many :notes
end
"""
CHILD_MODEL = """class {Child} < ApplicationRecord
  belongs_to :{parent_singular}
  has_many :{grandchildren}, dependent: :delete_all
end
"""


def _migration(body: str) -> str:
    return (
        "class PurgeRecords < ActiveRecord::Migration[7.1]\n"
        f"{body}"
        "  def down\n    raise ActiveRecord::IrreversibleMigration\n  end\nend\n"
    )


def _up(statement: str) -> str:
    return _migration(f"  def up\n    {statement}\n  end\n\n")


def _review(names: dict[str, str], text: str, child_fk: str = "", models: bool = True) -> Review:
    base = {"db/structure.sql": SCHEMA.format(**names, child_fk=child_fk)}
    if models:
        singular = names["Parent"].lower()
        base[f"app/models/{singular}.rb"] = PARENT_MODEL.format(**names)
        base[f"app/models/{names['Child'].lower()}.rb"] = CHILD_MODEL.format(
            **names, parent_singular=singular
        )
    return review_sql(text.format(**names), path="db/migrate/20260101000000_purge_records.rb", base=base)


def _found(result: Review, rule: str) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "statement",
    [
        "{Parent}.where({flag}: true).destroy_all",
        "{Parent}.where({flag}: true).find_each(&:destroy)",
        "{Parent}.where({flag}: true).in_batches(of: 500) {{ |batch| batch.destroy_all }}",
        "{Parent}.destroy_by({flag}: true)",
    ],
)
def test_a_destroy_removes_the_dependents_the_models_declare(names, statement) -> None:  # type: ignore[no-untyped-def]
    result = _review(names, _up(statement))
    [finding] = _found(result, "cascading-delete")
    children, grandchildren, links = names["children"], names["grandchildren"], names["links"]
    assert f"`{children}` (by `{names['key']}`)" in finding.message
    assert f"`{grandchildren}` (by `{names['child_key']}`)" in finding.message
    assert f"`has_many :{children}, dependent: :destroy`" in finding.message
    assert f"`has_many :{grandchildren}, dependent: :delete_all`" in finding.message
    assert (
        f"sets `{links}.{names['key']}` to NULL" in finding.message
        and "dependent: :nullify" in finding.message
    )
    assert "notes" not in finding.message  # an association without `dependent:` does nothing on a destroy
    for table in (names["parents"], children, grandchildren, links):
        assert f"`{table}`" in finding.fix
    backups = [s.command for s in result.rollback_plan if s.command.startswith("CREATE TABLE")]
    assert any(
        f"FROM {children} WHERE {names['key']} IN (SELECT id FROM {names['parents']}" in b for b in backups
    )
    assert any(
        f"FROM {grandchildren} WHERE {names['child_key']} IN (SELECT id FROM {children}" in b for b in backups
    )
    assert any(f"SELECT id, {names['key']} FROM {links}" in b for b in backups)
    saved = next(s.text for s in result.rollback_plan if f"rows of `{children}` that" in s.text)
    assert "dependent: :destroy" in saved
    assert not _found(result, "dependent-rows-orphaned")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("statement", "why"),
    [
        (
            "{Parent}.where({flag}: true).delete_all",
            "`delete_all` deletes with SQL and runs no model callbacks",
        ),
        ("{Parent}.where({flag}: true).in_batches(of: 500).delete_all", "`delete_all` deletes with SQL"),
        ('execute "DELETE FROM {parents} WHERE {flag}"', "a SQL DELETE runs no model callbacks"),
        ("{Parent}.find(42).delete", "`delete` deletes with SQL"),
    ],
)
def test_a_delete_that_skips_the_callbacks_orphans_the_dependents(names, statement, why) -> None:  # type: ignore[no-untyped-def]
    result = _review(names, _up(statement.format(**names)))
    [finding] = _found(result, "dependent-rows-orphaned")
    assert why in finding.message
    assert f"`{names['children']}` whose `{names['key']}` points at a deleted row" in finding.message
    assert f"`{names['links']}` whose `{names['key']}`" in finding.message
    assert names["grandchildren"] not in finding.message  # reached only through a destroyed child
    assert (
        f"DELETE FROM {names['children']} WHERE {names['key']} IN (SELECT id FROM {names['parents']}"
        in finding.fix
    )
    assert not _found(result, "cascading-delete")
    # the same delete where the application declares no such association: nothing is skipped
    assert not _found(_review(names, _up(statement.format(**names)), models=False), "dependent-rows-orphaned")


@pytest.mark.parametrize("names", NAMES)
def test_the_databases_own_key_decides_what_a_skipped_callback_leaves(names) -> None:  # type: ignore[no-untyped-def]
    statement = _up("{Parent}.where({flag}: true).delete_all")
    cascades = _review(names, statement, child_fk=f" REFERENCES {names['parents']} (id) ON DELETE CASCADE")
    [orphaned] = _found(cascades, "dependent-rows-orphaned")
    assert names["children"] not in orphaned.message.split("so the rows")[-1].split(";")[0]
    assert f"`{names['links']}`" in orphaned.message  # no key of the database for that one
    assert _found(cascades, "cascading-delete")  # the database's cascade, as before
    restricted = _review(names, statement, child_fk=f" REFERENCES {names['parents']} (id)")
    [fails] = _found(restricted, "dependent-rows-orphaned")
    assert f"fails on the database's foreign key of `{names['children']}.{names['key']}`" in fails.message


@pytest.mark.parametrize("names", NAMES)
def test_dependents_deleted_first_are_no_orphans(names) -> None:  # type: ignore[no-untyped-def]
    text = _up(
        'execute "DELETE FROM {grandchildren} WHERE {child_key} IN (SELECT id FROM {children} WHERE {key} IN '
        '(SELECT id FROM {parents} WHERE {flag}))"\n'
        '    execute "DELETE FROM {children} WHERE {key} IN (SELECT id FROM {parents} WHERE {flag})"\n'
        '    execute "UPDATE {links} SET {key} = NULL WHERE {key} IN (SELECT id FROM {parents} WHERE {flag})"\n'
        '    execute "DELETE FROM {parents} WHERE {flag}"'
    )
    assert not _found(_review(names, text), "dependent-rows-orphaned")
    # children deleted with SQL skip their own model's `dependent: :delete_all` in turn
    without_grandchildren = _up(
        'execute "DELETE FROM {children} WHERE {key} IN (SELECT id FROM {parents} WHERE {flag})"\n'
        '    execute "UPDATE {links} SET {key} = NULL WHERE {key} IN (SELECT id FROM {parents} WHERE {flag})"\n'
        '    execute "DELETE FROM {parents} WHERE {flag}"'
    )
    [skipped] = _found(_review(names, without_grandchildren), "dependent-rows-orphaned")
    assert f"Rows of `{names['children']}` are deleted" in skipped.message
    assert f"`{names['grandchildren']}` whose `{names['child_key']}`" in skipped.message


@pytest.mark.parametrize("names", NAMES)
def test_a_model_the_migration_defines_runs_only_its_own_associations(names) -> None:  # type: ignore[no-untyped-def]
    bare = _migration(
        "  class {Parent} < ActiveRecord::Base\n    self.table_name = '{parents}'\n  end\n\n"
        "  def up\n    {Parent}.where({flag}: true).destroy_all\n  end\n\n"
    )
    result = _review(names, bare)
    [finding] = _found(result, "dependent-rows-orphaned")
    assert f"the migration's own `{names['Parent']}` class declares none" in finding.message
    assert not _found(result, "cascading-delete")
    declared = _migration(
        "  class {Parent} < ActiveRecord::Base\n    self.table_name = '{parents}'\n"
        "    has_many :{children}, dependent: :delete_all\n  end\n\n"
        "  def up\n    {Parent}.where({flag}: true).destroy_all\n  end\n\n"
    )
    result = _review(names, declared)
    [cascade] = _found(result, "cascading-delete")
    assert f"`{names['children']}` (by `{names['key']}`)" in cascade.message
    assert (
        names["grandchildren"] not in cascade.message
    )  # deleted with one DELETE: their callbacks do not run
    assert not _found(result, "dependent-rows-orphaned")


@pytest.mark.parametrize("names", NAMES)
def test_association_options_class_name_foreign_key_and_polymorphic(names) -> None:  # type: ignore[no-untyped-def]
    model = (
        "module Billing\n  class {Parent} < ApplicationRecord\n    self.table_name = '{parents}'\n"
        "    has_many :entries, class_name: 'Billing::{Child}', foreign_key: :owner_ref, dependent: :destroy\n"
        "    has_many :taggings, as: :taggable, dependent: :delete_all\n  end\nend\n"
    ).format(**names)
    schema = (
        f"CREATE TABLE {names['parents']} (id bigint PRIMARY KEY, {names['flag']} boolean);\n"
        f"CREATE TABLE billing_{names['children']} (id bigint PRIMARY KEY, owner_ref bigint);\n"
        "CREATE TABLE taggings (id bigint PRIMARY KEY, taggable_id bigint, taggable_type varchar(50));\n"
    )
    child = f"module Billing\n  class {names['Child']} < ApplicationRecord\n    self.table_name = 'billing_{names['children']}'\n  end\nend\n"
    base = {
        "db/structure.sql": schema,
        f"app/models/billing/{names['Parent'].lower()}.rb": model,
        f"app/models/billing/{names['Child'].lower()}.rb": child,
    }
    text = _up("Billing::{Parent}.where({flag}: true).destroy_all").format(**names)
    result = review_sql(text, path="db/migrate/20260101000000_purge_records.rb", base=base)
    [finding] = _found(result, "cascading-delete")
    assert f"`billing_{names['children']}` (by `owner_ref`)" in finding.message
    assert (
        f"`taggings` (by `taggable_id`, where `taggable_type` is 'Billing::{names['Parent']}')"
        in finding.message
    )
    [backup] = [s.command for s in result.rollback_plan if s.command.startswith("CREATE TABLE taggings")]
    assert backup.endswith(f"AND taggable_type = 'Billing::{names['Parent']}';")


RESTRICTED = [
    ("accounts", "Account", "invoices", "account_id"),
    ("warehouses", "Warehouse", "stock_items", "warehouse_id"),
]


def _restricted(parents: str, Parent: str, children: str, key: str, action: str, statement: str) -> Review:
    base = {
        "db/structure.sql": f"CREATE TABLE {parents} (id bigint PRIMARY KEY, closed boolean NOT NULL DEFAULT false);\n"
        f"CREATE TABLE {children} (id bigint PRIMARY KEY, {key} bigint);\n",
        f"app/models/{Parent.lower()}.rb": f"class {Parent} < ApplicationRecord\n"
        f"  has_many :{children}, dependent: :{action}\nend\n",
    }
    return review_sql(_up(statement), path="db/migrate/20260101000000_purge_records.rb", base=base)


@pytest.mark.parametrize(("parents", "Parent", "children", "key"), RESTRICTED)
def test_a_restricted_destroy_fails_or_skips_rows(parents, Parent, children, key) -> None:  # type: ignore[no-untyped-def]
    destroy = f"{Parent}.where(closed: true).find_each(&:destroy)"
    [raises] = _found(
        _restricted(parents, Parent, children, key, "restrict_with_exception", destroy), "restricted-destroy"
    )
    assert (
        "raises `ActiveRecord::DeleteRestrictionError`" in raises.message
        and f"`{children}`" in raises.message
    )
    [skips] = _found(
        _restricted(parents, Parent, children, key, "restrict_with_error", destroy), "restricted-destroy"
    )
    assert (
        "keeps, silently" in skips.message
        and f"SELECT count(DISTINCT {key}) FROM {children}" in skips.blast_radius
    )
    children_first = f'execute "DELETE FROM {children} WHERE {key} IN (SELECT id FROM {parents} WHERE closed)"\n    {destroy}'
    assert not _found(
        _restricted(parents, Parent, children, key, "restrict_with_error", children_first),
        "restricted-destroy",
    )
    # `delete_all` runs no callbacks: nothing is restricted, and the children are left behind
    skipped = _restricted(
        parents, Parent, children, key, "restrict_with_error", f"{Parent}.where(closed: true).delete_all"
    )
    assert not _found(skipped, "restricted-destroy")
    [orphaned] = _found(skipped, "dependent-rows-orphaned")
    assert f"`{children}` whose `{key}` points at a deleted row" in orphaned.message


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


@pytest.mark.parametrize(
    ("base", "Sub", "Other", "children"),
    [
        ("templates", "ReportTemplate", "ProvisioningTemplate", "template_combinations"),
        ("vehicles", "Truck", "Bus", "seats"),
    ],
)
def test_a_row_of_a_shared_table_deleted_without_its_model_runs_only_the_base_class_associations(
    base, Sub, Other, children
) -> None:  # type: ignore[no-untyped-def]
    """Single-table inheritance: an association one subclass declares holds for that subclass's rows only."""
    Base = base[:-1].capitalize()
    schema = (
        f"CREATE TABLE {base} (id bigint PRIMARY KEY, type varchar(40), name text);\n"
        f"CREATE TABLE {children} (id bigint PRIMARY KEY, {base[:-1]}_id bigint);\n"
    )
    files = {
        "db/structure.sql": schema,
        f"app/models/{base[:-1]}.rb": f"class {Base} < ApplicationRecord\nend\n",
        f"app/models/{_snake(Sub)}.rb": f"class {Sub} < {Base}\nend\n",
        f"app/models/{_snake(Other)}.rb": f"class {Other} < {Base}\n  has_many :{children}, dependent: :destroy, foreign_key: '{base[:-1]}_id'\nend\n",
    }
    for statement, found in (
        (f'row = {Sub}.find_by(name: "old")\n    row.delete', False),
        (f"execute \"DELETE FROM {base} WHERE name = 'old'\"", False),
        (f'{Other}.where(name: "old").delete_all', True),
    ):
        result = review_sql(_up(statement), path="db/migrate/20260101000000_purge_records.rb", base=files)
        assert bool(_found(result, "dependent-rows-orphaned")) is found, statement


@pytest.mark.parametrize(
    ("parents", "Parent", "others", "join"),
    [("posts", "Post", "tags", "posts_tags"), ("products", "Product", "categories", "categories_products")],
)
def test_join_rows_of_has_and_belongs_to_many(parents, Parent, others, join) -> None:  # type: ignore[no-untyped-def]
    """A destroy deletes the record's join rows; `delete_all` and SQL leave them behind."""
    key = f"{parents[:-1]}_id"
    other_key = f"{others[:-1]}_id" if others != "categories" else "category_id"
    files = {
        "db/structure.sql": f"CREATE TABLE {parents} (id bigint PRIMARY KEY, archived boolean);\n"
        f"CREATE TABLE {others} (id bigint PRIMARY KEY);\n"
        f"CREATE TABLE {join} ({key} bigint, {other_key} bigint);\n",
        f"app/models/{parents[:-1]}.rb": f"class {Parent} < ApplicationRecord\n  has_and_belongs_to_many :{others}\nend\n",
    }
    destroyed = review_sql(
        _up(f"{Parent}.where(archived: true).destroy_all"),
        path="db/migrate/20260101000000_purge_records.rb",
        base=files,
    )
    [cascade] = _found(destroyed, "cascading-delete")
    assert (
        f"`{join}` (by `{key}`)" in cascade.message
        and f"has_and_belongs_to_many :{others}" in cascade.message
    )
    deleted = review_sql(
        _up(f"{Parent}.where(archived: true).delete_all"),
        path="db/migrate/20260101000000_purge_records.rb",
        base=files,
    )
    [orphaned] = _found(deleted, "dependent-rows-orphaned")
    assert f"`{join}` whose `{key}` points at a deleted row" in orphaned.message
