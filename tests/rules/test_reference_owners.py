"""Whose field a name is: the model's, or another object's of the same name. Each class of noise met on
real pull requests (a TypeScript type's member, a value of another kind, a key of another query's object,
a Python module's or another class's variable, an API struct of a Rust crate, a test's strings) is left
out or ranked low, next to the true uses of the same name, which stay blockers."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import review_sql

MIGRATION = "db/migrations/002_change.sql"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _blocking(finding: Finding) -> set[str]:
    """The places that block: high confidence ones (low ones are marked in their kind)."""
    return {f"{r.path}:{r.line}" for r in finding.references if "low confidence" not in r.kind}


def _listed(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


# ghostfolio: `Access.permissions` dropped; `interface User { permissions }` and `aUser?.permissions`
# were counted. The front end's own types and values are not the model's rows.
TYPES = """export interface {Owner} {{
  id: string;
  {column}: string[];
}}

export type {Owner}Settings = {{
  {column}?: string[];
  locale: string;
}};

export const canAdmin = (a{Owner}: {Owner}) => {{
  return hasPermission(a{Owner}?.{column}, 'admin');
}};
"""
QUERIES = """import {{ prisma }} from './prisma';

export const grants = async (id: string) => {{
  const row = await prisma.{delegate}.findFirst({{ where: {{ id }} }});
  return row.{column};
}};

export const listGrants = async () => {{
  return prisma.{delegate}.findMany({{
    select: {{
      id: true,
      {column}: true,
    }},
  }});
}};

export const label = ({delegate}: {Model}) => {delegate}.{column}.join(', ');
"""


@pytest.mark.parametrize(
    ("model", "owner", "column"), [("Access", "User", "permissions"), ("Grant", "Member", "scopes")]
)
def test_a_member_of_another_type_and_a_value_of_another_kind_are_not_the_column(
    model: str, owner: str, column: str
) -> None:
    names = {"Model": model, "delegate": model[0].lower() + model[1:], "Owner": owner, "column": column}
    schema = (
        f'CREATE TABLE "{model}" (id text PRIMARY KEY, {column} text[]);\n'
        f'CREATE TABLE "{owner}" (id text PRIMARY KEY, name text);\n-- migration\n'
    )
    files = {
        "libs/common/src/interfaces/types.ts": TYPES.format(**names),
        "apps/api/src/grants/queries.ts": QUERIES.format(**names),
    }
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN {column};', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL
    assert _blocking(finding) == {
        "apps/api/src/grants/queries.ts:5",  # a row the query returned
        "apps/api/src/grants/queries.ts:12",  # a key of the query's select
        "apps/api/src/grants/queries.ts:17",  # a value typed as the model
    }


# documenso: `TeamGlobalSettings.brandingHidePoweredBy` dropped; a branding object's field (its type, its
# default, the e-mail's `branding.brandingHidePoweredBy`, a mapper's result) was counted five times.
BRANDING = """type BrandingContextValue = {{
  brandingEnabled: boolean;
  {column}: boolean;
}};

const defaults: BrandingContextValue = {{
  brandingEnabled: false,
  {column}: false,
}};

export const toBranding = (settings: Settings, hidden: boolean) => {{
  return {{
    ...settings,
    {column}: hidden,
  }};
}};

export const Footer = () => {{
  const branding = useBranding();
  return branding.{column} ? null : <PoweredBy />;
}};
"""
SETTINGS = """export const updateSettings = async (id: string, hidden: boolean) => {{
  await prisma.{delegate}.update({{
    where: {{ id }},
    data: {{
      {column}: hidden,
    }},
  }});
}};

