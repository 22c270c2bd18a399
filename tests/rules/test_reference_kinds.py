"""Places met on real pull requests that were counted as uses, or given a kind they are not: a folder named
`api` taken for an API contract, a Django admin's or form's `exclude` list, a table's name in a log
message, a field the TypeScript code adds to the model's rows itself, and a database function renamed and
then dropped under its new name. Each noisy variant produces no place; the true use next to it stays."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Review, Severity
from bot.references.inflection import camelize
from tests.conftest import review_sql


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


SERVICE = """import {{ prisma }} from '../prisma';

export async function total{Model}(id: string) {{
  const row = await prisma.{model}.findFirst({{ where: {{ id }} }});
  return row.{column};
}}
"""


@pytest.mark.parametrize(
    ("model", "column", "folder"),
    [
        ("Account", "legacyBalance", "apps/api/src/app/account"),
        ("Invoice", "paidCents", "server/api/billing"),
    ],
)
def test_a_folder_named_api_is_production_code_not_an_api_contract(
    model: str, column: str, folder: str
) -> None:
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, "{column}" int);\n-- migration\n'
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id String @id\n  {column} Int\n}}\n",
        f"{folder}/{model.lower()}.service.ts": SERVICE.format(
            Model=model, model=model[0].lower() + model[1:], column=column
        ),
        f"{folder}/{model.lower()}.dto.ts": f"export class {model}Dto {{\n  {column}: number;\n}}\n",
    }
    finding = _finding(
        review_sql(schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";', base=files), "column-dropped"
    )
    places = _places(finding)
    assert places[f"{folder}/{model.lower()}.service.ts:5"] == "other"
    assert finding.severity is Severity.CRITICAL


MODELS = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()
"""
ADMIN = """from django.contrib import admin
from shop.models import {Model}


@admin.register({Model})
class {Model}Admin(admin.ModelAdmin):
    exclude = ("{column}",)
    list_display = ("name",)


class {Model}Inline(admin.TabularInline):
    model = {Model}
    exclude = [
        "{column}",
        "name",
    ]
"""
FORMS = """from django import forms
from django.forms import modelform_factory
from shop.models import {Model}


class {Model}Form(forms.ModelForm):
    class Meta:
        model = {Model}
        exclude = ["{column}"]


Quick{Model}Form = modelform_factory({Model}, exclude=("{column}",))
"""
SERIALIZERS = """from rest_framework import serializers
from shop.models import {Model}


class {Model}Serializer(serializers.ModelSerializer):
    class Meta:
        model = {Model}
        exclude = ("{column}",)
"""
ADMIN_FIELDS = """from django.contrib import admin
from shop.models import {Model}


class {Model}ReadOnlyAdmin(admin.ModelAdmin):
    readonly_fields = ("{column}",)
"""


@pytest.mark.parametrize(
    ("model", "table", "column"),
    [("Order", "shop_order", "legacy_note"), ("Ticket", "shop_ticket", "old_tags")],
)
def test_a_django_admin_or_form_exclude_is_no_use_a_serializer_exclude_is(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, name text);\n-- migration\n"
    names = {"Model": model, "column": column}
    files = {
        "shop/models.py": MODELS.format(**names),
        "shop/admin.py": ADMIN.format(**names),
        "shop/forms.py": FORMS.format(**names),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    # Django leaves out the names `exclude` lists and ignores one the model no longer has: nothing breaks
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert not _places(quiet)
    assert quiet.severity is not Severity.CRITICAL
    # Django REST framework asserts that each name of `Meta.exclude` is a model field; the admin checks
    # `readonly_fields` (admin.E035)
    files["shop/serializers.py"] = SERIALIZERS.format(**names)
    files["shop/admin_fields.py"] = ADMIN_FIELDS.format(**names)
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert _places(loud) == {"shop/serializers.py:8": "serializer", "shop/admin_fields.py:6": "other"}
    assert loud.severity is Severity.CRITICAL


TASKS_RS = """use tracing::info;

pub async fn refresh(conn: &mut Conn) -> Result<()> {{
  let n = 0;
  info!(
    "Finished refreshing {{}} (processed {{}} rows)",
    "{table}", n
  );
  tracing::warn!("{table}");
  println!("{{}}", "{table}");
  Ok(())
}}
"""
TASKS_PY = """import logging

logger = logging.getLogger(__name__)


def refresh():
    logger.info("%s refreshed", "{table}")
    print("{table}")
    return run("{table}")
"""
TASKS_TS = """export function refresh() {{
  console.log('{table}');
  this.logger.warn(
    '{table}',
  );
  return knex('{table}').select('id');
}}
"""


@pytest.mark.parametrize("table", ["post_totals", "legacy_invoices"])
def test_a_table_named_in_a_log_message_is_no_use(table: str) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, n int);\n-- migration\n"
    files = {
        "crates/routes/src/tasks.rs": TASKS_RS.format(table=table),
        "app/tasks_log.py": TASKS_PY.format(table=table),
        "src/refresh.ts": TASKS_TS.format(table=table),
    }
    places = _places(_finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped"))
    assert not {p for p in places if p.startswith("crates/")}
    assert "app/tasks_log.py:7" not in places and "app/tasks_log.py:8" not in places
    assert {"src/refresh.ts:2", "src/refresh.ts:4"}.isdisjoint(places)
    assert {"app/tasks_log.py:9", "src/refresh.ts:6"} <= set(places)  # given to code that queries it


COMPUTED_TYPE = """import {{ {Model} as {Model}Model }} from '@prisma/client';

export type {Model}With{Field} = {Model}Model & {{
  {column}: number;
}};
"""
COMPUTED_INTERFACE = """import {{ {Model} }} from '@prisma/client';

export interface {Model}With{Field} extends {Model} {{
  {column}?: number;
  tags?: {{ id: string }}[];
}}
"""
ACCOUNT_SERVICE = """import {{ prisma }} from './prisma';

export class {Model}Service {{
  public async total(rows: {Model}With{Field}[]) {{
    let sum = 0;
    for (const {model} of rows) {{
      sum += {model}.{column};
    }}
    return {{ {column}: sum }};
  }}

  public async create(data: Create{Model}Dto) {{
    const {{ {column}, ...rest }} = data;
    return this.save({{ {column}, data: rest }});
  }}
}}
"""
RAW = """import {{ prisma }} from './prisma';

export const legacy = () => prisma.$queryRaw`SELECT "{column}" FROM "{Model}"`;
export const reset = (id: string) => prisma.{model}.update({{ where: {{ id }}, data: {{ {column}: 0 }} }});
"""


@pytest.mark.parametrize(
    ("model", "column", "field"),
    [("Account", "balance", "Balance"), ("Wallet", "spentCents", "SpentCents")],
)
@pytest.mark.parametrize("declaration", [COMPUTED_TYPE, COMPUTED_INTERFACE])
def test_a_field_the_script_code_adds_to_the_models_rows_is_not_the_column(
    model: str, column: str, field: str, declaration: str
) -> None:
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, "{column}" int, name text);\n-- migration\n'
    names = {"Model": model, "model": model[0].lower() + model[1:], "column": column, "Field": field}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id String @id\n  name String\n}}\n",
        f"libs/common/src/types/{model.lower()}-with-{column.lower()}.type.ts": declaration.format(**names),
        f"apps/server/src/{model.lower()}.service.ts": ACCOUNT_SERVICE.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert not _places(quiet)
    assert quiet.severity is not Severity.CRITICAL
    # SQL in a string and a query on the model still name the column
    files[f"apps/server/src/{model.lower()}.raw.ts"] = RAW.format(**names)
    loud = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert set(loud) == {
        f"apps/server/src/{model.lower()}.raw.ts:3",
        f"apps/server/src/{model.lower()}.raw.ts:4",
    }
    # without the computed type, the row's member is the column
    del files[f"libs/common/src/types/{model.lower()}-with-{column.lower()}.type.ts"]
    plain = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert f"apps/server/src/{model.lower()}.service.ts:7" in plain


