"""Code that lives in the database: views, functions and triggers created by earlier migrations or kept in a
schema dump, read as SQL, that still use a dropped or renamed table or column."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.model.findings import Finding, Review, Severity
from tests.conftest import git, review_sql

SCHEMA = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text, total int, customer_id bigint);
CREATE TABLE customers (id bigint PRIMARY KEY, name text, legacy_status text);
CREATE VIEW open_orders AS
  SELECT o.id, o.legacy_status, c.name
  FROM orders o JOIN customers c ON c.id = o.customer_id
  WHERE o.total > 0;
CREATE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.legacy_status := coalesce(NEW.legacy_status, 'new');
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_touch BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_touch();
CREATE FUNCTION customer_label(bigint) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT name || ' (' || legacy_status || ')' FROM customers WHERE id = $1
$$;
-- migration
"""
BASE = "db/migrations/000_schema.sql"


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def _places(finding: Finding) -> dict[str, str]:
    return {f"{r.path}:{r.line}": r.kind for r in finding.references}


def test_a_view_and_a_trigger_function_that_read_a_dropped_column_block() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders DROP COLUMN legacy_status;")
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL
    places = _places(finding)
    assert set(places) == {f"{BASE}:5", f"{BASE}:10"}  # the view's column line, the trigger body's line
    assert places[f"{BASE}:5"].startswith("database: view `open_orders` depends on `orders.legacy_status`")
    assert "run by trigger `orders_touch` on `orders`" in places[f"{BASE}:10"]
    assert "PostgreSQL refuses the DROP" in finding.blast_radius


def test_a_same_named_column_of_another_table_in_a_function_is_not_a_use() -> None:
    # customer_label reads customers.legacy_status, the view reads customers.name: neither is orders'
    result = review_sql(SCHEMA + "ALTER TABLE customers DROP COLUMN legacy_status;")
    finding = _finding(result, "column-dropped")
    assert set(_places(finding)) == {f"{BASE}:16"}
    result = review_sql(SCHEMA + "ALTER TABLE orders DROP COLUMN total;")
    assert set(_places(_finding(result, "column-dropped"))) == {f"{BASE}:7"}  # WHERE o.total


def test_a_rename_is_followed_by_a_view_but_not_by_a_function_body() -> None:
    result = review_sql(SCHEMA + "ALTER TABLE orders RENAME COLUMN legacy_status TO status;")
    finding = _finding(result, "column-renamed")
    assert set(_places(finding)) == {f"{BASE}:10"}  # the trigger function, not the view
    assert finding.severity is Severity.CRITICAL


def test_a_word_in_a_string_or_an_output_alias_is_not_a_use() -> None:
    schema = """
CREATE TABLE orders (id bigint PRIMARY KEY, legacy_status text, state text);
CREATE VIEW order_states AS SELECT id, state AS legacy_status, 'legacy_status' AS label FROM orders;
CREATE FUNCTION log_it() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE NOTICE 'legacy_status is going away';
END
$$;
-- migration
"""
    result = review_sql(schema + "ALTER TABLE orders DROP COLUMN legacy_status;")
    assert _finding(result, "column-dropped").references == ()


def test_a_migration_that_replaces_the_function_or_drops_the_view_first_is_clean() -> None:
    fixed = """
DROP VIEW open_orders;
DROP TRIGGER orders_touch ON orders;
ALTER TABLE orders DROP COLUMN legacy_status;
CREATE OR REPLACE FUNCTION orders_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END
$$;
"""
    result = review_sql(SCHEMA + fixed)
    assert _finding(result, "column-dropped").references == ()


def test_a_dropped_table_still_read_by_a_function() -> None:
    result = review_sql(SCHEMA + "DROP TABLE customers;")
    finding = _finding(result, "table-dropped")
    places = _places(finding)
    assert f"{BASE}:16" in places and places[f"{BASE}:16"].startswith("database: function `customer_label`")
    assert f"{BASE}:6" in places  # the view joins it