export const isHidden = async (id: string) => {{
  const found = await prisma.{delegate}.findUnique({{ where: {{ id }} }});
  return found?.{column} ?? false;
}};
"""


@pytest.mark.parametrize(
    ("model", "column"),
    [("TeamGlobalSettings", "brandingHidePoweredBy"), ("SitePreferences", "footerHidden")],
)
def test_a_field_of_another_object_with_the_columns_name_is_not_a_use(model: str, column: str) -> None:
    names = {"delegate": model[0].lower() + model[1:], "column": column}
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, "{column}" boolean);\n-- migration\n'
    files = {
        "packages/email/providers/branding.tsx": BRANDING.format(**names),
        "packages/lib/server-only/settings.ts": SETTINGS.format(**names),
    }
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert _blocking(finding) == {
        "packages/lib/server-only/settings.ts:5",  # written by the update on the model
        "packages/lib/server-only/settings.ts:12",  # read from the row the query found
    }
    assert finding.severity is Severity.CRITICAL


# documenso: `teamId` of the settings dropped; a key of a query on another model nearby was counted.
TEAM_QUERIES = """export const createTeamSettings = async (team: Team) => {{
  await prisma.{delegate}.create({{
    data: {{
      {column}: team.id,
    }},
  }});
}};

export const teamDocuments = async ({column}: number) => {{
  const settings = await prisma.{delegate}.findFirst({{ where: {{ id: 1 }} }});
  return prisma.document.findMany({{
    where: {{
      {column},
      deletedAt: null,
    }},
  }});
}};

export const summary = (rows: Row[]) =>
  rows.map((row) => ({{
    {column}: row.owner,
    count: row.count,
  }}));
"""


@pytest.mark.parametrize(("model", "column"), [("TeamGlobalSettings", "teamId"), ("TeamBilling", "ownerId")])
def test_a_key_of_a_query_on_another_model_is_not_the_column(model: str, column: str) -> None:
    names = {"delegate": model[0].lower() + model[1:], "column": column}
    schema = (
        f'CREATE TABLE "{model}" (id serial PRIMARY KEY, "{column}" int);\n'
        f'CREATE TABLE "Document" (id serial PRIMARY KEY, "{column}" int, "deletedAt" timestamptz);\n'
        "-- migration\n"
    )
    files = {"packages/lib/server-only/team.ts": TEAM_QUERIES.format(**names)}
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert _listed(finding) == {"packages/lib/server-only/team.ts:4"}  # the create on the model itself
    assert finding.severity is Severity.CRITICAL


# Python: a module's variable or another class's constant named like the column.
PY_MODELS = """from django.db import models


class {Model}(models.Model):
    {column} = models.TextField()

    class Meta:
        db_table = "{table}"


class Page(models.Model):
    {column} = models.TextField()
"""
PY_VIEWS = """from app.models import {Model}

{column} = "Latest"
for {column} in ("a", "b"):
    print({column})


class IndexView(ListView):
    {column} = "Index"
    queryset = {Model}.objects.all()


def rename(pk, {column}):
    {Model}.objects.filter(pk=pk).update({column}={column})


def show(row):
    return row.{column}
"""


@pytest.mark.parametrize(
    ("model", "table", "column"), [("Article", "blog_article", "title"), ("Shop", "shops", "slug")]
)
def test_a_python_modules_variable_and_another_classs_constant_are_not_the_column(
    model: str, table: str, column: str
) -> None:
    names = {"Model": model, "table": table, "column": column}
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE app_page (id serial PRIMARY KEY, {column} text);\n-- migration\n"
    )
    files = {"app/models.py": PY_MODELS.format(**names), "app/views.py": PY_VIEWS.format(**names)}
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    # the update's keyword argument is the column (a name other tables share, tied by the query on the model)
    assert _listed(finding) == {"app/models.py:5", "app/views.py:14"}


# lemmy: a field of an API struct named after the model (`LocalSiteForm` of the API crate) was counted.
RUST_SCHEMA = """diesel::table! {{
    {table} (id) {{
        id -> Int4,
        {column} -> Bool,
    }}
}}
"""
RUST_API = """#[derive(Debug, Serialize, Deserialize, Clone, Default)]
pub struct {Model}Form {{
  pub {column}: Option<bool>,
}}

#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct {Model}Response {{
  pub {column}: bool,
}}
"""
RUST_SOURCE = """#[derive(Clone, Default)]
#[cfg_attr(feature = "full", derive(AsChangeset))]
pub struct {Model}Form {{
  pub {column}: Option<bool>,
}}