FUNCTION = """CREATE TABLE person (id serial PRIMARY KEY, name text);
CREATE TABLE {table} (id serial PRIMARY KEY, users int);
CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE {table} SET users = users + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER {function} AFTER INSERT ON person FOR EACH ROW EXECUTE PROCEDURE {function}();
ALTER TRIGGER {function} ON person RENAME TO {function}_v2;
ALTER FUNCTION {function}() RENAME TO {function}_v2;
"""


@pytest.mark.parametrize(
    ("table", "function"), [("site_totals", "site_totals_person_insert"), ("stats", "count_people")]
)
def test_a_function_renamed_then_dropped_under_its_new_name_is_gone(table: str, function: str) -> None:
    schema = FUNCTION.format(table=table, function=function)
    dropped = review_sql(schema + f"DROP FUNCTION {function}_v2 CASCADE;\n-- migration\nDROP TABLE {table};")
    assert not _finding(dropped, "table-dropped").references
    kept = _finding(review_sql(schema + f"-- migration\nDROP TABLE {table};"), "table-dropped")
    assert kept.severity is Severity.CRITICAL
    assert [r.line for r in kept.references] == [5]
    assert f"`{function}_v2`" in kept.references[0].kind


ALEMBIC_DROP = '''"""drop {table}"""
from alembic import op

revision = "9f1"
down_revision = "9f0"


def upgrade():
    op.drop_table("{table}")


def downgrade():
    pass
'''
OLD_REVISION = '''"""create {table}"""
from alembic import op
import sqlalchemy as sa

revision = "9f0"
down_revision = None


class {Model}(Base):
    __tablename__ = "{table}"
    id = sa.Column(sa.Integer, primary_key=True)


def upgrade():
    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))
'''
DUMP = """CREATE TABLE public.{table} (
    id integer NOT NULL
);
COPY public.{table} (id) FROM stdin;
"""


@pytest.mark.parametrize(
    ("folder", "table", "model"),
    [
        ("src/app/database/revisions/tenant/versions", "service_incident", "ServiceIncident"),
        ("backend/alembic/versions", "legacy_invoices", "LegacyInvoice"),
    ],
)
def test_old_migrations_beside_the_changes_and_database_dumps_are_not_searched(
    folder: str, table: str, model: str
) -> None:
    names = {"table": table, "Model": model}
    report = f'MONTHLY = text("SELECT id FROM {table}")\n'
    base = {
        f"{folder}/9f0_create.py": OLD_REVISION.format(**names),
        "data/sample-data.dump": DUMP.format(**names),
        "backend/db/structure.sql": DUMP.format(**names),
        "app/reports/monthly.py": report,
        "src/app/database/multi-tenant.sql": f"drop table IF EXISTS core.{table};\n",
    }
    result = review_sql(ALEMBIC_DROP.format(**names), path=f"{folder}/9f1_drop.py", base=base)
    assert _places(_finding(result, "table-dropped")) == {"app/reports/monthly.py:1": "raw-sql"}


COMPONENT = """import {{ omit }} from 'lodash';
import {{ {Model} }} from '@prisma/client';

export class {Model}TableComponent {{
  protected {column}({model}: {Model} & {{ tags?: {{ id: string }}[] }}) {{
    return isExcluded({model});
  }}

  public exportRow(row: ImportDto) {{
    return omit(row, [
      'balances',
      '{column}',
    ]);
  }}

  public pickRow(row: ImportDto) {{
    return pick(row, ['{column}', 'id']);
  }}
}}
"""
QUERY = """import {{ prisma }} from './prisma';

export const hidden = () => prisma.{model}.findMany({{ where: {{ {column}: true }} }});
"""


@pytest.mark.parametrize(("model", "column"), [("Account", "isExcluded"), ("Portfolio", "hiddenFromFeed")])
def test_a_method_named_like_the_column_and_keys_given_to_omit_are_no_uses(model: str, column: str) -> None:
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, "{column}" boolean, name text);\n-- migration\n'
    names = {"Model": model, "model": model[0].lower() + model[1:], "column": column}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id String @id\n  name String\n}}\n",
        "libs/ui/src/table.component.ts": COMPONENT.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["apps/server/src/hidden.ts"] = QUERY.format(**names)
    assert set(_places(_finding(review_sql(drop, base=files), "column-dropped"))) == {
        "apps/server/src/hidden.ts:3"
    }


SQLA_BASE = """from sqlalchemy.ext.declarative import declarative_base, declared_attr


class CustomBase:
    @declared_attr
    def __tablename__(self):
        return resolve_table_name(self.__name__)


Base = declarative_base(cls=CustomBase)
"""
SQLA_MODELS = """from sqlalchemy import Column, Integer, String
from sqlalchemy.ext.hybrid import hybrid_property
from app.database import Base


class {Other}(Base):
    id = Column(Integer, primary_key=True)
    {column} = Column(String)
    filters = relationship("{Model}")


class {Model}(Base):
    id = Column(Integer, primary_key=True)
    _{column} = Column(String)

    @hybrid_property
    def {column}(self):
        return decode(self._{column})
"""
SQLA_SERVICE = """def describe({row}):
    return {row}.{column}
"""


@pytest.mark.parametrize(
    ("model", "table", "other", "column"),
    [
        ("PluginInstance", "plugin_instance", "Notification", "configuration"),
        ("SearchFilter", "search_filter", "Service", "kind"),
    ],
)
def test_sqlalchemy_models_named_by_their_base_are_the_tables_models(
    model: str, table: str, other: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, _{column} text);\n-- migration\n"
    names = {"Model": model, "Other": other, "column": column, "row": table}
    files = {
        "src/app/database.py": SQLA_BASE,
        "src/app/models.py": SQLA_MODELS.format(**names),
        "src/app/service.py": SQLA_SERVICE.format(**names),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _finding(review_sql(drop, base=files), "column-dropped")
    # the other model's own column is not listed; the row's attribute reads the model's hybrid property
    assert "src/app/models.py:8" not in _places(finding)
    assert finding.severity is Severity.INFO
    assert f"the model's own `{column}` (`src/app/models.py:17`)" in finding.message
    # without the property, the row's attribute is the column
    files["src/app/models.py"] = SQLA_MODELS.format(**names).split("\n    @hybrid_property")[0] + "\n"
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert _places(loud) == {"src/app/service.py:2": "other"}
    assert loud.severity is Severity.CRITICAL


DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="{Model}",
            fields=[
                ("id", models.AutoField(primary_key=True)),
                ("{field}", models.PositiveIntegerField(null=True)),
            ],
        ),
    ]
