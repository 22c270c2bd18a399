"""Branches of a migration that run on one database only.

Applications that support several databases guard statements with the database they run on:
`if Redmine::Database.mysql?`, `unless /sqlite/i.match?(connection.adapter_name)`,
`if op.get_bind().dialect.name == "postgresql":`, `elif url.startswith("postgres"):`. A review in one
dialect reads the branch that runs there and leaves out the other: an index built only for PostgreSQL is
no lock on MySQL, and a MySQL-only `MODIFY` is no rewrite on PostgreSQL.

The condition is read as text, not evaluated: it names one or more databases, possibly negated (`not`,
`!`, `!=`, `is False`, Ruby's `unless`). A condition that names no database, or that combines a database
with something else the review cannot know (`and`, `&&`), leaves both branches read, as before.
"""

from __future__ import annotations

import re

from bot.frameworks.settings.found import family

_FAMILIES = (
    ("postgres", re.compile(r"postgres|\bpg\b|psql|pgsql", re.I)),
    ("mysql", re.compile(r"mysql|mariadb|trilogy", re.I)),
    ("sqlite", re.compile(r"sqlite", re.I)),
    ("other", re.compile(r"mssql|sqlserver|sql_server|oracle|oci8|db2|h2\b", re.I)),
)
_NEGATION = re.compile(r"(?:^|[\s(])(?:not\s|!(?!=))|!=|\bis\s+False\b|==\s*False\b", re.I)
_OTHER_TERMS = re.compile(r"\band\b|&&|\bversion\b|\bif\b", re.I)


def runs_on(condition: str, dialect: str, *, negated: bool = False) -> bool | None:
    """Does the branch guarded by `condition` run on `dialect`? None when the condition does not say."""
    names = {name for name, pattern in _FAMILIES if pattern.search(condition)}
    if not names or not dialect or _OTHER_TERMS.search(condition):
        return None
    negated = negated != bool(_NEGATION.search(condition))
    return (family(dialect) in names) != negated
