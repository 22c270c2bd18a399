"""Value domains the code declares as constants (Ruby, Python, Java, Kotlin) or ties to a column through
SQLAlchemy: a data change writing a value outside them is `value-not-allowed`, one inside them is not."""

from __future__ import annotations

import pytest

from bot.model.findings import Finding, Severity
from tests.conftest import review_sql
from tests.rules.test_value_not_allowed import DJANGO_MIGRATION, DJANGO_MODELS

RAILS_PATH = "db/migrate/20260101000000_fix_data.rb"
SCHEMA = "CREATE TABLE {table} (id bigint PRIMARY KEY, {column} varchar(20), note text);\n-- migration\n"


def _found(result) -> list[Finding]:  # type: ignore[no-untyped-def]
    return [f for f in result.active if f.rule == "value-not-allowed"]


def _rails(body: str) -> str:
    return f"class FixData < ActiveRecord::Migration[7.1]\n{body}\n  def down\n  end\nend\n"


RUBY_NAMES = [
    ("Order", "orders", "state", "STATES", "shipped", "lost"),
    ("Subscription", "subscriptions", "plan", "PLANS", "gold", "platinum"),
]


@pytest.mark.parametrize(("model", "table", "column", "constant", "good", "bad"), RUBY_NAMES)
@pytest.mark.parametrize(
    "declaration",
    [
        "  {constant} = %w[pending {good}].freeze\n  validates :{column}, inclusion: {{ in: {constant} }}\n",
        '  PENDING = "pending"\n  GOOD = "{good}"\n  {constant} = [PENDING, GOOD].freeze\n'
        "  validates_inclusion_of :{column}, in: {model}::{constant}\n",
        '  validates :{column}, presence: true, inclusion: ["pending", "{good}"]\n',
        '  OPTIONS = {{ waiting: "pending", done: "{good}" }}.freeze\n'
        "  validates :{column}, inclusion: {{ in: OPTIONS.values }}, allow_nil: true\n",
    ],
    ids=["percent-w", "constants-of-constants", "inline", "hash-values"],
)
def test_ruby_constant_tied_by_an_inclusion_validation(
    model: str, table: str, column: str, constant: str, good: str, bad: str, declaration: str
) -> None:
    source = f"class {model} < ApplicationRecord\n" + declaration.format(**locals()) + "end\n"
    head = {f"app/models/{model.lower()}.rb": source}
    sql = f'  def up\n    {model}.where(note: "x").update_all({column}: "{{value}}")\n  end\n'
    found = _found(review_sql(_rails(sql.format(value=bad)), path=RAILS_PATH, head=head))
    assert len(found) == 1 and found[0].severity is Severity.CRITICAL, found
    assert f"'{bad}'" in found[0].message and f"{table}.{column}" in found[0].message
    assert found[0].references[0].path == f"app/models/{model.lower()}.rb"
    assert not _found(review_sql(_rails(sql.format(value=good)), path=RAILS_PATH, head=head))


@pytest.mark.parametrize(("model", "table", "column", "constant", "good", "bad"), RUBY_NAMES)
def test_sql_update_against_a_ruby_constant(
    model: str, table: str, column: str, constant: str, good: str, bad: str
) -> None:
    source = (
        f"class {model} < ApplicationRecord\n  {constant} = %w[pending {good}].freeze\n"
        f"  validates :{column}, inclusion: {{ in: {constant} }}\nend\n"
    )
    head = {f"app/models/{model.lower()}.rb": source}
    sql = (
        SCHEMA.format(table=table, column=column) + f"UPDATE {table} SET {column} = '{{}}' WHERE note = 'x';"
    )
    assert _found(review_sql(sql.format(bad), head=head))
    assert not _found(review_sql(sql.format(good), head=head))


def test_a_constant_of_another_model_is_not_the_column() -> None:
    head = {
        "app/models/invoice.rb": "class Invoice < ApplicationRecord\n  STATES = %w[draft sent].freeze\n"
        "  validates :state, inclusion: { in: STATES }\nend\n",
        "app/models/order.rb": "class Order < ApplicationRecord\n  STATES = %w[open shipped].freeze\nend\n",
    }
    sql = '  def up\n    Order.where(note: "x").update_all(state: "shipped")\n  end\n'
    assert not _found(review_sql(_rails(sql), path=RAILS_PATH, head=head))


