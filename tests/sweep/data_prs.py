"""Data-migration pull requests as a senior data engineer meets them: each a small repository (the schema
before, the application's code where it matters) and one migration, in Rails, Django, Alembic, Prisma, Knex,
TypeORM, Flyway or Liquibase. HAZARDS each hide one data defect (swapped or inverted values, a mapping
missing a case, a lossy conversion, a way back that cannot restore, rows left behind) and name the rule that
must find it; SAFE ones do the same kind of work correctly and must raise none of the data rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.rules.test_data_expressions import (
    _alembic,
    _django,
    _flyway,
    _knex,
    _prisma,
    _typeorm,
)


@dataclass(frozen=True)
class PullRequest:
    name: str
    path: str
    text: str
    base: dict[str, str] = field(default_factory=dict)
    expected: tuple[str, ...] = ()  # the rules of which one must find the hazard (none for a safe change)
    dialect: str | None = None
    description: str = ""


def _sql(name: str, framework, sql: str, schema: str, *expected: str, **kw) -> PullRequest:  # type: ignore[no-untyped-def]
    path, text = framework(sql)
    return PullRequest(name, path, text, {"db/structure.sql": schema}, expected, **kw)


USERS = "CREATE TABLE users (id bigint PRIMARY KEY, first_name text, last_name text, full_name text, email text NOT NULL, is_hidden boolean NOT NULL DEFAULT false, is_visible boolean NOT NULL DEFAULT true, is_shown boolean, ssn varchar(11), created_at timestamp);\n"
ORDERS = (
    "CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, status_code integer, total numeric(10, 2) NOT NULL DEFAULT 0,"
    " total_cents integer, qty integer, price numeric(10, 2));\n"
)
ACCOUNTS = (
    "CREATE TABLE accounts (id bigint PRIMARY KEY, closed boolean NOT NULL DEFAULT false, balance numeric(10, 2) NOT NULL DEFAULT 0);\n"
    "CREATE TABLE invoices (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id) ON DELETE CASCADE);\n"
)
FOLLOWS = (
    "CREATE TABLE users (id bigint PRIMARY KEY);\n"
    "CREATE TABLE old_follows (id bigint PRIMARY KEY, follower_id bigint REFERENCES users (id), followed_id bigint REFERENCES users (id));\n"
    "CREATE TABLE follows (id bigserial PRIMARY KEY, follower_id bigint REFERENCES users (id), followed_id bigint REFERENCES users (id));\n"
)
STATS = "CREATE TABLE campaign_stats (id bigint PRIMARY KEY, clicks integer NOT NULL DEFAULT 0, views integer NOT NULL DEFAULT 0, ctr numeric(6, 4));\n"
ROLES = "CREATE TYPE user_role AS ENUM ('member', 'admin');\nCREATE TABLE members (id bigint PRIMARY KEY, role user_role NOT NULL DEFAULT 'member', legacy_role text);\n"
EVENTS = "CREATE TABLE events (id bigint PRIMARY KEY, starts_at timestamp NOT NULL, note text);\n"
ARCHIVE = "CREATE TABLE users_archive (id bigint PRIMARY KEY, last_name text, first_name text, full_name text, email text NOT NULL, is_hidden boolean NOT NULL DEFAULT false, is_visible boolean NOT NULL DEFAULT true, is_shown boolean, ssn varchar(11), created_at timestamp);\n"
PLANS = (
    "CREATE TABLE plans (id bigint PRIMARY KEY, code text NOT NULL);\nINSERT INTO plans (id, code) VALUES (1, 'free'), (2, 'pro'), (3, 'team');\n"
    "CREATE TABLE accounts (id bigint PRIMARY KEY, plan_id bigint REFERENCES plans (id), legacy_plan text);\n"
)
UNIQUE_EMAILS = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nCREATE UNIQUE INDEX users_email_key ON users (email);\n"
CUSTOMERS = "CREATE TABLE customers (id bigint PRIMARY KEY, country varchar(40), zip varchar(10));\n"

POST_MODELS = {
    "db/structure.sql": "CREATE TABLE posts (id bigint PRIMARY KEY, archived boolean NOT NULL DEFAULT false);\n"
    "CREATE TABLE comments (id bigint PRIMARY KEY, post_id bigint);\n",
    "app/models/post.rb": "class Post < ApplicationRecord\n  has_many :comments, dependent: :destroy\nend\n",
    "app/models/comment.rb": "class Comment < ApplicationRecord\n  belongs_to :post\nend\n",
}

DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    operations = [
        migrations.CreateModel(
            name="Payment",
            fields=[
                ("id", models.BigAutoField(primary_key=True)),
                ("amount", models.DecimalField(max_digits=10, decimal_places=2)),
                ("amount_whole", models.IntegerField(null=True)),
                ("state", models.CharField(max_length=20)),
                ("first", models.CharField(max_length=40, null=True)),
                ("last", models.CharField(max_length=40, null=True)),
                ("label", models.CharField(max_length=90, null=True)),
            ],
        )
    ]
"""
DJANGO_DATA = """from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast, Concat, Round


def forwards(apps, schema_editor):
    Payment = apps.get_model("shop", "Payment")
    Payment.objects.filter(id__lt=1000{only}).update({update})


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
"""


