"""Run the peers' own test cases through our command line and count, per peer rule, what our mapped rule flags.

    .venv/bin/python bench/peers.py --squawk DIR --eugene DIR --strong-migrations DIR --django-linter DIR

Each DIR is a checkout of that project (any subset may be given). Nothing of theirs is kept: the cases are
read from the checkouts at run time, written to a temporary folder, and linted with `migration-review lint`
(a fresh process per case, with the case's PostgreSQL version and assume-in-transaction setting in a
configuration file). Our rule for each peer rule comes from docs/rule-mapping.md. For every peer rule the
script prints how many of the peer's hazard cases our mapped rules flag, and how many of its safe cases.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLI = str(Path(sys.executable).parent / "migration-review")
MAPPING = ROOT / "docs" / "rule-mapping.md"


@dataclass(frozen=True)
class Case:
    peer: str  # the section of docs/rule-mapping.md
    rule: str  # the peer's rule id
    name: str  # where the case comes from
    hazard: bool
    files: tuple[tuple[str, str], ...]  # (relative path, text), linted in this order
    dialect: str = "postgres"
    version: str = ""
    assume_in_transaction: bool | None = None
    # the repository before the case (its schema dump, settings): reviewed as a pull request on top of it
    base: tuple[tuple[str, str], ...] = ()
    # the peer rule the case's assertion names, when it is narrower than `rule` (a Squawk module that holds
    # two rules, each case enabling one of them): our rules mapped to it judge the case
    judged_by: str = ""


@dataclass
class Tally:
    hazards: int = 0
    hazards_flagged: int = 0
    safe: int = 0
    safe_flagged: int = 0
    misses: list[str] = field(default_factory=list)
    false_alarms: list[str] = field(default_factory=list)
    disagreed: list[str] = field(default_factory=list)  # misses and alarms docs/rule-mapping.md explains

    def agreed(self) -> tuple[int, int, int, int]:
        """The figures without the documented disagreements: hazards, flagged, safe, flagged."""
        missed = sum(1 for n in self.disagreed if n.startswith("missed: "))
        alarmed = len(self.disagreed) - missed
        return (
            self.hazards - missed,
            self.hazards_flagged,
            self.safe - alarmed,
            self.safe_flagged - alarmed,
        )


# --- reading the mapping ------------------------------------------------------------------------------


def mapping() -> dict[str, dict[str, tuple[str, ...]]]:
    """docs/rule-mapping.md as {section: {peer rule: our rule ids}}; an empty tuple for rules not adopted."""
    sections: dict[str, dict[str, tuple[str, ...]]] = {}
    current: dict[str, tuple[str, ...]] = {}
    for line in MAPPING.read_text().splitlines():
        if line.startswith("## "):
            current = sections.setdefault(line[3:].strip(), {})
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.startswith("| `") else []
        if len(cells) >= 2:
            ours = tuple(re.findall(r"`([a-z0-9-]+)`", cells[1]))
            current[cells[0].strip("`")] = ours
    return sections


def disagreements() -> dict[str, str]:
    """The peer cases docs/rule-mapping.md says we judge otherwise, on purpose: {case name: why}."""
    text = MAPPING.read_text()
    start = text.find("## Where we disagree")
    if start < 0:
        return {}
    section = text[start:].split("\n## ", 1)[0]
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and not line.startswith(("| Peer", "|---")) and len(cells) >= 3:
            for name in re.findall(r"`([^`]+)`", cells[1]):
                found[f"{cells[0]}|{name}"] = cells[2]
    return found


# --- Squawk: the tests inside each rule module ------------------------------------------------------

_STRING = re.compile(r'(@?)(?:r(#*)"(.*?)"\2|"((?:[^"\\]|\\.)*)")', re.S)
_LET = re.compile(r"let\s+(?:mut\s+)?(\w+)\s*=\s*")
_CALL = re.compile(r"\b(lint_ok_with|lint_errors_with|lint_ok|lint_errors|fix_sql_with|fix_sql|fix)\s*\(")
_VERSION = re.compile(r'pg_version:\s*"(\d+)"')


def squawk(root: Path) -> Iterator[Case]:
    for path in sorted((root / "crates/squawk_linter/src/rules").glob("*.rs")):
        text = path.read_text()
        if "mod test" not in text:
            continue
        tests = text[text.index("mod test") :]
        helpers = {
            m.group(1): m.group(2)
            for m in re.finditer(
                r'fn\s+(\w+)\(\)\s*->\s*LinterSettings\s*\{.*?pg_version:\s*"(\d+)"', tests, re.S
            )
        }
        for chunk in tests.split("#[test]")[1:]:
            # only the test function itself: a helper defined after it (`fn fix(sql)`) is not a case
            body = re.split(r"\n\s*(?:#\[must_use\]\s*)?fn\s+\w+\(\s*\w+\s*:", chunk)[0]
            yield from _squawk_test(path.stem, body, helpers)


def _squawk_test(stem: str, chunk: str, helpers: dict[str, str]) -> Iterator[Case]:
    name = re.search(r"fn\s+(\w+)", chunk)
    variables: dict[str, str] = {}
    for match in _LET.finditer(chunk):
        literal = _STRING.match(chunk, match.end())
        if literal and not literal.group(1):
            variables[match.group(1)] = (
                literal.group(3) if literal.group(3) is not None else _unescape(literal.group(4))
            )
    calls = list(_CALL.finditer(chunk))
    for index, call in enumerate(calls):
        end = calls[index + 1].start() if index + 1 < len(calls) else len(chunk)
        args = chunk[call.end() : end]
        sql = _first_argument(args, variables)
        if sql is None:
            continue
        peer_rule = stem.replace("_", "-")  # one module per rule; `Rule::…` arguments use other spellings
        named = re.search(r"\bRule::(\w+)", args)
        version = _VERSION.search(args)
        helper = next((v for name, v in helpers.items() if re.search(rf"\b{name}\(\)", args)), None)
        in_transaction = "assume_in_transaction: true" in args
        if "squawk-disable-assume-in-transaction" in sql:
            in_transaction = False  # Squawk's own file directive, said in our configuration instead
        yield Case(
            peer="Squawk",
            rule=peer_rule,
            name=f"{stem}::{name.group(1) if name else '?'}",
            hazard="ok" not in call.group(1),
            files=(("migrations/0001_case.sql", sql),),
            version=version.group(1) if version else helper or "17",
            assume_in_transaction=in_transaction,
            judged_by=_kebab(named.group(1)) if named else "",
        )


def _kebab(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", camel).lower()


def _first_argument(args: str, variables: dict[str, str]) -> str | None:
    stripped = args.lstrip()
    literal = _STRING.match(stripped)
    if literal and not literal.group(1):
        return literal.group(3) if literal.group(3) is not None else _unescape(literal.group(4))
    word = re.match(r"&?\s*(\w+)", stripped)
    return variables.get(word.group(1)) if word else None


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


# --- eugene: examples/<hint>/bad.sql and good.sql, files separated by `-- N.sql` ------------------------


def eugene(root: Path) -> Iterator[Case]:
    for folder in sorted((root / "eugene/examples").glob("[EW]*")):
        for kind in ("bad", "good"):
            path = folder / f"{kind}.sql"
            if path.is_file():
                parts = [
                    p for p in re.split(r"^--\s*\d+\.sql\s*$", path.read_text(), flags=re.M) if p.strip()
                ]
                files = tuple((f"migrations/{i + 1:04d}_step.sql", part) for i, part in enumerate(parts))
                # the earlier files are the schema the example starts from: applied, the last one is reviewed
                yield Case(
                    "eugene",
                    folder.name,
                    f"{folder.name}/{kind}",
                    kind == "bad",
                    files[-1:],
                    assume_in_transaction=True,
                    base=files[:-1],
                )


# --- strong_migrations: assert_unsafe / assert_safe on migration classes ------------------------------

_CLASS = re.compile(r"^class (\w+) < TestMigration\n(.*?)^end\n", re.S | re.M)
_ASSERT = re.compile(r"\b(assert_unsafe|assert_safe)\s+(\w+)")


def _strong_migrations_schema(root: Path) -> tuple[tuple[str, str], ...]:
    """Their test schema (the `create_table` blocks of test/support), as the repository's db/schema.rb."""
    text = (root / "test/support/active_record.rb").read_text()
    blocks = re.findall(r"^  create_table :\w+ do \|t\|\n.*?^  end\n", text, flags=re.M | re.S)
    body = "".join(blocks).replace(' if $adapter == "postgresql"', "")
    schema = f"ActiveRecord::Schema[7.1].define(version: 1) do\n{body}end\n"
    database = "production:\n  adapter: postgresql\n  database: app\n"
    return (("db/schema.rb", schema), ("config/database.yml", database))


