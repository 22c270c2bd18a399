"""A migration that already exists in the base branch is edited or renamed.

## Why is this bad?
A runner records each migration it has applied (by version, name or checksum) and never runs it again.
Databases that already ran the old version of the file never see the edit: only new installs (a fresh
test database, a new environment) get the new content, so their schema silently diverges from
production's. Some runners refuse to go on instead (Flyway, Liquibase and sqlx compare checksums and fail the
deploy; for Flyway's validation and sqlx a comment or a line's spacing changes the checksum too). A renamed file is a new migration to a runner that records names or versions: it runs again on
existing databases and fails on objects that already exist, or is skipped where the runner orders by
version. A file renamed to another version with other content (git pairs a removed applied migration with a
new one by similarity) is that too: a new migration beside an applied one whose file is gone, a warning. A
renamed migration that cannot run a second time (an unguarded `ADD COLUMN`, `CREATE TABLE`, `CREATE INDEX` of what
the old one made, or a `DROP` of what it removed) is a block: the deploy stops on every existing database.

## Use instead
Leave the applied migration as it was (restore the base branch's version of the file) and write the
change as a new migration, which every database runs once. Fix only a migration that never left the
branch in place.

An edit that leaves every statement the review reads from the file unchanged (an unused variable or an
import removed around them, an edit inside the migration's own Ruby or Python code that the review does not
run, which the finding asks to check, such as the size of the batches it works in or what it prints), or that changes only the form of its code (a linter's rewrite of functions into
arrow functions, quotes, layout: the same names, values and operators in the same order) is a warning rather
than a block; so is an edit of a Rails migration where the repository keeps `db/schema.rb` or
`db/structure.sql`, which new installs load instead of running the migrations. An edit of comments or
whitespace alone is no finding, nor is the version tag Rails 5 asks of a migration written for Rails 4
(`ActiveRecord::Migration` made `ActiveRecord::Migration[4.2]`, which runs it as it ran); one that leaves every operation the review reads as it was, field for field (a
Django field's `verbose_name`, `help_text` or validators, which never reach the database), is a warning. A file moved under the same version (Ecto, Rails, goose, golang-migrate, dbmate, Diesel; Alembic
under the same name) or the same name (Prisma's migration folder, Knex, Sequelize, TypeORM, Laravel, Flyway,
Drizzle) is still the migration the runner recorded: only an edit of its content counts, and not the name of
its module or class. A Flyway migration renamed under its version with another description (git sees a file
removed and one added when the content changes too) is critical: Flyway validates the description of every
applied migration, and stops the deploy. A move is a warning where the runner records the path (Liquibase, Sqitch, a Django module
moved to another app, SQL files of no known runner); a Liquibase changelog moved with the same `logicalFilePath`
keeps its changeSets, which are compared one by one. An edit of the down alone (a rollback fixed: its statements, or the code of a down written last that
prepares them, with the imports it needs) is a note: the runner records that the up ran, and a
rollback runs the file's current down. An edit that only adds or removes `IF EXISTS` / `IF NOT EXISTS` guards (in an Alembic revision: puts
statements under a question to SQLAlchemy's inspector, `if "…" in inspector.get_indexes(…):`) is a note: the
same changes, made safe to run again. So is an edit that only adds an early return (`if …: return` at the top of
a RunPython function, Rails' `return unless …`, `if (…) return;` in JavaScript and PHP, its condition on one line
or several) in front of code that changes rows: databases that ran the
migration never run it again, and new installs skip that code only where the condition holds (one that skips
an unguarded schema change leaves those installs without it, and stays critical). Liquibase records changeSets, not files: appending a changeSet to a changelog is no finding,
editing or removing one that already ran is (removing one that changes nothing, an empty placeholder, is not). Liquibase's checksum covers a changeSet's changes (and `modifySql`) only: its preconditions, `comment`, `rollback`
and attributes (`context`, `labels`, `dbms`, `runInTransaction`), a formatted changelog's `--changeset` line
attributes and `--precondition-…`, `--comment` and `--rollback` lines can be edited with no finding. A
changeSet that ran given another id with the same changes is a new changeSet to Liquibase, which every database
that ran the old one runs again (critical), unless a precondition marks it ran where its work is done
(`onFail="MARK_RAN"` or `CONTINUE`).
An edit of a migration whose base branch's version PostgreSQL rejects (a syntax error), in the transaction
its runner wraps it in, is a note: no database ran that version, so every database runs the edited one, whose
statements are reviewed as such. A snapshot of the whole schema that only new installs run (a Liquibase snapshot changelog kept beside the update
changelogs, a Flyway `B<version>__` baseline migration) is no migration existing databases ran: editing it is no
finding. Nor is editing a Flyway repeatable migration (`R__…`), which Flyway runs again on every database
whenever its checksum changes: its new content is reviewed as a change every database runs. An edit that a later migration of the same change makes on the databases that
ran the old version (the applied file fixed for new installs, and a new migration that adds the same index or
column where it is missing, guarded by `IF NOT EXISTS` or `Schema::hasIndex`) is a note: both kinds of database
end with the same schema. An edit that leaves the same
schema on the tables it touches (the same columns, types, NULLs, defaults, indexes and keys) with its statements
written another way (raw SQL made the framework's calls, or an index built with other locks) is a warning; so is
one whose data changes write the same values to the same rows another way (a raw `UPDATE` made the query
builder's `->where(…)->update([…])`, a transaction opened by a block instead of calls), while a change of the
rows or values they write stays critical. An edit that replaces
application models the migration imported by definitions of its own, its statements unchanged, is a warning
(check the copies). An edit that moves its row changes (UPDATE, DELETE) to another
migration of the same change, and changes nothing else, is a note when they write constants (running them again
where the file already ran changes nothing), a warning otherwise; one that moves its code (a RunPython and what
it runs) to another migration of the change that runs the same statements is a warning: check that the code can
run twice. An edit that only adds row fixes (an UPDATE or DELETE, or
code working on the table) before a schema statement the file already had on that table (values clamped before
a column is narrowed) is a warning: it repairs the migration for databases still to upgrade, and those that ran
it had passed that statement. An edit that changes only the rows a migration writes (seed or
default data) and says in a comment it adds that they are for new installations is a warning: existing databases
never get them. A script that declares its own revision (`-- revision: …`), whose
edit changes that revision while every statement stays guarded to run again (a bridge or squash script a
runner re-applies on a new revision), is a warning: check that the runner re-applies it. An edit of a Django
migration whose base branch's version imports a module of the repository the change deletes, a name that
module no longer defines, or a package (or depends on an app) the change stops installing is a warning too:
Django loads every migration, applied or not, each time `migrate` runs, so restoring the file would stop
`migrate` everywhere; what is left to check is that new installs still end as existing databases are.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from bot import frameworks
from bot.frameworks import flyway, migration_sets
from bot.model.catalog import Catalog
from bot.model.findings import Dimension, Finding, Rule, Severity
from bot.model.migration import (
    DATA_CHANGES,
    AddColumn,
    AddIndex,
    CreateTable,
    CurrentModelImport,
    DataDelete,
    DataUpdate,
    DropColumn,
    DropIndex,
    DropTable,
    Migration,
    Operation,
    RunCode,
    SetTimeout,
    Transaction,
    UncheckedSave,
    Unparsed,
    UnreadDataChange,
    wrapped,
)
from bot.rules._early_returns import EarlyReturn, early_returns_added
from bot.rules._forced_edits import removed_need
from bot.rules._schema_dumps import schema_dump
from bot.rules.context import Context
from bot.sql.domains import literal
from bot.sql.row_effects import effect

if TYPE_CHECKING:  # the Liquibase reader is loaded on first use
    from bot.frameworks.liquibase import ChangeSetText

RULE = Rule(
    id="applied-migration-edited",
    dimension=Dimension.MIGRATION_SAFETY,
    severity=Severity.CRITICAL,
    help="Restore the applied migration as it was and write the change as a new migration.",
    bad=("ALTER TABLE orders ADD COLUMN note text NOT NULL DEFAULT '';",),
    good=("-- adds the order's note\nALTER TABLE orders ADD COLUMN note text;",),
)
# The base branch's version of the examples' file (tests/test_rules.py reviews them as an edit of it).
EXAMPLE_BASE = "ALTER TABLE orders ADD COLUMN note text;"
FORCED_FIX = (
    "Keep the edit; check that new installs still end with the schema and rows existing databases have, and write"
    " any change meant for those databases as a new migration."
)
NEW_INSTALLS_ONLY = (
    "This migration already exists in the base branch: databases that ran it never run the edited "
    "content, which reaches only new installs."
)
_COMMENT = re.compile(r"^\s*(?:--|#|//).*$", re.M)


def check(migration: Migration, context: Context) -> Iterator[Finding]:
    before = context.applied_file
    if before is None or before.base_text is None or migration.baseline:
        return  # a snapshot or a baseline: databases that exist never ran it
    if repeatable(migration):
        return  # run again by every database whenever it changes: the edit is the way to change it
    old_path = before.previous_path or migration.path
    renamed = old_path != migration.path and not _same_logical_path(
        migration, before.base_text, before.head_text or ""
    )
    if migration.framework == "liquibase" and not renamed:
        yield from _liquibase(migration, before.base_text, before.head_text or "")
        return
    base_text, head_text = before.base_text, before.head_text or ""
    if migration.framework == "rails":
        base_text, head_text = _UNTAGGED.sub("", base_text), _UNTAGGED.sub("", head_text)
    if renamed and (mismatch := _flyway_description_changed(migration, old_path)):
        yield _finding(
            migration,
            1,
            f"`{old_path}`, a migration of the base branch, is renamed to `{migration.path}`: the same version, "
            f"{mismatch}.",
            "Flyway's validation compares every applied migration's description and checksum with its file: on "
            'every database that ran it, each deploy stops before migrating anything ("Migration description '
            'mismatch for migration version …"), until the schema history table is repaired by hand.',
            Severity.CRITICAL,
            fix=f"Keep the applied migration as it was (`{old_path.rpartition('/')[2]}`), and put the change in a "
            "new migration with the next version.",
        )
        return
    if renamed and _same_version(migration, old_path):
        # The runner records the version, which the move keeps (and not the module's or class's name).
        renamed = False
        base_text, head_text = _unnamed(base_text), _unnamed(head_text)
    edited = _meaningful(base_text) != _meaningful(head_text)
    checksum = _checksum_kept(migration, context)
    if (
        checksum
        and not renamed
        and base_text.splitlines() != head_text.splitlines()
        and refused_everywhere(context.applied_base) is None
    ):
        # the runner compares the text of every migration it applied with its file: a comment or a line's
        # spaces changed is an edit too (unless no database could run the old version)
        yield _finding(
            migration,
            _first_changed_line(before.base_text, before.head_text or ""),
            f"`{migration.path}` already exists in the base branch and is edited"
            + ("." if edited else ": only comments or spacing change, which the runner's checksum counts."),
            checksum,
            Severity.CRITICAL,
        )
        return
    if renamed and _recorded_name(migration.framework, old_path) != _recorded_name(
        migration.framework, migration.path
    ):
        # Another name: to the runner this is a new migration beside an applied one whose file is gone,
        # whatever the content shares with it (git pairs the two by similarity).
        changed = " with other content" if edited else ""
        message = f"`{old_path}`, a migration of the base branch, is renamed to `{migration.path}`{changed}."
        refused = _refused_on_rerun(context.applied_base, migration)
        version = _kept_version(migration, old_path)
        if refused is not None and version:
            # a runner the review does not know, and a name that keeps its version (authelia's
            # `V0004.OpenIDConenct` → `V0004.OpenIDConnect`): most record the version
            yield _finding(
                migration,
                refused.location.line if refused.location else 1,
                f"{message} The name keeps its version (`{version}`): a runner that records the version sees the "
                "same migration, but one that records the file's name sees a new one, which runs on every "
                f"database that already ran the old one, and there {_statement(refused)} fails: "
                f"{_why_refused(refused)}.",
                "If the runner records names: the deploy stops at this migration on every existing database until "
                "the runner's record is repaired by hand.",
                Severity.WARNING,
                fix="Check what the runner records; if it is the file's name, keep the old name "
                f"(`{_recorded_name(migration.framework, old_path)}`).",
            )
            return
        if refused is not None:
            yield _finding(
                migration,
                refused.location.line if refused.location else 1,
                f"{message} To the runner it is a new migration, which runs on every database that already ran "
                f"the old one, and there {_statement(refused)} fails: {_why_refused(refused)}.",
                "The deploy stops at this migration on every existing database (production included) and "
                "stays stopped until the runner's record is repaired by hand; only new installs run it.",
                Severity.CRITICAL,
                fix=f"Keep the migration's recorded name (`{_recorded_name(migration.framework, old_path)}`): "
                "restore the file where it was, and put a new change in a new migration.",
            )
            return
        yield _finding(
            migration,
            1,
            message,
            "Runners that record migrations by name or version see a new migration: it runs on databases that "
            "already ran the old one (and fails on what the old one already made), and runners that check every "
            "applied migration still has its file refuse to go on.",
            Severity.WARNING,
        )
        return
    if edited:
        where = f" (it was `{old_path}`)" if renamed else ""
        line = _first_changed_line(before.base_text, before.head_text or "")
        message = f"`{migration.path}`{where} already exists in the base branch and is edited."
        blast = (
            checksum  # Flyway's validation, worked out above
            if migration.framework == "flyway" and checksum
            else "Databases that already ran it never run it again: the edit reaches only new installs, whose "
            "schema silently diverges from production's (runners that checksum migrations, such as Flyway "
            "and Liquibase, fail the deploy instead)."
        )
        same_form = migration.framework != "sql" and _tokens(base_text) == _tokens(head_text)
        refused = refused_everywhere(context.applied_base)
        guards = early_returns_added(before.base_text, before.head_text or "")
        if refused is not None and not renamed:
            # No database ran the old version to its end: the transaction it runs in rolled back at the
            # statement PostgreSQL rejects, and the runner did not record it. Every database runs the edit.
            server, error = refused.error.split(" rejects it: ", 1)
            server = "MariaDB" if migration.dialect == "mariadb" else server
            message += (
                f" Its base branch's version holds a statement {server} rejects ({error}), "
                + (
                    "in the transaction the runner wraps it in"
                    if migration.dialect in ("postgres", "sqlite")
                    and context.applied_base is not None
                    and wrapped(context.applied_base)
                    else "before anything else it does"
                )
                + ": no database ran it, so every database runs the edited version."
            )
            blast = "None: the version databases could not run is the one the edit replaces."
            yield _finding(migration, line, message, blast, Severity.INFO)
        elif (
            guards
            and _skips_code_only(migration, guards)
            and (
                _only_code_edited(migration, context.applied_base)
                or _same_statements(migration, context.applied_base)
            )
        ):
            # `if …: return` at the top of its code: what databases that ran the file did is untouched (they
            # never run it again); only new installs where the condition holds skip what follows
            shown = guards[0].text if len(guards[0].text) <= 80 else guards[0].text[:77] + "..."
            message += (
                f" The edit only adds an early return (`{shown}`{' and others' if len(guards) > 1 else ''}) in"
                " front of the code it had: databases that already ran the migration never run it again, so it"
                " changes nothing for them; new installs skip what follows where its condition holds."
            )
            blast = (
                "None for databases that already ran it. New installs where the condition holds skip the code "
                "after it: check that they need none of what it did."
            )
            yield _finding(migration, line, message, blast, Severity.INFO)
        elif (
            not same_form
            and context.applied_base is not None
            and _only_code_edited(migration, context.applied_base)
            and _code_literals(base_text, context.applied_base) == _code_literals(head_text, migration)
        ):
            # Every statement the review reads is as it was; the edit is in the migration's own code (a
            # linter's rewrite, a helper moved out): worth reading, not a block without a changed statement.
            message += (
                " The statements the review reads from it are the same; the edit is in its code, which the"
                " review does not run: check that it still does what it did."
            )
            blast = "If the code does what it did, none; " + blast[0].lower() + blast[1:]
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif (
            not same_form
            and not renamed
            and _only_down_edited(
                migration, _unannotated(before.base_text), _unannotated(before.head_text or "")
            )
        ):
            message += (
                " Only its down changes: the up that databases already ran is as it was, and a rollback runs"
                " the edited down."
            )
            blast = (
                "None for databases that ran it: a runner records that the up ran, not the text of the down, "
                "so a rollback runs the edited one."
            )
            yield _finding(migration, line, message, blast, Severity.INFO)
        elif same_form or _same_statements(migration, context.applied_base):
            # A clean-up of the code around the statements (an unused variable, an import, a linter's
            # rewrite of its form): nothing a database runs differs, as far as the review reads the file;
            # worth a look, not a block.
            message += (
                " The edit changes only the form of its code: the same names and values in the same order."
                if same_form
                else " The statements the review reads from it are the same before and after the edit."
            )
            blast = "If the edit changes nothing the migration runs, none; " + blast[0].lower() + blast[1:]
            # the same names and values in the same order (a formatter's or linter's pass over every
            # migration): nothing to act on, but worth knowing
            yield _finding(migration, line, message, blast, Severity.INFO if same_form else Severity.WARNING)
        elif (marker := _reapplied(migration, base_text, head_text)) is not None:
            # A script that declares its own revision, changed by the edit, with every statement guarded to run
            # again: the runner that keys on that revision re-applies it (a bridge or squash script).
            message += (
                f" It declares its own revision, which the edit changes ({marker}), and every statement is"
                " guarded to run again: a runner that re-applies the file on a new revision brings databases that"
                " ran the old one up to date. Check that this runner does."
            )
            blast = (
                "If the runner re-applies it on the new revision, none; if it records only that the file ran, "
                + blast[0].lower()
                + blast[1:]
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif _guards_only(migration, context.applied_base):
            message += (
                " The edit only adds or removes `IF EXISTS` / `IF NOT EXISTS` guards: the same changes, made safe to"
                " run again."
            )
            blast = (
                "None for databases that ran it (they never run it again) nor for new installs (the same changes "
                "result)."
            )
            yield _finding(migration, line, message, blast, Severity.INFO)
        elif (dump := schema_dump(migration.path, migration.framework, context.tree)) is not None:
            message += (
                f" New installs load `{dump}`, not the migrations: the edit reaches only a database built by"
                " running every migration from the first."
            )
            blast = (
                "Databases that already ran it never run it again, and new installs load the schema dump: "
                "the edit changes no database unless the migrations are replayed from the first."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif _models_frozen(migration, context.applied_base, base_text):
            # the application's models the migration imported are replaced by copies of its own (the advice
            # of current-model-in-migration): what it runs reads the same, its code now sees fixed models
            message += (
                " The edit replaces application models the migration imported with definitions of its own;"
                " the statements the review reads from it are the same: check that the copies describe the"
                " tables as they were at this point of the history."
            )
            blast = "If the copies match the tables of that time, none; " + blast[0].lower() + blast[1:]
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif not renamed and (later := _brought_to_the_same(migration, context)) is not None:
            # the edit gives new installs what a later migration of the change gives databases that ran the
            # old version: both end with the same schema
            message += (
                f" A later migration of this change, `{later}`, makes the same change where it is missing: new"
                " installs (which run the edited file) and databases that ran the old version end with the same"
                " schema."
            )
            blast = "None, as long as both migrations ship together."
            yield _finding(migration, line, message, blast, Severity.INFO)
        elif (moved := _rows_moved(migration, context)) is not None:
            # row changes taken out of the applied file and put in a migration of their own in this change
            # (their own transaction, say): databases that ran the file made them, and run them again there
            path, again = moved
            message += (
                f" The edit moves its row changes to `{path}`, a migration of this change: new installs make them"
                " there, and databases that ran this file, which made them already, run them once more"
                + (" (the same constants: nothing changes)." if not again else ".")
            )
            blast = (
                "None: the moved statements write constants, so running them again changes nothing."
                if not again
                else f"Databases that ran this file run the moved statements a second time: check that `{path}`"
                " gives the same result when run again (it does not compute the new values from the old ones)."
            )
            yield _finding(migration, line, message, blast, Severity.INFO if not again else Severity.WARNING)
        elif (target := _code_moved(migration, context)) is not None:
            # the code taken out of the applied file and run by a migration of this change (kpi's 0006 made a
            # no-op, its RunPython run again by 0007): databases that ran the file run it a second time
            message += (
                f" The edit moves its code to `{target}`, a migration of this change that runs the same statements:"
                " new installs run it there, and databases that ran this file run it once more."
            )
            blast = (
                f"Databases that ran this file run the moved code a second time in `{target}`: check that it gives"
                " the same result when run again (it drops what it creates first, or checks before it changes)."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif (table := _prepares_rows(migration, context.applied_base)) is not None:
            # rows fixed (clamped, cleaned) just before a schema statement the file already had: what made the
            # migration fail where such rows exist; databases that ran it passed that statement without them
            message += (
                f" The edit only adds row fixes (UPDATE/DELETE) to `{table}` before statements the file already had"
                " on it: they let the migration pass on databases whose rows made it fail (those still to upgrade"
                " run the edited file)."
            )
            blast = (
                "Databases that already ran it passed those statements without the fix and never run it; where the"
                " database did not enforce what the statement needs (SQLite's loose types, MySQL without strict"
                " mode), the rows the fix would have changed stay as they were."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif not renamed and _same_schema(migration, context):
            # the schema statements written another way (raw SQL made the framework's calls, say), to the same
            # columns, types, NULLs, defaults, indexes and keys: both kinds of database end alike
            rows = (
                " Its data changes write the same values to the same rows as the version databases ran, written"
                " another way (raw SQL made the query builder's calls, or the reverse), and it"
                if _rows_rewritten(migration, context.applied_base)
                else " It"
            )
            message += (
                f"{rows} leaves the same schema as the version databases ran (the same columns, types, NULLs,"
                " defaults, indexes and keys on the tables it touches), written another way (or built with other"
                " locks)."
            )
            blast = (
                "If it does, none: databases that ran it and new installs end alike; check what the review does not"
                " compare (comments, character sets)."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif migration.framework == "django" and (
            need := removed_need(base_text, head_text, context.base_tree, context.tree)
        ):
            # the old version imports what the change removes: Django loads every migration module, applied or
            # not, each time `migrate` runs, so as it was the file would stop `migrate` on every database
            needed, loading = need
            message += (
                f" The base branch's version {needed}: as it was, "
                + (
                    "the file no longer loads, and Django loads every migration, applied or not, each time"
                    " `migrate` runs."
                    if loading
                    else "its code fails wherever it still runs (every new install)."
                )
                + " The edit is needed."
            )
            blast = (
                "None for databases that ran it (they never run it again); new installs run the edited version:"
                " if it no longer does what the old one did, their schema or rows differ from production's."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING, fix=FORCED_FIX)
        elif _rows_only(migration, context.applied_base) and _says_new_installs(base_text, head_text):
            # the edit says in its own comments that the rows are for new installations: what the finding
            # would ask the author to confirm is written down; what remains is that existing databases lack them
            message += (
                " Only rows it writes change (seed or default data), and the edit's comments say they are for"
                " new installations: databases that ran it never get them."
            )
            blast = (
                "Every existing database, production included, goes on without the new rows: code must not expect"
                " them there (a new migration would give them to existing databases too)."
            )
            yield _finding(migration, line, message, blast, Severity.WARNING)
        elif _rows_only(migration, context.applied_base):
            message += (
                " Only rows it writes change (seed or default data), not the schema: databases that ran it keep"
                " the rows it wrote before, and only new installs get the new ones."
            )
            blast = (
                "Code that expects the new rows breaks on every existing database, production included. If the "
                "new values are meant for new installs only, suppress this finding saying so; otherwise write "
                "them in a new migration, which existing databases run too."
            )
            yield _finding(migration, line, message, blast, Severity.CRITICAL)
        else:
            yield _finding(migration, line, message, blast, Severity.CRITICAL)
    elif renamed:
        yield _finding(
            migration,
            1,
            f"`{old_path}`, a migration of the base branch, is moved to `{migration.path}`.",
            "Runners that record migrations by path see a new migration: it runs again on databases that already "
            "ran it (and fails on what already exists), or is skipped or refused.",
            Severity.WARNING,
        )


# The version tag Rails 5 requires of a migration written for Rails 4 (`ActiveRecord::Migration[4.2]`): Rails
# runs it with 4.2's behaviour, which is what the untagged class had; adding it changes nothing a database runs.
_UNTAGGED = re.compile(r"(?<=ActiveRecord::Migration)\[4\.2\]")


# Runners that record a migration by the version in its file's name (or its revision id), not by its path:
# moving the file keeps it applied.
_BY_VERSION = frozenset({"ecto", "rails", "alembic", "goose", "golang-migrate", "dbmate", "diesel", "flyway"})
# Runners whose record of a migration holds its path, or something the move can change: Liquibase (a
# changeSet's identity includes its changelog's path), Sqitch (the plan names each script's place), Django (the
# app whose `migrations` package holds the module) and a folder of SQL files whose runner is not known. Every
# other runner records a name or a version the file keeps when it moves: Prisma the migration's folder name,
# Knex, Sequelize, MikroORM and Laravel the file's name, TypeORM the class and its timestamp, Flyway the
# version (with its description and checksum, which it validates), Drizzle the journal's entry.
_BY_PATH = frozenset({"liquibase", "sqitch", "django", "sql"})


def runs_as_new(migration: Migration, old_path: str, base_text: str = "", head_text: str = "") -> bool:
    """Is the file, renamed from `old_path`, another migration to its runner (it records another name or
    version), which every database runs, not only new installs? `base_text` and `head_text`, the file's two
    versions, tell a Liquibase changelog that keeps its `logicalFilePath` (what Liquibase records instead of the
    path)."""
    return repeatable(migration) or (
        old_path != migration.path
        and not _same_logical_path(migration, base_text, head_text)
        and _recorded_name(migration.framework, old_path)
        != _recorded_name(migration.framework, migration.path)
        and not _same_version(migration, old_path)
        # a runner the review does not know, and a name that keeps its version: judged as the same migration,
        # whose rename the finding questions
        and not _kept_version(migration, old_path)
    )


def repeatable(migration: Migration) -> bool:
    """A Flyway repeatable migration (`R__…sql`): Flyway runs it again, on every database, whenever its
    checksum changes; editing it is how it is meant to change."""
    return migration.framework == "flyway" and migration.path.rsplit("/", 1)[-1].startswith("R__")


_LOGICAL_PATH = re.compile(
    r"<databaseChangeLog\b[^>]*?\blogicalFilePath\s*=\s*[\"']([^\"']+)[\"']|^\s*logicalFilePath\s*:\s*[\"']?([^\s\"']+)",
    re.M,
)


def _same_logical_path(migration: Migration, base_text: str, head_text: str) -> bool:
    """A Liquibase changelog whose two versions declare the same `logicalFilePath`: Liquibase records that, not
    the file's path, so a move keeps every changeSet it ran."""
    if migration.framework != "liquibase":
        return False
    old, new = _LOGICAL_PATH.search(base_text), _LOGICAL_PATH.search(head_text)
    return (
        old is not None
        and new is not None
        and (old.group(1) or old.group(2)) == (new.group(1) or new.group(2))
    )


