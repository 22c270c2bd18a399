"""Values copied the wrong way round: an inverted boolean, two swapped columns, a mapping reversed.

## Why is this bad?
`SET is_active = is_disabled` reads like a copy and inverts every row; so does `RENAME COLUMN is_hidden TO
is_visible`, which keeps every value under a name that means the opposite. `INSERT INTO accounts (email, name)
SELECT name, email FROM users` puts each value in the other's column. `CASE legacy_state WHEN 0 THEN
'closed' WHEN 1 THEN 'open'` when the code says `open: 0, closed: 1` reverses the mapping. `ALTER TABLE
payments ADD COLUMN payment_method text; UPDATE payments SET payment_method = status` fills the new column
from the wrong one while `payments.method` is right there (a warning: the name says which column was meant,
the statement says another). None of these fail; the data is just wrong, and every row is affected.

## Use instead
Negate explicitly (`SET is_active = NOT is_disabled`), list the SELECT in the same order as the INSERT's
columns, and map each value to the meaning the code gives it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import CaseMapping, DataInsert, DataUpdate, Migration, RenameColumn
from bot.references.code_values import describe, member_for, normal, where
from bot.references.inflection import singularize, underscore
from bot.rules._backfill import sets_column
from bot.rules._keys import pairs, swaps, telling
from bot.rules.context import Context
from bot.sql.data_changes import literals, mapping_sites, source_column, where_of
from bot.sql.names import identifier
from bot.sql.writes import writes

RULE = Rule(
    id="swapped-values",
    dimension=Dimension.TRANSFORMATION,
    severity=Severity.CRITICAL,
    help="Negate explicitly, keep INSERT columns and SELECT expressions in the same order, and follow the code's mapping.",
    bad=(
        "UPDATE users SET is_active = is_disabled WHERE id >= 1 AND id < 1000;",
        "INSERT INTO contacts (email, name) SELECT name, email FROM users;",
    ),
    good=(
        "UPDATE users SET is_active = NOT is_disabled WHERE id >= 1 AND id < 1000;",
        "INSERT INTO contacts (email, name) SELECT email, name FROM users;",
    ),
)

_OPPOSITES = (
    ("active", "inactive"),
    ("active", "disabled"),
    ("active", "deleted"),
    ("active", "archived"),
    ("active", "suspended"),
    ("active", "deactivated"),
    ("enabled", "disabled"),
    ("visible", "hidden"),
    ("public", "private"),
    ("published", "draft"),
    ("published", "unpublished"),
    ("valid", "invalid"),
    ("locked", "unlocked"),
    ("allowed", "blocked"),
    ("allowed", "denied"),
    ("open", "closed"),
    ("verified", "unverified"),
    ("approved", "rejected"),
    ("on", "off"),
    ("subscribed", "unsubscribed"),
)
_PREFIX = re.compile(r"^(?:is|has|can|should|was)_|_(?:flag|bool)$")


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    for op in migration.up:
        if isinstance(op, DataUpdate | DataInsert):
            yield from _inverted(op)
        if isinstance(op, DataUpdate | DataInsert):
            yield from _flag_named_backwards(op)
        if isinstance(op, DataUpdate):
            yield from _set_where_opposite_agrees(op)
            yield from _misnamed_source(op, context)
        crossed = list(_crossed(op)) if isinstance(op, DataInsert) and op.expression is not None else []
        yield from crossed
        if isinstance(op, DataUpdate | DataInsert) and not crossed:
            yield from _keys_swapped(op, context)
    for op, mapping, table in mapping_sites(migration.up):
        yield from _reversed(op, mapping.target, mapping.source, mapping.whens, table, context)
    for op in migration.up:
        if isinstance(op, RenameColumn) and opposite(op.column.lower(), op.new_name.lower()):
            yield from _renamed_to_opposite(op, migration, context)


def _renamed_to_opposite(op: RenameColumn, migration: Migration, context: Context) -> Iterator[Finding]:
    """`RENAME COLUMN is_hidden TO is_visible` keeps every value: each row now says the opposite, unless the
    migration negates them (`SET is_visible = NOT is_visible`)."""
    if any(sets_column(other, op.table, op.column, op.new_name) for other in migration.up):
        return
    yield op.finding(
        RULE,
        f"`{op.table}.{op.column}` is renamed to `{op.new_name}`, which means the opposite, and its values are "
        "kept: every row now says the reverse of what it said.",
        blast_radius=f"Every row of {context.size_words(op.table)}: code reading `{op.new_name}` treats each row "
        "as the opposite of what it is (hidden rows shown, disabled ones enabled).",
        fix=f"Negate the values in the same migration (`UPDATE {op.table} SET {op.new_name} = NOT {op.new_name}`, "
        "in batches, with the code switching at the same time), or better add the new column, fill it with "
        f"`NOT {op.column}`, move the code to it, then drop the old one.",
    )


def opposite(a: str, b: str) -> bool:
    x, y = _PREFIX.sub("", a), _PREFIX.sub("", b)
    if {x, y} in ({p, q} for p, q in _OPPOSITES):
        return True
    return y in (f"not_{x}", f"un{x}", f"in{x}", f"non_{x}") or x in (
        f"not_{y}",
        f"un{y}",
        f"in{y}",
        f"non_{y}",
    )


def _inverted(op: DataUpdate | DataInsert) -> Iterator[Finding]:
    """A column filled from one of the opposite meaning, with no negation: from the SET or the INSERT's
    SELECT, or from an ORM's column reference (`F("is_hidden")`) when there is no SQL tree."""
    copies = [
        (write.target, identifier(write.value.this))
        for write in writes(op)
        if isinstance(write.value, exp.Column)
    ]
    if op.expression is None and isinstance(op, DataUpdate):
        copies = [(target, value) for target, value in op.assignments if _BARE.fullmatch(value)]
    copies += [(m.target, m.source) for m in op.case_mappings if m.source and _identity(m)]
    verb = "updated" if isinstance(op, DataUpdate) else "inserted"
    for target, source in copies:
        if opposite(target, source):
            fix = f"`NOT {source}`" + (
                f" in `SET {target} = NOT {source}`" if isinstance(op, DataUpdate) else ""
            )
            yield op.finding(
                RULE,
                f"`{op.table}.{target}` is filled from `{source}`, which means the opposite: every row is inverted.",
                blast_radius=f"Every {verb} row of `{op.table}` gets the reverse of the intended `{target}`.",
                fix=f"Write {fix} (and decide what NULL in `{source}` should become).",
            )


