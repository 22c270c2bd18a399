"""Three kinds of places that name a column or a model without using it, met on real pull requests: a
front-end parameter in camel case named like the snake case column of a Python or Ruby model (a route's
`dashboardId`), a key looked up in a request's or a service's dict (`spec["subject"]`), and a front-end
type named like a backend model (`type Organization = …`). Each is left out; the true uses next to them
(the snake case API field in the front end, the row's attribute, the model in its own language) stay."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review
from tests.conftest import review_sql

NAMES = [("dashboard", "widget"), ("board", "card")]


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _schema(*tables: str) -> str:
    """The schema before the change: `CREATE TABLE` for each `name (columns)`."""
    return "".join(f"CREATE TABLE {table};\n" for table in tables) + "-- migration\n"


def _filled(templates: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    return {path: template.format(**names) for path, template in templates.items()}


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


MODELS = """from django.db import models


class {Parent}(models.Model):
    name = models.TextField()


class {Child}(models.Model):
    {parent} = models.ForeignKey({Parent}, on_delete=models.CASCADE)
    label = models.TextField()
"""
SERIALIZER = """from rest_framework import serializers
from items.models import {Child}


class {Child}Serializer(serializers.ModelSerializer):
    class Meta:
        model = {Child}
        fields = ["id", "{parent}_id", "label"]
"""
PAGE = """import {{ useParams }} from "next/navigation";

export default function {Parent}Page() {{
  const {{ {parent}Id }} = useParams();
  return <{Child}List {parent}Id={{{parent}Id}} />;
}}

export const fetch{Child}s = async (slug: string, {parent}Id: string) =>
  api.get(`/api/${{slug}}/{parent}s/${{{parent}Id}}/{child}s/`);

export const {child}sOf = (items: I{Child}[], {parent}Id: string) =>
  items.filter((item) => item.{parent}_id === {parent}Id);
"""


def _django(parent: str, child: str) -> tuple[str, dict[str, str]]:
    names = {"parent": parent, "child": child, "Parent": parent.title(), "Child": child.title()}
    schema = _schema(
        f"items_{child} (id serial PRIMARY KEY, {parent}_id int, label text)",
        f"items_{parent} (id serial PRIMARY KEY, name text)",
    )
    page = f"web/app/{parent}s/[{parent}Id]/page.tsx"
    files = _filled(
        {"api/items/models.py": MODELS, "api/items/serializers.py": SERIALIZER, page: PAGE}, names
    )
    return schema, files


@pytest.mark.parametrize(("parent", "child"), NAMES)
def test_a_camel_case_front_end_parameter_is_not_a_snake_case_apis_column(parent: str, child: str) -> None:
    schema, files = _django(parent, child)
    page = f"web/app/{parent}s/[{parent}Id]/page.tsx"
    finding = _finding(
        review_sql(schema + f"ALTER TABLE items_{child} DROP COLUMN {parent}_id;", base=files),
        "column-dropped",
    )
    assert {f"{page}:{n}" for n in (4, 5, 8, 9, 11)}.isdisjoint(_places(finding))
    assert {"api/items/serializers.py:8", f"{page}:12"} <= _places(finding)  # the API field, in both
    # An API that turns its keys into camel case serves `{parent}Id`: the front end's names are its fields.
    files["api/settings.py"] = (
        'REST_FRAMEWORK = {"DEFAULT_RENDERER_CLASSES": '
        '["djangorestframework_camel_case.render.CamelCaseJSONRenderer"]}\n'
    )
    camel = _finding(
        review_sql(schema + f"ALTER TABLE items_{child} DROP COLUMN {parent}_id;", base=files),
        "column-dropped",
    )
    assert f"{page}:4" in _places(camel)


CHECK_MODELS = """from django.db import models


class Check(models.Model):
    {column} = models.CharField(max_length=100)
    name = models.TextField()

    class Meta:
        db_table = "api_check"
"""
VIEWS = """def update(check, spec):
    if "{column}" in spec:
        check.success_kw = spec["{column}"]
    keywords = spec.get("{column}", "")
    if "{column}" in check.fields:
        check.{column} = "SUCCESS"
    return {{"name": check.name, "{column}": keywords}}