def _recorded_name(framework: str, path: str) -> str:
    """The part of a migration's path its runner records: Prisma's folder (`…/20240101_init/migration.sql`),
    node-pg-migrate's name without its extension (a `.js` migration rewritten as `.ts` is the one it ran);
    otherwise the file's name."""
    parts = path.rsplit("/", 2)
    if framework == "prisma" and parts[-1] == "migration.sql" and len(parts) > 1:
        return parts[-2]
    if framework == "node-pg-migrate":
        return parts[-1].rsplit(".", 1)[0]
    return parts[-1]


_DECLARED_NAME = re.compile(r"^(\s*(?:defmodule|class))\s+[\w.:]+", re.M)


def _brought_to_the_same(migration: Migration, context: Context) -> str | None:
    """The path of the migration of the change after which a database that ran the old version of the edited
    migration has the schema a new install has (the edit of the tables it touches made again, guarded, in a new
    migration: `if (! Schema::hasIndex(…))`, `CREATE INDEX IF NOT EXISTS`); None when the two differ."""
    old, later = context.applied_base, context.later()
    if old is None or not later:
        return None
    existing, fresh, tables = _both_versions(old, migration, context)
    if _shape(existing, tables) == _shape(fresh, tables):
        return None  # no schema difference to bring anywhere (rows, or something the catalog does not hold)
    for after in later:
        for op in after.up:
            if _refused_twice(fresh, op):
                return None  # a new install, which already has it, fails on the later migration
            existing.apply(op, in_change=True)
            fresh.apply(op, in_change=True)
        if _shape(existing, tables) == _shape(fresh, tables):
            return after.path
    return None


