"""SQL in code strings, read as SQL: does the query really select or write that column of that table?

The string literal around a use is found by the file's language (quotes on the line; Python and Java
triple quotes, JavaScript and Go backticks, Ruby and PHP heredocs), and, when it is a whole statement
(`SELECT`, `WITH`, `INSERT`, `UPDATE`, `DELETE`), its bind parameters and interpolations are made
parameters (`%s`, `?`, `:name`, `#{…}`, `${…}`, `{…}`, printf verbs, `$name` become `$1`; one where a
table goes becomes a table of the code's choosing) and it is parsed with PostgreSQL's grammar. A `.sql` file outside the migrations is read a statement at a time. A use there is a reference
only if the statement names the column of the target's table (aliases resolved, a bare column given to the
relation of its query that has it) or the table itself; the word in a string constant, an output alias
or a column of another table is not. A string that does not parse (a fragment, SQL built in pieces)
keeps the word search's judgement.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass

from bot.sql.pg_columns import Tables, query_columns

_STATEMENT = re.compile(r"^\s*\(?\s*(?:SELECT|WITH|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s", re.I)
_PLACEHOLDERS = re.compile(
    r"#\{[^{}]*\}|\$\{[^{}]*\}|%\(\w+\)[sd]|(?<![\w:]):\w+|\?"
    r"|%(?:\[\d+\])?[-+ #0]*\d*(?:\.\d+)?[sdvqifxXgGbceET]"  # printf: Python %, Go Sprintf, String.format
    r"|(?<![{\w])\{(?!\{)[^{}\n]*(?:\{[^{}\n]*\}[^{}\n]*)*\}"  # str.format, f-strings, MessageFormat
    r"|(?<![\w$])\$[A-Za-z_]\w*(?:\.\w+)*(?![\w$])"  # Kotlin, Groovy, PHP `$name`
)
_QUALIFIER = re.compile(r"(?:#\{[^{}]*\}|\$\{[^{}]*\}|\{\w+\}|\$[A-Za-z_]\w*)\.(?=[A-Za-z_\"])")
# A placeholder where a table goes (`FROM {}`, `UPDATE %s`): a table of the code's choosing, whose columns
# the statement cannot tell.
PLACEHOLDER_TABLE = "_code_value_"
_TABLE_PLACE = re.compile(r"\b((?:FROM|JOIN|INTO|UPDATE|TABLE)\s+)\$1\b", re.I)
_LEADING_COMMENTS = re.compile(r"^(?:\s*(?:--[^\n]*|/\*.*?\*/))*", re.S)
_HEREDOC = re.compile(r"<<<?[~-]?\s*(['\"]?)([A-Z_][A-Z0-9_]*)\1")
_BACKTICK_FILES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".go")
_TRIPLE_FILES = (".py", ".java", ".kt", ".ex", ".exs", ".scala")
_HEREDOC_FILES = (".rb", ".php", ".rake")
_CODE_FILES = (*_BACKTICK_FILES, *_TRIPLE_FILES, *_HEREDOC_FILES, ".cs", ".rs")
_MAX_STRING = 20_000
# A backtick not escaped; the backtick first, so that `re` looks for it rather than trying the assertion
# at every offset (ten times faster on a long file)
_BACKTICK = re.compile(r"`(?<!\\`)")
# What the scan of a line stops at: outside a string, a quote or a backtick; inside one, its quote or a backslash
_QUOTE_OR_BACKTICK = re.compile(r"['\"`]")
_IN_SINGLE = re.compile(r"[\\']")
_IN_DOUBLE = re.compile(r'[\\"]')


def literal_at(path: str, text: str, pos: int, delimiters: list[int] | None = None) -> tuple[int, str] | None:
    """(start, content) of the string literal of code around `pos`, or None when `pos` is not in one.

    `delimiters`: the offsets of the file's multi-line delimiters, from `multiline_delimiters`.
    """
    if path.endswith(".sql"):
        start = text.rfind(";", 0, pos) + 1
        end = text.find(";", pos)
        return start, text[start : end if end >= 0 else len(text)]
    if not path.endswith(_CODE_FILES):
        return None
    # inside a triple-quoted string, a quote is text (`"""… in the table 'tokens'."""`), not a string of its own
    found = _multiline(path, text, pos, delimiters) if path.endswith(_TRIPLE_FILES) else None
    if found is not None:
        return found
    found = _on_line(text, pos)
    if found is not None:
        return found
    if path.endswith(_HEREDOC_FILES):
        return _heredoc(text, pos)
    return _multiline(path, text, pos, delimiters)


def _multiline(path: str, text: str, pos: int, delimiters: list[int] | None) -> tuple[int, str] | None:
    if delimiters:
        i = bisect_right(delimiters, pos)
        if i % 2 == 1 and i < len(delimiters):
            width = 3 if path.endswith(_TRIPLE_FILES) else 1
            start = delimiters[i - 1] + width
            return start, text[start : delimiters[i]]
    return None


def multiline_delimiters(path: str, text: str) -> list[int]:
    """Offsets of the triple quotes (Python, Java, …) or backticks (JavaScript, Go) of a file."""
    if path.endswith(_TRIPLE_FILES):
        return [m.start() for m in re.finditer(r'"""|\'\'\'', text)]
    if path.endswith(_BACKTICK_FILES):
        return [m.start() for m in _BACKTICK.finditer(text)]
    return []