"""
DJANGO_RENAME = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("{app}", "0001_initial")]
    operations = [
{alter}        migrations.RenameField(model_name="{model}", old_name="{field}", new_name="_{field}"),
    ]
"""
DJANGO_ALTER = """        migrations.AlterField(
            model_name="{model}",
            name="{field}",
            field=models.PositiveIntegerField(db_column="{field}", null=True),
        ),
"""
DJANGO_READER = """def count({model}):
    return {model}.{field}
"""


@pytest.mark.parametrize(
    ("app", "model", "field"), [("database", "table", "row_count"), ("shop", "order", "legacy_total")]
)
def test_a_django_field_renamed_with_its_db_column_kept_renames_no_column(
    app: str, model: str, field: str
) -> None:
    names = {"app": app, "Model": model.title(), "model": model, "field": field}
    base = {
        f"{app}/migrations/0001_initial.py": DJANGO_INITIAL.format(**names),
        f"{app}/usage.py": DJANGO_READER.format(**names),
    }
    path = f"{app}/migrations/0002_rename.py"
    kept = review_sql(DJANGO_RENAME.format(alter=DJANGO_ALTER.format(**names), **names), path=path, base=base)
    assert "column-renamed" not in {f.rule for f in kept.findings}
    renamed = review_sql(DJANGO_RENAME.format(alter="", **names), path=path, base=base)
    finding = _finding(renamed, "column-renamed")
    assert f"`{app}_{model}.{field}`" in finding.message and f"`_{field}`" in finding.message


PARENT_MODELS = """from django.db import models


class Person(models.Model):
    {field} = {declaration}

    class Meta:
        abstract = True


class {Model}(Person):
    name = models.TextField()

    class Meta:
        db_table = "{table}"
"""
PARENT_USES = """def label(user):
    return user.{model}.{field}
"""


@pytest.mark.parametrize(
    ("model", "table", "field"),
    [("Profile", "profiles_profile", "home_region"), ("Member", "crm_member", "birth_country")],
)
def test_a_foreign_key_declared_in_a_parent_class_replaces_the_dropped_text_column(
    model: str, table: str, field: str
) -> None:
    names = {"Model": model, "model": model.lower(), "table": table, "field": field}
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {field} text, name text);\n-- migration\n"
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {field};"
    declaration = "models.ForeignKey(Region, null=True, on_delete=models.SET_NULL)"
    files = {
        "crm/models.py": PARENT_MODELS.format(declaration=declaration, **names),
        "crm/views.py": PARENT_USES.format(**names),
    }
    finding = _finding(review_sql(drop, base=files), "column-dropped")
    assert finding.severity is Severity.INFO
    assert f"the model's own `{field}` (`crm/models.py:5`)" in finding.message
    # the same text field is the column
    files["crm/models.py"] = PARENT_MODELS.format(declaration="models.CharField(max_length=50)", **names)
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert loud.severity is Severity.CRITICAL and "crm/views.py:2" in _places(loud)


TEMPLATE_MODEL = """from django.db import models


class {Model}(models.Model):
    title = models.TextField()

    class Meta:
        db_table = "{table}"
"""


@pytest.mark.parametrize(
    ("model", "table", "column"),
    [("Article", "articles_article", "google_profile"), ("News", "news_news", "legacy_byline")],
)
def test_a_django_template_renders_a_dropped_attribute_as_nothing_an_erb_view_fails(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, title text);\n-- migration\n"
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    row = model.lower()
    files = {
        "site/models.py": TEMPLATE_MODEL.format(Model=model, table=table),
        f"themes/base/templates/{row}s/view.html": (
            f'<div>\n{{% if {row}.{column} %}}\n  <a href="{{{{ {row}.{column} }}}}">link</a>\n{{% endif %}}\n</div>\n'
        ),
    }
    finding = _finding(review_sql(drop, base=files), "column-dropped")
    template = f"themes/base/templates/{row}s/view.html"
    assert _places(finding) == {f"{template}:2": "template", f"{template}:3": "template"}
    assert finding.severity is Severity.WARNING
    assert "renders it as nothing" in finding.blast_radius
    files[f"app/views/{row}s/show.html.erb"] = f"<%= @{row}.{column} %>\n"
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert _places(loud)[f"app/views/{row}s/show.html.erb:1"] == "view"
    assert loud.severity is Severity.CRITICAL


SETTINGS_TAB = """export function {Model}SettingsTab({{ id }}: {{ id: string }}) {{
  return <DeleteDialog deleteWhat={{"{Model}"}} title="{Model}" onDelete={{() => remove(id)}} />;
}}
"""
SERVICE_TS = """import {{ prisma }} from './prisma';

export const get = async (id: string) => {{
  const row = await prisma.{model}.findUnique({{ where: {{ id }} }});
  if (row === null) throw new ResourceNotFoundError("{Model}", id);
  return row;
}};
"""
RAISE_PY = """def get(pk):
    raise LookupError("{Model}")
"""


@pytest.mark.parametrize("model", ["Action", "Webhook"])
def test_a_models_name_in_an_error_message_or_a_props_text_is_no_use(model: str) -> None:
    schema = f'CREATE TABLE "{model}" (id text PRIMARY KEY, name text);\n-- migration\n'
    names = {"Model": model, "model": model[0].lower() + model[1:]}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id String @id\n  name String\n}}\n",
        f"apps/web/{model.lower()}/SettingsTab.tsx": SETTINGS_TAB.format(**names),
        f"packages/lib/{model.lower()}/service.ts": SERVICE_TS.format(**names),
        "scripts/get.py": RAISE_PY.format(**names),
    }
    places = _places(_finding(review_sql(schema + f'DROP TABLE "{model}";', base=files), "table-dropped"))
    assert places == {f"packages/lib/{model.lower()}/service.ts:4": "other"}  # the query, not the message


INIT_SQL = """--
-- Name: {Model}; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public."{Model}" (
    id integer NOT NULL,
    "{column}" timestamp(3) without time zone
);

COPY public."{Model}" (id, "{column}") FROM stdin;
"""
QUERY_SQL = """-- name: Expiring :many
SELECT id, "{column}" FROM "{Model}" WHERE "{column}" < now();
"""
CARD = """export function {Model}Card({{ data }}: Props) {{
  const {column} = useFlag(data.id);
  const theme = useTheme();
  return useMemo(() => render({column}, theme), [{column}, theme]);
}}
"""