def strong_migrations(root: Path) -> Iterator[Case]:
    base = _strong_migrations_schema(root)
    classes: dict[str, str] = {}
    for path in (root / "test/migrations").glob("*.rb"):
        for match in _CLASS.finditer(path.read_text()):
            classes[match.group(1)] = match.group(0)
    for path in sorted((root / "test").glob("*_test.rb")):
        text = path.read_text()
        for method in re.split(r"^\s*def (?=test_)", text, flags=re.M)[1:]:
            body = _postgres_branch(method)
            version = re.search(r"with_target_version\(([\d.]+)\)", body)
            # a test that runs its assertion in another session time zone (`with_time_zone do … end`):
            # the Rails setting that gives every connection that zone
            zone = re.search(r"def with_time_zone\b.*?SET timezone = '([^']+)'", text, re.S)
            settings = _session_zone(base, zone.group(1)) if zone and "with_time_zone" in body else base
            if _SAFE_BY_DEFAULT.search(text):  # the test file turns the option on for its cases
                settings = (
                    *settings,
                    ("config/initializers/strong_migrations.rb", "StrongMigrations.safe_by_default = true\n"),
                )
            for kind, klass in _ASSERT.findall(body):
                if klass not in classes:
                    continue
                source = classes[klass].replace("< TestMigration", "< ActiveRecord::Migration[7.1]", 1)
                yield Case(
                    "strong_migrations",
                    path.stem.removesuffix("_test"),
                    f"{path.stem}::{method.split('(')[0].split()[0]}::{klass}",
                    kind == "assert_unsafe",
                    ((f"db/migrate/20240101000000_{_snake(klass)}.rb", source),),
                    base=settings,
                    version=version.group(1) if version else "",
                )


