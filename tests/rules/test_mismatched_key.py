"""Keys crossed between tables: resolved through aliases to tables, and through the schema's foreign keys,
primary keys or the columns' names to the tables they identify."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_data_expressions import FRAMEWORKS

SCHEMA = """CREATE TABLE {people} (id bigint PRIMARY KEY, {org}_id bigint REFERENCES {orgs} (id));
CREATE TABLE {orgs} (id bigint PRIMARY KEY);
CREATE TABLE {groups} (id bigint PRIMARY KEY);
CREATE TABLE {legacy} (id bigint PRIMARY KEY, member_id bigint REFERENCES {people} (id),
  source_group bigint REFERENCES {groups} (id), hidden boolean);
CREATE TABLE {links} (id bigint PRIMARY KEY, {person}_id bigint REFERENCES {people} (id),
  {group}_id bigint REFERENCES {groups} (id), is_visible boolean);
CREATE TABLE {sessions} (id bigint PRIMARY KEY, {person}_id bigint REFERENCES {people} (id), note text);
"""
NAMES = [
    {
        "people": "users",
        "person": "user",
        "orgs": "accounts",
        "org": "account",
        "groups": "teams",
        "group": "team",
        "legacy": "legacy_members",
        "links": "memberships",
        "sessions": "sessions",
    },
    {
        "people": "authors",
        "person": "author",
        "orgs": "publishers",
        "org": "publisher",
        "groups": "journals",
        "group": "journal",
        "legacy": "old_credits",
        "links": "credits",
        "sessions": "drafts",
    },
]


def _review(names: dict[str, str], sql: str, framework):  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _rules(result, rule: str) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == rule]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_insert_select_with_keys_exchanged_through_foreign_keys(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = "INSERT INTO {links} ({person}_id, {group}_id) SELECT l.source_group, l.member_id FROM {legacy} l;"
    found = _rules(_review(names, bad, framework), "swapped-values")
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert f"references `{names['groups']}`" in found[0].message
    assert not _rules(_review(names, bad, framework), "mismatched-key")  # one finding for one swap
    good = "INSERT INTO {links} ({person}_id, {group}_id) SELECT l.member_id, l.source_group FROM {legacy} l;"
    result = _review(names, good, framework)
    assert not _rules(result, "swapped-values") and not _rules(result, "mismatched-key")


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_ids_of_one_table_filter_a_column_that_references_another(names: dict[str, str], framework) -> None:  # type: ignore[no-untyped-def]
    bad = "DELETE FROM {sessions} WHERE {person}_id IN (SELECT id FROM {orgs} WHERE id < 500);"
    found = _rules(_review(names, bad, framework), "mismatched-key")
    assert len(found) == 1 and f"keys of `{names['orgs']}` used for `{names['people']}`" in found[0].message
    good = "DELETE FROM {sessions} WHERE {person}_id IN (SELECT id FROM {people} WHERE {org}_id < 500);"
    assert not _rules(_review(names, good, framework), "mismatched-key")


@pytest.mark.parametrize("names", NAMES)
def test_joins_and_sets_through_aliases(names: dict[str, str]) -> None:
    joined = "UPDATE {sessions} s SET note = 'x' FROM {orgs} o WHERE s.{person}_id = o.id AND o.id < 10;"
    assert _rules(_review(names, joined, FRAMEWORKS[0]), "mismatched-key")
    right = (
        "UPDATE {sessions} s SET note = 'x' FROM {people} p WHERE s.{person}_id = p.id AND p.{org}_id < 10;"
    )
    assert not _rules(_review(names, right, FRAMEWORKS[0]), "mismatched-key")
    copied = "UPDATE {links} k SET {group}_id = p.{org}_id FROM {people} p WHERE k.{person}_id = p.id;"
    found = _rules(_review(names, copied, FRAMEWORKS[0]), "mismatched-key")
    assert len(found) == 1 and "is set from" in found[0].message
    selected = "INSERT INTO {links} ({person}_id, {group}_id) SELECT p.id, g.id FROM {people} p JOIN {groups} g ON g.id = p.id;"
    assert not _rules(
        _review(names, selected, FRAMEWORKS[0]), "mismatched-key"
    )  # two primary keys say nothing


def test_keys_known_only_by_name_are_warnings_and_polymorphic_pairs_are_skipped() -> None:
    schema = (
        "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE accounts (id bigint PRIMARY KEY);\n"
        "CREATE TABLE events (id bigint PRIMARY KEY, user_id bigint, subject_id bigint, subject_type text);\n"
        "-- migration\n"
    )
    found = _rules(
        review_sql(schema + "DELETE FROM events WHERE user_id IN (SELECT id FROM accounts);"),
        "mismatched-key",
    )
    assert [f.severity for f in found] == [Severity.WARNING] and "named after `users`" in found[0].message
    polymorphic = schema + "DELETE FROM events WHERE subject_id IN (SELECT id FROM accounts);"
    assert not _rules(review_sql(polymorphic), "mismatched-key")
    # a new table filled with another table's keys keeps them equal on purpose: both known only by name
    split = (
        "CREATE TABLE locations (id bigint PRIMARY KEY);\nCREATE TABLE location_translations (id bigint PRIMARY KEY,"
        " location_id bigint, title text);\n-- migration\nCREATE TABLE news (id bigint PRIMARY KEY);\n"
        "CREATE TABLE news_translations (id bigint PRIMARY KEY, news_id bigint, title text);\n"
        "INSERT INTO news (id) SELECT id FROM locations;\n"
        "INSERT INTO news_translations (news_id, title) SELECT location_id, title FROM location_translations;"
    )
    assert not _rules(review_sql(split), "mismatched-key")


def test_opposite_flag_copied_by_insert_select_and_by_the_orm() -> None:
    names = NAMES[0]
    bad = "INSERT INTO {links} ({person}_id, is_visible) SELECT member_id, hidden FROM {legacy};"
    assert _rules(_review(names, bad, FRAMEWORKS[0]), "swapped-values")
    good = "INSERT INTO {links} ({person}_id, is_visible) SELECT member_id, NOT hidden FROM {legacy};"
    assert not _rules(_review(names, good, FRAMEWORKS[0]), "swapped-values")
    django = (
        "from django.db import migrations\nfrom django.db.models import F\n\n\n"
        "def forwards(apps, schema_editor):\n"
        '    Item = apps.get_model("shop", "Item")\n'
        '    Item.objects.filter(pk__lt=1000).update(is_visible=F("{source}"))\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]\n"
    )
    path = "shop/migrations/0002_flags.py"
    assert _rules(review_sql(django.format(source="is_hidden"), path=path), "swapped-values")
    assert not _rules(review_sql(django.format(source="is_shown"), path=path), "swapped-values")


@pytest.mark.parametrize(
    ("parent", "child", "link"),
    [("board", "layout", "item_layout"), ("accounts", "workspaces", "workspace_members")],
)
def test_keys_the_migration_copied_into_the_referenced_table_are_its_keys(
    parent: str, child: str, link: str
) -> None:
    """homarr's `INSERT INTO layout (id, name, board_id, …) SELECT id, 'Base', id, … FROM board`, then
    `INSERT INTO item_layout (…, layout_id, …) SELECT …, board.id, … FROM board …`: each board's base layout
    has the board's own key, so the board's key is that layout's. Without the copy, layouts have keys of
    their own, and a board's key names some other layout."""
    schema = (
        f"CREATE TABLE {parent} (id text PRIMARY KEY, name text NOT NULL);\n-- migration\n"
        f"CREATE TABLE {child} (id text PRIMARY KEY, name text NOT NULL, "
        f"{parent}_ref text NOT NULL REFERENCES {parent} (id));\n"
        f"CREATE TABLE {link} (item text NOT NULL, {child}_id text NOT NULL REFERENCES {child} (id));\n"
    )
    linked = f"INSERT INTO {link} (item, {child}_id) SELECT p.name, p.id FROM {parent} p;\n"
    copied = f"INSERT INTO {child} (id, name, {parent}_ref) SELECT id, 'Base', id FROM {parent};\n"
    generated = f"INSERT INTO {child} (id, name, {parent}_ref) SELECT md5(id), 'Base', id FROM {parent};\n"
    assert not [f for f in review_sql(schema + copied + linked).active if f.rule == "mismatched-key"]
    (finding,) = [f for f in review_sql(schema + generated + linked).active if f.rule == "mismatched-key"]
    assert f"`{link}.{child}_id`" in finding.message