STRUCTURE = """--
-- PostgreSQL database dump
--
SET statement_timeout = 0;

CREATE FUNCTION public.refresh_search() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.search_text := to_tsvector('simple', coalesce(NEW.title, '') || ' ' || coalesce(NEW.summary, ''));
  RETURN NEW;
END
$$;

CREATE TABLE public.articles (
    id bigint NOT NULL,
    title character varying,
    summary text,
    search_text tsvector
);

CREATE VIEW public.recent_articles AS
 SELECT articles.id,
    articles.title
   FROM public.articles
  WHERE (articles.id > 100);

CREATE TRIGGER articles_search BEFORE INSERT OR UPDATE ON public.articles FOR EACH ROW EXECUTE FUNCTION public.refresh_search();
"""
ARTICLE = """class Article < ApplicationRecord
  validates :title, presence: true
end
"""


def test_a_rails_structure_dump_through_the_command_line(tmp_path: Path) -> None:
    """A Rails app whose schema is `db/structure.sql` (pg_dump): the trigger function in the dump reads the
    column a new Ruby migration drops."""
    (tmp_path / "db/migrate").mkdir(parents=True)
    (tmp_path / "app/models").mkdir(parents=True)
    (tmp_path / "db/structure.sql").write_text(STRUCTURE)
    (tmp_path / "app/models/article.rb").write_text(ARTICLE)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    git(tmp_path, "checkout", "-q", "-b", "feature")
    migration = tmp_path / "db/migrate/20260101000000_remove_summary_from_articles.rb"
    migration.write_text(
        "class RemoveSummaryFromArticles < ActiveRecord::Migration[7.1]\n"
        "  def change\n    remove_column :articles, :summary, :text\n  end\nend\n"
    )
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "drop summary")
    cli = str(Path(sys.executable).parent / "migration-review")
    done = subprocess.run(
        [cli, "review", "--repo", str(tmp_path), "--base", "main", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    finding = next(f for f in json.loads(done.stdout)["findings"] if f["rule"] == "column-dropped")
    assert finding["severity"] == "critical"
    assert [(r["path"], r["line"]) for r in finding["references"]] == [("db/structure.sql", 10)]
    assert "run by trigger `articles_search` on `articles`" in finding["references"][0]["kind"]
    # the view does not select summary: dropping title would name it, dropping summary does not
    assert "recent_articles" not in done.stdout


SCHEMA_RB = """ActiveRecord::Schema[7.1].define(version: 2026_01_01_000000) do
  enable_extension "plpgsql"

  create_table "orders", force: :cascade do |t|
    t.string "legacy_state"
    t.integer "total"
  end

  create_function :orders_touch, sql_definition: <<-'SQL'
      CREATE OR REPLACE FUNCTION public.orders_touch()
       RETURNS trigger
       LANGUAGE plpgsql
      AS $function$
      BEGIN
        NEW.total := coalesce(NEW.total, 0);
        RETURN NEW;
      END
      $function$
  SQL

  create_trigger :orders_touch, sql_definition: <<-SQL
      CREATE TRIGGER orders_touch BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION orders_touch()
  SQL

  create_view "open_orders", sql_definition: <<-SQL
      SELECT orders.id,
      orders.legacy_state
     FROM orders
    WHERE (orders.total > 0);
  SQL
end
"""


def test_scenic_views_and_fx_functions_in_a_rails_schema_rb(tmp_path: Path) -> None:
    (tmp_path / "db/migrate").mkdir(parents=True)
    (tmp_path / "db/schema.rb").write_text(SCHEMA_RB)
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "init")
    for column, line in (("legacy_state", 27), ("total", 15)):
        (tmp_path / f"db/migrate/20260201000000_remove_{column}.rb").write_text(
            f"class Remove{column.title().replace('_', '')} < ActiveRecord::Migration[7.1]\n"
            f"  def change\n    remove_column :orders, :{column}, :string\n  end\nend\n"
        )
        cli = str(Path(sys.executable).parent / "migration-review")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-q", "-m", f"drop {column}")
        done = subprocess.run(
            [cli, "review", "--repo", str(tmp_path), "--base", "HEAD~1", "--format", "json"],
            capture_output=True,
            text=True,
            check=False,
        )
        finding = next(f for f in json.loads(done.stdout)["findings"] if f["rule"] == "column-dropped")
        assert ("db/schema.rb", line) in [(r["path"], r["line"]) for r in finding["references"]], finding
        assert finding["severity"] == "critical"
