"""A value named like a row of the changed table that the code says is something else is no row of it:
a Python parameter annotated with another class (fides' `condition: ConditionLeaf`, a pydantic schema, read
after `digest_condition.operator` was dropped), a Ruby variable named after another model with a word in
front (rubygems' `latest_version.slug` when `rubygems.slug` was dropped), a Ruby method's parameter read
inside a string's interpolation (`"#{name}-#{slug}"`), and a local of a Ruby script without an extension."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

SQLALCHEMY = """from sqlalchemy import Column, Integer, Text
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class {Model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
"""


def _dropped(result: Review) -> Finding | None:
    return next((f for f in result.findings if f.rule == "column-dropped"), None)


def _places(result: Review) -> set[str]:
    finding = _dropped(result)
    return {f"{r.path}:{r.line}" for r in finding.references} if finding else set()


@pytest.mark.parametrize(
    ("prefix", "row", "model", "schema_class", "column"),
    [
        ("digest", "condition", "DigestCondition", "ConditionLeaf", "operator"),
        ("report", "rule", "ReportRule", "RuleSpec", "threshold"),
    ],
)
def test_a_python_value_annotated_with_another_class_is_no_row(
    prefix: str, row: str, model: str, schema_class: str, column: str
) -> None:
    table = f"{prefix}_{row}"
    schema = "".join(
        f"CREATE TABLE {prefix}_{name} (id serial PRIMARY KEY{f', {column} text' if name == row else ''});\n"
        for name in ("config", row, "execution")
    )
    service = (
        f"from app.schemas import {schema_class}\n\n\n"
        f"def evaluate({row}: {schema_class}, data: dict) -> bool:\n"
        f"    return {row}.{column} == data.get('value')\n"
    )
    files = {"app/models.py": SQLALCHEMY.format(Model=model, table=table), "app/service.py": service}
    sql = schema + f"-- migration\nALTER TABLE {table} DROP COLUMN {column};"
    assert "app/service.py:5" not in _places(review_sql(sql, base=files))
    typed = {
        **files,
        "app/service.py": service.replace(f"{row}: {schema_class}", f"{row}: Optional[{model}]"),
    }
    assert "app/service.py:5" in _places(review_sql(sql, base=typed))


@pytest.mark.parametrize(
    ("table", "model", "other", "column", "method"),
    [
        ("rubygems", "Rubygem", "version", "slug", "find_version_by_slug!"),
        ("products", "Product", "variant", "sku", "variant_for_sku?"),
    ],
)
def test_ruby_rows_of_another_model_parameters_and_script_locals_are_no_places(
    table: str, model: str, other: str, column: str, method: str
) -> None:
    """rubygems dropped the unused `rubygems.slug`: the review blocked on `@latest_version&.slug` and
    `latest_version.slug` (rows of `versions`, a word in front), `"#{name}-#{slug}"` in a method taking
    `slug`, and `slug = version_number` at the top of a `#!/usr/bin/env ruby` script."""
    row = table[:-1]
    sql = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n"
        f"CREATE TABLE {other}s (id serial PRIMARY KEY, {row}_id integer, number text);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    model_rb = (
        f"class {model} < ApplicationRecord\n  has_many :{other}s\n\n"
        f'  def {method}({column})\n    full_name = "#{{name}}-#{{{column}}}"\n'
        f"    {other}s.find_by(full_name: full_name)\n  end\nend\n"
    )
    helper = (
        f"module {model}sHelper\n  def link_for({row}, latest_{other})\n"
        f'    diff_url = "https://example.com/{table}/#{{{row}.name}}/prev/#{{latest_{other}.{column}}}"\n'
        "    link_to diff_url, diff_url\n  end\nend\n"
    )
    view = f"<% @title = @{row}.name %>\n<% @subtitle = @latest_{other}&.{column} %>\n"
    script = (
        f"#!/usr/bin/env ruby\n\nname, number = *ARGV\n{row} = {model}.find_by!(name: name)\n"
        f'{column} = number\n{column} << "-x" if number\nputs {row}.id\n'
    )
    files = {
        f"app/models/{row}.rb": model_rb,
        f"app/helpers/{table}_helper.rb": helper,
        f"app/views/{table}/show.html.erb": view,
        "script/restore": script,
    }
    path = f"db/migrate/20240101000000_remove_{column}_from_{table}.rb"
    migration = (
        f"class Remove{column.title()}From{model}s < ActiveRecord::Migration[7.1]\n"
        f"  def change\n    remove_column :{table}, :{column}, :string\n  end\nend\n"
    )
    schema = {"db/migrations/000_schema.sql": sql.split("-- migration\n")[0]}
    quiet = _places(review_sql(migration, path=path, base={**files, **schema}))
    assert not quiet & {
        f"app/models/{row}.rb:5",
        f"app/helpers/{table}_helper.rb:3",
        f"app/views/{table}/show.html.erb:2",
        "script/restore:5",
        "script/restore:6",
    }
    found = {
        f"app/models/{row}.rb": model_rb.replace(f"{method}({column})", f"{method}(number)"),
        f"app/helpers/{table}_helper.rb": helper.replace(f"latest_{other}.{column}", f"{row}.{column}"),
        f"app/views/{table}/show.html.erb": view.replace(f"@latest_{other}&.", f"@{row}&."),
        "script/restore": script.replace(f"{column} = number", f"{column} = {row}.{column}"),
    }
    loud = _places(review_sql(migration, path=path, base={**found, **schema}))
    assert {
        f"app/models/{row}.rb:5",
        f"app/helpers/{table}_helper.rb:3",
        f"app/views/{table}/show.html.erb:2",
        "script/restore:5",
    } <= loud


@pytest.mark.parametrize(
    ("model", "table", "enum", "column"),
    [("Asset", "asset", "ConsentStatus", "with_consent"), ("Ticket", "ticket", "Priority", "high_priority")],
)
def test_an_enum_member_valued_like_the_column_is_no_place(
    model: str, table: str, enum: str, column: str
) -> None:
    """fides replaced `asset.with_consent` by an enum column; the enum's `with_consent = "with_consent"`, in
    the models' file, was a place through its value (the name alone was known as another class's)."""
    models_py = (
        "from enum import Enum\n\nfrom sqlalchemy import Column, Integer, Text\n"
        "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n"
        f'class {enum}(str, Enum):\n    {column} = "{column}"\n    other = "other"\n\n\n'
        f'class {model}(Base):\n    __tablename__ = "{table}"\n    id = Column(Integer, primary_key=True)\n'
        "    status = Column(Text)\n"
    )
    sql = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, status text, {column} boolean);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    assert "app/models.py:10" not in _places(review_sql(sql, base={"app/models.py": models_py}))
    report = f'\n\nclass {model}Report:\n    query = "SELECT id, {column} FROM {table}"\n'
    found = _places(review_sql(sql, base={"app/models.py": models_py + report}))
    assert "app/models.py:21" in found


@pytest.mark.parametrize(
    ("table", "model", "column"),
    [("users", "User", "mfa_recovery_codes"), ("accounts", "Account", "backup_tokens")],
)
def test_a_ruby_instance_variable_named_like_the_column_is_no_place(
    table: str, model: str, column: str
) -> None:
    """rubygems dropped `users.mfa_recovery_codes`; a controller's and a view's `@mfa_recovery_codes` (the
    codes just generated, shown once) and a test's were places, one of them critical."""
    row = table[:-1]
    sql = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text[]);\n-- migration\n"
        f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    controller = (
        f"class RecoveryController < ApplicationController\n  def show\n"
        f"    @{column} = current_{row}.generate_codes\n  end\nend\n"
    )
    view = f"<% @{column}.each do |code| %>\n  <li><%= code %></li>\n<% end %>\n"
    files = {
        f"app/models/{row}.rb": f"class {model} < ApplicationRecord\nend\n",
        "app/controllers/recovery_controller.rb": controller,
        "app/views/recovery/show.html.erb": view,
    }
    migration = (
        f"class RemoveCodes < ActiveRecord::Migration[7.1]\n  def change\n"
        f"    remove_column :{table}, :{column}, :string, array: true\n  end\nend\n"
    )
    path = "db/migrate/20240101000000_remove_codes.rb"
    schema = {"db/migrations/000_schema.sql": sql.split("-- migration\n")[0]}
    assert not _places(review_sql(migration, path=path, base={**files, **schema}))
    read = controller.replace("generate_codes", column)
    loud = _places(
        review_sql(
            migration, path=path, base={**files, **schema, "app/controllers/recovery_controller.rb": read}
        )
    )
    assert loud == {"app/controllers/recovery_controller.rb:3"}
