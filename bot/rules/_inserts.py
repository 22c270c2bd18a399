"""What the inserts of the application send: whether the database's default of a column is what they store."""

from __future__ import annotations

import re

from bot.model.migration import Migration
from bot.rules.context import Context

_LOAD_DEFAULTS = re.compile(r"config\.load_defaults\s+['\"]?(\d+)\.(\d+)")
_PARTIAL = re.compile(r"partial_inserts\s*=\s*(true|false)")


def rails_sends_every_column(migration: Migration, context: Context) -> bool:
    """Rails 7.0+ defaults (`config.load_defaults 7.0`, or `partial_inserts = false`) insert every column
    with the default the schema had when the process started: the old release keeps sending it."""
    if migration.framework != "rails":
        return False
    text = context.tree.read("config/application.rb") or ""
    partial = _PARTIAL.search(text)
    if partial is not None:
        return partial.group(1) == "false"
    found = _LOAD_DEFAULTS.search(text)
    return found is not None and (int(found.group(1)), int(found.group(2))) >= (7, 0)