_SAFE_BY_DEFAULT = re.compile(r"StrongMigrations\.safe_by_default = true")


def _session_zone(base: tuple[tuple[str, str], ...], zone: str) -> tuple[tuple[str, str], ...]:
    """`base` with a config/database.yml that sets `zone` on every connection (Rails' `variables:`)."""
    return tuple(
        (path, text + f"  variables:\n    timezone: {zone}\n" if path == "config/database.yml" else text)
        for path, text in base
    )


def _postgres_branch(method: str) -> str:
    """The lines a PostgreSQL run executes: `if postgresql?` branches kept, the others dropped.

    A test that skips itself on PostgreSQL (`skip unless mysql?`, `skip unless algorithm_option?`, which only
    MySQL and MariaDB have) runs nothing.
    """
    method = re.sub(r"<<[~-]?(\w+)\n.*?^\s*\1$", "", method, flags=re.M | re.S)  # heredocs: messages
    kept: list[str] = []
    stack: list[list[bool]] = []  # per open `if`: [keep this branch, some branch already taken]
    for line in method.splitlines():
        word = line.strip()
        if re.match(
            r"^skip\s+(unless\s+(mysql|mariadb|algorithm_option|lock_option)\?|if\s+postgresql\?)", word
        ) and all(branch[0] for branch in stack):
            return "\n".join(kept)
        postgres = re.match(r"^(?:els)?if\s+postgresql\?|^unless\s+(mysql|mariadb)\?", word)
        other = re.match(r"^(?:els)?if\s+(mysql|mariadb)\?|^unless\s+postgresql\?", word)
        if word.startswith(("if ", "unless ")) and (postgres or other):
            stack.append([bool(postgres), bool(postgres)])
            continue
        if stack and word.startswith("elsif ") and (postgres or other):
            taken = stack[-1][1]
            stack[-1] = [bool(postgres) and not taken, taken or bool(postgres)]
            continue
        if stack and word == "else":
            stack[-1] = [not stack[-1][1], True]
            continue
        if stack and word == "end":
            stack.pop()
            continue
        if all(branch[0] for branch in stack):
            kept.append(line)
    return "\n".join(kept)


def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


# --- django-migration-linter: the SQL analyser's unit tests, per vendor --------------------------------

_VENDORS = {
    "MySqlAnalyserTestCase": "mysql",
    "SqliteAnalyserTestCase": "sqlite",
    "PostgresqlAnalyserTestCase": "postgres",
}
_DJANGO_ASSERT = re.compile(
    r"self\.(assertValidSql|assertBackwardIncompatibleSql|assertWarningSql)\((\w+)(?:,\s*code=\"(\w+)\")?"
)


def django_linter(root: Path) -> Iterator[Case]:
    text = (root / "tests/unit/test_sql_analyser.py").read_text()
    for klass in re.split(r"^class ", text, flags=re.M)[1:]:
        vendor = _VENDORS.get(klass.split("(")[0])
        if vendor is None:
            continue
        for method in re.split(r"^    def (?=test_)", klass, flags=re.M)[1:]:
            yield from _django_method(vendor, method)