@pytest.mark.parametrize(
    ("model", "table", "column", "good", "bad"),
    [("Order", "orders", "state", "shipped", "lost"), ("Ticket", "tickets", "stage", "closed", "gone")],
)
@pytest.mark.parametrize("where", ["migration", "model"])
def test_rails_constants_in_update_all_are_their_values(
    model: str, table: str, column: str, good: str, bad: str, where: str
) -> None:
    """`Order.where(state: Order::PENDING).update_all(state: Order::SHIPPED)` reads as the literals."""
    domain = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text CHECK ({column} IN ('pending', '{good}')));\n"
    constants = '  PENDING = "pending"\n  TARGET = "{value}"\n'
    if where == "model":
        body = f"  def up\n    {model}.where({column}: {model}::PENDING).update_all({column}: {model}::TARGET)\n  end\n"
        model_source = f"class {model} < ApplicationRecord\n{constants}end\n"
        migration = _rails(body)
    else:
        body = f"  def up\n    {model}.where({column}: PENDING).update_all({column}: TARGET)\n  end\n"
        model_source = f"class {model} < ApplicationRecord\nend\n"
        migration = _rails(constants + body)
    for value, flagged in ((bad, True), (good, False)):
        head = {f"app/models/{model.lower()}.rb": model_source.format(value=value)}
        result = review_sql(
            migration.format(value=value),
            path=RAILS_PATH,
            base={"db/structure.sql": domain, **head},
            head=head,
        )
        found = _found(result)
        assert bool(found) is flagged, (value, [f.message for f in result.active])
        if flagged:
            assert f"'{bad}'" in found[0].message and found[0].severity is Severity.CRITICAL
        update = [f for f in result.active if f.rule == "where-matches-no-rows"]
        assert not update


@pytest.mark.parametrize(
    ("model", "column", "constant", "good"),
    [("Order", "status", "STATUS_CHOICES", "paid"), ("Shipment", "carrier", "CARRIERS", "ups")],
)
@pytest.mark.parametrize(
    ("declaration", "field"),
    [
        ('{constant} = (("open", "Open"), ("{good}", "Done"))\n', "choices={constant}"),
        ('{constant} = ("open", "{good}")\n', "choices=[(c, c) for c in {constant}]"),
        ('{constant} = {{"open": "Open", "{good}": "Done"}}\n', "choices=list({constant}.items())"),
        (
            '{constant} = {{"open": "Open", "{good}": "Done"}}\n',
            "choices=[(k, v) for k, v in {constant}.items()]",
        ),
    ],
    ids=["pairs", "tuple", "dict", "dict-comprehension"],
)
def test_python_module_constants_passed_to_choices(
    model: str, column: str, constant: str, good: str, declaration: str, field: str
) -> None:
    models = (
        "from django.db import models\n\n"
        + declaration.format(constant=constant, good=good)
        + f"\n\nclass {model}(models.Model):\n"
        f"    {column} = models.CharField(max_length=10, {field.format(constant=constant)})\n"
        "    note = models.TextField()\n"
    )
    head = {"shop/models.py": models}
    path = "shop/migrations/0002_fill.py"
    bad = review_sql(
        DJANGO_MIGRATION.format(model=model, column=column, value="archived"), path=path, head=head
    )
    found = _found(bad)
    assert found and found[0].severity is Severity.CRITICAL, [f.message for f in bad.active]
    assert "Python constant" in found[0].message or "Django choices" in found[0].message
    assert f"`{constant}`" in found[0].message
    good_result = review_sql(
        DJANGO_MIGRATION.format(model=model, column=column, value=good), path=path, head=head
    )
    assert not _found(good_result)


ALEMBIC = '''"""fill"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("UPDATE {table} SET {column} = '{value}' WHERE note = 'x'")


def downgrade():
    pass
'''


@pytest.mark.parametrize(
    ("model", "table", "column", "enum"),
    [("Order", "orders", "status", "OrderState"), ("Payment", "payments", "method", "PayMethod")],
)
@pytest.mark.parametrize(
    "field",
    [
        "    {column}: Mapped[{enum}]\n",
        "    {column}: Mapped[Optional[{enum}]] = mapped_column(nullable=True)\n",
        "    {column}: Mapped[Enum[{enum}]] = mapped_column(default={enum}.OPEN)\n",
        "    {column} = Column(Enum({enum}), nullable=False)\n",
        "    {column} = sa.Column(sa.String(20), sa.Enum({enum}, name='x'))\n",
    ],
)
def test_sqlalchemy_enum_columns(model: str, table: str, column: str, enum: str, field: str) -> None:
    models = (
        "import enum\n\n\n"
        f"class {enum}(enum.Enum):\n    OPEN = 'open'\n    PAID = 'paid'\n\n\n"
        f"class {model}(Base):\n    __tablename__ = '{table}'\n"
        + field.format(column=column, enum=enum)
        + "    note: Mapped[str]\n"
    )
    # the frontend's enum of the same name, with other values, is not the column's
    frontend = f"export enum {enum} {{\n  Open = 'open',\n  Refunded = 'refunded',\n}}\n"
    head = {"app/models.py": models, "web/src/types.ts": frontend}
    path = "alembic/versions/b2_fill.py"
    base = {"db/structure.sql": SCHEMA.format(table=table, column=column).split("-- migration")[0]}

    def run(value: str) -> list[Finding]:
        text = ALEMBIC.format(table=table, column=column, value=value)
        return _found(review_sql(text, path=path, head=head, base=base))

    found = run("refunded")
    assert found and found[0].severity is Severity.CRITICAL and f"`{enum}`" in found[0].message
    assert "app/models.py" in found[0].message and "It allows 'OPEN', 'PAID'" in found[0].message
    assert not run("paid") and not run("PAID")  # the value, and the name SQLAlchemy stores by default


