"""Paths of files no database of the project runs: fixtures of its tests, a library's examples, vendored code."""

from __future__ import annotations

import re

# a folder of the project's tests, of a library's examples or of vendored packages
_FOLDER = re.compile(
    r"(?:^|/)(?:tests?|spec|__tests__|fixtures?|_fixtures?|testdata|examples?|vendor|node_modules)/", re.I
)


def not_run(path: str) -> bool:
    """Is the file under a folder of tests, fixtures, examples or vendored code (`test/…/_fixture/contract.prisma`,
    `examples/blog/prisma/schema.prisma`)?"""
    return _FOLDER.search(path) is not None
