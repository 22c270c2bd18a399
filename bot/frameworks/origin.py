"""Where an operation came from: the keyword arguments every operation read from a framework file takes."""

from __future__ import annotations

from typing import TypedDict

from bot.model.findings import Location


class Origin(TypedDict):
    location: Location
    end_line: int
    sql: str  # the framework source the operation was read from (a Ruby call, a Django operation, …)


def origin(path: str, line: int, end_line: int, source: str) -> Origin:
    return {"location": Location(path, line), "end_line": max(end_line, line), "sql": source}