def _django_update(
    name: str, update: str, *expected: str, dialect: str | None = None, only: str = "", description: str = ""
) -> PullRequest:
    return PullRequest(
        name,
        "shop/migrations/0002_payments.py",
        DJANGO_DATA.format(update=update, only=only),
        {"shop/migrations/0001_initial.py": DJANGO_INITIAL},
        expected,
        dialect,
        description,
    )


def _rails_up(
    name: str, body: str, base: dict[str, str], *expected: str, down: str = "", description: str = ""
) -> PullRequest:
    text = (
        "class DataChange < ActiveRecord::Migration[7.1]\n"
        f"  def up\n    {body}\n  end\n\n"
        f"  def down\n    {down or 'raise ActiveRecord::IrreversibleMigration'}\n  end\nend\n"
    )
    return PullRequest(
        name, "db/migrate/20260101000000_data_change.rb", text, base, expected, description=description
    )


HAZARDS = [
    _sql("inverted boolean (Django RunSQL)", _django, "UPDATE users SET is_visible = is_hidden WHERE id >= 1 AND id < 1000;", USERS, "swapped-values"),
    _sql("swapped columns in an INSERT … SELECT (Prisma)", _prisma, "INSERT INTO follows (follower_id, followed_id) SELECT followed_id, follower_id FROM old_follows;", FOLLOWS, "swapped-values"),
    _sql("mapping missing a case (Alembic)", _alembic, "UPDATE orders SET status_code = CASE status WHEN 'new' THEN 1 WHEN 'paid' THEN 2 END WHERE id >= 1 AND id < 1000;", ORDERS, "case-without-else"),
    _sql("numeric copied into an integer (Knex)", _knex, "UPDATE orders SET total_cents = total WHERE id >= 1 AND id < 1000;", ORDERS, "lossy-copy"),
    _sql("text narrowed below its values (Flyway)", _flyway, "ALTER TABLE customers ALTER COLUMN country TYPE varchar(2);", CUSTOMERS, "lossy-type-change"),
    _sql("nullable parts concatenated (TypeORM)", _typeorm, "UPDATE users SET full_name = first_name || ' ' || last_name WHERE id >= 1 AND id < 1000;", USERS, "null-propagation"),
    _sql("amounts scaled past their precision (Flyway)", _flyway, "UPDATE accounts SET balance = round(balance * 100) WHERE id >= 1 AND id < 1000;", ACCOUNTS, "value-does-not-fit"),
    _sql("delete that cascades to invoices (TypeORM)", _typeorm, "DELETE FROM accounts WHERE closed AND id >= 1 AND id < 1000;", ACCOUNTS, "cascading-delete"),
    _sql("integer division (Alembic)", _alembic, "UPDATE campaign_stats SET ctr = clicks / views WHERE views > 0 AND id >= 1 AND id < 1000;", STATS, "integer-division"),
    _sql("enum label the type lacks (Prisma)", _prisma, "UPDATE members SET role = 'owner' WHERE legacy_role = 'owner' AND id >= 1 AND id < 1000;", ROLES, "value-not-allowed", "enum-label-unknown"),
    _sql("timestamp reinterpreted in the session's zone (Knex)", _knex, "ALTER TABLE events ALTER COLUMN starts_at TYPE timestamptz;", EVENTS, "time-zone-shift", "lossy-type-change"),
    _sql("overwrite with no way back (Knex)", _knex, "UPDATE users SET email = lower(email) WHERE id >= 1 AND id < 1000;", USERS, "data-lost-on-rollback", "missing-down-migration"),
    _sql("a NOT IN over a nullable column (Django RunSQL)", _django, "DELETE FROM orders WHERE qty NOT IN (SELECT qty FROM orders WHERE status = 'void') AND id >= 1 AND id < 1000;", ORDERS, "null-from-subquery", "null-dropping-comparison"),
    _django_update("Case without a default (Django)", "state=Case(When(state='new', then=Value('open')), When(state='done', then=Value('closed')))", "case-without-else"),
    _django_update("Cast that rounds amounts away (Django)", "amount_whole=Cast(F('amount'), models.IntegerField())", "lossy-copy"),
    _django_update("amounts scaled past their precision (Django F())", "amount=F('amount') * 1000", "value-does-not-fit"),
    _rails_up("delete_all skipping dependent: :destroy (Rails)", "Post.where(archived: true).in_batches(of: 500).delete_all", POST_MODELS, "dependent-rows-orphaned"),
    _rails_up("update_all scaling into an integer (Rails)", 'Order.where(id: 1...1000).update_all("total_cents = total * 1000")', {"db/structure.sql": ORDERS}, "value-does-not-fit"),
    _rails_up("ssn to integer drops leading zeros (Rails)", "change_column :users, :ssn, :integer, using: 'ssn::integer'", {"db/structure.sql": USERS}, "lossy-type-change"),
    _sql("a swap in one UPDATE (Flyway, MySQL)", _flyway, "UPDATE users SET first_name = last_name, last_name = first_name WHERE id >= 1 AND id < 1000;", USERS, "sequential-assignment", dialect="mysql"),
    _sql("MySQL CONCAT of nullable names (Flyway)", _flyway, "UPDATE users SET full_name = CONCAT(first_name, ' ', last_name) WHERE id >= 1 AND id < 1000;", USERS, "null-propagation", dialect="mysql"),
    _sql("<> skipping the NULL rows (TypeORM)", _typeorm, "UPDATE orders SET status = 'shipped' WHERE status_code <> 3 AND id >= 1 AND id < 1000;", ORDERS, "null-dropping-comparison"),
    _sql("numeric column retyped to integer (Prisma)", _prisma, "ALTER TABLE orders ALTER COLUMN price TYPE integer;", ORDERS, "lossy-type-change"),
    PullRequest(
        "inverted boolean through knex.ref (Knex)",
        "migrations/20260101000000_visibility.js",
        "exports.up = async function (knex) {\n  await knex('users').where('id', '<', 1000).update({ is_visible: knex.ref('is_hidden') });\n};\n\nexports.down = async function () {};\n",
        {"db/structure.sql": USERS},
        ("swapped-values",),
    ),
    PullRequest(
        "inverted boolean through sa.table (Alembic)",
        "alembic/versions/b2_visibility.py",
        'revision = "b2"\ndown_revision = "a1"\n\nimport sqlalchemy as sa\nfrom alembic import op\n\n\ndef upgrade():\n'
        '    users = sa.table("users", sa.column("is_visible"), sa.column("is_hidden"))\n'
        "    op.execute(users.update().values(is_visible=users.c.is_hidden))\n\n\ndef downgrade():\n    pass\n",
        {"db/structure.sql": USERS},
        ("swapped-values",),
    ),
    _rails_up(
        "a value the Rails enum lacks (Rails)",
        "Article.where(id: 1...1000).update_all(status: 3)",
        {
            "db/structure.sql": "CREATE TABLE articles (id bigint PRIMARY KEY, status integer NOT NULL DEFAULT 0);\n",
            "app/models/article.rb": "class Article < ApplicationRecord\n  enum status: { draft: 0, published: 1, archived: 2 }\nend\n",
        },
        "value-not-allowed",
    ),
    _sql("a nullable column copied into a NOT NULL one (Flyway)", _flyway, "UPDATE users SET email = full_name WHERE id >= 1 AND id < 1000;", USERS, "null-into-not-null"),
    _sql("archive copied with SELECT * in another column order (Alembic)", _alembic, "INSERT INTO users_archive SELECT * FROM users WHERE id < 1000;", USERS + ARCHIVE, "star-copy-misaligned"),
    _sql("GREATEST over a nullable column (Flyway, MySQL)", _flyway, "UPDATE users SET created_at = GREATEST(created_at, last_login_at) WHERE id >= 1 AND id < 1000;", USERS.replace("created_at timestamp", "created_at datetime, last_login_at datetime"), "null-propagation", dialect="mysql"),
    _rails_up(
        "destroy_all restricted by dependent: :restrict_with_error (Rails)",
        "Account.where(closed: true).find_each(&:destroy)",
        {
            "db/structure.sql": ACCOUNTS.replace(" ON DELETE CASCADE", ""),
            "app/models/account.rb": "class Account < ApplicationRecord\n  has_many :invoices, dependent: :restrict_with_error\nend\n",
        },
        "restricted-destroy",
        "unique-collision",
    ),
    _sql("an id the migrations never seeded (Knex)", _knex, "UPDATE accounts SET plan_id = 4 WHERE legacy_plan = 'enterprise' AND id >= 1 AND id < 1000;", PLANS, "hard-coded-id"),
    _sql("lower(email) under a unique index (TypeORM)", _typeorm, "UPDATE users SET email = lower(email) WHERE id >= 1 AND id < 1000;", UNIQUE_EMAILS, "unique-collision"),
    PullRequest(
        "a merge the down writes back as one value (Alembic)",
        "alembic/versions/b2_close_orders.py",
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        "def upgrade():\n    op.execute(\"UPDATE orders SET status = 'closed' WHERE status IN ('cancelled', 'refunded') AND id >= 1 AND id < 1000\")\n\n\n"
        "def downgrade():\n    op.execute(\"UPDATE orders SET status = 'cancelled' WHERE status = 'closed' AND id >= 1 AND id < 1000\")\n",
        {"db/structure.sql": ORDERS},
        ("data-lost-on-rollback",),
    ),
    PullRequest(
        "Liquibase rollback that cannot be re-run (MySQL)",
        "src/main/resources/db/changelog/changes/010-audit.sql",
        "--liquibase formatted sql\n--changeset dev:10\nCREATE TABLE audit_events (id bigint PRIMARY KEY);\nCREATE TABLE audit_details (id bigint PRIMARY KEY);\n"
        "--rollback DROP TABLE audit_details;\n--rollback DROP TABLE audit_events;\n",
        expected=("down-not-idempotent",),
        dialect="mysql",
    ),
]  # fmt: skip


