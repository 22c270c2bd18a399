"""The rows an application's seed files write into a fresh database after its migrations: Rails
`db/seeds.rb`, Laravel seeders (`database/seeders/*.php`), Knex seed files (`seeds/`), Ecto
`priv/repo/seeds.exs`. Read as DataInsert operations with their rows, so literal ids a change writes are
checked against them as against the rows the migrations insert. (Django fixtures are read where a migration
loads them with `loaddata`.)

Each framework's reader loads only when the history holds migrations of that framework.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from bot.model.changeset import Tree
from bot.model.migration import Operation

Reader = Callable[[str, str, Tree, str], tuple[Operation, ...]]
_SKIPPED = re.compile(r"(?:^|/)(?:node_modules|vendor|dist|build)/")


def _rails(path: str, text: str, tree: Tree, dialect: str) -> tuple[Operation, ...]:
    from bot.frameworks.rails import seed_operations

    return seed_operations(path, text, tree, dialect)


def _laravel(path: str, text: str, tree: Tree, dialect: str) -> tuple[Operation, ...]:
    from bot.frameworks.laravel import seed_operations

    return seed_operations(path, text, dialect)


def _knex(path: str, text: str, tree: Tree, dialect: str) -> tuple[Operation, ...]:
    from bot.frameworks.knex import seed_operations

    return seed_operations(path, text, dialect)


def _ecto(path: str, text: str, tree: Tree, dialect: str) -> tuple[Operation, ...]:
    from bot.frameworks.ecto import seed_operations

    return seed_operations(path, text, dialect)


SEED_FILES: tuple[tuple[str, re.Pattern[str], Reader], ...] = (
    ("rails", re.compile(r"^db/seeds\.rb$"), _rails),
    ("laravel", re.compile(r"(?:^|/)database/seed(?:er)?s/(?:[\w-]+/)*\w+\.php$"), _laravel),
    ("knex", re.compile(r"(?:^|/)seeds/(?:[\w.-]+/)*[\w.-]+\.(?:js|cjs|mjs|ts)$"), _knex),
    ("ecto", re.compile(r"(?:^|/)priv/[\w.-]+/seeds\.exs$"), _ecto),
)


def seed_operations(
    tree: Tree, dialect: str, frameworks: Iterable[str]
) -> list[tuple[str, str, tuple[Operation, ...]]]:
    """(path, framework, DataInsert operations) of each seed file of the frameworks the history uses, in
    path order (the order `db:seed` and `seed:run` follow for files of one folder)."""
    wanted = [entry for entry in SEED_FILES if entry[0] in set(frameworks)]
    if not wanted:
        return []
    found = []
    for path in sorted(tree.paths()):
        entry = next((e for e in wanted if e[1].search(path)), None)
        if entry is None or _SKIPPED.search(path):
            continue
        text = tree.read(path)
        ops = entry[2](path, text, tree, dialect) if text else ()
        if ops:
            found.append((path, entry[0], ops))
    return found
