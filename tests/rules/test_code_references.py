"""The code-references rules end to end: a migration in a pull request, the code of its head tree."""

from __future__ import annotations

import pytest

from bot.model.changeset import ChangedFile, ChangeSet, MemoryTree
from bot.model.findings import Finding, Review, Severity
from bot.review import review
from tests.conftest import review_sql

DROP = "ALTER TABLE orders DROP COLUMN legacy_status;"
DROP_PATH = "db/migrations/000004_remove_legacy_status.up.sql"
ORDER_RB = "class Order < ApplicationRecord\n  belongs_to :customer\nend\n"
JOB_RB = (
    "class NightlyExportJob < ApplicationJob\n"
    "  def perform\n"
    "    Order.find_each do |order|\n"
    "      Exporter.push(order.id, order.legacy_status)\n"
    "    end\n"
    "  end\n"
    "end\n"
)


def _finding(result: Review, rule: str) -> Finding:
    return next(f for f in result.findings if f.rule == rule)


def test_dropped_column_still_read_by_a_job_is_critical() -> None:
    result = review_sql(
        DROP, path=DROP_PATH, base={"app/models/order.rb": ORDER_RB, "app/jobs/export_job.rb": JOB_RB}
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL
    assert "while 1 place in the code still uses it" in finding.message
    assert "What fails first: `app/jobs/export_job.rb:4`" in finding.blast_radius
    assert "the job fails from its first run" in finding.blast_radius
    assert [(r.path, r.line, r.kind) for r in finding.references] == [("app/jobs/export_job.rb", 4, "job")]
    assert 'self.ignored_columns += ["legacy_status"]' in finding.fix and "`Order`" in finding.fix
    assert result.approval == "BLOCKED"


def test_dropped_column_used_only_by_tests_and_docs_is_informational() -> None:
    base = {
        "spec/models/order_spec.rb": "it { expect(order.legacy_status).to be_nil }\n",
        "docs/orders.md": "`legacy_status` is deprecated.\n",
    }
    finding = _finding(review_sql(DROP, path=DROP_PATH, base=base), "column-dropped")
    assert finding.severity is Severity.INFO
    assert "1 test, 1 doc" in finding.blast_radius


def test_dropped_column_without_any_use_keeps_the_default() -> None:
    finding = _finding(
        review_sql(DROP, path=DROP_PATH, base={"app/models/order.rb": ORDER_RB}), "column-dropped"
    )
    assert finding.severity is Severity.WARNING
    assert "no code references were found" in finding.blast_radius


def test_a_mention_in_the_migration_or_an_old_migration_is_not_a_use() -> None:
    sql = "-- legacy_status is replaced by state_id\n" + DROP
    base = {"db/migrations/000002_create_orders.up.sql": "CREATE TABLE orders (id int, legacy_status text);"}
    finding = _finding(review_sql(sql, path=DROP_PATH, base=base), "column-dropped")
    assert finding.references == () and "no code references were found" in finding.blast_radius


def test_ignored_columns_makes_the_drop_informational() -> None:
    model = 'class Order < ApplicationRecord\n  self.ignored_columns += ["legacy_status"]\nend\n'
    finding = _finding(
        review_sql(DROP, path=DROP_PATH, base={"app/models/order.rb": model}), "column-dropped"
    )
    assert finding.severity is Severity.INFO
    assert "already ignores it" in finding.message


def test_django_field_already_removed_from_the_model_is_informational() -> None:
    models = (
        "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n"
    )
    sql = "ALTER TABLE shop_order DROP COLUMN legacy_status;"
    finding = _finding(review_sql(sql, path=DROP_PATH, base={"shop/models.py": models}), "column-dropped")
    assert finding.severity is Severity.INFO
    assert "the model `Order` (`shop/models.py:4`) no longer declares it" in finding.message


def test_same_named_column_of_another_table_does_not_block() -> None:
    base = {
        "app/models/shipment.rb": "class Shipment < ApplicationRecord\n  def done? = status == 'done'\nend\n",
        "app/queries/late.rb": "LATE = \"SELECT id FROM shipments WHERE status = 'late'\"\n",
    }
    finding = _finding(
        review_sql("ALTER TABLE orders DROP COLUMN status;", path=DROP_PATH, base=base), "column-dropped"
    )
    assert finding.severity is not Severity.CRITICAL
    # the query, read as SQL, selects shipments.status; a bare `status` in Shipment's class is Shipment's:
    # neither is listed
    assert finding.references == ()
    assert "no code references were found" in finding.blast_radius


def test_uses_only_in_code_the_change_deletes_still_run_during_the_deploy() -> None:
    base = {"app/models/order.rb": ORDER_RB, "app/jobs/export_job.rb": JOB_RB}
    head = {"app/models/order.rb": ORDER_RB, DROP_PATH: DROP}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(
            ChangedFile(DROP_PATH, "added", None, DROP),
            ChangedFile("app/jobs/export_job.rb", "removed", JOB_RB, None),
        ),
        head_tree=MemoryTree(head),
        base_tree=MemoryTree(base),
    )
    finding = _finding(review(changeset), "column-dropped")
    # no code of the new release uses it, but the release running during the deploy is the old code
    assert finding.severity is Severity.WARNING
    assert "this change removes the last 1 use (`app/jobs/export_job.rb:4`)" in finding.blast_radius
    assert "`app/jobs/export_job.rb:4`" in finding.message and "running during the deploy" in finding.message