@pytest.mark.parametrize(
    ("model", "column"), [("Model", "earlyAccessDeadline"), ("Donation", "isEarlyAccess")]
)
def test_a_schema_dumps_definitions_and_a_hooks_dependencies_are_no_uses(model: str, column: str) -> None:
    schema = f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" timestamp);\n-- migration\n'
    names = {"Model": model, "column": column}
    files = {
        "containers/db/docker-init/02_all_ddl.sql": INIT_SQL.format(**names),
        f"src/components/{model}Card.tsx": CARD.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["src/queries/expiring.sql"] = QUERY_SQL.format(**names)
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {
        "src/queries/expiring.sql:2": "raw-sql"
    }


VIEW_THEN_TABLE = """CREATE TABLE "{table}" (id int PRIMARY KEY, likes int);
CREATE MATERIALIZED VIEW "{view}" AS SELECT m.id, m.likes FROM "{table}" m;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_class WHERE relname = '{view}' AND relkind = 'm') THEN
        DROP MATERIALIZED VIEW IF EXISTS "{view}";
    END IF;
END $$;
{replace}
"""


@pytest.mark.parametrize(("table", "view"), [("ImageMetric", "ImageRank"), ("post_stats", "post_rank")])
def test_a_view_whose_name_a_table_takes_later_is_gone(table: str, view: str) -> None:
    replaced = VIEW_THEN_TABLE.format(
        table=table, view=view, replace=f'CREATE TABLE "{view}" (id int, likes int);'
    )
    quiet = _finding(review_sql(replaced + f'-- migration\nDROP TABLE "{table}";'), "table-dropped")
    assert not quiet.references
    kept = VIEW_THEN_TABLE.format(
        table=table, view=view, replace=f'CREATE MATERIALIZED VIEW "{view}" AS SELECT id FROM "{table}";'
    )
    loud = _finding(review_sql(kept + f'-- migration\nDROP TABLE "{table}";'), "table-dropped")
    assert loud.severity is Severity.CRITICAL and [r.line for r in loud.references] == [9]


@pytest.mark.parametrize(
    ("table", "column"), [("shop_order", "legacy_status"), ("crm_contact", "fax_number")]
)
def test_keys_of_json_translations_settings_and_fixtures_are_no_uses(table: str, column: str) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, name text);\n-- migration\n"
    files = {
        "web/src/messages/de.json": f'{{\n  "{column}": "Alter Wert"\n}}\n',
        "web/src/assets/i18n/fr.json": f'{{\n  "{column}": "Valeur"\n}}\n',
        "config/app.json": f'{{\n  "{column}": true\n}}\n',
        "e2e/fixtures/rows.json": f'[\n  {{ "id": 1, "{column}": "x" }}\n]\n',
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["app/report.py"] = f'ROWS = "SELECT {column} FROM {table}"\n'
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {"app/report.py:1": "raw-sql"}


RAILS_CONTROLLER = """class ChangesetsController < ApplicationController
  def index
    if @params[:{column}] && current_user
      changesets = Changeset.where(:user_id => params["{column}"])
    end
    @filter = params.fetch(:{column}, nil)
  end

  def user_params
    params.require(:user).permit(:display_name, :{column})
  end
end
"""


@pytest.mark.parametrize("column", ["nearby_radius", "home_tile"])
def test_a_rails_request_parameter_is_no_use_a_permitted_one_is(column: str) -> None:
    schema = f"CREATE TABLE users (id serial PRIMARY KEY, {column} int, name text);\n-- migration\n"
    files = {
        "app/models/user.rb": "class User < ApplicationRecord\nend\n",
        "app/controllers/changesets_controller.rb": RAILS_CONTROLLER.format(column=column),
    }
    places = _places(
        _finding(
            review_sql(schema + f"ALTER TABLE users DROP COLUMN {column};", base=files), "column-dropped"
        )
    )
    assert set(places) == {"app/controllers/changesets_controller.rb:10"}


VUE_TABLE = """<script>
import {Model} from "@/search/{Model}.vue"

export default {{
  components: {{ {Model} }},
  data() {{
    return {{
      headers: [
        {{ text: "Name", value: "name", sortable: false }},
        {{ text: "{Label}", value: "{column}", sortable: false }},
      ],
    }}
  }},
}}
</script>
"""
PY_MODEL = """from sqlalchemy import Column, Integer, String
from app.database import Base


class {Model}(Base):
    __tablename__ = "{table}"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"""


@pytest.mark.parametrize(
    ("model", "table", "column"), [("SearchFilter", "search_filter", "type"), ("Signal", "signal", "kind")]
)
def test_a_one_word_column_quoted_in_the_front_end_of_a_python_model_is_no_use(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, name text);\n-- migration\n"
    files = {
        "src/app/models.py": PY_MODEL.format(Model=model, table=table),
        "src/app/static/src/Table.vue": VUE_TABLE.format(Model=model, Label=column.title(), column=column),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["src/app/service.py"] = (
        f"def describe(filters):\n    return {model}.query.filter({model}.{column} == 'x')\n"
    )
    assert "src/app/service.py:2" in _places(_finding(review_sql(drop, base=files), "column-dropped"))


RUST_MODLOG = """impl ModlogInsertForm {{
  pub fn {table}(mod_person: &Person, added: bool) -> Self {{
    ModlogInsertForm::new(ModlogKind::{Model}, !added, mod_person.id)
  }}
}}

pub fn describe(kind: ModlogKind) -> &'static str {{
  match kind {{
    ModlogKind::{Model} => "Added an admin",
  }}
}}

pub fn build() {{
  let form = ModlogInsertForm::{table}(&person, true);
}}
"""
RUST_QUERY = """use crate::schema::{table};

pub async fn read(conn: &mut Conn, id: i32) -> Result<{Model}> {{
  {table}::table.find(id).first(conn).await
}}
"""


@pytest.mark.parametrize(("table", "model"), [("admin_add", "AdminAdd"), ("mod_lock_post", "ModLockPost")])
def test_rust_enum_variants_and_functions_named_like_a_dropped_table_are_no_uses(
    table: str, model: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, added boolean);\n-- migration\n"
    names = {"table": table, "Model": model}
    files = {"crates/db_schema/src/impls/modlog.rs": RUST_MODLOG.format(**names)}
    drop = schema + f"DROP TABLE {table};"
    assert not _places(_finding(review_sql(drop, base=files), "table-dropped"))
    files["crates/db_schema/src/impls/read.rs"] = RUST_QUERY.format(**names)
    places = _places(_finding(review_sql(drop, base=files), "table-dropped"))
    assert "crates/db_schema/src/impls/read.rs:4" in places
    assert not {p for p in places if "modlog.rs" in p}


DIESEL_SCHEMA = """diesel::table! {{
    users (id) {{
        id -> Int4,
        name -> Varchar,{dropped}
    }}
}}
"""
DIESEL_SELECTS_ELSEWHERE = """use crate::schema::{{users, {other}}};

#[derive(Clone, Debug, HasQuery, Identifiable)]
#[diesel(
    table_name = users,
    base_query = users::table.left_join({other}::table),
)]
pub struct User {{
    pub id: i32,
    pub name: String,
    #[diesel(select_expression = {other}::{other_column}.nullable())]
    pub {column}: Option<String>,
}}
"""
DIESEL_LOADS_IT = """use crate::schema::users;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {{
    pub id: i32,
    pub name: String,
    pub {column}: Option<String>,
}}
"""


@pytest.mark.parametrize(
    ("column", "other", "other_column"),
    [("gh_avatar", "oauth_github", "avatar"), ("legacy_token", "user_secrets", "token")],
)
def test_a_diesel_field_that_selects_another_tables_column_is_no_use_of_the_dropped_one(
    column: str, other: str, other_column: str
) -> None:
    schema = (
        f"CREATE TABLE users (id serial PRIMARY KEY, name text, {column} text);\n"
        f"CREATE TABLE {other} (user_id int, {other_column} text);\n-- migration\n"
    )
    names = {"column": column, "other": other, "other_column": other_column}
    files = {
        "src/schema.rs": DIESEL_SCHEMA.format(dropped=f"\n        {column} -> Nullable<Varchar>,"),
        "src/models/user.rs": DIESEL_SELECTS_ELSEWHERE.format(**names),
        "src/views/user.rs": f"pub fn show(user: &User) -> String {{\n    user.{column}.clone().unwrap()\n}}\n",
    }
    head = {"src/schema.rs": DIESEL_SCHEMA.format(dropped="")}
    drop = schema + f"ALTER TABLE users DROP COLUMN {column};"
    quiet = _finding(review_sql(drop, base=files, head=head), "column-dropped")
    assert quiet.severity is Severity.INFO
    assert "src/models/user.rs:12" in quiet.message and f"`{column}`" in quiet.message
    files["src/models/user.rs"] = DIESEL_LOADS_IT.format(**names)
    loud = _finding(review_sql(drop, base=files, head=head), "column-dropped")
    assert loud.severity is Severity.CRITICAL
    assert _places(loud) == {"src/models/user.rs:8": "model", "src/views/user.rs:2": "view"}


DJANGO_MODELS = """from django.db import models


class {Model}(models.Model):
    name = models.TextField()
    {column} = models.TextField()


class Note(models.Model):
    {column} = models.TextField()
"""
FIXTURE_JSON = """[
  {{
    "model": "{app}.note",
    "pk": 1,
    "fields": {{ "{column}": "kept", "name": "n" }}
  }},
  {{
    "model": "{app}.{model}",
    "pk": 1,
    "fields": {{
      "name": "first",
      "{column}": "open"
    }}
  }}
]
"""
FIXTURE_YAML = """- model: {app}.note
  pk: 1
  fields:
    {column}: kept
- model: {app}.{model}
  pk: 2
  fields:
    name: second
    {column}: closed
"""
TEST_LOADING = """from django.test import TestCase


class {Model}Tests(TestCase):
    fixtures = ["{stem}"]
"""
DATA_MIGRATION = """from django.core.management import call_command
from django.db import migrations


def load(apps, schema_editor):
    call_command("loaddata", "{stem}")


class Migration(migrations.Migration):
    operations = [migrations.RunPython(load)]
"""


@pytest.mark.parametrize(
    ("app", "model", "column", "fixture"),
    [
        ("shop", "Order", "legacy_status", "FIXTURE_JSON"),
        ("crm", "Contact", "fax_number", "FIXTURE_YAML"),
    ],
)
def test_a_django_fixture_naming_a_dropped_field_fails_loaddata_another_models_entry_does_not(
    app: str, model: str, column: str, fixture: str
) -> None:
    table = f"{app}_{model.lower()}"
    schema = (
        f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n"
        f"CREATE TABLE {app}_note (id serial PRIMARY KEY, {column} text);\n-- migration\n"
    )
    stem = f"{model.lower()}s"
    suffix = "json" if fixture == "FIXTURE_JSON" else "yaml"
    path = f"{app}/fixtures/{stem}.{suffix}"
    text = globals()[fixture].format(app=app, model=model.lower(), column=column)
    line = max(n for n, x in enumerate(text.split("\n"), 1) if column in x)  # the entry of the model
    files = {
        f"{app}/models.py": DJANGO_MODELS.format(Model=model, column=column),
        f"{app}/fixtures/{stem}.{suffix}": text,
        f"{app}/tests.py": TEST_LOADING.format(Model=model, stem=stem),
    }
    head = {
        f"{app}/models.py": DJANGO_MODELS.format(Model=model, column=column).replace(
            f"    {column} = models.TextField()\n\n\nclass Note", "\n\nclass Note"
        )
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    tested = _finding(review_sql(drop, base=files, head=head), "column-dropped")
    assert [(r.path, r.line) for r in tested.references] == [(path, line)]
    assert tested.references[0].kind.startswith("test: a fixture (the tests load it")
    assert tested.severity is Severity.INFO
    files[f"{app}/migrations/0002_load_{stem}.py"] = DATA_MIGRATION.format(stem=stem)
    deployed = _finding(review_sql(drop, base=files, head=head), "column-dropped")
    assert _places(deployed) == {
        f"{path}:{line}": f"fixture: a fixture the deployment loads ({app}/migrations/0002_load_{stem}.py line 6)"
    }
    assert deployed.severity is Severity.CRITICAL
    assert "`loaddata` stops at the field" in deployed.blast_radius


@pytest.mark.parametrize(("app", "model"), [("shop", "Coupon"), ("billing", "Refund")])
def test_a_django_fixture_of_a_dropped_model_fails_loaddata(app: str, model: str) -> None:
    table = f"{app}_{model.lower()}"
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text);\n-- migration\n"
    fixture = f'[{{"model": "{app}.{model.lower()}", "pk": 1, "fields": {{"name": "x"}}}}]\n'
    files = {
        f"{app}/models.py": "from django.db import models\n\n\nclass Other(models.Model):\n    name = models.TextField()\n",
        f"{app}/fixtures/initial.json": fixture,
        "docker/entrypoint.sh": "#!/bin/sh\npython manage.py migrate\npython manage.py loaddata initial\n",
    }
    dropped = _finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped")
    assert _places(dropped) == {
        f"{app}/fixtures/initial.json:1": "fixture: a fixture the deployment loads (docker/entrypoint.sh line 3)"
    }
    assert dropped.severity is Severity.CRITICAL
    files[f"{app}/fixtures/initial.json"] = fixture.replace(f"{app}.{model.lower()}", f"{app}.other")
    assert not _places(_finding(review_sql(schema + f"DROP TABLE {table};", base=files), "table-dropped"))


@pytest.mark.parametrize(
    ("table", "column"), [("crates", "legacy_downloads"), ("accounts", "isExcludedFromTotals")]
)
def test_instructions_for_coding_assistants_are_docs_that_never_block(table: str, column: str) -> None:
    schema = f'CREATE TABLE {table} (id serial PRIMARY KEY, "{column}" int);\n-- migration\n'
    mention = f"Never write `{table}.{column}` directly: call `refresh_{table}()` instead.\n"
    files = {
        ".cursor/rules/database.mdc": f"---\ndescription: database rules\n---\n{mention}",
        ".cursorrules": mention,
        ".windsurfrules": mention,
        ".claude/skills/schema/SKILL.md": f"# Schema\n\n{mention}",
        ".claude/settings.local.json": f'{{ "note": "{table}.{column}" }}\n',
        "AGENTS.md": f"# Agents\n\n{mention}",
    }
    drop = schema + f'ALTER TABLE {table} DROP COLUMN "{column}";'
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert quiet.severity is Severity.INFO
    assert set(_places(quiet).values()) <= {"doc", "doc, low confidence"}
    files["src/report.py"] = f'TOTALS = "SELECT \\"{column}\\" FROM {table}"\n'
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    places = _places(loud)
    assert loud.severity is Severity.CRITICAL and places.pop("src/report.py:1") == "raw-sql"
    assert set(places.values()) == {"doc"}


SEARCH_INDEX_TS = """import {{ client }} from './meilisearch';

const SEARCHABLE_ATTRIBUTES = ['name', '{column}'];

export async function configure() {{
  const index = client.index('{table}');
  await index.updateSettings({{
    searchableAttributes: [...SEARCHABLE_ATTRIBUTES],
    filterableAttributes: [
      'id',
      '{column}',
    ],
    sortableAttributes: ['{column}'],
  }});
  await index.updateFilterableAttributes(['{column}']);
}}
"""
SEARCH_INDEX_PY = """def configure(client):
    index = client.index("{table}")
    index.update_settings(
        {{
            "searchableAttributes": ["name", "{column}"],
            "attributesForFaceting": ["{column}"],
        }}
    )
    index.update_sortable_attributes(["{column}"])
"""


@pytest.mark.parametrize(("table", "column"), [("models", "earlyAccessDeadline"), ("posts", "legacy_rank")])
def test_a_search_indexs_attribute_lists_are_no_uses_the_document_built_from_the_row_is(
    table: str, column: str
) -> None:
    schema = f'CREATE TABLE {table} (id serial PRIMARY KEY, name text, "{column}" int);\n-- migration\n'
    files = {
        "src/search/settings.ts": SEARCH_INDEX_TS.format(table=table, column=column),
        "app/search/settings.py": SEARCH_INDEX_PY.format(table=table, column=column),
    }
    drop = schema + f'ALTER TABLE {table} DROP COLUMN "{column}";'
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["src/search/documents.ts"] = (
        "export async function documents(db: Db) {\n"
        f'  return db.$queryRaw`SELECT id, "{column}" FROM {table}`;\n'
        "}\n"
    )
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {
        "src/search/documents.ts:2": "raw-sql"
    }


PRISMA_PARENT_CHILD = """model {Parent} {{
  id            Int      @id
  {column}      DateTime?
  {children}    {Child}[]
}}

model {Child} {{
  id        Int      @id
  parentId  Int
  endsAt    DateTime?
  parent    {Parent}  @relation(fields: [parentId], references: [id])
}}
"""
CALLBACK_ROWS = """export function summary({parent}: {Parent}Detail) {{
  const early = {parent}.{children}.every(({child}) => {child}.{column});
  const later = {parent}.{children}.some(function ({child}) {{ return {child}.endsAt; }});
  for (const {child} of {parent}.{children}) {{
    console.debug({child}.{column});
  }}
  return early && later;
}}
"""


@pytest.mark.parametrize(
    ("parent", "child", "children", "column"),
    [
        ("Model", "version", "modelVersions", "earlyAccessDeadline"),
        ("Invoice", "line", "invoiceLines", "legacyTotalCents"),
    ],
)
def test_a_callbacks_or_loops_row_of_another_models_collection_is_not_the_model(
    parent: str, child: str, children: str, column: str
) -> None:
    child_model = children[0].upper() + children[1:-1]
    schema = (
        f'CREATE TABLE "{parent}" (id int PRIMARY KEY, "{column}" timestamp);\n'
        f'CREATE TABLE "{child_model}" (id int PRIMARY KEY, "parentId" int, "endsAt" timestamp);\n'
        "-- migration\n"
    )
    names = {
        "Parent": parent,
        "parent": parent.lower(),
        "child": child,
        "children": children,
        "column": column,
    }
    files = {
        "prisma/schema.prisma": PRISMA_PARENT_CHILD.format(Child=child_model, **names),
        "src/components/summary.ts": CALLBACK_ROWS.format(**names),
    }
    drop = schema + f'ALTER TABLE "{parent}" DROP COLUMN "{column}";'
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert not {p for p in places if p.startswith("src/")}
    files["src/components/list.ts"] = (
        f"export const dates = (rows: {parent}[]) => rows.map(({parent.lower()}) => {parent.lower()}.{column});\n"
    )
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert {p for p in places if p.startswith("src/")} == {"src/components/list.ts:1"}


ASSIGNED_IN_MEMORY = """export async function list{Model}s(ids: number[]) {{
  const rows = await db.$queryRaw<{Model}Raw[]>`SELECT id FROM "{Model}" WHERE id = ANY(${{ids}})`;
  const extra = await loadExtra(ids);
  for (const {row} of rows) {{
    {row}.{column} = extra.get({row}.id) ?? null;
    {row}.stats.{column} ??= 0;
  }}
  return rows;
}}
"""
SAVED_AFTER_ASSIGNING = """export class {Model}Service {{
  constructor(private readonly repository: Repository<{Model}>) {{}}

  async reset({row}: {Model}) {{
    {row}.{column} = null;
    await this.repository.save({row});
  }}
}}
"""


@pytest.mark.parametrize(
    ("model", "row", "column"), [("Model", "model", "earlyAccessDeadline"), ("Order", "order", "legacyTotal")]
)
def test_a_field_script_code_assigns_on_an_object_it_never_saves_is_no_use(
    model: str, row: str, column: str
) -> None:
    schema = f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" int);\n-- migration\n'
    names = {"Model": model, "row": row, "column": column}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id Int @id\n}}\n",
        "src/server/services/list.service.ts": ASSIGNED_IN_MEMORY.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["src/server/services/reset.service.ts"] = SAVED_AFTER_ASSIGNING.format(**names)
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {
        "src/server/services/reset.service.ts:5": "other"
    }