"""


@pytest.mark.parametrize("column", ["subject", "subject_fail"])
def test_a_key_looked_up_in_a_request_or_service_dict_is_not_the_column(column: str) -> None:
    schema = f"CREATE TABLE api_check (id serial PRIMARY KEY, {column} text, name text);\n-- migration\n"
    files = {
        "hc/api/models.py": CHECK_MODELS.format(column=column),
        "hc/api/views.py": VIEWS.format(column=column),
    }
    finding = _finding(
        review_sql(schema + f"ALTER TABLE api_check DROP COLUMN {column};", base=files), "column-dropped"
    )
    views = {p for p in _places(finding) if p.startswith("hc/api/views.py")}
    assert views == {"hc/api/views.py:6"}  # check.<column> = …: the row's attribute


TYPES = """import type {{ components }} from "./openapi";

export type {Model} = components["schemas"]["{Model}"];

export const label = (item: {Model}) => item.name;
"""
SQLALCHEMY = """from sqlalchemy.orm import Mapped, mapped_column
from app.db import Model


class {Model}(Model):
    __tablename__ = "{table}"
    name: Mapped[str] = mapped_column()
"""
SERVICE = """from app.models import {Model}


def get(session, name):
    return session.query({Model}).filter({Model}.name == name).first()
"""
PRISMA = """model {Model} {{
  id   Int    @id
  name String

  @@map("{table}")
}}
"""


@pytest.mark.parametrize(("model", "table"), [("Organization", "organizations"), ("Benefit", "benefits")])
def test_a_front_end_type_named_like_a_backend_model_is_not_the_model(model: str, table: str) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text);\n-- migration\n"
    files = {
        "clients/web/src/types.ts": TYPES.format(Model=model),
        "server/app/models/item.py": SQLALCHEMY.format(Model=model, table=table),
        "server/app/services/item.py": SERVICE.format(Model=model),
    }
    places = _places(_finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped"))
    assert {"server/app/services/item.py:1", "server/app/services/item.py:5"} <= places
    assert not {p for p in places if p.startswith("clients/")}
    # A Prisma model is TypeScript's: the same type names it.
    files = {
        "prisma/schema.prisma": PRISMA.format(Model=model, table=table),
        "src/types.ts": TYPES.format(Model=model),
    }
    prisma = _places(_finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped"))
    assert "src/types.ts:3" in prisma


DOC = """# Pings