def _same_schema(migration: Migration, context: Context) -> bool:
    """Do the base branch's version and this one leave the same schema on the tables they touch, with data
    changes that write the same rows (however they are written), though their statements differ?"""
    old = context.applied_base
    if old is None or any(isinstance(op, Unparsed | RunCode) for op in (*migration.up, *old.up)):
        return False
    if _row_effects(old) != _row_effects(migration):
        return False
    existing, fresh, tables = _both_versions(old, migration, context)
    return bool(tables) and _shape(existing, tables) == _shape(fresh, tables)


def _row_effects(migration: Migration) -> list[tuple[object, ...]]:
    """What the up's data changes write, in order, whatever way each is written (raw SQL or a query
    builder's calls)."""
    return [effect(op, migration.dialect) for op in migration.up if isinstance(op, DATA_CHANGES)]


def _rows_rewritten(migration: Migration, old: Migration | None) -> bool:
    """Are the up's data changes written otherwise than in the base branch's version?"""

    def written(m: Migration) -> list[str]:
        return [" ".join(op.sql.split()) for op in m.up if isinstance(op, DATA_CHANGES)]

    return old is not None and written(old) != written(migration)


def _both_versions(
    old: Migration, migration: Migration, context: Context
) -> tuple[Catalog, Catalog, set[str]]:
    """The schema after the base branch's version of the migration and after this one, and the tables either
    touches."""
    existing, fresh = context.catalog.snapshot(), context.catalog.snapshot()
    for op in old.up:
        existing.apply(op, in_change=True)
    for op in migration.up:
        fresh.apply(op, in_change=True)
    return existing, fresh, {getattr(op, "table", "") for op in (*old.up, *migration.up)} - {""}