def test_renamed_column_still_written_by_a_serializer() -> None:
    serializer = (
        "class OrderSerializer(serializers.ModelSerializer):\n"
        "    def create(self, data):\n"
        "        return Order.objects.create(customer_email=data['email'])\n"
    )
    sql = "ALTER TABLE orders RENAME COLUMN customer_email TO email;"
    finding = _finding(review_sql(sql, base={"shop/serializers.py": serializer}), "column-renamed")
    assert finding.severity is Severity.CRITICAL
    assert "still uses `customer_email`" in finding.message
    assert finding.references[0].kind == "serializer"


def test_rename_that_keeps_the_old_name_in_a_view_is_informational() -> None:
    sql = (
        "ALTER TABLE orders RENAME COLUMN customer_email TO email;\n"
        "CREATE VIEW orders_v1 AS SELECT id, email AS customer_email FROM orders;"
    )
    base = {
        "app/jobs/mail_job.rb": "class MailJob < ApplicationJob\n  def perform(o) = o.customer_email\nend\n"
    }
    finding = _finding(review_sql(sql, base=base), "column-renamed")
    assert finding.severity is Severity.INFO and "a view keeps the old name" in finding.message


def test_dropped_table_still_queried_by_raw_sql() -> None:
    base = {
        "app/reports/monthly.py": 'MONTHLY = "SELECT number FROM legacy_invoices WHERE paid"\n',
        "app/models/customer.rb": "class Customer < ApplicationRecord\n  has_many :legacy_invoices\nend\n",
    }
    finding = _finding(review_sql("DROP TABLE legacy_invoices;", base=base), "table-dropped")
    assert finding.severity is Severity.CRITICAL
    assert {r.kind for r in finding.references} == {"raw-sql", "association"}
    assert "1 raw SQL query, 1 association" in finding.blast_radius


def test_renamed_table_still_used_by_an_association() -> None:
    base = {"app/models/customer.rb": "class Customer < ApplicationRecord\n  has_many :invoices\nend\n"}
    finding = _finding(review_sql("ALTER TABLE invoices RENAME TO bills;", base=base), "table-renamed")
    assert finding.severity is Severity.CRITICAL and finding.references[0].kind == "association"


BACKFILL = (
    "ALTER TABLE orders ADD COLUMN state_id integer;\n"
    "UPDATE orders SET state_id = CASE status WHEN 'paid' THEN 2 ELSE 1 END;"
)


def test_expand_step_with_writes_to_the_old_column_only() -> None:
    service = "class Checkout\n  def call(order)\n    order.update!(status: 'paid')\n  end\nend\n"
    finding = _finding(
        review_sql(BACKFILL, base={"app/services/checkout.rb": service}), "dual-write-incomplete"
    )
    assert "the code writes only `status` (`app/services/checkout.rb:3`)" in finding.blast_radius


def test_expand_step_with_dual_writes_behind_a_flag() -> None:
    service = (
        "class Checkout\n"
        "  def call(order)\n"
        "    order.status = 'paid'\n"
        "    order.state_id = 2 if Flipper.enabled?(:order_state_v2)\n"
        "    order.save!\n"
        "  end\n"
        "end\n"
    )
    result = review_sql(BACKFILL, base={"app/services/checkout.rb": service})
    assert "dual-write-incomplete" not in {f.rule for f in result.findings}
    assert any("Flipper `order_state_v2`" in note for note in result.notes)


RAILS_DROP = """class RemoveLegacyStatus < ActiveRecord::Migration[7.1]
  # legacy_status was replaced by state_id
  def change
    remove_column :orders, :legacy_status, :string
  end
end
"""


def test_rails_migration_dropping_a_column_a_job_reads() -> None:
    base = {"app/models/order.rb": ORDER_RB, "app/jobs/export_job.rb": JOB_RB}
    result = review_sql(RAILS_DROP, path="db/migrate/20261102104500_remove_legacy_status.rb", base=base)
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL
    assert [r.path for r in finding.references] == ["app/jobs/export_job.rb"]


DJANGO_REMOVE = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0006_order_state")]
    operations = [migrations.RemoveField(model_name="order", name="legacy_status")]