pub fn enabled(conn: &mut PgConnection) -> bool {{
  {table}::table.select({table}::{column}).first(conn).unwrap_or(false)
}}
"""


@pytest.mark.parametrize(
    ("table", "model", "column"),
    [("local_site", "LocalSite", "legacy_captcha"), ("person_setting", "PersonSetting", "show_scores")],
)
def test_a_rust_api_structs_field_is_not_the_column(table: str, model: str, column: str) -> None:
    names = {"table": table, "Model": model, "column": column}
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} boolean);\n-- migration\n"
    files = {
        "crates/db_schema_file/src/schema.rs": RUST_SCHEMA.format(**names),
        "crates/api_common/src/site.rs": RUST_API.format(**names),
        "crates/db_schema/src/source/site.rs": RUST_SOURCE.format(**names),
    }
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files)
    assert _listed(_finding(result, "column-dropped")) == {
        "crates/db_schema_file/src/schema.rs:4",  # the table! entry
        "crates/db_schema/src/source/site.rs:4",  # the changeset deriving Diesel's trait
        "crates/db_schema/src/source/site.rs:8",  # the query
    }


# lemmy: `resolve_reason` of four report tables renamed; every place was hidden as "a same-named column of
# another table", the Diesel path `post_report::resolve_reason.eq(…)` and the mapped struct's field included.
RUST_SHARED_SCHEMA = """diesel::table! {{
    {table} (id) {{
        id -> Int4,
        {column} -> Nullable<Text>,
    }}
}}

diesel::table! {{
    {other} (id) {{
        id -> Int4,
        {column} -> Nullable<Text>,
    }}
}}
"""
RUST_SHARED_SOURCE = """#[derive(Clone, Default)]
#[cfg_attr(feature = "full", derive(Insertable, AsChangeset))]
#[cfg_attr(feature = "full", diesel(table_name = {table}))]
pub struct {Model}Form {{
  pub {column}: Option<String>,
}}

pub fn resolve(conn: &mut PgConnection, id: i32, {column}: Option<String>) -> QueryResult<usize> {{
  diesel::update({table}::table.find(id))
    .set({table}::{column}.eq({column}))
    .execute(conn)
}}

pub struct Unrelated {{
  pub {column}: Option<String>,
}}
"""


@pytest.mark.parametrize(
    ("table", "other", "model", "column"),
    [
        ("post_report", "comment_report", "PostReport", "resolve_reason"),
        ("invoice_line", "order_line", "InvoiceLine", "unit_note"),
    ],
)
def test_a_rust_column_another_table_shares_is_found_through_its_table(
    table: str, other: str, model: str, column: str
) -> None:
    names = {"table": table, "other": other, "Model": model, "column": column}
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text);\n"
        f"CREATE TABLE {other} (id serial PRIMARY KEY, {column} text);\n-- migration\n"
    )
    files = {
        "crates/db_schema_file/src/schema.rs": RUST_SHARED_SCHEMA.format(**names),
        "crates/db_schema/src/impls/report.rs": RUST_SHARED_SOURCE.format(**names),
    }
    result = review_sql(
        schema + f"ALTER TABLE {table} RENAME COLUMN {column} TO conclusion;", path=MIGRATION, base=files
    )
    finding = _finding(result, "column-renamed")
    assert _blocking(finding) == {
        "crates/db_schema_file/src/schema.rs:4",  # its table! entry, not the other table's (line 11)
        "crates/db_schema/src/impls/report.rs:5",  # the field of the struct Diesel maps to the table
        "crates/db_schema/src/impls/report.rs:10",  # `{table}::{column}.eq(…)`
    }, finding.references


# Tests: strings of a test are its text; helpers under `api_tests/` are tests; a query in a test is
# listed as a test (never blocking), a query in production code still blocks.
TEST_HELPER = """export async function saveSettings(api: LemmyHttp) {{
  return api.saveUserSettings({{ {column}: true }});
}}
"""
TEST_CASE = """def test_form_errors(client):
    response = client.post("/settings", {{"name": "x"}})
    assert "{column}" in response.json()["errors"]
    assert response.json()["{column}"] == "This field is required"
    rows = db.execute("SELECT {column} FROM {table}").fetchall()
"""
PRODUCTION = """def enabled(cursor):
    cursor.execute("SELECT {column} FROM {table} WHERE id = %s", [1])
    return cursor.fetchone()[0]