def _refused_twice(catalog: Catalog, op: object) -> bool:
    """An unguarded CREATE of something the schema already has (the database refuses it)."""
    if isinstance(op, AddIndex):
        return not op.if_not_exists and bool(op.name) and op.name in catalog.index_definitions
    if isinstance(op, AddColumn):
        return not op.if_not_exists and catalog.column(op.table, op.column.name) is not None
    return False


def _refused_on_rerun(old: Migration | None, migration: Migration) -> Operation | None:
    """The first statement of `migration` that a database which ran `old` (the base branch's version of the
    renamed file) refuses: an unguarded CREATE of a table, column or index `old` made, or an unguarded DROP of
    one it removed."""
    if old is None:
        return None
    done = {key for op in old.up if (key := _object(op)) is not None}
    return next((op for op in migration.up if _object(op) in done and not _guarded(op)), None)


def _object(op: Operation) -> tuple[str, ...] | None:
    """What the statement creates or drops, with which of the two it does."""
    if isinstance(op, CreateTable | DropTable):
        return ("create" if isinstance(op, CreateTable) else "drop", "table", op.table.lower())
    if isinstance(op, AddColumn):
        return ("create", "column", op.table.lower(), op.column.name.lower())
    if isinstance(op, DropColumn):
        return ("drop", "column", op.table.lower(), op.column.lower())
    if isinstance(op, AddIndex | DropIndex) and op.name:
        return ("create" if isinstance(op, AddIndex) else "drop", "index", op.name.lower())
    return None


