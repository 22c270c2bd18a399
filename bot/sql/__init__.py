"""Reading SQL: statement splitting with exact lines, parsing, translation into typed operations, the
names the database folds, locks, type conversions and the data a statement maps.

PostgreSQL is read by PostgreSQL's own grammar through pglast (`pg_statements`, `pg_translate` and the
`pg_*` modules it uses); MySQL, MariaDB and SQLite by sqlglot (`statements`, `translate`, `commands`).

The only package that calls a SQL parser. Imports `bot.model` only.
"""

from sqlglot.parser import Parser
from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

# `doc -> 'key'` is a JSON extraction in PostgreSQL, MySQL and SQLite, and none of them has lambdas; sqlglot's
# parser reads an arrow among a function's arguments as a lambda (`jsonb_set(doc, '{k}', doc -> 'k')`,
# `coalesce(doc -> 'k', …)`), which hides the extraction from every reader. Only these three are read here.
Parser.LAMBDAS.pop(TokenType.ARROW, None)