You can send diagnostic data in the request {column} (for POST requests).
The server keeps the first 100 kB of the {column} (#301).
The `{column}` field of a ping holds what the client sent.
Use Ping.{column} to read it.
"""


@pytest.mark.parametrize("column", ["body", "payload"])
def test_a_one_word_column_in_a_sentence_of_the_docs_is_not_a_use(column: str) -> None:
    schema = f"CREATE TABLE api_ping (id serial PRIMARY KEY, {column} text, ua text);\n-- migration\n"
    models = (
        "from django.db import models\n\n\nclass Ping(models.Model):\n"
        f"    {column} = models.TextField()\n\n    class Meta:\n        db_table = 'api_ping'\n"
    )
    files = {"hc/api/models.py": models, "docs/pings.md": DOC.format(column=column)}
    finding = _finding(
        review_sql(schema + f"ALTER TABLE api_ping DROP COLUMN {column};", base=files), "column-dropped"
    )
    docs = {p for p in _places(finding) if p.startswith("docs/")}
    assert docs == {"docs/pings.md:5", "docs/pings.md:6"}


PRISMA_SCHEMA = """model {Model} {{
  id      String  @id @map("{table}_id")
  name    String
  {field} String? @map("{column}")

  @@map("{table}")
}}

model Link {{
  id    String @id @map("{column}")
  label String

  @@map("link")
}}
"""
QUERIES = """export async function get{Model}By{Field}({field}: string) {{
  return prisma.{model}.findUnique({{
    where: {{
      {field},
    }},
  }});
}}

export async function getLink(id: string) {{
  return prisma.link.findUnique({{ where: {{ id }} }});
}}
"""
ROUTE = """export async function GET(_request: Request, {{ params }}: {{ params: Promise<{{ {field}: string }}> }}) {{
  const {{ {field} }} = await params;
  const {model} = await get{Model}By{Field}({field});
  return json({{ url: `/share/${{{field}}}`, {field}: {model}.{field} }});
}}

export const Share = ({{ {field} }}) => <ShareForm {field}={{{field}}} />;
"""


@pytest.mark.parametrize(
    ("model", "table", "field", "column"),
    [("Website", "website", "shareId", "share_id"), ("Board", "board", "slugKey", "slug_key")],
)
def test_script_variables_and_another_models_mapping_are_not_the_column(
    model: str, table: str, field: str, column: str
) -> None:
    # Prisma field `{field}` maps `{column}`; another model maps its id to the same column name; the route
    # passes the value through parameters and variables named like the field.
    names = {
        "Model": model,
        "model": model.lower(),
        "table": table,
        "field": field,
        "Field": field[:1].upper() + field[1:],
        "column": column,
    }
    schema = _schema(
        f"{table} ({table}_id text PRIMARY KEY, name text, {column} text)",
        f"link ({column} text PRIMARY KEY, label text)",
    )
    paths = ("prisma/schema.prisma", "src/queries/items.ts", "src/app/share/route.tsx")
    files = _filled(dict(zip(paths, (PRISMA_SCHEMA, QUERIES, ROUTE), strict=True)), names)
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files), "column-dropped"
    )
    places = _places(finding)
    assert "src/queries/items.ts:4" in places  # where: { <field> }: the query names the field
    assert "src/app/share/route.tsx:4" in places  # <row>.<field>
    assert (
        not {"src/queries/items.ts:1", "src/queries/items.ts:10"} & places
    )  # a parameter; another model's id
    assert not {f"src/app/share/route.tsx:{n}" for n in (1, 2, 3, 7)} & places


ACCOUNTS = """from django.db import models


class Subscription(models.Model):
    plan = models.TextField()


class Customer(models.Model):
    {column} = models.TextField()
"""
BILLING = """def checkout(client, account):
    return client.create(account.{column})
"""


@pytest.mark.parametrize("column", ["stripe_ref", "billing_key"])
def test_a_column_the_change_moves_to_another_table_is_that_tables_in_the_code(column: str) -> None:
    schema = (
        f"CREATE TABLE billing_subscription (id serial PRIMARY KEY, plan text, {column} text);\n"
        "CREATE TABLE billing_customer (id serial PRIMARY KEY);\n-- migration\n"
    )
    moved = f"ALTER TABLE billing_customer ADD COLUMN {column} text;\nALTER TABLE billing_subscription DROP COLUMN {column};"
    files = {
        "billing/models.py": ACCOUNTS.format(column=column),
        "billing/checkout.py": BILLING.format(column=column),
    }
    finding = _finding(review_sql(schema + moved, base=files), "column-dropped")
    assert not {p for p in _places(finding) if p.startswith("billing/checkout.py")}
    dropped = _finding(
        review_sql(schema + f"ALTER TABLE billing_subscription DROP COLUMN {column};", base=files),
        "column-dropped",
    )
    assert "billing/checkout.py:2" in _places(
        dropped
    )  # without the move, the name is the subscription's only


RAILS_MODEL = """class {Model} < ApplicationRecord
  include Provided, {Concern}
end
"""
RAILS_CONCERN = """module {Concern}
  extend ActiveSupport::Concern

  def {column}
    latest_sync&.last_ran_at
  end
end
"""
RAILS_VIEW = """<%= {model}.{column} ? time_ago_in_words({model}.{column}) : "never" %>
"""


@pytest.mark.parametrize(
    ("model", "concern", "column"),
    [("PlaidItem", "Syncable", "last_synced_at"), ("Feed", "Refreshable", "refreshed_at")],
)
def test_a_rails_method_from_an_included_concern_is_read_not_the_column(
    model: str, concern: str, column: str
) -> None:
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in model).lstrip("_")
    table = f"{snake}s"
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} timestamp, name text);\n-- migration\n"
    files = {
        f"app/models/{snake}.rb": RAILS_MODEL.format(Model=model, Concern=concern),
        f"app/models/concerns/{concern.lower()}.rb": RAILS_CONCERN.format(Concern=concern, column=column),
        f"app/views/{table}/_{snake}.html.erb": RAILS_VIEW.format(model=snake, column=column),
    }
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files), "column-dropped"
    )
    assert finding.severity.value == "warning"  # not critical: the view reads the concern's method
    assert f"app/models/concerns/{concern.lower()}.rb:4" in finding.message
    assert "Rails caches the table's columns" in finding.message
    assert "ignored_columns" in finding.fix  # the running release still writes the column
    # Without the concern's method the view reads the column.
    del files[f"app/models/concerns/{concern.lower()}.rb"]
    bare = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files), "column-dropped"
    )
    assert bare.severity.value == "critical"


RUBY_MODEL = """class Import < ApplicationRecord
  def parsed
    Import::Csv.new({column}) if {column}.present?
  end
end
"""
RUBY_CSV = """class Import::Csv
  def self.create_with_field_mappings({column}, fields, col_sep = ",")
    rows = parse({column}, col_sep:)
  end

  def self.sample
    {column} = "a,b"
    new({column})
  end
end
"""


@pytest.mark.parametrize("column", ["raw_csv_str", "raw_file_str"])
def test_a_ruby_methods_parameter_or_local_is_not_the_attribute(column: str) -> None:
    schema = _schema(f"imports (id bigint PRIMARY KEY, {column} text)")
    csv_test = f'class CsvTest < ActiveSupport::TestCase\n  test "parses" do\n    {column} = "a,b"\n    assert Import::Csv.new({column})\n  end\nend\n'
    files = {
        "app/models/import.rb": RUBY_MODEL.format(column=column),
        "app/models/import/csv.rb": RUBY_CSV.format(column=column),
        "test/models/import/csv_test.rb": csv_test,  # a test block's local too
    }
    finding = _finding(
        review_sql(schema + f"ALTER TABLE imports DROP COLUMN {column};", base=files), "column-dropped"
    )
    assert _places(finding) == {"app/models/import.rb:3"}  # the model's attribute reader


RUBY_IMPORTER = """class Security::Importer
  def import(rows)
    rows.each do |row|
      {column} = exchanges[row[:exchange]]&.id
      insert_all!([{{ ticker: row[:symbol], {column}: {column} }}])
    end
  end
end
"""


@pytest.mark.parametrize("column", ["stock_exchange_id", "venue_id"])
def test_a_ruby_hash_key_named_like_a_local_is_still_the_column(column: str) -> None:
    schema = _schema(f"securities (id bigint PRIMARY KEY, ticker text, {column} bigint)")
    files = {"app/models/security/importer.rb": RUBY_IMPORTER.format(column=column)}
    finding = _finding(
        review_sql(schema + f"ALTER TABLE securities DROP COLUMN {column};", base=files), "column-dropped"
    )
    assert _places(finding) == {
        "app/models/security/importer.rb:5"
    }  # the key the insert writes; line 4 is a local


MAIL_TEST = """from django.core import mail


def test_report(check):
    email = mail.outbox[0]
    assert "Last ping" in email.{column}
    message = mail.outbox[1]
    assert message.{column} == "Monthly Report"
    assert check.{column} == "x"
"""


@pytest.mark.parametrize(
    ("table", "model", "row", "column"),
    [("api_check", "Check", "check", "subject"), ("api_ping", "Ping", "check", "body")],
)
def test_a_sent_mails_body_or_subject_is_not_the_column(
    table: str, model: str, row: str, column: str
) -> None:
    models = (
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    {column} = models.TextField()\n\n"
        f"    class Meta:\n        db_table = '{table}'\n"
    )
    files = {"hc/api/models.py": models, "hc/api/tests/test_mail.py": MAIL_TEST.format(column=column)}
    finding = _finding(
        review_sql(
            _schema(f"{table} (id serial PRIMARY KEY, {column} text)")
            + f"ALTER TABLE {table} DROP COLUMN {column};",
            base=files,
        ),
        "column-dropped",
    )
    assert {p for p in _places(finding) if "test_mail" in p} <= {"hc/api/tests/test_mail.py:9"}
    assert not {"hc/api/tests/test_mail.py:6", "hc/api/tests/test_mail.py:8"} & _places(finding)


FORM = """interface {Component}Props {{
  websiteId: string;
  {field}?: string;
  onSave?: () => void;
}}

export function {Component}({{ websiteId, {field} }}: {Component}Props) {{
  return save({{ {field}: website.{field} }});
}}

export interface Website {{
  id: string;
  {field}?: string;
}}
"""


@pytest.mark.parametrize(
    ("component", "field", "column"),
    [("ShareForm", "shareId", "share_id"), ("SlugField", "slugKey", "slug_key")],
)
def test_a_components_props_member_is_not_the_column(component: str, field: str, column: str) -> None:
    schema = _schema(f"website (website_id text PRIMARY KEY, {column} text)")
    prisma = f'model Website {{\n  id String @id @map("website_id")\n  {field} String? @map("{column}")\n\n  @@map("website")\n}}\n'
    files = {
        "prisma/schema.prisma": prisma,
        "src/ShareForm.tsx": FORM.format(Component=component, field=field),
    }
    finding = _finding(
        review_sql(schema + f"ALTER TABLE website DROP COLUMN {column};", base=files), "column-dropped"
    )
    places = _places(finding)
    assert "src/ShareForm.tsx:3" not in places  # the component's prop
    assert "src/ShareForm.tsx:8" in places  # the row's field
    # A member of a front-end type named like the model (`interface Website`) is no read of the column:
    # never a blocking place.
    blocking = {f"{r.path}:{r.line}" for r in finding.references if "low confidence" not in r.kind}
    assert "src/ShareForm.tsx:13" not in blocking


STORAGE = """export class LocalStorage {{
  static readPath = '/api/{table}/read';

  private getUrl({column}: string, path: string) {{
    return `${{join(LocalStorage.readPath, {column}, path)}}?token=1`;
  }}

  describe(row: {{ {column}: string }}) {{
    return `stored in ${{row.{column}}}`;
  }}
}}
"""


@pytest.mark.parametrize(("table", "column"), [("attachments", "bucket"), ("uploads", "region")])
def test_a_variable_inside_a_template_literals_interpolation_is_code(table: str, column: str) -> None:
    """`${join(root, bucket, path)}` runs code: `bucket` there is the method's parameter passed on, not text of
    the string naming the column; `${row.bucket}` reads a row's field."""
    schema = _schema(f"{table} (id bigint PRIMARY KEY, {column} text, path text)")
    files = {f"src/features/{table}/local.ts": STORAGE.format(table=table, column=column)}
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files), "column-dropped"
    )
    places = _places(finding)
    assert f"src/features/{table}/local.ts:5" not in places  # the parameter, passed to join()
    assert f"src/features/{table}/local.ts:9" in places  # the row's field