RETURNED_COPY = """import {{ prisma }} from '../db';

export async function documents(ids: number[]) {{
  const rows = await prisma.{delegate}.findMany({{ where: {{ id: {{ in: ids }} }} }});
  const computed = await compute(ids);
  return rows.map(({row}) => {{
    return {{
      ...{row},
      {column}: computed.get({row}.id) ?? null,
    }};
  }});
}}
"""
WRITTEN_COPY = """import {{ prisma }} from '../db';

export async function clear(id: number, input: Input) {{
  return prisma.{delegate}.update({{ where: {{ id }}, data: {{ ...input, {column}: null }} }});
}}
"""


@pytest.mark.parametrize(
    ("model", "row", "column"),
    [("Model", "model", "earlyAccessDeadline"), ("Article", "article", "legacyScore")],
)
def test_a_field_of_a_returned_copy_of_a_row_is_the_copys_own_a_query_given_the_copy_writes_it(
    model: str, row: str, column: str
) -> None:
    schema = f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" int);\n-- migration\n'
    names = {"delegate": model[0].lower() + model[1:], "row": row, "column": column}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id Int @id\n}}\n",
        "src/server/search-index/documents.ts": RETURNED_COPY.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert quiet.severity is Severity.INFO
    assert set(_places(quiet).values()) <= {"other, low confidence"}
    files["src/server/services/clear.ts"] = WRITTEN_COPY.format(**names)
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert loud.severity is Severity.CRITICAL and _places(loud) == {"src/server/services/clear.ts:4": "other"}


