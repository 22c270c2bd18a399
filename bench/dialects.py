"""Print the database each checkout's migrations are reviewed in, and where the repository says so.

    .venv/bin/python bench/dialects.py CHECKOUT[=EXPECTED] ...

For every checkout: the migrations found (by the same framework detection the review uses), grouped by the
database they are reviewed in, with its version and the file it came from, the runner settings found, and
how long the reading took. `=EXPECTED` (postgres, mysql, mariadb, sqlite; `mysql` also accepts MariaDB)
checks that every group not named for another dialect comes out in it; the script exits 1 when one does not.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import frameworks  # noqa: E402
from bot.frameworks.dialect import Dialects, named_database, other_database  # noqa: E402
from bot.frameworks.settings.runner import runner_settings  # noqa: E402
from bot.model.changeset import DirectoryTree  # noqa: E402
from bot.model.config import DEFAULT_PATH, Config, load_config  # noqa: E402
from bot.model.database import Database  # noqa: E402

_BY_NAME = "<each file's name>"
_OTHER_FOLDER = "<a folder named for another database>"


def survey(checkout: Path) -> tuple[dict[Database, Counter[str]], float]:
    started = time.perf_counter()
    tree = DirectoryTree(checkout)
    config_file = checkout / DEFAULT_PATH
    config = load_config(config_file) if config_file.is_file() else Config()
    dialects = Dialects(tree, config, config_path=DEFAULT_PATH)
    groups: dict[Database, Counter[str]] = defaultdict(Counter)
    for path in tree.paths():
        if not frameworks.is_candidate(path):
            continue
        text = tree.read(path) or ""
        module = frameworks.detect(path, text, config)
        if module is not None:
            other = other_database(path)
            database = dialects.database(path, text)
            if other:  # H2, Oracle, …: a database the review does not read; not reviewed, shown apart
                database = Database(database.dialect, source=_OTHER_FOLDER, detail=other)
            groups[_group(database)][module.NAME] += 1
    return groups, time.perf_counter() - started


def main(argv: list[str]) -> int:
    wrong = 0
    for argument in argv:
        where, _, expected = argument.partition("=")
        checkout = Path(where).resolve()
        groups, seconds = survey(checkout)
        print(f"{checkout.name}  ({seconds:.2f} s)")
        if not groups:
            print("  no migrations found")
        for database, counts in sorted(groups.items(), key=lambda item: -sum(item[1].values())):
            kinds = ", ".join(f"{n} {name}" for name, n in counts.most_common())
            ok = _agrees(database, expected)
            wrong += not ok
            mark = "" if not expected else ("  ok" if ok else f"  WRONG (expected {expected})")
            print(f"  {sum(counts.values()):5} migrations ({kinds}): {_explain(database)}{mark}")
        for setting in runner_settings(DirectoryTree(checkout)).settings:
            print(f"  runner: {setting.kind} in {setting.where}: {setting.detail}")
    return 1 if wrong else 0


def _group(database: Database) -> Database:
    """Files named for their dialect make one group per dialect, not one per file."""
    if database.source == _OTHER_FOLDER or named_database(database.source) is None:
        return database
    return Database(database.dialect, database.version, _BY_NAME, version_source=database.version_source)


def _explain(database: Database) -> str:
    if database.source == _OTHER_FOLDER:
        return f"for {database.detail}: a database the review does not read (not reviewed)"
    if database.source == _BY_NAME:
        return f"{database.label}, from each file's name or folder (`*.{database.dialect}.up.sql`, `{database.dialect}/`)"
    return database.explanation


def _agrees(database: Database, expected: str) -> bool:
    if not expected or database.source in (_BY_NAME, _OTHER_FOLDER):
        return True  # a file named for its dialect speaks for itself
    family = {"mariadb": "mysql"}
    return family.get(database.dialect, database.dialect) == family.get(expected, expected)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
