"""Code references scoped to the table that changes: each class of noise and miss met on real repositories,
reproduced on small trees of our own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.model.findings import Finding, Review, Severity
from tests.conftest import git, review_sql

SCHEMA = """
CREATE TABLE "Document" (id serial PRIMARY KEY, title text, "teamId" int);
CREATE TABLE "DocumentMeta" (id serial PRIMARY KEY, "documentId" int, subject text);
CREATE TABLE "Recipient" (id serial PRIMARY KEY, "documentId" int, email text);
CREATE TABLE "Field" (id serial PRIMARY KEY, "recipientId" int, "customText" text);
-- migration
"""
MIGRATION = "db/migrations/002_change.sql"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> set[str]:
    return {f"{r.path}:{r.line}" for r in finding.references}


JOB = """export const run = async ({ payload }) => {
  const { documentId, recipientId } = payload;
  await prisma.recipient.findMany({ where: { documentId } });
  return documentId;
};
"""
META = """export const getMeta = async (id: number) => {
  return await prisma.documentMeta.findFirst({
    where: { documentId: id },
  });
};
"""


def test_a_field_other_tables_share_counts_only_where_the_code_ties_it_to_the_table() -> None:
    files = {"src/jobs/send-email.ts": JOB, "src/meta/get-meta.ts": META}
    result = review_sql(
        SCHEMA + 'ALTER TABLE "DocumentMeta" DROP COLUMN "documentId";', path=MIGRATION, base=files
    )
    finding = _finding(result, "column-dropped")
    assert finding.message.startswith("Column `DocumentMeta.documentId` is dropped while 1 place")
    assert _places(finding) == {"src/meta/get-meta.ts:3"}
    assert finding.severity is Severity.CRITICAL


def test_a_field_no_other_table_has_is_found_without_a_tie() -> None:
    code = "export const label = (field) => field.customText ?? '';\nconst { customText } = input;\n"
    result = review_sql(
        SCHEMA + 'ALTER TABLE "Field" DROP COLUMN "customText";', path=MIGRATION, base={"src/label.ts": code}
    )
    finding = _finding(result, "column-dropped")
    assert _places(finding) == {"src/label.ts:1", "src/label.ts:2"}
    assert "`Field.customText`" in finding.message  # the quoted name keeps its case


DJANGO_SCHEMA = """
CREATE TABLE shop_product (id serial PRIMARY KEY, title text, url text);
CREATE TABLE blog_post (id serial PRIMARY KEY, title text, url text);
-- migration
"""
PRODUCT_MODELS = (
    "from django.db import models\n\n\nclass Product(models.Model):\n    name = models.TextField()\n"
)
POST_ADMIN = """from django.contrib import admin
from blog.models import Post


class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "url"]

    class Meta:
        model = Post
"""
PRODUCT_SERIALIZER = """from rest_framework import serializers
from shop.models import Product


class ProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "title"]
"""


def test_another_models_admin_and_serializer_are_not_references() -> None:
    base = {
        "shop/models.py": PRODUCT_MODELS,
        "blog/admin.py": POST_ADMIN,
        "shop/api/serializers.py": PRODUCT_SERIALIZER,
    }
    result = review_sql(
        DJANGO_SCHEMA + "ALTER TABLE shop_product DROP COLUMN title;", path=MIGRATION, base=base
    )
    finding = _finding(result, "column-dropped")
    assert _places(finding) == {"shop/api/serializers.py:8"}
    assert finding.severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("locale/fr/LC_MESSAGES/django.po", 'msgid "title"\nmsgstr "titre"\n'),
        ("shop/feeds.py", 'def item(entry):\n    SubElement(entry, "url").text = link\n'),
        ("app/views/feed.rss.builder", "xml.url product_url\n"),
        ("src/components/Card.tsx", 'export const Card = () => <Img url="x" alt="url" />;\n'),
        ("src/components/Form.tsx", '<Input\n  url="a"\n  name="b"\n/>\n'),
        ("templates/product.html", "<th>url</th>\n"),
        ("shop/views.py", 'LABEL = _("url")\n'),
        ("src/routes/page.tsx", "const heading = msg`url`;\n"),
        ("shop/views.py", "# url is computed from the slug\n"),
    ],
)
def test_words_in_text_that_is_not_code_are_left_out(path: str, text: str) -> None:
    schema = "CREATE TABLE shop_product (id serial PRIMARY KEY, url text);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE shop_product DROP COLUMN url;", path=MIGRATION, base={path: text}
    )
    finding = _finding(result, "column-dropped")
    assert not finding.references
    assert "no code references were found" in finding.blast_radius


def test_production_code_that_still_reads_a_dropped_column_blocks() -> None:
    code = "def total(product):\n    return product.url\n"
    schema = "CREATE TABLE shop_product (id serial PRIMARY KEY, url text);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE shop_product DROP COLUMN url;",
        path=MIGRATION,
        base={"shop/links.py": code, "shop/models.py": PRODUCT_MODELS},
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL
    assert "1 place in production code" in finding.blast_radius
    assert result.approval == "BLOCKED"


def test_a_query_on_a_dropped_table_blocks_and_sentences_naming_it_are_left_out() -> None:
    code = """export const monthly = async () =>
  kysely
    .selectFrom('Document')
    .select(['id'])
    .execute();

