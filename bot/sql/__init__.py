"""Reading SQL: statement splitting with exact lines, parsing, translation into typed operations, the
names the database folds, locks, type conversions and the data a statement maps.

PostgreSQL is read by PostgreSQL's own grammar through pglast (`pg_statements`, `pg_translate` and the
`pg_*` modules it uses); MySQL, MariaDB and SQLite by sqlglot (`statements`, `translate`, `commands`).

The only package that calls a SQL parser. Imports `bot.model` only.
"""
