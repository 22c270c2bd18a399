"""A versioned file in a migrations folder, written in code no framework of the review reads (Go code of bun
or gorm, a Rust refinery module, a C# or Java class of another runner): a migration all the same, which the
review cannot read. It is read as one whose every statement is unreadable, so `unreadable-migration` says so
and the check blocks until someone reviews it by hand, never "no migration changed".

Never part of a history replay (it is not among the frameworks the history is read with): only a changed file
that no framework recognised, and no migration beside it explains, is read this way.
"""

from __future__ import annotations

import re

from bot.frameworks import suppressions
from bot.frameworks.not_run import not_run
from bot.frameworks.plain import MIGRATION_FOLDERS
from bot.model.changeset import Tree
from bot.model.findings import Location
from bot.model.migration import Migration, Unparsed

NAME = "unknown"
# a version first: a timestamp or sequence of three digits or more (`20240101120000_`, `0042_`), Flyway's `V3__`
_VERSIONED = re.compile(r"^(?:\d{3,}|V\d+(?:[._]\d+)*__|Version\d{8,})", re.I)  # `Version2024…`: Doctrine's
_CODE = (
    ".go", ".rs", ".java", ".kt", ".scala", ".cs", ".py", ".rb", ".js", ".mjs", ".cjs", ".ts", ".mts",
    ".cts", ".php", ".ex", ".exs", ".clj", ".swift", ".dart", ".lua", ".pl", ".sh",
)  # fmt: skip


def detect(path: str, text: str) -> bool:
    parts = path.split("/")
    return (
        path.endswith(_CODE)
        and not not_run(path)  # a fixture of the project's tests or a library's example
        and any(part.lower() in MIGRATION_FOLDERS for part in parts[:-1])
        and _VERSIONED.match(parts[-1]) is not None
        # tests, type declarations, and Entity Framework's generated `.Designer.cs` twin of each migration
        and not parts[-1].endswith(
            (".d.ts", "_test.go", ".test.ts", ".test.js", ".spec.ts", ".spec.js", ".Designer.cs", "_spec.rb")
        )
    )


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    found = re.match(r"^V?(\d+)", path.rsplit("/", 1)[-1], re.I)
    return found.group(1) if found else ""


# the runner a file names (an import, a base class), to say which one the review does not read
_RUNNERS = (
    (re.compile(r"uptrace/bun\b"), "bun"),
    (re.compile(r"gorm\.io/|go-gormigrate"), "GORM"),
    (re.compile(r"EntityFrameworkCore"), "Entity Framework"),
    (re.compile(r"\brefinery\b"), "refinery"),
    (re.compile(r"\bPhinx\b"), "Phinx"),
    (re.compile(r"\bumzug\b", re.I), "Umzug"),
    (re.compile(r"xorm\.io|\bxorm\b"), "xorm"),
    (re.compile(r"pocketbase", re.I), "PocketBase"),
    (re.compile(r"\bmongo(?:db|ose)?\b", re.I), "a MongoDB migration tool"),
)


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    language = path.rsplit(".", 1)[-1]
    runner = next((name for pattern, name in _RUNNERS if pattern.search(text)), "")
    op = Unparsed(
        location=Location(path, 1),
        error=f"{'an' if runner[:1] in 'AEIOU' else 'a'} {runner} migration, a runner the review does not read"
        if runner
        else f"a migration in `.{language}` code of a runner the review does not read",
    )
    # `// migration-review: ignore-file unreadable-migration <reason>` once someone has read it by hand
    found = suppressions.find(text, (op,)) if "migration-review:" in text else ()
    return Migration(path, NAME, dialect, (op,), None, False, "could not be read", suppressions=found)


def comment(path: str) -> str:
    """How a line comment that can hold a suppression starts in the file's language ("" for none: Clojure's
    `;`)."""
    language = path.rsplit(".", 1)[-1]
    return (
        "#"
        if language in _HASH_COMMENTS
        else "--"
        if language == "lua"
        else ""
        if language == "clj"
        else "//"
    )


_HASH_COMMENTS = frozenset({"py", "rb", "ex", "exs", "pl", "sh"})
