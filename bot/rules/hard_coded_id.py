"""Hard-coded IDs mean something different in every environment, and sometimes something else in the code.

## Why is this bad?
`SET plan_id = 2` or `WHERE id IN (3, 4)` assume that the rows with those keys are the same in
production as on the laptop where the migration was written. Sequences, seeds and manual fixes make
them differ. When the code defines a constant for the same lookup (`Priority.HIGH = 3`) and the
migration maps `'high'` to `1`, the migration is not just fragile: it writes the wrong value, an ID swap,
and every row it touches now means something else.

IDs the migrations themselves seed with explicit keys (`INSERT INTO plans (id, code) VALUES (2, 'pro')`) are
the same in every environment built from them: those are named, and an ID that is not among them is an error
on every such database (a foreign key that fails, a filter that matches nothing). Rows created with models
count as seeded too: Rails `create!`, `insert_all` and `upsert_all` in migrations and in `db/seeds.rb`,
Django `RunPython` creates, `bulk_create` and fixtures (JSON, YAML or XML) loaded with `loaddata`, Alembic
`op.bulk_insert`, Laravel `DB::table(…)->insert([…])` and `Model::create([…])` in migrations and in
`database/seeders`, Knex `knex('t').insert([…])` in migrations and in seed files, Ecto `Repo.insert!` and
`Repo.insert_all` in migrations and in `priv/repo/seeds.exs`.
A CASE that maps labels to IDs is compared with the seeded rows' labels as with the code's constants.

## Use instead
Look the ID up by a stable key in the same statement
(`SET plan_id = (SELECT id FROM plans WHERE code = 'pro')`), or use the value the code's constant
defines, and verify the mapping in production before the deploy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.catalog import Catalog, same_table
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import DataDelete, DataInsert, DataUpdate, Migration, Operation
from bot.references.code_values import describe, member_for, normal, plural, where
from bot.references.codesyntax import Definition
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, referenced_table, where_of
from bot.sql.domains import literal
from bot.sql.names import identifier

RULE = Rule(
    id="hard-coded-id",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.WARNING,
    help="Look IDs up by a stable key (`(SELECT id FROM plans WHERE code = 'pro')`) or use the code's constant.",
    bad=("UPDATE accounts SET plan_id = 2 WHERE id IN (3, 4);",),
    good=(
        "UPDATE accounts SET plan_id = (SELECT id FROM plans WHERE code = 'pro') WHERE legacy_plan = 'gold';",
    ),
)

_ID = re.compile(r"^(?:id|\w+_id)$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    compared: set[int] = set()  # statements whose IDs were compared with the code's constants
    for op, mapping, _ in mapping_sites(migration.up):
        if not _ID.match(mapping.target):
            continue
        pairs = [
            (label, result) for condition, result in mapping.whens for label in (literals(condition) or ())
        ]
        definition = _definition(op, mapping.target, pairs, context)
        finding = (
            _compare(op, mapping.target, pairs, definition)
            if definition
            else _case_ids(op, mapping.target, mapping.whens, migration)
        )
        compared.add(id(op))
        if finding is not None:
            yield finding
    for statement in migration.up:
        if isinstance(statement, DataInsert):
            yield from _inserted_ids(statement, context)
        if not isinstance(statement, DataUpdate | DataDelete) or id(statement) in compared:
            continue
        ids = _literal_ids(statement)
        if not ids:
            continue
        pair = _labelled_assignment(statement) if isinstance(statement, DataUpdate) else None
        definition = _definition(statement, pair[0], [pair[1]], context) if pair else None
        swap = _compare(statement, pair[0], [pair[1]], definition) if pair and definition else None
        if swap is not None:
            yield swap  # `SET state_id = 2 WHERE status = 'paid'` where the code or the seeds say paid is 1
            continue
        seeded = _against_seeds(statement, ids, context, pair)
        if seeded is not None:
            yield seeded
            continue
        if pair and definition:
            continue
        listed = ", ".join(f"`{column} = {value}`" for column, value in ids[:5])
        yield statement.finding(
            RULE,
            f"The statement on `{statement.table}` hard-codes IDs: {listed}.",
            blast_radius="In an environment where these keys name other rows, the migration changes the wrong rows "
            "or points them at the wrong parent, silently.",
        )


def _seeded(catalog: Catalog, table: str, column: str) -> tuple[str, str, dict[str, str]] | None:
    """The table a key column points at, its key column, and the rows the migrations seed into it with
    explicit keys (key → a label of the row); None when the migrations seed no such rows."""
    target, key = table, "id"
    if column != "id":
        found = next(
            (
                fk
                for fk in catalog.foreign_keys.values()
                if same_table(fk.table, table) and fk.columns == (column,)
            ),
            None,
        )
        if found is not None:
            target, key = found.references, (found.referenced_columns or ("id",))[0]
        else:
            guess = plural(column.removesuffix("_id"))
            if guess not in catalog.tables:
                return None
            target = guess
    rows = catalog.seeds.get(target) or catalog.seeds.get(target.rsplit(".", 1)[-1]) or []
    keyed = {}
    for row in rows:
        value = literal(row.get(key, ""))
        if value is None:
            return None  # a row whose key the database chose: the keys differ between environments
        keyed[value.text] = _label(row, key)
    return (target, key, keyed) if keyed else None


def _label(row: dict[str, str], key: str) -> str:
    for column, sql in row.items():
        value = literal(sql)
        if column != key and value is not None and value.quoted:
            return value.text
    return ""


def _listed(seeds: dict[str, str], ids: list[str]) -> str:
    return ", ".join(f"{i} `{seeds[i]}`" if seeds.get(i) else i for i in ids)


def _against_seeds(
    op: DataUpdate | DataDelete,
    ids: list[tuple[str, str]],
    context: Context,
    pair: tuple[str, tuple[str, str]] | None = None,
) -> Finding | None:
    """Literal IDs of a statement whose every ID column points at rows the migrations seed. `pair`: the column
    set to an ID for rows chosen by a label (`SET state_id = 3 WHERE status = 'cancelled'`), whose seeded row
    should carry that label."""
    catalog = context.before(op)
    judged = []
    for column, values in ids:
        seeded = _seeded(catalog, op.table, column)
        if seeded is None:
            return None
        judged.append((column, re.findall(r"-?\d+", values), *seeded))
    missing = [
        (column, target, key, [i for i in found if i not in seeds])
        for column, found, target, key, seeds in judged
    ]
    missing = [m for m in missing if m[3]]
    if not missing and pair is not None:
        column, (label, value) = pair
        seeds = next((s for c, _, _, _, s in judged if c == column), {})
        meant = seeds.get(value, "")
        if meant and normal(meant) != normal(label) and _names_the_kind(op, label, column):
            target = next(t for c, _, t, _, _ in judged if c == column)
            return op.finding(
                RULE,
                f"`{op.table}.{column}` is set to {value} for the rows whose value is `'{label}'`, but the "
                f"migrations seed {value} in `{target}` as `{meant}`.",
                severity=Severity.WARNING,
                blast_radius=f"Every row the statement chooses points at `{meant}`, not at what `'{label}'` names, "
                "if the ID is a slip; the damage is silent.",
                fix=f"Check which `{target}` row `'{label}'` means, and look it up by its name rather than by ID: "
                f"`(SELECT id FROM {target} WHERE … = '{label}')`.",
            )
    if not missing:
        named = "; ".join(
            f"`{column}` {_listed(seeds, found)} of `{target}`" for column, found, target, _, seeds in judged
        )
        return op.finding(
            RULE,
            f"The statement on `{op.table}` names IDs the migrations seed with explicit keys ({named}): the same "
            "rows in every environment built from them; check production has them too if it was not.",
            severity=Severity.INFO,
            blast_radius="None where production was built by these migrations.",
        )
    column, target, key, absent = missing[0]
    seeds = next(s for c, _, _, _, s in judged if c == column)
    written = isinstance(op, DataUpdate) and any(c == column for c, _ in op.assignments)
    return op.finding(
        RULE,
        f"`{op.table}.{column}` {'is set to' if written else 'is compared with'} {', '.join(absent)}, but the migrations "
        f"seed `{target}` only with {key} {_listed(seeds, list(seeds)[:8])}.",
        severity=Severity.CRITICAL if written else Severity.WARNING,
        blast_radius=(
            f"On every database built from the migrations the statement points rows at a `{target}` row that does "
            "not exist (it fails where a foreign key checks it)."
            if written
            else f"On every database built from the migrations the condition matches no `{target}` row, so the "
            "statement changes nothing there."
        ),
        fix=f"Use a seeded {key} or look it up by a stable key: `(SELECT {key} FROM {target} WHERE … = '…')`.",
    )


# columns whose values name a kind of row, as a lookup table's rows do
_KIND_COLUMNS = frozenset({"status", "state", "type", "kind", "category", "role", "tier", "plan", "level"})


def _names_the_kind(op: DataUpdate | DataDelete, label: str, target: str) -> bool:
    """The label is compared with a column that names what the target's ID stands for (`status` for
    `state_id`, `priority` for `priority_id`), not with any text column (`note = 'x'`)."""
    condition = where_of(op)
    stem = target.removesuffix("_id")
    for node in condition.find_all(exp.EQ) if condition is not None else ():
        if isinstance(node.expression, exp.Literal) and node.expression.name == label:
            column = identifier(node.this) if isinstance(node.this, exp.Column) else ""
            return column in _KIND_COLUMNS or stem in column or column in stem
    return False


def _inserted_ids(op: DataInsert, context: Context) -> Iterator[Finding]:
    """VALUES rows that point a key column at a row the migrations do not seed."""
    catalog = context.before(op)
    for position, column in enumerate(op.columns):
        if column == "id" or not _ID.match(column):
            continue
        seeded = _seeded(catalog, op.table, column)
        if seeded is None:
            continue
        target, key, seeds = seeded
        values = (literal(row[position]) if position < len(row) else None for row in op.rows)
        absent = sorted({v.text for v in values if v is not None and not v.quoted and v.text not in seeds})
        if absent:
            yield op.finding(
                RULE,
                f"Rows inserted into `{op.table}` set `{column}` to {', '.join(absent[:8])}, but the migrations seed "
                f"`{target}` only with {key} {_listed(seeds, list(seeds)[:8])}.",
                severity=Severity.CRITICAL,
                blast_radius=f"On every database built from the migrations these rows point at `{target}` rows that "
                "do not exist (the INSERT fails where a foreign key checks it).",
                fix=f"Use a seeded {key}, or seed the `{target}` row first in the same migration.",
            )


def _case_ids(
    op: DataUpdate | DataInsert, target: str, whens: tuple[tuple[str, str], ...], migration: Migration
) -> Finding | None:
    ids = [result for _, result in whens if result.lstrip("-").isdigit()]
    if not ids or target == "id":
        return None
    lookup = referenced_table(migration.up, op.table, target) or plural(target.removesuffix("_id"))
    return op.finding(
        RULE,
        f"The CASE that sets `{op.table}.{target}` maps to hard-coded IDs {', '.join(ids)}, assumed to name the same "
        f"rows of `{lookup}` in every environment; the code defines no constants to compare them with.",
        blast_radius=f"Where `{lookup}` was seeded in another order, every mapped row points at the wrong `{lookup}` row.",
        fix=f"Check `SELECT * FROM {lookup} WHERE id IN ({', '.join(ids)})` in production, or look each ID up by a "
        f"stable key: `(SELECT id FROM {lookup} WHERE code = '…')`.",
    )


def _literal_ids(op: Operation) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    tree = op.expression
    if tree is None:
        return found
    for assignment in tree.expressions if isinstance(op, DataUpdate) else ():
        if (
            isinstance(assignment, exp.EQ)
            and isinstance(assignment.expression, exp.Literal)
            and not assignment.expression.is_string
        ):
            column = identifier(assignment.this)
            if _ID.match(column):
                found.append((column, assignment.expression.name))
    condition = where_of(op)
    for node in condition.find_all(exp.EQ, exp.In) if condition is not None else ():
        column = identifier(node.this) if isinstance(node.this, exp.Column) else ""
        values = [node.expression] if isinstance(node, exp.EQ) else list(node.expressions)
        numbers = [v.name for v in values if isinstance(v, exp.Literal) and not v.is_string]
        if _ID.match(column) and numbers and len(numbers) == len(values):
            found.append((column, ", ".join(numbers) if len(numbers) == 1 else f"({', '.join(numbers)})"))
    return found


def _labelled_assignment(op: DataUpdate) -> tuple[str, tuple[str, str]] | None:
    """`SET priority_id = 1 WHERE priority = 'high'` → ("priority_id", ("high", "1"))."""
    condition = where_of(op)
    labels = (
        [
            node.expression.name
            for node in condition.find_all(exp.EQ)
            if isinstance(node.expression, exp.Literal) and node.expression.is_string
        ]
        if condition is not None
        else []
    )
    for column, value in _literal_ids(op)[:1]:
        if column != "id" and len(labels) == 1:
            return column, (labels[0], value)
    return None


def _definition(
    op: Operation, target: str, pairs: list[tuple[str, str]], context: Context
) -> Definition | None:
    if not pairs or not all(result.lstrip("-").isdigit() for _, result in pairs):
        return None
    return context.values.best(
        str(getattr(op, "table", "")),
        target,
        [label for label, _ in pairs],
        context.before(op),
        by_label=True,
    )


def _compare(
    op: Operation, target: str, pairs: list[tuple[str, str]], definition: Definition
) -> Finding | None:
    """Compare (label, id) pairs with the code's constants for the column; a mismatch is an ID swap."""
    table = str(getattr(op, "table", ""))
    swaps, refs = [], []
    for label, result in pairs:
        member = next(
            (m for m in definition.members if normal(label) in (normal(m.label), normal(m.value))), None
        )
        if member is None or not member.value.lstrip("-").isdigit() or member.value == result:
            continue
        meaning = member_for(definition, result)
        means = f"; {result} is `{meaning.label}` there" if meaning is not None else ""
        swaps.append(
            f"`'{label}'` → {result}, but `{definition.name}` defines `{member.label} = {member.value}`{means}"
        )
        refs.append(where(definition, member))
    if not swaps:
        return None
    return op.finding(
        RULE,
        f"ID swap in `{table}.{target}`: {'; '.join(swaps)} ({describe(definition)}).",
        severity=Severity.CRITICAL,
        references=tuple(refs),
        blast_radius=f"Every row the statement maps gets an ID that the application reads as a different "
        f"`{target.removesuffix('_id')}`; the damage is silent and survives until someone notices wrong data.",
        fix="Use the IDs the code defines ("
        + ", ".join(f"`{m.label} = {m.value}`" for m in definition.members[:6])
        + ") or look them up by key, and verify them in production before deploying.",
    )
