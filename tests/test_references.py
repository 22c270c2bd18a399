"""The code-reference search over small repository slices (tests/cases/refs_*) and in-memory trees."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.local.git import GitTree
from bot.model.changeset import DirectoryTree, MemoryTree
from bot.references.search import ReferenceIndex, Target, Use, search
from bot.references.word_finder import BACKENDS, WordFinder, available
from tests.conftest import git

CASES = Path(__file__).resolve().parent / "cases"

LEGACY_STATUS = Target("column", "orders", "legacy_status")
ORDER_STATUS = Target("column", "orders", "status")
LEGACY_INVOICES = Target("table", "legacy_invoices", "legacy_invoices")


def _search(case: str, *targets: Target, **options: object) -> ReferenceIndex:
    return search(DirectoryTree(CASES / case), targets, workers=1, **options)  # type: ignore[arg-type]


def _at(uses: tuple[Use, ...], place: str) -> Use:
    path, _, line = place.partition(":")
    return next(u for u in uses if u.path == path and u.line == int(line))


def _places(uses: tuple[Use, ...], confidence: str | None = None) -> set[str]:
    return {f"{u.path}:{u.line}" for u in uses if confidence is None or u.confidence == confidence}


def test_rails_dropped_column_still_read_by_a_job() -> None:
    uses = _search("refs_rails", LEGACY_STATUS).uses(LEGACY_STATUS)
    job = _at(uses, "app/jobs/nightly_export_job.rb:6")
    assert (job.area, job.confidence, job.access) == ("job", "high", "read")
    assert uses[0] == job  # the most severe area comes first
    assert _at(uses, "app/models/order.rb:12").area == "model"
    assert _at(uses, "spec/models/order_spec.rb:5").area == "test"
    assert _at(uses, "docs/exports.md:3").area == "doc"
    # the migration itself, the schema dump and vendored code are not searched
    assert not {u.path for u in uses} & {
        "db/migrate/20261102104500_remove_legacy_status.rb",
        "db/schema.rb",
        "vendor/gems/old/lib/old.rb",
    }
    # a method that merely contains the name is not a use
    assert "app/models/shipment.rb" not in {u.path for u in uses}


def test_same_named_column_of_another_table_is_low_confidence() -> None:
    uses = _search("refs_rails", ORDER_STATUS).uses(ORDER_STATUS)
    assert _places(uses, "high") == {
        "app/serializers/order_serializer.rb:2",
        "app/models/order.rb:5",
        "app/models/order.rb:8",
    }
    # a bare `status` in another model's class, a word other code uses too: not listed at all
    assert "app/models/shipment.rb:6" not in _places(uses)
    # `SELECT status FROM shipments`, read as SQL, is shipments' column: not listed at all
    assert "app/jobs/nightly_export_job.rb:8" not in _places(uses)
    assert "app/models/shipment.rb:4" not in _places(uses, "high") | _places(uses, "low")  # a comment


def test_rails_dropped_table_raw_sql_association_and_model() -> None:
    uses = _search("refs_rails", LEGACY_INVOICES).uses(LEGACY_INVOICES)
    areas = {f"{u.path}:{u.line}": u.area for u in uses if u.confidence == "high"}
    assert areas == {
        "app/controllers/reports_controller.rb:4": "raw-sql",
        "app/models/customer.rb:3": "association",
        "app/models/legacy_invoice.rb:1": "model",
        "lib/tasks/invoices.rake:3": "job",
    }


def test_rails_ignored_columns_is_a_safe_pattern() -> None:
    index = _search("refs_rails_ignored", LEGACY_STATUS)
    (use,) = index.uses(LEGACY_STATUS)
    assert use.safe == "ignored_columns" and not use.blocking


def test_django_renamed_column_still_written_by_a_serializer() -> None:
    target = Target("column", "shop_order", "customer_email", "email")
    index = _search("refs_django", target)
    uses = index.uses(target)
    write = _at(uses, "shop/serializers.py:12")
    assert (write.area, write.confidence, write.access) == ("serializer", "high", "write")
    assert _at(uses, "shop/serializers.py:9").confidence == "high"
    lookup = _at(uses, "shop/tasks.py:8")
    assert (lookup.area, lookup.access) == ("job", "read")  # customer_email__isnull
    assert _places(uses, "low") >= {"billing/models.py:9"}
    assert "billing/models.py:5" not in _places(uses, "low")  # the field of Invoice's own table
    assert "shop/views.py:5" not in _places(uses, "low") | _places(uses, "high")  # a comment
    assert "shop/migrations/0007_rename_customer_email.py" not in {u.path for u in uses}
    assert _at(index.new_uses(target), "shop/models.py:5").access == "write"
    assert [m[1:] for m in index.models("shop_order")] == [("Order", "shop/models.py", 4)]


def test_sqlalchemy_dropped_table_raw_sql_and_a_class_mapped_by_tablename() -> None:
    index = _search("refs_sqlalchemy", LEGACY_INVOICES)
    uses = index.uses(LEGACY_INVOICES)
    assert _at(uses, "app/reports/monthly.py:6").area == "raw-sql"
    # `OldBill` is found only through `__tablename__`, then searched for
    assert _at(uses, "app/services/billing.py:5").confidence == "high"
    assert _at(uses, "app/models.py:12").area == "association"
    assert "app/reports/monthly.py:12" not in _places(uses)  # FROM invoices
    assert "alembic/versions/9f1_drop_legacy_invoices.py" not in {u.path for u in uses}
    assert ("legacy_invoices", "OldBill", "app/models.py", 16) in index.models("legacy_invoices")


def test_prisma_dropped_column_read_by_a_typescript_job_in_camel_case() -> None:
    index = _search("refs_prisma", LEGACY_STATUS)
    uses = index.uses(LEGACY_STATUS)
    assert _places(uses, "high") == {
        "src/jobs/exportOrders.ts:4",
        "src/jobs/exportOrders.ts:5",
        "prisma/schema.prisma:4",
    }
    assert _at(uses, "src/jobs/exportOrders.ts:5").area == "job"
    assert "prisma/migrations/20261102_drop/migration.sql" not in {u.path for u in uses}


def test_prisma_same_named_field_of_another_model_is_not_listed() -> None:
    target = Target("column", "shipments", "status")
    uses = _search("refs_prisma", target).uses(target)
    assert _at(uses, "prisma/schema.prisma:11").confidence == "high"
    assert "prisma/schema.prisma:3" not in _places(uses)  # Order's own `status`


def test_go_association_left_on_a_model() -> None:
    target = Target("table", "coupons", "coupons")
    uses = _search("refs_go", target).uses(target)
    assert _at(uses, "internal/models/order.go:7").area == "association"
    assert _at(uses, "internal/report/redeemed.go:3").area == "raw-sql"
    assert "db/migrations/000009_drop_coupons.up.sql" not in {u.path for u in uses}


def test_excludes_and_skipped_paths() -> None:
    index = _search(
        "refs_rails", LEGACY_STATUS, exclude=["docs/", "*_spec.rb"], skip_paths=["app/models/order.rb"]
    )
    assert {u.path for u in index.uses(LEGACY_STATUS)} == {"app/jobs/nightly_export_job.rb"}


def test_directory_memory_and_parallel_searches_agree() -> None:
    root = CASES / "refs_rails"
    files = {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}
    targets = (LEGACY_STATUS, ORDER_STATUS, LEGACY_INVOICES)
    one = search(DirectoryTree(root), targets, workers=1)
    two = search(DirectoryTree(root), targets, workers=2)
    memory = search(MemoryTree(files), targets)
    for target in targets:
        assert one.uses(target) == two.uses(target) == memory.uses(target)
    assert one.files == two.files == memory.files


@pytest.mark.parametrize("backend", [b for b in BACKENDS if available(b)])
def test_word_finder_backends(backend: str) -> None:
    finder = WordFinder(["status", "legacy_status", "Order"], backend)
    text = "é Order.legacy_status; status\n"
    found = sorted(finder.in_text(text))
    assert (2, "Order") in found and (8, "legacy_status") in found and (23, "status") in found


def test_binary_huge_and_generated_files_are_skipped() -> None:
    tree = MemoryTree(
        {
            "app/a.rb": "x.legacy_status\n",
            "app/b.rb": "legacy_status\0binary",
            "app/c.rb": "legacy_status " * 100_000,
            "public/app.min.js": "legacy_status",
            "node_modules/x/index.js": "legacy_status",
            "logo.png": "legacy_status",
        }
    )
    index = search(tree, [LEGACY_STATUS])
    assert [u.path for u in index.uses(LEGACY_STATUS)] == ["app/a.rb"]


def test_orm_spellings_count_and_lookalikes_do_not() -> None:
    tree = MemoryTree(
        {
            "app/models/order.rb": (
                "class Order < ApplicationRecord\n"
                "  before_save :x, if: :legacy_status_changed?\n"
                "  def a = Order.find_by_legacy_status('x')\n"
                "  def b = legacy_status_code\n"
                "  def c = my_legacy_status\n"
                "end\n"
            ),
        }
    )
    uses = search(tree, [LEGACY_STATUS]).uses(LEGACY_STATUS)
    assert [u.line for u in uses] == [2, 3]


def test_feature_flags_and_writes_are_noted() -> None:
    target = Target("column", "orders", "status", "state_id")
    tree = MemoryTree(
        {
            "app/services/checkout.rb": (
                "class Checkout\n"
                "  def call(order)\n"
                "    if Flipper.enabled?(:order_state_v2, order.customer)\n"
                "      order.state_id = 3\n"
                "    end\n"
                "    order.update!(status: 'paid')\n"
                "  end\n"
                "end\n"
            ),
        }
    )
    index = search(tree, [target])
    (new,) = index.new_uses(target)
    assert (new.access, new.flag) == ("write", "Flipper `order_state_v2`")
    (old,) = index.uses(target)
    assert old.access == "write"
    assert any("order_state_v2" in note for note in index.notes())
    assert index.flags() == (("Flipper `order_state_v2`", "app/services/checkout.rb", 4),)


def test_uses_the_change_deletes_are_told_apart() -> None:
    tree = MemoryTree({"app/models/order.rb": "class Order < ApplicationRecord\nend\n"})
    before = {
        "app/models/order.rb": "class Order < ApplicationRecord\n  def x = legacy_status\nend\n",
        "app/jobs/old_export_job.rb": "class OldExportJob < ApplicationJob\n  def perform = Order.pluck(:legacy_status)\nend\n",
    }
    index = search(tree, [LEGACY_STATUS], before=before)
    assert index.uses(LEGACY_STATUS) == ()
    assert _places(index.removed_uses(LEGACY_STATUS)) == {
        "app/models/order.rb:2",
        "app/jobs/old_export_job.rb:2",
    }


def test_index_and_constraint_names() -> None:
    target = Target("index", "orders", "index_orders_on_number")
    tree = MemoryTree(
        {
            "app/models/order.rb": "class Order\n  def up = upsert_all(rows, unique_by: :index_orders_on_number)\nend\n"
        }
    )
    (use,) = search(tree, [target]).uses(target)
    assert use.confidence == "high"


def test_an_empty_search() -> None:
    index = search(MemoryTree({"a.rb": "x"}), [])
    assert index.uses(LEGACY_STATUS) == () and not index.searched(LEGACY_STATUS)


def test_a_class_named_like_the_model_counts_only_where_a_model_is_defined() -> None:
    target = Target("table", "sessions", "sessions")
    client = "import requests\n\nhttp = requests.Session()\n"
    without = search(MemoryTree({"lib/client.py": client}), [target]).uses(target)
    assert [u.confidence for u in without] == ["low"]
    model = "class Session < ApplicationRecord\nend\n"
    job = "class PurgeJob < ApplicationJob\n  def perform = Session.where(expired: true).delete_all\nend\n"
    tree = MemoryTree({"app/models/session.rb": model, "app/jobs/purge_job.rb": job})
    assert _places(search(tree, [target]).uses(target), "high") == {
        "app/models/session.rb:1",
        "app/jobs/purge_job.rb:2",
    }


def test_an_association_left_on_a_model_uses_its_foreign_key_column() -> None:
    target = Target("column", "orders", "customer_id")
    tree = MemoryTree(
        {
            "app/models/order.rb": "class Order < ApplicationRecord\n  belongs_to :customer\nend\n",
            "app/models/invoice.rb": "class Invoice < ApplicationRecord\n  belongs_to :customer\nend\n",
            "shop/models.py": (
                "class Order(models.Model):\n"
                "    customer = models.ForeignKey(Customer, on_delete=models.CASCADE)\n"
                "    def label(self):\n"
                "        return self.customer.name\n"
            ),
        }
    )
    uses = search(tree, [target]).uses(target)
    assert _places(uses, "high") == {"app/models/order.rb:2", "shop/models.py:2"}
    assert _at(uses, "app/models/invoice.rb:2").confidence == "low"
    assert {u.area for u in uses} == {"association"}


def test_a_git_commit_is_searched_like_a_directory(tmp_path: Path) -> None:
    root = CASES / "refs_rails"
    for path in root.rglob("*"):
        if path.is_file():
            target = tmp_path / path.relative_to(root)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(path.read_text())
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "slice")
    from_git = search(GitTree(tmp_path, "HEAD"), [LEGACY_STATUS])
    assert from_git.uses(LEGACY_STATUS) == _search("refs_rails", LEGACY_STATUS).uses(LEGACY_STATUS)


def test_a_git_tree_answers_for_a_path_it_does_not_have_from_its_listing(tmp_path: Path) -> None:
    """Once the commit's files are listed, a path not among them reads as missing without asking git (the
    readers look for many files that may not exist: a module's `index.ts`, a settings file)."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "models.py").write_text("class Order: ...\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "one file")
    tree = GitTree(tmp_path, "HEAD")
    assert tree.read("app/other.py") is None  # before the listing: asked of git
    assert list(tree.paths()) == ["app/models.py"]
    assert tree.read("app/missing.py") is None and tree.read("app") is None
    assert tree.read("app/models.py") == "class Order: ...\n"