def _guarded(op: Operation) -> bool:
    return bool(getattr(op, "if_not_exists", False) or getattr(op, "if_exists", False))


def _why_refused(op: Operation) -> str:
    if isinstance(op, AddColumn):
        return f"`{op.table}.{op.column.name}` already exists"
    if isinstance(op, AddIndex):
        return f"the index `{op.name}` already exists"
    if isinstance(op, CreateTable):
        return f"the table `{op.table}` already exists"
    if isinstance(op, DropColumn):
        return f"`{op.table}.{op.column}` is already gone"
    if isinstance(op, DropTable):
        return f"the table `{op.table}` is already gone"
    return f"the index `{getattr(op, 'name', '')}` is already gone"


def _statement(op: Operation) -> str:
    text = " ".join(op.sql.split())
    if not text:
        return f"its statement at line {op.location.line}" if op.location else "one of its statements"
    return f"`{text if len(text) <= 80 else text[:77] + '…'}`"


def _type(sql_type: str) -> str:
    """A type as written, without what the database ignores: an integer's display width (`INT(10)`)."""
    return re.sub(r"\b(int|integer|bigint|smallint|mediumint)\s*\(\d+\)", r"\1", sql_type.lower()).replace(
        "integer", "int"
    )


def _shape(catalog: Catalog, tables: set[str]) -> tuple[object, ...]:
    """What the tables are made of: columns (type, NULL, default), indexes, foreign keys, CHECKs."""
    shape: list[object] = []
    for name in sorted(tables):
        table = catalog.tables.get(name)
        columns = table.columns.values() if table is not None else ()
        shape.append(sorted((c.name, _type(c.type), c.nullable, c.default) for c in columns))
        shape.append(
            sorted(
                (tuple(d.columns), d.unique, d.where, d.method)
                for d in catalog.index_definitions.values()
                if d.table == name
            )
        )
        shape.append(
            sorted(
                (k.columns, k.references, k.on_delete, k.on_update)
                for k in catalog.foreign_keys.values()
                if k.table == name
            )
        )
        shape.append(sorted(c.expression for c in catalog.checks.values() if c.table == name))
    return tuple(shape)


_NEW_INSTALLS = re.compile(r"\b(?:new|fresh)\s+(?:install(?:s|ations?)?|setups?|databases?)\b", re.I)


def _says_new_installs(base_text: str, head_text: str) -> bool:
    """Does a comment the edit adds say its rows are meant for new installations (`# default setting for new
    installations`, `-- only fresh installs get this`)?"""
    added = set(head_text.splitlines()) - set(base_text.splitlines())
    comments = "\n".join(m.group() for line in added for m in [_COMMENT.match(line)] if m)
    return bool(_NEW_INSTALLS.search(comments))


def _same_version(migration: Migration, old_path: str) -> bool:
    """Does the move keep what the runner records (the version in the name; Alembic's revision id, kept in a
    file moved under the same name)?"""
    if migration.framework in _BY_PATH:
        return False
    if _recorded_name(migration.framework, old_path) == _recorded_name(migration.framework, migration.path):
        # the same file name, whose version the runner recorded when the file was in its folder (a history
        # moved aside to `db/old_migrations/` and back)
        return True
    if migration.framework == "alembic" or migration.framework not in _BY_VERSION:
        return False
    module = next((m for m in frameworks.FRAMEWORKS if migration.framework == m.NAME), None)
    new = module.version(migration.path) if module is not None else ""
    return bool(new) and module is not None and module.version(old_path) == new


_LEADING_VERSION = re.compile(r"^([Vv]?\d+(?:[._]\d+)*)[._-]")


def _kept_version(migration: Migration, old_path: str) -> str:
    """The version both names begin with, for a migration whose runner the review does not know; "" otherwise."""
    if migration.framework != "sql":
        return ""
    old = _LEADING_VERSION.match(old_path.rpartition("/")[2])
    new = _LEADING_VERSION.match(migration.path.rpartition("/")[2])
    return new.group(1) if old and new and old.group(1) == new.group(1) else ""


def _flyway_description_changed(migration: Migration, old_path: str) -> str:
    """For a Flyway migration renamed under its version, what changed that Flyway validates: "" when nothing."""
    if migration.framework != "flyway":
        return ""
    old, new = old_path.rpartition("/")[2], migration.path.rpartition("/")[2]
    version = flyway.version(migration.path)
    if not version or flyway.version(old_path) != version or old.split("__", 1)[-1] == new.split("__", 1)[-1]:
        return ""
    return f"another description (`{old.split('__', 1)[-1].removesuffix('.sql')}` was recorded)"


def _unnamed(text: str) -> str:
    """The text without the name its module or class declares, which such runners do not record."""
    return _DECLARED_NAME.sub(r"\1 _", text)


def _checksum_kept(migration: Migration, context: Context) -> str:
    """What the runner does where a migration it applied no longer has the text it recorded ("" for a runner
    that records names or versions only): Flyway's validation (unless turned off) and sqlx stop every later run."""
    if migration.framework == "flyway" and not flyway.validation_off(context.tree):
        return (
            "Flyway's validation finds the checksum of an applied migration changed: on every database that ran "
            'it, each deploy stops before migrating anything ("Migration checksum mismatch for migration version '
            f'{flyway.version(migration.path).replace("_", ".")}") until the schema history is repaired by hand, '
            "and new installs get a schema production does not have."
        )
    sqlx = context.runner.get("sqlx")
    if sqlx is None or context.runner.get("pop") is not None:
        return ""
    if migration.framework not in migration_sets.SQLX_FRAMEWORKS:
        return ""
    number = re.match(r"\d+", migration.path.rsplit("/", 1)[-1])
    return (
        "sqlx keeps the checksum of every migration it applied: on every database that ran this one, the next run "
        '(`sqlx migrate run`, or `sqlx::migrate!` where the application starts) stops with "migration '
        f'{number.group(0) if number else "…"} was previously applied but has been modified" ({sqlx.detail}, '
        f"{sqlx.where})."
    )


def _finding(
    migration: Migration, line: int, message: str, blast: str, severity: Severity, fix: str = RULE.help
) -> Finding:
    return Finding(
        rule=RULE.id,
        dimension=RULE.dimension,
        severity=severity,
        path=migration.path,
        line=line,
        message=message,
        blast_radius=blast,
        fix=fix,
    )


