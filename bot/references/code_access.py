"""How a line of code uses a name: does it write it, and is it behind a feature flag?"""

from __future__ import annotations

import re

_WRITE_CALL = re.compile(
    r"\b(?:create|update|insert|upsert|save|new|build|assign_attributes|attributes=|write_attribute|"
    r"update_column|update_columns|update_all|insert_all|upsert_all|permit|objects\.create|bulk_create|"
    r"bulk_update|values|set|data|add|merge|persist|Create|Update|Save|Insert)\b",
)
_QUERY_CALL = re.compile(
    r"\b(?:filter|exclude|get|where|not|find_by|find_or_create_by|filter_by|get_or_create|exists|count|order_by)"
    r"\([^()]*$"
)
_FIELD_NUMBER = re.compile(r"\s*(?:repeated\s+|optional\s+)?[\w.]+\s+\w+\s*=\s*\d+\s*[;\[]")  # protobuf
_SQL_WRITE = re.compile(r"\b(?:SET|INSERT\s+INTO|VALUES)\b", re.I)


def _copied_from_row(name: str, assigned: str) -> bool:
    """`= row["name"]`, `= row.get("name")`, `= attrs[:name]`: an object filled from a row, not a write."""
    return bool(re.search(rf"""[\[(]\s*[:"']{re.escape(name)}["']?\s*[\]),]""", assigned))


def is_write(line: str, start: int, end: int) -> bool:
    """True when the name at line[start:end] is assigned or passed as a value to be stored."""
    before = line[:start].rstrip()
    after = line[end:].lstrip("\"'`]) ")
    if "__" in line[start:end] or _QUERY_CALL.search(before) or _FIELD_NUMBER.match(line):
        return False  # a lookup: filter(name=…), legacy_status__in, where(name: …)
    if before.endswith(("write_attribute(:", 'write_attribute("', "[:", '["', "['")) and after.startswith(
        "="
    ):
        return not after.startswith("==")
    if after.startswith("=") and not after.startswith(("==", "=>", "=~")):
        # obj.name = …, name=… (keyword argument), SET name = …; but not self.name = row["name"]
        hydrating = before.endswith(("self.", "this.", "@")) and _copied_from_row(line[start:end], after)
        return not hydrating
    if after.startswith(("=>", ":")) and not after.startswith("::"):
        return bool(_WRITE_CALL.search(line)) or bool(_SQL_WRITE.search(line))
    if _SQL_WRITE.search(line) and re.search(r"\bINSERT\s+INTO\b", line, re.I):
        return True
    return before.endswith(("permit(:", ", :")) and "permit(" in line


_FLAG_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Flipper", re.compile(r"Flipper(?:\.enabled\?\(\s*|\[\s*)[:\"']?([\w.-]+)")),
    ("feature flag", re.compile(r"\bFeature\.(?:enabled|active)\?\(\s*[:\"']?([\w.-]+)")),
    (
        "LaunchDarkly",
        re.compile(r"\b(?:variation|bool_variation|boolVariation|BoolVariation)\(\s*[\"']([\w.-]+)"),
    ),
    ("Unleash", re.compile(r"\b(?:is_enabled|isEnabled|IsEnabled)\(\s*[\"']([\w.-]+)")),
    (
        "django-waffle",
        re.compile(r"\b(?:flag_is_active|switch_is_active|sample_is_active)\([^)]*?[\"']([\w.-]+)"),
    ),
    (
        "OpenFeature",
        re.compile(
            r"\b(?:get_boolean_value|getBooleanValue|BooleanValue|get_boolean_details)\([^)]*?[\"']([\w.-]+)"
        ),
    ),
    (
        "settings toggle",
        re.compile(
            r"\b(?:settings|config|Settings|ENV|os\.environ|process\.env)(?:\.|\[\s*[\"']|\.get\(\s*[\"']|\.fetch\(\s*[\"'])"
            r"([A-Z0-9_]*(?:ENABLE|FEATURE|FLAG|USE_|_V\d)[A-Z0-9_]*)\b",
        ),
    ),
)


FLAG_HINTS = frozenset(
    {"Flipper", "Feature.", "ariation(", "is_enabled(", "isEnabled(", "IsEnabled(", "_is_active("}
    | {"BooleanValue(", "boolean_value(", "boolean_details(", "ENABLE", "FEATURE", "FLAG", "USE_", "_V"}
)


def flag_guard(window: str) -> tuple[str, str] | None:
    """(provider, flag name) of the feature-flag check that guards the last line of `window`, if any.

    A check guards the line it is on and the block it opens: walking up from the use, every line
    indented less than the lines below it opens an enclosing block; a check on one of those guards it.
    A check whose block closed before the use (an `end`, a dedent) does not.
    """
    lines = window.split("\n")
    found = _flag_in(lines[-1])
    if found:
        return found
    level = _indent(lines[-1])
    for line in reversed(lines[:-1]):
        if not line.strip() or _indent(line) >= level:
            continue
        level = _indent(line)
        found = _flag_in(line)
        if found:
            return found
    return None


def _flag_in(line: str) -> tuple[str, str] | None:
    best: tuple[int, str, str] | None = None
    for provider, pattern in _FLAG_CHECKS:
        for match in pattern.finditer(line):
            if best is None or match.start() > best[0]:
                best = (match.start(), provider, match.group(1))
    return (best[1], best[2]) if best else None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())
