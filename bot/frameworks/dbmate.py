"""dbmate: one `.sql` file with `-- migrate:up` and `-- migrate:down` sections.

dbmate wraps each section in a transaction unless the marker says `transaction:false`.
"""

from __future__ import annotations

import re

from bot.frameworks.goose import split_sections
from bot.frameworks.sqlfile import build, down_section, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration

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
    note = (
        "the up marker says `transaction:false`"
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
        in_transaction=not no_transaction,
        note=note,
        version=version(path),
    )