def _checked(table: str, condition: str) -> str:
    """A description documenting the production check an author ran before a data change."""
    return f"Backfill.\n\nChecked in production: SELECT count(*) FROM {table} WHERE {condition} returned 0 rows.\n"


SAFE = [
    _sql("names joined with concat_ws into empty rows (TypeORM)", _typeorm, "UPDATE users SET full_name = concat_ws(' ', first_name, last_name) WHERE full_name IS NULL AND id >= 1 AND id < 1000;", USERS, description=_checked("users", "first_name IS NULL AND last_name IS NULL")),
    _sql("negated boolean into a new column (Django RunSQL)", _django, "UPDATE users SET is_shown = NOT is_hidden WHERE is_shown IS NULL AND id >= 1 AND id < 1000;", USERS, description=_checked("users", "is_shown IS NOT NULL")),
    _sql("mapping with an ELSE (Alembic)", _alembic, "UPDATE orders SET status_code = CASE status WHEN 'new' THEN 1 WHEN 'paid' THEN 2 ELSE 0 END WHERE status_code IS NULL AND id >= 1 AND id < 1000;", ORDERS, description=_checked("orders", "status NOT IN ('new', 'paid')")),
    _sql("INSERT … SELECT in order (Prisma)", _prisma, "INSERT INTO follows (follower_id, followed_id) SELECT follower_id, followed_id FROM old_follows;", FOLLOWS, description=_checked("old_follows", "follower_id IS NULL OR followed_id IS NULL")),
    _sql("amounts to cents rounded into a wide column (Knex)", _knex, "UPDATE orders SET total_cents = round(total * 100) WHERE total_cents IS NULL AND id >= 1 AND id < 1000;", ORDERS.replace("total_cents integer", "total_cents bigint"), description=_checked("orders", "total_cents IS NOT NULL")),
    _sql("whole amounts computed into empty rows (Flyway)", _flyway, "UPDATE orders SET qty = round(total / 10) WHERE qty IS NULL AND id >= 1 AND id < 1000;", ORDERS, description=_checked("orders", "qty IS NOT NULL")),
    _sql("ratio computed in numeric (Alembic)", _alembic, "UPDATE campaign_stats SET ctr = clicks::numeric / views WHERE ctr IS NULL AND views > 0 AND id >= 1 AND id < 1000;", STATS, description=_checked("campaign_stats", "clicks > views")),
    _sql("a widened text column (Flyway)", _flyway, "ALTER TABLE customers ALTER COLUMN zip TYPE varchar(20);", CUSTOMERS),
    _sql("an enum label the type has (Prisma)", _prisma, "UPDATE members SET role = 'admin' WHERE legacy_role = 'admin' AND role = 'member' AND id >= 1 AND id < 1000;", ROLES, description=_checked("members", "legacy_role = 'admin' AND role <> 'member'")),
    _django_update("Concat of nullable names into empty labels (Django, MySQL)", "label=Concat(F('first'), Value(' '), F('last'))", dialect="mysql", only=", label__isnull=True", description=_checked("shop_payment", "first IS NULL AND last IS NULL")),
    _django_update("Cast of a rounded amount into empty rows (Django)", "amount_whole=Cast(Round(F('amount')), models.IntegerField())", only=", amount_whole__isnull=True", description=_checked("shop_payment", "amount_whole IS NOT NULL")),
    _rails_up(
        "dependents deleted first, then the posts (Rails)",
        'execute "DELETE FROM comments WHERE post_id IN (SELECT id FROM posts WHERE archived)"\n'
        "    Post.where(archived: true).in_batches(of: 500).delete_all",
        POST_MODELS,
        description=_checked("posts", "archived AND id IN (SELECT post_id FROM comments)"),
    ),
    _rails_up("destroy of posts whose model declares no dependents (Rails)", "Post.where(archived: true).find_each(&:destroy)", {**POST_MODELS, "app/models/post.rb": "class Post < ApplicationRecord\nend\n", "db/structure.sql": "CREATE TABLE posts (id bigint PRIMARY KEY, archived boolean NOT NULL DEFAULT false);\n"}, description=_checked("posts", "archived")),
    _sql("assignments ordered so each reads old values (Flyway, MySQL)", _flyway, "UPDATE orders SET total_cents = round(total * 100), total = round(total) WHERE total_cents IS NULL AND id >= 1 AND id < 1000;", ORDERS.replace("total_cents integer", "total_cents bigint"), dialect="mysql", description=_checked("orders", "total_cents IS NOT NULL")),
    _sql("concat_ws of nullable names (Flyway, MySQL)", _flyway, "UPDATE users SET full_name = CONCAT_WS(' ', first_name, last_name) WHERE full_name IS NULL AND id >= 1 AND id < 1000;", USERS, dialect="mysql", description=_checked("users", "first_name IS NULL AND last_name IS NULL")),
    _rails_up(
        "a value the Rails enum has (Rails)",
        "Article.where(id: 1...1000, status: 0).update_all(status: 2)",
        {
            "db/structure.sql": "CREATE TABLE articles (id bigint PRIMARY KEY, status integer NOT NULL DEFAULT 0);\n",
            "app/models/article.rb": "class Article < ApplicationRecord\n  enum status: { draft: 0, published: 1, archived: 2 }\nend\n",
        },
        description=_checked("articles", "status NOT IN (0, 1, 2)"),
    ),
    _sql("a nullable column copied where it has a value (Flyway)", _flyway, "UPDATE users SET email = full_name WHERE full_name IS NOT NULL AND email = '' AND id >= 1 AND id < 1000;", USERS, description=_checked("users", "email = '' AND full_name IS NULL")),
    _sql("archive copied with named columns (Alembic)", _alembic, "INSERT INTO users_archive (id, first_name, last_name, email) SELECT id, first_name, last_name, email FROM users WHERE id < 1000;", USERS + ARCHIVE, description=_checked("users", "email IS NULL")),
    _sql("an id looked up by its code (Knex)", _knex, "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'team') WHERE legacy_plan = 'team' AND plan_id IS NULL AND id >= 1 AND id < 1000;", PLANS, description=_checked("accounts", "legacy_plan = 'team' AND plan_id IS NOT NULL")),
    PullRequest(
        "a renamed value the down restores (Alembic)",
        "alembic/versions/b2_close_orders.py",
        'revision = "b2"\ndown_revision = "a1"\n\nfrom alembic import op\n\n\n'
        "def upgrade():\n    op.execute(\"UPDATE orders SET status = 'closed' WHERE status = 'cancelled' AND id >= 1 AND id < 1000\")\n\n\n"
        "def downgrade():\n    op.execute(\"UPDATE orders SET status = 'cancelled' WHERE status = 'closed' AND id >= 1 AND id < 1000\")\n",
        {"db/structure.sql": ORDERS},
        description=_checked("orders", "status = 'closed'"),
    ),
    PullRequest(
        "Liquibase rollback that can be re-run (MySQL)",
        "src/main/resources/db/changelog/changes/010-audit.sql",
        "--liquibase formatted sql\n--changeset dev:10\nCREATE TABLE audit_events (id bigint PRIMARY KEY);\nCREATE TABLE audit_details (id bigint PRIMARY KEY);\n"
        "--rollback DROP TABLE IF EXISTS audit_details;\n--rollback DROP TABLE IF EXISTS audit_events;\n",
        dialect="mysql",
    ),
]  # fmt: skip

# The rules a safe data change must not raise: what it computes, converts, deletes and restores.
DATA_RULES = frozenset(
    {
        "swapped-values",
        "case-without-else",
        "lossy-copy",
        "lossy-type-change",
        "null-propagation",
        "value-does-not-fit",
        "cascading-delete",
        "integer-division",
        "enum-label-unknown",
        "time-zone-shift",
        "data-lost-on-rollback",
        "null-from-subquery",
        "dependent-rows-orphaned",
        "down-not-idempotent",
        "sequential-assignment",
        "value-not-allowed",
        "null-into-not-null",
        "star-copy-misaligned",
        "restricted-destroy",
        "unique-collision",
        "null-dropping-comparison",
        "hard-coded-id",
        "duplicate-case-branch",
        "case-value-mismatch",
    }
)
