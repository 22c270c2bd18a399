"""dbmate: one `.sql` file with `-- migrate:up` and `-- migrate:down` sections.

dbmate wraps each section in a transaction unless the marker says `transaction:false`; even then it sends the
section in one call, which PostgreSQL runs as one implicit transaction when it holds several statements.
"""

from __future__ import annotations

import re

from bot.frameworks.goose import split_sections
from bot.frameworks.sqlfile import build, down_section, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration, statement_count

NAME = "dbmate"
_MARK = re.compile(r"^\s*--\s*migrate:(up|down)\b", re.I | re.M)


def detect(path: str, text: str) -> bool:
    # ASCII text without the mark's word is not searched (IGNORECASE folds no other ASCII letter onto it)
    if not path.endswith(".sql") or (text.isascii() and "migrate:" not in text.lower()):
        return False
    return _MARK.search(text) is not None


def is_down(path: str) -> bool:
    return False


def version(path: str) -> str:
    return path.rsplit("/", 1)[-1].split("_", 1)[0]


def parse(path: str, text: str, tree: Tree, dialect: str) -> Migration:
    sections = split_sections(text, _MARK)
    up_text, up_line = sections.get("up", ("", 1))
    up = parse_sql(path, up_text, dialect, first_line=up_line)
    back = down_section(
        path, sections.get("down"), dialect, missing="the `-- migrate:down` section is missing or empty"
    )
    no_transaction = re.search(r"^\s*--\s*migrate:up\b[^\n]*transaction:false", text, re.I | re.M) is not None
    # without its transaction dbmate still sends the section in one call: several statements are one implicit
    # transaction on PostgreSQL (where CREATE INDEX CONCURRENTLY cannot run)
    implicit = no_transaction and dialect == "postgres" and statement_count(up) > 1
    note = (
        "the up marker says `transaction:false`, but dbmate sends the section's statements in one call, which "
        "PostgreSQL runs as one implicit transaction"
        if implicit
        else "the up marker says `transaction:false`"
        if no_transaction
        else "dbmate runs each migration in a transaction"
    )
    return build(
        path,
        NAME,
        dialect,
        up,
        back,
        text=text,
        in_transaction=not no_transaction or implicit,
        note=note,
        version=version(path),
        file_transaction=not no_transaction,
        implicit_transaction=implicit,
    )
