"""Statements with exact lines: the only module that calls sqlglot's tokenizer and parser.

A migration file is split with the dialect's own tokenizer (so `;` inside strings, dollar-quoted bodies
and comments never splits), then each statement is parsed on its own, so one statement that sqlglot does
not understand never hides the others. Statements that need no tree (transaction control, function and
trigger bodies, DO blocks, grants, comments, INSERT … VALUES) are recognised by their first words and not
parsed at all: they are where most of a large file's bytes are.
"""

from __future__ import annotations

import bisect
import logging
import re
from dataclasses import dataclass
from functools import cache

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Token, TokenType  # type: ignore[attr-defined]

logging.getLogger("sqlglot").setLevel(logging.ERROR)

DIALECTS = {"postgres": "postgres", "mysql": "mysql", "mariadb": "mysql", "sqlite": "sqlite"}

# First words of statements that are classified without a parse.
_UNPARSED_HEADS = (
    ("BEGIN",),
    ("START", "TRANSACTION"),
    ("COMMIT",),
    ("END",),
    ("ROLLBACK",),
    ("SAVEPOINT",),
    ("RELEASE",),
    ("DO",),
    ("GRANT",),
    ("REVOKE",),
    ("COMMENT",),
    ("CREATE", "FUNCTION"),
    ("CREATE", "PROCEDURE"),
    ("CREATE", "TRIGGER"),
    ("CREATE", "CONSTRAINT", "TRIGGER"),
    ("CREATE", "OR", "REPLACE", "FUNCTION"),
    ("CREATE", "OR", "REPLACE", "PROCEDURE"),
    ("CREATE", "OR", "REPLACE", "TRIGGER"),
    ("CREATE", "EXTENSION"),
    ("VACUUM",),
    ("CLUSTER",),
    ("REINDEX",),
    ("ANALYZE",),
    ("REPACK",),
)


@dataclass(frozen=True)
class Statement:
    text: str
    line: int
    end_line: int
    words: tuple[str, ...]  # the first words as written (quoted names keep their quotes)
    expression: exp.Expression | None = None
    error: str | None = None

    @property
    def head(self) -> tuple[str, ...]:
        """The first words in upper case, for matching keywords."""
        return tuple(word.upper() for word in self.words)


@cache
def _dialect(name: str) -> Dialect:
    return Dialect.get_or_raise(DIALECTS.get(name, name))


def split(text: str, dialect: str, *, first_line: int = 1) -> list[Statement]:
    """Split and parse `text`; `first_line` is the file line that `text` starts on."""
    d = _dialect(dialect)
    if DIALECTS.get(dialect) == "mysql" and ("DELIMITER" in text.upper() or "/*!" in text):
        text = _mysql_client_text(text)
    try:
        tokens = d.tokenize(text)
    except TokenError as failure:
        return _fallback(text, first_line, f"could not be tokenised: {_first_line(str(failure))}")
    starts = _line_starts(text)
    statements = []
    for chunk in _chunks(tokens, compound=DIALECTS.get(dialect) in ("mysql", "sqlite")):
        start, end = chunk[0].start, chunk[-1].end + 1
        line = bisect.bisect_right(starts, start) + first_line - 1
        end_line = bisect.bisect_right(starts, chunk[-1].end) + first_line - 1
        source = text[start:end]
        words = _words(source)
        if _skips_parse(tuple(w.upper() for w in words), chunk):
            statements.append(Statement(source, line, end_line, words))
            continue
        if DIALECTS.get(dialect) == "mysql":
            chunk = _without_modifiers(chunk)
        if DIALECTS.get(dialect) == "sqlite" and any(t.text.upper() == "DEFERRABLE" for t in chunk):
            chunk = _without_deferrable(chunk)
        expression, problem = _parse(d, chunk, text)
        statements.append(Statement(source, line, end_line, words, expression, problem))
    return statements