ALIASED_ROW = """type {Model}Row = {{
  id: number;
  {column}?: Date;
}};

export async function show(id: number) {{
  const [{row}] = await db.$queryRaw<{Model}Row[]>`
    SELECT t.id, pa."endsAt" AS "{column}"
    FROM "{Model}" t JOIN "PaidAccess" pa ON pa."entityId" = t.id
    WHERE t.id = ${{id}}
  `;
  return {{ id: {row}.id, {column}: {row}.{column} }};
}}
"""


@pytest.mark.parametrize(
    ("model", "row", "column"),
    [("ModelVersion", "modelVersion", "earlyAccessEndsAt"), ("Chapter", "chapter", "paywallUntil")],
)
def test_a_raw_querys_alias_read_from_its_row_is_no_use_the_column_selected_as_is_is(
    model: str, row: str, column: str
) -> None:
    schema = (
        f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" timestamp);\n'
        'CREATE TABLE "PaidAccess" ("entityId" int, "endsAt" timestamp);\n-- migration\n'
    )
    names = {"Model": model, "row": row, "column": column}
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id Int @id\n}}\n",
        "src/pages/api/show.ts": ALIASED_ROW.format(**names),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert not {p: k for p, k in places.items() if "low" not in k}
    files["src/pages/api/show.ts"] = files["src/pages/api/show.ts"].replace(
        'pa."endsAt" AS', f't."{column}" AS'
    )
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert places["src/pages/api/show.ts:12"] == "view"