export const missing = () => { throw new Error('Document not found'); };
"""
    prisma = 'model Document {\n  id Int @id\n  @@map("Document")\n}\n'
    result = review_sql(
        SCHEMA + 'DROP TABLE "Document";',
        path=MIGRATION,
        base={"src/stats.ts": code, "prisma/schema.prisma": prisma},
    )
    finding = _finding(result, "table-dropped")
    assert "src/stats.ts:3" in _places(finding)
    assert "src/stats.ts:7" not in _places(finding)
    assert finding.severity is Severity.CRITICAL


def test_a_property_the_model_keeps_under_the_dropped_name_is_not_the_column() -> None:
    models = """from sqlalchemy import Column, Integer, Text

from app.db import Base, json_property


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    details = Column(Text)
    avatar_url = json_property("details", "avatar_url")
"""
    code = "def card(user):\n    return {'avatar': user.avatar_url}\n"
    schema = "CREATE TABLE users (id serial PRIMARY KEY, details text, avatar_url text);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE users DROP COLUMN avatar_url;",
        path=MIGRATION,
        base={"app/models.py": models, "app/cards.py": code},
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.INFO
    assert "read the model's own `avatar_url` (`app/models.py:10`), not the column" in finding.message


PRICE_MODELS = """from sqlalchemy import BigInteger, Column, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Destination(Base):
    id = Column(BigInteger, primary_key=True)
    options = Column(
        "encrypted_options",
        Text,
    )
    __tablename__ = "destinations"


class Price(Base):
    __tablename__ = "prices"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    label: Mapped[str] = mapped_column(Text)


class CustomPrice(Price):
    minimum_amount: Mapped[int] = mapped_column(
        "minimum_amount_v2", BigInteger, nullable=True
    )
    label: Mapped[str] = mapped_column("label", Text)
"""
PRICE_CODE = """def floor(price, destination):
    send(destination.options)
    return price.minimum_amount or price.label