"""


@pytest.mark.parametrize(("table", "column"), [("local_user", "auto_expand"), ("account", "legacy_theme")])
def test_a_tests_strings_are_not_uses_and_its_helpers_never_block(table: str, column: str) -> None:
    names = {"table": table, "column": column}
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} boolean);\n-- migration\n"
    files = {
        "api_tests/src/shared.ts": TEST_HELPER.format(**names),
        "app/tests/test_settings.py": TEST_CASE.format(**names),
    }
    drop = f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _finding(review_sql(schema + drop, path=MIGRATION, base=files), "column-dropped")
    assert {f"{r.path}:{r.line}": r.kind for r in finding.references} == {
        "api_tests/src/shared.ts:2": "test",
        "app/tests/test_settings.py:5": "test",  # the query, read as SQL
    }
    assert finding.severity is not Severity.CRITICAL
    files["app/settings.py"] = PRODUCTION.format(**names)
    finding = _finding(review_sql(schema + drop, path=MIGRATION, base=files), "column-dropped")
    assert _blocking(finding) >= {"app/settings.py:2"}
    assert finding.severity is Severity.CRITICAL


# maybe: `accounts.is_active` dropped; a template's own variable of that name was a blocker.
ERB = """<% steps.each_with_index do |step, idx| %>
  <% {column} = step_idx == idx %>
  <li class="<%= {column} ? "current" : "" %>"><%= step.name %></li>
<% end %>
<p><%= account.{column} ? "On" : "Off" %></p>
"""


@pytest.mark.parametrize(
    ("table", "model", "column"),
    [("accounts", "Account", "is_active"), ("listings", "Listing", "featured_now")],
)
def test_a_templates_own_variable_is_not_the_column(table: str, model: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id bigserial PRIMARY KEY, {column} boolean);\n-- migration\n"
    files = {
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\nend\n",
        "app/views/import/confirms/show.html.erb": ERB.format(column=column),
    }
    result = review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files)
    assert _listed(_finding(result, "column-dropped")) == {"app/views/import/confirms/show.html.erb:5"}


# documenso: `User.url` dropped; a component's `user` prop typed `{ name: string; url: string }` was counted.
CARD = """export type CardProps = {{
  {row}: {{
    name: string;
    {column}: string;
  }};
}};

export const Card = ({{ {row} }}: CardProps) => <p>{{{row}.{column}}}</p>;
"""
PAGE = """export const link = ({row}: {Model}) => {{
  return {row}.{column};
}};