MODULE = """import {{ {Model}Module }} from './features/{model}/{model}.module';
import {{ InitBootstrap{Word} }} from './global/init-bootstrap.{column}';
const {{ Seed }} = require('./seeds/{column}');
export {{ {Model}Service }} from './features/{model}/{model}.{column}';

export const byId = (db: Db, id: number) =>
  db.query('SELECT {column} FROM {table} WHERE id = $1', [id]);
"""


@pytest.mark.parametrize(("table", "column"), [("users", "provider"), ("orders", "handler")])
def test_a_module_path_named_like_the_column_is_a_file(table: str, column: str) -> None:
    """`import { InitBootstrapProvider } from './global/init-bootstrap.provider'` beside `UserModule`: the
    word is a file's name, not `users.provider`; `row.provider` is the column."""
    model = table.rstrip("s")
    schema = _schema(f"{table} (id bigint PRIMARY KEY, email text, {column} text)")
    names = {"Model": model.title(), "model": model, "column": column, "Word": column.title(), "table": table}
    files = {"src/app.module.ts": MODULE.format(**names)}
    finding = _finding(
        review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", base=files), "column-dropped"
    )
    assert _places(finding) == {"src/app.module.ts:7"}


VIEW = """class IndexView:
    def setup(self):
        self.{table} = None

    def get(self):
        if not self.{table}:
            return []
        return run(self.{table}, fields=self.search_fields)


def counted(cursor):
    cursor.execute("SELECT count(*) FROM {table}")
"""