def _on_line(text: str, pos: int) -> tuple[int, str] | None:
    """A string that opens and closes on the line of `pos` ('…' or "…", escapes skipped)."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    i = line_start
    while (opening := _QUOTE_OR_BACKTICK.search(text, i, line_end)) is not None:
        i, char = opening.start(), opening.group()
        if i >= pos or char == "`" or text.startswith(char * 3, i):
            return None  # a string opened after `pos`; a backtick or triple quote: a multi-line one
        start, inside = i + 1, _IN_SINGLE if char == "'" else _IN_DOUBLE
        i = start
        while (found := inside.search(text, i, line_end)) is not None and found.group() == "\\":
            i = found.end() + 1  # the escaped character skipped
        if found is None:
            return None  # not closed on the line
        if pos < found.start():
            return start, text[start : found.start()]
        i = found.end()
    return None


def _heredoc(text: str, pos: int) -> tuple[int, str] | None:
    window = max(0, pos - _MAX_STRING)
    for opener in reversed(list(_HEREDOC.finditer(text, window, pos))):
        body = text.find("\n", opener.end())
        if body < 0 or body > pos:
            continue
        end = re.compile(rf"^[ \t]*{re.escape(opener.group(2))}\b", re.M).search(text, body + 1)
        if end is None or end.start() < pos:
            return None
        return body + 1, text[body + 1 : end.start()]
    return None


def parsed(content: str) -> Tables | None:
    """The statement in a string, read as SQL; None when it is not a whole statement PostgreSQL parses."""
    content = _LEADING_COMMENTS.sub("", content)
    if len(content) > _MAX_STRING or not _STATEMENT.match(content):
        return None
    content = _QUALIFIER.sub("", content)  # `#{schema}.orders`: the table, under a schema of the code's
    sql = _PLACEHOLDERS.sub("$1", content.replace("`", '"').replace("%%", "%"))
    return query_columns(_TABLE_PLACE.sub(rf"\1{PLACEHOLDER_TABLE}", sql))


@dataclass(frozen=True)
class Schema:
    """Column names (lower case) and the tables (lower case, without schema) that have one of that name."""

    columns: Mapping[str, Collection[str]]
    tables: frozenset[str]

    def has(self, table: str, column: str) -> bool | None:
        bare = table.lower().rpartition(".")[2]
        if bare not in self.tables:
            return None
        return bare in self.columns.get(column.lower(), ())


def names(found: Tables, table: str, column: str, has: Callable[[str, str], bool | None]) -> str | None:
    """ "write" or "read" when the statement uses `table.column` (`column` "" for the table), else None."""
    wanted = table.lower().rpartition(".")[2]
    if not column:
        named = any(t.lower().rpartition(".")[2] == wanted for t, _ in found.relations)
        return "read" if named else ""
    access: str | None = ""
    for ref in found.columns:
        if ref.column.lower() != column.lower():
            continue
        if ref.row:  # `NEW.col` of a trigger function: its table is not in the statement
            access = access or None
            continue
        owners = ref.owners(has)
        if PLACEHOLDER_TABLE in owners:  # a table the code chooses: it may be the target's
            access = access or None
            continue
        if any(t.lower().rpartition(".")[2] == wanted for t in owners):
            if ref.write:
                return "write"
            access = "read"
    return access