def _truth(node: exp.Expression | None) -> bool | None:
    """TRUE/FALSE, and 1/0 as MySQL writes them."""
    if isinstance(node, exp.Boolean):
        return bool(node.this)
    if isinstance(node, exp.Literal) and not node.is_string and node.name in ("0", "1"):
        return node.name == "1"
    return None


def _flag_tests(condition: exp.Expression) -> Iterator[tuple[str, bool]]:
    """(column, value) for each flag the condition requires of every row: `is_active = TRUE`,
    `is_active`, `NOT is_active`, `is_active IS FALSE`, joined by AND."""
    parts = list(condition.flatten()) if isinstance(condition, exp.And) else [condition]
    for part in parts:
        part = part.unnest()
        negated = isinstance(part, exp.Not)
        inner = part.this.unnest() if negated else part
        if isinstance(inner, exp.Column):
            yield identifier(inner.this), not negated
        elif isinstance(inner, exp.EQ | exp.Is) and isinstance(inner.this, exp.Column):
            value = _truth(inner.expression)
            if value is not None:
                yield identifier(inner.this.this), value != negated


def _flag_named_backwards(op: DataUpdate | DataInsert) -> Iterator[Finding]:
    """`CASE WHEN active THEN 'inactive' ELSE 'active' END`: a flag turned into words, each the opposite of
    what the flag says (the WHEN's word names the flag's opposite, or the ELSE's names the flag itself)."""
    for write in writes(op):
        case = write.value.unnest()
        if not isinstance(case, exp.Case) or case.this is not None:
            continue
        wrong: list[str] = []
        flags: set[str] = set()
        for branch in case.args.get("ifs") or []:
            tests = list(_flag_tests(branch.this))
            word = branch.args.get("true")
            if len(tests) != 1 or not isinstance(word, exp.Literal) or not word.is_string:
                continue
            (flag, value), said = tests[0], normal(word.name)
            flags.add(flag)
            core = _PREFIX.sub("", flag.lower())
            if (value and opposite(core, said)) or (not value and said == core):
                wrong.append(f"{flag} {str(value).upper()} → `'{word.name}'`")
        default = case.args.get("default")
        if len(flags) == 1 and isinstance(default, exp.Literal) and default.is_string:
            flag = next(iter(flags))
            if normal(default.name) == _PREFIX.sub("", flag.lower()) and not any(
                value is False
                for branch in case.args.get("ifs") or []
                for _, value in _flag_tests(branch.this)
            ):
                wrong.append(f"{flag} FALSE → `'{default.name}'`")
        if wrong:
            yield op.finding(
                RULE,
                f"The CASE that sets `{op.table}.{write.target}` names each flag value backwards: {'; '.join(wrong)}.",
                blast_radius=f"Every row of `{op.table}` gets the word for the opposite of its flag in "
                f"`{write.target}`.",
                fix="Swap the results so each word says what the flag says (and decide what NULL should become).",
            )