def _liquibase(migration: Migration, base_text: str, head_text: str) -> Iterator[Finding]:
    """A changelog gains changeSets as the schema changes: only a changeSet that already ran and is edited
    (its checksum no longer matches) or removed is a finding; `runOnChange` changeSets are meant to be edited."""
    reader = next(m for m in frameworks.FRAMEWORKS if m.NAME == "liquibase")  # loaded on first use
    before, after = (
        reader.change_sets(migration.path, base_text),
        reader.change_sets(migration.path, head_text),
    )
    for key, now in after.items():
        old = before.get(key)
        if old is None or old.body == now.body or now.run_on_change:
            continue
        if now.valid_checksum:
            yield _finding(
                migration,
                now.line,
                f"changeSet `{key}` of `{migration.path}` already exists in the base branch and is edited; its "
                f"`validCheckSum {now.valid_checksum}` lets Liquibase accept the edit without running it again.",
                "Every database that ran the changeSet keeps its old version: only new installs get the edit, so "
                "their schemas diverge unless the edit changes nothing there (formatting, a comment, a "
                "precondition).",
                Severity.WARNING,
            )
            continue
        yield _finding(
            migration,
            now.line,
            f"changeSet `{key}` of `{migration.path}` already exists in the base branch and is edited.",
            "Liquibase stores a checksum of every changeSet it ran: on every database that ran this one the next "
            "update stops with a checksum error.",
            Severity.CRITICAL,
        )
    # a changeSet given another id, its changes as they were: a new changeSet to Liquibase
    renamed = _renamed_change_sets(before, after)
    for old_key, new_key in renamed.items():
        if after[new_key].guarded:
            continue  # marked ran where its work is done: the second run changes nothing
        yield _finding(
            migration,
            after[new_key].line,
            f"changeSet `{old_key}` of `{migration.path}` already ran and is given another id, `{new_key}`, with "
            "the same changes: Liquibase records changeSets by author and id, so it runs them again.",
            f"Every database that ran `{old_key}` runs `{new_key}` again on the next update: a change that "
            "creates something fails there (it already exists) and stops the deploy, one that writes rows writes "
            'them twice. Keep the old id, or guard the new changeSet with a precondition (`onFail="MARK_RAN"`) '
            "that holds only where its work is not done.",
            Severity.CRITICAL,
        )
    # an empty changeSet ran and did nothing: removing it changes no database
    removed = [key for key in before if key not in after and not before[key].empty and key not in renamed]
    if removed:
        shown = ", ".join(f"`{key}`" for key in removed[:5]) + (
            f" and {len(removed) - 5} more" if len(removed) > 5 else ""
        )
        yield _finding(
            migration,
            1,
            f"{len(removed)} changeSet{'s' if len(removed) != 1 else ''} that already ran "
            f"{'are' if len(removed) != 1 else 'is'} removed from `{migration.path}`: {shown}.",
            "Databases that ran them keep their changes, new installs do not get them: their schemas diverge.",
            Severity.WARNING,
        )


def _renamed_change_sets(before: dict[str, ChangeSetText], after: dict[str, ChangeSetText]) -> dict[str, str]:
    """Old key → new key of each changeSet of `before` that `after` no longer has under its key, but has
    under a key of its own with the same changes."""
    added = {now.body: key for key, now in after.items() if key not in before and not now.empty}
    return {
        key: added[old.body]
        for key, old in before.items()
        if key not in after and not old.empty and old.body in added
    }


_MARKER = re.compile(r"^\s*(?:--|#|//)\s*(?:revision|version|schema[_ ]version)\s*[:=]\s*(\S+)", re.I | re.M)
_RERUNNABLE = re.compile(
    r"\bIF\s+(?:NOT\s+)?EXISTS\b|\bOR\s+REPLACE\b|\bOR\s+IGNORE\b|\bINSERT\s+IGNORE\b|\bON\s+CONFLICT\b",
    re.I,
)


def _reapplied(migration: Migration, base_text: str, head_text: str) -> str | None:
    """`-- revision: a` → `b` in a file whose every statement can run again (`IF NOT EXISTS`, `INSERT OR
    IGNORE`, `ON CONFLICT DO NOTHING`, `CREATE OR REPLACE`): the marker's change, as `a` → `b`; else None."""
    old, new = _MARKER.search(base_text), _MARKER.search(head_text)
    if old is None or new is None or old.group(1) == new.group(1):
        return None
    statements = [op for op in migration.up if not isinstance(op, Transaction | SetTimeout)]
    if not statements or not all(_RERUNNABLE.search(op.sql) for op in statements):
        return None
    return f"`{old.group(1)}` → `{new.group(1)}`"


def _guards_only(migration: Migration, old: Migration | None) -> bool:
    """Do both versions read as the same operations once `IF EXISTS` / `IF NOT EXISTS` are set aside?"""
    if old is None or any(isinstance(op, RunCode | Unparsed) for op in (*migration.up, *old.up)):
        return False
    return _unguarded(old) == _unguarded(migration) and _guards(old) != _guards(migration)


def _same_operations(migration: Migration, old: Migration | None) -> bool:
    """Do both versions read as the same operations, field for field, whatever the text of their code (a
    Django field's `verbose_name` or `help_text`, which never reach the database)? Files read whole only."""
    if old is None or any(isinstance(op, RunCode | Unparsed) for op in (*migration.up, *old.up)):
        return False
    return _unguarded(old) == _unguarded(migration) and _guards(old) == _guards(migration)


def _guards(migration: Migration) -> list[tuple[object, object]]:
    return [
        (getattr(op, "if_exists", None), getattr(op, "if_not_exists", None))
        for op in (*migration.up, *(migration.down or ()))
    ]


_NOT_COMPARED = frozenset(
    {"location", "end_line", "sql", "expression", "spelled_out", "if_exists", "if_not_exists"}
)


def _compared(op: Operation) -> tuple[object, ...]:
    """The operation field for field, whatever its text: `postgresql.BYTEA()` written `BYTEA()` once the type is
    imported by name is the same column."""
    return (
        type(op).__name__,
        *(getattr(op, f.name) for f in dataclasses.fields(op) if f.name not in _AS_WRITTEN),
    )


_AS_WRITTEN = frozenset({"location", "end_line", "sql", "expression", "spelled_out"})


def _unguarded(migration: Migration) -> list[tuple[object, ...]]:
    return [
        (
            type(op).__name__,
            *(getattr(op, f.name) for f in dataclasses.fields(op) if f.name not in _NOT_COMPARED),
        )
        for op in (*migration.up, *(migration.down or ()))
    ]


def _rows_only(migration: Migration, old: Migration | None) -> bool:
    """Do the operations that differ between the base branch's version and this one all write rows (an
    INSERT of a seed row, an UPDATE of a default), none change the schema?"""
    if old is None or any(isinstance(op, Unparsed) for op in (*migration.up, *old.up)):
        return False
    before, after = Counter(_statements(old)), Counter(_statements(migration))
    changed = {kind for kind, _ in (before - after) + (after - before)}
    return bool(changed) and changed <= _ROW_WRITES


_ROW_WRITES = frozenset(kind.__name__ for kind in DATA_CHANGES)


def _rows_moved(migration: Migration, context: Context) -> tuple[str, bool] | None:
    """The other migration of the change that the edit moves its row changes to, and whether running them again
    may change something: the edit only removes UPDATEs and DELETEs (and the code that runs them), and another
    migration of the change makes the same ones. None otherwise."""
    old = context.applied_base
    if old is None or any(isinstance(op, Unparsed) for op in (*migration.up, *old.up)):
        return None
    before, after = Counter(_statements(old)), Counter(_statements(migration))
    if after - before or not before - after:
        return None
    removed = before - after
    gone = [op for op in old.up if (type(op).__name__, op.sql) in removed]
    changes = [op for op in gone if isinstance(op, DataUpdate | DataDelete)]
    if not changes or any(not isinstance(op, DataUpdate | DataDelete | RunCode) for op in gone):
        return None
    for other in context.change:
        if other.path == migration.path:
            continue
        made = {_change_key(op) for op in other.up if isinstance(op, DataUpdate | DataDelete)}
        if all(_change_key(op) in made for op in changes):
            again = any(
                isinstance(op, DataUpdate) and any(literal(v) is None for _, v in op.assignments)
                for op in changes
            )
            return other.path, again
    return None