# MySQL's scheduling modifiers (`INSERT LOW_PRIORITY IGNORE INTO`, `UPDATE LOW_PRIORITY t`, `DELETE QUICK
# IGNORE FROM`): they change when the server runs the statement, not what it changes. sqlglot reads none of
# them but `INSERT IGNORE` (and takes `UPDATE LOW_PRIORITY t` for a table `LOW_PRIORITY` aliased `t`).
_MODIFIERS = {
    "INSERT": frozenset({"LOW_PRIORITY", "HIGH_PRIORITY", "DELAYED"}),
    "REPLACE": frozenset({"LOW_PRIORITY", "DELAYED"}),
    "UPDATE": frozenset({"LOW_PRIORITY", "IGNORE"}),
    "DELETE": frozenset({"LOW_PRIORITY", "QUICK", "IGNORE"}),
}


def _without_modifiers(chunk: list[Token]) -> list[Token]:
    """The statement's tokens without the modifiers after its first keyword."""
    modifiers = _MODIFIERS.get(chunk[0].text.upper(), frozenset()) if chunk else frozenset()
    end = 1
    while end < len(chunk) and chunk[end].text.upper() in modifiers:
        end += 1
    return [chunk[0], *chunk[end:]] if end > 1 else chunk


_DEFERRAL = frozenset({"DEFERRABLE", "INITIALLY", "DEFERRED", "IMMEDIATE"})


def _without_deferrable(chunk: list[Token]) -> list[Token]:
    """A SQLite foreign key's `[NOT] DEFERRABLE [INITIALLY DEFERRED|IMMEDIATE]` (Doctrine writes it on every key
    of the tables it rebuilds), which sqlglot's SQLite reader refuses: when the key's check runs, not what the
    statement creates."""
    kept: list[Token] = []
    for i, token in enumerate(chunk):
        word = token.text.upper()
        following = chunk[i + 1].text.upper() if i + 1 < len(chunk) else ""
        if word in _DEFERRAL or (word == "NOT" and following == "DEFERRABLE"):
            continue
        kept.append(token)
    return kept


_DELIMITER = re.compile(r"^[ \t]*DELIMITER[ \t]+(\S+)[ \t]*$", re.I | re.M)
_VERSIONED = re.compile(r"/\*!\d*")


def _mysql_client_text(text: str) -> str:
    """A MySQL script as the server sees it, offsets kept: the client's `DELIMITER //` lines (a dump's
    `DELIMITER ;;`) blanked and the statements they end closed by `;`; the versioned comments a dump
    writes a definition in (`/*!50003 CREATE*/ /*!50017 DEFINER=…*/ /*!50003 TRIGGER … END */`) kept as
    code."""
    chars = list(text)

    def blank(start: int, end: int) -> None:
        chars[start:end] = " " * (end - start)

    previous = -1  # the end of the last versioned comment kept as code
    for match in _VERSIONED.finditer(text):
        end = text.find("*/", match.end())
        chained = previous >= 0 and not text[previous : match.start()].strip()
        if end >= 0 and (chained or text[match.end() : end].lstrip()[:6].upper() == "CREATE"):
            blank(match.start(), match.end())  # a definition (`SET NAMES` and the like stay comments)
            blank(end, end + 2)
            previous = end + 2
    changes = list(_DELIMITER.finditer(text))
    for i, change in enumerate(changes):
        blank(change.start(), change.end())
        delimiter = change.group(1)
        if delimiter == ";":
            continue
        stop = changes[i + 1].start() if i + 1 < len(changes) else len(text)
        at = text.find(delimiter, change.end(), stop)
        while at >= 0:
            blank(at, at + len(delimiter))
            chars[at] = ";"
            at = text.find(delimiter, at + len(delimiter), stop)
    return "".join(chars)


def render(node: exp.Expression, dialect: str | None = None, *, copy: bool = True) -> str:
    """A tree's SQL text in the dialect, through one cached dialect object (`.sql()` builds a new one each call).

    `copy=False` skips the defensive copy; only for leaves the generator cannot transform (types, literals).
    """
    return str(_dialect(dialect or "postgres").generate(node, copy=copy))