def _set_where_opposite_agrees(op: DataUpdate) -> Iterator[Finding]:
    """`SET is_disabled = TRUE WHERE is_active = TRUE`: a flag set on exactly the rows whose flag of the
    opposite meaning says the same, so every changed row ends up contradicting itself (meant: the inactive
    ones)."""
    condition = where_of(op)
    if condition is None:
        return
    # a flag the statement also writes is no flag the changed rows keep (`SET is_active = FALSE, is_archived =
    # TRUE WHERE is_active = TRUE` archives the active rows and deactivates them together)
    written = {w.target.lower() for w in writes(op)}
    tests = [
        (column, required) for column, required in _flag_tests(condition) if column.lower() not in written
    ]
    for write in writes(op):
        value = _truth(write.value)
        if value is None:
            continue
        for column, required in tests:
            if value == required and opposite(write.target.lower(), column.lower()):
                yield op.finding(
                    RULE,
                    f"`{op.table}.{write.target}` is set to {str(value).upper()} on the rows where `{column}`, "
                    f"which means the opposite, is {str(required).upper()}: every row changed ends up "
                    "contradicting itself.",
                    severity=Severity.WARNING,
                    blast_radius=f"The rows of `{op.table}` the statement meant to leave alone are the ones it "
                    f"changes: `{write.target}` and `{column}` then both say {str(value).upper()}.",
                    fix=f"Select the other rows: `WHERE {column} = {str(not required).upper()}` (or `WHERE NOT "
                    f"{column}`); count both groups first.",
                )


_BARE = re.compile(r"[A-Za-z_]\w*")
_TRUTH = {"TRUE": "TRUE", "1": "TRUE", "FALSE": "FALSE", "0": "FALSE"}


_QUALIFIERS = re.compile(r"^(?:new|old|tmp|temp|copy|legacy|backup|v\d+)$")


def _words(name: str, ignore: frozenset[str] = frozenset()) -> frozenset[str]:
    """`payment_method`, `paymentMethod` → {payment, method}, without the words in `ignore` and without
    qualifiers such as `new`, `tmp` or `v2`."""
    found = {w for w in re.split(r"[^a-z0-9]+", underscore(name)) if w}
    return frozenset(w for w in found if w not in ignore and not _QUALIFIERS.match(w))


def _misnamed_source(op: DataUpdate | DataInsert, context: Context) -> Iterator[Finding]:
    """A column copied from one whose name has nothing in common with it, while the source table has a
    column that its name does point to: `payment_method ← status` next to `payments.method`."""
    catalog = context.before(op)
    copies = [
        (write.target, identifier(write.value.this), write.table_of(write.value))
        for write in writes(op)
        if isinstance(write.value, exp.Column)
    ]
    if op.expression is None and isinstance(op, DataUpdate):  # an ORM's `F("status")`, `update_all("a = b")`
        copies = [(target, value, op.table) for target, value in op.assignments if _BARE.fullmatch(value)]
    for target, source, table in copies:
        known = catalog.tables.get(table)
        if known is None or source not in known.columns:
            continue
        written = op.table.rsplit(".", 1)[-1]
        wanted = _words(target, frozenset(singularize(w) for w in _words(written)))
        given = _words(source)
        if not wanted or "id" in wanted | given or _shares(wanted, given):
            continue  # keys are the business of `_keys_swapped`
        meant = sorted(
            name for name in known.columns if name not in (source, target) and _words(name) == wanted
        )
        if len(meant) != 1:
            continue
        verb = "updated" if isinstance(op, DataUpdate) else "inserted"
        yield op.finding(
            RULE,
            f"`{op.table}.{target}` is filled from `{source}`, but `{table}.{meant[0]}` is the column its "
            f"name points to: the values of `{source}` end up in `{target}`.",
            severity=Severity.WARNING,
            blast_radius=f"Every {verb} row of `{op.table}` gets its `{source}` in `{target}`; nothing fails.",
            fix=f"Fill `{target}` from `{meant[0]}`, or say in the migration why `{source}` is meant.",
        )


def _shares(a: frozenset[str], b: frozenset[str]) -> bool:
    """Do two names share a word, or does a word of one contain one of the other (`username`, `name`)?"""
    return any(x == y or (len(y) >= 3 and y in x) or (len(x) >= 3 and x in y) for x in a for y in b)