"""
PRICE_SCHEMA = (
    "CREATE TABLE destinations (id bigint PRIMARY KEY, options text, encrypted_options text);\n"
    "CREATE TABLE prices (id bigint PRIMARY KEY, label text, minimum_amount int, minimum_amount_v2 bigint);\n"
    "-- migration\n"
)


def test_an_attribute_that_maps_another_column_is_not_the_dropped_column() -> None:
    # `minimum_amount` (a subclass of the model, one table) and `options` (declared before
    # __tablename__) map the columns that replace the dropped ones: the code keeps working.
    files = {"app/models.py": PRICE_MODELS, "app/pricing.py": PRICE_CODE}
    for sql, line in (
        ("ALTER TABLE prices DROP COLUMN minimum_amount;", 23),
        ("ALTER TABLE destinations DROP COLUMN options;", 9),
    ):
        finding = _finding(review_sql(PRICE_SCHEMA + sql, path=MIGRATION, base=files), "column-dropped")
        assert finding.severity is Severity.INFO, sql
        assert f"(`app/models.py:{line}`)" in finding.message


def test_an_attribute_that_maps_the_dropped_column_itself_still_blocks() -> None:
    files = {"app/models.py": PRICE_MODELS, "app/pricing.py": PRICE_CODE}
    result = review_sql(PRICE_SCHEMA + "ALTER TABLE prices DROP COLUMN label;", path=MIGRATION, base=files)
    finding = _finding(result, "column-dropped")
    assert "app/pricing.py:3" in _places(finding)
    assert finding.severity is Severity.CRITICAL


def test_rails_code_next_to_ignored_columns_does_not_block() -> None:
    model = 'class User < ApplicationRecord\n  self.ignored_columns = ["nearby"]\n\n  def nearby\n    []\n  end\nend\n'
    controller = "class UsersController < ApplicationController\n  def index\n    @users = current_user.nearby\n  end\nend\n"
    schema = "CREATE TABLE users (id serial PRIMARY KEY, nearby int);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE users DROP COLUMN nearby;",
        path=MIGRATION,
        base={"app/models/user.rb": model, "app/controllers/users_controller.rb": controller},
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.INFO
    assert "already ignores it" in finding.message


@pytest.mark.parametrize(
    ("table", "model", "column", "other"),
    [
        ("account_removals", "AccountRemoval", "handle", "person"),
        ("invoices", "Invoice", "currency", "ledger"),
    ],
)
def test_a_rails_model_that_delegates_the_dropped_columns_name_does_not_block(
    table: str, model: str, column: str, other: str
) -> None:
    code = f"def author({table[:-1]})\n  {table[:-1]}.{column}\nend\n"
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, {other}_id int);\n-- migration\n"

    def dropped(body: str) -> Finding:
        definition = f"class {model} < ApplicationRecord\n  belongs_to :{other}\n{body}end\n"
        files = {f"app/models/{table[:-1]}.rb": definition, "lib/federation.rb": code}
        return _finding(
            review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files),
            "column-dropped",
        )

    for body in (
        f"  delegate :{column}, to: :{other}\n",
        f"  delegate :name, :{column},\n           to: :{other}\n",
    ):
        finding = dropped(body)
        assert finding.severity is Severity.WARNING, (
            body
        )  # Rails still caches the column: ignored_columns first
        assert f"the model's own `{column}` (`app/models/{table[:-1]}.rb:3`)" in finding.message
    # with a prefix the model answers `{other}_{column}`, not `{column}`: the code reads the column
    assert dropped(f"  delegate :{column}, to: :{other}, prefix: true\n").severity is Severity.CRITICAL
    assert dropped(f"  delegate :name, to: :{other}\n").severity is Severity.CRITICAL


def test_a_column_renamed_while_another_takes_its_name_is_not_searched() -> None:
    code = "def show(community):\n    return community.description\n"
    schema = "CREATE TABLE community (id serial PRIMARY KEY, sidebar text, description text);\n-- migration\n"
    sql = (
        "ALTER TABLE community RENAME COLUMN description TO summary;\n"
        "ALTER TABLE community RENAME COLUMN sidebar TO description;\n"
    )
    result = review_sql(schema + sql, path=MIGRATION, base={"app/community.py": code})
    renamed = [f for f in result.findings if f.rule == "column-renamed" and "`summary`" in f.message]
    assert renamed and not renamed[0].references  # `description` now names the former `sidebar`


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("crates/apub/src/activity.rs", "let inboxes = tagged(&create.object.tag, &context);\n"),
        ("assets/objects/note.json", '{\n  "tag": [],\n  "id": 1\n}\n'),
        ("package.json", '{ "dependencies": { "client": "1.0.0-community-tag-rename.1" } }\n'),
        ("config/locales/fr.yml", "fr:\n  tag: Étiquette\n"),
        ("app/views/tags/show.html.erb", '<h3><%= t ".tag users" %></h3>\n'),
    ],
)
def test_a_common_word_table_name_in_attributes_keys_and_slugs_is_not_the_table(path: str, text: str) -> None:
    schema = "CREATE TABLE tag (id serial PRIMARY KEY, name text);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE tag RENAME TO community_tag;", path=MIGRATION, base={path: text}
    )
    finding = _finding(result, "table-renamed")
    assert finding.severity is not Severity.CRITICAL
    assert all("low confidence" in r.kind for r in finding.references)


def test_diesel_schema_module_of_a_renamed_table_is_a_reference() -> None:
    code = 'pub fn all(conn: &mut PgConnection) {\n    tag::table.filter(tag::name.eq("x")).load(conn)\n}\n'
    schema = "CREATE TABLE tag (id serial PRIMARY KEY, name text);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE tag RENAME TO community_tag;", path=MIGRATION, base={"src/tags.rs": code}
    )
    finding = _finding(result, "table-renamed")
    assert {f"{r.path}:{r.line}" for r in finding.references} == {"src/tags.rs:2"}
    assert finding.severity is Severity.CRITICAL


def test_a_sentence_that_contains_the_column_name_is_not_a_use() -> None:
    code = 'CHECKOUT_CREATED = "Checkout created"\nraise ValueError("No address should have been created")\n'
    schema = "CREATE TABLE checkout (id serial PRIMARY KEY, created timestamptz);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE checkout RENAME COLUMN created TO created_at;",
        path=MIGRATION,
        base={"app/events.py": code},
    )
    finding = _finding(result, "column-renamed")
    assert not finding.references


def test_seeds_local_variables_and_attributes_of_other_objects_are_not_uses() -> None:
    seed = (
        "export const seed = async () => {\n  const documentId = await nextId();\n  return documentId;\n};\n"
    )
    code = (
        "export const owner = async (id: number) => {\n"
        "  const team = await prisma.team.findFirst({ where: { id } });\n"
        "  return team.organisation.documentId === id;\n"
        "};\n"
    )
    result = review_sql(
        SCHEMA + 'ALTER TABLE "DocumentMeta" DROP COLUMN "documentId";',
        path=MIGRATION,
        base={"packages/prisma/seed/documents.ts": seed, "src/teams/owner.ts": code},
    )
    finding = _finding(result, "column-dropped")
    assert not [r for r in finding.references if "low confidence" not in r.kind and r.kind != "test"]
    assert finding.severity is not Severity.CRITICAL


def test_docstrings_and_graphql_descriptions_are_left_out() -> None:
    code = 'def fulfil(order):\n    """Return the lines created for this order.\n\n    created is set\n    """\n    return order\n'
    schema_graphql = 'type App {\n  """\n  App which created the gift card.\n  """\n  name: String\n}\n'
    schema = "CREATE TABLE checkout (id serial PRIMARY KEY, created timestamptz);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE checkout RENAME COLUMN created TO created_at;",
        path=MIGRATION,
        base={"shop/actions.py": code, "shop/graphql/schema.graphql": schema_graphql},
    )
    assert not _finding(result, "column-renamed").references


def test_python_locals_and_payload_keys_named_like_the_column_are_not_uses() -> None:
    code = (
        "from shop.models import Checkout\n\n\n"
        "def populate():\n"
        "    checkout, created = Checkout.objects.get_or_create(token=1)\n"
        "    if created:\n"
        '        return {"created": checkout.created_at}\n'
        "    return Checkout.objects.filter(created__gte=1)\n"
    )
    schema = "CREATE TABLE checkout (id serial PRIMARY KEY, created timestamptz);\n-- migration\n"
    result = review_sql(
        schema + "ALTER TABLE checkout RENAME COLUMN created TO created_at;",
        path=MIGRATION,
        base={"shop/populate.py": code},
    )
    finding = _finding(result, "column-renamed")
    assert {f"{r.path}:{r.line}" for r in finding.references} == {"shop/populate.py:8"}


RAILS_SCHEMA = """
CREATE TABLE invoices (id serial PRIMARY KEY, status text, number int);
CREATE TABLE enterprises (id serial PRIMARY KEY, name text, visible boolean);
CREATE TABLE spree_assets (id serial PRIMARY KEY, attachment_width int, attachment_height int);
CREATE TABLE spree_variants (id serial PRIMARY KEY, sku text, available_on timestamp);
CREATE TABLE spree_products (id serial PRIMARY KEY, name text, available_on timestamp);
CREATE TABLE spree_taxons (id serial PRIMARY KEY, name text);
CREATE TABLE suburbs (id serial PRIMARY KEY, name text);
-- migration
"""


def test_a_translation_key_a_response_and_another_tables_row_are_not_the_column() -> None:
    files = {
        "app/views/admin/invoices/_table.html.haml": "%th= t(:status)\n%td= invoice.status\n",
        "spec/controllers/invoices_controller_spec.rb": "expect(response.status).to eq 200\n",
        "app/assets/javascripts/admin/enterprises.js.coffee": "enterprise.status = $scope.statusFor(enterprise)\n",
    }
    result = review_sql(RAILS_SCHEMA + "ALTER TABLE invoices DROP COLUMN status;", path=MIGRATION, base=files)
    assert _places(_finding(result, "column-dropped")) == {"app/views/admin/invoices/_table.html.haml:2"}


def test_a_row_of_a_namespaced_table_is_another_tables_row() -> None:
    view = ".line-clamp-1= product.available_on&.strftime('%F')\n.line-clamp-1= variant.available_on\n"
    result = review_sql(
        RAILS_SCHEMA + "ALTER TABLE spree_products DROP COLUMN available_on;",
        path=MIGRATION,
        base={
            "app/views/admin/products/_table.html.haml": view,
            "public/product_template.csv": "name,available_on\n",
        },
    )
    assert _places(_finding(result, "column-dropped")) == {"app/views/admin/products/_table.html.haml:1"}


def test_a_column_in_a_multi_line_ignored_columns_list_is_covered() -> None:
    model = (
        "module Spree\n  class Image < Asset\n    self.ignored_columns = %i(attachment_file_name\n"
        "                              attachment_content_type\n                              attachment_file_size\n"
        "                              attachment_updated_at\n                              attachment_width\n"
        "                              attachment_height)\n  end\nend\n"
    )
    result = review_sql(
        RAILS_SCHEMA + "ALTER TABLE spree_assets DROP COLUMN attachment_height;",
        path=MIGRATION,
        base={"app/models/spree/image.rb": model},
    )
    finding = _finding(result, "column-dropped")
    assert [r.kind for r in finding.references] == ["model, safe: ignored_columns"]
    assert finding.severity is Severity.INFO


def test_a_dropped_tables_model_name_in_a_list_of_labels_is_not_a_use() -> None:
    spec = 'expect(subject.table_headers).to eq(["Email", "First Name", "Suburb"])\n'
    code = "class Report\n  def rows = Suburb.where(name: 'x')\nend\n"
    result = review_sql(
        RAILS_SCHEMA + "DROP TABLE suburbs;",
        path=MIGRATION,
        base={"spec/lib/reports/customers_report_spec.rb": spec, "app/services/report.rb": code},
    )
    assert set(_places(_finding(result, "table-dropped"))) == {"app/services/report.rb:2"}


HAML_SCHEMA = """
CREATE TABLE services (id serial PRIMARY KEY, type text, uid text);
CREATE TABLE invoices (id serial PRIMARY KEY, status text);
-- migration
"""


@pytest.mark.parametrize(
    ("table", "text", "code"),
    [
        (
            "services",
            "%h1\n  Terms of Service\n%p\n  %strong The Service is provided as is, #{pod_name}.\n"
            ".note(role='note') Read all of the services' terms.\n",
            "- Service.where(uid: uid).each do |row|\n  %li= row.type\n",
        ),
        (
            "invoices",
            "%section\n  %h2.title Invoices\n  Every Invoice is sent by e-mail.\n"
            "  %p{class: 'hint'} An Invoice is due in 30 days.\n",
            "%td\n  = link_to 'Open', Invoice.find(params[:id])\n",
        ),
    ],
)
def test_words_of_a_haml_templates_text_are_not_uses_of_a_dropped_table(
    table: str, text: str, code: str
) -> None:
    """A HAML line's text (a plain line, or what follows a tag) is for people; its Ruby still counts."""
    model = {f"app/models/{table[:-1]}.rb": f"class {table[:-1].title()} < ApplicationRecord\nend\n"}
    result = review_sql(
        HAML_SCHEMA + f"DROP TABLE {table};",
        path=MIGRATION,
        base={"app/views/pages/terms.html.haml": text, **model},
    )
    model_line = f"app/models/{table[:-1]}.rb:1"
    assert _places(_finding(result, "table-dropped")) == {model_line}
    result = review_sql(
        HAML_SCHEMA + f"DROP TABLE {table};",
        path=MIGRATION,
        base={"app/views/pages/list.html.haml": code, **model},
    )
    line = 1 if table == "services" else 2
    assert _places(_finding(result, "table-dropped")) == {
        model_line,
        f"app/views/pages/list.html.haml:{line}",
    }