"""
DJANGO_MODELS = (
    "from django.db import models\n\n\nclass Order(models.Model):\n    total = models.IntegerField()\n"
)


def test_django_remove_field_still_read_by_a_celery_task() -> None:
    task = "@shared_task\ndef export():\n    for order in Order.objects.all():\n        push(order.legacy_status)\n"
    base = {"shop/models.py": DJANGO_MODELS, "shop/tasks.py": task}
    result = review_sql(DJANGO_REMOVE, path="shop/migrations/0007_remove_order_legacy_status.py", base=base)
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.CRITICAL and finding.references[0].kind == "job"


def test_django_remove_field_after_the_field_left_the_model_is_informational() -> None:
    result = review_sql(
        DJANGO_REMOVE,
        path="shop/migrations/0007_remove_order_legacy_status.py",
        base={"shop/models.py": DJANGO_MODELS},
    )
    finding = _finding(result, "column-dropped")
    assert finding.severity is Severity.INFO and "no longer declares it" in finding.message


def test_django_state_only_removal_drops_nothing() -> None:
    state_only = DJANGO_REMOVE.replace(
        'operations = [migrations.RemoveField(model_name="order", name="legacy_status")]',
        "operations = [\n        migrations.SeparateDatabaseAndState(\n"
        '            state_operations=[migrations.RemoveField(model_name="order", name="legacy_status")],\n'
        "            database_operations=[],\n        )\n    ]",
    )
    result = review_sql(state_only, path="shop/migrations/0007_remove_order_legacy_status.py")
    assert "column-dropped" not in {f.rule for f in result.findings}


def test_alembic_drop_table_still_queried_by_raw_sql() -> None:
    migration = (
        '"""drop legacy invoices"""\nfrom alembic import op\n\nrevision = "9f1"\ndown_revision = "9f0"\n\n\n'
        'def upgrade():\n    op.drop_table("legacy_invoices")\n\n\ndef downgrade():\n    pass\n'
    )
    report = 'MONTHLY = text("SELECT number FROM legacy_invoices WHERE created_at >= :start")\n'
    result = review_sql(
        migration,
        path="alembic/versions/9f1_drop_legacy_invoices.py",
        base={"app/reports/monthly.py": report},
    )
    finding = _finding(result, "table-dropped")
    assert finding.severity is Severity.CRITICAL and finding.references[0].kind == "raw-sql"


def test_renamed_enum_value_still_written_by_a_job() -> None:
    job = (
        "class ExpireOrdersJob < ApplicationJob\n"
        "  def perform\n"
        "    Order.where(status: 'pending').update_all(status: 'canceled')\n"
        "  end\n"
        "end\n"
    )
    sql = "ALTER TYPE order_status RENAME VALUE 'canceled' TO 'cancelled';"
    finding = _finding(review_sql(sql, base={"app/jobs/expire_orders_job.rb": job}), "enum-value-renamed")
    assert finding.severity is Severity.CRITICAL
    assert [(r.path, r.line, r.kind) for r in finding.references] == [
        ("app/jobs/expire_orders_job.rb", 3, "job")
    ]


def test_expand_step_without_any_write_found_is_informational() -> None:
    model = 'class Order:\n    def __init__(self, row):\n        self.status = row["status"]\n'
    finding = _finding(review_sql(BACKFILL, base={"app/models/order.py": model}), "dual-write-incomplete")
    assert finding.severity is Severity.INFO and "no code writes it" in finding.blast_radius


def test_a_flag_found_in_the_code_becomes_the_first_rollback_step() -> None:
    job = (
        "class ExportJob\n  def perform\n    if Flipper.enabled?(:new_export)\n"
        "      Order.pluck(:legacy_status)\n    end\n  end\nend\n"
    )
    result = review_sql(
        "ALTER TABLE orders DROP COLUMN legacy_status;",
        base={"app/jobs/export_job.rb": job, "app/models/order.rb": "class Order < ApplicationRecord\nend\n"},
    )
    steps = [step.text for step in result.rollback_plan]
    flag_step = next(i for i, text in enumerate(steps) if "`new_export` off" in text)
    revert_step = next(i for i, text in enumerate(steps) if text.startswith("Revert the application"))
    assert flag_step < revert_step
    assert sum("new_export" in note for note in result.notes) == 1


def test_a_table_dropped_and_created_again_still_loses_its_rows() -> None:
    base = {"db/migrations/0001_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY, state text);"}
    sql = "DROP TABLE orders;\nCREATE TABLE orders (id bigint PRIMARY KEY, state_id integer);"
    result = review_sql(sql, path="db/migrations/0002_rebuild.sql", base=base)
    assert any(f.rule == "table-dropped" and f.line == 1 for f in result.active)
    fresh = review_sql(
        "CREATE TABLE audit (id bigint);\nDROP TABLE audit;", path="db/migrations/0002_tmp.sql", base=base
    )
    assert not any(f.rule == "table-dropped" for f in fresh.active)


def test_a_sqlite_style_rebuild_of_a_column_is_neither_a_drop_nor_a_rename() -> None:
    rebuild = (
        "CREATE TABLE codes (id int PRIMARY KEY, address_type varchar(16));\n-- migration\n"
        "ALTER TABLE codes ADD COLUMN address_type_old VARCHAR(36);\n"
        "UPDATE codes SET address_type_old = address_type;\n"
        "ALTER TABLE codes DROP COLUMN address_type;\n"
        "ALTER TABLE codes RENAME COLUMN address_type_old TO address_type;\n"
    )
    code = {"internal/codes.go": "const q = `SELECT address_type FROM codes WHERE id = $1`\n"}
    result = review_sql(rebuild, path="migrations/0002_rebuild.sql", base=code)
    assert not [f for f in result.findings if f.rule in ("column-dropped", "column-renamed")]
    plain = review_sql(
        rebuild.split("-- migration")[0] + "-- migration\nALTER TABLE codes DROP COLUMN address_type;\n",
        path="migrations/0002_drop.sql",
        base=code,
    )
    assert [f.severity for f in plain.findings if f.rule == "column-dropped"] == [Severity.CRITICAL]


REPLACED = [
    ("task_runs", "task_name", "kind"),
    ("import_batches", "file_label", "source"),
]


def _replaced_review(table: str, lost: str, kept: str, code: str):  # type: ignore[no-untyped-def]
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {lost} text, {kept} text);\n-- migration\n"
    change = (
        f"DROP TABLE {table};\nCREATE TABLE {table} (id bigint PRIMARY KEY, {kept} text, payload jsonb);\n"
    )
    return review_sql(schema + change, base={"app/reports/tasks.py": code})


def test_a_table_dropped_and_created_again_loses_its_rows_and_the_columns_it_no_longer_has() -> None:
    for table, lost, kept in REPLACED:
        code = f'REPORT = "SELECT {lost}, {kept} FROM {table} WHERE id = %s"\n'
        finding = _finding(_replaced_review(table, lost, kept, code), "table-dropped")
        assert finding.severity is Severity.CRITICAL, finding
        assert "created again" in finding.message and f"`{lost}`" in finding.message
        assert f"`{kept}`" not in finding.message
        assert finding.references and all(r.path == "app/reports/tasks.py" for r in finding.references)


def test_a_table_created_again_with_every_column_the_code_uses_is_a_warning_about_its_rows() -> None:
    for table, lost, kept in REPLACED:
        code = f'REPORT = "SELECT {kept} FROM {table} WHERE id = %s"\n'
        finding = _finding(_replaced_review(table, lost, kept, code), "table-dropped")
        assert finding.severity is Severity.WARNING and "every row it holds is lost" in finding.message
        assert not finding.references


def _api_kept(column: str, declaration: str, extra: dict[str, str]):  # type: ignore[no-untyped-def]
    remove = DJANGO_REMOVE.replace("legacy_status", column)
    serializer = (
        "from rest_framework import serializers\n\nfrom shop.models import Order\n\n\n"
        "class OrderSerializer(serializers.ModelSerializer):\n"
        f"    {column} = {declaration}\n\n"
        "    class Meta:\n        model = Order\n"
        f'        fields = ("id", "total", "{column}")\n'
    )
    front = f"export interface Order {{\n  id: number\n  {column}?: string\n}}\n"
    base = {
        "shop/models.py": DJANGO_MODELS,
        "shop/serializers.py": serializer,
        "web/src/order.ts": front,
        **extra,
    }
    return review_sql(remove, path=f"shop/migrations/0007_remove_order_{column}.py", base=base)


def test_a_field_the_api_computes_keeps_the_front_ends_uses_working() -> None:
    for column, declaration in [
        ("legacy_status", "serializers.SerializerMethodField()"),
        (
            "display_label",
            'serializers.CharField(\n        source="label_v2",\n        read_only=True,\n    )',
        ),
    ]:
        finding = _finding(_api_kept(column, declaration, {}), "column-dropped")
        assert all("safe: the API's computed field" in r.kind for r in finding.references), finding
        assert finding.severity is not Severity.CRITICAL
        task = f"@shared_task\ndef export():\n    for order in Order.objects.all():\n        push(order.{column})\n"
        still = _finding(_api_kept(column, declaration, {"shop/tasks.py": task}), "column-dropped")
        blocking = [r.path for r in still.references if "safe" not in r.kind]
        assert still.severity is Severity.CRITICAL and blocking == ["shop/tasks.py"], still.references


def test_a_field_the_serializer_reads_from_the_column_is_a_use() -> None:
    for column in ("legacy_status", "display_label"):
        finding = _finding(_api_kept(column, "serializers.CharField(read_only=True)", {}), "column-dropped")
        assert finding.severity is Severity.CRITICAL
        assert {r.path for r in finding.references} >= {"shop/serializers.py"}


RELATIONS = [
    (
        "app/Models/Activity.php",
        "<?php\nclass Activity extends Model\n{\n    public function permissions()\n    {\n"
        "        return $this->hasMany(JointPermission::class, '{column}', 'loggable_id');\n    }\n}\n",
        "<?php\nclass Activity extends Model\n{\n    public function owner()\n    {\n"
        "        return $this->belongsTo(User::class, '{column}');\n    }\n}\n",
    ),
    (
        "app/models/activity.rb",
        "class Activity < ApplicationRecord\n  has_many :joint_permissions, foreign_key: :{column}\nend\n",
        "class Activity < ApplicationRecord\n  belongs_to :owner, foreign_key: :{column}\nend\n",
    ),
]


def test_a_has_many_relation_names_the_related_tables_key_not_this_tables_column() -> None:
    for column in ("entity_id", "subject_ref"):
        sql = f"ALTER TABLE activities RENAME COLUMN {column} TO loggable_id;"
        for path, has_many, belongs_to in RELATIONS:
            quiet = _finding(
                review_sql(sql, base={path: has_many.replace("{column}", column)}), "column-renamed"
            )
            assert quiet.severity is Severity.INFO, (path, quiet)
            loud = _finding(
                review_sql(sql, base={path: belongs_to.replace("{column}", column)}), "column-renamed"
            )
            assert loud.severity is Severity.CRITICAL, (path, loud)


def test_a_name_imported_from_a_module_is_not_the_column() -> None:
    for column in ("permissions", "settings"):
        sql = f'CREATE TABLE "Access" ("id" text PRIMARY KEY, "{column}" text[]);\n-- migration\n'
        sql += f'ALTER TABLE "Access" DROP COLUMN "{column}";\n'
        controller = (
            f"import {{ {column} }} from '@app/common/{column}';\n"
            f"import {{ hasPermission, {column} as granted }} from '@app/common/{column}';\n"
            "export class AccessController {}\n"
        )
        finding = _finding(
            review_sql(sql, base={"apps/api/src/access.controller.ts": controller}), "column-dropped"
        )
        assert finding.severity is not Severity.CRITICAL, finding
        reader = f"export function show(access: Access) {{\n  return access.{column};\n}}\n"
        finding = _finding(review_sql(sql, base={"apps/api/src/access.service.ts": reader}), "column-dropped")
        assert finding.severity is Severity.CRITICAL


def test_a_table_created_again_whose_lost_columns_only_tests_name_is_a_warning() -> None:
    for table, lost, kept in REPLACED:
        test = f'def test_report(client):\n    assert client.get("/r").json()[0]["{lost}"] == "x"\n'
        schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {lost} text, {kept} text);\n-- migration\n"
        change = f"DROP TABLE {table};\nCREATE TABLE {table} (id bigint PRIMARY KEY, {kept} text);\n"
        result = review_sql(schema + change, base={"tests/test_reports.py": test})
        assert _finding(result, "table-dropped").severity is Severity.WARNING


JPA_ENTITY = """package org.example.model;