CARD_DATA = """type CardData = {{ id: number; {column}: Date | null }};

export function Card({{ data }}: {{ data: CardData }}) {{
  const {{ id, {column} }} = data;
  return `${{id}} ${{{column}}}`;
}}
"""
CARD_CONTENT = """function CardContent({{
  data,
  ...props
}}: ElementDataAttributes & {{
  data: CardData;
  height: number;
}}) {{
  const {{ id, {column} }} = data;
  return `${{id}} ${{{column}}}`;
}}
"""
SERVICE_ROW = """import type {{ {Model} }} from '@prisma/client';

export function deadline({row}: {Model}) {{
  const {{ id, {column} }} = {row};
  return [id, {column}];
}}
"""


@pytest.mark.parametrize(
    ("model", "row", "column"),
    [("Model", "model", "earlyAccessDeadline"), ("Ticket", "ticket", "escalatedAt")],
)
def test_names_taken_out_of_a_value_of_another_type_are_not_the_models_out_of_a_row_they_are(
    model: str, row: str, column: str
) -> None:
    schema = f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" timestamp);\n-- migration\n'
    files = {
        "prisma/schema.prisma": f"model {model} {{\n  id Int @id\n}}\n",
        "src/components/Card.tsx": CARD_DATA.format(column=column),
        "src/components/CardContent.tsx": CARD_CONTENT.format(column=column),
    }
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert quiet.severity is Severity.INFO
    files["src/server/deadline.ts"] = SERVICE_ROW.format(Model=model, row=row, column=column)
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert loud.severity is Severity.CRITICAL and _places(loud) == {"src/server/deadline.ts:4": "other"}


RUST_ENUM_AND_LOCALS = """#[derive(EnumString, Display, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModlogKind {{
  {Model},
  {Model}Undo(bool),
  Other,
}}

pub mod {table};

pub fn routes(cfg: &mut ServiceConfig) {{
  use crate::site::{table}::{table};
  cfg.route("/{table}", post().to({table}));
}}

pub async fn notify(pool: &mut DbPool<'_>, post: &Post) -> LemmyResult<()> {{
  let form = ModlogInsertForm::new(ModlogKind::{Model}, false);
  let {table} = &Modlog::create(pool, &[form]).await?[0];
  send(Some({table}.id)).await?;
  for {table} in list(pool).await? {{
    log_it({table}.id);
  }}
  Ok(())
}}
"""


@pytest.mark.parametrize(
    ("table", "model"), [("mod_remove_post", "ModRemovePost"), ("admin_ban", "AdminBan")]
)
def test_a_rust_enums_variant_and_a_functions_variable_named_like_a_dropped_table_are_no_uses(
    table: str, model: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, reason text);\n-- migration\n"
    files = {"crates/db_schema_file/src/enums.rs": RUST_ENUM_AND_LOCALS.format(table=table, Model=model)}
    drop = schema + f"DROP TABLE {table};"
    assert not _places(_finding(review_sql(drop, base=files), "table-dropped"))
    files["crates/db_views/src/tests.rs"] = (
        f"use crate::schema::{table};\n\n#[test]\nfn counts() {{\n  let n = {table}::table.count();\n}}\n"
    )
    places = _places(_finding(review_sql(drop, base=files), "table-dropped"))
    assert places == {"crates/db_views/src/tests.rs:5": "test"}


RAILS_CONTROLLER_METHOD = """module Api
  class {Model}Controller < BaseController
    def create
      defaults = {{ currency: "EUR", {column}: }}
      record = {Model}.new(defaults.merge(permitted))
      record.save
    end

    private

    def {column}
      PaymentMethod.api_default&.id
    end
  end
end
"""


