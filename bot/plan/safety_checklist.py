"""The Migration Safety Checklist: transaction, batching, reversibility and timeouts, each with its evidence."""

from __future__ import annotations

from collections.abc import Sequence

from bot.frameworks.forward_only import forward_fix, runner_name, way_back_words
from bot.model.findings import ChecklistItem, Finding
from bot.model.markup import code_span
from bot.model.migration import (
    AddColumn,
    AddConstraint,
    AddIndex,
    AlterColumnType,
    CreateTable,
    DataDelete,
    DataUpdate,
    DropColumn,
    DropConstraint,
    DropIndex,
    DropNotNull,
    DropTable,
    Migration,
    Operation,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    SetTimeout,
    Transaction,
    Truncate,
    Unparsed,
    statement_count,
    wrapped,
)

SAFETY = "Migration Safety Checklist"
ROLLBACK_RULES = ("missing-down-migration", "down-recreates-empty")


def items(migrations: Sequence[Migration], active: list[Finding]) -> list[ChecklistItem]:
    if not migrations:
        return [
            ChecklistItem(SAFETY, t, "not-applicable", "no migration changed")
            for t in (
                "Transaction wrapped",
                "Batched processing for large tables",
                "Reversible without data loss",
                "Timeout handling in place",
            )
        ]
    by_rule: dict[str, list[Finding]] = {}
    for f in active:
        by_rule.setdefault(f.rule, []).append(f)
    ops = [op for m in migrations for op in m.up]
    found = [
        _transaction(migrations, by_rule),
        _batching(ops, by_rule),
        _reversible(migrations, ops, by_rule),
        _timeouts(ops, active, by_rule),
    ]
    # a migration of which nothing could be read vouches for nothing: no item is checked or ruled out by it
    unread = [m for m in migrations if m.up and all(isinstance(op, Unparsed) for op in m.up)]
    if not unread:
        return found
    said = f"not verified: `{unread[0].path}` could not be read" + (
        f" (nor {len(unread) - 1} other migration{'s' if len(unread) > 2 else ''})" if len(unread) > 1 else ""
    )
    named = tuple(f"`{m.path}`" for m in unread)
    return [
        item
        if item.state == "unchecked" and not any(path in item.detail for path in named)
        else ChecklistItem(SAFETY, item.text, "unchecked", f"{said}; check it by hand")
        for item in found
    ]


def _transaction(migrations: Sequence[Migration], by_rule: dict[str, list[Finding]]) -> ChecklistItem:
    text = "Transaction wrapped"
    wrong = [
        r
        for r in ("concurrent-in-transaction", "nested-transaction", "uncommitted-transaction")
        if r in by_rule
    ]
    if wrong:
        return ChecklistItem(SAFETY, text, "unchecked", by_rule[wrong[0]][0].message)
    outside = [m for m in migrations if not wrapped(m) and not _atomic(m)]
    on_purpose = [m for m in outside if m.up and all(_outside_on_purpose(op) for op in m.up)]
    committed = [m for m in migrations if m not in outside and _commits_part_way(m)]
    if committed and not (set(outside) - set(on_purpose)):
        return ChecklistItem(
            SAFETY,
            text,
            "unchecked",
            "MySQL commits after every DDL statement, so the runner's transaction does not make "
            + ", ".join(code_span(m.path) for m in committed[:3])
            + (f" and {len(committed) - 3} more" if len(committed) > 3 else "")
            + " atomic: a failure part-way leaves the statements before it applied, and running it again fails "
            "on them unless each is written to run twice (`IF NOT EXISTS`, `IF EXISTS`)",
        )
    if not outside:
        notes = {m.transaction_note if wrapped(m) else "a single statement is atomic" for m in migrations}
        return ChecklistItem(SAFETY, text, "checked", "; ".join(sorted(notes)))
    if len(on_purpose) == len(outside):
        return ChecklistItem(
            SAFETY,
            text,
            "not-applicable",
            "concurrent index builds and batched data changes run "
            "outside a transaction on purpose: " + ", ".join(f"`{m.path}`" for m in on_purpose),
        )
    return ChecklistItem(
        SAFETY,
        text,
        "unchecked",
        "not in a transaction: "
        + ", ".join(f"`{m.path}` ({m.transaction_note})" for m in outside if m not in on_purpose),
    )


def _atomic(m: Migration) -> bool:
    return statement_count(m.up) <= 1


# Statements MySQL and MariaDB commit implicitly, before and after, whatever transaction is open
_IMPLICIT_COMMIT = (
    CreateTable,
    DropTable,
    RenameTable,
    Truncate,
    AddColumn,
    DropColumn,
    RenameColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    AddIndex,
    DropIndex,
    AddConstraint,
    DropConstraint,
)