@pytest.mark.parametrize("table", ["search_query", "billing_summary"])
def test_an_attribute_of_self_named_like_a_table_is_not_the_table(table: str) -> None:
    """Wagtail dropped `search_query` (the `Query` model of `wagtail.search`): eleven `self.search_query` of
    its admin views and forms were said to still use the table, and blocked the pull request."""
    sql = _schema(f"{table} (id serial PRIMARY KEY, query_string text)") + f"DROP TABLE {table};"
    finding = _finding(review_sql(sql, base={"app/views.py": VIEW.format(table=table)}), "table-dropped")
    assert _places(finding) == {"app/views.py:12"}  # the SQL, not the attribute
    assert finding.severity.value == "critical"
    without_sql = VIEW.format(table=table).split("\n\n\ndef counted")[0] + "\n"
    finding = _finding(review_sql(sql, base={"app/views.py": without_sql}), "table-dropped")
    assert not _places(finding) and finding.severity.value != "critical"


PASCAL_MODELS = """from django.db import models


class {Class}(models.Model):
    value = models.TextField()

    class Meta:
        db_table = "{view}"
        managed = False
"""
PASCAL_INIT = "from .result import {Class}\n\n__all__ = [\n    '{Class}',\n]\n"


@pytest.mark.parametrize(
    ("table", "column", "cls"),
    [
        ("rsr_indicatorperioddata", "period_actual_value", "PeriodActualValue"),
        ("shop_order", "shipping_total", "ShippingTotal"),
    ],
)
def test_a_python_class_named_like_a_column_in_pascal_case_is_not_the_column(
    table: str, column: str, cls: str
) -> None:
    """Akvo dropped `rsr_indicatorperioddata.period_actual_value`; its unmanaged model `PeriodActualValue` (a
    view's), named in `__all__`, was said to still use the column."""
    sql = (
        _schema(f"{table} (id serial PRIMARY KEY, value text, {column} text)")
        + f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    files = {
        "app/models/result.py": PASCAL_MODELS.format(Class=cls, view=f"{table}_view"),
        "app/models/__init__.py": PASCAL_INIT.format(Class=cls),
    }
    finding = _finding(review_sql(sql, base=files), "column-dropped")
    assert not _places(finding) and finding.severity.value != "critical"
    used = {**files, "app/report.py": f"def total(row):\n    return row.{column}\n"}
    finding = _finding(review_sql(sql, base=used), "column-dropped")
    assert "app/report.py:2" in _places(finding)


CLIENT_PAGE = """class InventorySource(Base):
    def payload(self, **kwargs):
        optional_fields = (
            'source_path',
            '{column}',
        )
        return update_payload({{}}, optional_fields, kwargs)
"""
CLIENT_FORM = "export const initialValues = (source) => ({{\n  {column}: source?.{column} || false,\n}});\n"


@pytest.mark.parametrize(
    ("table", "column"),
    [("main_inventorysource", "update_on_project_update"), ("shop_order", "gift_wrap_note")],
)
def test_an_api_client_package_of_the_repository_does_not_serve_the_column(table: str, column: str) -> None:
    """AWX dropped `update_on_project_update`: its UI's form fields blocked the drop, because `awxkit`, the API
    client it ships with its own `setup.py` (and no Django), still listed the field among the API's, which made
    the field look served by the backend."""
    sql = (
        _schema(f"{table} (id serial PRIMARY KEY, name text, {column} boolean)")
        + f"ALTER TABLE {table} DROP COLUMN {column};"
    )
    app, _, model = table.partition("_")
    files = {
        f"{app}/models.py": f"from django.db import models\n\n\nclass {model.title()}(models.Model):\n    name = models.TextField()\n",
        "client/setup.py": "from setuptools import setup\n\nsetup(name='client', install_requires=['requests'])\n",
        "client/client/api/pages/inventory.py": CLIENT_PAGE.format(column=column),
        "ui/src/screens/SourceForm.js": CLIENT_FORM.format(column=column),
    }
    finding = _finding(review_sql(sql, base=files), "column-dropped")
    assert finding.severity.value != "critical" and not [r for r in finding.references if "low" not in r.kind]
    # a package that installs Django is the backend's own: its use serves the field
    backend = {
        **files,
        "client/setup.py": files["client/setup.py"].replace("'requests'", "'requests', 'Django>=4.2'"),
    }
    finding = _finding(review_sql(sql, base=backend), "column-dropped")
    assert finding.severity.value == "critical"
