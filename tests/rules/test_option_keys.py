"""A key of the options a variable is given (`jwt_opts = [session_id: …]` in Elixir, `options = { session_id: … }` in
Ruby, `opts = dict(session_id=…)` in Python) names a setting of whatever the options are passed to, not the column of
the same name: dropping the column does not count it as a use. The same key in the attributes written to the model
(`attrs = %{session_id: …}`, `Token.create!(session_id: …)`) still is one."""

from __future__ import annotations

import pytest

from tests.conftest import review_sql

NAMES = [("oauth_tokens", "Token", "session_id"), ("invoices", "Invoice", "legacy_code")]


def _places(table: str, column: str, files: dict[str, str]) -> list[tuple[str, int]]:
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint, scopes text);\n-- migration\n"
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", head=files, base=dict(files))
    return sorted((r.path, r.line) for f in result.active if f.rule == "column-dropped" for r in f.references)


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_keys_of_options_are_not_the_column(table: str, model: str, column: str) -> None:
    files = {
        "lib/app/tokens.ex": f"defmodule App.{model}s do\n  def create(user, opts) do\n    jwt_opts = [\n"
        f"      {column}: Keyword.get(opts, :user_{column}),\n      expires_in: 3600\n    ]\n"
        "    JWT.generate(user.username, jwt_opts)\n  end\nend\n",
        "app/services/signer.rb": f"class Signer\n  def call(user)\n    options = {{ {column}: user.id, ttl: 60 }}\n"
        "    Jwt.encode(user, options)\n  end\nend\n",
        "app/signer.py": f"def sign(user):\n    opts = dict({column}=user.id, ttl=60)\n    return jwt.encode(user, **opts)\n",
    }
    assert _places(table, column, files) == []


@pytest.mark.parametrize(("table", "model", "column"), NAMES)
def test_attributes_written_to_the_model_still_are(table: str, model: str, column: str) -> None:
    files = {
        "lib/app/tokens.ex": f"defmodule App.{model}s do\n  def create(user, opts) do\n    attrs = %{{\n"
        f"      {column}: Keyword.get(opts, :user_{column}),\n      scopes: opts[:scopes]\n    }}\n"
        f"    %App.{model}{{}} |> App.{model}.changeset(attrs) |> Repo.insert()\n  end\nend\n",
        f"app/models/{model.lower()}.rb": f'class {model} < ApplicationRecord\n  self.table_name = "{table}"\nend\n',
        "app/services/signer.rb": f"class Signer\n  def call(user)\n    {model}.create!({column}: user.id)\n  end\nend\n",
    }
    places = _places(table, column, files)
    assert ("lib/app/tokens.ex", 4) in places and ("app/services/signer.rb", 3) in places
