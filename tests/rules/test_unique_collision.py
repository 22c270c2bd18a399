"""`unique-collision`: an UPDATE that can give two rows the same value of a unique key, read from SQL and from
each framework's own data-change forms, and the validation query that lists the values that would collide."""

from __future__ import annotations

import json

import pytest

from bot.model.findings import Review, Severity
from bot.render.formats import to_json
from tests.conftest import review_sql, rule_ids
from tests.rules.django_app import data_migration, model_of, review_migration
from tests.rules.test_data_expressions import FRAMEWORKS

NAMES = [
    {"table": "users", "column": "email", "other": "nickname", "flag": "deleted", "scope": "org_id"},
    {"table": "coupons", "column": "code", "other": "label", "flag": "expired", "scope": "shop_id"},
]
SCHEMA = (
    "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL, {other} text, {flag} boolean,\n"
    "  {scope} bigint, slug text, CONSTRAINT {table}_slug_scope UNIQUE ({scope}, slug));\n"
    "CREATE UNIQUE INDEX {table}_{column}_key ON {table} ({column});\n"
)


def _review(names: dict[str, str], sql: str, framework=FRAMEWORKS[0]) -> Review:  # type: ignore[no-untyped-def]
    path, text = framework(sql.format(**names))
    return review_sql(text, path=path, base={"db/structure.sql": SCHEMA.format(**names)})


def _found(result: Review) -> list:  # type: ignore[type-arg]
    return [f for f in result.active if f.rule == "unique-collision"]


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_folding_a_unique_column_can_collide(names, framework) -> None:  # type: ignore[no-untyped-def]
    result = _review(names, "UPDATE {table} SET {column} = lower(trim({column}));", framework)
    found = _found(result)
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL
    assert f"`{names['table']}.{names['column']}`" in found[0].message
    assert f"the unique index `{names['table']}_{names['column']}_key`" in found[0].message
    assert result.approval == "BLOCKED"


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "value",
    [
        "replace({column}, '-', '')",
        "split_part({column}, '@', 1)",
        "initcap({column})",
        "translate({column}, '_', '-')",
    ],
)
def test_functions_the_sql_reader_names_fold_too(names, value) -> None:  # type: ignore[no-untyped-def]
    """Functions sqlglot reads into nodes of their own (not anonymous calls) are known by their SQL names."""
    result = _review(names, "UPDATE {table} SET {column} = " + value + " WHERE id < 1000;")
    assert len(_found(result)) == 1


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_folding_a_column_no_key_holds_is_no_collision(names, framework) -> None:  # type: ignore[no-untyped-def]
    assert not _found(
        _review(names, "UPDATE {table} SET {other} = lower({other}) WHERE id < 1000;", framework)
    )


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE {table} SET {column} = {column} || '.retired' WHERE {flag};",  # a suffix keeps values apart
        "UPDATE {table} SET {column} = 'reserved' WHERE id = 7;",  # one row
        "UPDATE {table} SET {column} = NULL WHERE {flag};",  # NULLs never collide
        "UPDATE {table} SET {column} = upper({other}) WHERE {flag};",  # another column: no folding of its own
    ],
)
def test_writes_that_keep_the_key_unique_are_quiet(names, sql) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, sql))


@pytest.mark.parametrize("names", NAMES)
def test_a_constant_on_many_rows_collides_within_a_compound_key(names) -> None:  # type: ignore[no-untyped-def]
    found = _found(_review(names, "UPDATE {table} SET slug = 'archived' WHERE {flag};"))
    assert len(found) == 1
    assert f"the unique key ({names['scope']}, slug)" in found[0].message
    # two rows collide only when they share the key's other column: the message says which, a warning
    assert f"as soon as it chooses two rows with the same `{names['scope']}`." in found[0].message
    assert found[0].severity is Severity.WARNING


@pytest.mark.parametrize("names", NAMES)
def test_a_constant_on_a_single_column_key_collides_on_any_two_rows(names) -> None:  # type: ignore[no-untyped-def]
    (found,) = _found(_review(names, "UPDATE {table} SET {column} = 'x' WHERE {flag};"))
    assert found.message.endswith("as soon as it chooses two.") and found.severity is Severity.CRITICAL


@pytest.mark.parametrize("names", NAMES)
def test_a_key_on_the_folded_expression_already_keeps_the_values_apart(names) -> None:  # type: ignore[no-untyped-def]
    schema = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text NOT NULL);\nCREATE UNIQUE INDEX {table}_lower ON {table} (lower({column}));\n"
    result = review_sql(
        "UPDATE {table} SET {column} = lower({column});".format(**names),
        path="db/migrations/002_normalize.sql",
        base={"db/migrations/001_schema.sql": schema.format(**names)},
    )
    assert not _found(result)