DIESEL_SCHEMA = """
CREATE TABLE post_tag (post_id int NOT NULL, tag_id int NOT NULL, PRIMARY KEY (post_id, tag_id));
CREATE TABLE tag (id serial PRIMARY KEY, name text);
-- migration
"""
DIESEL_TABLES = """diesel::table! {
    post_tag (post_id, tag_id) {
        post_id -> Int4,
        tag_id -> Int4,
    }
}
"""
DIESEL_MODEL = """#[derive(Queryable, Selectable)]
#[diesel(table_name = post_tag)]
pub struct PostTag {
  pub post_id: PostId,
  pub tag_id: TagId,
}

impl PostTag {
  pub async fn set(pool: &mut DbPool<'_>, post_id: PostId, tags: &[TagId]) -> LemmyResult<usize> {
    let forms = tags.iter().map(|tag_id| PostTagForm { post_id, tag_id: *tag_id });
    delete(post_tag::table.filter(post_tag::tag_id.eq_any(tags))).execute(conn).await?;
    Ok(0)
  }
}
"""
DIESEL_API = """#[derive(Debug, Serialize, Deserialize, Clone)]
pub struct UpdateTag {
  pub tag_id: TagId,
  pub name: String,
}
"""


def test_rust_names_a_column_through_its_table_or_its_model_struct() -> None:
    files = {
        "crates/db_schema_file/src/schema.rs": DIESEL_TABLES,
        "crates/db_schema/src/source/post_tag.rs": DIESEL_MODEL,
        "crates/api/src/tag.rs": DIESEL_API + "let tag = Tag::read(pool, data.tag_id).await?;\n",
    }
    result = review_sql(
        DIESEL_SCHEMA + "ALTER TABLE post_tag RENAME COLUMN tag_id TO community_tag_id;",
        path=MIGRATION,
        base=files,
    )
    assert _places(_finding(result, "column-renamed")) == {
        "crates/db_schema_file/src/schema.rs:4",  # the table! entry
        "crates/db_schema/src/source/post_tag.rs:5",  # the model struct's field
        "crates/db_schema/src/source/post_tag.rs:11",  # post_tag::tag_id
    }  # the closure variable, the API struct's field and `data.tag_id` are not the column


