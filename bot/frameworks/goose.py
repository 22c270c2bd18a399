"""goose: one `.sql` file with `-- +goose Up` and `-- +goose Down` sections.

goose runs each migration in a transaction unless the file says `-- +goose NO TRANSACTION`.
`-- +goose StatementBegin` / `StatementEnd` only group statements; the tokenizer already keeps them whole.
"""

from __future__ import annotations

import re

from bot.frameworks.sqlfile import build, down_section, parse_sql
from bot.model.changeset import Tree
from bot.model.migration import Migration

NAME = "goose"
_MARK = re.compile(r"^\s*--\s*\+goose\s+(up|down)\b", re.I | re.M)


def detect(path: str, text: str) -> bool:
    # ASCII text without the mark's word is not searched (IGNORECASE folds no other ASCII letter onto it)
    if not path.endswith(".sql") or (text.isascii() and "+goose" not in text.lower()):
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
    down = sections.get("down")
    # goose rolls back a file without Down statements by running none and removing its version
    missing = "no `-- +goose Down` section" if down is None else "its `-- +goose Down` section is empty"
    back = down_section(path, down, dialect, missing=missing, runs_empty=True)
    no_transaction = re.search(r"^\s*--\s*\+goose\s+NO\s+TRANSACTION", text, re.I | re.M) is not None
    note = (
        "the file says `-- +goose NO TRANSACTION`"
        if no_transaction
        else "goose runs each migration in a transaction"
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


def split_sections(text: str, marker: re.Pattern[str]) -> dict[str, tuple[str, int]]:
    """The text of each marked section, keyed by the marker's first group, with its first line."""
    sections: dict[str, tuple[str, int]] = {}
    matches = list(marker.finditer(text))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body_start = text.find("\n", match.end())
        body_start = end if body_start == -1 or body_start > end else body_start + 1
        line = text.count("\n", 0, body_start) + 1
        sections[match.group(1).lower()] = (text[body_start:end], line)
    return sections