def _commits_part_way(m: Migration) -> bool:
    """A MySQL or MariaDB migration the runner wraps in a transaction, of several statements one of which is
    DDL: each DDL statement commits what ran before it, so the migration is not one unit. The statements of a
    Liquibase changeSet are counted within it, as each changeSet is recorded on its own."""
    if m.dialect not in ("mysql", "mariadb"):
        return False
    units: dict[str, list[Operation]] = {}
    for op in m.up:
        if not isinstance(op, Transaction | SetTimeout):
            units.setdefault(op.applied_unit, []).append(op)
    return any(
        statement_count(tuple(ops)) > 1 and any(isinstance(op, _IMPLICIT_COMMIT) for op in ops)
        for ops in units.values()
    )


def _outside_on_purpose(op: Operation) -> bool:
    if op.kind in ("SetTimeout", "Transaction"):
        return True
    if isinstance(op, DataUpdate | DataDelete):
        return op.batched
    return bool(getattr(op, "concurrently", False))


def _batching(ops: list[Operation], by_rule: dict[str, list[Finding]]) -> ChecklistItem:
    text = "Batched processing for large tables"
    if not [op for op in ops if isinstance(op, DataUpdate | DataDelete)]:
        return ChecklistItem(SAFETY, text, "not-applicable", "no UPDATE or DELETE of existing rows")
    if "unbatched-data-change" in by_rule:
        return ChecklistItem(SAFETY, text, "unchecked", by_rule["unbatched-data-change"][0].message)
    return ChecklistItem(
        SAFETY, text, "checked", "every data change runs in batches or touches a new or small table"
    )


def _reversible(
    migrations: Sequence[Migration], ops: list[Operation], by_rule: dict[str, list[Finding]]
) -> ChecklistItem:
    text = "Reversible without data loss"
    problems = [f for r in ROLLBACK_RULES for f in by_rule.get(r, [])]
    if problems:
        return ChecklistItem(SAFETY, text, "unchecked", "; ".join(f.message for f in problems[:2]))
    irreversible = [m for m in migrations if m.down is None and not forward_fix(m)]
    if irreversible:
        return ChecklistItem(
            SAFETY,
            text,
            "unchecked",
            "; ".join(f"`{m.path}` {way_back_words(m)}" for m in irreversible[:2]),
        )
    lossy = [op for op in ops if isinstance(op, DropColumn | DropTable | Truncate | DataDelete)]
    forward = sorted({runner_name(m) for m in migrations if forward_fix(m)})
    if forward:
        by_design = (
            f"{' and '.join(forward)} ha{'ve' if len(forward) > 1 else 's'} no down migrations by design"
        )
        if lossy:
            return ChecklistItem(
                SAFETY,
                text,
                "unchecked",
                f"{by_design}, and a forward fix cannot bring back what {code_span(lossy[0].sql.strip()[:60])} "
                "destroys: save it before the deploy (see the rollback plan)",
            )
        return ChecklistItem(
            SAFETY, text, "checked", f"{by_design}: the way back is a forward fix (rollback plan)"
        )
    if lossy:
        return ChecklistItem(
            SAFETY,
            text,
            "checked",
            "every migration has a down migration, and the data it "
            "destroys is copied aside and restored by it",
        )
    empty = [m for m in migrations if m.up and (m.down_does_nothing or m.down == ())]
    if empty:
        # an empty down is a way back only because the up destroys nothing: say so, not "has a down migration"
        return ChecklistItem(
            SAFETY,
            text,
            "checked",
            f"the down migration of `{empty[0].path}` does nothing (a rollback leaves its changes in place), "
            "and no migration destroys data",
        )
    return ChecklistItem(SAFETY, text, "checked", "every migration has a down migration and destroys no data")


def _timeouts(
    ops: list[Operation], active: list[Finding], by_rule: dict[str, list[Finding]]
) -> ChecklistItem:
    text = "Timeout handling in place"
    for rule in ("missing-lock-timeout", "missing-statement-timeout"):
        if rule in by_rule:
            return ChecklistItem(SAFETY, text, "unchecked", by_rule[rule][0].message)
    settings = sorted({str(getattr(op, "setting", "")) for op in ops if isinstance(op, SetTimeout)})
    if settings:
        return ChecklistItem(
            SAFETY,
            text,
            "checked",
            f"{', '.join(f'`{s}`' for s in settings)} set before the statements that need it",
        )
    if any(f.dimension.value == "migration-safety" for f in active):
        return ChecklistItem(
            SAFETY, text, "checked", "the runner sets the timeouts (no finding asks for one)"
        )
    return ChecklistItem(
        SAFETY, text, "not-applicable", "no statement waits for a lock or runs long on an existing table"
    )