def test_a_column_the_running_release_ignores_is_safe_when_the_change_removes_the_declaration(
    tmp_path: Path,
) -> None:
    """whitehall: the previous deploy ignored `access_limited`; this change drops it and removes the
    `ignored_columns` line. The model's own `access_limited?` method keeps working."""
    model = (
        "class Edition < ApplicationRecord\n  self.ignored_columns += %w[access_limited]\n\n"
        "  def access_limited?\n    access_limiting_organisations.any?\n  end\nend\n"
    )
    (tmp_path / "db/migrate").mkdir(parents=True)
    (tmp_path / "app/models").mkdir(parents=True)
    (tmp_path / "app/helpers").mkdir(parents=True)
    (tmp_path / "db/data_migration").mkdir(parents=True)
    (tmp_path / "db/schema.rb").write_text(
        'ActiveRecord::Schema[7.1].define(version: 1) do\n  create_table "editions" do |t|\n'
        '    t.boolean "access_limited"\n    t.string "title"\n  end\nend\n'
    )
    (tmp_path / "app/models/edition.rb").write_text(model)
    (tmp_path / "app/helpers/editions_helper.rb").write_text("def badge(edition) = edition.access_limited?\n")
    (tmp_path / "db/data_migration/20250101_backfill.rb").write_text(
        'ActiveRecord::Base.connection.execute("UPDATE editions SET title = 1 WHERE access_limited = true")\n'
    )
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    (tmp_path / "app/models/edition.rb").write_text(
        model.replace("  self.ignored_columns += %w[access_limited]\n", "")
    )
    (tmp_path / "db/migrate/20260101000000_remove_access_limited.rb").write_text(
        "class RemoveAccessLimited < ActiveRecord::Migration[7.1]\n"
        "  def change\n    remove_column :editions, :access_limited, :boolean\n  end\nend\n"
    )
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "drop")
    cli = str(Path(sys.executable).parent / "migration-review")
    done = subprocess.run(
        [cli, "review", "--repo", str(tmp_path), "--base", "HEAD~1", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    finding = next(f for f in json.loads(done.stdout)["findings"] if f["rule"] == "column-dropped")
    assert finding["severity"] == "info", finding
    assert {(r["path"], r["kind"]) for r in finding["references"]} == {
        ("app/helpers/editions_helper.rb", "other, safe: ignored_columns"),
        ("app/models/edition.rb", "model, safe: ignored_columns"),
    }  # the old data migration is not searched


def test_a_shared_column_name_in_a_percent_w_ignored_columns_list_is_covered() -> None:
    schema = (
        "CREATE TABLE offsite_links (id serial PRIMARY KEY, parent_id int, parent_type text);\n"
        "CREATE TABLE organisations (id serial PRIMARY KEY, parent_id int);\n-- migration\n"
    )
    model = (
        "class OffsiteLink < ApplicationRecord\n  self.ignored_columns += %w[parent_id parent_type]\nend\n"
    )
    result = review_sql(
        schema + "ALTER TABLE offsite_links DROP COLUMN parent_id;",
        path=MIGRATION,
        base={"app/models/offsite_link.rb": model},
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.INFO
    assert "the model already ignores it" in finding.message


def test_a_shared_name_inside_another_tables_model_or_beside_a_word_in_a_string_is_not_a_use() -> None:
    """whitehall: `images.alt_text` dropped while `features.alt_text` stays."""
    schema = (
        "CREATE TABLE images (id serial PRIMARY KEY, alt_text text, caption text);\n"
        "CREATE TABLE features (id serial PRIMARY KEY, alt_text text);\n-- migration\n"
    )
    files = {
        "app/models/feature.rb": (
            "class Feature < ApplicationRecord\n"
            '  validates :alt_text, format: { message: "not just spaces (decorative images)" }\nend\n'
        ),
        "test/functional/features_test.rb": 'features.create!(image_attributes: {}, alt_text: "Image alt text")\n',
        "app/presenters/image_presenter.rb": "def alt(image) = image.alt_text\n",
    }
    result = review_sql(schema + "ALTER TABLE images DROP COLUMN alt_text;", path=MIGRATION, base=files)
    assert _places(_finding(result, "column-dropped")) == {"app/presenters/image_presenter.rb:1"}


def test_documenso_noise_variables_type_keys_and_prose_about_a_pascal_case_table() -> None:
    """documenso's envelopes change: `DocumentMeta.documentId`, `Field.customText` and the table
    `Document` dropped; each line below names them without using them."""
    files = {
        "packages/prisma/seed/documents.ts": (
            "export const seed = async () => {\n"
            "    const documentId = await incrementDocumentId();\n"
            "    await prisma.documentMeta.create({ data: { secondaryId: documentId.formattedDocumentId } });\n"
            "};\n"
        ),
        "packages/lib/template/create.ts": (
            "let fields: Omit<Field, 'id' | 'customText'>[] = [];\nexport type Meta = { customText?: string };\n"
        ),
        "packages/app-tests/e2e/api.spec.ts": "test.describe('Document DELETE endpoint', () => {});\n",
        "packages/lib/field/get.ts": "export const get = (field: Field) => field.customText;\n",
    }
    drop = (
        'ALTER TABLE "DocumentMeta" DROP COLUMN "documentId";\nALTER TABLE "Field" DROP COLUMN "customText";\n'
        'DROP TABLE "Document";\n'
    )
    result = review_sql(SCHEMA + drop, path=MIGRATION, base=files)
    places = {
        f"{r.path}:{r.line}"
        for f in result.findings
        if f.rule in ("column-dropped", "table-dropped")
        for r in f.references
    }
    # `customText?: string` declares a type of the same name: a real (if compile-time) use of the field
    assert places == {"packages/lib/field/get.ts:1", "packages/lib/template/create.ts:2"}


PING_SCHEMA = (
    "CREATE TABLE api_ping (id bigint PRIMARY KEY, body text, body_raw bytea, kind text);\n"
    "CREATE TABLE api_check (id bigint PRIMARY KEY, subject text, name text);\n"
    "CREATE TABLE api_flip (id bigint PRIMARY KEY, kind text);\n-- migration\n"
)
PING_TEMPLATE = """<h2>{{ ping.n }}</h2>
<div class="modal-body">
  {% if ping.object_size and not body %}
    The request body data is being processed and will be available shortly.
  {% else %}
    <pre>{{ body|slice:":10000" }}</pre>
  {% endif %}
  <a href="{% url 'hc-ping-body' check.code ping.n %}">Download</a>
  <p>{{ ping.body }}</p>
</div>
"""
PING_CODE = """def notify(ping, check):
    body = ping.get_body()
    fields.add(ping.n, f"```\\n{body}\\n```")
    url = reverse("hc-api-ping-body", args=[ping.id])
    return ping.body


def _match(check, subject, keywords):
    return any(k in check.name for k in keywords)
"""


def test_template_text_context_variables_kebab_names_and_locals_are_not_the_column() -> None:
    models = (
        "from django.db import models\n\n\nclass Ping(models.Model):\n    body_raw = models.BinaryField()\n"
        "    kind = models.TextField()\n\n\nclass Check(models.Model):\n    name = models.TextField()\n"
    )
    files = {
        "templates/ping_details.html": PING_TEMPLATE,
        "hc/api/transports.py": PING_CODE,
        "hc/api/models.py": models,
    }
    result = review_sql(PING_SCHEMA + "ALTER TABLE api_ping DROP COLUMN body;", path=MIGRATION, base=files)
    # only a row's own `ping.body`, in the template and in the code
    assert set(_places(_finding(result, "column-dropped"))) == {
        "templates/ping_details.html:9",
        "hc/api/transports.py:5",
    }
    result = review_sql(
        PING_SCHEMA + "ALTER TABLE api_check DROP COLUMN subject;", path=MIGRATION, base=files
    )
    assert not _places(_finding(result, "column-dropped"))  # parameters named `subject`


def test_a_url_segment_and_a_sentence_given_to_a_label_keyword_are_not_the_column() -> None:
    # also: `PageType` is the model of page_types, not a class named after Page
    schema = (
        "CREATE TABLE pages (id bigint PRIMARY KEY, description text, name text);\n"
        "CREATE TABLE issues (id bigint PRIMARY KEY, description text);\n"
        "CREATE TABLE page_types (id bigint PRIMARY KEY, description text);\n-- migration\n"
    )
    views = """from app.models import Page


class PageType(models.Model):
    description = models.TextField(blank=True)


class PageController(BaseAPIView):
    @extend_schema(
        description="Retrieve a page, or create one if it doesn't exist.",
        responses={200: OpenApiResponse(description="Page details")},
    )
    def get(self, request, pk):
        page = Page.objects.get(pk=pk)
        Page.objects.create(name="copy", description="A copy of the page text")
        return page.description
"""
    service = """export function pageText(pageId: string) {
  return http.get(`/api/pages/${pageId}/description/`);
}
"""
    files = {"app/views.py": views, "web/services/page.ts": service}
    result = review_sql(schema + "ALTER TABLE pages DROP COLUMN description;", path=MIGRATION, base=files)
    assert set(_places(_finding(result, "column-dropped"))) == {"app/views.py:15", "app/views.py:16"}


@pytest.mark.parametrize(
    ("table", "field"), [("captcha_answer", "captcha_answer"), ("login_token", "login_token")]
)
def test_a_rust_structs_field_named_like_a_dropped_table_is_not_the_table(table: str, field: str) -> None:
    code = (
        "pub fn create(data: &Register, conn: &mut PgConnection) {\n"
        f"    let answer = data.{field}.clone().unwrap_or_default();\n"
        f"    {table}::table.filter({table}::answer.eq(answer)).first::<Row>(conn)\n"
        "}\n"
    )
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, answer text);\n-- migration\n"
    result = review_sql(schema + f"DROP TABLE {table};", path=MIGRATION, base={"src/user/create.rs": code})
    assert {f"{r.path}:{r.line}" for r in _finding(result, "table-dropped").references} == {
        "src/user/create.rs:3"
    }


# teslamate: `tokens` moved to another schema; a map's key (`v["tokens"]`, `%{"tokens" => tokens}`), Elixir
# atoms (`as={:tokens}`, `[:pid, :tokens]`) and the table named in a sentence of a heredoc ("… in the table
# 'tokens'.") were counted as eight places that still use the table; only the Ecto schema does.
KEYS_ELIXIR = '''defmodule App.Api do
  def parse(v) do
    %{vin: v["vin"], {table}: v["{table}"]}
  end

  def handle_event("validate", %{"{table}" => {table}}, socket), do: {:noreply, socket}

  def check do
    raise """
    Make sure that there is no more than ONE row in the table '{table}'.
    """
  end
end
'''
KEYS_TEMPLATE = """<.form for={@form} as={:{table}} phx-submit="save"></.form>\n"""
KEYS_STRUCT = "defmodule App.Mock do\n  defstruct [:pid, :{table}]\nend\n"
KEYS_PYTHON = '''def parse(payload, params):
    rows = payload["{table}"]
    return {"{table}": rows} if False else rows


def help_text():
    """Rows of the table '{table}' are kept for a year."""
'''
KEYS_USES = {
    "lib/app/schema.ex": 'defmodule App.Row do\n  use Ecto.Schema\n\n  schema "{table}" do\n  end\nend\n',
    "app/store.py": 'def all(metadata):\n    return metadata.tables["{table}"]\n',
    "lib/app/report.ex": 'defmodule App.Report do\n  def sql, do: """\n  SELECT id FROM {table}\n  """\nend\n',
}


@pytest.mark.parametrize("table", ["tokens", "sessions"])
def test_map_keys_atoms_and_sentences_are_not_uses_of_a_table(table: str) -> None:
    noise = {
        "lib/app/api.ex": KEYS_ELIXIR.replace("{table}", table),
        "lib/app_web/live/form.html.heex": KEYS_TEMPLATE.replace("{table}", table),
        "test/support/mock.ex": KEYS_STRUCT.replace("{table}", table),
        "app/parse.py": KEYS_PYTHON.replace("{table}", table),
        "app/controllers/rows_controller.rb": f"class RowsController\n  def create\n    rows = params[:{table}]\n  end\nend\n",
    }
    uses = {path: text.replace("{table}", table) for path, text in KEYS_USES.items()}
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\nDROP TABLE {table};\n"
    dropped = _finding(review_sql(sql, path=MIGRATION, base={**noise, **uses}), "table-dropped")
    places = {place.split(":")[0] for place in _places(dropped)}
    assert places == set(uses), dropped.references


@pytest.mark.parametrize("table", ["tokens", "sessions"])
def test_a_table_named_in_sql_of_a_sentence_string_stays_a_use(table: str) -> None:
    code = {
        "app/report.py": f'def run(cursor):\n    cursor.execute("""\n        SELECT id FROM {table} WHERE id = 1\n    """)\n',
        "app/errors.py": f'MESSAGE = "could not delete from {table} for this account"\n',
    }
    sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY);\n-- migration\nDROP TABLE {table};\n"
    dropped = _finding(review_sql(sql, path=MIGRATION, base=code), "table-dropped")
    assert "app/report.py:3" in _places(dropped), dropped.references


# openstreetmap-website: `users.openid_url` renamed; twenty places were the URL's parameters of route helpers
# (`auth_path(:openid_url => …)`, in tests too), a form tag's parameter name and an HTML class.
ROUTES_CONTROLLER = """class SessionsController < ApplicationController
  def create
    redirect_to auth_path(:provider => "openid", :{column} => expand(params[:uid]), :origin => request.path)
    redirect_to account_url({column}: "x")
  end
end
"""
ROUTES_VIEW = """<%= text_field_tag("{column}", "", {{ :tabindex => 3, :class => "{column}" }}) %>
<%= link_to "Sign in", auth_path(:{column} => "example.com") %>
"""
ROUTES_USES = {
    "app/views/users/_form.html.erb": "<%= form_with model: @user do |f| %>\n  <%= f.text_field :{column} %>\n<% end %>\n",
    "app/models/user.rb": "class User < ApplicationRecord\n  def identity\n    {column}.presence\n  end\nend\n",
}


@pytest.mark.parametrize("column", ["openid_url", "legacy_handle"])
def test_a_route_helpers_parameters_and_form_tags_are_not_uses_of_a_column(column: str) -> None:
    code = {
        "app/controllers/sessions_controller.rb": ROUTES_CONTROLLER.format(column=column),
        "app/views/sessions/new.html.erb": ROUTES_VIEW.format(column=column),
        **{path: text.format(column=column) for path, text in ROUTES_USES.items()},
    }
    sql = f"CREATE TABLE users (id bigint PRIMARY KEY, {column} text);\n-- migration\nALTER TABLE users RENAME COLUMN {column} TO auth_uid;\n"
    renamed = _finding(review_sql(sql, path=MIGRATION, base=code), "column-renamed")
    assert {place.split(":")[0] for place in _places(renamed)} == set(ROUTES_USES), renamed.references


@pytest.mark.parametrize(
    ("table", "model", "column"),
    [("public_bodies", "PublicBody", "disclosure_log"), ("articles", "Article", "subtitle")],
)
def test_a_rails_model_that_translates_the_dropped_columns_name_does_not_block(
    table: str, model: str, column: str
) -> None:
    # alaveteli 73a1406c dropped `public_bodies.disclosure_log`, which `translates` reads from
    # `public_body_translations`: `public_body.disclosure_log` in a view reads the translation
    row = "public_body" if table == "public_bodies" else table[:-1]
    view = f"<% unless {row}.{column}.blank? %>\n  <%= link_to 'Log', {row}.{column} %>\n<% end %>\n"
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} text);\n-- migration\n"

    def dropped(body: str) -> Finding:
        definition = f"class {model} < ApplicationRecord\n{body}end\n"
        files = {f"app/models/{row}.rb": definition, f"app/views/{table}/_more.html.erb": view}
        return _finding(
            review_sql(schema + f"ALTER TABLE {table} DROP COLUMN {column};", path=MIGRATION, base=files),
            "column-dropped",
        )

    for body in (
        f"  translates :name, :{column}\n",
        f"  translates :name, :short_name,\n             :{column}\n",
    ):
        finding = dropped(body)
        assert finding.severity is Severity.WARNING, (
            body
        )  # Rails still caches the column: ignored_columns first
        assert f"the model's own `{column}` (`app/models/{row}.rb:2`)" in finding.message
    # the twin: the model translates other attributes; the view reads the column
    assert dropped("  translates :name\n").severity is Severity.CRITICAL


