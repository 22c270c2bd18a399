"""Paths of files no database of the project runs: fixtures of its tests, a library's examples, vendored code.

Two scopes. `test_only`: folders that hold test sources on every stack (Maven's and Gradle's `src/test/`, Go's
`testdata/`), left out before any framework reads a file. `not_run`: a wider set (`tests/`, `fixtures/`,
`examples/`, `vendor/`…), for the readers that would otherwise take any file of their kind anywhere in the tree
as the project's own (a `db push` schema, a migration of a runner the review does not read), where a framework
with its own layout (a Django app named `tests`) may still keep real migrations."""

from __future__ import annotations

import re

# Maven's and Gradle's `src/test/` (its resources are on the test class path only) and Go's `testdata/` (which
# the go tool ignores)
_TEST_ONLY = re.compile(r"(?:^|/)(?:src/test|testdata)/")
# a folder of the project's tests, of a library's examples or of vendored packages
_FOLDER = re.compile(
    r"(?:^|/)(?:tests?|spec|__tests__|fixtures?|_fixtures?|testdata|examples?|vendor|node_modules)/", re.I
)


def not_run(path: str) -> bool:
    """Is the file under a folder of tests, fixtures, examples or vendored code (`test/…/_fixture/contract.prisma`,
    `examples/blog/prisma/schema.prisma`)?"""
    return _FOLDER.search(path) is not None


def test_only(path: str) -> bool:
    """Is the file a test source that never reaches a production database (OpenMRS's
    `src/test/resources/…/testLiquibase.xml`)?"""
    return _TEST_ONLY.search(path) is not None