import jakarta.persistence.*;

@Entity
@Table(name = "{table}")
public class {cls} {{
    @Id
    private Long id;

    @ManyToOne(fetch = FetchType.LAZY)
    @JoinColumn(name = "{join}", nullable = false)
    private {cls} {field};
}}
"""


@pytest.mark.parametrize(
    ("table", "cls", "field", "old", "new"),
    [
        ("sp_rollout_group", "JpaRolloutGroup", "parent", "parent_id", "parent"),
        ("sp_ds_metadata", "JpaDistributionSetMetadata", "ds", "ds_id", "ds"),
    ],
)
def test_a_join_column_that_names_the_new_column_is_no_use_of_the_old_one(
    table: str, cls: str, field: str, old: str, new: str
) -> None:
    folder = "src/main/resources/db/migration"
    base_sql = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} bigint);"
    path = f"src/main/java/org/example/model/{cls}.java"
    base = {
        f"{folder}/V1__init.sql": base_sql,
        path: JPA_ENTITY.format(table=table, cls=cls, field=field, join=old),
    }
    rename = f"ALTER TABLE {table} RENAME COLUMN {old} TO {new};"
    updated = review_sql(
        rename,
        path=f"{folder}/V2__rename.sql",
        base=base,
        head={path: JPA_ENTITY.format(table=table, cls=cls, field=field, join=new)},
    )
    finding = _finding(updated, "column-renamed")
    assert finding.severity is not Severity.CRITICAL, finding.message
    stale = review_sql(rename, path=f"{folder}/V2__rename.sql", base=base)
    assert (
        _finding(stale, "column-renamed").severity is Severity.CRITICAL
    )  # the entity still names the old column


JPA_JOIN_TABLE = """package org.example.model;