@pytest.mark.parametrize(
    ("table", "model", "column", "new"),
    [
        ("has_tag_string_tags", "HasTagStringTag", "model", "model_type"),
        ("comments", "Comment", "commentable", "commentable_kind"),
    ],
)
def test_a_ruby_associations_name_is_no_use_of_a_column_of_that_name(
    table: str, model: str, column: str, new: str
) -> None:
    # alaveteli 2bb9a6fa renamed `has_tag_string_tags.model` to `model_type` for `belongs_to :model,
    # polymorphic: true`, which reads `model_type` and `model_id`; Brakeman's ignore file copies old code
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, {column} text, {column}_id int);\n-- migration\n"
    brakeman = (
        '{\n  "ignored_warnings": [\n    {\n      "warning_type": "SQL Injection",\n'
        f'      "code": "joins(\\"LEFT JOIN {table} ON {table}.{column} = \'#{{to_s}}\'\\")",\n'
        '      "file": "app/models/concerns/taggable.rb"\n    }\n  ]\n}\n'
    )

    def renamed(body: str) -> Finding:
        files = {
            f"app/models/{table[:-1]}.rb": f"class {model} < ApplicationRecord\n{body}end\n",
            "config/brakeman.ignore": brakeman,
        }
        sql = schema + f"ALTER TABLE {table} RENAME COLUMN {column} TO {new};"
        return _finding(review_sql(sql, path=MIGRATION, base=files), "column-renamed")

    for body in (f"  belongs_to :{column}, polymorphic: true\n", f"  has_many :{column}\n"):
        finding = renamed(body)
        assert finding.severity is not Severity.CRITICAL, finding
        assert not finding.references, finding.references
    # the twin: the model queries the column by its old name
    finding = renamed(
        f"  belongs_to :{column}, polymorphic: true\n  scope :of, ->(k) {{ where({column}: k.to_s) }}\n"
    )
    assert finding.severity is Severity.CRITICAL
    assert _places(finding) == {f"app/models/{table[:-1]}.rb:3"}