export const label = (rows: Rows) => {{
  const selected = rows.find(Boolean);
  const format = ({row}?: typeof selected) => {row}?.{column};
  return format(selected);
}};
"""


@pytest.mark.parametrize(("model", "column"), [("User", "url"), ("Team", "slug")])
def test_a_value_named_like_a_row_but_declared_with_another_type_is_not_the_column(
    model: str, column: str
) -> None:
    names = {"row": model.lower(), "Model": model, "column": column}
    schema = f'CREATE TABLE "{model}" (id serial PRIMARY KEY, {column} text);\n-- migration\n'
    files = {"src/components/card.tsx": CARD.format(**names), "src/lib/link.ts": PAGE.format(**names)}
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN {column};', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert _blocking(finding) == {
        "src/lib/link.ts:2",
        "src/lib/link.ts:7",
    }  # a type inferred may be the model's
    assert finding.severity is Severity.CRITICAL


# ghostfolio: `Account.accountType` dropped; a line of a multi-line `Omit<Account, …>` was a blocker.
EXPORT = """export interface Export {{
  accounts: Omit<
    Account,
    '{column}' | 'createdAt' | 'updatedAt' | 'userId'
  >[];
}}
"""


@pytest.mark.parametrize(("model", "column"), [("Account", "accountType"), ("Wallet", "legacyKind")])
def test_a_string_of_a_type_union_is_not_the_column(model: str, column: str) -> None:
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, "{column}" text, "createdAt" timestamptz);\n'
    files = {
        "libs/common/src/interfaces/export.interface.ts": EXPORT.format(column=column),
        "apps/api/src/export.service.ts": f"export const kinds = (row: {model}) => row.{column};\n",
    }
    drop = f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    result = review_sql(schema + "-- migration\n" + drop, path=MIGRATION, base=files)
    assert _listed(_finding(result, "column-dropped")) == {"apps/api/src/export.service.ts:1"}


# ghostfolio: `Order.currency` moved to `SymbolProfile`; the keys of the nested write of the related
# model (`SymbolProfile: { connectOrCreate: { create: { currency } } }`) were counted for Order.
NESTED = """export const importOrder = async (row: Row) => {{
  await this.{service}Service.create{Model}({{
    {column}: row.{column},
    {Related}: {{
      connectOrCreate: {{
        create: {{
          {column}: row.{column},
          symbol: row.symbol,
        }},
        where: {{ symbol: row.symbol }},
      }},
    }},
  }});
}};
"""


@pytest.mark.parametrize(
    ("model", "related", "column"), [("Order", "SymbolProfile", "currency"), ("Trade", "Asset", "exchange")]
)
def test_a_key_of_a_related_models_nested_write_is_not_the_column(
    model: str, related: str, column: str
) -> None:
    schema = (
        f'CREATE TABLE "{model}" (id text PRIMARY KEY, {column} text, "{related.lower()}Id" text);\n'
        f'CREATE TABLE "{related}" (id text PRIMARY KEY, {column} text, symbol text);\n-- migration\n'
    )
    names = {"Model": model, "service": model.lower(), "Related": related, "column": column}
    files = {"apps/api/src/import/import.service.ts": NESTED.format(**names)}
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN {column};', path=MIGRATION, base=files)
    assert _listed(_finding(result, "column-dropped")) == {"apps/api/src/import/import.service.ts:3"}


# ghostfolio: `Order.symbol` dropped; a calculator's `order` of `orders: PortfolioOrder[]` was counted.
CALCULATOR = """export class PortfolioCalculator {{
  public computePoints({rows}: Portfolio{Model}[]) {{
    const seen = {{}};
    for (const {row} of {rows}) {{
      seen[{row}.{column}] = true;
    }}
    return seen;
  }}
}}
"""
SERVICE = """export class {Model}Reader {{
  public read({row}: {Model}) {{
    return {row}.{column};
  }}
}}
"""


@pytest.mark.parametrize(("model", "column"), [("Order", "symbol"), ("Trade", "ticker")])
def test_a_loop_variable_over_values_of_another_type_is_not_the_column(model: str, column: str) -> None:
    row = model.lower()
    names = {"Model": model, "row": row, "rows": row + "s", "column": column}
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, {column} text);\n-- migration\n'
    files = {
        "apps/api/src/portfolio/calculator.ts": CALCULATOR.format(**names),
        "apps/api/src/orders/reader.ts": SERVICE.format(**names),
    }
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN {column};', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert _blocking(finding) == {"apps/api/src/orders/reader.ts:3"}


# documenso (base of its organisations and envelopes changes): a key of a query written after a closed type
# declaration, and a key of a helper's object whose result a query on the model writes, are the column.
AFTER_TYPE = """export type Options = {{
  userId: number;
}};

export const run = async ({{ userId }}: Options) => {{
  if (userId) {{
    const rows = await prisma.{delegate}.findMany({{
      where: {{
        {column}: userId,
      }},
    }});
  }}
  await tx.{delegate}.create({{
    data: buildData({{
      kind: 'created',
      {column}: 1,
    }}),
  }});
}};
"""


@pytest.mark.parametrize(
    ("model", "other", "column"),
    [("Team", "TeamPending", "ownerUserId"), ("AuditLog", "Recipient", "documentId")],
)
def test_a_key_of_a_query_after_a_type_or_inside_a_helper_of_the_query_is_the_column(
    model: str, other: str, column: str
) -> None:
    schema = (
        f'CREATE TABLE "{model}" (id serial PRIMARY KEY, "{column}" int);\n'
        f'CREATE TABLE "{other}" (id serial PRIMARY KEY, "{column}" int);\n-- migration\n'
    )
    names = {"delegate": model[0].lower() + model[1:], "column": column}
    files = {"src/server/run.ts": AFTER_TYPE.format(**names)}
    result = review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";', path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert _blocking(finding) == {"src/server/run.ts:9", "src/server/run.ts:16"}
    assert finding.severity is Severity.CRITICAL
