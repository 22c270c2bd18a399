"""Reading SQL: statement splitting with exact lines, parsing, translation into typed operations, the
names the database folds, locks, type conversions and the data a statement maps.

The only package that calls a SQL parser. Imports `bot.model` only.
"""