@pytest.mark.parametrize(
    ("model", "table", "column"),
    [("Transaction", "transactions", "payment_method_id"), ("Refund", "refunds", "legacy_gateway_id")],
)
def test_a_ruby_method_a_controller_defines_is_no_use_the_call_that_writes_the_attribute_is(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} int, amount int);\n-- migration\n"
    files = {
        f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\nend\n",
        f"app/controllers/api/{model.lower()}_controller.rb": RAILS_CONTROLLER_METHOD.format(
            Model=model, column=column
        ),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert places == {f"app/controllers/api/{model.lower()}_controller.rb:4": "other"}


PY_LOOP = """def summary(item):
    for entry in item.versions.all():
        if entry.{column}:
            return True
    return [v.id for v in item.versions.all()]
"""


@pytest.mark.parametrize("column", ["early_access_deadline", "legacy_price_cents"])
def test_a_python_loops_row_of_another_models_collection_is_not_the_model(column: str) -> None:
    schema = (
        f"CREATE TABLE shop_item (id serial PRIMARY KEY, {column} int);\n"
        "CREATE TABLE shop_version (id serial PRIMARY KEY, item_id int);\n"
        "CREATE TABLE shop_order (id serial PRIMARY KEY);\n-- migration\n"
    )
    files = {
        "shop/models.py": "from django.db import models\n\n\nclass Item(models.Model):\n    pass\n",
        "shop/services.py": PY_LOOP.format(column=column),
    }
    drop = schema + f"ALTER TABLE shop_item DROP COLUMN {column};"
    assert not _places(_finding(review_sql(drop, base=files), "column-dropped"))
    files["shop/services.py"] += f"\n\ndef flag(item):\n    return item.{column}\n"
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {
        "shop/services.py:9": "other"
    }


SQLALCHEMY_MODELS = """from sqlalchemy import Boolean, Column, Integer
from app.database.core import Base


class {Changed}(Base):
    id = Column(Integer, primary_key=True)
    {column} = Column(Boolean, default=False)


class {Other}(Base):
    id = Column(Integer, primary_key=True)
    {column} = Column(Boolean, default=False)
"""
SQLALCHEMY_TEST = """def test_flags(session, {changed}, {other}):
    {other}.{column} = True
    {changed}.{column} = True
"""


@pytest.mark.parametrize(
    ("changed", "other", "column"),
    [("case_cost_type", "incident_cost_type", "default"), ("api_token", "session_token", "expires_soon")],
)
def test_a_column_the_models_of_tables_made_outside_the_migrations_declare_is_theirs_too(
    changed: str, other: str, column: str
) -> None:
    # the history creates only the changed table: the other one is made by `Base.metadata.create_all()`
    schema = f'CREATE TABLE {changed} (id serial PRIMARY KEY, "{column}" boolean);\n-- migration\n'
    names = {"changed": changed, "other": other, "column": column}
    files = {
        "src/app/models.py": SQLALCHEMY_MODELS.format(
            Changed=camelize(changed), Other=camelize(other), column=column
        ),
        "tests/test_flags.py": SQLALCHEMY_TEST.format(**names),
    }
    drop = schema + f'ALTER TABLE {changed} DROP COLUMN "{column}";'
    places = _places(_finding(review_sql(drop, base=files), "column-dropped"))
    assert {p for p in places if p.startswith("tests/")} == {"tests/test_flags.py:3"}


PY_SCHEMA = """from pydantic import BaseModel, computed_field


class {Model}(BaseModel):
    id: int

    @computed_field
    @property
    def {column}(self) -> dict[str, bool]:
        return {{"new_order": True}}
"""
DESIGN_DOC = """# Roles

Once the roles are live, drop `{Model}.{column}`: `SELECT {column} FROM {table}` must find no reader.
"""


@pytest.mark.parametrize(
    ("model", "table", "column"),
    [("Organization", "organizations", "notification_settings"), ("Account", "accounts", "admin_id")],
)
def test_a_method_an_api_schema_defines_and_an_mdx_design_doc_are_no_uses(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} jsonb);\n-- migration\n"
    names = {"Model": model, "table": table, "column": column}
    files = {
        f"server/app/{model.lower()}/schemas.py": PY_SCHEMA.format(**names),
        "handbook/engineering/design-documents/roles.mdx": DESIGN_DOC.format(**names),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    quiet = _finding(review_sql(drop, base=files), "column-dropped")
    assert quiet.severity is Severity.INFO
    assert set(_places(quiet).values()) <= {"doc"}
    files[f"server/app/{model.lower()}/service.py"] = (
        f"def settings(row):\n    return row.{column}\n\n\ndef load(session, {model.lower()}):\n"
        f"    return {model.lower()}.{column}\n"
    )
    loud = _finding(review_sql(drop, base=files), "column-dropped")
    assert loud.severity is Severity.CRITICAL
    assert _places(loud)[f"server/app/{model.lower()}/service.py:6"] == "other"


RAILS_MODEL_METHOD = """class {Model} < ApplicationRecord
  self.ignored_columns = ["{column}"]

  def {column}(radius = 50, num = 10)
    {Model}.where("id <> ?", id).limit(num)
  end
end
"""
RAILS_CALLERS = """class ChangesController < ApplicationController
  def index
    @others = current_user.{column}
    @rest = @user.{column}(5) - friends
  end
end
"""
RAILS_REQUEST_TEST = """class ChangesControllerTest < ActionDispatch::IntegrationTest
  def test_index_{column}
    {row} = create(:{row}, :home_lat => 51.0, :home_lon => 1.0)
    create(:change, :{row} => {row})

    get :index, :params => {{ :{column} => true }}
    assert_response :redirect

    post changes_path, params: {{ {column}: true, list: "1" }}, xhr: true
    assert_response :success
  end
end
"""


@pytest.mark.parametrize(
    ("model", "table", "column"), [("User", "users", "nearby_users"), ("Post", "posts", "related_posts")]
)
def test_callers_of_a_model_method_with_arguments_named_like_the_column_are_no_uses(
    model: str, table: str, column: str
) -> None:
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} boolean);\n-- migration\n"
    files = {
        f"app/models/{model.lower()}.rb": RAILS_MODEL_METHOD.format(Model=model, column=column),
        "app/controllers/changes_controller.rb": RAILS_CALLERS.format(column=column),
        "test/controllers/changes_controller_test.rb": RAILS_REQUEST_TEST.format(
            column=column, row=model.lower()
        ),
    }
    drop = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    model_line = {f"app/models/{model.lower()}.rb:2": "model, safe: ignored_columns"}
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == model_line
    files["app/services/finder.rb"] = (
        f"class Finder\n  def call\n    {model}.where({column}: true)\n  end\nend\n"
    )
    assert _places(_finding(review_sql(drop, base=files), "column-dropped")) == {
        **model_line,
        "app/services/finder.rb:3": "other, safe: ignored_columns",
    }


DOCUMENT_ITEMS = """export function {column}Of(question: TSurveyQuestion, answer: string) {{
  const found = question.{items}.find((choice) => choice.id === answer)?.{column};
  const all = question.{items}.map((choice) => choice.{column});
  return found ?? all[0];
}}

export function edit(card: unknown) {{
  const {{ headline, {column}, required }} =
    card as TSurveyQuestion;
  return {{ headline, {column}, required }};
}}
"""
OWN_ROWS = """export function {column}s(team: Team) {{
  const first = team.{rows}.find((row) => row.id === 1)?.{column};
  const {{ {column} }} = team.owner as {Model};
  return [first, ...team.{rows}.map((row) => row.{column})];
}}
"""


@pytest.mark.parametrize(
    ("model", "rows", "column", "items"),
    [("User", "users", "imageUrl", "choices"), ("Account", "accounts", "legacyLabel", "options")],
)
def test_items_of_another_values_array_and_values_cast_to_other_types_are_not_the_model(
    model: str, rows: str, column: str, items: str
) -> None:
    """`question.choices.find(…)?.imageUrl`, `question.choices.map((choice) => choice.imageUrl)` and `const {
    imageUrl } = card as TSurveyQuestion` read a JSON document's items (formbricks' picture choices), not the
    dropped `User.imageUrl`; the same reads through a collection of the model's rows, or a value cast to
    the model, are uses."""
    schema = f'CREATE TABLE "{model}" (id int PRIMARY KEY, "{column}" text);\n-- migration\n'
    drop = schema + f'ALTER TABLE "{model}" DROP COLUMN "{column}";'
    files = {"src/lib/responses.ts": DOCUMENT_ITEMS.format(column=column, items=items)}
    found = _finding(review_sql(drop, base=files), "column-dropped")
    assert found.severity != Severity.CRITICAL
    assert not {p for p, kind in _places(found).items() if "low confidence" not in kind}, found.references
    files["src/lib/team.ts"] = OWN_ROWS.format(column=column, rows=rows, Model=model)
    found = _finding(review_sql(drop, base=files), "column-dropped")
    places = {p for p, kind in _places(found).items() if "low confidence" not in kind}
    assert found.severity == Severity.CRITICAL
    assert places == {"src/lib/team.ts:2", "src/lib/team.ts:3"}, places  # one function: its first places
