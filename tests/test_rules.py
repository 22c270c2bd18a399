"""Every rule: registered once and sorted, documented, and its own examples agree with its logic."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest

import bot.rules
from bot.render.docs import rule_page
from bot.rules import RULES

from .conftest import review_removal, review_sql, rule_ids

EXAMPLES = [(m.RULE.id, "bad", i, text) for m in RULES for i, text in enumerate(m.RULE.bad)] + [
    (m.RULE.id, "good", i, text) for m in RULES for i, text in enumerate(m.RULE.good)
]


def _dialect(rule_id: str) -> str:
    rule = bot.rules.rule(rule_id)
    return rule.dialects[0] if rule.dialects else "postgres"


@pytest.mark.parametrize(
    ("rule_id", "kind", "index", "sql"), EXAMPLES, ids=[f"{r}-{k}{i}" for r, k, i, _ in EXAMPLES]
)
def test_examples(rule_id: str, kind: str, index: int, sql: str) -> None:
    # Rules about production data meet the data their module describes (EXAMPLE_FACTS).
    # An edited migration's rule meets its examples as an edit of the base branch's file (EXAMPLE_BASE).
    facts = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_FACTS", None)
    previous = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_BASE", None)
    # A rule about some versions of a database meets its examples on such a version (EXAMPLE_CONFIG).
    config = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_CONFIG", None)
    # A rule comparing a migration with the application's code meets its examples with that code (EXAMPLE_HEAD).
    head = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_HEAD", None)
    # A rule about one framework's migrations meets its examples as such a migration (EXAMPLE_PATH).
    path = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_PATH", "db/migrations/001_change.sql")
    # A rule about the set of migrations meets its examples beside the base branch's (EXAMPLE_TREE), each
    # under its own name where the name decides (EXAMPLE_PATHS).
    path = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_PATHS", {}).get((kind, index), path)
    tree = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_TREE", None)
    # A rule about deleted migrations meets its bad examples as the deleted file (EXAMPLE_REMOVED); its good
    # ones, what to write instead, as new migrations.
    removed = getattr(bot.rules.BY_ID[rule_id], "EXAMPLE_REMOVED", None)
    found = rule_ids(
        review_removal(removed, sql, base=tree)
        if removed and kind == "bad"
        else review_sql(
            sql,
            path=path,
            dialect=_dialect(rule_id),
            facts=facts,
            previous=previous,
            config=config,
            head=head,
            base=tree,
        )
    )
    if kind == "bad":
        assert rule_id in found, f"bad example {index} of {rule_id} did not trigger it"
    else:
        assert rule_id not in found, f"good example {index} of {rule_id} triggered it"


PROBED = [m for m in RULES if hasattr(m, "EXAMPLE_FACTS")]


@pytest.mark.parametrize("module", PROBED, ids=[m.RULE.id for m in PROBED])
def test_rules_about_production_stay_quiet_without_a_probe(module: object) -> None:
    rule = module.RULE  # type: ignore[attr-defined]
    for sql in rule.bad + rule.good:
        assert rule.id not in rule_ids(review_sql(sql, dialect=_dialect(rule.id)))


def test_every_module_registered_once_and_sorted() -> None:
    modules = pkgutil.iter_modules(bot.rules.__path__)
    on_disk = {name for _, name, _ in modules if not name.startswith("_")} - {"context"}  # what rules read
    registered = [m.__name__.rsplit(".", 1)[-1] for m in RULES]
    assert sorted(registered) == sorted(on_disk)
    assert len(set(registered)) == len(registered)
    ids = [m.RULE.id for m in RULES]
    assert ids == sorted(ids)


@pytest.mark.parametrize("module", RULES, ids=[m.RULE.id for m in RULES])
def test_rule_shape(module: object) -> None:
    rule = module.RULE  # type: ignore[attr-defined]
    assert module.__name__.rsplit(".", 1)[-1] == rule.id.replace("-", "_")  # type: ignore[attr-defined]
    doc = module.__doc__ or ""  # type: ignore[attr-defined]
    assert "## Why is this bad?" in doc and "## Use instead" in doc
    assert rule.bad and rule.good and rule.help.strip()


def test_docs_are_generated_from_the_rules() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs" / "rules"
    for module in RULES:
        page = docs / f"{module.RULE.id}.md"
        assert page.is_file(), f"run `python -m bot.render.docs` to write {page.name}"
        assert page.read_text(encoding="utf-8") == rule_page(module), (
            f"{page.name} is stale: run `python -m bot.render.docs`"
        )
