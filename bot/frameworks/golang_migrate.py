"""golang-migrate: `<version>_<name>.up.sql` with its `<version>_<name>.down.sql`.

The PostgreSQL driver sends the whole file in one call; PostgreSQL runs a multi-statement call in one
implicit transaction, so a file with several statements is transactional and a file with one is not.
"""

from __future__ import annotations

import re

from bot.frameworks.sqlfile import build, down_file, has_explicit_transaction, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration, statement_count

NAME = "golang-migrate"
_NAME = re.compile(r"^(?P<version>\d+)_.+\.(?P<side>up|down)\.sql$")
# pop/fizz: `<version>_<name>.<database>[.autocommit].up.sql`
_NAMED = re.compile(
    r"^(?P<stem>.*?\d+_[^./]+)\.(?:postgres|mysql|mariadb|sqlite3?|cockroach)(?:\.autocommit)?\.up\.sql$"
)


def detect(path: str, text: str) -> bool:
    return _NAME.match(path.rsplit("/", 1)[-1]) is not None


def is_down(path: str) -> bool:
    return path.endswith(".down.sql")


def version(path: str) -> str:
    match = _NAME.match(path.rsplit("/", 1)[-1])
    return match.group("version") if match else ""


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    up = parse_sql(path, text, dialect)
    many = statement_count(up) > 1
    in_transaction = has_explicit_transaction(up) or (many and dialect == "postgres")
    note = (
        "the file's statements are sent in one call, which PostgreSQL runs as one implicit transaction"
        if many and dialect == "postgres"
        else "golang-migrate does not wrap a migration in a transaction"
    )
    down = path.removesuffix(".up.sql") + ".down.sql"
    back = down_file(tree, _downs(path), dialect, missing=f"no `{down.rsplit('/', 1)[-1]}`", runs_empty=True)
    return build(
        path,
        NAME,
        dialect,
        up,
        back,
        text=text,
        in_transaction=in_transaction,
        note=note,
        version=version(path),
        file_transaction=in_transaction and not (many and dialect == "postgres"),
        implicit_transaction=many and dialect == "postgres",
    )


def _downs(path: str) -> list[str]:
    """The files that undo `path`: its own `.down.sql`, and for a file named for one database
    (`x.mysql.up.sql`, pop/fizz) the migration's file for every database (`x.down.sql`), which pop runs
    where no down of that database's own exists."""
    own = path.removesuffix(".up.sql") + ".down.sql"
    named = _NAMED.match(path)
    if named is None:
        return [own]
    stem = named.group("stem")
    return [own, f"{stem}.down.sql", f"{stem}.autocommit.down.sql"]