import jakarta.persistence.*;
import java.util.Set;

@Entity
@Table(name = "{table}")
public class {cls} {{
    @Id
    private Long id;

    @ManyToMany
    @JoinTable(
            name = "{join_table}",
            joinColumns = {{
                    @JoinColumn(
                            name = "{column}", nullable = false) }},
            inverseJoinColumns = {{ @JoinColumn(name = "other_id", nullable = false) }})
    private Set<Object> others;
}}
"""


@pytest.mark.parametrize(
    ("table", "cls", "join_table", "column"),
    [
        ("sp_distribution_set", "JpaDistributionSet", "sp_ds_sm", "ds_id"),
        ("orders", "Order", "order_tags", "order_id"),
    ],
)
def test_a_join_tables_column_is_no_use_of_the_entity_tables_column(
    table: str, cls: str, join_table: str, column: str
) -> None:
    folder = "src/main/resources/db/migration"
    base = {
        f"{folder}/V1__init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint);",
        f"src/main/java/org/example/model/{cls}.java": JPA_JOIN_TABLE.format(
            table=table, cls=cls, join_table=join_table, column=column
        ),
    }
    result = review_sql(
        f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_kind;", path=f"{folder}/V2__r.sql", base=base
    )
    finding = _finding(result, "column-renamed")
    assert finding.severity is not Severity.CRITICAL, [(r.path, r.line) for r in finding.references]
    own = base[f"src/main/java/org/example/model/{cls}.java"].replace(
        f'name = "{join_table}"', f'name = "{table}"'
    )
    same = review_sql(
        f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_kind;",
        path=f"{folder}/V2__r.sql",
        base={**base, f"src/main/java/org/example/model/{cls}.java": own},
    )
    assert _finding(same, "column-renamed").severity is Severity.CRITICAL  # a join column of its own table


JAVA_SERVICE = """package org.example.service;