@pytest.mark.parametrize("names", NAMES)
def test_the_validation_query_counts_the_values_that_would_collide(names) -> None:  # type: ignore[no-untyped-def]
    result = _review(names, "UPDATE {table} SET {column} = upper({column}) WHERE NOT {flag};")
    data = json.loads(to_json(result))
    queries = [q for q in data["verification_queries"] if "two rows would share" in q["purpose"]]
    assert len(queries) == 1
    assert queries[0]["sql"].startswith(
        f"SELECT new_value, count(*) FROM (SELECT CASE WHEN NOT {names['flag']} THEN UPPER({names['column']}) "
        f"ELSE {names['column']} END AS new_value FROM {names['table']}) AS after_update"
    )
    assert queries[0]["expect"] == "no rows" and queries[0]["line"] == _found(result)[0].line


RAILS = 'class Normalize < ActiveRecord::Migration[7.1]\n  def up\n    {model}.update_all("{column} = LOWER({column})")\n  end\nend\n'
SCHEMA_RB = (
    'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "{table}" do |t|\n    t.string "{column}", null: false\n'
    '    t.string "{other}"\n    t.index ["{column}"], name: "index_{table}_on_{column}", unique: true\n  end\nend\n'
)


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("target,expected", [("column", 1), ("other", 0)])
def test_rails_update_all(names, target, expected) -> None:  # type: ignore[no-untyped-def]
    model = names["table"][:-1].capitalize()
    text = RAILS.format(model=model, column=names[target])
    result = review_sql(
        text, path="db/migrate/20260101000000_normalize.rb", base={"db/schema.rb": SCHEMA_RB.format(**names)}
    )
    assert len(_found(result)) == expected


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize("target,expected", [("column", 1), ("other", 0)])
def test_django_update_of_a_unique_field(names, target, expected) -> None:  # type: ignore[no-untyped-def]
    model = model_of(names["table"])
    text = data_migration(
        model,
        f'{model}.objects.update({names[target]}=Lower("{names[target]}"))',
        imports="from django.db.models.functions import Lower",
    )
    fields = {
        names["column"]: "models.CharField(max_length=200, unique=True)",
        names["other"]: "models.CharField(max_length=200)",
    }
    assert len(_found(review_migration(model, fields, text))) == expected


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("python", "target", "expected"),
    [
        ("row.{field}.lower()", "column", 1),
        ("row.{field}.strip()", "column", 1),
        ("row.{field}.replace('-', '')", "column", 1),
        ("row.{field}.upper()", "other", 0),
        ("normalise(row.{field})", "column", 0),  # a helper's result is unknown: no collision is claimed
    ],
)
def test_django_loop_that_folds_each_rows_unique_field(names, python, target, expected) -> None:  # type: ignore[no-untyped-def]
    """`for row in Model.objects.all(): row.email = row.email.lower(); row.save()` is `UPDATE … SET email =
    lower(email)`, one row at a time: two rows that differ only in case collide on the unique key."""
    model = model_of(names["table"])
    field = names[target]
    loop = f"for row in {model}.objects.all():\n        row.{field} = {python.format(field=field)}\n        row.save()"
    text = data_migration(model, loop)
    fields = {
        names["column"]: "models.CharField(max_length=200, unique=True)",
        names["other"]: "models.CharField(max_length=200)",
    }
    assert len(_found(review_migration(model, fields, text))) == expected


@pytest.mark.parametrize("names", NAMES)
def test_a_renamed_or_recreated_table_keeps_only_its_own_unique_keys(names) -> None:  # type: ignore[no-untyped-def]
    history = (
        "CREATE TABLE {table}_old (id bigint PRIMARY KEY, {column} text, {flag} boolean);\n"
        "CREATE INDEX {table}_by_{column} ON {table}_old ({column}, {flag});\n"
        "ALTER TABLE {table}_old RENAME TO {table};\n"
        "CREATE TABLE {table}_gone (id bigint PRIMARY KEY, {column} text);\n"
        "CREATE UNIQUE INDEX {table}_gone_{column} ON {table}_gone ({column});\n"
        "DROP TABLE {table}_gone;\n"
        "CREATE TABLE {table}_gone (id bigint PRIMARY KEY, {column} text);\n"
    )
    for target in ("{table}", "{table}_gone"):
        result = review_sql(
            f"UPDATE {target} SET {{column}} = 'x' WHERE {{column}} = 'y';".format(**names),
            path="db/migrations/002_change.sql",
            base={"db/migrations/001_schema.sql": history.format(**names)},
        )
        assert not _found(result), target


