"""Names as the migration wrote them, for what the review shows and the SQL it hands out.

The readers fold an unquoted name to lower case, as PostgreSQL does, so that every statement naming a table
finds it. MySQL and SQLite keep the name as written: a MySQL table `UserAccounts` is `UserAccounts` on the
disk, and on Linux `useraccounts` is another table (`SELECT … FROM useraccounts` fails). For those databases
the review takes the spelling back from the migrations' own statements: `written` collects it, `respell_sql`
puts it into SQL the review generates, `respell_text` into the Markdown of its messages (inside `code` only).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.tokens import TokenType  # type: ignore[attr-defined]

from bot.model.migration import Operation

DIALECTS = ("mysql", "mariadb", "sqlite")  # the databases that keep an unquoted name as written
_SQLGLOT = {"mariadb": "mysql"}
_CODE = re.compile(r"`([^`\n]+)`")
_PATH = re.compile(r"[\w.-]*/[\w./-]*")  # a file's path in a code span: never a name to respell
_WORD = re.compile(r"'[^']*'|[A-Za-z_][A-Za-z0-9_$]*")


def written(ops: Iterable[Operation]) -> dict[str, str]:
    """Folded name → the spelling the statements give it, for names written in more than lower case. A name
    written two ways (`Users` and `USERS`) is left folded: there is no one spelling to show."""
    found: dict[str, set[str]] = {}
    for op in ops:
        if not isinstance(op.expression, exp.Expression):
            continue
        for node in op.expression.find_all(exp.Identifier):
            text = str(node.this)
            if not node.quoted and text != text.lower():
                found.setdefault(text.lower(), set()).add(text)
    return {folded: next(iter(spellings)) for folded, spellings in found.items() if len(spellings) == 1}


def respell_sql(sql: str, names: dict[str, str], dialect: str) -> str:
    """`sql` with every unquoted identifier the migrations spelled otherwise written their way."""
    if not names or not sql:
        return sql
    try:
        found = Dialect.get_or_raise(_SQLGLOT.get(dialect, dialect)).tokenize(sql)
    except (SqlglotError, ValueError):
        return sql
    out, last = [], 0
    for token in found:
        if token.token_type is not TokenType.VAR or token.text not in names:
            continue
        start, end = token.start, token.end + 1
        if sql[start:end] != token.text:  # a position the tokenizer does not map back: leave the text alone
            continue
        out.append(sql[last:start] + names[token.text])
        last = end
    return "".join(out) + sql[last:]


def respell_text(text: str, names: dict[str, str]) -> str:
    """Markdown whose `code` spans name tables and columns folded, with those names written their way
    (a word inside a string literal stays as it is)."""
    if not names or "`" not in text:
        return text

    def span(match: re.Match[str]) -> str:
        if _PATH.fullmatch(match.group(1)):
            return match.group(0)
        inner = _WORD.sub(lambda w: names.get(w.group(0), w.group(0)), match.group(1))
        return f"`{inner}`"

    return _CODE.sub(span, text)