def _identity(mapping: CaseMapping) -> bool:
    """A CASE that gives each boolean value back unchanged (`CASE WHEN is_hidden THEN TRUE ELSE FALSE END`,
    Django's `Case(When(is_hidden=True, then=Value(True)), default=Value(False))`): a copy of the column."""
    pairs = [(_TRUTH.get(v.upper()), _TRUTH.get(r.upper())) for v, r in mapping.whens]
    if not pairs or any(v is None or v != r for v, r in pairs):
        return False
    kept = {v for v, _ in pairs}
    otherwise = _TRUTH.get((mapping.otherwise or "NULL").upper(), "NULL")
    return otherwise == "NULL" or otherwise not in kept


def _keys_swapped(op: DataUpdate | DataInsert, context: Context) -> Iterator[Finding]:
    """Two key columns filled from each other's tables' keys: `user_id ← m.team_id`, `team_id ← m.member_id`."""
    found = [p for p in pairs(op, context.before(op)) if p.written and p.crossed and telling(p)]
    exchanged = swaps(found)
    if len(exchanged) < 2:
        return
    described = "; ".join(
        f"`{p.target}` ({p.left_key.how}) ← `{p.right}` ({p.right_key.how})" for p in exchanged
    )
    yield op.finding(
        RULE,
        f"The data change on `{op.table}` fills key columns with each other's keys: {described}.",
        blast_radius=f"Every row written to `{op.table}` links each parent in the other's place; with the numbers "
        "of both tables overlapping, nothing fails.",
        fix="Take each key from the column that references the same table: "
        + ", ".join(f"`{p.target}` from a key of `{p.left_key.table}`" for p in exchanged)
        + ".",
    )


def _crossed(op: DataInsert) -> Iterator[Finding]:
    select = op.expression.find(exp.Select)
    if select is None or not op.columns or len(select.expressions) != len(op.columns):
        return
    picked = [identifier(e.this) if isinstance(e, exp.Column) else "" for e in select.expressions]
    named = {
        target: source
        for target, source in zip(op.columns, picked, strict=True)
        if source and source != target and source in op.columns
    }
    # A swap sends values round a cycle (a ← b, b ← a). A column copied from another table that happens to
    # share a name with a different column of this one (`template_type` ← `type`) is no swap.
    crossed = [(target, source) for target, source in named.items() if _cycles_back(named, source, target)]
    if len(crossed) >= 2:
        pairs = ", ".join(f"`{t}` ← `{s}`" for t, s in crossed)
        yield op.finding(
            RULE,
            f"The INSERT into `{op.table}` fills columns from other columns of the same names: {pairs}.",
            blast_radius=f"Every inserted row of `{op.table}` has these values in each other's columns.",
            fix="List the SELECT expressions in the order of the INSERT's column list: "
            + ", ".join(op.columns)
            + ".",
        )


def _cycles_back(named: dict[str, str], start: str, target: str) -> bool:
    """Does following `column ← source` from `start` come back to `target`?"""
    current = start
    for _ in range(len(named)):
        if current == target:
            return True
        if current not in named:
            return False
        current = named[current]
    return current == target


def _reversed(
    op: DataUpdate | DataInsert,
    target: str,
    source: str | None,
    whens: tuple[tuple[str, str], ...],
    table: str,
    context: Context,
) -> Iterator[Finding]:
    column, _ = source_column(source)
    pairs = [(v, r) for condition, r in whens for v in (literals(condition) or ())]
    if not column or not pairs:
        return
    booleans = [(v, r) for v, r in pairs if r.upper() in ("TRUE", "FALSE")]
    wrong = [f"`'{v}'` → {r}" for v, r in booleans if _boolean_reversed(target, v, r.upper() == "TRUE")]
    refs = []
    definition = context.values.best(table, column, [v for v, _ in pairs], context.catalog)
    for value, result in pairs:
        if definition is None:
            break
        member, text = member_for(definition, value), literals(result)
        if member is None or not text or member.value != value or normal(text[0]) == normal(member.label):
            continue
        other = next((m for m in definition.members if normal(m.label) == normal(text[0])), None)
        if other is not None:
            wrong.append(
                f"`{value}` → `'{text[0]}'`, but the code names {value} `{member.label}` "
                f"(`'{text[0]}'` is {other.value})"
            )
            refs.append(where(definition, member))
    if wrong:
        code = f" ({describe(definition)})" if refs and definition is not None else ""
        yield op.finding(
            RULE,
            f"The CASE that sets `{op.table}.{target}` maps values the wrong way round: {'; '.join(wrong)}{code}.",
            references=tuple(refs),
            blast_radius=f"Rows with these values of `{column}` get the opposite meaning in `{target}`.",
            fix="Swap the results so each value keeps the meaning the code gives it.",
        )


def _boolean_reversed(target: str, value: str, result: bool) -> bool:
    core = _PREFIX.sub("", target)
    word = normal(value)
    return (word == core and not result) or (opposite(core, word) and result)