def _django_method(vendor: str, method: str) -> Iterator[Case]:
    name = method.split("(")[0]
    sql: str | None = None
    position = 0
    for assertion in _DJANGO_ASSERT.finditer(method):
        block = method[position : assertion.start()]
        position = assertion.end()
        found = _python_sql(block)
        sql = found if found is not None else sql
        if sql is None or assertion.group(1) == "assertWarningSql":
            continue
        hazard = assertion.group(1) == "assertBackwardIncompatibleSql"
        rule = assertion.group(3) or _django_code(name)
        yield Case(
            f"django-migration-linter ({vendor})",
            rule,
            f"{vendor}::{name}",
            hazard,
            (("migrations/0001_case.sql", sql),),
            dialect=vendor,
            assume_in_transaction=vendor != "mysql",
        )


def _python_sql(block: str) -> str | None:
    """The last `sql = …` assignment in a block: a string, or a list or tuple of strings, as one script.

    The value is read as the Python literal it is (either quote, implicit concatenation, escapes), the
    lines after it dropped until it reads.
    """
    assignments = list(re.finditer(r"\bsql\s*=\s*", block))
    if not assignments:
        return None
    lines = block[assignments[-1].end() :].splitlines()
    for end in range(len(lines), 0, -1):
        try:
            value = ast.literal_eval("\n".join(lines[:end]).strip())
        except (SyntaxError, ValueError):
            continue
        strings = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
        return "\n".join(s if s.rstrip().endswith(";") else s + ";" for s in strings) or None
    return None


def _django_code(test_name: str) -> str:
    """The analyser's error code a test is about, from its name, when the assertion names none."""
    for words, code in (
        ("not_null", "NOT_NULL"),
        ("drop_column", "DROP_COLUMN"),
        ("drop_table", "DROP_TABLE"),
        ("rename_column", "RENAME_COLUMN"),
        ("rename_table", "RENAME_TABLE"),
        ("alter_column", "ALTER_COLUMN"),
        ("unique", "ADD_UNIQUE"),
        ("create_index_exclusive", "CREATE_INDEX_EXCLUSIVE"),
        ("create_index", "CREATE_INDEX"),
        ("drop_index", "DROP_INDEX"),
        ("reindex", "REINDEX"),
    ):
        if words in test_name:
            return code
    return "(unnamed)"


# --- running ------------------------------------------------------------------------------------------


def flagged(case: Case) -> set[str]:
    """The rule ids our command line reports (not suppressed) on the case's files."""
    if case.base:
        return _reviewed(case)
    with tempfile.TemporaryDirectory() as tmp:
        paths = _written(Path(tmp), case.files)
        config = Path(tmp) / "review.yml"
        config.write_text("\n".join(_settings(case, dialect=True)) + "\n")
        done = subprocess.run(
            [CLI, "lint", "--format", "json", "--exit-zero", "--config", str(config), *paths],
            capture_output=True,
            text=True,
            check=False,
        )
    return _rules(done)


def _written(root: Path, files: Sequence[tuple[str, str]]) -> list[str]:
    """Write (relative path, text) pairs under `root`; their paths, in order."""
    paths = []
    for relative, text in files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        paths.append(str(path))
    return paths


def _settings(case: Case, *, dialect: bool) -> list[str]:
    """The case's own settings (the peer's PostgreSQL version, assume-in-transaction) as configuration lines."""
    lines = [f"dialect: {case.dialect}"] if dialect else []
    if case.version:
        lines.append(f'database_version: "{case.version}"')
    if case.assume_in_transaction is not None and case.dialect != "mysql":
        lines.append(f"assume_in_transaction: {str(case.assume_in_transaction).lower()}")
    return lines