def _code_moved(migration: Migration, context: Context) -> str | None:
    """The other migration of the change that the edit moves its code to: the edit only removes code (a
    RunPython, and the statements in it the review could not read), and another migration of the change runs the
    same statements. None otherwise."""
    old = context.applied_base
    if old is None:
        return None
    before, after = Counter(_statements(old)), Counter(_statements(migration))
    removed = before - after
    kinds = {kind for kind, _ in removed}
    if after - before or "RunCode" not in kinds or not kinds <= {"RunCode", "Unparsed"}:
        return None
    for other in context.change:
        if other.path != migration.path and not removed - Counter(_statements(other)):
            return other.path
    return None


def _change_key(op: DataUpdate | DataDelete) -> tuple[object, ...]:
    assignments = op.assignments if isinstance(op, DataUpdate) else ()
    return type(op).__name__, op.table, assignments, op.where


def refused_everywhere(old: Migration | None) -> Unparsed | None:
    """The statement of the base branch's version that the server rejects (PostgreSQL's parser, a type the
    database does not have, MySQL's reading of a quoted name, SQLite's parser), when that version runs in one transaction or the
    statement is its first: it failed on every database and left nothing behind. None otherwise."""
    if old is None or old.dialect not in ("postgres", "mysql", "mariadb", "sqlite"):
        return None
    for index, op in enumerate(old.up):
        if isinstance(op, Unparsed) and " rejects it: " in op.error:
            first = all(isinstance(o, SetTimeout | Transaction) for o in old.up[:index])
            # PostgreSQL and SQLite undo a transaction's schema changes; MySQL commits each DDL statement
            return op if first or (old.dialect in ("postgres", "sqlite") and wrapped(old)) else None
    return None


def _prepares_rows(migration: Migration, old: Migration | None) -> str | None:
    """The table whose rows the edit fixes before a schema statement of the old version: every operation the
    edit adds is an UPDATE or DELETE (or code working on the table), nothing is removed, and a statement the old
    version had changes that table's schema after them. None otherwise. (Databases still on an older release run
    the edited file when they upgrade: the fix is for them.)"""
    if old is None or any(isinstance(op, Unparsed) for op in (*migration.up, *old.up)):
        return None
    before, after = Counter(_statements(old)), Counter(_statements(migration))
    added = after - before
    if not added or before - after:
        return None
    fixed = ""
    ops = list(migration.up)
    kept = Counter(before)
    for i, op in enumerate(ops):
        key = (type(op).__name__, op.sql)
        if kept[key] > 0:
            kept[key] -= 1
            continue
        if isinstance(op, DataUpdate | DataDelete):
            tables = {op.table}
        elif isinstance(op, RunCode) and op.touches:
            tables = set(op.touches)
        else:
            return None
        later = [o for o in ops[i + 1 :] if not isinstance(o, (*DATA_CHANGES, RunCode))]
        if not any(getattr(o, "table", "") in tables for o in later):
            return None
        fixed = fixed or sorted(tables)[0]
    return fixed or None


def _same_statements(migration: Migration, old: Migration | None) -> bool:
    """Does the base branch's version of the file (`old`, as the review read it) read as the same operations,
    up and down? Only for files read whole: a migration with code the review could not read may differ
    there."""
    if old is None:
        return False
    # a statement put under a guard of the code around it (`if "…" in inspector.get_indexes(…):`) reads the
    # same but runs again without failing: that edit is the guards' (see `_guards_only`)
    same = _statements(old) == _statements(migration) and _guards(old) == _guards(migration)
    return (same or _same_operations(migration, old)) and not any(
        isinstance(op, RunCode | Unparsed) for op in (*migration.up, *(migration.down or ()))
    )


def _models_frozen(migration: Migration, old: Migration | None, base_text: str) -> bool:
    """The same statements as the base branch's version; an import of the application's models it had is gone,
    and the modules of those it still imports were imported before (no new dependency on current models)."""
    if old is None or _statements(old) != _statements(migration):
        return False

    def imported(m: Migration) -> set[tuple[str, str]]:
        return {(op.module, name) for op in m.up if isinstance(op, CurrentModelImport) for name in op.names}

    kept = imported(migration)
    return bool(imported(old) - kept) and all(module in base_text for module, _ in kept)


def _skips_code_only(migration: Migration, guards: list[EarlyReturn]) -> bool:
    """Do the early returns skip only code and its data changes, or schema changes that are guarded to run where
    needed (`IF NOT EXISTS`)? One that skips an unguarded schema change leaves new installs without it."""
    for guard in guards:
        first, last = guard.skips
        for op in migration.up:
            if op.location.path != migration.path or not first <= op.location.line <= last:
                continue
            if isinstance(op, (*DATA_CHANGES, RunCode, UnreadDataChange, UncheckedSave)):
                continue
            if not (getattr(op, "if_not_exists", False) or getattr(op, "if_exists", False)):
                return False
    return True


def _only_code_edited(migration: Migration, old: Migration | None) -> bool:
    """Do the base branch's and the head's versions read as the same statements once the text of their code
    (RunCode) is left aside, with code in both, in the same places? Data changes count as the same when they
    write the same rows (however written); a transaction opened and committed by calls of its own or by a
    block around the code is the same code."""
    if old is None:
        return False

    def shape(m: Migration) -> tuple[object, ...]:
        return tuple(
            (type(op).__name__, "")
            if isinstance(op, RunCode)
            else effect(op, m.dialect)
            if isinstance(op, DATA_CHANGES)
            else _compared(op)
            for op in (*m.up, *(m.down or ()))
            if not (isinstance(op, RunCode) and _TRANSACTION_CALLS.fullmatch(op.sql.strip()))
        )

    code = any(isinstance(op, RunCode) for op in migration.up)
    return code and shape(old) == shape(migration)


# Code that only opens, commits or rolls back a transaction (`DB::beginTransaction()`, `DB::commit();`).
_TRANSACTION_CALLS = re.compile(
    r"(?:[\\\w$]+\s*(?:::|->|\.)\s*)+(?:beginTransaction|begin_transaction|commit|rollBack|rollback)\s*\(\s*\)\s*;?",
    re.I,
)


def _code_literals(text: str, migration: Migration) -> list[str]:
    """The strings and numbers of the file's code outside its data changes (which are compared by what they
    write, not by how they are written)."""
    spans = [
        (op.location.line, op.end_line or op.location.line)
        for op in (*migration.up, *(migration.down or ()))
        if isinstance(op, DATA_CHANGES) and op.location.path == migration.path
    ]
    kept = [
        line
        for number, line in enumerate(text.splitlines(), 1)
        if not any(a <= number <= b for a, b in spans)
    ]
    return _literals(_unwritten("\n".join(kept)))


# What the code prints or logs, and the size of the batches it works in: no value a row gets (a data migration
# edited to work in smaller batches, or to report its progress otherwise, writes the same rows).
_OUTPUT_CALL = re.compile(
    r"(?<![\w.])(?:print|(?:logger|logging|log|LOGGER|LOG|self\.stdout|sys\.stdout|sys\.stderr)\.\w+|"
    r"click\.echo|puts|Rails\.logger\.\w+|console\.\w+)\s*\("
)
_BATCH_SIZE = re.compile(
    r"^[ \t]*(?:[A-Za-z_]\w*\.)?\w*(?:batch|chunk|page|step)\w*[ \t]*=[ \t]*\d[\d_]*[ \t]*$", re.I | re.M
)
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


# The condition of a branch for one database (`if url.startswith("sqlite") is False:`, `elif bind.dialect.name ==
# "postgresql":`): which database runs what the review reads for its own, not a value a row gets.
_DATABASE_BRANCH = re.compile(
    r"^[ \t]*(?:if|elif|elsif|unless)\b[^\n]*\b(?:sqlite3?|mysql2?|mariadb|postgres(?:ql)?|pg|psql)\b[^\n]*$",
    re.I | re.M,
)


