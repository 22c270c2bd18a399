"""The values the code defines: read once per review, matched to columns, with the line of every value."""

from __future__ import annotations

from bot.model.catalog import Catalog, Column, Table
from bot.model.changeset import MemoryTree
from bot.references.code_values import CodeValues

FILES = {
    "app/models/order.rb": "class Order < ApplicationRecord\n  enum :kind, [:retail, :wholesale]\n"
    "  enum status: { paid: 0, open: 1 }, _prefix: true\nend\n",
    "shop/models.py": "class Order(models.Model):\n    STATE_CHOICES = [\n        ('new', 'New'),\n"
    "        ('done', 'Done'),\n    ]\n    state = models.CharField(choices=STATE_CHOICES)\n",
    "web/tier.ts": "export type Tier = 'free' | 'pro'\n  | 'enterprise';\nenum Level { Low, High = 5, Top }\n",
    "svc/level.go": "package svc\n\ntype Level int\n\nconst (\n\tLevelLow Level = iota\n\tLevelHigh\n)\n",
    "node_modules/lib/index.ts": "export enum Status { A = 'a' }\n",
    "README.md": "enum status: { not: 'code' }\n",
}


class CountingTree(MemoryTree):
    reads = 0

    def read(self, path: str) -> str | None:
        CountingTree.reads += 1
        return super().read(path)


def test_the_tree_is_read_once_and_only_files_with_a_reader() -> None:
    tree = CountingTree(FILES)
    values = CodeValues(tree)
    assert CountingTree.reads == 0  # nothing until first use
    values.for_column("orders", "status")
    values.for_column("orders", "kind")
    assert CountingTree.reads == 4  # .rb, .py, .ts, .go; not node_modules, not README


def test_rails_enums_with_integer_values_and_arrays() -> None:
    values = CodeValues(MemoryTree(FILES))
    (status,) = values.for_column("orders", "status")
    assert [(m.label, m.value, m.line) for m in status.members] == [("paid", "0", 3), ("open", "1", 3)]
    kind = values.for_column("orders", "kind")[0]
    assert [m.value for m in kind.members] == ["0", "1"]


def test_django_choices_union_types_and_numbered_enums() -> None:
    values = CodeValues(MemoryTree(FILES))
    state = values.for_column("orders", "state")[0]
    assert [(m.value, m.line) for m in state.members] == [("new", 3), ("done", 4)]
    tier = values.for_column("accounts", "tier")[0]
    assert [(m.value, m.line) for m in tier.members] == [("free", 1), ("pro", 1), ("enterprise", 2)]
    levels = {d.kind: [m.value for m in d.members] for d in values.for_column("users", "level_id")}
    assert levels == {"TypeScript enum": ["0", "5", "6"], "Go constants": ["0", "1"]}


def test_database_enum_types_from_the_catalog() -> None:
    catalog = Catalog(
        tables={"orders": Table("orders", {"mood": Column("mood", "mood")})}, enums={"mood": ["ok", "sad"]}
    )
    (mood,) = CodeValues(MemoryTree({})).for_column("orders", "mood", catalog)
    assert mood.kind == "database enum type" and [m.value for m in mood.members] == ["ok", "sad"]


def test_best_needs_a_shared_value() -> None:
    values = CodeValues(MemoryTree(FILES))
    assert values.best("orders", "state", ["new", "gone"]) is not None
    assert values.best("orders", "state", ["gone"]) is None


def test_another_tables_enum_is_not_matched_by_its_suffix() -> None:
    values = CodeValues(MemoryTree({"app/payment.py": "class PaymentStatus(Enum):\n    DUE = 'due'\n"}))
    assert values.for_column("orders", "status") == []
    assert values.for_column("payments", "status")[0].name == "PaymentStatus"
    assert values.for_column("legacy_payments", "status")[0].name == "PaymentStatus"