def _reviewed(case: Case) -> set[str]:
    """The case as a pull request: its base files in one commit, the case's files in the next, reviewed."""
    with tempfile.TemporaryDirectory() as tmp:
        git = ["git", "-C", tmp, "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        subprocess.run([*git, "init", "-q"], check=True)
        # a Rails case says its database in config/database.yml, as a Rails repository does
        settings = _settings(case, dialect=not any(p.endswith(".rb") for p, _ in case.files))
        config = ((".github/migration-review.yml", "\n".join(settings) + "\n"),) if settings else ()
        for commit, files in (("base", case.base + config), ("case", case.files)):
            _written(Path(tmp), files)
            subprocess.run([*git, "add", "-A"], check=True)
            subprocess.run([*git, "commit", "-q", "-m", commit], check=True)
        done = subprocess.run(
            [
                CLI,
                "review",
                "--repo",
                tmp,
                "--base",
                "HEAD~1",
                "--head",
                "HEAD",
                "--format",
                "json",
                "--exit-zero",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
    return _rules(done)


def _rules(done: subprocess.CompletedProcess[str]) -> set[str]:
    if done.returncode != 0:
        return {"(error)"}
    findings = json.loads(done.stdout)["findings"]
    return {f["rule"] for f in findings if not f.get("suppressed")}


def tally(
    cases: list[Case], rules: dict[str, dict[str, tuple[str, ...]]], jobs: int
) -> dict[tuple[str, str], Tally]:
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(flagged, cases))
    table: dict[tuple[str, str], Tally] = defaultdict(Tally)
    explained = disagreements()
    for case, found in zip(cases, results, strict=True):
        ours = _ours(rules, case)
        if not ours:
            continue
        row = table[(case.peer, case.rule)]
        hit = bool(found & set(ours))
        if case.hazard:
            row.hazards += 1
            row.hazards_flagged += hit
            if not hit:
                row.misses.append(case.name)
                if f"{case.peer.split(' (')[0]}|{case.name}" in explained:
                    row.disagreed.append(f"missed: {case.name}")
        else:
            row.safe += 1
            row.safe_flagged += hit
            if hit:
                row.false_alarms.append(case.name)
                if f"{case.peer.split(' (')[0]}|{case.name}" in explained:
                    row.disagreed.append(f"flagged: {case.name}")
    return table


# Squawk's rule ids in its code, where the mapping uses the ids of its documentation.
_ALIASES = {
    "adding-not-null-field": ("adding-not-nullable-field",),
    "adding-primary-key-constraint": ("adding-serial-primary-key-field",),
    "disallow-unique-constraint": ("disallowed-unique-constraint",),
    "prefer-timestamp-tz": ("prefer-timestamptz",),
    "require-timeout-settings": ("require-lock-timeout", "require-statement-timeout"),
}


def _ours(rules: dict[str, dict[str, tuple[str, ...]]], case: Case) -> tuple[str, ...]:
    section = rules.get(case.peer.split(" (")[0], {})
    if case.judged_by in section:  # the case enables one rule of a module that holds several
        return section[case.judged_by]
    names = _ALIASES.get(case.rule, (case.rule,))
    return tuple(rule for name in names for rule in section.get(name, ()))


def report(table: dict[tuple[str, str], Tally], verbose: bool) -> None:
    print(
        f"{'peer':<34} {'peer rule':<46} {'hazards flagged':>16} {'safe flagged':>13}"
        f" {'without documented disagreements':>34}"
    )
    for (peer, rule), row in sorted(table.items()):
        hazards = f"{row.hazards_flagged}/{row.hazards}" if row.hazards else "-"
        safe = f"{row.safe_flagged}/{row.safe}" if row.safe else "-"
        h, hf, s, sf = row.agreed()
        agreed = f"{hf}/{h}, {sf}/{s}" if row.disagreed else ""
        print(f"{peer:<34} {rule:<46} {hazards:>16} {safe:>13} {agreed:>34}")
        if verbose:
            for name in row.misses:
                print(f"    missed: {name}")
            for name in row.false_alarms:
                print(f"    false alarm: {name}")
    for peer in sorted({p for p, _ in table}):
        rows = [r for (p, _), r in table.items() if p == peer]
        hazards, hit = sum(r.hazards for r in rows), sum(r.hazards_flagged for r in rows)
        safe, alarms = sum(r.safe for r in rows), sum(r.safe_flagged for r in rows)
        agreed = [sum(r.agreed()[i] for r in rows) for i in range(4)]
        print(
            f"total {peer}: hazards {hit}/{hazards} flagged, safe cases {alarms}/{safe} flagged; "
            f"without the documented disagreements {agreed[1]}/{agreed[0]} and {agreed[3]}/{agreed[2]}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--squawk", type=Path)
    parser.add_argument("--eugene", type=Path)
    parser.add_argument("--strong-migrations", type=Path)
    parser.add_argument("--django-linter", type=Path)
    parser.add_argument("--rule", help="only this peer rule")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("-v", "--verbose", action="store_true", help="name every miss and false alarm")
    args = parser.parse_args(argv)
    cases: list[Case] = []
    for reader, root in (
        (squawk, args.squawk),
        (eugene, args.eugene),
        (strong_migrations, args.strong_migrations),
        (django_linter, args.django_linter),
    ):
        if root is not None:
            cases.extend(reader(root))
    if args.rule:
        cases = [c for c in cases if c.rule == args.rule]
    if not cases:
        parser.error("give at least one checkout (--squawk, --eugene, --strong-migrations, --django-linter)")
    report(tally(cases, mapping(), args.jobs), args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