@pytest.mark.parametrize(("table", "model"), [("markers", "Marker"), ("panels", "Panel")])
def test_a_stimulus_target_or_data_attribute_named_like_a_table_is_no_use(table: str, model: str) -> None:
    target = Target("table", table, table)
    markup = {
        "app/javascript/controllers/map_controller.js": "import { Controller } from '@hotwired/stimulus';\n\n"
        f"export default class extends Controller {{\n  static targets = ['{table[:-1]}', '{table}'];\n}}\n",
        "app/components/map_component.html.slim": f'.{table} data-map-target="{table}"\n',
        "app/views/maps/show.html.erb": f'<div data-controller="map" data-map-target="{table}"></div>\n',
    }
    assert _places(search(MemoryTree(markup), [target], workers=1).uses(target)) == set()
    used = {
        **markup,
        "app/services/cleanup.rb": f'class Cleanup\n  def run\n    {model}.connection.execute("DELETE FROM {table}")\n  end\nend\n',
    }
    assert _places(search(MemoryTree(used), [target], workers=1).uses(target)) == {
        "app/services/cleanup.rb:3"
    }


UPSERT_CODE = {
    "sql": 'cur.execute("INSERT INTO {t} ({c}, owner_id) VALUES (%s, %s) ON CONFLICT ({c}) DO NOTHING", (v, o))\n',
    "rails": "{m}.upsert({{ {c}: value }}, unique_by: :{c})\n",
    "knex": "await db('{t}').insert({{ {c}: value }}).onConflict('{c}').merge();\n",
    "mysql": 'cur.execute("INSERT INTO {t} ({c}) VALUES (%s) on duplicate key update {c} = VALUES({c})", (v,))\n',
}


@pytest.mark.parametrize(("table", "column"), [("tags", "label"), ("devices", "token")])
@pytest.mark.parametrize("language", sorted(UPSERT_CODE))
def test_a_column_searched_only_where_code_upserts(table: str, column: str, language: str) -> None:
    """The column of a dropped unique key the change keeps: its uses outside upserting files are not looked for."""
    model = table[:-1].capitalize()
    upsert = UPSERT_CODE[language].format(t=table, c=column, m=model)
    suffix = {"rails": "rb", "knex": "js"}.get(language, "py")
    files = {
        f"app/store.{suffix}": f"# {table}\n{upsert}",
        "app/report.py": f'rows = cur.execute("SELECT {column} FROM {table} WHERE owner_id = %s", (o,))\n',
    }
    only = Target("column", table, column, upserts_only=True)
    everywhere = Target("column", table, column)
    found = search(MemoryTree(files), [only], workers=1).uses(only)
    assert _places(found) == {f"app/store.{suffix}:2"}
    assert _places(search(MemoryTree(files), [everywhere], workers=1).uses(everywhere)) >= {
        f"app/store.{suffix}:2",
        "app/report.py:1",
    }