def _unwritten(text: str) -> str:
    """The code without its output calls (to their closing parenthesis), its batch sizes and the conditions of
    its branches for one database."""
    text = _DATABASE_BRANCH.sub("", _BATCH_SIZE.sub("", text))
    parts, start = [], 0
    for match in _OUTPUT_CALL.finditer(text):
        if match.start() < start:
            continue  # inside an output call already left out
        end = _closing(text, match.end())
        parts.append(text[start : match.start()])
        start = end
    parts.append(text[start:])
    return "".join(parts)


def _closing(text: str, position: int) -> int:
    """The offset after the parenthesis that closes the one opened just before `position` (strings skipped)."""
    depth = 1
    while position < len(text) and depth:
        quoted = _QUOTED.match(text, position)
        if quoted:
            position = quoted.end()
            continue
        depth += {"(": 1, ")": -1}.get(text[position], 0)
        position += 1
    return position


_LITERAL = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _literals(text: str) -> list[str]:
    """The strings and numbers of the code, in order: an edit of code that keeps them all changes how the
    code is written, not the values it writes (`'text'` made `'varchar(40)'` in a helper's call does)."""
    return _LITERAL.findall(_COMMENT.sub("", text))


def _only_down_edited(migration: Migration, base_text: str, head_text: str) -> bool:
    """Is every changed line inside the statements of the file's down, so that the up reads as it did?"""
    down = [op for op in migration.down or () if op.location.path == migration.path]
    if not down:
        return False
    first = min(op.location.line for op in down)
    last = max(op.end_line or op.location.line for op in down)
    downs = {op.location for op in down}
    up = [  # a statement of the down that could not be read is reported among the up's: not an up's line
        (op.location.line, op.end_line or op.location.line)
        for op in migration.up
        if not (isinstance(op, Unparsed) and op.location in downs)
    ]
    matcher = difflib.SequenceMatcher(a=base_text.splitlines(), b=head_text.splitlines(), autojunk=False)
    changes = [(j1 + 1, max(j2, j1 + 1)) for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal"]
    # A down the runner derives from the up (Rails `change`) shares the up's lines: an edit there is the up's.
    return bool(changes) and (
        all(
            first <= start and end <= last and not any(a <= end and start <= b for a, b in up)
            for start, end in changes
        )
        or _in_last_down(matcher, base_text, head_text, up)
    )


# The line that opens a down written by hand: `public function down()`, `async down(`, `def down`,
# `def downgrade(`, `exports.down =`.
_DOWN = re.compile(
    r"^([ \t]*)(?:(?:public|protected|private|static|async|export)\s+)*"
    r"(?:function\s+down\b|def\s+(?:down|downgrade)\b|down\s*\(|exports\.down\b)",
    re.M,
)
_DEFINITION = r"(?:(?:public|protected|private|static|async|export)\s+)*(?:function|def)\s"


def _in_last_down(
    matcher: difflib.SequenceMatcher[str], base_text: str, head_text: str, up: list[tuple[int, int]]
) -> bool:
    """Does every change lie in the down the file defines last, after every statement of its up (the code
    that prepares the down's statements too), or only add or remove imports?"""
    head, base = _DOWN.search(head_text), _DOWN.search(base_text)
    if head is None or base is None or _defined_after(head, head_text) or _defined_after(base, base_text):
        return False
    start, base_start = _line_of(head_text, head.start()), _line_of(base_text, base.start())
    if any(end >= start for _, end in up):
        return False
    base_lines, head_lines = base_text.splitlines(), head_text.splitlines()
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        imports = all(
            _IMPORT.fullmatch(line) or not line.strip() for line in base_lines[i1:i2] + head_lines[j1:j2]
        )
        if tag != "equal" and not imports and (i1 + 1 < base_start or j1 + 1 < start):
            return False
    return True


def _defined_after(down: re.Match[str], text: str) -> bool:
    """Another function at the down's level after it: the down is not the file's last definition."""
    return re.search(rf"^{down.group(1)}{_DEFINITION}", text[down.end() :], re.M) is not None


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# Words a linter adds or removes when it rewrites a function's form (`function (t) {…}` to `(t) => {…}`,
# `async function up` to `export const up = async`) without changing what it calls.
_FORM_WORDS = frozenset({"function", "const", "let", "var", "async", "return", "export", "def", "pass"})
_TOKEN = re.compile(
    r"""(?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`)"""
    r"|(?P<arrow>=>)|(?P<word>[A-Za-z_$][\w$]*)|(?P<number>\d[\w.]*)|(?P<op>[<>!=]=|[<>!]|[-+*/%&|^~])"
)
# A function's declared return type: TypeScript's `): Promise<void>`, PHP's `): void`, Python's `) -> None:`.
_RETURN_TYPE = re.compile(
    r"\)\s*:\s*(?:Promise\s*<[^>{]*>|\??[A-Za-z_\\][\w\\|]*)(?=\s*\{)|\)\s*->\s*[^:\n]+(?=:)"
)
# Lines that only bring names into scope (`use Illuminate\Support\Facades\Schema;`, `import …`, `from … import
# …`), and namespaces written out in full (`\Carbon\Carbon::now()` once `Carbon` is imported): the same code.
# A variable's type annotation (`branch_labels: str | tuple[str, ...] | None = None`, TypeScript's
# `const name: string = …`): a type checker's concern, not the value the code runs with.
_ANNOTATION = re.compile(
    r"^([ \t]*(?:(?:const|let|var)\s+)?[A-Za-z_]\w*)[ \t]*:[ \t]*[\w\[\]|., ()]+?[ \t]*(?==(?!=))", re.M
)
_IMPORT = re.compile(r"^[ \t]*(?:use\s+[\w\\]+(?:\s+as\s+\w+)?;|import\s.*|from\s+\S+\s+import\s.*)$", re.M)
_BLOCK = re.compile(r"/\*.*?\*/", re.S)  # a block or doc comment (`/** @return void */`)
_QUALIFIED = re.compile(r"\\?(?:[A-Za-z_]\w*\\)+([A-Za-z_]\w*)")


def _unannotated(text: str) -> str:
    """The text without variables' type annotations, line for line."""
    return _ANNOTATION.sub(r"\1 ", text)


def _tokens(text: str) -> list[str]:
    """The names, values and operators of code without comments, layout, quote style and punctuation."""
    found = []
    code = _QUALIFIED.sub(
        r"\1",
        _ANNOTATION.sub(
            r"\1 ", _IMPORT.sub("", _RETURN_TYPE.sub(")", _COMMENT.sub("", _BLOCK.sub("", text))))
        ),
    )
    for match in _TOKEN.finditer(code):
        kind, value = match.lastgroup, match.group()
        if kind == "arrow":
            continue
        if kind == "string":
            found.append("'" + " ".join(value[1:-1].split()) + "'")
        elif kind != "word" or value not in _FORM_WORDS:
            found.append(value)
    return found


def _statements(migration: Migration) -> tuple[tuple[str, str], ...]:
    """What the migration runs, statement by statement (not the application's models it imports: code the
    database never sees, and replacing such an import by a copy of the model frozen in the file runs the same)."""
    return tuple(
        (type(op).__name__, " ".join(op.sql.split()))  # re-indented, the same statement
        for op in (*migration.up, *(migration.down or ()))
        if not isinstance(op, CurrentModelImport)
    )


def _meaningful(text: str) -> str:
    """The text without comments and whitespace: an edit of those changes nothing a database runs (nor
    Ruby's heredoc of another indentation, `<<-SQL` made `<<~SQL`)."""
    return "".join(_HEREDOC.sub("<<", _COMMENT.sub("", text)).split())


_HEREDOC = re.compile(r"<<[~-](?=[A-Z_'\"])")


def _first_changed_line(before: str, after: str) -> int:
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    for tag, _, _, first, _ in matcher.get_opcodes():
        if tag != "equal":
            return first + 1
    return 1
