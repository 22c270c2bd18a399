"""Tokens of code: the identifier around a match, ORM spellings of a column, what qualifies a name.

Rails generates attribute methods (`legacy_status_changed?`, `find_by_legacy_status`), Django builds
lookups (`legacy_status__in`), Java-style code has accessors (`getLegacyStatus`): all of them are uses.
"""

from __future__ import annotations

import functools
import re

RAILS_PREFIXES = (
    *("find_by_", "find_or_create_by_", "find_or_initialize_by_", "find_all_by_"),
    *("saved_change_to_", "will_save_change_to_", "restore_", "reset_", "clear_"),
)
RAILS_SUFFIXES = (
    *("_was", "_changed", "_change", "_before_last_save", "_in_database", "_previously_changed"),
    *("_previously_was", "_will_change", "_before_type_cast", "_came_from_user", "_for_database"),
)
# Tables named by SQL in a line or a window of lines (upper-case keywords, or a lower-case statement).
SQL_TABLE = re.compile(
    r"\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+[`\"\[]?(?:\w+\.)?(\w+)"
    r"|\bselect\b[^;\n]*?\bfrom\s+[`\"]?(\w+)|\b(?:delete\s+from|insert\s+into|join)\s+[`\"]?(\w+)"
    r"|\bupdate\s+[`\"]?(\w+)[`\"]?\s+set\b"
)


def token_at(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the identifier around text[start:end] (letters, digits and underscores)."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    return start, end


def accepts(token: str, word: str, role: str) -> bool:
    """Is `token` a use of `word`: the word itself, or for a column name an ORM spelling of it?"""
    if token == word:
        return True
    if role not in ("name", "new") or word not in token:
        return False
    if "__" in token and word in token.split("__"):
        return True  # Django lookups: legacy_status__in, order__legacy_status
    if word[:1].isupper() or any(c.isupper() for c in word):
        return token in (f"get{word[:1].upper()}{word[1:]}", f"set{word[:1].upper()}{word[1:]}")
    head, _, tail = token.partition(word)
    return (
        (not head or head in RAILS_PREFIXES) and (not tail or tail in RAILS_SUFFIXES) and bool(head or tail)
    )


@functools.lru_cache(maxsize=1024)  # asked of one place for each target its word may be a use of
def qualifier(line: str, col: int) -> str:
    """The name before `.x`, `::x`, `->x`, `?.x`, `&.x`, `[:x]`, `["x"]` or `("x")` ending at `col`, if any."""
    before = line[max(0, col - 120) : col].rstrip(":\"'` ")
    for sep in ("?.", "&.", ".", "::", "->", "[", "("):  # `&.`: Ruby's safe navigation
        if before.endswith(sep):
            before = before[: -len(sep)].rstrip()
            end = len(before)
            start = end
            while start > 0 and (before[start - 1].isalnum() or before[start - 1] in "_@"):
                start -= 1
            if before[start - 1 : start] == "%":
                return ""  # Ruby's `%w[a b]`, `%i(a b)`: a list of words, not an index into `w`
            return before[start:end].lstrip("@")
    return ""


_DB_QUALIFIERS = frozenset(
    {"db", "database", "schema", "tables", "metadata", "prisma", "knex", "sequelize", "models", "sql"}
    | {"conn", "connection", "client", "tx", "trx", "kysely", "drizzle", "dsl", "public"}
)
# A map or list subscripted with the string that follows: `row["orders"]`, `metadata.tables['orders']`.
_SUBSCRIPT = re.compile(r"(\w+)[ \t]*\[[ \t]*$")
# Diesel's schema module of a table: `orders::table`, `orders::dsl`, `orders::status.eq(…)`.
_DIESEL = re.compile(
    r"::(?:table|dsl|columns|all_columns|star)\b|::\w+\.(?:eq|ne|gt|lt|ge|le|is_null|is_not_null|eq_any|desc|asc)\("
)


def _map_key(before: str) -> bool:
    """Does the quote or colon that ends `before` open a subscript of a map that is no database's
    (`row["…`, `params[:…`; not `db["…` or `metadata.tables["…`)?"""
    subscript = _SUBSCRIPT.search(before, 0, len(before) - 1)
    return subscript is not None and subscript.group(1).lower() not in _DB_QUALIFIERS


def names_table(line: str, col: int, table: str) -> bool:
    """The table name as code names a table: a string or symbol of its own, `db.orders`, Diesel's
    `orders::table`, or in SQL. A quoted object key (`"tag": […]`) and an attribute of any object
    (`activity.tag`) are not, unless the name has an underscore (`x.legacy_invoices`)."""
    before, after = line[:col], line[col + len(table) :]
    if before.endswith(("'", '"', "`")) and after.startswith((before[-1], ".")):
        if re.match(r".\s*=>", after):
            return False  # `%{"orders" => …}`, `['orders' => …]`: a key of a map
        if _map_key(before):
            return False  # `row["orders"]`, `params['orders']`: a key read from a map; `db["orders"]` stays
        return not re.match(r".\s*:(?!:)", after)  # "orders", or "orders.id"; not {"orders": …}
    if before.endswith(":") and not before.endswith("::"):
        return not _map_key(before)  # `has_many :orders`; not `params[:orders]`
    if before.endswith(".") and not before.endswith(".."):
        return "_" in table or qualifier(line, col).lower() in _DB_QUALIFIERS
    if not before.endswith("::") and _DIESEL.match(after):
        return True
    return any(table in group for group in SQL_TABLE.findall(line))