@pytest.mark.parametrize("names", NAMES)
def test_a_value_renamed_within_a_compound_key_is_quiet(names) -> None:  # type: ignore[no-untyped-def]
    # the rows holding 'old' already differ in the key's other column; only a row holding 'new' could clash
    assert not _found(_review(names, "UPDATE {table} SET slug = 'new-name' WHERE slug = 'old-name';"))
    assert not _found(_review(names, "UPDATE {table} SET slug = 'new-name' WHERE {flag} AND slug = 'old';"))


@pytest.mark.parametrize("names", NAMES)
def test_a_negative_or_boolean_value_is_a_constant_too(names) -> None:  # type: ignore[no-untyped-def]
    assert not _found(_review(names, "UPDATE {table} SET slug = '0' WHERE slug = '-1';"))
    schema = (
        "CREATE TABLE {table} (id bigint PRIMARY KEY, {scope} bigint, pos integer, UNIQUE ({scope}, pos));\n"
    )
    for sql, expected in (("SET pos = 0 WHERE pos = -1", 0), ("SET pos = -1 WHERE id > 10", 1)):
        result = review_sql(
            f"UPDATE {{table}} {sql};".format(**names),
            path="db/migrations/002_change.sql",
            base={"db/migrations/001_schema.sql": schema.format(**names)},
        )
        assert len(_found(result)) == expected, sql


@pytest.mark.parametrize("names", NAMES)
@pytest.mark.parametrize(
    ("path", "text"),
    [
        (
            "migrations/20260101000000_normalize.js",
            "exports.up = async function (knex) {{\n  await knex('{table}').update({{ {target}: knex.raw('lower({target})') }});\n}};\n"
            "exports.down = async function () {{}};\n",
        ),
        (
            "migrations/20260101000000-normalize.js",
            "module.exports = {{\n  async up(queryInterface, Sequelize) {{\n    await queryInterface.bulkUpdate('{table}', "
            "{{ {target}: Sequelize.fn('lower', Sequelize.col('{target}')) }}, {{}});\n  }},\n  async down() {{}},\n}};\n",
        ),
    ],
)
@pytest.mark.parametrize(("target", "expected"), [("column", 1), ("other", 0)])
def test_knex_and_sequelize_updates(names, path, text, target, expected) -> None:  # type: ignore[no-untyped-def]
    result = review_sql(
        text.format(table=names["table"], target=names[target]),
        path=path,
        base={"db/structure.sql": SCHEMA.format(**names)},
    )
    assert len(_found(result)) == expected


@pytest.mark.parametrize("names", NAMES)
def test_mysql_collations_already_fold_case(names) -> None:  # type: ignore[no-untyped-def]
    schema = SCHEMA.format(**names).replace(" boolean", " tinyint(1)")
    for sql, expected in (
        ("lower({column})", 0),
        ("upper({column})", 0),
        ("trim({column})", 1),
        ("left({column}, 8)", 1),
    ):
        result = review_sql(
            f"UPDATE {{table}} SET {{column}} = {sql};".format(**names),
            path="db/migrations/002_change.sql",
            base={"db/migrations/001_schema.sql": schema},
            dialect="mysql",
        )
        assert len(_found(result)) == expected, sql


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("field_type", "field_type_id", "'1'"),
        ("concept_sources", "concept_source_id", "7"),
        ("drug", "id", "42"),
    ],
)
@pytest.mark.parametrize("by_key", [True, False])
def test_a_constant_for_the_row_of_a_conventional_key_of_a_table_created_before_the_history(
    table: str, key: str, value: str, by_key: bool
) -> None:
    """OpenMRS gives each core row its uuid (`UPDATE field_type SET uuid = '8d5e…' WHERE field_type_id = '1'`)
    on tables its schema snapshot created: their keys are unknown, but `<table>_id` or `id` is the key."""
    where = f"{key} = {value} AND name = 'Concept'" if by_key else "name = 'Concept'"
    sql = (
        f"CREATE UNIQUE INDEX {table}_uuid_index ON {table} (uuid);\n"
        f"UPDATE {table} SET uuid = '8d5e7d7c-c2cc-11de-8d13-0010c6dffd0f' WHERE {where};\n"
    )
    assert ("unique-collision" in rule_ids(review_sql(sql, dialect="mysql"))) is not by_key
