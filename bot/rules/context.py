"""What a rule may know besides the migration: the schema before it, the configuration, code references."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from bot.frameworks.settings.found import family
from bot.frameworks.settings.ruby import session_time_zone
from bot.model.catalog import LARGE, NEW, SMALL, Catalog, changes_schema, same_table
from bot.model.changeset import ChangedFile, MemoryTree, Tree
from bot.model.config import Config
from bot.model.database import Database, Runner, version_tuple
from bot.model.facts import Facts
from bot.model.findings import Severity
from bot.model.migration import CreateTable, DropTable, Migration, Operation, RawSQL
from bot.references.code_values import CodeValues
from bot.references.database_code import database_uses
from bot.references.search import ReferenceIndex, Target, Use
from bot.rules._singleton import one_row

# Versions assumed when the configuration names none: the oldest still supported by its vendor.
_NEWEST = 999  # the release a version short of one stands for: the newest of its line
DEFAULT_VERSIONS = {"postgres": (13,), "mysql": (8, 0, 30), "mariadb": (10, 6), "sqlite": (3, 35)}


@dataclass(frozen=True)
class Context:
    catalog: Catalog
    config: Config = field(default_factory=Config)
    dialect: str = "postgres"
    references: ReferenceIndex = field(default_factory=ReferenceIndex)
    tree: Tree = field(default_factory=MemoryTree)  # the head tree, for the values the code defines
    code_values: CodeValues | None = (
        None  # shared by every migration of one review; built from `tree` if None
    )
    facts: Facts | None = None  # what the production probe found, when one ran
    migration: Migration | None = None  # the migration the rules check, for `before`
    database: Database | None = None  # the migration's database and where the repository says so
    runner: Runner = field(default_factory=Runner)  # timeouts and transactions the runner already sets
    _before: dict[int, Catalog] = field(default_factory=dict, compare=False, repr=False)
    _one_row: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # see one_row
    # per list of operations (by identity): the index of each operation, and of the last schema change
    # before each index
    _positions: dict[int, tuple[tuple[Operation, ...], dict[int, int], list[int]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # The migration's file as the base branch has it, when the change edits or renames a migration that
    # already exists there (and so has already run on existing databases).
    applied_file: ChangedFile | None = None
    applied_base: Migration | None = None  # that file read as the migration it was (None: it cannot be)
    # every migration of the change (of the history, for lint) in the order they run, and where this one is
    change: tuple[Migration, ...] = ()
    position: int = -1
    # the base branch's tree, for the set of migrations the runner found before the change, and that tree
    # with the change's files laid over it: the set it finds once the change merges (None for a lint)
    base_tree: Tree | None = None
    merged_tree: Tree | None = None

    def __post_init__(self) -> None:
        if self.code_values is None:
            object.__setattr__(self, "code_values", CodeValues(self.tree))

    def later(self) -> tuple[Migration, ...]:
        """The migrations of the change that run after this one (a data migration that fills what this
        one adds, Django's usual second step)."""
        return self.change[self.position + 1 :] if self.position >= 0 else ()

    def before(self, op: Operation) -> Catalog:
        """The schema as `op` sees it: `catalog` advanced by the operations before `op` in its migration.

        A column added, renamed or retyped earlier in the same file, a function it created and a CHECK it
        validated are known to the statements after it.
        """
        ops = self.migration.up if self.migration is not None else ()
        # the schema only changes at the operations the catalog applies: before `op` it is the schema after
        # the last of those, advanced from the nearest one already worked out
        return self._through(ops, self._last_change_before(ops, op))

    def after(self, op: Operation) -> Catalog:
        """The schema once `op` has run: `before(op)` advanced by `op` (an operation of the migration, read
        only, as `before`'s). Shared with `before` of the statements after it, not copied for each asker."""
        ops = self.migration.up if self.migration is not None else ()
        last = self._last_change_before(ops, op)
        position = self._positions[id(ops)][1].get(id(op))
        if position is not None and ops[position] is op and changes_schema(op):
            last = position
        elif position is None:  # not one of the migration's operations: worked out on a copy
            catalog = self._through(ops, last).snapshot()
            catalog.apply(op, in_change=True)
            return catalog
        return self._through(ops, last)

    def _through(self, ops: tuple[Operation, ...], last: int) -> Catalog:
        """The schema after `ops[: last + 1]` (the schema before the migration for -1), worked out once."""
        if last < 0:
            return self.catalog
        if last not in self._before:
            known = max((i for i in self._before if i < last), default=-1)
            catalog = (self._before[known] if known >= 0 else self.catalog).snapshot()
            for earlier in ops[known + 1 : last + 1]:
                catalog.apply(earlier, in_change=True)
            self._before[last] = catalog
        return self._before[last]

    def _last_change_before(self, ops: tuple[Operation, ...], op: Operation) -> int:
        """The index of the last operation before `op` (the first one that is `op`; the start if none is)
        that changes the schema, -1 if none does. Worked out once per list of operations: the rules ask
        for every statement of a migration."""
        known = self._positions.get(id(ops))
        if known is None or known[0] is not ops:
            index: dict[int, int] = {}
            last, changed = [-1], -1
            for i, each in enumerate(ops):
                index.setdefault(id(each), i)
                if changes_schema(each):
                    changed = i
                last.append(changed)
            known = (ops, index, last)
            self._positions[id(ops)] = known
        return known[2][known[1].get(id(op), 0)]

    def uses(self, target: Target, op: Operation) -> tuple[Use, ...]:
        """The places that still use what `op` removes or renames: the code of the head tree, and the
        views, functions and triggers of the schema as `op` finds it (functions the same migration
        creates again or drops after `op` are replaced in time)."""
        ops = self.migration.up if self.migration is not None else ()
        after = ops[next((i for i, each in enumerate(ops) if each is op), len(ops)) + 1 :]
        replaced = [
            getattr(each, "name", "") or each.table
            for each in after
            if isinstance(each, RawSQL) and each.category in ("function", "drop-function")
        ]
        found = database_uses(self.before(op), target, replaced=replaced)
        return found + self.references.uses(target)

    @functools.cached_property
    def rails_time_zone(self) -> str:
        """The session time zone the repository's `config/database.yml` sets (`variables: timezone:`); "" if none."""
        for path in sorted(
            p for p in self.tree.paths() if p == "config/database.yml" or p.endswith("/config/database.yml")
        ):
            zone = session_time_zone(self.tree.read(path) or "")
            if zone:
                return zone
        return ""

    @property
    def values(self) -> CodeValues:
        """Enums, choices and constants the head tree defines, indexed on first use."""
        assert self.code_values is not None
        return self.code_values

    @functools.cached_property
    def version(self) -> tuple[int, ...]:
        """The version the rules judge by (worked out once per context: the rules ask for it thousands of
        times a lint). A version short of a full release (a `mysql:8` or `mysql:8.0`
        image, `database_version: 14`) stands for the newest release of that line, which is what such a tag
        runs: 8.0.12's instant ADD COLUMN is there. A full release has three numbers on MySQL, MariaDB and
        SQLite, two on PostgreSQL 10 and later."""
        known = self.database.version_tuple if self.database is not None else None
        found = (
            self.production_version
            or known
            or self.config.version
            or DEFAULT_VERSIONS.get(self.dialect, (0,))
        )
        full = 2 if self.dialect == "postgres" and found[0] >= 10 else 3
        return (*found, *(_NEWEST,) * (full - len(found)))

    @property
    def production_version(self) -> tuple[int, ...] | None:
        """The version production runs, when something says so: the server itself through the probe, or
        the configuration's `database_version`. A version read off a development or CI container (an
        image tag in docker-compose or a workflow) is not production's, least of all its minor version."""
        if (
            self.facts is not None
            and self.facts.version
            and family(self.facts.dialect) == family(self.dialect)
        ):
            return version_tuple(self.facts.version)
        if self.database is not None and self.database.declared:
            return self.database.version_tuple
        return self.config.version

    def at_least(self, *version: int) -> bool:
        return self.version >= version

    @property
    def postgres(self) -> bool:
        return self.dialect == "postgres"

    @property
    def mysql(self) -> bool:
        return self.dialect in ("mysql", "mariadb")

    def lock_severity(self, table: str, default: Severity, op: Operation | None = None) -> Severity | None:
        """None for a table this change creates; a warning for a small one (or one the schema shows to hold one
        row, or one `op` runs on only below a number of rows the migration counts first); the rule's own
        otherwise. A table the migration itself dropped and created again before `op` is new too."""
        size = self.catalog.size(table)
        if size != NEW and op is not None and self._created_again(table, op):
            size = NEW
        if size == NEW:
            return None
        if (
            size == SMALL
            or self.one_row(table)
            or (op is not None and op.rows_below and not self._sized(table))
        ):
            return Severity.WARNING if default is Severity.CRITICAL else Severity.INFO
        return default

    def _created_again(self, table: str, op: Operation) -> bool:
        """Did the migration drop `table` and create it again before `op` (authelia's V0006 drops its session
        tables, creates them anew and indexes them)?"""
        dropped = False
        for earlier in self.migration.up if self.migration is not None else ():
            if earlier is op:
                return False
            if isinstance(earlier, DropTable) and same_table(earlier.table, table):
                dropped = True
            elif dropped and isinstance(earlier, CreateTable) and same_table(earlier.table, table):
                return True
        return False

    def _sized(self, table: str) -> bool:
        """The configuration or the probe says how large the table is."""
        return table in self.catalog.large or table in self.catalog.small or table in self.catalog.rows

    def one_row(self, table: str) -> str:
        """Why a table nobody sized holds one row (a settings table whose schema or migrations say so); ""
        when the schema does not show it, or the configuration or the probe sized it."""
        if (
            not table
            or table in self.catalog.large
            or table in self.catalog.small
            or table in self.catalog.rows
        ):
            return ""
        if table not in self._one_row:
            self._one_row[table] = one_row(self.catalog, table) or ""
        return self._one_row[table]

    def size_words(self, table: str, op: Operation | None = None) -> str:
        size = self.catalog.size(table)
        rows = self.catalog.rows.get(table)
        if rows is not None:
            return f"`{table}` (~{rows:,} rows)"
        if op is not None and op.rows_below and not self._sized(table):
            return f"`{table}` (fewer than {op.rows_below:,} rows: the migration counts them first and runs this only then)"
        if size == SMALL:
            return f"`{table}` (listed as small in the configuration)"
        if size == LARGE and table in self.catalog.large:
            return f"`{table}` (listed as large in the configuration)"
        if why := self.one_row(table):
            return f"`{table}` (one row: {why})"
        return f"`{table}` (size unknown, assumed large)"