def alter_clauses(text: str, dialect: str) -> tuple[str, list[str]] | None:
    """`ALTER TABLE [IF EXISTS] name` and the comma-separated clauses after it, as written (commas inside
    parentheses kept); None when the text is not such a statement or does not tokenise."""
    try:
        tokens = _dialect(dialect).tokenize(text)
    except TokenError:
        return None
    at = 2
    while at < len(tokens) and tokens[at].text.upper() in ("IF", "EXISTS", "ONLY", "IGNORE"):
        at += 1
    if len(tokens) <= at + 1 or [t.text.upper() for t in tokens[:2]] != ["ALTER", "TABLE"]:
        return None
    while at + 2 < len(tokens) and tokens[at + 1].token_type is TokenType.DOT:
        at += 2
    prefix = text[: tokens[at].end + 1]
    clauses: list[str] = []
    depth, start = 0, at + 1
    body = [t for t in tokens if t.token_type is not TokenType.SEMICOLON]
    for i in range(at + 1, len(body) + 1):
        if i < len(body):
            depth += {TokenType.L_PAREN: 1, TokenType.R_PAREN: -1}.get(body[i].token_type, 0)
            if not (depth == 0 and body[i].token_type is TokenType.COMMA):
                continue
        if start < i:
            clauses.append(text[body[start].start : body[i - 1].end + 1].strip())
        start = i + 1
    return prefix, clauses


def _chunks(tokens: list[Token], *, compound: bool = False) -> list[list[Token]]:
    """Statements' tokens, split at `;`. `compound`: MySQL's `CREATE TRIGGER … BEGIN …; …; END`, whose
    body's statements end with `;` inside the one statement that creates it."""
    chunks: list[list[Token]] = []
    current: list[Token] = []
    depth = 0
    for i, token in enumerate(tokens):
        if compound and current and current[0].text.upper() == "CREATE":
            depth += _depth_change(tokens, i)
        if token.token_type is TokenType.SEMICOLON and depth <= 0:
            if current:
                chunks.append(current)
            current, depth = [], 0
        else:
            current.append(token)
    if current:
        chunks.append(current)
    return chunks


_CLOSED = frozenset({"IF", "LOOP", "WHILE", "REPEAT"})  # `END IF`: the end of a statement, not a block


def _depth_change(tokens: list[Token], i: int) -> int:
    """+1 where a compound statement's `BEGIN` or `CASE` opens, -1 where its `END` closes."""
    word = tokens[i].text.upper()
    before = tokens[i - 1].text.upper() if i > 0 else ""
    if word in ("BEGIN", "CASE") and before != "END":
        return 1
    if word == "END":
        after = tokens[i + 1].text.upper() if i + 1 < len(tokens) else ""
        return 0 if after in _CLOSED else -1
    return 0


_WORD = re.compile(r"\"(?:[^\"]|\"\")*\"|`[^`]*`|'(?:[^']|'')*'|\$\w*\$|[\w.$]+|[(),=]")
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def _words(source: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(_COMMENT.sub(" ", source[:600]))[:24])


def _skips_parse(words: tuple[str, ...], chunk: list[Token]) -> bool:
    if any(words[: len(head)] == head for head in _UNPARSED_HEADS):
        return True
    if words[:1] == ("INSERT",):
        return not any(t.token_type is TokenType.SELECT for t in chunk)
    return False


def _parse(d: Dialect, chunk: list[Token], text: str) -> tuple[exp.Expression | None, str | None]:
    try:
        parsed = d.parser().parse(chunk, text)
    except (ParseError, TokenError) as error:
        return None, _first_line(str(error))
    except Exception as error:  # sqlglot raises assorted errors on unusual input; never crash a review
        return None, f"{type(error).__name__}: {_first_line(str(error))}"
    expression: exp.Expression | None = next((e for e in parsed if isinstance(e, exp.Expression)), None)
    return expression, None if expression is not None else "empty statement"


def _fallback(text: str, first_line: int, error: str) -> list[Statement]:
    stripped = text.strip()
    if not stripped:
        return []
    line = first_line + text[: text.index(stripped[0])].count("\n")
    return [Statement(stripped, line, line + stripped.count("\n"), _words(stripped), None, error)]


def _line_starts(text: str) -> list[int]:
    starts = [0]
    index = text.find("\n")
    while index != -1:
        starts.append(index + 1)
        index = text.find("\n", index + 1)
    return starts


def _first_line(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else "unknown error"