public class {cls}Service {{
    public Page<String> findBy{field_cap}(final Pageable pageable, final long {field}) {{
        final long limit = {field} + 1;
        return repository.find(pageable, {field}, limit);
    }}
}}
"""
JAVA_ENTITY_FIELD = """package org.example.model;

import jakarta.persistence.*;

@Entity
@Table(name = "{table}")
public class {cls} {{
    @Id
    private Long id;

    private Long {field};
}}
"""


@pytest.mark.parametrize(
    ("table", "cls", "column", "field"),
    [
        ("sp_action_status_messages", "ActionStatusMessage", "action_status_id", "actionStatusId"),
        ("invoices", "Invoice", "customer_id", "customerId"),
    ],
)
def test_a_java_methods_parameter_named_like_the_column_is_no_use_of_it(
    table: str, cls: str, column: str, field: str
) -> None:
    folder = "src/main/resources/db/migration"
    field_cap = field[0].upper() + field[1:]
    service = f"src/main/java/org/example/service/{cls}Service.java"
    base = {
        f"{folder}/V1__init.sql": f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} bigint);",
        service: JAVA_SERVICE.format(cls=cls, field=field, field_cap=field_cap),
    }
    rename = f"ALTER TABLE {table} RENAME COLUMN {column} TO {column}_ref;"
    result = review_sql(rename, path=f"{folder}/V2__r.sql", base=base)
    assert _finding(result, "column-renamed").severity is not Severity.CRITICAL
    entity = f"src/main/java/org/example/model/{cls}.java"
    mapped = review_sql(
        rename,
        path=f"{folder}/V2__r.sql",
        base={**base, entity: JAVA_ENTITY_FIELD.format(table=table, cls=cls, field=field)},
    )
    renamed = _finding(mapped, "column-renamed")
    assert renamed.severity is Severity.CRITICAL  # the entity's field maps the column
    assert {r.path for r in renamed.references} == {entity}


@pytest.mark.parametrize(
    ("table", "old", "new"), [("orders", "status", "state"), ("invoices", "memo", "note")]
)
def test_a_rename_whose_last_uses_the_change_moves_still_breaks_the_running_release(
    table: str, old: str, new: str
) -> None:
    """The head's code uses the new name; the old code, still running during the deploy, names the old one.
    The removed places are listed as removed, at their base-branch lines, not as places that still use it."""
    model = table[:-1].capitalize()
    before = f"class {model}Export\n  def rows\n    {model}.where({old}: 'open').pluck(:{old})\n  end\nend\n"
    after = before.replace(old, new)
    job = f"app/jobs/{table[:-1]}_export.rb"
    path = "db/migrate/20260101000000_rename.rb"
    migration = (
        f"class Rename < ActiveRecord::Migration[7.1]\n  def change\n    rename_column :{table}, :{old}, :{new}\n"
        "  end\nend\n"
    )
    schema = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {old} text);\n"
    base = {"db/structure.sql": schema, job: before}
    changeset = ChangeSet(
        base="base",
        head="head",
        files=(ChangedFile(path, "added", None, migration), ChangedFile(job, "modified", before, after)),
        head_tree=MemoryTree({"db/structure.sql": schema, job: after, path: migration}),
        base_tree=MemoryTree(base),
    )
    finding = _finding(review(changeset), "column-renamed")
    assert finding.severity is Severity.WARNING, finding.message
    assert f"`{job}:3`" in finding.message and "running during the deploy" in finding.message
    assert finding.references and all(r.kind.startswith("removed") for r in finding.references)


@pytest.mark.parametrize(
    ("app", "package", "model", "column"),
    [("dojo", "engagement", "Engagement", "build_server_id"), ("core", "billing", "Invoice", "legacy_code")],
)
def test_a_model_in_a_sub_package_of_its_app_is_the_one_that_maps_the_table(
    app: str, package: str, model: str, column: str
) -> None:
    """DefectDojo keeps `Engagement` in `dojo/engagement/models.py`: Django labels it by the app that contains
    it (`dojo`), so its table is `dojo_engagement`, not `engagement_engagement`."""
    table = f"{app}_{model.lower()}"
    declared = (
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    name = models.TextField()\n"
    )
    sql = f"ALTER TABLE {table} DROP COLUMN {column};"
    files = {f"{app}/apps.py": "", f"{app}/{package}/__init__.py": "", f"{app}/{package}/models.py": declared}
    finding = _finding(review_sql(sql, path=DROP_PATH, base=files), "column-dropped")
    assert finding.severity is Severity.INFO
    assert f"the model `{model}` (`{app}/{package}/models.py:4`) no longer declares it" in finding.message
    # a sub-package that is an app of its own labels its models itself: not this table's model
    own = {**files, f"{app}/{package}/apps.py": ""}
    other = _finding(review_sql(sql, path=DROP_PATH, base=own), "column-dropped")
    assert "no longer declares it" not in other.message


@pytest.mark.parametrize(
    ("model", "relation", "word", "value"),
    [
        ("Engagement", "cicd_build_server", "build_server", '{"infrastructure_type": "build_server"}'),
        ("Invoice", "billing_account", "account", '{"kind": "account", "active": True}'),
    ],
)
def test_a_string_on_another_relation_of_a_python_model_is_not_a_use(
    model: str, relation: str, word: str, value: str
) -> None:
    """DefectDojo's new `cicd_build_server = models.ForeignKey(…, limit_choices_to={"infrastructure_type":
    "build_server"})` was counted as a use of the dropped `build_server_id`: a value, not a relation."""
    table = f"shop_{model.lower()}"
    head = "from django.db import models\n\n\nclass {model}(models.Model):\n    name = models.TextField()\n"
    other = (
        f'    {relation} = models.ForeignKey("shop.Infra", null=True, on_delete=models.SET_NULL,'
        f' related_name="{word}s", limit_choices_to={value})\n'
    )
    sql = f"ALTER TABLE {table} DROP COLUMN {word}_id;"
    files = {"shop/models.py": head.format(model=model) + other}
    finding = _finding(review_sql(sql, path=DROP_PATH, base=files), "column-dropped")
    assert finding.severity is Severity.INFO and finding.references == ()
    # the model that still declares the relation does use the column
    kept = {
        "shop/models.py": head.format(model=model)
        + other
        + f'    {word} = models.ForeignKey("shop.Infra", on_delete=models.CASCADE)\n'
    }
    still = _finding(review_sql(sql, path=DROP_PATH, base=kept), "column-dropped")
    assert still.severity is Severity.CRITICAL and [r.line for r in still.references] == [7]


@pytest.mark.parametrize(
    ("table", "column"), [("dojo_system_settings", "product_grade"), ("shop_order", "invoices")]
)
def test_the_name_of_a_template_filter_a_task_or_a_url_is_not_a_use(table: str, column: str) -> None:
    """DefectDojo's `@register.filter(name="product_grade")` was a critical use of the dropped column."""
    sql = f"ALTER TABLE {table} DROP COLUMN {column};"
    code = {
        "app/templatetags/tags.py": f'@register.filter(name="{column}")\ndef grade(value):\n    return value\n',
        "app/tasks.py": f'@shared_task(name="{column}")\ndef run():\n    pass\n',
        "app/urls.py": f'urlpatterns = [path("{column}/", views.index, name="{column}")]\n',
        "app/urls/logs.py": f'urlpatterns = [path("logs/<uuid:{column}>/", views.logs, name="logs")]\n',
    }
    finding = _finding(review_sql(sql, path=DROP_PATH, base=code), "column-dropped")
    assert finding.references == ()
    # a query that names it is still a use
    used = {
        **code,
        "app/reports.py": f'def grades(cursor):\n    cursor.execute("SELECT {column} FROM {table}")\n',
    }
    still = _finding(review_sql(sql, path=DROP_PATH, base=used), "column-dropped")
    assert [r.path for r in still.references] == ["app/reports.py"]


@pytest.mark.parametrize(("app", "model"), [("dojo", "System_Settings"), ("core", "Test_Type")])
def test_a_django_model_whose_name_has_an_underscore_maps_its_table(app: str, model: str) -> None:
    """`dojo_system_settings` is `System_Settings` of the app `dojo`, not `Settings` of an app `dojo_system`."""
    table = f"{app}_{model.lower()}"
    declared = (
        f"from django.db import models\n\n\nclass {model}(models.Model):\n    name = models.TextField()\n"
    )
    sql = f"ALTER TABLE {table} DROP COLUMN legacy_flag;"
    finding = _finding(review_sql(sql, path=DROP_PATH, base={f"{app}/models.py": declared}), "column-dropped")
    assert f"the model `{model}` (`{app}/models.py:4`) no longer declares it" in finding.message


@pytest.mark.parametrize(
    ("model", "table", "new", "owner"),
    [
        ("Dashboard", "dashboards", "deprecated_dashboards", "User"),
        ("Widget", "widgets", "old_widgets", "Team"),
    ],
)
def test_a_django_table_renamed_with_its_model_is_not_used_by_relations_to_the_model(
    model: str, table: str, new: str, owner: str
) -> None:
    """Plane renamed `dashboards` with its model: `related_name="dashboards"` (a reverse accessor) and
    `dashboard = models.ForeignKey(DeprecatedDashboard, …)` (a relation to the class) were critical uses
    of the old name. The running release's model still names it: a warning that says so."""
    before = (
        "from django.db import models\n\n\n"
        f"class {model}(models.Model):\n"
        f'    owned_by = models.ForeignKey("db.{owner}", on_delete=models.CASCADE, related_name="{table}")\n\n'
        f'    class Meta:\n        db_table = "{table}"\n\n\n'
        "class Item(models.Model):\n"
        f"    {model.lower()} = models.ForeignKey({model}, on_delete=models.CASCADE)\n"
    )
    after = before.replace(f'db_table = "{table}"', f'db_table = "{new}"')
    sql = f"ALTER TABLE {table} RENAME TO {new};"
    path = "db/migrations/002_rename.sql"
    changeset = ChangeSet(
        "b",
        "h",
        (ChangedFile(path, "added", None, sql), ChangedFile("db/models.py", "modified", before, after)),
        MemoryTree({"db/models.py": after, path: sql}),
        MemoryTree({"db/models.py": before}),
    )
    [renamed] = [f for f in review(changeset).findings if f.rule == "table-renamed"]
    assert renamed.severity is Severity.WARNING
    assert "This change also moves the code off" in renamed.message and "`db/models.py:" in renamed.message
    # the model's class (the one that still maps the table) may be named; nothing else is a sure use
    sure = [
        r for r in renamed.references if not r.kind.startswith("removed") and "low confidence" not in r.kind
    ]
    assert sure == []