@pytest.mark.parametrize(
    ("table", "model", "column", "constant"),
    [
        ("zones", "Zone", "default_tax", "Spree::Calculator::DefaultTax"),
        ("orders", "Order", "gift_wrap", "Billing::GiftWrap"),
    ],
)
def test_a_ruby_constant_spelled_like_the_column_is_a_class(
    table: str, model: str, column: str, constant: str
) -> None:
    # solidus c9c9f05b dropped `spree_zones.default_tax`; `Spree::Calculator::DefaultTax` is a calculator class
    name = model.rsplit("::", 1)[-1]
    path = f"app/models/{name.lower()}.rb"
    schema = f"CREATE TABLE {table} (id serial PRIMARY KEY, name text, {column} boolean);\n-- migration\n"
    code = {
        path: f"class {model} < ApplicationRecord\nend\n",
        "lib/engine.rb": f"config.calculators = [\n  {constant},\n]\n",
        "lib/sample.rb": f"rate.calculator = {constant}.create!\n",
    }
    sql = schema + f"ALTER TABLE {table} DROP COLUMN {column};"
    finding = _finding(review_sql(sql, path=MIGRATION, base=code), "column-dropped")
    assert finding.severity is not Severity.CRITICAL, finding
    assert not finding.references, finding.references
    # the twin: a query on the model by the column
    code["lib/sample.rb"] += f"default = {model}.where({column}: true).first\n"
    finding = _finding(review_sql(sql, path=MIGRATION, base=code), "column-dropped")
    assert finding.severity is Severity.CRITICAL
    assert _places(finding) == {"lib/sample.rb:2"}