@pytest.mark.parametrize(
    ("path", "source"),
    [
        (
            "src/main/java/shop/OrderStatus.java",
            "package shop;\npublic final class OrderStatus {\n"
            '  public static final String OPEN = "open";\n  public static final String PAID = "paid";\n'
            "  private OrderStatus() {}\n}\n",
        ),
        (
            "src/main/kotlin/shop/OrderStatus.kt",
            'object OrderStatus {\n  const val OPEN = "open"\n  const val PAID: String = "paid"\n}\n',
        ),
        (
            "src/main/java/shop/Constants.java",
            "package shop;\npublic interface Constants {\n  final class OrderStatus {\n"
            '    static final String OPEN = "open";\n    static final String PAID = "paid";\n  }\n'
            '  static final String API = "v1";\n}\n',
        ),
    ],
)
def test_jvm_constant_groups_named_after_the_column(path: str, source: str) -> None:
    sql = SCHEMA.format(table="orders", column="status") + "UPDATE orders SET status = '{}' WHERE note = 'x';"
    found = _found(review_sql(sql.format("archived"), head={path: source}))
    assert [f.severity for f in found] == [Severity.WARNING] and "`OrderStatus`" in found[0].message
    assert "'open', 'paid'" in found[0].message
    assert not _found(review_sql(sql.format("paid"), head={path: source}))


@pytest.mark.parametrize(
    ("model", "choices", "column"), [("Order", "Status", "status"), ("Shipment", "Stage", "stage")]
)
def test_django_update_with_a_constant_of_the_migration(model: str, choices: str, column: str) -> None:
    head = {"shop/models.py": DJANGO_MODELS.format(model=model, choices=choices, column=column)}
    path = "shop/migrations/0002_fill.py"
    migration = DJANGO_MIGRATION.format(model=model, column=column, value="").replace(
        f'{column}="")', f"{column}=TARGET)"
    )

    def run(value: str) -> list[Finding]:
        text = migration.replace("\n\ndef forwards", f'\nTARGET = "{value}"\n\n\ndef forwards', 1)
        return _found(review_sql(text, path=path, head=head))

    found = run("archived")
    assert found and found[0].severity is Severity.CRITICAL and "'archived'" in found[0].message
    assert not run("paid")


@pytest.mark.parametrize(
    ("model", "table", "column", "good", "bad"),
    [("Order", "orders", "state", "shipped", "lost"), ("Ticket", "tickets", "stage", "closed", "gone")],
)
@pytest.mark.parametrize(
    "statement",
    [
        "    execute \"UPDATE {table} SET {column} = '#{{{model}::TARGET}}' WHERE {column} = '#{{{model}::PENDING}}'\"\n",
        "    {model}.where(\"{column} = '#{{{model}::PENDING}}'\").update_all(\"{column} = '#{{TARGET}}'\")\n",
    ],
    ids=["execute", "update_all-string"],
)
def test_constants_interpolated_in_sql_strings(
    model: str, table: str, column: str, good: str, bad: str, statement: str
) -> None:
    domain = f"CREATE TABLE {table} (id bigint PRIMARY KEY, {column} text CHECK ({column} IN ('pending', '{good}')));\n"
    for value, flagged in ((bad, True), (good, False)):
        constants = f'  PENDING = "pending"\n  TARGET = "{value}"\n'
        head = {f"app/models/{model.lower()}.rb": f"class {model} < ApplicationRecord\n{constants}end\n"}
        body = "  TARGET = " + f'"{value}"\n\n  def up\n' + statement.format(**locals()) + "  end\n"
        result = review_sql(
            _rails(body), path=RAILS_PATH, base={"db/structure.sql": domain, **head}, head=head
        )
        found = _found(result)
        assert bool(found) is flagged, (value, [f.message for f in result.active])
        assert not [f for f in result.active if f.rule in ("unparsed-statement", "where-matches-no-rows")]