@pytest.mark.parametrize("table", ["_TaskRunToTaskRunTag", "legacy_exports"])
def test_documentation_that_names_a_dropped_table_is_not_code_that_uses_it(table: str) -> None:
    """trigger.dev's notes on Prisma's join tables were said to be "places in the code" that still use one."""
    docs = {
        "docs/database.md": f"- `{table}` is created by Prisma\n",
        "ai/notes.md": f"DROP `{table}` later\n",
    }
    sql = f'DROP TABLE "{table}";'
    finding = _finding(review_sql(sql, path=DROP_PATH, base=docs), "table-dropped")
    assert "2 documents still name it" in finding.message and "in the code" not in finding.message
    assert "2 documents still name it" in finding.blast_radius and "in the code" not in finding.blast_radius
    code = {**docs, "app/report.py": f"def rows(cursor):\n    cursor.execute('SELECT * FROM \"{table}\"')\n"}
    used = _finding(review_sql(sql, path=DROP_PATH, base=code), "table-dropped")
    assert "in the code still use it" in used.message


@pytest.mark.parametrize(
    ("column", "declaration"),
    [
        ("inbox_view", 'serializers.BooleanField(read_only=True, source="intake_view")'),
        ("legacy_status", "serializers.SerializerMethodField()"),
    ],
)
def test_every_serializer_that_computes_the_field_keeps_it(column: str, declaration: str) -> None:
    """Plane keeps `inbox_view` in two serializers of `Project` (its public API and its app's): the second was
    still counted as a use of the renamed column."""
    second = (
        "from rest_framework import serializers\n\nfrom shop.models import Order\n\n\n"
        "class OrderDetailSerializer(serializers.ModelSerializer):\n"
        f"    {column} = {declaration}\n\n"
        "    class Meta:\n        model = Order\n"
        f'        fields = ("id", "{column}")\n'
    )
    finding = _finding(_api_kept(column, declaration, {"shop/api/serializers.py": second}), "column-dropped")
    assert all("safe: the API's computed field" in r.kind for r in finding.references), finding.references
    assert {r.path for r in finding.references} >= {"shop/serializers.py", "shop/api/serializers.py"}
    assert finding.severity is not Severity.CRITICAL


@pytest.mark.parametrize(("table", "column"), [("projects", "inbox_view"), ("shop_order", "legacy_code")])
def test_a_request_key_on_the_line_after_its_lookup_is_not_a_use(table: str, column: str) -> None:
    """Plane reads `request.data.get(` with `"inbox_view", …` on the next line: the same key on one line was
    already the request's, not the column."""
    sql = f"ALTER TABLE {table} DROP COLUMN {column};"
    code = {
        "app/views.py": f'def update(request):\n    value = request.data.get(\n        "{column}", False\n    )\n'
        "    return value\n"
    }
    finding = _finding(review_sql(sql, path=DROP_PATH, base=code), "column-dropped")
    assert finding.references == ()
    # a query written over two lines still names the column
    query = {
        "app/reports.py": f'def rows(cursor):\n    cursor.execute(\n        "SELECT {column} FROM {table}"\n    )\n'
    }
    used = _finding(review_sql(sql, path=DROP_PATH, base=query), "column-dropped")
    assert [r.path for r in used.references] == ["app/reports.py"]
